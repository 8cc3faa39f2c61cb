"""Config and episode files: defaults, relative paths, and one clear error per kind of mistake."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from pipeline.config import load_episode, load_show
from pipeline.errors import ConfigError
from tests.helpers import make_episode, make_show, run_cli


@pytest.fixture
def show_dir(tmp_path) -> Path:
    make_show(tmp_path)
    return tmp_path


@pytest.fixture
def recording(tmp_path) -> Path:
    path = tmp_path / "rec.wav"
    path.write_bytes(b"RIFF")  # content is not looked at by the loader
    return path


def test_show_defaults_and_relative_paths(show_dir):
    show = load_show(show_dir / "config.toml")
    assert show.show.language == "nl"
    assert show.audio.loudness_target == -16.0 and show.audio.true_peak == -1.0
    assert show.audio.bitrate == 128 and show.audio.sample_rate == 44100
    assert show.transcription.model == "embedded" and show.transcription.language == "nl"
    assert show.show.image == (show_dir / "cover.png").resolve()
    assert show.paths.episodes == (show_dir / "episodes").resolve()
    assert show.show.base_url.endswith("/")


@pytest.mark.parametrize("extra, key, words", [
    ("[audio]\nloudnes_target = -16\n", "audio.loudnes_target", "unknown key"),
    ("[audio]\nloudness_target = \"loud\"\n", "audio.loudness_target", "expected a number"),
    ("[audio]\nloudness_target = -60\n", "audio.loudness_target", "from -31 to -9"),
    ("[audio]\nsample_rate = 12345\n", "audio.sample_rate", "44100"),
    ("[transcription]\ndevice = \"tpu\"\n", "transcription.device", "'cuda'"),
])
def test_show_errors_name_file_and_key(show_dir, extra, key, words):
    config = make_show(show_dir, extra)
    with pytest.raises(ConfigError) as info:
        load_show(config)
    message = str(info.value)
    assert str(config) in message and key in message and words in message
    assert info.value.exit_code == 2


def test_show_category_must_be_apple(show_dir):
    config = show_dir / "config.toml"
    config.write_text(config.read_text().replace("[show]", '[show]\ncategory = "Overheid"'))
    with pytest.raises(ConfigError, match="show.category.*Apple"):
        load_show(config)


def test_missing_required_show_field(show_dir):
    config = show_dir / "config.toml"
    config.write_text(config.read_text().replace('author = "Testredactie"\n', ""))
    with pytest.raises(ConfigError, match="show.author: missing"):
        load_show(config)


def test_episode_loads_people_chapters_overrides(show_dir, recording):
    folder = make_episode(show_dir, "ep1", [recording], """
        [trim]
        start = "00:00:20.125"
        end = "01:02:03"
        [[people]]
        name = "Host"
        role = "host"
        [[people]]
        name = "Gast"
        about = "iemand"
        [[chapters]]
        title = "Begin"
        people = ["Host"]
        [[chapters]]
        title = "Gesprek"
        people = ["Gast"]
        keywords = ["vertrouwen"]
        approx = "10:00"
        """)
    episode = load_episode(folder)
    assert episode.date == dt.date(2024, 6, 13)
    assert episode.trim.start == 20.125 and episode.trim.end == 3723.0
    assert [p.role for p in episode.people] == ["host", "guest"]
    assert episode.chapters[1].approx == 600.0 and episode.chapters[1].keywords == ("vertrouwen",)
    assert episode.sources == ((folder / "rec.wav").resolve(),)


@pytest.mark.parametrize("body, key, words", [
    ('[trim]\nstart = "00:10:00"\nend = "00:05:00"\n', "trim.end", "after the start"),
    ('[trim]\nstart = "ten past"\n', "trim.start", "01:02:03.500"),
    ('titel = "x"\n', "titel", "unknown key"),
    ('[[people]]\nname = "A"\nrole = "boss"\n', "people #1.role", "'host', 'guest'"),
    ('[[chapters]]\ntitle = "X"\npeople = ["Nobody"]\n', "chapters #1.people", "not in [[people]]"),
])
def test_episode_errors_name_file_and_key(show_dir, recording, body, key, words):
    folder = make_episode(show_dir, "ep1", [recording], body)
    with pytest.raises(ConfigError) as info:
        load_episode(folder)
    assert "episode.toml" in str(info.value) and key in str(info.value) and words in str(info.value)


@pytest.mark.parametrize("typo, meant", [("descripton", "description"), ("titel", "title")])
def test_a_misspelt_key_is_named_before_the_key_it_hides(show_dir, recording, typo, meant):
    """`descripton = ...` is reported as an unknown key with a suggestion, not as "description: missing"."""
    from tests.helpers import run_cli

    folder = make_episode(show_dir, "ep1", [recording])
    text = (folder / "episode.toml").read_text()
    (folder / "episode.toml").write_text(text.replace(f"{meant} =", f"{typo} =", 1))
    result = run_cli("run", "--dry-run", folder)
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())
    assert f"{typo}: unknown key (did you mean '{meant}'?" in message and "missing" not in message
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1
    assert not (folder / "work").exists() and not (folder / "report.json").exists()


def test_a_misspelt_key_in_a_table_gets_a_suggestion(show_dir, recording):
    folder = make_episode(show_dir, "ep1", [recording], '[[chapters]]\ntitel = "Opening"\n')
    with pytest.raises(ConfigError, match=r"chapters #1\.titel: unknown key \(did you mean 'title'\?"):
        load_episode(folder)
    config = make_show(show_dir, "[audio]\nloudnes_target = -16\n")
    with pytest.raises(ConfigError, match=r"audio\.loudnes_target: unknown key \(did you mean 'loudness_target'"):
        load_show(config)


def test_missing_source_is_named(show_dir, recording):
    folder = make_episode(show_dir, "ep1", [recording])
    (folder / "rec.wav").unlink()
    with pytest.raises(ConfigError, match=r"source: recording not found: .*rec.wav"):
        load_episode(folder)


def test_date_must_be_a_toml_date(show_dir, recording):
    folder = make_episode(show_dir, "ep1", [recording])
    text = (folder / "episode.toml").read_text().replace("date = 2024-06-13", 'date = "13 juni"')
    (folder / "episode.toml").write_text(text)
    with pytest.raises(ConfigError, match="date: expected a date like 2024-06-13"):
        load_episode(folder)


def test_invalid_toml_is_reported(show_dir, recording):
    folder = make_episode(show_dir, "ep1", [recording])
    (folder / "episode.toml").write_text("title = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_episode(folder)


def test_two_episodes_with_one_number_are_refused_before_anything_is_written(show_dir):
    """A second episode that reuses the number of the first (or its guid) is refused up front: exit 2, one line
    naming the other episode, no work folder, no report."""
    recording = show_dir / "tone.wav"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
                    str(recording)], check=True)
    make_episode(show_dir, "2024-06-13-eerste", [recording], copy=True)
    second = make_episode(show_dir, "2024-09-12-tweede", [recording], copy=True)  # make_episode writes number = 1
    result = run_cli("--config", show_dir / "config.toml", "run", second)
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())
    assert "number 1 is also the number of episode 2024-06-13-eerste" in message and "episode.toml" in message
    assert "Traceback" not in result.stderr
    assert not (second / "work").exists() and not (second / "report.json").exists()

    text = (second / "episode.toml").read_text()
    (second / "episode.toml").write_text(text.replace("number = 1", 'number = 2\nguid = "burger-1"'))
    first = show_dir / "episodes" / "2024-06-13-eerste" / "episode.toml"
    first.write_text(first.read_text() + 'guid = "burger-1"\n')
    result = run_cli("--config", show_dir / "config.toml", "run", second)
    assert result.returncode == 2 and "guid 'burger-1' is also the guid of episode 2024-06-13-eerste" in \
        " ".join(result.stderr.split())
    assert not (second / "work").exists()
