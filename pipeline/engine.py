"""The stage engine: runs the stages of one episode in order and skips those that are up to date.

Reads and writes `work/manifest.json` in the episode folder: per stage a record of what made its outputs (the
code fingerprint, the options, the SHA-256 of every file it read and wrote) and the outcome it reported. A
stage runs when its record is missing or differs; the cheapest checks come first: code, options, then file
hashes (cached by size and mtime). The code fingerprint (pipeline/fingerprint.py) is the SHA-256 of every
project file the stage's code uses, found from its imports, plus the versions of the libraries and programs
that decide its output, so a re-run never trusts output made by older code and the reason names the file
(this module, the harness, is left out: see code_of).
Writes `report.json` after every run, from the outcomes of all stages, run now or earlier.

A stage with SCOPE = "show" (the feed) makes files of the whole show: its record lives in the show's own
manifest (work/manifest.json beside config.toml), so running one episode never makes another one stale.

Nothing is written before every check has passed: Engine.check() runs each stage's check() first, so a config
or plan error (exit 2) leaves every file as it was. A check that needs a figure only an earlier stage computes
can read that stage's outputs when this run will not redo them (ctx.settled); what it still cannot decide the
stage checks while running, and then fails like any stage (exit 1): the outputs and records of the stages
before it are kept, and its own earlier record stays until it succeeds.

A stage is a module with:
    NAME: str                      unique, lower case
    Options                        a frozen dataclass: everything besides input files that decides the output
    options(ctx) -> Options        built from the show config and episode file (raise ConfigError when wrong)
    inputs(ctx, opts) -> [Path]    files it reads (hashed; a missing optional file is recorded as missing)
    outputs(ctx, opts) -> [Path]   files it writes (atomically)
    run(ctx, opts) -> Outcome      does the work
    check(ctx, opts) -> None       optional: validates before any stage runs (raise ConfigError/InputError)
    SCOPE = "show"                 optional: its outputs belong to the show, not to the episode
    output_digest(path) -> str     optional: what of its output files is its own (encode: the MP3's audio,
                                   which a later stage tags in place); the whole file's SHA-256 otherwise
    TOOLS = ("ffmpeg",)            optional, in any module: programs and libraries used without an import
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Protocol

from pipeline import __version__, fingerprint, fsutil
from pipeline.config import Episode, ShowConfig
from pipeline.errors import PipelineError, StageError, UsageError
from pipeline.layout import EpisodePaths, show_manifest

log = logging.getLogger("pipeline.engine")
MANIFEST_VERSION = 1


# ---------------------------------------------------------------- what stages get and give


class ProgressTask(Protocol):
    def update(self, done: float) -> None: ...

    def close(self) -> None: ...


class _NoProgress:
    def update(self, done: float) -> None:
        pass

    def close(self) -> None:
        pass


ProgressFactory = Callable[[str, float], ProgressTask]  # (description, total) -> task


@dataclass
class Outcome:
    """What a stage reports. Kept in the manifest, so a skipped stage still contributes to report.json.

    report:   sections merged into the top level of report.json (e.g. {"trim": {...}})
    outputs:  named output files (Path, or nested dicts of Paths) listed under report.json "outputs"
    figures:  a few key figures for `pipeline status` (short strings)
    warnings: things the producer must look at; printed loudly by `run` and `status`
    """

    report: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Context:
    show: ShowConfig
    episode: Episode
    paths: EpisodePaths
    progress: ProgressFactory = lambda description, total: _NoProgress()
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # latest outcome of every stage that has one
    settled: frozenset[Path] = frozenset()  # outputs this run will not redo (Engine.check sets it)

    def logger(self, stage: str) -> logging.Logger:
        return logging.getLogger(f"pipeline.stages.{stage}")

    def live_report(self) -> dict[str, Any]:
        """The report sections and outputs of every outcome so far, merged as report.json will have them
        (for a stage that needs this episode's outputs before the engine writes report.json)."""
        report: dict[str, Any] = {"outputs": {}}
        for outcome in self.outcomes.values():
            _merge(report, _jsonable(outcome.report))
            _merge(report["outputs"], _jsonable(outcome.outputs))
        return report


@dataclass(frozen=True)
class StageResult:
    name: str
    status: str  # done | skipped | failed | blocked
    seconds: float = 0.0
    reason: str = ""


# ---------------------------------------------------------------- manifest


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


class Manifest:
    """The stage records of one episode (or of the show), and a cache of file hashes keyed by size and mtime.
    Paths are recorded relative to `root` (the episode folder, or the folder of config.toml)."""

    def __init__(self, root: Path, file: Path):
        self.root, self.file = Path(root).resolve(), file
        self.stages: dict[str, dict] = {}
        self.hashes: dict[str, list] = {}
        self.corrupt = False
        try:
            data = fsutil.read_json(file)
            if data.get("version") == MANIFEST_VERSION:
                self.stages, self.hashes = data["stages"], data["hashes"]
        except FileNotFoundError:
            pass
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("%s is unreadable; every stage counts as changed", file)
            self.corrupt = True

    def key(self, path: Path) -> str:
        path = Path(path).resolve()
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def digest(self, path: Path, part: Callable[[Path], str] | None = None) -> str | None:
        """SHA-256 of a file (or `part(path)`, the digest of a part of it), reusing the cached value while size
        and mtime are unchanged; None if missing."""
        try:
            stat = Path(path).stat()
        except FileNotFoundError:
            return None
        key = self.key(path) + (f"#{part.__name__}" if part else "")
        cached = self.hashes.get(key)
        if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
            return cached[2]
        digest = part(path) if part else fsutil.sha256_file(path)
        self.hashes[key] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest

    def save(self) -> None:
        fsutil.write_json(self.file, {"version": MANIFEST_VERSION, "stages": self.stages, "hashes": self.hashes})


# ---------------------------------------------------------------- the engine


def code_of(stage: ModuleType) -> tuple[dict[str, str], dict[str, str]]:
    """The stage's code fingerprint: (project file -> SHA-256, tool -> version); see pipeline/fingerprint.py.
    The engine is the harness, not part of a stage's code: what it hands a stage (options, paths, input
    hashes) is recorded on its own, so editing the engine re-runs nothing. Its imports count where a stage's
    own code imports them."""
    return fingerprint.of(stage.__name__ if isinstance(stage, ModuleType) else stage.__module__, skip=(__name__,))


class Engine:
    def __init__(self, ctx: Context, stages: list[ModuleType]):
        self.ctx = ctx
        self.stages = stages
        self.names = [s.NAME for s in stages]
        self.manifest = Manifest(ctx.paths.root, ctx.paths.manifest)
        self.show_manifest = Manifest(ctx.show.file.parent, show_manifest(ctx.show.file))
        self.options = {s.NAME: s.options(ctx) for s in stages}  # every option validated before any work
        for stage in stages:
            record = self.manifest_of(stage).stages.get(stage.NAME)
            if record and "outcome" in record:
                stored = dict(record["outcome"])
                stored["figures"] = dict(stored.get("figures") or {})  # kept as pairs: the manifest sorts keys
                ctx.outcomes[stage.NAME] = Outcome(**stored)

    def manifest_of(self, stage: ModuleType) -> Manifest:
        return self.show_manifest if getattr(stage, "SCOPE", "episode") == "show" else self.manifest

    def check(self, planned: list[tuple[ModuleType, str | None]] | None = None) -> None:
        """Validate everything before the first stage writes (raises ConfigError / InputError). `planned` is
        self.plan(...) for this run: the outputs of the stages it will not redo become ctx.settled."""
        planned = self.plan() if planned is None else planned
        self.ctx.settled = frozenset(Path(p).resolve() for stage, reason in planned if reason is None
                                     for p in stage.outputs(self.ctx, self.options[stage.NAME]))
        for stage in self.stages:
            if hasattr(stage, "check"):
                stage.check(self.ctx, self.options[stage.NAME])

    def stage(self, name: str) -> ModuleType:
        if name not in self.names:
            raise UsageError(f"unknown stage {name!r}; the stages are: {', '.join(self.names)}")
        return self.stages[self.names.index(name)]

    def depends_on(self, stage: ModuleType, upstream: ModuleType) -> bool:
        """True when `stage` reads a file that `upstream` writes (directly)."""
        produced = {Path(p).resolve() for p in upstream.outputs(self.ctx, self.options[upstream.NAME])}
        return any(Path(p).resolve() in produced for p in stage.inputs(self.ctx, self.options[stage.NAME]))

    def stale_reason(self, stage: ModuleType) -> str | None:
        """Why `stage` must run, or None when its record matches. Cheapest checks first."""
        opts = self.options[stage.NAME]
        manifest = self.manifest_of(stage)
        record = manifest.stages.get(stage.NAME)
        if manifest.corrupt:
            return "manifest unreadable"
        if not record:
            return "first run"
        code, tools = code_of(stage)
        if "code" not in record:
            return "code changed: made before code fingerprints were recorded"
        for what, old, new in (("code", record["code"], code), ("tool", record.get("tools") or {}, tools)):
            if old != new:
                return f"{what} changed: " + _few(_changed(old, new))
        options = _jsonable(opts)
        if record.get("options") != options:
            return "options changed: " + _few(_changed(record.get("options") or {}, options))
        for path in stage.outputs(self.ctx, opts):
            if not Path(path).exists():
                return f"output missing: {manifest.key(path)}"
        current_inputs = {manifest.key(p): manifest.digest(p) for p in stage.inputs(self.ctx, opts)}
        if record.get("inputs") != current_inputs:
            return "input changed: " + _few(_changed(record.get("inputs") or {}, current_inputs))
        for path in stage.outputs(self.ctx, opts):
            if record.get("outputs", {}).get(manifest.key(path)) != self.output_digest(stage, path):
                return f"output modified since the last run: {manifest.key(path)}"
        return None

    def output_digest(self, stage: ModuleType, path: Path) -> str | None:
        """How an output of `stage` is recorded and checked: the stage's own output_digest when it has one (its
        part of a file a later stage writes into, e.g. the audio of the MP3 that tag tags), else the SHA-256."""
        return self.manifest_of(stage).digest(path, getattr(stage, "output_digest", None))

    def plan(self, force: tuple[str, ...] = (), from_stage: str | None = None) -> list[tuple[ModuleType, str | None]]:
        """Each stage with the reason it would run now (None: up to date), assuming upstream runs change files."""
        for name in (*force, *([from_stage] if from_stage else [])):
            self.stage(name)
        start = self.names.index(from_stage) if from_stage else len(self.names)
        planned: list[tuple[ModuleType, str | None]] = []
        for i, stage in enumerate(self.stages):
            if stage.NAME in force:
                reason = "forced (--force)"
            elif i >= start:
                reason = f"forced (--from {from_stage})"
            else:
                reason = self.stale_reason(stage)
                if reason is None:
                    upstream = [s.NAME for s, r in planned if r is not None and self.depends_on(stage, s)]
                    if upstream:
                        reason = f"upstream will re-run: {', '.join(upstream)}"
            planned.append((stage, reason))
        return planned

    def run(self, force: tuple[str, ...] = (), from_stage: str | None = None,
            keep_going: bool = False) -> list[StageResult]:
        """Run what is not up to date. A stage that fails keeps its earlier record (its old outputs stay
        described truthfully) and the run stops, or with keep_going skips the stages that need it."""
        results: list[StageResult] = []
        failed: list[ModuleType] = []
        forced_from = self.names.index(from_stage) if from_stage else len(self.names)
        for i, stage in enumerate(self.stages):
            self.stage(stage.NAME)
            blocked_by = [f.NAME for f in failed if self.depends_on_transitively(stage, f)]
            if blocked_by:
                results.append(StageResult(stage.NAME, "blocked", reason=f"needs {', '.join(blocked_by)}"))
                failed.append(stage)
                continue
            if stage.NAME in force:
                reason = "forced (--force)"
            elif i >= forced_from:
                reason = f"forced (--from {from_stage})"
            else:
                reason = self.stale_reason(stage)
            if reason is None:
                log.info("%s: up to date, skipping", stage.NAME)
                results.append(StageResult(stage.NAME, "skipped", reason="up to date"))
                continue
            log.info("%s: running (%s)", stage.NAME, reason)
            started = time.monotonic()
            try:
                outcome = self._run_one(stage)
            except PipelineError as exc:
                seconds = time.monotonic() - started
                message = exc.problem if isinstance(exc, StageError) else str(exc)
                # the CLI prints the error itself when the run stops here; with keep-going the log is the record
                (log.error if keep_going else log.debug)("%s: failed after %.1f s: %s", stage.NAME, seconds,
                                                         message)
                results.append(StageResult(stage.NAME, "failed", seconds, message))
                failed.append(stage)
                if not keep_going:
                    self.write_report(results)
                    raise
                continue
            seconds = time.monotonic() - started
            log.info("%s: done in %.1f s", stage.NAME, seconds)
            results.append(StageResult(stage.NAME, "done", seconds, reason))
            self._record(stage, outcome, seconds)
        self.write_report(results)
        return results

    def depends_on_transitively(self, stage: ModuleType, upstream: ModuleType) -> bool:
        if self.depends_on(stage, upstream):
            return True
        between = self.stages[self.names.index(upstream.NAME) + 1:self.names.index(stage.NAME)]
        return any(self.depends_on(mid, upstream) and self.depends_on_transitively(stage, mid) for mid in between)

    def _run_one(self, stage: ModuleType) -> Outcome:
        opts = self.options[stage.NAME]
        slug = self.ctx.episode.slug
        try:
            outcome = stage.run(self.ctx, opts)
        except StageError:
            raise
        except PipelineError as exc:  # a config/input error found while running: not exit 2, stages ran before
            raise StageError(stage.NAME, slug, f"{exc} (found only while running this stage; the outputs of "
                                               f"the stages before it are kept)") from exc
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # an unexpected failure still names the stage and episode
            log.debug("unexpected error in %s", stage.NAME, exc_info=True)
            raise StageError(stage.NAME, slug, f"{type(exc).__name__}: {exc}") from exc
        for path in stage.outputs(self.ctx, opts):
            if not Path(path).exists():
                raise StageError(stage.NAME, slug, f"did not write {path}")
        return outcome

    def _record(self, stage: ModuleType, outcome: Outcome, seconds: float) -> None:
        opts = self.options[stage.NAME]
        manifest = self.manifest_of(stage)
        code, tools = code_of(stage)
        self.ctx.outcomes[stage.NAME] = outcome
        manifest.stages[stage.NAME] = {
            "code": code,
            "tools": tools,
            "options": _jsonable(opts),
            "inputs": {manifest.key(p): manifest.digest(p) for p in stage.inputs(self.ctx, opts)},
            "outputs": {manifest.key(p): self.output_digest(stage, p) for p in stage.outputs(self.ctx, opts)},
            "outcome": {**_jsonable(dataclasses.asdict(outcome)), "figures": list(outcome.figures.items())},
            "seconds": round(seconds, 3),
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        manifest.save()

    def _relative_outputs(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self._relative_outputs(v) for k, v in value.items()}
        path = Path(value)
        return self.manifest.key(path) if path.is_absolute() else path.as_posix()

    def write_report(self, results: list[StageResult]) -> dict:
        """report.json: every stage's latest outcome, plus what happened in this run.

        "stages": per stage its status in this run (done, skipped, failed, blocked; "done"/"not run" for a stage
        this run did not reach), the seconds it took in this run (0 when it did not run), and
        "seconds_when_made": the seconds of the run that made its current outputs."""
        report: dict[str, Any] = {
            "episode": self.ctx.episode.slug,
            "title": self.ctx.episode.title,
            "pipeline_version": __version__,
            "generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "outputs": {},
            "warnings": [],
            "stages": {},
        }
        this_run = {r.name: r for r in results}
        for stage in self.stages:
            outcome = self.ctx.outcomes.get(stage.NAME)
            record = self.manifest_of(stage).stages.get(stage.NAME, {})
            result = this_run.get(stage.NAME)
            entry: dict[str, Any] = {"status": result.status if result else ("done" if record else "not run"),
                                     "seconds": round(result.seconds, 3) if result else 0.0}
            if "seconds" in record:
                entry["seconds_when_made"] = record["seconds"]
            if result and result.reason:
                entry["reason"] = result.reason
            report["stages"][stage.NAME] = entry
            if outcome is None or (result and result.status in ("failed", "blocked")):
                continue
            _merge(report, _jsonable(outcome.report))
            _merge(report["outputs"], self._relative_outputs(_jsonable(outcome.outputs)))
            report["warnings"] += [f"{stage.NAME}: {w}" for w in outcome.warnings]
        for key in ("stages",):
            report[key] = report.pop(key)
        fsutil.write_json(self.ctx.paths.report, report)
        return report


def _changed(old: dict, new: dict) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _few(names: list[str], most: int = 2) -> str:
    """ "a, b and 3 more": a reason short enough for a table cell (the log has the same)."""
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _merge(into: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def load_context(episode_dir: Path, show_file: Path | None = None) -> Context:
    """Load and validate the show config and episode file for `episode_dir`."""
    from pipeline.config import find_show_config, load_episode, load_show
    from pipeline.errors import ConfigError

    episode_dir = Path(episode_dir)
    if not episode_dir.is_dir():
        raise ConfigError(episode_dir, None, "episode folder not found (create one with: pipeline new FOLDER)")
    if not (episode_dir / "episode.toml").is_file():
        raise ConfigError(episode_dir, None, "no episode.toml in this folder (create one with: pipeline new FOLDER)")
    if show_file is None:
        show_file = find_show_config(episode_dir)
        if show_file is None:
            raise ConfigError(episode_dir, None, "no config.toml found in this folder or above it; "
                                                 "pass --config FILE")
    show = load_show(show_file)
    episode = load_episode(episode_dir)
    return Context(show=show, episode=episode, paths=EpisodePaths.for_dir(episode_dir))


