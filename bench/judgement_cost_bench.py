#!/usr/bin/env python3
"""Cost benchmark for issue 9's line "on a 60-minute show, speakers and chapters together take at most 20 % of
the transcription time, and memory stays under 1 GB".

Renders one seeded live show with showgen.room (real recorded Dutch voices, crowd, applause; needs
`bash scripts/fetch_voices.sh`), runs ingest, trim and normalise through the engine, then each of transcribe
(the reference: embedded Whisper base int8), speakers and chapters in a child process of its own through the
real engine, so that each stage's wall time, CPU time (user + system, from os.wait4) and peak RSS are its own.
Peak RSS is the child's VmHWM read at its end (/proc/self/status): ru_maxrss is no good here, because Linux
carries the parent's high-water mark across fork and exec into the child. Reports speakers + chapters against
transcribe, as wall time and as CPU time (on a shared machine the CPU time is the steadier figure), and each
stage's peak RSS.

Each stage's figures are kept in the episode folder (cost.json); `--stages speakers chapters` measures only
those again and reuses the others' (say so when you quote them).

With --profile, the speakers stage runs a second time under cProfile (not timed) and the functions where its
time goes are printed: what to look at if it is too slow.

Usage: python bench/judgement_cost_bench.py [--minutes 60] [--seed 11] [--work DIR] [--profile]
                                           [--stages transcribe speakers chapters]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEASURED = ("transcribe", "speakers", "chapters")


def child(stage_name: str, episode: Path, out: Path, profile: Path | None) -> int:
    """Run one stage of `episode` through the engine (forced) and write its engine-reported seconds to `out`."""
    import importlib

    from pipeline.engine import Engine, load_context

    stage = importlib.import_module(f"pipeline.stages.{stage_name}")
    ctx = load_context(episode)
    if stage_name == "transcribe":  # from scratch: a forced run would resume from the last run's segment log
        ctx.paths.segments_log.unlink(missing_ok=True)
    engine = Engine(ctx, [stage])
    engine.check()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        results = profiler.runcall(engine.run, force=(stage_name,))
        profiler.dump_stats(str(profile))
    else:
        results = engine.run(force=(stage_name,))
    done = [r for r in results if r.name == stage_name]
    if not done or done[0].status != "done":
        print(f"{stage_name}: {done[0].status if done else 'did not run'}", file=sys.stderr)
        return 1
    out.write_text(json.dumps({"seconds": done[0].seconds, "peak_rss_kb": peak_rss_kb()}))
    return 0


def peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(stage_name: str, episode: Path, profile: Path | None = None) -> dict:
    out = episode / f".cost-{stage_name}.json"
    command = [sys.executable, __file__, "--child", stage_name, "--episode", str(episode), "--result", str(out)]
    if profile:
        command += ["--profile-to", str(profile)]
    began = time.monotonic()
    proc = subprocess.Popen(command, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the {stage_name} stage failed on {episode}")
    result = json.loads(out.read_text())
    out.unlink()
    return {"stage": stage_name, "stage_seconds": round(result["seconds"], 1), "process_wall": round(wall, 1),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": round(result["peak_rss_kb"] / 1024)}


def print_profile(path: Path, top: int = 25) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "burger-pipeline" / "cost-bench")
    parser.add_argument("--profile", action="store_true", help="then profile the speakers stage (cProfile)")
    parser.add_argument("--stages", nargs="+", choices=MEASURED, default=list(MEASURED),
                        help="measure only these again; the others' figures come from the last run (cost.json)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--episode", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.episode, args.result, args.profile_to)

    import logging

    from pipeline.engine import Engine, load_context
    from pipeline.stages import ingest, normalise, trim
    sys.path.insert(0, str(ROOT / "bench"))
    from judgement_bench import prepare_show  # the benchmark show's config.toml and cover (not in the children)
    from showgen import room, voices

    logging.basicConfig(level=logging.WARNING)
    try:
        voices.game_root()
    except voices.VoicesMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    prepare_show(args.work)
    episode = args.work / "episodes" / f"show-{args.seed}-{args.minutes:g}min"
    truth_file = episode / "show.truth.json"
    if not truth_file.exists():
        began = time.monotonic()
        room.simulate(episode, minutes=args.minutes, seed=args.seed)
        print(f"rendered a {args.minutes:g}-minute show in {time.monotonic() - began:.0f} s", flush=True)
    truth = json.loads(truth_file.read_text())
    engine = Engine(load_context(episode), [ingest, trim, normalise])
    engine.check()
    engine.run()
    published = json.loads((episode / "work" / "trim.json").read_text())
    minutes = (published["end"] - published["start"]) / 60
    kept = episode / "cost.json"
    by = json.loads(kept.read_text()) if kept.exists() else {}
    missing = [name for name in MEASURED if name not in by and name not in args.stages]
    if missing:
        print(f"no figures yet for {', '.join(missing)}: run without --stages first", file=sys.stderr)
        return 2
    for name in args.stages:
        by[name] = {**measure(name, episode), "measured": time.strftime("%Y-%m-%d %H:%M")}
        print(json.dumps(by[name]), flush=True)
    kept.write_text(json.dumps(by, indent=1))
    rows = [by[name] for name in MEASURED]
    judged_wall = by["speakers"]["stage_seconds"] + by["chapters"]["stage_seconds"]
    judged_cpu = by["speakers"]["cpu_seconds"] + by["chapters"]["cpu_seconds"]
    lines = [f"Show: seed {args.seed}, {truth['duration'] / 60:.1f} min recorded, {minutes:.1f} min published; "
             f"machine {platform.machine()} with {os.cpu_count()} CPUs (shared), Python {platform.python_version()}",
             "", "| stage | stage seconds (engine) | process wall (s) | CPU seconds | peak RSS (MB) | measured |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['stage']} | {r['stage_seconds']} | {r['process_wall']} | {r['cpu_seconds']} | "
              f"{r['peak_rss_mb']} | {r.get('measured', '')} |" for r in rows]
    lines += ["", f"speakers + chapters: {judged_wall:.1f} s = "
                  f"{100 * judged_wall / by['transcribe']['stage_seconds']:.1f} % of transcription (wall); "
                  f"{judged_cpu:.1f} CPU s = {100 * judged_cpu / by['transcribe']['cpu_seconds']:.1f} % "
                  f"of transcription (CPU); goal <= 20 %",
              f"peak RSS: speakers {by['speakers']['peak_rss_mb']} MB, chapters {by['chapters']['peak_rss_mb']} MB "
              f"(goal < 1024 MB); transcribe {by['transcribe']['peak_rss_mb']} MB"]
    report = "\n".join(lines)
    (episode / "cost.md").write_text(report + "\n", encoding="utf-8")
    print(report, flush=True)
    if args.profile:
        profile = episode / "speakers.prof"
        measure("speakers", episode, profile)
        print_profile(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
