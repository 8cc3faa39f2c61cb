#!/usr/bin/env python3
"""Benchmark (not a test): the audio path (ingest .. tag) against a plain ffmpeg MP3 transcode of the same file.

Generates an N-minute 48 kHz stereo recording (scripts/make_long_recording.py, once; kept in the workdir), then
in this one script:
1. the reference: `ffmpeg -i rec.flac -c:a libmp3lame -b:a 128k out.mp3`;
2. every audio stage through the real engine, in a child process (so its peak RSS is its own, not the
   generator's): seconds per stage, and the ratio of their sum to the reference;
3. peak RSS of that child (Python) and of its largest ffmpeg;
4. the size of the episode's work/ folder after the run against the size of the source;
5. loudness and true peak of the published MP3 by an independent ffmpeg (`ebur128=peak=true`), and how many
   full encodes the encode stage needed (and why, if more than one).
Goals (issue 10): audio stages at most 2x the transcode, work/ at most half the source, loudness within
+-0.5 LU of -16 LUFS and true peak at most -1.0 dBTP on the first encode.

With --source FILE the recording is that file instead (e.g. a real-voice show from showgen/room.py, see
bench/pipeline_bench.py), so work/ is compared with a real FLAC's size. With --near-mono as well, it is a
variant of FILE made once beside it: both channels the left one (the right 0.95 x, with its own faint pink noise),
a 48 kHz stereo FLAC that compresses like the held-out recording of issue 10 (about 190 MB an hour, where the
room simulator's two distinct channels give 240).

Usage: .venv/bin/python bench/audio_path_bench.py [--minutes 60] [--workdir bench/out] [--source FILE
       [--near-mono]]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import ebur128, make_episode, make_show  # noqa: E402

TARGET, CEILING = -16.0, -1.0


def cpu_seconds() -> float:
    """User + system CPU seconds of every finished child process (and theirs) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def near_mono(recording: Path) -> Path:
    """A near-mono 48 kHz stereo FLAC variant of `recording` (made once, beside it; see the module docstring)."""
    variant = recording.with_name(f"{recording.stem}-near-mono.flac")
    if not variant.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(recording), "-f", "lavfi", "-i",
                        "anoisesrc=color=pink:amplitude=0.0004:sample_rate=48000:seed=7", "-filter_complex",
                        "[0:a]pan=mono|c0=c0,aresample=48000,asplit=2[l][r];[r]volume=0.95[r2];"
                        "[r2][1:a]amix=inputs=2:duration=first:normalize=0[ro];"
                        "[l][ro]join=inputs=2:channel_layout=stereo[out]",
                        "-map", "[out]", "-c:a", "flac", "-sample_fmt", "s16", str(variant)], check=True)
    return variant


def run_stages(folder: Path) -> dict:
    """In the child: run the audio stages through the engine, one by one; seconds and peak RSS."""
    from pipeline.engine import Engine, load_context
    from pipeline.stages import encode, ingest, normalise, tag, trim

    engine = Engine(load_context(folder), [ingest, trim, normalise, encode, tag])
    engine.check()
    seconds, cpu = {}, {}

    def used() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        return own.ru_utime + own.ru_stime + cpu_seconds()

    for stage in engine.stages:
        before, cpu_before = time.monotonic(), used()
        outcome = engine._run_one(stage)
        seconds[stage.NAME] = round(time.monotonic() - before, 2)
        cpu[stage.NAME] = round(used() - cpu_before, 2)
        engine._record(stage, outcome, seconds[stage.NAME])
    return {"seconds": seconds, "cpu": cpu,
            "python_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "child_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            "encoding": engine.ctx.outcomes["encode"].report.get("loudness", {})}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--source", type=Path, help="a recording to use instead of the generated one")
    parser.add_argument("--near-mono", action="store_true", help="a near-mono variant of --source (190 MB/h)")
    parser.add_argument("--stages-only", type=Path, help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args()
    if args.stages_only:
        print(json.dumps(run_stages(args.stages_only)))
        return 0
    work = args.workdir
    shutil.rmtree(work / "episodes", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    recording = args.source.resolve() if args.source else work / f"long-{args.minutes:g}min.flac"
    if args.source and args.near_mono:
        recording = near_mono(recording)
    if not recording.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_long_recording.py"), "--minutes",
                        str(args.minutes), "--out", str(recording)], check=True)

    started, cpu = time.monotonic(), cpu_seconds()
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(recording), "-c:a", "libmp3lame", "-b:a",
                    "128k", str(work / "reference.mp3")], check=True)
    reference, reference_cpu = time.monotonic() - started, cpu_seconds() - cpu
    print(f"reference: plain ffmpeg MP3 transcode {reference:.1f} s ({reference_cpu:.1f} s CPU)")

    make_show(work)
    folder = make_episode(work, "bench", [recording], copy=False)
    (folder / "episode.toml").write_text((folder / "episode.toml").read_text().replace(
        f'source = "{recording.name}"', f'source = "{recording}"'))
    cpu = cpu_seconds()
    child = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--stages-only", str(folder)],
                           capture_output=True, text=True)
    stages_cpu = cpu_seconds() - cpu
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        return 1
    result = json.loads(child.stdout.strip().splitlines()[-1])
    total = sum(result["seconds"].values())
    for name, seconds in result["seconds"].items():
        print(f"  {name:10} {seconds:7.1f} s   {result['cpu'][name]:7.1f} s CPU")
    print(f"audio stages: {total:.1f} s = {total / reference:.2f} x the plain transcode "
          f"({recording.name}; goal <= 2 x)")
    print(f"  CPU time (less sensitive to a busy machine): {stages_cpu:.1f} s = "
          f"{stages_cpu / reference_cpu:.2f} x the transcode's (includes the Python start and imports)")
    print(f"peak RSS: the Python process running the stages {result['python_rss_mb']} MB; largest child "
          f"{result['child_rss_mb']} MB (Linux counts a child's copy of the Python process at fork, so this is at "
          "least the Python size then; ffmpeg itself stays far under it)")
    work_bytes, source_bytes = folder_size(folder / "work"), recording.stat().st_size
    print(f"work/ after the run: {work_bytes / 1e6:.1f} MB = {work_bytes / source_bytes:.2f} x the source "
          f"({source_bytes / 1e6:.1f} MB; goal <= 0.5 x)")
    for path in sorted((folder / "work").iterdir()):
        if path.is_file() and path.stat().st_size > 1e6:
            print(f"    {path.name:20} {path.stat().st_size / 1e6:8.1f} MB")
    measured = ebur128(folder / "bench.mp3")
    encoding = result["encoding"].get("encoding", {})
    attempts = encoding.get("encodes", encoding.get("attempts", []))
    print(f"MP3 (independent ffmpeg ebur128=peak=true): {measured['I']:.2f} LUFS "
          f"({measured['I'] - TARGET:+.2f} LU from the target; goal +-0.5), true peak {measured['TP']:.2f} dBTP "
          f"(goal <= {CEILING}); full encodes: {len(attempts) or '?'}")
    for why in result["encoding"].get("encoding", {}).get("second_encode", []) or []:
        print(f"    second encode because: {why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
