"""The transcripts stage through the engine on a hand-made raw transcript (no Whisper): every format written,
speaker names and chapter headings used when their files exist, the editors' corrections flowing into every
format, never overwritten, and reported when a new timeline leaves them without a place."""

from __future__ import annotations

import json
import textwrap

import pytest
import srt
import webvtt

from pipeline import fsutil
from pipeline.engine import Engine, load_context
from pipeline.stages import transcripts
from pipeline.transcript import Segment, Transcript, Word
from tests.helpers import make_episode, make_show

SLUG = "2024-06-13-test"


def segment(i: int, start: float, text: str) -> Segment:
    words = tuple(Word(round(start + k * 0.4, 3), round(start + k * 0.4 + 0.35, 3), " " + t, 0.8)
                  for k, t in enumerate(text.split()))
    return Segment(id=i, start=start, end=words[-1].end, text=" " + text, words=words)


LINES = [(1.0, "Goedenavond allemaal, en welkom bij Berger Centraal."),
         (5.0, "We beginnen met Marijen Boelach en Mika Brandjes."),
         (10.0, "Ik werk in Amsterdam na het hoogst."),
         (14.0, "Ik woon al twintig jaar in de kabuurt."),
         (20.0, "Dank jullie wel, Marije en Mike.")]


def raw_transcript(shift: float = 0.0, audio: str = "audio-1") -> Transcript:
    return Transcript(language="nl", duration=30.0, model="embedded whisper-base",
                      segments=tuple(segment(i, round(t + shift, 3), text) for i, (t, text) in enumerate(LINES)),
                      meta={"input_sha256": audio, "guards": {"removed": {"phrases": 1}}, "windows": {"total": 1}})


@pytest.fixture
def episode(tmp_path):
    show = tmp_path / "show"
    make_show(show)
    (tmp_path / "recording.wav").write_bytes(b"RIFF")
    folder = make_episode(show, SLUG, [tmp_path / "recording.wav"], body=textwrap.dedent("""
        [[people]]
        name = "Marije Boerlaagh"
        [[people]]
        name = "Mike Brantjes"
        [[chapters]]
        title = "Opening"
        [[chapters]]
        title = "Marije en Mike"
        """))
    raw_transcript().save(folder / "work" / "transcript.raw.json")
    return folder


def run(folder):
    engine = Engine(load_context(folder), [transcripts])
    results = engine.run()
    return results[0].status, json.loads((folder / "report.json").read_text())


def out(folder, kind: str) -> str:
    return (folder / "transcript" / f"{SLUG}.{kind}").read_text(encoding="utf-8")


def test_every_format_and_the_report(episode):
    status, report = run(episode)
    assert status == "done"
    assert report["outputs"]["transcripts"] == {"vtt": f"transcript/{SLUG}.vtt", "srt": f"transcript/{SLUG}.srt",
                                                "json": f"transcript/{SLUG}.json", "txt": f"transcript/{SLUG}.txt",
                                                "words": f"transcript/{SLUG}.words.json"}
    assert report["transcript"]["words"] == sum(len(t.split()) for _, t in LINES)
    assert report["transcript"]["guards"] == {"removed": {"phrases": 1}}
    assert len(list(webvtt.read(str(episode / "transcript" / f"{SLUG}.vtt")))) >= 5
    assert len(list(srt.parse(out(episode, "srt")))) >= 5
    assert json.loads(out(episode, "json"))["version"] == "1.0.0"
    words = Transcript.load(episode / "transcript" / f"{SLUG}.words.json")
    assert [s.text for s in words.segments] == [" " + t for _, t in LINES]
    assert (episode / "transcript" / "corrections.txt").read_text(encoding="utf-8").count("[00:00:") == 5
    assert run(episode)[0] == "skipped"


