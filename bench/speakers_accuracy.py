#!/usr/bin/env python3
"""Measure: how much of an episode's speech time carries the right person's name.

Reads an episode folder that has a truth file (recording.truth.json, written by the demo generator: utterances
with speaker, start and end on the SOURCE timeline) and work/trim.json ("start": where the published audio
begins in the source), then one labelling to grade:
  --from words     transcript/<slug>.words.json (segments with "speaker"; what the listener sees), default
  --from speakers  work/speakers.json (turns + voices[...].name; what the speakers stage decided)
Truth utterances are shifted to the published timeline (t - trim start). For every 10 ms of truth speech the
label covering it is looked up; the report gives the share of speech time named right, per person, and the
confusion (true person -> label -> seconds). Speech time with no label counts as wrong ("(none)").

Usage: python bench/speakers_accuracy.py EPISODE_DIR [--from words|speakers] [--json]
Not a test: it grades a run, it does not decide what is right.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

STEP = 0.01


def truth_utterances(folder: Path) -> list[tuple[float, float, str]]:
    truth = json.loads((folder / "recording.truth.json").read_text())
    trim_file = folder / "work" / "trim.json"
    offset = float(json.loads(trim_file.read_text()).get("start", 0.0)) if trim_file.exists() else 0.0
    return [(float(u["start"]) - offset, float(u["end"]) - offset, str(u["speaker"])) for u in truth["utterances"]]


def labelled_spans(folder: Path, source: str) -> list[tuple[float, float, str]]:
    if source == "speakers":
        doc = json.loads((folder / "work" / "speakers.json").read_text())
        names = {v: info.get("name", v) for v, info in doc.get("voices", {}).items()}
        return [(float(t["start"]), float(t["end"]), names.get(t["voice"], t["voice"])) for t in doc["turns"]]
    words = sorted((folder / "transcript").glob("*.words.json"))
    if not words:
        raise SystemExit(f"{folder}/transcript: no *.words.json; run the pipeline first")
    doc = json.loads(words[0].read_text())
    return [(float(s["start"]), float(s["end"]), str(s.get("speaker", ""))) for s in doc["segments"]]


def grade(truth: list[tuple[float, float, str]], labels: list[tuple[float, float, str]]) -> dict:
    """Seconds of each (true person, label) pair over the truth's speech time."""
    labels = sorted(labels)
    confusion: dict[str, dict[str, float]] = {}
    for start, end, person in truth:
        row = confusion.setdefault(person, {})
        t = start + STEP / 2
        while t < end:
            covering = [name for s, e, name in labels if s <= t < e]
            name = covering[0] if covering else "(none)"
            row[name] = row.get(name, 0.0) + STEP
            t += STEP
    total = sum(sum(r.values()) for r in confusion.values()) or 1.0
    right = sum(r.get(p, 0.0) for p, r in confusion.items())
    return {"correct_share": right / total, "speech_seconds": total,
            "per_person": {p: r.get(p, 0.0) / (sum(r.values()) or 1.0) for p, r in confusion.items()},
            "confusion": {p: {n: round(s, 1) for n, s in sorted(r.items(), key=lambda i: -i[1])}
                          for p, r in confusion.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("episode", type=Path)
    parser.add_argument("--from", dest="source", choices=("words", "speakers"), default="words")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = grade(truth_utterances(args.episode), labelled_spans(args.episode, args.source))
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"{args.source}: {100 * result['correct_share']:.1f}% of {result['speech_seconds']:.0f} s of speech "
          f"named right")
    for person, share in result["per_person"].items():
        print(f"  {person:20s} {100 * share:5.1f}%  " +
              ", ".join(f"{n}: {s:.1f}s" for n, s in result["confusion"][person].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
