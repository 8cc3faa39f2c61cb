"""The editors' corrections file (pipeline/transcript_corrections.py): edits found, placed, realigned."""

from __future__ import annotations

import pytest

from pipeline import transcript_corrections as corr
from pipeline.errors import InputError
from pipeline.transcript import Segment, Transcript, Word


def segment(i: int, start: float, text: str, speaker: str = "unknown") -> Segment:
    words = tuple(Word(round(start + k * 0.5, 3), round(start + k * 0.5 + 0.4, 3), " " + t, 0.7)
                  for k, t in enumerate(text.split()))
    return Segment(id=i, start=start, end=words[-1].end, text=" " + text, words=words, speaker=speaker)


MACHINE = Transcript(language="nl", duration=40.0, segments=(
    segment(0, 1.25, "Goedenavond en welkom bij Berger Centraal.", "Presentator"),
    segment(1, 6.5, "We beginnen met Marijen Boelach.", "Presentator"),
    segment(2, 12.0, "Ik werk in Amsterdam na het hoogst.", "Spreker 2"),
    segment(3, 20.0, "Ondertiteling door de gemeenschap.", "unknown"),
))


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_render_and_parse_round_trip():
    text = corr.render(MACHINE, "Burger Centraal")
    entries = corr.parse(text, "corrections.txt")
    assert [(e.key, e.speaker, e.text) for e in entries] == [
        ("00:00:01.250", "Presentator", "Goedenavond en welkom bij Berger Centraal."),
        ("00:00:06.500", "Presentator", "We beginnen met Marijen Boelach."),
        ("00:00:12.000", "Spreker 2", "Ik werk in Amsterdam na het hoogst."),
        ("00:00:20.000", "", "Ondertiteling door de gemeenschap.")]
    assert corr.corrections(entries, corr.base_of(MACHINE, text, "a"), MACHINE) == []


def test_edits_flow_into_the_transcript():
    text = corr.render(MACHINE, "Burger Centraal")
    base = corr.base_of(MACHINE, text, "a")
    edited = edit(text, "welkom bij Berger Centraal.", "welkom bij Burger Centraal.")
    edited = edit(edited, "[00:00:12.000] Spreker 2\nIk werk in Amsterdam na het hoogst.",
                  "[00:00:12.000] Marije Boerlaagh\nIk werk in Amsterdam Zuidoost.")
    edited = edit(edited, "Ondertiteling door de gemeenschap.\n", "\n")
    assert not corr.untouched(edited, base) and corr.untouched(text, base)
    found = corr.corrections(corr.parse(edited, "c.txt"), base, MACHINE)
    assert [(c.key, c.text, c.speaker) for c in found] == [
        ("00:00:01.250", "Goedenavond en welkom bij Burger Centraal.", None),
        ("00:00:12.000", "Ik werk in Amsterdam Zuidoost.", "Marije Boerlaagh"),
        ("00:00:20.000", "", None)]
    placements = corr.place(MACHINE, found)
    assert [p.how for p in placements] == ["key", "key", "key"]
    result = corr.apply(MACHINE, placements)
    assert [s.text for s in result.segments] == [
        " Goedenavond en welkom bij Burger Centraal.", " We beginnen met Marijen Boelach.",
        " Ik werk in Amsterdam Zuidoost."]
    assert [s.corrected for s in result.segments] == [True, False, True]
    assert result.segments[2].speaker == "Marije Boerlaagh"
    # unchanged words keep their machine times; the new ones share the time of what they replace
    first = result.segments[0].words
    assert [w.start for w in first[:4]] == [w.start for w in MACHINE.segments[0].words[:4]]
    assert first[-1].text == " Centraal." and first[-2].text == " Burger"
    third = result.segments[2].words
    assert third[-1].text == " Zuidoost." and third[-1].end == MACHINE.segments[2].words[-1].end
    assert all(a.end <= b.start + 1e-9 for a, b in zip(third, third[1:]))


def test_a_moved_timeline_places_by_text_or_reports(tmp_path):
    text = corr.render(MACHINE, "Burger Centraal")
    base = corr.base_of(MACHINE, text, "a")
    edited = edit(text, "welkom bij Berger Centraal.", "welkom bij Burger Centraal.")
    edited = edit(edited, "Marijen Boelach.", "Marije Boerlaagh.")
    found = corr.corrections(corr.parse(edited, "c.txt"), base, MACHINE)
    # a new trim moved everything 1.2 s earlier, and the second segment was heard differently this time
    shifted = Transcript(language="nl", duration=38.8, segments=(
        segment(0, 0.05, "Goedenavond en welkom bij Berger Centraal."),
        segment(1, 5.3, "We beginnen met Marije Boela."),
    ))
    placements = corr.place(shifted, found)
    assert [(p.how, p.segment_start) for p in placements] == [("text", 0.05), ("", None)]
    assert "line" in placements[1].correction.describe() and "Marije Boerlaagh" in placements[1].correction.describe()
    result = corr.apply(shifted, placements)
    assert result.segments[0].text == " Goedenavond en welkom bij Burger Centraal."
    assert result.segments[1].text == " We beginnen met Marije Boela."  # never pasted on the wrong audio


