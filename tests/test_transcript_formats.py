"""Transcript formats from a hand-made transcript, read back with independent parsers (webvtt-py, srt, json)."""

from __future__ import annotations

import json

import srt
import webvtt

from pipeline import transcript_formats as fmt
from pipeline.transcript import Segment, Transcript, Word


def segment(i: int, start: float, text: str, speaker: str = "unknown", step: float = 0.35) -> Segment:
    words, t = [], start
    for token in text.split():
        words.append(Word(round(t, 3), round(t + step - 0.05, 3), " " + token, 0.8))
        t += step
    return Segment(id=i, start=start, end=words[-1].end, text=" " + text, words=tuple(words), speaker=speaker)


LONG = ("Wij hebben in de K-Buurt een participatieverordening geschreven met de bewoners zelf, en dat was "
        "niet altijd makkelijk, want iedereen wilde iets anders en de gemeente moest ook nog meedoen.")
TRANSCRIPT = Transcript(language="nl", duration=60.0, segments=(
    segment(0, 1.0, "Goedenavond allemaal, en welkom bij Burger Centraal.", "Presentator"),
    segment(1, 5.0, "We beginnen met Marije Boerlaagh en Mike Brantjes.", "Presentator"),
    segment(2, 9.0, LONG, "Mike Brantjes"),
    segment(3, 30.0, "Dat herken ik <echt> & helemaal.", "Marije Boerlaagh"),
    segment(4, 33.0, "Applaus voor allebei.", "unknown"),
))


def test_webvtt_parses_and_respects_the_limits(tmp_path):
    path = tmp_path / "t.vtt"
    path.write_text(fmt.webvtt(TRANSCRIPT), encoding="utf-8")
    captions = list(webvtt.read(str(path)))
    assert len(captions) >= 6  # the long turn is split over several cues
    for caption in captions:
        lines = caption.text.split("\n")
        assert 1 <= len(lines) <= 2
        assert all(len(line) <= 42 for line in lines), lines
        assert caption.end_in_seconds - caption.start_in_seconds <= 7.5
    voices = [c.voice for c in captions]
    assert voices[0] == "Presentator" and "Mike Brantjes" in voices and voices[-1] is None
    # the words come back in order, escaped text intact
    text = " ".join(c.text.replace("\n", " ") for c in captions)
    assert "Dat herken ik &lt;echt&gt; &amp; helemaal." in text
    assert " ".join(text.split()).startswith("Goedenavond allemaal, en welkom bij Burger Centraal.")


def test_times_are_monotonic_and_inside_the_segments():
    cues = fmt.cues(TRANSCRIPT)
    for a, b in zip(cues, cues[1:]):
        assert a.start < a.end <= b.start
    assert cues[0].start == 1.0 and cues[-1].end <= 60.0


def test_srt_parses_and_names_each_speaker_turn_once():
    subtitles = list(srt.parse(fmt.srt(TRANSCRIPT)))
    assert [s.index for s in subtitles] == list(range(1, len(subtitles) + 1))
    named = [s.content.split(":")[0] for s in subtitles if ":" in s.content.split("\n")[0]]
    assert named == ["Presentator", "Mike Brantjes", "Marije Boerlaagh"]
    assert subtitles[1].content.startswith("We beginnen")  # same speaker continues: no name again
    for sub in subtitles:
        assert all(len(line) <= 42 for line in sub.content.split("\n")), sub.content
        assert sub.start < sub.end


def test_podcasting_json_shape():
    data = json.loads(fmt.podcast_json(TRANSCRIPT))
    assert data["version"] == "1.0.0"
    assert set(data) == {"version", "segments"}
    for item in data["segments"]:
        assert set(item) <= {"speaker", "startTime", "endTime", "body"}
        assert isinstance(item["startTime"], float) and item["startTime"] < item["endTime"]
        assert item["body"].strip()
    assert data["segments"][0]["speaker"] == "Presentator"
    assert "speaker" not in data["segments"][-1]  # unknown speaker: no name at all


def test_plain_text_has_headings_turns_and_timestamps():
    text = fmt.plain_text(TRANSCRIPT, "Burger Centraal", [fmt.Heading("Opening", 0.0),
                                                          fmt.Heading("Marije en Mike", 9.0)])
    lines = [line for line in text.splitlines() if line]
    assert lines[0] == "Burger Centraal"
    assert lines[2] == "## 00:00 Opening"
    assert lines[3].startswith("[00:01] Presentator: Goedenavond allemaal") and "We beginnen" in lines[3]
    assert lines[4] == "## 00:09 Marije en Mike"
    assert lines[5].startswith("[00:09] Mike Brantjes: Wij hebben")
    assert lines[6].startswith("[00:30] Marije Boerlaagh: Dat herken ik")
    assert lines[7] == "[00:33] Applaus voor allebei."


def test_a_long_pause_starts_a_new_paragraph():
    transcript = Transcript(language="nl", duration=100.0, segments=(
        segment(0, 1.0, "Eerste gedachte.", "Presentator"), segment(1, 40.0, "Later verder.", "Presentator")))
    paragraphs = [item for kind, item in fmt.paragraphs(transcript) if kind == "paragraph"]
    assert [p[0] for p in paragraphs] == [1.0, 40.0]


def test_segment_without_word_times_is_spread_over_its_span():
    transcript = Transcript(language="nl", duration=10.0, segments=(
        Segment(id=0, start=2.0, end=4.0, text=" Door de redactie ingevoegd.", corrected=True),))
    cues = fmt.cues(transcript)
    assert cues[0].start == 2.0 and cues[-1].end == 4.0
    assert cues[0].body == "Door de redactie ingevoegd."


def test_balance_prefers_even_lines_and_keeps_names_together():
    assert fmt.balance("Dit is de live podcast van Ambtenaar van Nu.".split()) == [
        "Dit is de live podcast", "van Ambtenaar van Nu."]
    lines = fmt.balance("We beginnen met Marije Boerlaagh en Mike Brantjes.".split())
    assert "Marije Boerlaagh" in " | ".join(lines) and all(len(line) <= 42 for line in lines)
    assert fmt.balance(["kort"]) == ["kort"]
