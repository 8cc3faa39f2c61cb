"""The closing from the host's voice turns: the host takes the floor back and keeps it to the end while the
guests are done. A right closing without a closing phrase is no CHECK; a cut where a guest still speaks after it
is not sure. Pure: hand-made transcripts and turns (tests/stages/test_chapters.py builds them)."""

from __future__ import annotations

import pytest

from pipeline import chaptering as ch
from pipeline.chaptering.phrases import HANDOVER_PHRASES, find_names, find_phrases, tokens_of
from pipeline.chaptering.scoring import not_names
from pipeline.chaptering.voices import Talk, Voices, host_keeps_floor
from pipeline.timeline import Turn
from tests.stages.test_chapters import (CUES, HOST, JORNT, MARIJE, MIKE, OPENING, PART_1, PART_2, STEVEN, Line,
                                        assert_honest, build)

NAMES = {HOST: "Presentator", MARIJE: "Marije Boerlaagh", MIKE: "Mike Brantjes", JORNT: "Jornt van Zuijlen",
         STEVEN: "Steven Blok"}
# a closing with no closing phrase and no thanks: the host just goes on alone
PLAIN_CLOSING = [
    Line(HOST, "De verhalen van vanavond komen ook in ons magazine.", pause=1.5, starts_chapter=True),
    Line(HOST, "Volgende maand zijn we in het stadhuis van Utrecht."),
    Line(HOST, "Neem gerust nog iets te drinken aan de bar."),
]


def detect(show, names=None):
    return ch.detect(show.transcript, CUES, breaks=show.breaks, turns=show.turns, duration=show.duration,
                     names=names)


def test_talk_counts_overlapping_turns_once():
    talk = Talk([Turn(0.0, 10.0, "a"), Turn(5.0, 12.0, "a"), Turn(40.0, 50.0, "a")])
    assert talk.total == pytest.approx(22.0)
    assert talk.before(11.0) == pytest.approx(11.0)
    assert talk.before(30.0) == pytest.approx(12.0)
    assert talk.after(45.0) == pytest.approx(5.0)
    assert Talk([]).before(3.0) == 0.0


def test_the_floor_is_the_hosts_only_once_the_guests_are_done():
    turns = [Turn(0, 10, "s1"), Turn(12, 22, "s2"), Turn(23, 30, "s1"), Turn(31, 40, "s3"), Turn(42, 50, "s1")]
    voices = Voices(turns, {"s1": "Host", "s2": "Gast", "s3": "Andere gast"})
    assert host_keeps_floor(voices, 41.0, ["Host"]) == pytest.approx(1.0)
    assert host_keeps_floor(voices, 46.0, ["Host"]) == pytest.approx(1.0)  # level to the end
    assert host_keeps_floor(voices, 48.0, ["Host"]) is None  # too little talk after it to tell
    inside = host_keeps_floor(voices, 35.0, ["Host"])  # a guest still speaks after it
    assert inside is not None and inside < 0.75
    assert host_keeps_floor(voices, 41.0, ["Niemand"]) is None  # no voice named after the closing's people
    assert host_keeps_floor(Voices(turns), 41.0, ["Host"]) is None  # no names at all
    # the host's voice split in two, both named the host: one person, who keeps the floor
    split = Voices(turns + [Turn(44, 49, "s4")], {"s1": "Host", "s4": "Host", "s2": "Gast", "s3": "Andere gast"})
    assert host_keeps_floor(split, 41.0, ["Host"]) == pytest.approx(1.0)


def test_a_closing_without_a_closing_phrase_is_sure_when_the_host_keeps_the_floor():
    show = build(OPENING + PART_1 + PART_2 + PLAIN_CLOSING)
    without_names = detect(show)
    with_names = detect(show, NAMES)
    assert abs(with_names[3].start - show.truth[3]) <= 1.0
    assert without_names[3].low_confidence  # what the demo printed: a right closing at 0.22
    assert not with_names[3].low_confidence, with_names[3]
    assert any("keep(s) the floor" in e for e in with_names[3].evidence)
    assert [b.start for b in with_names[:3]] == [b.start for b in without_names[:3]]  # parts are untouched


