#!/usr/bin/env python3
"""Benchmark (not a test): what the review studio costs on an hour-long episode.

1. Waveform peaks (pipeline.review.peaks: ffmpeg decodes at 8 kHz, numpy takes min/max per bucket) of an
   N-minute 16 kHz mono WAV (work/speech.wav's format), against
   the references: ffmpeg reading the same file (`-f null -`) and measuring it (`-af astats`). Seconds, the
   ratios, and the peak memory of this process.
2. Placing editors' corrections by their words (pipeline.transcript_corrections.place/apply) in a transcript of
   N minutes of speech (about 180 words a minute, 9 words a segment) with one block in twelve corrected.

Usage: .venv/bin/python bench/review_bench.py [--minutes 60] [--workdir bench/out]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import transcript_corrections as corr  # noqa: E402
from pipeline.review import peaks  # noqa: E402
from pipeline.transcript import Segment, Transcript, Word  # noqa: E402


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def bench_peaks(minutes: float, work: Path) -> None:
    wav = work / "review-speech.wav"
    if not wav.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"anoisesrc=r=16000:a=0.3:d={minutes * 60}", "-ac", "1", "-c:a", "pcm_s16le", str(wav)],
                       check=True)
    read, _ = timed(lambda: subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-f", "null", "-"],
                                           check=True))
    stats, _ = timed(lambda: subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-af", "astats",
                                             "-f", "null", "-"], check=True))
    seconds, result = timed(lambda: peaks.peaks([wav], 4000))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peaks of {minutes:g} min 16 kHz WAV ({wav.stat().st_size / 1e6:.0f} MB): {seconds:.2f} s; "
          f"ffmpeg reading it {read:.2f} s (ratio {seconds / read:.2f}), ffmpeg astats {stats:.2f} s "
          f"(ratio {seconds / stats:.2f}); {len(result['max'])} buckets; peak RSS {rss:.0f} MB")


def bench_corrections(minutes: float) -> None:
    rng = random.Random(1)
    vocab = "de het een en van ik je dat is in we met voor op niet maar ook zijn gemeente buurt bewoners".split()
    segments, t = [], 0.0
    for i in range(int(minutes * 180 / 9)):
        words = []
        for _ in range(9):
            words.append(Word(round(t, 3), round(t + 0.28, 3), " " + rng.choice(vocab), 0.8))
            t += 0.333
        segments.append(Segment(i, words[0].start, words[-1].end, "".join(w.text for w in words), tuple(words)))
    transcript = Transcript("nl", t, tuple(segments))
    text = corr.render(transcript, "bench")
    base = corr.base_of(transcript, text, "a")
    edited = text
    for segment in segments[::12]:
        machine = segment.text.strip()
        edited = edited.replace(f"\n{machine}\n", f"\n{machine} Zuidoost\n", 1)
    found = corr.corrections(corr.parse(edited, "c"), base, transcript)
    seconds, placements = timed(lambda: corr.place(transcript, found))
    apply_seconds, _ = timed(lambda: corr.apply(transcript, placements))
    placed = sum(p.segment_start is not None for p in placements)
    print(f"corrections: {len(found)} in {len(transcript.words)} words: placed {placed} in {seconds:.2f} s, "
          f"applied in {apply_seconds:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    bench_peaks(args.minutes, args.workdir)
    bench_corrections(args.minutes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
