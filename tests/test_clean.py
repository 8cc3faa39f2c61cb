"""`pipeline clean`: frees work/ of what can be made again, keeps what must stay; the next run re-makes only that."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from tests.helpers import run_cli
from tests.stages.audio_path import audio_engine, run_audio_path


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow  # the audio stages run again
def test_clean_frees_the_audio_keeps_the_costly_and_the_next_run_remakes_only_that(audio_path_run, demo_like_recording):
    recording, _ = demo_like_recording
    folder = audio_path_run.fresh()
    config = audio_path_run.show / "config.toml"
    work = folder / "work"
    # what transcription would have left, and an editor's file: costly or precious, never removed without --all
    (work / "segments.jsonl").write_text('{"start": 0.0}\n')
    (work / "transcript.raw.json").write_text("{}")
    (folder / "transcript").mkdir()
    (folder / "transcript" / "corrections.txt").write_text("[00:00:01] Anne: hallo\n")
    (work / ".speech.abc.part.wav").write_bytes(b"\0" * 1000)  # left by an interrupted run
    kept = {p: sha(p) for p in (folder / "episode.toml", folder / recording.name, folder / "ep.mp3",
                                folder / "transcript" / "corrections.txt", work / "segments.jsonl",
                                work / "transcript.raw.json", work / "trim.json", work / "loudness.json")}
    audio = [work / "speech.flac", work / ".speech.abc.part.wav"]
    expected = sum(p.stat().st_size for p in audio)
    before = {p.name: sha(p) for p in audio[:1]}

    result = run_cli("--config", config, "clean", folder)
    assert result.returncode == 0, result.stderr
    freed = float(re.search(r"Freed ([\d.]+) MB", result.stdout).group(1))
    assert abs(freed - expected / 1e6) < 0.06, result.stdout
    assert not any(p.exists() for p in audio)
    assert {p: sha(p) for p in kept} == kept
    manifest = json.loads((work / "manifest.json").read_text())
    assert "work/speech.flac" not in manifest["hashes"]
    assert "Freed 0.0 MB" in run_cli("--config", config, "clean", folder).stdout  # nothing left

    # the next run makes exactly the removed files again, identical, and skips the stages that only read them
    statuses = run_audio_path(folder)
    # (the MP3 is not in work/: encode writes the published file, which clean never touches)
    assert statuses == {"ingest": "skipped", "trim": "skipped", "normalise": "done", "encode": "skipped",
                        "tag": "skipped"}
    assert {p.name: sha(p) for p in audio[:1]} == before
    assert all(reason is None for _, reason in audio_engine(folder).plan())

    # --all removes work/ entirely, and still nothing outside it
    _ = kept.pop(work / "segments.jsonl"), kept.pop(work / "transcript.raw.json"), kept.pop(work / "trim.json")
    kept.pop(work / "loudness.json")
    result = run_cli("--config", config, "clean", "--all", folder)
    assert result.returncode == 0 and not work.exists()
    assert {p: sha(p) for p in kept} == kept


def test_clean_outside_an_episode_folder_is_a_usage_error(tmp_path):
    result = run_cli("clean", tmp_path)
    assert result.returncode == 2 and "no episode.toml" in result.stderr
    assert list(tmp_path.iterdir()) == []
    result = run_cli("clean", "--help")
    assert result.returncode == 0 and "--all" in result.stdout