def test_a_guest_speaking_after_the_host_s_lines_moves_the_closing_or_keeps_it_unsure():
    """The host says a few words, a guest answers once more, then the host closes: the closing starts after
    that answer; a cut before it (the host's first words) is no closing, whatever the pause."""
    late_answer = [Line(HOST, "Steven, nog een laatste woord?", pause=3.0),
                   Line(STEVEN, "Kom naar de buurt en luister, dat is alles."),
                   *PLAIN_CLOSING]
    show = build(OPENING + PART_1 + PART_2 + late_answer)
    boundaries = detect(show, NAMES)
    assert_honest(boundaries, show.truth)
    assert abs(boundaries[3].start - show.truth[3]) <= 1.0, (boundaries[3], show.truth[3])


def test_a_host_voice_left_unnamed_does_not_make_a_wrong_closing_sure():
    """The speakers stage gave a piece of the host its own label: its closing lines look like someone else
    still speaking, so the floor points too late; that cut must not be sure."""
    show = build(OPENING + PART_1 + PART_2 + PLAIN_CLOSING)
    split = tuple(Turn(t.start, t.end, "Spreker 9") if t.start >= show.truth[3] + 2.0 and t.voice == HOST else t
                  for t in show.turns)
    boundaries = ch.detect(show.transcript, CUES, breaks=show.breaks, turns=split, duration=show.duration,
                           names=NAMES)
    assert_honest(boundaries, show.truth)
    if abs(boundaries[3].start - show.truth[3]) > 2.0:
        assert boundaries[3].low_confidence, boundaries[3]


def test_in_the_host_s_floor_the_break_places_the_closing_not_the_last_guest_words():
    """The host talks on after the last guest, then after a break opens the closing (no closing phrase, no
    applause): the floor is the host's from the guest's last words on, so the break places the closing, and
    the turn from the guest to the host (counted in the floor already) does not make it doubtful."""
    remark = [Line(HOST, "Mooi gezegd, Jorn en Steven.", pause=1.5),
              Line(HOST, "Jullie hebben veel gedeeld over de buurt."),
              Line(HOST, "Jullie hebben veel gedeeld over de stad."),
              *[Line(HOST, line.text, pause=3.0 if i == 0 else line.pause, starts_chapter=line.starts_chapter)
                for i, line in enumerate(PLAIN_CLOSING)]]
    show = build(OPENING + PART_1 + PART_2 + remark)
    boundaries = detect(show, NAMES)
    assert_honest(boundaries, show.truth)
    assert abs(boundaries[3].start - show.truth[3]) <= 1.0, (boundaries[3], show.truth[3])
    assert not boundaries[3].low_confidence, boundaries[3]


def test_a_guest_s_name_is_no_hand_over_phrase():
    """"Kees en Lotte" sounds like "tenslotte" (a closing phrase): on a simulated show 10 dB quieter that put
    the closing at the thanks to the guests, 8.4 s early. Words that are a listed person's name are no phrase."""
    show = build([Line(HOST, "Dank jullie wel, Kees en Lotte."), Line(HOST, "Tenslotte nog dit.", pause=2.0)])
    tokens = tokens_of(show.transcript)
    phrases = find_phrases(tokens, HANDOVER_PHRASES["nl"])
    assert [h.heard for h in phrases if h.kind == "closing"] == ["en lotte", "tenslotte"]
    kept = not_names(phrases, find_names(tokens, ["Kees Smit", "Lotte Mulder"], []))
    assert [h.heard for h in kept if h.kind == "closing"] == ["tenslotte"]
    assert [h.heard for h in kept if h.kind == "thanks"] == ["dank jullie wel"]
