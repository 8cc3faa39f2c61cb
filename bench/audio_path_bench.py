#!/usr/bin/env python3
"""Benchmark (not a test): the audio path (ingest .. tag) against a plain ffmpeg MP3 transcode of the same file.

Generates an N-minute 48 kHz stereo recording (scripts/make_long_recording.py), then in this one script:
1. `ffmpeg -i rec.flac -c:a libmp3lame -b:a 128k out.mp3` (the reference), 2. every audio stage through the
real engine. Prints seconds and peak memory (max RSS of this process and of the largest child) per stage and
the ratio to the reference. Goals from issue 2: at most 2.5x the transcode, peak memory under 1 GB.

Usage: .venv/bin/python bench/audio_path_bench.py [--minutes 60] [--workdir bench/out]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import make_episode, make_show  # noqa: E402


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    work = args.workdir
    shutil.rmtree(work / "episodes", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    recording = work / f"long-{args.minutes:g}min.flac"
    if not recording.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_long_recording.py"), "--minutes",
                        str(args.minutes), "--out", str(recording)], check=True)

    started = time.monotonic()
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(recording), "-c:a", "libmp3lame", "-b:a",
                    "128k", str(work / "reference.mp3")], check=True)
    reference = time.monotonic() - started
    print(f"reference ffmpeg transcode: {reference:.1f} s (peak child RSS {peak_mb()[1]:.0f} MB)")

    from pipeline.engine import Engine, load_context
    from pipeline.stages import encode, ingest, normalise, tag, trim

    make_show(work)
    folder = make_episode(work, "bench", [recording], copy=False)
    (folder / "episode.toml").write_text((folder / "episode.toml").read_text().replace(
        f'source = "{recording.name}"', f'source = "{recording}"'))
    engine = Engine(load_context(folder), [ingest, trim, normalise, encode, tag])
    engine.check()
    total = 0.0
    for stage in engine.stages:
        before = time.monotonic()
        outcome = engine._run_one(stage)
        engine._record(stage, outcome, time.monotonic() - before)
        seconds = time.monotonic() - before
        total += seconds
        own, child = peak_mb()
        print(f"{stage.NAME:10} {seconds:7.1f} s   peak RSS so far: python {own:6.0f} MB, largest child {child:6.0f} MB")
    print(f"audio path total: {total:.1f} s = {total / reference:.2f} x the plain transcode "
          f"({args.minutes:g} min of 48 kHz stereo)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
