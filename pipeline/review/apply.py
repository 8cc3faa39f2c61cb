"""Apply: re-run the pipeline for the episode in a background thread, reporting each stage's progress.

The engine re-runs only what the saved overrides touch (its usual rule). `ApplyJob.status()` is what
GET /api/apply returns: {"state": "idle" | "running" | "done" | "failed", "stages": [{"name", "status",
"seconds", "reason"}], "current": stage or null, "task": {"description", "fraction"} or null, "error"}.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from pipeline.errors import PipelineError

log = logging.getLogger("pipeline.review")


def _watched(stage: ModuleType, job: "ApplyJob") -> ModuleType:
    """The stage module as the engine knows it (same name, so the same code fingerprint, and the same
    attributes), except that run() reports its start and end to the job."""
    module = ModuleType(stage.__name__, stage.__doc__)
    module.__dict__.update(stage.__dict__)

    def run(ctx, opts):
        job._stage_event(stage.NAME, "running")
        started = time.monotonic()
        try:
            return stage.run(ctx, opts)
        finally:
            job._stage_event(stage.NAME, "finished", time.monotonic() - started)

    module.run = run
    return module


class ApplyJob:
    """One apply at a time for one episode."""

    def __init__(self, episode_dir: Path, config: Path | None = None):
        self.episode_dir, self.config = Path(episode_dir), config
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._state: dict[str, Any] = {"state": "idle", "stages": [], "current": None, "task": None, "error": None}

    def status(self) -> dict:
        with self._lock:
            return {**self._state, "stages": [dict(s) for s in self._state["stages"]]}

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start a run in the background; False when one is already running."""
        with self._lock:
            if self.running():
                return False
            self._state = {"state": "running", "stages": [], "current": None, "task": None, "error": None,
                           "started": time.time()}
            self._thread = threading.Thread(target=self._run, name="review-apply", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> dict:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.status()

    # ------------------------------------------------------------ the background run

    def _run(self) -> None:
        from pipeline.engine import Engine, load_context
        from pipeline.stages import all_stages

        try:
            ctx = load_context(self.episode_dir, self.config)
            ctx.progress = self._progress
            engine = Engine(ctx, [_watched(s, self) for s in all_stages()])
            engine.check()
            with self._lock:
                self._state["stages"] = [{"name": s.NAME, "status": "waiting" if reason else "up to date",
                                          "reason": reason or "", "seconds": None} for s, reason in engine.plan()]
            results = engine.run()
            with self._lock:
                self._state["stages"] = [{"name": r.name, "status": r.status, "reason": r.reason,
                                          "seconds": round(r.seconds, 1)} for r in results]
                self._state.update(state="done", current=None, task=None, finished=time.time())
        except PipelineError as exc:
            self._fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        except Exception as exc:  # shown in the page; the server keeps running
            log.exception("apply failed")
            self._fail(f"{type(exc).__name__}: {exc}")

    def _fail(self, message: str) -> None:
        with self._lock:
            current = self._state.get("current")
            for stage in self._state["stages"]:
                if stage["name"] == current:
                    stage["status"] = "failed"
            self._state.update(state="failed", error=message, task=None, finished=time.time())

    def _stage_event(self, name: str, event: str, seconds: float | None = None) -> None:
        with self._lock:
            names = [stage["name"] for stage in self._state["stages"]]
            for i, stage in enumerate(self._state["stages"]):
                if stage["name"] == name:
                    stage["status"] = "running" if event == "running" else "done"
                    stage["seconds"] = round(seconds, 1) if seconds is not None else None
                elif stage["status"] == "waiting" and name in names and i < names.index(name):
                    stage["status"] = "up to date"  # the engine found it unchanged after all
            self._state["current"] = name if event == "running" else None
            self._state["task"] = None

    def _progress(self, description: str, total: float):
        job = self

        class Task:
            def update(self, done: float) -> None:
                with job._lock:
                    job._state["task"] = {"description": description,
                                          "fraction": round(min(1.0, done / max(total, 1e-9)), 3)}

            def close(self) -> None:
                with job._lock:
                    job._state["task"] = None

        return Task()
