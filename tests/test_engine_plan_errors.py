"""Exit 2 means nothing was written: every config or plan error of a run is found before the first stage writes,
and leaves report.json, the manifests, the logs, the outputs and the published feed byte-identical. A problem
that only a stage can see fails that stage (exit 1) and keeps every record truthful."""

from __future__ import annotations

import hashlib
import json

import pytest

from showgen.demo_scene import CHAPTERS
from tests.helpers import duration, run_cli

LAST = f'title = "{CHAPTERS[-1]}"'  # the last [[chapters]] entry of the episode's plan


def snapshot(show_dir) -> dict[str, str]:
    """Every file under the show folder (episodes, their work folders and logs, feed/, work/) -> SHA-256."""
    return {p.relative_to(show_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(show_dir.rglob("*")) if p.is_file()}


@pytest.fixture
def produced(produced_episode, demo_like_recording):
    """A show with one episode that went through all stages with the real CLI (the session's run, restored)."""
    return produced_episode.show, produced_episode.fresh(), duration(demo_like_recording[0])


def plan_of(folder) -> dict[str, str]:
    result = run_cli("run", "--dry-run", folder)
    assert result.returncode == 0, result.stderr
    return dict(line.split(None, 1) for line in result.stdout.splitlines() if line.strip())


@pytest.mark.slow
def test_every_plan_error_exits_2_and_writes_nothing(produced):
    show_dir, folder, recording = produced
    episode_toml, config = folder / "episode.toml", show_dir / "config.toml"
    cut = json.loads((folder / "work" / "trim.json").read_text())
    published = cut["end"] - cut["start"]
    assert published + 5 < recording  # room for a start after the published end but inside the recording
    late = round((published + recording) / 2)
    assert set(plan_of(folder).values()) == {"up to date"}
    assert (show_dir / "feed" / "feed.xml").is_file() and list((folder / "work" / "logs").iterdir())

    cases = {  # what goes wrong -> (file, edit, words of the one error line)
        "chapter start after the published end": (
            episode_toml, lambda t: t.replace(LAST, f'{LAST}\nstart = {late}'),
            [f"chapters #{len(CHAPTERS)}.start", "past the end of the published audio"]),
        "chapter start after the recording": (
            episode_toml, lambda t: t.replace(LAST, f'{LAST}\nstart = "09:00:00"'),
            [f"chapters #{len(CHAPTERS)}.start", "past the end"]),
        "trim start after the recording": (
            episode_toml, lambda t: t + '[trim]\nstart = "09:00:00"\n', ["trim.start", "past the end"]),
        "trim end before its start": (
            episode_toml, lambda t: t + '[trim]\nstart = "00:00:30"\nend = "00:00:20"\n', ["trim", "must come after"]),
        "unknown key": (
            config, lambda t: t.replace("[paths]", "[audio]\nloudnes_target = -16.0\n[paths]"),
            ["audio.loudnes_target", "unknown key"]),
        "missing source": (
            episode_toml, lambda t: t.replace('source = "', 'source = "missing-'), ["missing-"]),
    }
    for case, (file, edit, words) in cases.items():
        good = file.read_text()
        file.write_text(edit(good))
        before = snapshot(show_dir)
        result = run_cli("run", folder)
        after = snapshot(show_dir)
        file.write_text(good)
        message = " ".join(result.stderr.split())
        assert result.returncode == 2, (case, result.stderr)
        assert all(w in message for w in words) and "Traceback" not in message, (case, message)
        assert after == before, (case, sorted(set(after.items()) ^ set(before.items())))
    assert set(plan_of(folder).values()) == {"up to date"}  # nothing was disturbed


@pytest.mark.slow
def test_a_problem_only_a_stage_can_see_fails_it_and_keeps_the_records_truthful(produced):
    show_dir, folder, recording = produced
    cut = json.loads((folder / "work" / "trim.json").read_text())
    manifest = json.loads((folder / "work" / "manifest.json").read_text())["stages"]
    # a start override inside the recording but after the detected show end: only trim's detection finds that
    episode_toml = folder / "episode.toml"
    good = episode_toml.read_text()
    episode_toml.write_text(good + f'[trim]\nstart = {round((cut["end"] + recording) / 2, 1)}\n')
    try:
        result = run_cli("run", folder)
        assert result.returncode == 1, result.stderr
        assert "stage trim failed" in result.stderr and "found only while running" in result.stderr
        after = json.loads((folder / "work" / "manifest.json").read_text())["stages"]
        assert after["trim"] == manifest["trim"] and after["ingest"] == manifest["ingest"]  # records kept
        report = json.loads((folder / "report.json").read_text())
        assert report["stages"]["trim"]["status"] == "failed"
        assert report["stages"]["ingest"] == {"status": "skipped", "seconds": 0.0, "reason": "up to date",
                                              "seconds_when_made": manifest["ingest"]["seconds"]}
        plan = plan_of(folder)
        assert plan["ingest"] == "up to date" and plan["trim"].startswith("would run: options changed")
    finally:
        episode_toml.write_text(good)
    assert set(plan_of(folder).values()) == {"up to date"}
