#!/usr/bin/env python3
"""Judgement benchmark: where the show starts and ends, where each part starts, who speaks and with which name,
and whether CHECK flags the wrong decisions, on seeded simulated live shows with real human voices.

Needs the voices: `bash scripts/fetch_voices.sh` (about 144 MB, once). For every seed it renders a show with
showgen.room (its truth and episode.toml) as recorded, 10 dB quieter and 6 dB hotter, runs the real pipeline
stages ingest, trim, normalise, transcribe, speakers and chapters through the engine (a second run of the same
command reuses what has not changed, so only changed decisions are redone), and grades:

- trim: detected first/last show word (trim-evidence.json) minus the truth's first/last word (seconds);
- chapters: each detected start of chapters 2.. (mapped back to the recording's timeline) minus the truth;
- DER: missed + false alarm + confusion over reference speech, collar 0.25 s, optimal voice mapping
  (showgen/metrics.py), over the whole recording (babble a voice takes is false alarm);
- named: the share of the truth's speech time on which speakers.json carries the right person's name; beside
  it the same share with every voice given the person heard most in it (what the clustering allows; the
  difference is the naming's);
- where the rest goes: the speech time without its right name, split into overlapped speech (one name a
  moment), turn edges, another name and no name (showgen.metrics.named_loss);
- CHECK: every trim point, chapter start and named voice is a decision, wrong when off by more than 1.5 s
  (trim), 2 s (chapters), or when the voice's name is not the person heard most in its turns; flagged when
  the stage reported a warning for it.
It also measures DER of the speakers stage alone (voiceprints + clustering, speech regions from the truth, no
Whisper) on real two-person Dutch dialogue: the lines of non-reserved Fish Fillets levels in script order.

Usage: python bench/judgement_bench.py [--shows 20] [--minutes 5] [--dialogues 4] [--work DIR]
                                       [--out docs/judgement.md] [--dialogues-only] [--force STAGE] [--replay]
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy.signal import fftconvolve

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from showgen.metrics import der, flag_rates, majority_label, named_loss, named_share  # noqa: E402
from pipeline.engine import Engine, load_context  # noqa: E402
from pipeline.stages import chapters, ingest, normalise, speakers, transcribe, trim  # noqa: E402
from showgen import room, voices  # noqa: E402

STAGES = [ingest, trim, normalise, transcribe, speakers, chapters]
VARIANTS = (("as recorded", 0.0), ("-10 dB", -10.0), ("+6 dB", 6.0))
TRIM_OK, CHAPTER_OK = 1.5, 2.0
SHOW_CONFIG = """[show]
title = "Burger Centraal (benchmark)"
description = "Gesimuleerde shows voor de judgement-benchmark."
author = "Benchmark"
owner_name = "Benchmark"
owner_email = "bench@example.org"
image = "cover.png"
base_url = "https://podcast.example.org/"
copyright = "Benchmark"
[paths]
episodes = "episodes"
feed = "feed"
"""


# ------------------------------------------------------------------------------------------ shows


def prepare_show(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "assets" / "cover.png", work / "cover.png")
    (work / "config.toml").write_text(SHOW_CONFIG, encoding="utf-8")


def render(folder: Path, minutes: float, seed: int, level_db: float) -> dict:
    truth_file = folder / "show.truth.json"
    if truth_file.exists():
        truth = json.loads(truth_file.read_text())
        if (truth.get("seed"), truth.get("minutes"), truth.get("level_db")) == (seed, minutes, level_db):
            return truth  # the same show: keep the file, so the engine skips what has not changed
    return room.simulate(folder, minutes=minutes, seed=seed, level_db=level_db)


def run_stages(folder: Path, force: tuple[str, ...] = (), stages: list = STAGES
               ) -> tuple[dict, dict[str, float], dict[str, list[str]]]:
    ctx = load_context(folder)
    engine = Engine(ctx, stages)
    engine.check()
    results = engine.run(force=force)
    seconds = {r.name: r.seconds for r in results if r.status == "done"}
    warnings = {name: list(outcome.warnings) for name, outcome in ctx.outcomes.items()}
    return ctx, seconds, warnings


def replay_judgement(folder: Path) -> tuple[dict, dict[str, float], dict[str, list[str]]]:
    """Run speakers and chapters again on the stored transcript and speech copy, whatever the code of the
    stages before them (a change to the voices or names is then graded on the same transcripts)."""
    ctx = load_context(folder)
    Engine(ctx, STAGES)  # loads every stage's recorded outcome (the trim's CHECK lines)
    results = Engine(ctx, [speakers, chapters]).run(force=(speakers.NAME, chapters.NAME))
    seconds = {r.name: r.seconds for r in results if r.status == "done"}
    warnings = {name: list(outcome.warnings) for name, outcome in ctx.outcomes.items()}
    return ctx, seconds, warnings


def grade_trim(folder: Path, truth: dict) -> list[float]:
    evidence = json.loads((folder / "work" / "trim-evidence.json").read_text())
    return [evidence["first_word"] - truth["show_start"], evidence["last_word"] - truth["show_end"]]


def grade_show(folder: Path, truth: dict, warnings: dict[str, list[str]]) -> dict:
    work = folder / "work"
    evidence = json.loads((work / "trim-evidence.json").read_text())
    offset = float(evidence["start"])
    reference = [(u["start"], u["end"], u["speaker"]) for u in truth["utterances"]]
    doc = json.loads((work / "speakers.json").read_text())
    names = {v: info["name"] for v, info in doc["voices"].items()}
    turns = [(t["start"] + offset, t["end"] + offset, t["voice"]) for t in doc["turns"]]
    named = [(s, e, names[v]) for s, e, v in turns]
    found = json.loads((work / "chapters.json").read_text())

    trim_errors = [evidence["first_word"] - truth["show_start"], evidence["last_word"] - truth["show_end"]]
    chapter_errors = [c["start"] + offset - t["start"] for c, t in zip(found[1:], truth["chapters"][1:])]
    decisions, wrong_sure = [], {"chapters >10 s off with confidence >= 0.7": 0, "wrong names with confidence >= 0.9": 0}
    trim_lines = warnings.get("trim", [])  # each line says which cut point it doubts
    trim_flagged = [any("start" in line for line in trim_lines),
                    any("[trim] end" in line for line in trim_lines)]
    decisions += [(abs(e) <= TRIM_OK, flagged) for e, flagged in zip(trim_errors, trim_flagged)]
    for c, error in zip(found[1:], chapter_errors):
        decisions.append((abs(error) <= CHAPTER_OK, bool(c["low_confidence"])))
        wrong_sure["chapters >10 s off with confidence >= 0.7"] += abs(error) > 10 and c["confidence"] >= 0.7
    speaker_warnings = warnings.get("speakers", [])
    for voice, info in doc["voices"].items():
        spans = [(s, e) for s, e, v in turns if v == voice]
        talk = sum(e - s for s, e in spans)
        if talk < 2.0:
            continue
        heard: dict[str, float] = {}
        for s, e in spans:
            label, share = majority_label(reference, s, e)
            key = label or ""
            heard[key] = heard.get(key, 0.0) + (e - s)
        truth_name = max(heard, key=heard.__getitem__) or None
        given = info["name"] if info["name"] != voice else None
        flagged = any(w.startswith(f"{voice} ") for w in speaker_warnings)
        decisions.append((given == truth_name, flagged))
        wrong_sure["wrong names with confidence >= 0.9"] += given is not None and given != truth_name \
            and info["confidence"] >= 0.9
    # the clustering's ceiling: every voice given the name of the person heard most in it
    heard_most: dict[str, dict[str, float]] = {}
    for s, e, v in turns:
        for rs, re_, person in reference:
            shared = min(e, re_) - max(s, rs)
            if shared > 0:
                heard_most.setdefault(v, {}).setdefault(person, 0.0)
                heard_most[v][person] += shared
    best = {v: max(people, key=people.__getitem__) for v, people in heard_most.items()}
    ceiling = named_share(reference, [(s, e, best.get(v, v)) for s, e, v in turns])
    return {"trim_errors": trim_errors, "chapter_errors": chapter_errors, "ceiling": ceiling,
            "loss": named_loss(reference, named),
            "chapter_confidence": [c["confidence"] for c in found[1:]],
            "der": der(reference, turns)["der"], "named": named_share(reference, named),
            "voices": len(doc["voices"]), "people": len([p for p in truth["speakers"].values()
                                                         if p["role"] in ("host", "guest")]),
            "decisions": decisions, "wrong_sure": wrong_sure, "names": names}


# ------------------------------------------------------------------------------------------ dialogues


def dialogue(level: str, sample_rate: int, seed: int) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """The level's Dutch lines in script order as one conversation in a room: each actor with a room response
    of their own, one 4 dB further away, gaps of -0.2 to 0.9 s (a little overlap), room tone. Truth spans."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    lines = voices.dutch_lines(only=[level])
    gains = {"font_small": 0.0, "font_big": -4.0}
    irs = {actor: room.room_impulse(nprng, sample_rate, 0.45, 0.3) for actor in voices.ACTORS}
    pieces, spans, at = [], [], int(0.5 * sample_rate)
    for line in lines:
        clip = voices.load_clip(line, sample_rate)
        clip = clip / (np.sqrt(np.mean(clip ** 2)) or 1.0) * 10 ** ((-26 + gains[line.speaker]) / 20)
        start = max(0, at + int(rng.uniform(-0.2, 0.9) * sample_rate)) if spans else at
        pieces.append((start, fftconvolve(clip, irs[line.speaker])[: len(clip) + sample_rate // 2]))
        spans.append((start / sample_rate, (start + len(clip)) / sample_rate, line.speaker))
        at = max(at, start + len(clip))
    total = at + sample_rate
    audio = (nprng.standard_normal(total) * 10 ** (-60 / 20)).astype(np.float32)
    for start, piece in pieces:
        n = min(len(piece), total - start)
        audio[start:start + n] += piece[:n]
    return audio, spans


def dialogue_der(levels: list[str], work: Path) -> list[dict]:
    from pipeline import voiceprint

    rows = []
    opts = speakers.Options(people=(("Kleine vis", "guest"), ("Grote vis", "guest")))
    for i, level in enumerate(levels):
        audio, spans = dialogue(level, 16000, seed=i)
        wav = work / f"dialogue-{level}.wav"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "f32le", "-ar", "16000", "-ac", "1", "-i",
                        "pipe:0", "-c:a", "pcm_s16le", str(wav)], input=np.clip(audio, -1, 1).tobytes(), check=True)
        features = voiceprint.read_features(wav)
        result = speakers.find_voices(features, [(s, e) for s, e, _ in spans], opts)
        hypothesis = [(t.start, t.end, str(t.voice)) for t in result.turns]
        graded = der(spans, hypothesis)
        rows.append({"level": level, "minutes": spans[-1][1] / 60, "der": graded["der"], "voices": result.voices,
                     "missed": graded["missed"], "false_alarm": graded["false_alarm"],
                     "confusion": graded["confusion"],
                     "in_two": [(int(v), at, sim) for v, at, sim in result.in_two]
                     + [(int(a), cut, sim) for a, _, cut, sim in result.split]})
    return rows


def dialogue_levels(count: int) -> list[str]:
    """The non-reserved levels with the most Dutch dialogue (both actors), longest first."""
    by_level: dict[str, list] = {}
    for line in voices.dutch_lines():
        by_level.setdefault(line.level, []).append(line)
    both = [lv for lv, lines in by_level.items() if len({line.speaker for line in lines}) == 2]
    return sorted(both, key=lambda lv: -len(by_level[lv]))[:count]


# ------------------------------------------------------------------------------------------ report


def fmt(values, digits=1) -> str:
    return ", ".join(f"{v:+.{digits}f}" for v in values)


def percent(value) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def summary(rows: list[dict], dialogues: list[dict], command: str, minutes: float, elapsed: float) -> str:
    lines = ["# Judgement benchmark", "",
             "Simulated live shows with real human voices (showgen/room.py: espeak host, four distinct guests: the",
             "Dutch and the Czech Fish Fillets actors, one language's pair a part; crowd babble 10-20 dB down, a sound",
             "check, reverb, overlaps, backchannels, applause), each as recorded, 10 dB quieter and 6 dB hotter, through the",
             "real stages ingest, trim, normalise, transcribe (Whisper base int8), speakers and chapters.",
             "Definitions: see the docstring of bench/judgement_bench.py. Reserved acceptance levels are never used.",
             "", f"Command: `{command}`", "",
             f"Machine: {platform.machine()}, {platform.python_version()}; {len(rows)} runs of {minutes:g}-minute "
             f"shows; {elapsed / 60:.0f} min wall time in all (the machine was shared with other jobs).", ""]
    if rows:
        lines += ["## Per show", "",
                  "| show | level | trim start, end (s) | chapter 2-4 starts (s) | confidence | DER | named right (best "
                  "names on these voices) | voices / people |", "|---|---|---|---|---|---|---|---|"]
        for r in rows:
            lines.append(f"| {r['seed']} | {r['variant']} | {fmt(r['trim_errors'])} | {fmt(r['chapter_errors'])} | "
                         f"{', '.join(f'{c:.2f}' for c in r['chapter_confidence'])} | {100 * r['der']:.1f}% | "
                         f"{100 * r['named']:.0f}% ({100 * r.get('ceiling', np.nan):.0f}%) | "
                         f"{r['voices']} / {r['people']} |")
        lines += ["", "## Summary", "", "| level | trim within ±1.5 s | chapters within ±2 s | median abs chapter "
                  "error (s) | worst chapter error (s) | mean DER | mean named right | best names on these voices |",
                  "|---|---|---|---|---|---|---|---|"]
        for variant, _ in VARIANTS:
            group = [r for r in rows if r["variant"] == variant]
            if not group:
                continue
            trims = [abs(e) for r in group for e in r["trim_errors"]]
            chaps = [abs(e) for r in group for e in r["chapter_errors"]]
            lines.append(f"| {variant} | {sum(e <= TRIM_OK for e in trims)}/{len(trims)} | "
                         f"{sum(e <= CHAPTER_OK for e in chaps)}/{len(chaps)} | {np.median(chaps):.1f} | "
                         f"{max(chaps):.1f} | {100 * np.mean([r['der'] for r in group]):.1f}% | "
                         f"{100 * np.mean([r['named'] for r in group]):.0f}% | "
                         f"{100 * np.mean([r.get('ceiling', np.nan) for r in group]):.0f}% |")
        causes = ("overlapped", "edges", "wrong", "unlabelled")
        lines += ["", "Where the speech time without its right name goes (`showgen.metrics.named_loss`; "
                  "overlapped: someone else speaks at the same moment, a backchannel under an answer; one name a "
                  "moment can be right for one of them only):", "",
                  "| level | named right | overlapped | turn edges (±0.3 s) | another name | no name |",
                  "|---|---|---|---|---|---|"]
        for variant, _ in VARIANTS:
            group = [r for r in rows if r["variant"] == variant and "loss" in r]
            if group:
                shares = [100 * np.mean([r["loss"][c] for r in group]) for c in ("right", *causes)]
                lines.append("| " + " | ".join([variant, *(f"{x:.1f}%" for x in shares)]) + " |")
        spread = []
        for seed in sorted({r["seed"] for r in rows}):
            shares = [r["named"] for r in rows if r["seed"] == seed]
            if len(shares) > 1:
                spread.append(max(shares) - min(shares))
        rates = flag_rates([d for r in rows for d in r["decisions"]])
        sure = {k: sum(r["wrong_sure"][k] for r in rows) for k in rows[0]["wrong_sure"]}
        lines += ["", f"Level invariance: named-right share differs between the three levels of one show by "
                  f"{100 * np.mean(spread):.0f} points on average (worst {100 * max(spread or [0]):.0f})."
                  if spread else "", "",
                  f"CHECK: {percent(rates['wrong_flagged'])} of {rates['wrong']} wrong decisions were flagged; "
                  f"{percent(rates['right_flagged'])} of {rates['right']} right decisions were flagged for nothing "
                  f"(decisions: trim points, chapter starts 2-4, names of voices with at least 2 s of speech).", "",
                  "Wrong and sure: " + "; ".join(f"{k}: {v}" for k, v in sure.items()) + "."]
    if dialogues:
        lines += ["", "## DER on real two-person Dutch dialogue (speakers stage alone)", "",
                  "Fish Fillets levels in script order, the two actors in one room (one 4 dB further away), speech",
                  "regions from the truth (no Whisper), collar 0.25 s.", "",
                  "| level | minutes | voices found | DER | missed (s) | false alarm (s) | confusion (s) | voices "
                  "heard as two people |",
                  "|---|---|---|---|---|---|---|---|"]
        for d in dialogues:
            lines.append(f"| {d['level']} | {d['minutes']:.1f} | {d['voices']} | {100 * d['der']:.1f}% | "
                         f"{d['missed']:.1f} | {d['false_alarm']:.1f} | {d['confusion']:.1f} | "
                         f"{len(d.get('in_two', []))} |")
        lines.append(f"| mean | | | {100 * np.mean([d['der'] for d in dialogues]):.1f}% | | | | |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shows", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=5.0, help="length of each show, 3 to 60")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--dialogues", type=int, default=4, help="real two-person dialogues for the DER")
    parser.add_argument("--dialogues-only", action="store_true")
    parser.add_argument("--trim-only", action="store_true", help="run ingest and trim only, report the trim errors")
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "burger-pipeline" / "judgement-bench")
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown report here")
    parser.add_argument("--replay", action="store_true",
                        help="after a full run in --work: run only speakers and chapters again on the stored "
                             "transcripts, even where the code of the stages before them has changed since")
    parser.add_argument("--force", action="append", default=[], metavar="STAGE",
                        help="run this stage again even if the engine finds it up to date (e.g. to time it, or "
                             "after a change its code fingerprint cannot see, such as a model file)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    try:
        voices.game_root()
    except voices.VoicesMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    command = "python " + " ".join([Path(sys.argv[0]).as_posix().split(str(ROOT) + "/")[-1], *sys.argv[1:]])
    began = time.monotonic()
    prepare_show(args.work)
    rows, trims = [], []
    for seed in range(args.first_seed, args.first_seed + (0 if args.dialogues_only else args.shows)):
        for variant, level in VARIANTS:
            folder = args.work / "episodes" / f"show-{seed}-{level:+.0f}db"
            truth = render(folder, args.minutes, seed, level)
            if args.trim_only:
                _, _, warnings = run_stages(folder, tuple(args.force), [ingest, trim])
                errors = grade_trim(folder, truth)
                trims.append(errors)
                checks = "".join(f"  CHECK {line}" for line in warnings.get("trim", []))
                print(f"show {seed} {variant:12s} trim {fmt(errors)}{checks}", flush=True)
                continue
            if args.replay:
                _, seconds, warnings = replay_judgement(folder)
            else:
                _, seconds, warnings = run_stages(folder, tuple(args.force))
            row = {"seed": seed, "variant": variant, **grade_show(folder, truth, warnings), "seconds": seconds}
            rows.append(row)
            print(f"show {seed} {variant:12s} trim {fmt(row['trim_errors'])}  chapters {fmt(row['chapter_errors'])}"
                  f"  DER {100 * row['der']:.1f}%  named {100 * row['named']:.0f}%  voices {row['voices']}"
                  f"  ({', '.join(f'{k} {v:.0f}s' for k, v in seconds.items())})", flush=True)
    if args.trim_only:
        flat = [abs(e) for pair in trims for e in pair]
        print(f"trim: {sum(e <= TRIM_OK for e in flat)}/{len(flat)} cut points within ±{TRIM_OK} s; "
              f"worst {max(flat):.1f} s; start errors {fmt([p[0] for p in trims])}; end errors "
              f"{fmt([p[1] for p in trims])}")
        return 0
    dialogues = dialogue_der(dialogue_levels(args.dialogues), args.work) if args.dialogues else []
    for d in dialogues:
        print(f"dialogue {d['level']:12s} {d['minutes']:.1f} min  voices {d['voices']}  DER {100 * d['der']:.1f}%  "
              f"heard as two people {d['in_two']}", flush=True)
    report = summary(rows, dialogues, command, args.minutes, time.monotonic() - began)
    (args.work / "results.json").write_text(json.dumps({"rows": rows, "dialogues": dialogues}, indent=1,
                                                       default=str))
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