def test_speaker_names_and_chapter_headings_when_their_files_exist(episode):
    fsutil.write_json(episode / "work" / "speakers.json", {
        "version": 1,
        "turns": [{"start": 0.0, "end": 9.5, "voice": "Spreker 1"}, {"start": 9.5, "end": 13.8, "voice": "Spreker 2"},
                  {"start": 13.8, "end": 30.0, "voice": "Spreker 3"}],
        "voices": {"Spreker 1": {"name": "Presentator"}, "Spreker 2": {"name": "Marije Boerlaagh"},
                   "Spreker 3": {"name": "Spreker 3"}}})
    fsutil.write_json(episode / "work" / "chapters.json", [
        {"index": 0, "title": "Opening", "start": 0.0, "end": 9.8, "confidence": 1.0, "evidence": []},
        {"index": 1, "title": "Marije en Mike", "start": 9.8, "end": 30.0, "confidence": 0.9, "evidence": []}])
    status, _ = run(episode)
    assert status == "done"
    voices = [c.voice for c in webvtt.read(str(episode / "transcript" / f"{SLUG}.vtt"))]
    assert voices[0] == "Presentator" and "Marije Boerlaagh" in voices and voices[-1] == "Spreker 3"
    text = out(episode, "txt")
    assert "## 00:00 Opening" in text and "## 00:09 Marije en Mike" in text
    assert "[00:10] Marije Boerlaagh: Ik werk in Amsterdam" in text
    assert text.index("## 00:09 Marije en Mike") < text.index("[00:10] Marije Boerlaagh")
    # the editors' file follows the names while nobody has edited it
    assert "[00:00:10.000] Marije Boerlaagh\nIk werk" in (episode / "transcript" / "corrections.txt").read_text()


def test_corrections_flow_into_every_format_and_are_never_overwritten(episode):
    run(episode)
    path = episode / "transcript" / "corrections.txt"
    edited = (path.read_text(encoding="utf-8")
              .replace("welkom bij Berger Centraal.", "welkom bij Burger Centraal.")
              .replace("[00:00:10.000]\nIk werk in Amsterdam na het hoogst.",
                       "[00:00:10.000] Marije Boerlaagh\nIk werk in Amsterdam Zuidoost."))
    path.write_text(edited, encoding="utf-8")
    status, report = run(episode)
    assert status == "done"
    corrections = report["transcript"]["corrections"]
    assert (corrections["edited"], corrections["corrections"], corrections["placed"]) == (True, 2, 2)
    vtt = " ".join(c.text.replace("\n", " ") for c in webvtt.read(str(episode / "transcript" / f"{SLUG}.vtt")))
    subs = " ".join(s.content.replace("\n", " ") for s in srt.parse(out(episode, "srt")))
    body = " ".join(s["body"] for s in json.loads(out(episode, "json"))["segments"])
    for text in (vtt, subs, body, out(episode, "txt")):
        assert "Burger Centraal" in text and "Berger" not in text
        assert "Amsterdam Zuidoost" in text and "hoogst" not in text
    assert "Marije Boerlaagh: Ik werk in Amsterdam Zuidoost." in out(episode, "srt").replace("\n", " ")
    words = Transcript.load(episode / "transcript" / f"{SLUG}.words.json")
    assert words.segments[2].corrected and words.segments[2].speaker == "Marije Boerlaagh"
    assert words.segments[2].words[-1].text == " Zuidoost."
    # a new run of transcribe (same audio) never touches the edited file
    raw_transcript().save(episode / "work" / "transcript.raw.json")
    assert run(episode)[0] == "skipped"
    fsutil.write_json(episode / "work" / "transcript.raw.json", {**raw_transcript().to_dict(), "model": "other"})
    assert run(episode)[0] == "done"
    assert path.read_text(encoding="utf-8") == edited


def test_a_new_timeline_says_what_happened_to_the_corrections(episode):
    run(episode)
    path = episode / "transcript" / "corrections.txt"
    edited = (path.read_text(encoding="utf-8")
              .replace("welkom bij Berger Centraal.", "welkom bij Burger Centraal.")
              .replace("kabuurt.", "K-Buurt."))
    path.write_text(edited, encoding="utf-8")
    # a new trim: everything 0.8 s earlier, and the fourth segment was heard differently this time
    shifted = raw_transcript(shift=-0.8, audio="audio-2")
    segments = list(shifted.segments)
    segments[3] = segment(3, segments[3].start, "Ik woon al twintig jaar in de kaburt.")
    Transcript(language="nl", duration=29.2, segments=tuple(segments), meta=shifted.meta).save(
        episode / "work" / "transcript.raw.json")
    status, report = run(episode)
    assert status == "done"
    corrections = report["transcript"]["corrections"]
    assert (corrections["placed"], corrections["moved"], len(corrections["not_placed"])) == (1, 1, 1)
    warnings = " ".join(report["warnings"])
    assert "1 of 2 corrections could not be placed" in warnings and "the audio changed" in warnings
    assert "[00:00:14.000]" in warnings and "K-Buurt" in warnings
    assert "placed on the segment with the same machine text" in warnings
    assert "Burger Centraal" in out(episode, "vtt") and "K-Buurt" not in out(episode, "vtt")
    assert path.read_text(encoding="utf-8") == edited  # kept as the editor left it
