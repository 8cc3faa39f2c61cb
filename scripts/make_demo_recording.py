#!/usr/bin/env python3
"""Generate the demo episode's "room recording": episodes/2024-06-13-burger-centraal/recording.flac (48 kHz,
stereo, 24-bit, like a field recorder) and recording.truth.json (ground truth, see showgen/synth.py).

Skips when both files exist, unless --force. Synthetic Dutch (espeak-ng); the script is in showgen/demo_scene.py.
Usage: python scripts/make_demo_recording.py [--force] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from showgen import synth  # noqa: E402
from showgen.demo_scene import demo_scene  # noqa: E402

DEFAULT_OUT = ROOT / "episodes" / "2024-06-13-burger-centraal" / "recording.flac"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="audio file to write (.flac/.wav/.mp3/.m4a)")
    parser.add_argument("--force", action="store_true", help="regenerate even when the files exist")
    args = parser.parse_args()
    truth_file = synth.truth_path(args.out)
    if args.out.exists() and truth_file.exists() and not args.force:
        print(f"{args.out} and {truth_file.name} exist; nothing to do (use --force to regenerate)")
        return 0
    began = time.monotonic()
    truth = synth.render(demo_scene(), args.out, sample_rate=48000, channels=2, bits=24)
    print(f"wrote {args.out} ({truth['duration']:.1f} s, 48 kHz stereo 24-bit, peak {truth['peak_dbfs']} dBFS)")
    print(f"wrote {truth_file} (show {truth['show_start']:.2f}-{truth['show_end']:.2f} s, "
          f"{len(truth['utterances'])} utterances, {len(truth['chapters'])} chapters) "
          f"in {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
