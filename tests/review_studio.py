"""Helpers for the review studio tests: one real pipeline run per session (`run_episode`), restored before each
test that writes, and `pipeline review` started as a real server (a subprocess) on a free port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.helpers import Pristine, make_episode, make_show, run_cli, stop_process
from showgen.demo_scene import episode_plan_toml

COMMENT = "# Producer's note: this line must survive every save of the review studio."


def run_episode(root: Path, recording: Path) -> Pristine:
    """A show with one episode ("aflevering-review": the demo's people and chapters, and a producer's comment in
    episode.toml) through every stage with the real CLI: what the review tests and the plan-error tests start from
    (the session fixture `produced_episode` in conftest.py)."""
    show = root / "show"
    make_show(show)
    folder = make_episode(show, "aflevering-review", [recording], COMMENT + "\n" + episode_plan_toml())
    proc = run_cli("run", folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return Pristine.keep(show, folder)


def line_and_its_voice(episode: dict) -> tuple[dict, dict, str]:
    """From GET /api/episode: a transcript line of four words or more with a speaker, the voice that speaks
    most of its start, and a person that voice is not named now (to rename it to)."""
    line = next(s for s in episode["transcript"] if len(s["text"].split()) >= 4 and s["speaker"])
    voice = max(episode["voices"], key=lambda v: sum(
        t["end"] - t["start"] for t in episode["turns"]
        if t["voice"] == v["voice"] and t["start"] <= line["start"] + 0.2 and line["start"] < t["end"]))
    person = next(p["name"] for p in episode["people"] if p["name"] != voice["name"])
    return line, voice, person


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Studio:
    """`pipeline review FOLDER --port P` as a subprocess; `base` and `token` from the URL it prints."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, "-m", "pipeline", "review", str(folder),
                                         "--port", str(self.port)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        line = self.process.stdout.readline()
        assert "?token=" in line, line + self.process.stdout.read()
        self.url = line.split(": ", 1)[1].strip()
        self.base = self.url.split("/?")[0]
        self.token = self.url.split("token=")[1]
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.base + "/api/apply", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.1)

    def request(self, method: str, path: str, body=None, token: bool = True, raw: bytes | None = None,
                headers: dict | None = None) -> tuple[int, dict]:
        url = self.base + urllib.parse.quote(path, safe="/?&=")
        if token:
            url += ("&" if "?" in url else "?") + "token=" + self.token
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def get(self, path: str) -> dict:
        status, body = self.request("GET", path, token=False)
        assert status == 200, body
        return body

    def apply(self, timeout: float = 600) -> dict:
        status, body = self.request("POST", "/api/apply")
        assert status == 202, body
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.get("/api/apply")
            if state["state"] in ("done", "failed"):
                return state
            time.sleep(0.5)
        raise TimeoutError("apply did not finish")

    def close(self) -> None:
        stop_process(self.process)
        self.process.stdout.close()
