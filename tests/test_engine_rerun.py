"""The engine: a second run redoes nothing; an edit redoes only what it touches; --force/--from; crashes."""

from __future__ import annotations

import json

import pytest

from tests.stages.audio_path import audio_engine, run_audio_path


@pytest.fixture
def episode(audio_path_run):
    """An episode of a plain show that went through the audio stages (the session's run, restored)."""
    return audio_path_run.fresh()


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_second_run_redoes_nothing(episode):
    mp3 = (episode / "ep.mp3").stat().st_mtime_ns
    assert set(run_audio_path(episode).values()) == {"skipped"}
    assert (episode / "ep.mp3").stat().st_mtime_ns == mp3
    report = json.loads((episode / "report.json").read_text())
    assert report["outputs"]["audio"] == "ep.mp3"
    assert report["loudness"]["output"]["integrated"] == pytest.approx(-16, abs=1)
    assert set(report["stages"]) == {"ingest", "trim", "normalise", "encode", "tag"}
    made = json.loads((episode / "work" / "manifest.json").read_text())["stages"]
    for name, entry in report["stages"].items():  # this run's seconds apart from those of the run that made it
        assert entry == {"status": "skipped", "seconds": 0.0, "reason": "up to date",
                         "seconds_when_made": made[name]["seconds"]}
        assert entry["seconds_when_made"] > 0


def test_title_edit_redoes_only_tagging(episode):
    edit(episode / "episode.toml", 'title = "Testaflevering"', 'title = "Nieuwe titel"')
    statuses = run_audio_path(episode)
    assert statuses == {"ingest": "skipped", "trim": "skipped", "normalise": "skipped", "encode": "skipped",
                        "tag": "done"}
    from mutagen.id3 import ID3
    assert str(ID3(episode / "ep.mp3")["TIT2"]) == "Nieuwe titel"


def test_tags_are_written_into_the_encoded_mp3_and_only_its_audio_is_encodes(episode):
    """No second copy of the MP3 in work/: encode writes ep.mp3 untagged, tag writes the tags into it. The tags
    removed by another tool (mutagen), as a crash between encode and tag leaves the file: only tag runs and
    gives the same bytes; tagging again gives the same bytes; a changed audio byte re-encodes."""
    from mutagen.id3 import ID3

    assert not list((episode / "work").glob("*.mp3"))
    mp3 = episode / "ep.mp3"
    tagged = mp3.read_bytes()
    ID3(mp3).delete()
    assert mp3.read_bytes() != tagged and len(mp3.read_bytes()) < len(tagged)
    assert run_audio_path(episode) == {"ingest": "skipped", "trim": "skipped", "normalise": "skipped",
                                       "encode": "skipped", "tag": "done"}
    assert mp3.read_bytes() == tagged
    assert run_audio_path(episode, force=("tag",))["encode"] == "skipped"
    assert mp3.read_bytes() == tagged
    data = bytearray(tagged)
    data[len(data) // 2] ^= 0xFF  # one byte of the audio
    mp3.write_bytes(bytes(data))
    statuses = run_audio_path(episode)
    assert statuses["encode"] == statuses["tag"] == "done"
    assert mp3.read_bytes() == tagged


@pytest.mark.slow  # stages of the audio path run again
def test_loudness_target_edit_redoes_normalise_and_after(episode):
    edit(episode.parent.parent / "config.toml", "[paths]", "[audio]\nloudness_target = -19.0\n[paths]")
    statuses = run_audio_path(episode)
    assert [n for n, s in statuses.items() if s == "done"] == ["normalise", "encode", "tag"]


@pytest.mark.slow  # stages of the audio path run again
def test_trim_override_that_changes_nothing_stops_early(episode):
    trim = json.loads((episode / "work" / "trim.json").read_text())
    from pipeline.timefmt import clock
    with open(episode / "episode.toml", "a") as handle:
        handle.write(f'\n[trim]\nstart = "{clock(trim["start"])}"\n')
    statuses = run_audio_path(episode)
    assert statuses["trim"] == "done"  # options changed
    # the same cut points give the same trim.json, so nothing downstream re-runs
    assert statuses["normalise"] == statuses["encode"] == statuses["tag"] == "skipped"


@pytest.mark.slow  # stages of the audio path run again
def test_force_and_from(episode):
    assert run_audio_path(episode, force=("trim",))["trim"] == "done"
    statuses = run_audio_path(episode, from_stage="encode")
    assert [n for n, s in statuses.items() if s == "done"] == ["encode", "tag"]


@pytest.mark.slow  # stages of the audio path run again
def test_deleted_or_modified_output_is_redone(episode):
    (episode / "ep.mp3").unlink()
    statuses = run_audio_path(episode)
    assert statuses["encode"] == statuses["tag"] == "done"
    engine = audio_engine(episode)
    assert engine.stale_reason(engine.stage("tag")) is None


@pytest.mark.slow  # stages of the audio path run again
def test_corrupt_manifest_counts_as_changed(episode):
    (episode / "work" / "manifest.json").write_text("{not json")
    assert set(run_audio_path(episode).values()) == {"done"}


@pytest.mark.slow  # stages of the audio path run again
def test_dry_run_plans_without_writing(episode):
    edit(episode / "episode.toml", 'title = "Testaflevering"', 'title = "Anders"')
    before = (episode / "work" / "manifest.json").read_bytes()
    engine = audio_engine(episode)
    planned = {stage.NAME: reason for stage, reason in engine.plan()}
    assert planned["tag"].startswith("options changed: title") and planned["ingest"] is None
    assert (episode / "work" / "manifest.json").read_bytes() == before
