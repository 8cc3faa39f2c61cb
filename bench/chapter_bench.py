#!/usr/bin/env python3
"""Chapter benchmark: how far each detected chapter start is from the truth, and whether its confidence says so,
on simulated shows that bench/judgement_bench.py has already run (their transcripts and voices are reused: no
Whisper, no voiceprints; seconds per show).

For every show folder under WORK/episodes with a show.truth.json and the work files of the stages transcribe,
normalise, trim and speakers, it runs the chapter decision (pipeline.chaptering.detect, what the chapters stage
runs) on the episode's plan and grades every start of chapters 2.. on the recording's timeline against the
truth. It does this under conditions that make placement harder than the simulator's clean espeak host:

- as heard:        the transcript, the voices and the audio cues as they are;
- no phrases:      the host's hand-over phrases are not recognised ("we gaan verder met", "dank jullie wel",
                   "dat was ..." count for nothing: a host who says none of the fixed phrases), so a boundary
                   must come from the voices, the breaks and the names;
- no phrases, no applause: also no applause cue (a room that does not clap between the parts);
- no voices:       without speakers.json (the stage's fallback).

A start is right when within 2 s of the truth (issue 9's acceptance); CHECK is `low_confidence`. It reports per
condition: starts within 2 s, median and worst error, "wrong and sure" (more than 10 s off at confidence >=
0.7), the share of wrong starts flagged CHECK and of right ones flagged for nothing.

Usage: python bench/chapter_bench.py --work DIR [--out FILE] [--verbose]
(DIR: the --work folder of bench/judgement_bench.py, after it has run; copy it first if others use it.)
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import audiocues, chaptering, fsutil  # noqa: E402
from pipeline.engine import load_context  # noqa: E402
from pipeline.stages import chapters  # noqa: E402
from pipeline.timeline import names_from_speakers, turns_from_speakers  # noqa: E402
from pipeline.transcript import Transcript  # noqa: E402

RIGHT, SURE_WRONG, SURE = 2.0, 10.0, 0.7
CONDITIONS = ("as heard", "no phrases", "no phrases, no applause", "no voices")
NO_PHRASES = "xx"  # a language without a hand-over phrase book: no phrase is recognised


def grade_folder(folder: Path, conditions=CONDITIONS) -> dict[str, list[dict]]:
    truth = json.loads((folder / "show.truth.json").read_text())
    ctx = load_context(folder)
    opts = chapters.options(ctx)
    work = folder / "work"
    offset = float(fsutil.read_json(work / "trim-evidence.json")["start"])
    transcript = Transcript.load(work / "transcript.raw.json")
    breaks, duration = audiocues.measure(ctx.paths.speech)
    document = fsutil.read_json(work / "speakers.json")
    turns, names = turns_from_speakers(document), names_from_speakers(document)
    graded: dict[str, list[dict]] = {}
    for condition in conditions:
        language = NO_PHRASES if condition.startswith("no phrases") else opts.language
        heard = replace(breaks, applause=()) if "no applause" in condition else breaks
        voices = () if condition == "no voices" else turns
        found = chaptering.detect(transcript, opts.cues, breaks=heard, turns=voices, language=language,
                                  duration=duration, names=names if voices else None)
        graded[condition] = [{"chapter": b.index + 1, "error": b.start + offset - t["start"],
                              "confidence": b.confidence, "check": b.low_confidence, "evidence": b.evidence}
                             for b, t in zip(found[1:], truth["chapters"][1:])]
    return graded


def summary(rows: dict[str, list[dict]]) -> list[str]:
    lines = ["| condition | starts within ±2 s | median abs error (s) | worst (s) | >10 s off at >= 0.7 | "
             "wrong flagged CHECK | right flagged for nothing |", "|---|---|---|---|---|---|---|"]
    for condition, starts in rows.items():
        errors = [abs(s["error"]) for s in starts]
        right = [s for s in starts if abs(s["error"]) <= RIGHT]
        wrong = [s for s in starts if abs(s["error"]) > RIGHT]
        sure = sum(abs(s["error"]) > SURE_WRONG and s["confidence"] >= SURE for s in starts)
        flagged_wrong = f"{sum(s['check'] for s in wrong)}/{len(wrong)}"
        flagged_right = f"{sum(s['check'] for s in right)}/{len(right)}"
        lines.append(f"| {condition} | {len(right)}/{len(starts)} | {np.median(errors):.1f} | {max(errors):.1f} | "
                     f"{sure} | {flagged_wrong} | {flagged_right} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--verbose", action="store_true", help="print every start with its evidence")
    args = parser.parse_args()
    folders = sorted(p.parent for p in (args.work / "episodes").glob("*/show.truth.json")
                     if (p.parent / "work" / "speakers.json").exists())
    if not folders:
        print(f"{args.work}: no show folder with work/speakers.json; run bench/judgement_bench.py --work "
              f"{args.work} first", file=sys.stderr)
        return 2
    rows: dict[str, list[dict]] = {c: [] for c in CONDITIONS}
    per_show = ["| show | " + " | ".join(CONDITIONS) + " |", "|---" * (len(CONDITIONS) + 1) + "|"]
    for folder in folders:
        graded = grade_folder(folder)
        cells = []
        for condition, starts in graded.items():
            rows[condition] += starts
            cells.append(", ".join(f"{s['error']:+.1f} ({s['confidence']:.2f}{' CHECK' if s['check'] else ''})"
                                   for s in starts))
            if args.verbose:
                for s in starts:
                    print(f"{folder.name} [{condition}] chapter {s['chapter']}: {s['error']:+.1f} s, "
                          f"{s['confidence']:.2f}{' CHECK' if s['check'] else ''}: {'; '.join(s['evidence'])}")
        per_show.append(f"| {folder.name} | " + " | ".join(cells) + " |")
        print(per_show[-1], flush=True)
    report = "\n".join(["## Chapter starts (error s, confidence)", "", *per_show, "", "## Summary", "",
                        *summary(rows), ""])
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
