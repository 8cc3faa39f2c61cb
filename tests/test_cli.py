"""The command line as a producer meets it: help everywhere, one-line errors with exit 2, a usable scaffold."""

from __future__ import annotations

import pytest

from tests.helpers import make_show, run_cli

COMMANDS = ["run", "status", "new", "feed", "serve", "model", "clean", "review"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_on_every_command(command):
    result = run_cli(*([command] if command else []), "--help")
    assert result.returncode == 0 and "usage: pipeline" in result.stdout


def test_unknown_stage_lists_the_stages_and_exits_2(tmp_path):
    result = run_cli("run", "--force", "bogus", tmp_path)
    assert result.returncode == 2 and "invalid choice: 'bogus'" in result.stderr and "'transcribe'" in result.stderr


@pytest.mark.parametrize("setup, words", [
    ("missing folder", "episode folder not found (create one with: pipeline new FOLDER)"),
    ("no episode.toml", "no episode.toml in this folder (create one with: pipeline new FOLDER)"),
    ("bad toml", "not valid TOML"),
])
def test_episode_folder_problems_are_one_line(tmp_path, setup, words):
    make_show(tmp_path)
    folder = tmp_path / "episodes" / "ep"
    if setup != "missing folder":
        folder.mkdir(parents=True)
    if setup == "bad toml":
        (folder / "episode.toml").write_text('title = "x"\ndate = 2024-13-06\n')
    result = run_cli("run", folder)
    assert result.returncode == 2, result.stderr
    assert words in " ".join(result.stderr.split()) and "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1


def test_new_scaffold_refuses_to_run_until_filled_in(tmp_path):
    make_show(tmp_path)
    folder = tmp_path / "episodes" / "2025-01-16-slotevent"
    result = run_cli("new", folder, "--date", "2025-01-16")
    assert result.returncode == 0 and (folder / "episode.toml").is_file()
    assert "no config.toml" not in result.stdout  # found above the episodes folder
    (folder / "recording.wav").write_bytes(b"RIFF")  # content not looked at before the placeholders
    result = run_cli("run", "--dry-run", folder)
    assert result.returncode == 2 and "still the placeholder" in result.stderr and "TODO" in result.stderr
    again = run_cli("new", folder)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_new_takes_the_date_from_the_folder_name_and_the_next_number(tmp_path):
    import tomllib

    make_show(tmp_path)
    for slug, number in (("2024-06-13-een", 1), ("2024-09-12-twee", 7)):
        (tmp_path / "episodes" / slug).mkdir(parents=True)
        (tmp_path / "episodes" / slug / "episode.toml").write_text(f'title = "x"\nnumber = {number}\n')
    folder = tmp_path / "episodes" / "2025-01-16-slotevent"
    assert run_cli("new", folder).returncode == 0
    written = tomllib.loads((folder / "episode.toml").read_text(encoding="utf-8"))
    assert str(written["date"]) == "2025-01-16" and written["number"] == 8
    undated = tmp_path / "episodes" / "extra"
    assert run_cli("new", undated, "--date", "2025-02-01").returncode == 0
    written = tomllib.loads((undated / "episode.toml").read_text(encoding="utf-8"))
    assert str(written["date"]) == "2025-02-01" and written["number"] == 9
    result = run_cli("new", tmp_path / "episodes" / "2025-13-40-kapot")
    assert result.returncode == 2 and "not a date" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "episodes" / "2025-13-40-kapot").exists()


def test_bad_date_option_is_explained(tmp_path):
    result = run_cli("new", tmp_path / "ep", "--date", "13-06-2024")
    assert result.returncode == 2 and "expected a date like 2024-06-13" in result.stderr


def test_chapter_start_past_the_recording_stops_before_any_stage(tmp_path, demo_like_recording):
    from tests.helpers import make_episode

    recording, _ = demo_like_recording
    make_show(tmp_path)
    folder = make_episode(tmp_path, "ep", [recording], """
        [[people]]
        name = "Host"
        role = "host"
        [[chapters]]
        title = "Begin"
        [[chapters]]
        title = "Verder"
        start = "99:00:00"
        """)
    result = run_cli("run", folder)
    assert result.returncode == 2 and "chapters #2.start" in result.stderr and "past the end" in result.stderr
    assert not (folder / "work").exists()
