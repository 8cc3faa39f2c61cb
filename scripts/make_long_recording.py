#!/usr/bin/env python3
"""Generate an N-minute synthetic show (48 kHz stereo 24-bit) for benchmarks, with <name>.truth.json beside it.

The demo's discussion is repeated in rounds; speech comes from the espeak cache and the mix is streamed to
ffmpeg in blocks, so memory stays small (about the size of one demo show) for any length.
Usage: python scripts/make_long_recording.py [--minutes 60] --out PATH [--rate 48000] [--channels 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from showgen import synth  # noqa: E402
from showgen.demo_scene import long_scene  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--out", type=Path, required=True, help="audio file to write (.flac/.wav/.mp3/.m4a)")
    parser.add_argument("--rate", type=int, default=48000)
    parser.add_argument("--channels", type=int, default=2, choices=(1, 2))
    args = parser.parse_args()
    if args.minutes <= 1:
        parser.error("--minutes must be more than 1")
    began = time.monotonic()
    truth = synth.render(long_scene(args.minutes, args.rate), args.out, sample_rate=args.rate,
                         channels=args.channels, bits=24)
    print(f"wrote {args.out} ({truth['duration'] / 60:.1f} min, {len(truth['utterances'])} utterances, "
          f"{len(truth['chapters'])} chapters) and {synth.truth_path(args.out).name} "
          f"in {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