def test_same_key_but_other_words_is_not_placed():
    text = corr.render(MACHINE, "t")
    base = corr.base_of(MACHINE, text, "a")
    found = corr.corrections(corr.parse(edit(text, "Marijen Boelach.", "Marije Boerlaagh."), "c"), base, MACHINE)
    longer = Transcript(language="nl", duration=40.0, segments=(
        segment(0, 6.5, "Iets heel anders dat veel langer duurt dan het stuk dat de redactie zag en nog langer."),))
    assert corr.place(longer, found)[0].segment_start is None


def test_without_base_changes_are_found_against_the_transcript():
    text = edit(corr.render(MACHINE, "t"), "Berger", "Burger")
    found = corr.corrections(corr.parse(text, "c"), None, MACHINE)
    assert [c.key for c in found] == ["00:00:01.250"]


def test_parse_errors_name_file_and_line():
    with pytest.raises(InputError, match=r"c.txt: line 1: text before the first \[time\] line"):
        corr.parse("losse tekst\n[00:00:01.000]\nHallo\n", "c.txt")
    with pytest.raises(InputError, match="line 3: .* damaged"):
        corr.parse("[00:00:01.000]\nHallo\n[00:01.000] Presentator\nTekst\n", "c.txt")


def test_realign_inserts_and_deletes():
    words = MACHINE.segments[1].words  # We beginnen met Marijen Boelach.
    out = corr.realign(words, "En we beginnen vanavond met Marije Boerlaagh.", 6.5, 9.0)
    assert "".join(w.text for w in out) == " En we beginnen vanavond met Marije Boerlaagh."
    assert all(w.start <= w.end for w in out)
    assert all(a.start <= b.start for a, b in zip(out, out[1:]))
    assert out[1].start == words[0].start and out[4].start == words[2].start
    assert corr.realign(words, "", 6.5, 9.0) == ()


def test_a_correction_lands_when_a_pinned_voice_splits_its_segment():
    """Issue 12: a voice renamed and a line corrected in the same run both land. Naming a voice splits a
    segment where two voices that had the same name now differ; the correction follows its words."""
    from pipeline.timeline import label

    raw = Transcript(language="nl", duration=40.0, segments=(
        segment(0, 1.0, "Dank je wel. Ik werk in Amsterdam na het hoogst."),
        segment(1, 8.0, "Dat is mooi."),
    ))
    turns = [{"start": 0.0, "end": 2.45, "voice": "Spreker 1"}, {"start": 2.45, "end": 7.9, "voice": "Spreker 2"},
             {"start": 7.9, "end": 40.0, "voice": "Spreker 1"}]
    before = label(raw, {"turns": turns, "voices": {"Spreker 1": {"name": "Presentator"},
                                                    "Spreker 2": {"name": "Presentator"}}})
    assert len(before.segments) == 2  # one name for both voices: the first segment is not split
    text = corr.render(before, "t")
    base = corr.base_of(before, text, "a")
    edited = edit(text, "Amsterdam na het hoogst.", "Amsterdam Zuidoost.")
    after = label(raw, {"turns": turns, "voices": {"Spreker 1": {"name": "Presentator"},
                                                   "Spreker 2": {"name": "Marije Boerlaagh"}}})
    assert [s.text.strip() for s in after.segments] == ["Dank je wel.", "Ik werk in Amsterdam na het hoogst.",
                                                        "Dat is mooi."]
    found = corr.corrections(corr.parse(edited, "c.txt"), base, after)
    placements = corr.place(after, found)
    assert [p.how for p in placements] == ["key"]
    result = corr.apply(after, placements)
    assert [(s.speaker, s.text.strip(), s.corrected) for s in result.segments] == [
        ("Presentator", "Dank je wel.", True),
        ("Marije Boerlaagh", "Ik werk in Amsterdam Zuidoost.", True),
        ("Presentator", "Dat is mooi.", False)]
    assert result.segments[1].words[-1].end == after.segments[1].words[-1].end


def test_a_correction_inside_a_longer_segment_splits_it_there():
    whole = Transcript(language="nl", duration=40.0, segments=(segment(0, 1.0, "Dank je wel. Ik werk hier."),))
    part = Transcript(language="nl", duration=40.0, segments=(
        segment(0, 1.0, "Dank je wel."), segment(1, 2.5, "Ik werk hier.")))
    text = corr.render(part, "t")
    found = corr.corrections(corr.parse(edit(text, "Ik werk hier.", "Ik werk daar."), "c"),
                             corr.base_of(part, text, "a"), whole)
    result = corr.apply(whole, corr.place(whole, found))
    assert [(s.start, s.text, s.corrected) for s in result.segments] == [
        (1.0, " Dank je wel.", False), (2.5, " Ik werk daar.", True)]
