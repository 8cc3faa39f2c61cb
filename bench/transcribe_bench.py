#!/usr/bin/env python3
"""Benchmark (not a test): the transcribe stage against bare faster-whisper, same audio, same settings.

For each recording (the demo episode's recording, and a generated N-minute show from
scripts/make_long_recording.py) it makes the 16 kHz mono WAV the stage reads, then runs, each in its own
process so peak memory is measured separately (ru_maxrss of the child):
  bare:  WhisperModel(<embedded model>).transcribe(<wav>, language, beam_size, vad_filter=True,
         word_timestamps=True, condition_on_previous_text=False), iterating every segment
  stage: pipeline.stages.transcribe.run() on an episode folder holding that audio as work/speech.flac
and prints wall time, real-time factor, peak RSS, words, the stage's word error rate against the bare
output, and, where the recording has a truth file, both WERs against the script and the share of utterances
with a transcript word starting within 0.5 s of the utterance.

Usage: .venv/bin/python bench/transcribe_bench.py [--minutes 60] [--skip-demo] [--no-names] [--beam 5]
       [--window 300] [--work DIR] [--json OUT]
--minutes 0 skips the long recording. On 2 cores each run takes about 0.1 x the audio length (RTF 0.08-0.2
with load), so --minutes 60 needs about 12 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import put_speech, wer, words_of  # noqa: E402  (the same measuring as the tests)
DEMO = ROOT / "episodes" / "2024-06-13-burger-centraal" / "recording.flac"
PEOPLE = ("Presentator", "Marije Boerlaagh", "Mike Brantjes", "Jornt van Zuijlen", "Steven Blok")


# ---------------------------------------------------------------- measuring helpers


def onset_hits(word_starts: list[float], utterance_starts: list[float], tolerance: float = 0.5) -> float:
    if not utterance_starts:
        return float("nan")
    hits = sum(1 for u in utterance_starts if any(abs(w - u) <= tolerance for w in word_starts))
    return hits / len(utterance_starts)


def run_child(mode: str, wav: Path, out: Path, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--wav", str(wav), "--out", str(out),
           "--beam", str(args.beam), "--window", str(args.window)] + (["--no-names"] if args.no_names else [])
    began = time.monotonic()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{mode} run failed on {wav}")
    result = json.loads(out.read_text())
    result.update(wall=round(wall, 1), peak_rss_mb=round(usage.ru_maxrss / 1024, 1))
    return result


# ---------------------------------------------------------------- the two children


def child_bare(wav: Path, out: Path, beam: int) -> None:
    from faster_whisper import WhisperModel

    from pipeline import model

    import ctranslate2

    began = time.monotonic()
    folder = model.embedded_model_dir()
    whisper = WhisperModel(str(folder), device="cpu", compute_type="int8")
    ctranslate2.set_random_seed(0)  # the temperature fallback samples; the stage seeds the same way
    segments, _ = whisper.transcribe(str(wav), language="nl", beam_size=beam, vad_filter=True,
                                     word_timestamps=True, condition_on_previous_text=False)
    words = [(w.start, w.word) for s in segments for w in (s.words or [])]
    seconds = time.monotonic() - began
    out.write_text(json.dumps({"seconds": seconds, "text": "".join(w for _, w in words),
                               "starts": [s for s, _ in words]}))


def child_stage(wav: Path, out: Path, beam: int, window: float, names: bool) -> None:
    from pipeline.engine import load_context
    from pipeline.stages import transcribe
    from pipeline.transcript import Transcript

    with tempfile.TemporaryDirectory(prefix="bench-show-") as tmp:
        show = Path(tmp)
        shutil.copy(ROOT / "assets" / "cover.png", show / "cover.png")
        (show / "config.toml").write_text(textwrap.dedent(f"""
            [show]
            title = "Bench"
            description = "Bench"
            author = "Bench"
            owner_name = "Bench"
            owner_email = "bench@example.org"
            image = "cover.png"
            base_url = "https://example.org/"
            copyright = "Bench"
            [transcription]
            beam_size = {beam}
            window = {window}
            use_names = {"true" if names else "false"}
            """))
        episode = show / "episodes" / "bench"
        episode.mkdir(parents=True)
        put_speech(wav, episode)
        (episode / "speech-source.wav").symlink_to(wav)
        people = "".join(f'[[people]]\nname = "{p}"\n' for p in PEOPLE)
        (episode / "episode.toml").write_text(f'title = "Bench"\ndate = 2024-06-13\ndescription = "Bench"\n'
                                              f'source = "speech-source.wav"\n{people}')
        ctx = load_context(episode)
        opts = transcribe.options(ctx)
        began = time.monotonic()
        transcribe.run(ctx, opts)
        seconds = time.monotonic() - began
        transcript = Transcript.load(ctx.paths.raw_transcript)
        out.write_text(json.dumps({"seconds": seconds, "text": " ".join(s.text for s in transcript.segments),
                                   "starts": [w.start for w in transcript.words],
                                   "segments": [[s.start, s.end, s.text] for s in transcript.segments],
                                   "meta": transcript.meta}))


# ---------------------------------------------------------------- main


def speech_wav(source: Path, work: Path) -> Path:
    wav = work / (source.stem + ".16k.wav")
    if not wav.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-ac", "1", "-ar", "16000",
                        "-c:a", "pcm_s16le", str(wav)], check=True)
    return wav


def bench_one(label: str, source: Path, work: Path, args: argparse.Namespace) -> dict:
    wav = speech_wav(source, work)
    duration = os.path.getsize(wav) / 32000
    bare = run_child("bare", wav, work / f"{label}.bare.json", args)
    stage = run_child("stage", wav, work / f"{label}.stage.json", args)
    row = {"recording": label, "minutes": round(duration / 60, 1)}
    for name, result in (("bare", bare), ("stage", stage)):
        row[name] = {"wall_s": result["wall"], "transcribe_s": round(result["seconds"], 1),
                     "rtf": round(result["seconds"] / duration, 3), "peak_rss_mb": result["peak_rss_mb"],
                     "words": len(words_of(result["text"]))}
    row["stage_vs_bare_wer"] = round(wer(words_of(bare["text"]), words_of(stage["text"])), 3)
    row["time_overhead"] = round(stage["seconds"] / bare["seconds"] - 1, 3)
    row["stage_meta"] = {k: stage["meta"].get(k) for k in ("guards", "names", "windows")}
    truth_file = source.with_name(source.stem + ".truth.json")
    if truth_file.exists():
        truth = json.loads(truth_file.read_text())
        reference = words_of(" ".join(u["text"] for u in truth["utterances"]))
        starts = [u["start"] for u in truth["utterances"]]
        for name, result in (("bare", bare), ("stage", stage)):
            row[name]["wer_vs_script"] = round(wer(reference, words_of(result["text"])), 3)
            row[name]["onsets_within_0.5s"] = round(onset_hits(result["starts"], starts), 3)
        row["names"] = names_check(stage["segments"], truth["utterances"])
    return row


def names_check(segments: list, utterances: list) -> dict:
    """Full names in the stage's transcript, and how many of them the script does not say there (+-2 s)."""
    found = unsupported = 0
    for start, end, text in segments:
        for name in PEOPLE[1:]:
            for _ in range(text.count(name)):
                found += 1
                if not any(name in u["text"] and u["start"] - 2 <= end and start <= u["end"] + 2
                           for u in utterances):
                    unsupported += 1
    return {"full_names": found, "not_in_script_there": unsupported}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the generated show; 0 skips it")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--no-names", action="store_true", help="run the stage with use_names = false")
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--window", type=float, default=300.0)
    parser.add_argument("--work", type=Path, default=None, help="folder for the WAVs (kept between runs)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--child", choices=("bare", "stage"), help=argparse.SUPPRESS)
    parser.add_argument("--wav", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "bare":
        child_bare(args.wav, args.out, args.beam)
        return 0
    if args.child == "stage":
        child_stage(args.wav, args.out, args.beam, args.window, not args.no_names)
        return 0

    work = args.work or Path(tempfile.gettempdir()) / "burger-transcribe-bench"
    work.mkdir(parents=True, exist_ok=True)
    from pipeline import model

    model.embedded_model_dir()  # join once, outside the timings
    rows = []
    if not args.skip_demo:
        if not DEMO.exists():
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_demo_recording.py")], check=True)
        rows.append(bench_one("demo", DEMO, work, args))
    if args.minutes > 0:
        long = work / f"long-{args.minutes:g}min.flac"
        if not long.exists():
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_long_recording.py"), "--minutes",
                            f"{args.minutes:g}", "--out", str(long), "--rate", "16000", "--channels", "1"],
                           check=True)
        rows.append(bench_one(f"long-{args.minutes:g}min", long, work, args))
    for row in rows:
        print(f"\n== {row['recording']} ({row['minutes']} min)")
        for name in ("bare", "stage"):
            r = row[name]
            extra = "".join(f", {k} {r[k]}" for k in ("wer_vs_script", "onsets_within_0.5s") if k in r)
            print(f"  {name:5s}: transcribe {r['transcribe_s']:7.1f} s (wall {r['wall_s']:7.1f} s), RTF {r['rtf']:.3f}, "
                  f"peak RSS {r['peak_rss_mb']:7.1f} MB, {r['words']} words{extra}")
        print(f"  stage vs bare: WER {row['stage_vs_bare_wer']:.3f}, time overhead {100 * row['time_overhead']:+.1f}%")
        print(f"  stage: {json.dumps(row['stage_meta'], ensure_ascii=False)}")
        if "names" in row:
            print(f"  names in the stage transcript: {row['names']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
