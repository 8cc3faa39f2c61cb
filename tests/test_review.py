"""The review studio (`pipeline review`, pipeline/review/): its JSON API on a real server, over real HTTP, on
an episode the real pipeline ran on; the results measured with ffprobe, lxml and the published files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
import tomllib
import urllib.request
import wave
from pathlib import Path

import numpy as np
import pytest
from lxml import etree

from tests.helpers import duration, ffprobe
from tests.review_studio import COMMENT, Studio, line_and_its_voice

from pipeline.review import peaks


@pytest.fixture
def studio(produced_episode):
    folder = produced_episode.fresh()
    server = Studio(folder)
    yield server, folder
    server.close()


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def feed_transcript(show: Path, slug: str) -> dict:
    """The Podcasting 2.0 JSON transcript the feed points to, read from the published folder."""
    tree = etree.parse(str(show / "feed" / "feed.xml"))
    ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
    urls = tree.xpath("//item/podcast:transcript[@type='application/json']/@url", namespaces=ns)
    assert len(urls) == 1, urls
    relative = urls[0].split("https://podcast.example.org/", 1)[1]
    return json.loads((show / "feed" / relative).read_text(encoding="utf-8"))


@pytest.mark.slow
def test_move_rename_correct_apply_all_land(studio, produced_episode):
    server, folder = studio
    episode = server.get("/api/episode")
    assert [c["title"] for c in episode["chapters"]][1].startswith("Marije en Mike")
    new_start = round(episode["chapters"][1]["start"] + 3.0, 3)
    status, body = server.request("PUT", "/api/chapters/2", {"start": new_start})
    assert status == 200, body

    # rename the voice of one line, and correct that same line: both must land (issue 12)
    line, voice, person = line_and_its_voice(episode)
    status, body = server.request("PUT", f"/api/voices/{voice['voice']}", {"name": person})
    assert status == 200, body
    new_text = "De redactie verbeterde deze regel over de Wijnhaven in Den Haag."
    status, body = server.request("PUT", f"/api/transcript/{line['n']}", {"text": new_text})
    assert status == 200, body

    result = server.apply()
    assert result["state"] == "done", result
    ran = {s["name"] for s in result["stages"] if s["status"] == "done"}
    assert {"speakers", "chapters", "transcripts", "editor", "tag", "publish"} <= ran
    assert not {"ingest", "normalise", "encode", "transcribe"} & ran  # only what the fixes touch

    chapters = ffprobe(folder / f"{folder.name}.mp3", "-show_chapters")["chapters"]
    assert abs(float(chapters[1]["start_time"]) - new_start) <= 0.05
    published = json.loads((folder / "chapters.json").read_text(encoding="utf-8"))["chapters"]
    assert abs(published[1]["startTime"] - new_start) <= 0.05

    segments = feed_transcript(produced_episode.show, folder.name)["segments"]
    text = " ".join(s["body"] for s in segments)
    assert "Wijnhaven in Den Haag." in text
    corrected = [s for s in segments if "Wijnhaven" in s["body"] or "redactie verbeterde" in s["body"]]
    assert corrected and all(s.get("speaker") == person for s in corrected), corrected
    markdown = (folder / "editor" / f"{folder.name}.md").read_text(encoding="utf-8")
    assert "Wijnhaven in Den Haag." in markdown and f"**{person}**" in markdown
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["transcript"]["corrections"]["not_placed"] == []
    assert report["transcript"]["corrections"]["placed"] == 1
    toml = (folder / "episode.toml").read_text(encoding="utf-8")
    assert COMMENT in toml
    assert tomllib.loads(toml)["speakers"] == {voice["voice"]: person}

    # the page's data follows: new start, name and text after a reload
    again = server.get("/api/episode")
    assert abs(again["chapters"][1]["start"] - new_start) <= 0.001
    assert any(new_text.split()[-1] in s["text"] for s in again["transcript"])


@pytest.mark.slow
def test_writes_need_the_token_and_bad_input_changes_no_file(studio):
    server, folder = studio
    episode = server.get("/api/episode")
    before = snapshot(folder)
    duration = episode["duration"]
    voice = episode["voices"][0]["voice"]
    cases = [
        ("PUT", "/api/chapters/2", {"start": 20.0}, False, None, 403),
        ("PUT", f"/api/voices/{voice}", {"name": "Presentator"}, False, None, 403),
        ("POST", "/api/apply", None, False, None, 403),
        ("PUT", "/api/chapters/2", {"start": duration + 5}, True, None, 422),
        ("PUT", "/api/chapters/2", {"start": "later"}, True, None, 400),
        ("PUT", "/api/chapters/9", {"start": 20.0}, True, None, 404),
        ("PUT", "/api/chapters/2", None, True, b"{start: 20", 400),
        ("PUT", "/api/chapters/2", None, True, b"[20]", 400),
        ("PUT", f"/api/voices/{voice}", {"name": "Iemand Anders"}, True, None, 422),
        ("PUT", "/api/voices/Spreker 99", {"name": "Presentator"}, True, None, 404),
        ("PUT", "/api/trim", {"start": 5.0, "end": 4.0}, True, None, 422),
        ("PUT", "/api/trim", {"start": 0.0, "end": 1e6}, True, None, 422),
        ("PUT", f"/api/transcript/{len(episode['transcript']) + 1}", {"text": "x"}, True, None, 404),
        ("PUT", "/api/transcript/1", {"words": "x"}, True, None, 400),
    ]
    for method, path, body, token, raw, expected in cases:
        status, answer = server.request(method, path, body, token=token, raw=raw)
        assert status == expected, (path, body, raw, answer)
        assert isinstance(answer["error"], str) and "\n" not in answer["error"] and answer["error"]
    status, _ = server.request("PUT", "/api/chapters/2", {"start": 20.0}, token=False,
                               headers={"X-Review-Token": "wrong"})
    assert status == 403
    assert snapshot(folder) == before


@pytest.mark.slow
def test_two_saves_at_once_lose_nothing_and_comments_survive(studio):
    server, folder = studio
    episode = server.get("/api/episode")
    people = [p["name"] for p in episode["people"]]
    starts = [c["start"] for c in episode["chapters"]]
    saves = [("/api/chapters/2", {"start": round(starts[1] + 1.0, 3)}),
             ("/api/chapters/3", {"start": round(starts[2] + 1.0, 3)}),
             ("/api/trim", {"start": 1.0, "end": None})]
    saves += [(f"/api/voices/{v['voice']}", {"name": people[i % len(people)]})
              for i, v in enumerate(episode["voices"])]
    barrier = threading.Barrier(len(saves))
    answers = []

    def put(path, body):
        barrier.wait()
        answers.append(server.request("PUT", path, body))

    threads = [threading.Thread(target=put, args=save) for save in saves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in answers] == [200] * len(saves), answers
    text = (folder / "episode.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["chapters"][1]["start"] == _clock(starts[1] + 1.0)
    assert data["chapters"][2]["start"] == _clock(starts[2] + 1.0)
    assert data["trim"] == {"start": "00:00:01.000"}
    assert data["speakers"] == {v["voice"]: people[i % len(people)] for i, v in enumerate(episode["voices"])}
    assert COMMENT in text and text.count("[[people]]") == len(people)


def _clock(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


@pytest.mark.slow
def test_a_file_changed_since_the_page_loaded_is_not_overwritten(studio):
    server, folder = studio
    episode = server.get("/api/episode")
    versions = episode["versions"]
    toml = folder / "episode.toml"
    theirs = toml.read_text(encoding="utf-8") + "# added by someone else in an editor\n"
    toml.write_text(theirs, encoding="utf-8")
    status, answer = server.request("PUT", "/api/chapters/2", {"start": 20.0, "version": versions["episode"]})
    assert status == 409 and "changed on disk" in answer["error"]
    assert toml.read_text(encoding="utf-8") == theirs
    kept = list((folder / "review").glob("rejected-*-episode.toml"))
    assert len(kept) == 1 and 'start = "00:00:20.000"' in kept[0].read_text(encoding="utf-8")

    corrections = folder / "transcript" / "corrections.txt"
    edited = corrections.read_text(encoding="utf-8").replace("\n\n", "\n\n# een notitie van de redactie\n", 1)
    corrections.write_text(edited, encoding="utf-8")
    status, answer = server.request("PUT", "/api/transcript/1", {"text": "Goedenavond allemaal."},
                                    headers={"If-Match": versions["corrections"]})
    assert status == 409 and "corrections.txt" in answer["error"]
    assert corrections.read_text(encoding="utf-8") == edited
    kept = list((folder / "review").glob("rejected-*-corrections.txt"))
    assert len(kept) == 1 and "Goedenavond allemaal." in kept[0].read_text(encoding="utf-8")
    # with the version it now has, the same save goes through and keeps the editor's note
    fresh = server.get("/api/episode")["versions"]
    status, _ = server.request("PUT", "/api/transcript/1", {"text": "Goedenavond allemaal.",
                                                             "version": fresh["corrections"]})
    assert status == 200
    text = corrections.read_text(encoding="utf-8")
    assert "# een notitie van de redactie" in text and "Goedenavond allemaal." in text


@pytest.mark.slow
def test_waves_and_players_without_the_work_audio(studio, produced_episode):
    """After `pipeline clean` (no audio left in work/) the page still draws and plays both timelines: the
    published MP3, and the recording from its source file."""
    server, folder = studio
    for path in (folder / "work").iterdir():
        if path.suffix in (".wav", ".flac", ".mp3"):
            path.unlink()
    mp3, source = folder / f"{folder.name}.mp3", next(folder.glob("*.flac"))
    published = server.get("/api/peaks?timeline=published&buckets=500")
    recording = server.get("/api/peaks?timeline=recording&buckets=500")
    assert published["duration"] == pytest.approx(duration(mp3), abs=0.1)
    assert recording["duration"] == pytest.approx(duration(source), abs=0.1)
    assert len(published["max"]) == 500 and max(published["max"]) > 0.3 and min(published["min"]) < -0.3
    request = urllib.request.Request(server.base + "/media/recording", headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 206 and response.headers["Content-Type"] == "audio/flac"
        assert response.read() == source.read_bytes()[100:200]


def test_peaks_are_the_extremes_of_each_stretch(tmp_path):
    rate = 16000
    t = np.arange(rate * 4) / rate
    signal = np.where(t < 2, 0.5, 0.25) * np.sin(2 * np.pi * 220 * t)
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((signal * 32767).astype("<i2").tobytes())
    flac = tmp_path / "tone.flac"  # the proxy's format
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), str(flac)], check=True)
    for files in ([path], [flac]):
        result = peaks.peaks(files, buckets=8)
        assert result["duration"] == pytest.approx(4.0)
        assert result["max"] == pytest.approx([0.5] * 4 + [0.25] * 4, abs=0.01)
        assert result["min"] == pytest.approx([-0.5] * 4 + [-0.25] * 4, abs=0.01)
    joined = peaks.peaks([path, flac], buckets=4)  # a recording in two parts: one after the other
    assert joined["duration"] == pytest.approx(8.0)
    assert joined["max"] == pytest.approx([0.5, 0.25, 0.5, 0.25], abs=0.01)


def test_review_of_a_folder_without_episode_is_one_line_and_exit_2(tmp_path):
    from tests.helpers import run_cli

    result = run_cli("review", tmp_path / "nothing-here")
    assert result.returncode == 2
    assert "episode folder not found" in result.stderr and len(result.stderr.strip().splitlines()) == 1
