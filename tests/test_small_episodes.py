"""Episodes without a running order, and with one person, run through the real CLI to a published episode.

Issue 9: an episode without [[chapters]] failed in the tag stage ("did not write .../chapters.json").
The recording is a ~25 s espeak show of one voice with chatter before and applause after; the checks read
the outputs with independent tools (ffprobe, mutagen, feedparser).
"""

from __future__ import annotations

import json

import feedparser
import pytest
from mutagen.id3 import ID3

from showgen import synth
from tests.helpers import ffprobe, make_episode, make_show, run_cli

pytestmark = pytest.mark.slow

HOST = synth.Voice("Anne de Vries", "nl+klatt", pitch=50)
SOLO_SCENE = synth.Scene(events=(
    synth.Chatter(6.0, seed=5), synth.Pause(1.0),
    synth.Say(HOST, "Goedenavond allemaal, en welkom bij Burger Centraal.", 0.0, "Opening"),
    synth.Say(HOST, "Dit is de live podcast van Ambtenaar van Nu.", 0.5),
    synth.Say(HOST, "We zijn vanavond bij EMMA in Den Haag.", 0.5),
    synth.Say(HOST, "De verhalen van vanavond komen ook in ons magazine.", 0.6),
    synth.Say(HOST, "Dank jullie wel voor het luisteren, en tot ziens.", 0.6),
    synth.Applause(3.0),
))


@pytest.fixture(scope="module")
def solo_recording(render_scene):
    return render_scene(SOLO_SCENE, "solo.flac")


def run_to_published(tmp_path, recording, body: str):
    make_show(tmp_path)
    folder = make_episode(tmp_path, "solo", [recording], body)
    proc = run_cli("run", folder)
    assert proc.returncode == 0, proc.stderr[-2000:]
    feed = feedparser.parse((tmp_path / "feed" / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries] == ["Testaflevering"]
    assert feed.entries[0].enclosures[0].type == "audio/mpeg"
    mp3 = folder / "solo.mp3"
    assert float(ffprobe(mp3, "-show_format")["format"]["duration"]) > 15
    return folder, feed.entries[0]


def test_an_episode_without_people_or_chapters_publishes_without_chapter_marks(tmp_path, solo_recording):
    recording, _ = solo_recording
    folder, entry = run_to_published(tmp_path, recording, "")
    mp3 = folder / "solo.mp3"
    assert ffprobe(mp3, "-show_chapters")["chapters"] == []
    assert not ID3(mp3).getall("CHAP") and not ID3(mp3).getall("CTOC")
    assert not (folder / "chapters.json").exists()
    assert "chapters" not in json.loads((folder / "report.json").read_text())["outputs"]
    assert not [link for link in entry.get("podcast_chapters", [])]
    assert (folder / "transcript" / "solo.vtt").read_text().startswith("WEBVTT")


def test_an_episode_with_one_person_and_one_chapter_publishes(tmp_path, solo_recording):
    recording, _ = solo_recording
    body = """
        [[people]]
        name = "Anne de Vries"
        role = "host"
        [[chapters]]
        title = "Het hele gesprek"
        people = ["Anne de Vries"]
        """
    folder, _ = run_to_published(tmp_path, recording, body)
    chapters = ffprobe(folder / "solo.mp3", "-show_chapters")["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["Het hele gesprek"]
    assert float(chapters[0]["start_time"]) == 0.0
    published = json.loads((folder / "chapters.json").read_text())
    assert [c["title"] for c in published["chapters"]] == ["Het hele gesprek"]
    text = (folder / "transcript" / "solo.txt").read_text()
    assert "Anne de Vries:" in text
