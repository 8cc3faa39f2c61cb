#!/usr/bin/env python3
"""Benchmark: the speakers stage's wall time and peak memory on an N-minute show (default 60), and its
diarization error rate there, compared with the transcription time.

Makes the recording with showgen.synth (the demo's discussion repeated, 16 kHz mono: what work/speech.wav is),
gives the stage a transcript whose words are the truth's words spread over each utterance (no Whisper run),
and runs the stage in a child process through the real engine, so its peak RSS is measured alone.
Transcription time is not measured here: DESIGN.md's measurement on this 2-core machine is Whisper base int8
on 60 minutes of real Dutch dialogue in 695 s (real-time factor 0.19); the goal is under 25% of that.

Usage: python bench/speakers_bench.py [--minutes 60] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from showgen import metrics, synth  # noqa: E402
from showgen.demo_scene import episode_plan_toml, long_scene  # noqa: E402
from pipeline.transcript import Segment, Transcript, Word  # noqa: E402

WHISPER_RTF = 695.0 / 3600.0  # DESIGN.md: Whisper base int8, beam 5, 2 cores, 60 min of real Dutch speech

EPISODE = textwrap.dedent("""
    title = "Benchmark"
    date = 2024-06-13
    description = "Benchmark."
    source = "speech.wav"
    """) + episode_plan_toml()


CHILD = """
import json, resource, sys, time
from pathlib import Path
from pipeline.engine import Engine, load_context
from pipeline.stages import speakers
began = time.monotonic()
engine = Engine(load_context(Path(sys.argv[1])), [speakers])
engine.check()
results = engine.run()
print(json.dumps({"status": [r.status for r in results], "seconds": time.monotonic() - began,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def transcript_from_truth(truth: dict) -> Transcript:
    segments = []
    for u in truth["utterances"]:
        tokens = u["text"].split()
        size = (u["end"] - u["start"]) / len(tokens)
        words = tuple(Word(u["start"] + i * size, u["start"] + (i + 1) * size - 0.02, " " + t)
                      for i, t in enumerate(tokens))
        segments.append(Segment(len(segments), u["start"], u["end"], u["text"], words))
    return Transcript(language="nl", duration=truth["duration"], segments=tuple(segments), model="truth")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--work", type=Path, default=None, help="folder for the recording and the episode")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="speakers-bench-"))
    show, episode = work, work / "episodes" / "bench"
    episode.mkdir(parents=True, exist_ok=True)
    wav = work / "speech.wav"
    if not wav.exists():
        began = time.monotonic()
        synth.render(long_scene(args.minutes, 16000), wav, sample_rate=16000, channels=1, bits=16)
        print(f"rendered {args.minutes:g} min in {time.monotonic() - began:.0f} s", flush=True)
    truth = synth.load_truth(wav)
    (episode / "work").mkdir(exist_ok=True)
    (episode / "speech.wav").unlink(missing_ok=True)
    (episode / "speech.wav").symlink_to(wav)
    (episode / "work" / "speech.flac").unlink(missing_ok=True)
    (episode / "work" / "speech.flac").symlink_to(wav)  # a WAV under the speech copy's name: SpeechWav reads either
    (episode / "work" / "manifest.json").unlink(missing_ok=True)
    transcript_from_truth(truth).save(episode / "work" / "transcript.raw.json")
    (episode / "episode.toml").write_text(EPISODE, encoding="utf-8")
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import make_show  # the test helper writes a valid show config with cover art

    make_show(show)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(episode)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
        return 1
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    document = json.loads((episode / "work" / "speakers.json").read_text(encoding="utf-8"))
    duration = truth["duration"]
    whisper = WHISPER_RTF * duration
    print(json.dumps({
        "minutes": round(duration / 60, 1),
        "speakers_seconds": round(result["seconds"], 1),
        "speakers_real_time_factor": round(result["seconds"] / duration, 4),
        "peak_rss_mb": round(result["peak_rss_mb"]),
        "transcription_seconds_estimated": round(whisper),
        "share_of_transcription": round(result["seconds"] / whisper, 3),
        "voices": {v: (i["name"], i["talk_time"]) for v, i in document["voices"].items()},
        "der_collar_0.25": round(metrics.der(metrics.truth_spans(truth), metrics.voice_spans(document["turns"]))["der"], 4),
    }, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
