"""Issue 9 decisions, pure: the running order as a prior for voices, no more voices than people, one person
is one voice. Hand-built turns and embeddings; the benchmark (bench/judgement_bench.py) measures them on audio."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from pipeline import diarize, naming
from pipeline.chaptering import ChapterCue
from pipeline.stages import trim
from pipeline.naming import ChapterInfo, PersonInfo, VoiceTurn
from pipeline.timeline import Interval

PEOPLE = [PersonInfo("Anne Host", "host"), PersonInfo("Marije Boer", "guest"), PersonInfo("Mike Bos", "guest"),
          PersonInfo("Jornt Zuil", "guest"), PersonInfo("Steven Blok", "guest")]
PLAN = [ChapterInfo("chapter 1", ("Anne Host",)), ChapterInfo("chapter 2", ("Marije Boer", "Mike Bos")),
        ChapterInfo("chapter 3", ("Jornt Zuil", "Steven Blok")), ChapterInfo("chapter 4", ("Anne Host",))]


def show_turns(mixed: str = "M") -> list[VoiceTurn]:
    """Host H opens (0-30 s), hands over (120-130 s) and closes (220-250 s); part 1 (30-120 s): A and M;
    part 2 (130-220 s): C and again M (two similar guests of different parts that the clustering joined
    into one voice M). The host asks a question after every answer."""
    turns = [VoiceTurn(0, 30, "H")]
    for start in range(30, 120, 15):
        turns += [VoiceTurn(start, start + 5, "A"), VoiceTurn(start + 5, start + 12, mixed),
                  VoiceTurn(start + 12, start + 15, "H")]
    turns.append(VoiceTurn(120, 130, "H"))
    for start in range(130, 220, 15):
        turns += [VoiceTurn(start, start + 6, "C"), VoiceTurn(start + 6, start + 11, mixed),
                  VoiceTurn(start + 11, start + 15, "H")]
    turns.append(VoiceTurn(220, 250, "H"))
    return turns


def test_part_borders_keep_each_guest_voice_in_one_part():
    borders = naming.part_bounds(show_turns(), ["A", "M", "C"], [2, 2])
    assert borders is not None and len(borders) == 1
    assert 117 <= borders[0] <= 133
    assert naming.part_bounds(show_turns(), ["A"], [2, 2]) is None  # fewer voices than parts


def test_part_borders_with_a_guest_in_two_voices_follow_the_larger_voices():
    """Show 99 of the judgement benchmark at +6 dB: a voice cut in two (Jornt, then Fatima) left five guest voices
    for four guests; C spoke first in part 2 and the two halves after it, so a border after C gave both parts
    their count of voices but one too many, as well as the right one; the smallest voice no longer counts."""
    turns = [VoiceTurn(0, 30, "H")]
    for start in range(30, 120, 15):
        turns += [VoiceTurn(start, start + 6, "A"), VoiceTurn(start + 6, start + 12, "B"),
                  VoiceTurn(start + 12, start + 15, "H")]
    turns += [VoiceTurn(120, 130, "H"), VoiceTurn(130, 175, "C"), VoiceTurn(175, 205, "H"),
              VoiceTurn(205, 225, "D1"), VoiceTurn(225, 226, "H"), VoiceTurn(226, 236, "D2"),
              VoiceTurn(236, 260, "H")]
    borders = naming.part_bounds(turns, ["A", "B", "C", "D1", "D2"], [2, 2])
    assert borders is not None and 118 <= borders[0] <= 132, borders


def test_a_voice_heard_in_two_parts_is_split_into_two_guests():
    turns = show_turns()
    names = naming.name_voices(turns, [], PEOPLE, PLAN, {})
    assert names["H"].name == "Anne Host"
    split = naming.split_mixed_voices(turns, names, PEOPLE, PLAN, lambda i: f"new {i}")
    assert split is not None
    new = [t for t in split if t.voice == "new 0"]
    kept = [t for t in split if t.voice == "M"]
    assert new and all(t.start >= 117 for t in new) and all(t.end <= 133 for t in kept)
    assert sum(t.end - t.start for t in split) == sum(t.end - t.start for t in turns)  # no speech lost
    renamed = naming.name_voices(split, [], PEOPLE, PLAN, {})
    part_1 = {renamed["A"].name, renamed["M"].name}
    part_2 = {renamed["C"].name, renamed["new 0"].name}
    assert part_1 == {"Marije Boer", "Mike Bos"} and part_2 == {"Jornt Zuil", "Steven Blok"}


def test_the_hosts_voice_split_in_two_is_named_the_host_twice():
    turns = [VoiceTurn(t.start, t.end, "H2") if t.voice == "H" and int(t.start) % 2 == 1 else t
             for t in show_turns()]  # every other host turn in a second voice, opening and closing too
    turns = [VoiceTurn(0, 15, "H"), VoiceTurn(15, 30, "H2")] + \
        [t for t in turns if 30 <= t.start < 220] + [VoiceTurn(220, 235, "H"), VoiceTurn(235, 250, "H2")]
    names = naming.name_voices(turns, [], PEOPLE, PLAN, {})
    assert names["H"].name == names["H2"].name == "Anne Host"
    assert "split in two" in " ".join(names["H"].evidence + names["H2"].evidence)
    assert names["A"].name != "Anne Host" and names["M"].name != "Anne Host"


def test_no_split_when_every_guest_already_has_a_voice_or_the_voice_is_pinned():
    turns = show_turns()
    turns += [VoiceTurn(t.start, t.end, "D") for t in turns if t.voice == "M" and t.start > 130]
    turns = [t for t in turns if not (t.voice == "M" and t.start > 130)]
    names = naming.name_voices(turns, [], PEOPLE, PLAN, {})
    assert naming.split_mixed_voices(turns, names, PEOPLE, PLAN, lambda i: f"new {i}") is None
    pinned = naming.name_voices(show_turns(), [], PEOPLE, PLAN, {"M": "Mike Bos"})
    assert naming.split_mixed_voices(show_turns(), pinned, PEOPLE, PLAN, lambda i: f"new {i}") is None


def test_one_person_is_not_split_into_two_voices():
    rng = np.random.default_rng(3)
    a, b = np.eye(256)[0], np.eye(256)[1]
    regions = [Interval(float(i * 3), float(i * 3 + 2.5)) for i in range(40)]
    windows = diarize.windows(regions, 120.0, 1.6, 0.8)
    voice = [0 if (w.start // 30) % 2 == 0 else 1 for w in windows]
    embeddings = np.stack([(a if v == 0 else b) + 0.04 * rng.standard_normal(256) for v in voice])
    result = diarize.diarize(regions, windows, embeddings, listed=5, max_voices=5)
    assert result.voices == 2
    assert "sounded the same" in result.chosen_because
    assert diarize.closest_pair(result.centroids) < diarize.SAME_VOICE


def talk(seconds: float, level: float, rng, pauses: bool = True) -> np.ndarray:
    """50 ms frame levels (dB) of one person talking: syllables around `level`, gaps 25 dB down."""
    frames = int(seconds / trim.FRAME)
    levels = level + rng.normal(0, 2, frames)
    if pauses:
        levels[(np.arange(frames) // 3) % 3 == 2] = level - 25  # a gap after every two syllables
    return levels


def test_the_show_starts_where_show_level_talk_is_sustained_not_in_the_crowd():
    rng = np.random.default_rng(1)
    crowd = -12 + rng.normal(0, 1.5, int(20 / trim.FRAME))  # steady babble 12 dB down: no pauses
    energy = np.concatenate([crowd, talk(60, 0.0, rng)])
    start = trim.sustained_start(energy, 0.0, 80.0, speech_level=0.0)
    assert start is not None and 19.5 <= start <= 20.5


def test_a_quiet_presenter_before_the_loud_guests_is_not_crowd():
    rng = np.random.default_rng(2)
    energy = np.concatenate([talk(20, -10.0, rng), talk(60, 0.0, rng)])  # host 10 dB down, with pauses
    assert trim.sustained_start(energy, 0.0, 80.0, speech_level=0.0) is None


def test_a_sound_check_in_the_crowd_does_not_start_the_show():
    rng = np.random.default_rng(3)
    crowd = -13 + rng.normal(0, 1.5, int(30 / trim.FRAME))
    crowd[200:260] = talk(3, 0.0, rng)  # "een, twee, test" at the microphone at 10-13 s
    energy = np.concatenate([crowd, talk(60, 0.0, rng)])
    start = trim.sustained_start(energy, 0.0, 90.0, speech_level=0.0)
    assert start is not None and 29.5 <= start <= 30.5


def test_a_sound_check_seconds_before_the_show_does_not_start_it():
    """The check ends 4 s before the host begins (show 15 of the 20-show benchmark: 7.5 s of sound check and
    crowd were kept at every level): the blocks after the check are sustained enough, the silence is not."""
    rng = np.random.default_rng(4)
    crowd = -13 + rng.normal(0, 1.5, int(30 / trim.FRAME))
    crowd[420:508] = talk(4.4, 0.0, rng)  # "een, twee, een, twee, test, test" at 21-25.4 s; the host at 30 s
    energy = np.concatenate([crowd, talk(60, 0.0, rng)])
    start = trim.sustained_start(energy, 0.0, 90.0, speech_level=0.0)
    assert start is not None and 29.5 <= start <= 30.5


def test_a_crowd_only_8_db_under_the_show_is_still_crowd():
    """Show 35 of the benchmark (babble 10 dB under the presenters, guests as quiet as the crowd): 40 % of the
    crowd's frames came within ONSET_DB of the show's level, and the show started 24 s early. The onset then
    counts from CROWD_MARGIN above the crowd's own median level."""
    rng = np.random.default_rng(6)
    crowd = -7.5 + rng.normal(0, 2.0, int(25 / trim.FRAME))
    energy = np.concatenate([crowd, talk(60, 0.0, rng)])
    start = trim.sustained_start(energy, 0.0, 85.0, speech_level=0.0)
    assert start is not None and 24.0 <= start <= 25.5  # a crowd peak right before the host may lead by < 1 s


def test_a_laugh_in_the_crowd_just_before_the_host_does_not_start_the_show():
    rng = np.random.default_rng(7)
    crowd = -12 + rng.normal(0, 1.5, int(20 / trim.FRAME))
    crowd[350:355] = 0.0  # a quarter of a second at the show's level, 2.5 s before the host
    energy = np.concatenate([crowd, talk(60, 0.0, rng)])
    start = trim.sustained_start(energy, 0.0, 80.0, speech_level=0.0)
    assert start is not None and 19.5 <= start <= 20.5


def test_chatter_after_the_closing_applause_is_not_the_show():
    host = [Interval(float(t), t + 2.5) for t in range(0, 60, 3)]  # ends at 59.5
    chatter = [Interval(70.0, 70.6), Interval(74.0, 74.5), Interval(77.0, 77.8)]  # after 10 s of applause
    levels = [0.0] * len(host) + [-8.0, -7.0, -9.0]
    assert trim.chatter_after(host + chatter, levels, speech_level=0.0) == len(host)
    # a quiet guest answering within the show's pauses is the show
    answer = [Interval(61.0, 64.0), Interval(65.0, 66.0)]
    assert trim.chatter_after(host + answer, [0.0] * len(host) + [-8.0, -8.0], 0.0) == len(host) + 2
    # loud talk at the end is the show, however far after the applause
    assert trim.chatter_after(host + chatter, [0.0] * (len(host) + 3), 0.0) == len(host) + 3


def test_chatter_whose_loudest_moments_come_near_the_show_s_level_is_still_chatter():
    """Show 224 of the judgement benchmark at -10 dB: after the closing applause, crowd chatter whose regions
    reached 5.5-7.7 dB under the show's level (75th percentile), so not all CROWD_DB under it: 18 s of it stayed
    in the episode. Its frames are steady (no dips) and their median is 8 dB under the show: chatter. A
    presenter's closing words after applause pause as one person does, and stay in."""
    rng = np.random.default_rng(3)
    host = [Interval(float(t), t + 2.5) for t in range(0, 60, 3)]  # ends at 59.5
    chatter = [Interval(70.0, 71.7), Interval(72.0, 73.9), Interval(74.3, 75.3), Interval(76.3, 77.6)]
    levels = [0.0] * len(host) + [-7.7, -6.0, -6.4, -5.5]
    crowd = -8.0 + rng.normal(0, 1.0, int(20 / trim.FRAME))  # 60-80 s: applause and babble, no pauses
    energy = np.concatenate([talk(60, 0.0, rng), crowd])
    assert trim.chatter_after(host + chatter, levels, 0.0) == len(host) + 4  # by the regions' levels alone
    assert trim.chatter_after(host + chatter, levels, 0.0, energy) == len(host)
    closing = np.concatenate([talk(60, 0.0, rng), -40 + rng.normal(0, 1, int(10 / trim.FRAME)), talk(10, -3.0, rng)])
    assert trim.chatter_after(host + chatter, levels, 0.0, closing) == len(host) + 4


def test_a_crowd_peak_in_the_quiet_after_a_sound_check_does_not_start_the_show():
    """Show 46 of the benchmark: a burst of crowd at the show's level halfway through the 4 s between the sound
    check and the host kept the check in the show (7.7 s early at every level)."""
    rng = np.random.default_rng(8)
    crowd = -10 + rng.normal(0, 1.5, int(20 / trim.FRAME))
    crowd[220:318] = talk(4.9, 0.0, rng)  # the sound check at 11-15.9 s
    crowd[368:370] = crowd[371:372] = 0.0  # a few frames of a laugh at 18.4 s
    energy = np.concatenate([crowd, talk(60, 0.0, rng)])
    start = trim.sustained_start(energy, 0.0, 80.0, speech_level=0.0)
    assert start is not None and 19.5 <= start <= 20.5


def test_a_presenter_pausing_in_the_opening_is_no_sound_check():
    rng = np.random.default_rng(5)
    crowd = -13 + rng.normal(0, 1.5, int(20 / trim.FRAME))
    opening = np.concatenate([talk(9, 0.0, rng), -13 + rng.normal(0, 1.5, int(3.5 / trim.FRAME)), talk(50, 0.0, rng)])
    start = trim.sustained_start(np.concatenate([crowd, opening]), 0.0, 82.5, speech_level=0.0)
    assert start is not None and 19.5 <= start <= 20.5  # 9 s of opening, then a pause: the show began at 20 s


def test_detected_speech_without_words_joins_the_regions_but_not_outside_the_show():
    words = [Interval(10.0, 12.0), Interval(20.0, 21.0)]
    activity = [Interval(2.0, 8.0),  # the crowd before the show: outside the words' span
                Interval(11.5, 15.0),  # the tail of a sentence without words
                Interval(16.0, 16.1),  # a click: too short
                Interval(17.0, 19.0),  # a line in another language
                Interval(21.5, 30.0)]  # applause and chatter after the last word: cut at the margin
    assert diarize.with_activity(words, activity) == [Interval(10.0, 15.0), Interval(17.0, 19.0),
                                                      Interval(20.0, 21.0), Interval(21.5, 22.0)]
    assert diarize.with_activity(words, []) == words
    assert diarize.with_activity(words, [Interval(15.0, 16.0)], pad=0.2) == [*words[:1], Interval(14.8, 16.2),
                                                                             *words[1:]]
    assert diarize.with_activity([], activity) == []
    close = diarize.with_activity(words, [Interval(12.05, 12.5), Interval(12.55, 13.0)], join_gap=0.2)
    assert close == [Interval(10.0, 13.0), words[1]]  # gaps of 0.05 s joined on request


def test_a_misheard_name_in_the_place_of_an_address_is_that_name():
    people = ["Steven Blok", "Bram de Graaf", "Daan Vermeulen", "Marije Boer", "Mike Bos"]
    assert naming.addressed_name("Braan, hoe zie je dat?", people) == ("Bram de Graaf", 0, 5)
    assert naming.addressed_name("Wat vind je daarvan, Steeven?", people)[0] == "Steven Blok"
    assert naming.addressed_name("Braan, hoe zie je dat.", people) is None  # not a question
    assert naming.addressed_name("Maar, wat denk jij?", people) is None  # a word, not Marije or Mike
    assert naming.addressed_name("Kraan, hoe zie je dat?", people) is None  # no name with that first letter
    turns = [VoiceTurn(0, 3, "H"), VoiceTurn(3, 10, "B")]
    lines = [naming.Line(0, 3, "Braan, hoe zie je dat?")]
    assert naming.address_evidence(lines, turns, people)[("B", "Bram de Graaf")] == 1.0


def test_with_no_more_voices_than_people_a_voice_with_little_speech_is_still_someone():
    turns = [t for t in show_turns() if not (t.voice == "M" and t.start > 40)]
    turns = [VoiceTurn(35, 38, "M") if t.voice == "M" else t for t in turns]  # M says one thing in part 1 (3 s)
    turns.append(VoiceTurn(150, 153, "D"))  # and D one thing in part 2
    names = naming.name_voices(turns, [], PEOPLE, PLAN, {})
    assert names["M"].name in ("Marije Boer", "Mike Bos") and names["M"].name != names["A"].name
    assert names["D"].name in ("Jornt Zuil", "Steven Blok") and names["D"].name != names["C"].name
    assert names["M"].confidence < 0.6  # from the plan alone: a CHECK


def test_a_voice_with_little_speech_named_by_elimination_alone_is_a_check():
    """Marije is asked by name; the part's other voice says 3 s. Its name comes from the running order alone
    (on the 20 simulated shows such a voice of 2-3 s was the wrong guest at 0.70-0.85, unflagged, three times);
    with 12 s it keeps the order's usual confidence."""
    def named(m_seconds: float) -> dict:
        turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 60, "A"), VoiceTurn(60, 63, "H"),
                 VoiceTurn(63, 63 + m_seconds, "M"), VoiceTurn(63 + m_seconds, 120, "A"), VoiceTurn(120, 130, "H"),
                 VoiceTurn(130, 170, "C"), VoiceTurn(170, 210, "D"), VoiceTurn(210, 250, "H")]
        lines = [naming.Line(27, 29.5, "Marije, hoe zie jij dat?"), naming.Line(127, 129.5, "Jornt, en jij?")]
        return naming.name_voices(turns, lines, PEOPLE, PLAN, {})

    little, some, enough = named(3.0), named(7.5), named(12.0)
    assert little["A"].name == enough["A"].name == "Marije Boer" and little["A"].confidence >= 0.9
    assert little["M"].name == "Mike Bos" and little["M"].confidence < 0.6, little["M"]
    assert any("only 3.0 s of speech" in e for e in little["M"].evidence)
    # 7.5 s: show 120 of the judgement benchmark, a guest 10 dB down cut in two, the 7.7 s piece named after
    # the part's other guest (who said 3 s) at 0.85 without a CHECK
    assert some["M"].confidence < 0.6 and any("only 7.5 s of speech" in e for e in some["M"].evidence)
    assert enough["M"].name == "Mike Bos" and enough["M"].confidence >= 0.8, enough["M"]


def test_two_voices_of_one_person_share_the_name_only_the_evidence_gives():
    """Marije is asked by name and answers in voice A; A2 sounds like A (one person cut in two) and only the
    one-to-one match calls it Mike: it is Marije's second voice (Mike says next to nothing). When Mike is asked
    by name before A2 first speaks, A2 stays Mike; and so it does when A and A2 are less alike than ALIKE."""
    turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 50, "A"), VoiceTurn(50, 53, "H"), VoiceTurn(53, 70, "A2"),
             VoiceTurn(70, 100, "A"), VoiceTurn(100, 120, "A2"), VoiceTurn(120, 130, "H"),
             VoiceTurn(130, 170, "C"), VoiceTurn(170, 210, "D"), VoiceTurn(210, 250, "H")]
    lines = [naming.Line(27, 29.5, "Marije, hoe zie jij dat?"), naming.Line(127, 129.5, "Jornt, en jij?")]
    apart = naming.name_voices(turns, lines, PEOPLE, PLAN, {})
    assert (apart["A"].name, apart["A2"].name) == ("Marije Boer", "Mike Bos")
    one = naming.name_voices(turns, lines, PEOPLE, PLAN, {}, one_person=("A", "A2"))
    assert (one["A"].name, one["A2"].name) == ("Marije Boer", "Marije Boer")
    assert one["A2"].confidence < 0.6 and "Marije Boer in two voices" in one["A2"].evidence[-1]
    assert one["A"] == apart["A"] and one["C"] == apart["C"] and one["D"] == apart["D"]
    asked = [*lines, naming.Line(50.5, 52.5, "Mike, wat vind jij?")]
    assert naming.name_voices(turns, asked, PEOPLE, PLAN, {}, one_person=("A", "A2"))["A2"].name == "Mike Bos"
    # show 158 of the judgement benchmark: a pair only 0.82 alike (the diarizer's least for one person) was Marije
    # and Bram, and Bram's 26 s took Marije's name; under ALIKE the match's name stays
    for similarity, second in ((naming.ALIKE - 0.03, "Mike Bos"), (naming.ALIKE + 0.05, "Marije Boer")):
        likeness = {"A": {"A2": similarity}, "A2": {"A": similarity}}
        named = naming.name_voices(turns, lines, PEOPLE, PLAN, {}, one_person=("A", "A2"), likeness=likeness)
        assert named["A2"].name == second, (similarity, named["A2"])


def test_the_smaller_of_two_voices_of_one_person_named_by_evidence_is_a_check():
    """Show 186 at -10 dB of the judgement benchmark: "Marije, ...?" was answered by a 9 s voice that held her
    first answer and Kees's three lines; her other 38 s were a second voice 0.86 alike. The second voice took
    Marije's name (one person in two voices) and the first kept hers at 0.95, a wrong name shown as sure. Kees
    has no voice of their own, and the smaller half is where his lines went: both names are CHECKs. The larger
    half named by evidence stays sure (test above)."""
    turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 33, "A"), VoiceTurn(33, 70, "A2"), VoiceTurn(70, 76, "A"),
             VoiceTurn(76, 110, "A2"), VoiceTurn(120, 130, "H"),
             VoiceTurn(130, 170, "C"), VoiceTurn(170, 210, "D"), VoiceTurn(210, 250, "H")]
    lines = [naming.Line(27, 29.5, "Marije, hoe zie jij dat?"), naming.Line(127, 129.5, "Jornt, en jij?")]
    likeness = {"A": {"A2": 0.86}, "A2": {"A": 0.86}}
    named = naming.name_voices(turns, lines, PEOPLE, PLAN, {}, one_person=("A", "A2"), likeness=likeness)
    assert (named["A"].name, named["A2"].name) == ("Marije Boer", "Marije Boer")
    assert named["A"].confidence < 0.6 and named["A2"].confidence < 0.6, (named["A"], named["A2"])
    assert "perhaps Mike Bos speaks in this voice" in named["A"].evidence[-1]
    assert named["C"].confidence >= 0.8 and named["D"].confidence >= 0.8


def test_a_voice_named_from_the_running_order_that_fell_silent_before_its_part_was_introduced_is_a_check():
    """Show 184 of the judgement benchmark: a guest of part 2 cut in two voices, the part border put before her
    second half, which took the name of part 3's other guest from the running order alone (0.85, no CHECK, at
    two levels). All its speech came before the host said "We gaan verder met ..." for part 3: a CHECK. The same
    voice speaking after the introduction keeps the running order's confidence."""
    plan = [*PLAN[:2], replace(PLAN[2], start=98.0), PLAN[3]]  # where the part was thought to begin: too early
    lines = [naming.Line(24, 28, "We beginnen met Marije Boer en Mike Bos."),
             naming.Line(27, 29.5, "Marije, hoe zie jij dat?"),
             naming.Line(120, 126, "We gaan verder met Jornt Zuil en Steven Blok."),
             naming.Line(127, 129.5, "Jornt, en jij?")]

    def named(x_start: float) -> naming.Naming:
        turns = sorted([VoiceTurn(0, 28, "H"), VoiceTurn(30, 60, "A"), VoiceTurn(60, 63, "H"), VoiceTurn(63, 98, "M"),
                        VoiceTurn(120, 130, "H"), VoiceTurn(130, 170, "C"), VoiceTurn(170, 172, "H"),
                        VoiceTurn(190, 250, "H"), VoiceTurn(x_start, x_start + 15, "X")], key=lambda t: t.start)
        return naming.name_voices(turns, lines, PEOPLE, plan, {})["X"]

    before, after = named(100.0), named(172.0)
    assert before.name == after.name == "Steven Blok"
    assert before.confidence < 0.6 and "before the host introduces the guests of chapter 3" in before.evidence[-1]
    assert after.confidence >= 0.8, after
    assert naming.introduced_at(lines, [VoiceTurn(0, 130, "H")], ["H"], ["Jornt Zuil", "Steven Blok"]) == 120


def test_a_full_name_introduces_and_asks_no_one():
    """Whisper ran the introduction into the question and lost a name: "... met Boer en Mike Bos, Mar, hoe zie
    je dat?" asks Marije, not Mike (on a simulated show at +6 dB this named the wrong guest at 0.95)."""
    turns = [VoiceTurn(0, 10, "H"), VoiceTurn(10.5, 30, "A")]
    ran_on = [naming.Line(0, 10, "We beginnen met Boer en Mike Bos, Mar, hoe zie je dat?")]
    assert [(a.kind, a.person) for a in naming.addresses(ran_on, turns, [p.name for p in PEOPLE])] == \
        [("about", "Mike Bos")]
    asked = [naming.Line(0, 10, "We beginnen met Marije Boer en Mike Bos. Mike, hoe zie je dat?")]
    assert [(a.kind, a.person) for a in naming.addresses(asked, turns, [p.name for p in PEOPLE])] == \
        [("address", "Mike Bos")]


def test_a_voice_that_sounds_like_the_host_s_own_is_the_host():
    """The clustering cut the host in two: H opens and closes, H2 asks the questions in part 1. H2 sounds like
    H (one_person): it is the host's voice (a CHECK), not one of part 1's guests."""
    turns = [VoiceTurn(t.start, t.end, "H2" if t.voice == "H" and 30 <= t.start < 120 else t.voice)
             for t in show_turns("M")]
    names = naming.name_voices(turns, [], PEOPLE, PLAN, {}, one_person=("H", "H2"))
    assert names["H"].name == names["H2"].name == "Anne Host" and names["H2"].confidence < 0.6
    assert {names["A"].name, names["M"].name} == {"Marije Boer", "Mike Bos"}


def test_a_word_that_sounds_like_a_name_is_no_address_without_the_comma():
    """"Bram, herken je dat?" heard as "Dan gaan je dan raar.": the word "dan" is not Daan; "Daan, ..." is."""
    turns = [VoiceTurn(0, 3, "H"), VoiceTurn(3, 10, "B")]
    people = ["Bram de Graaf", "Daan Vermeulen"]
    assert naming.address_evidence([naming.Line(0, 3, "Dan gaan je dan raar.")], turns, people) == {}
    assert naming.address_evidence([naming.Line(0, 3, "Daan wat denk jij?")], turns, people) == {
        ("B", "Daan Vermeulen"): 1.0, ("H", "Daan Vermeulen"): -0.5}
    assert naming.address_evidence([naming.Line(0, 3, "Dan, wat denk jij?")], turns, people)[
        ("B", "Daan Vermeulen")] == 1.0


def test_a_name_misspelt_by_a_letter_that_opens_a_question_asks_that_person():
    """Show 37 of the benchmark: "Marije, herken je dat?" heard as "Marijen herken je dat." (no comma, no question
    mark) at every level; the part's guests were named by a wrong judged line instead (58 % named right)."""
    turns = [VoiceTurn(0, 3, "H"), VoiceTurn(3, 10, "B")]
    people = ["Marije Boerlaagh", "Daan Vermeulen"]
    assert naming.address_evidence([naming.Line(0, 3, "Marijen herken je dat.")], turns, people) == {
        ("B", "Marije Boerlaagh"): 1.0, ("H", "Marije Boerlaagh"): -0.5}
    # one letter off a short name is a word: "Dan gaan je ..." (see above); and not at the start it is a mention
    assert naming.address_evidence([naming.Line(0, 3, "Dan herken je dat.")], turns, people) == {}
    assert naming.address_evidence([naming.Line(0, 3, "Ik zag Marijen en zie je dat.")], turns, people) == {}


def test_a_sentence_that_is_only_a_name_is_an_address():
    """Whisper cut "Jornt, herken je dat?" after the name: "... Zuijlen. Jorant. Heerlijk en Jondat." """
    turns = [VoiceTurn(0, 6, "H"), VoiceTurn(6, 12, "S"), VoiceTurn(12, 20, "J")]
    line = naming.Line(0, 6, "We gaan verder met Steven Blok en Jornt van Zuijlen. Jorant. Heerlijk en Jondat.")
    scores = naming.address_evidence([line], turns, ["Steven Blok", "Jornt van Zuijlen"])
    assert scores.get(("S", "Jornt van Zuijlen")) == 1.0  # the next voice answers


def test_the_answer_is_the_addressed_persons_first_turn():
    turns = [VoiceTurn(0, 3, "H"), VoiceTurn(3.2, 4.5, "L"), VoiceTurn(4.7, 12, "M")]
    assert naming.answerer(turns, "H", 3.0) == "L"  # Lotte answers briefly, Marije talks longer after her
    assert naming.answerer([VoiceTurn(0, 3, "H"), VoiceTurn(3.1, 3.4, "M"), VoiceTurn(3.6, 9, "L")], "H", 3.0) == "L"
    given_to_guest = [VoiceTurn(0, 8, "M")]  # "Mike, ...?" inside Mike's voice, nobody else: the voice heard most
    assert naming.answerer(given_to_guest, "M", 2.0) == "M"


def test_a_misheard_name_is_matched_among_the_guests_of_its_part():
    part = ["Steven Blok", "Bram de Graaf"]
    assert naming.addressed_name("Draan, hoe zie je dat?", part, in_part=True)[0] == "Bram de Graaf"
    assert naming.addressed_name("Draan, hoe zie je dat?", part) is None  # outside a part: same first letter only
    assert naming.addressed_name("Mika, kun je dat uitleggen.", ["Mike Bos", "Noor Hendriks"], in_part=True)[0] \
        == "Mike Bos"  # the question mark dropped, "je" says it is a question to someone
    assert naming.addressed_name("Nou, dat is mooi.", ["Mike Bos", "Noor Hendriks"], in_part=True) is None
    assert naming.addressed_name("Wat, hoe zie je dat?", part, in_part=True) is None  # like neither


def test_the_first_syllable_of_a_guest_s_name_before_a_comma_asks_that_guest():
    """Show 201 of the judgement benchmark at +6 dB: "Noor, wat vind jij daarvan?" heard as "No, Latvintje."
    three times (no question mark, no "je"); the judge, given that text, leant to Lotte ("No, Lotte.") and
    the part's two names were swapped on 2 x 130 s of speech. A word the host says anyway is no name."""
    part = ["Lotte Mulder", "Noor Hendriks"]
    assert naming.addressed_name("No, Latvintje.", part, in_part=True)[0] == "Noor Hendriks"
    assert naming.addressed_name("No, Latvintje.", part) is None  # outside a part: as before
    assert naming.addressed_name("Nou, precies.", part, in_part=True) is None  # "nou" is a word
    assert naming.addressed_name("Lo, dank je.", ["Lotte Mulder", "Loes Bakker"], in_part=True) is None  # both
    turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 32, "H"), VoiceTurn(32.5, 60, "A"), VoiceTurn(60, 62, "H"),
             VoiceTurn(62.5, 90, "B"), VoiceTurn(90, 120, "H")]
    heard = naming.addresses([naming.Line(30, 32, "No, Latvintje.")], turns, part, [(0.0, 120.0, part)], ["H"])
    assert [(a.kind, a.person) for a in heard] == [("address", "Noor Hendriks")]


def test_a_near_name_of_someone_in_another_part_is_a_guest_of_this_part():
    people = ["Host", "Steven Blok", "Bram de Graaf", "Daan Vermeulen", "Kees Smit"]
    turns = [VoiceTurn(0, 10, "H"), VoiceTurn(10.2, 20, "B"), VoiceTurn(20, 30, "S"), VoiceTurn(40, 50, "D")]
    lines = [naming.Line(8, 10, "Draan, hoe zie je dat?")]
    parts = [(0, 35, ("Steven Blok", "Bram de Graaf")), (35, 60, ("Daan Vermeulen", "Kees Smit"))]
    assert naming.address_evidence(lines, turns, people) == {("B", "Daan Vermeulen"): 1.0,
                                                            ("H", "Daan Vermeulen"): -0.5}
    assert naming.address_evidence(lines, turns, people, parts, ["H"]) == {("B", "Bram de Graaf"): 1.0,
                                                                           ("H", "Bram de Graaf"): -0.5}
    # only the host's questions: a guest's "Nou, ..." (Czech "no") is a word, not Noor
    guest_line = [naming.Line(41, 43, "Nou, wie is dat dan?")]
    noor = [(35, 60, ("Noor Hendriks", "Mike Bos"))]
    assert naming.address_evidence(guest_line, turns, ["Noor Hendriks", "Mike Bos"], noor, ["H"]) == {}
    assert naming.address_evidence(guest_line, turns, ["Noor Hendriks", "Mike Bos"], noor, ["D"]) != {}


def test_a_guest_is_first_heard_answering_the_question_put_to_them():
    # the host asks Marije; her short answer went into the host's voice, so the voice answering "Lotte" is M;
    # still M is first heard after "Marije" and L first after "Lotte"
    turns = [VoiceTurn(0, 10, "H"), VoiceTurn(10.5, 20, "M"), VoiceTurn(20, 24, "H"), VoiceTurn(24.5, 30, "M"),
             VoiceTurn(34, 40, "L"), VoiceTurn(40, 44, "H")]
    heard = [naming.Address("address", "Marije Boer", "H", 10.0), naming.Address("address", "Lotte Mul", "H", 23.5)]
    persons = ("Marije Boer", "Lotte Mul")
    assert naming.first_answers(heard, turns, ["M", "L"], persons) == {("M", "Marije Boer"): 1.0,
                                                                       ("L", "Lotte Mul"): 1.0}
    assert naming.answerer(turns, "H", 23.5) == "M"  # what the plain answer rule says
    # a voice's backchannel in an earlier part does not count as its first answer
    early = [VoiceTurn(2, 3, "L"), *turns]
    assert naming.first_answers(heard, early, ["M", "L"], persons) == {("M", "Marije Boer"): 1.0}
    assert naming.first_answers(heard, early, ["M", "L"], persons, since=5.0) == {("M", "Marije Boer"): 1.0,
                                                                                  ("L", "Lotte Mul"): 1.0}


def test_a_person_asked_twice_goes_to_the_voice_that_answered_the_clearer_question():
    """Show 137 of the judgement benchmark: the host's "Noor, wat is jouw ervaring?" had no words and the judge
    barely heard Lotte in it (0.36); N answered. "Lotte, wat moet er anders?" was judged Lotte at 0.6 and L
    answered. The first voice no longer takes Lotte on the weaker question."""
    turns = [VoiceTurn(0, 10, "H"), VoiceTurn(10.5, 20, "N"), VoiceTurn(20, 24, "H"), VoiceTurn(24.5, 30, "L"),
             VoiceTurn(30.5, 40, "N")]
    heard = [naming.Address("address", "Lotte Mul", "H", 10.0, 0.36),
             naming.Address("address", "Lotte Mul", "H", 24.0, 0.6)]
    found = naming.first_answers(heard, turns, ["N", "L"], ("Noor Hen", "Lotte Mul"))
    assert found == {("L", "Lotte Mul"): pytest.approx(naming.FIRST_ANSWER * 0.6)}
    even = [naming.Address("address", "Lotte Mul", "H", 10.0), naming.Address("address", "Lotte Mul", "H", 24.0)]
    assert naming.first_answers(even, turns, ["N", "L"], ("Noor Hen", "Lotte Mul")) == {
        ("N", "Lotte Mul"): naming.FIRST_ANSWER}  # as clear: the first to answer


def test_a_question_followed_by_a_question_to_the_other_guest_is_answered_and_names_no_later_voice():
    """Show 162 at -10 dB: the judge heard "Lotte" in the introduction; the host then asked Steven three times
    and his voice answered; a 2.5 s piece of Steven's voice, first heard 48 s after "Lotte", took her name as
    the answer to that question, at 0.85 without a CHECK. A question is open only until someone else is asked."""
    turns = [VoiceTurn(0, 10, "H"), VoiceTurn(10.5, 30, "S"), VoiceTurn(30, 33, "H"), VoiceTurn(33.5, 50, "S"),
             VoiceTurn(50.5, 53, "P")]
    heard = [naming.Address("address", "Lotte Mul", "H", 9.0, 0.6),
             naming.Address("address", "Steven Blok", "H", 10.0), naming.Address("address", "Steven Blok", "H", 33.0)]
    assert naming.first_answers(heard, turns, ["S", "P"], ("Lotte Mul", "Steven Blok")) == {
        ("S", "Steven Blok"): naming.FIRST_ANSWER}
    # asked after Steven, with nobody asked after her, the voice heard next for the first time is still hers
    # (her first words went into Steven's voice)
    last = [heard[1], naming.Address("address", "Lotte Mul", "H", 33.0, 0.6)]
    assert naming.first_answers(last, turns, ["S", "P"], ("Lotte Mul", "Steven Blok")) == {
        ("S", "Steven Blok"): naming.FIRST_ANSWER, ("P", "Lotte Mul"): pytest.approx(0.6)}


def test_a_clear_question_answered_by_a_voice_heard_before_does_not_go_to_a_voice_first_heard_later():
    """Show 174: "Bram, wat vind jij daarvan?" was judged Bram (0.52) and his voice B answered; "Bram, kun je dat
    uitleggen?", spelled, was answered by B again; Fatima's voice F, first heard 20 s later, counted the spelled
    question as the clear one it answered, went first and took Bram's name (B and F both CHECKs, at 0.60)."""
    turns = [VoiceTurn(0, 10, "H"), VoiceTurn(10.3, 12.5, "B"), VoiceTurn(12.5, 15, "H"), VoiceTurn(15.3, 35, "B"),
             VoiceTurn(35.5, 60, "F")]
    heard = [naming.Address("address", "Bram de Graaf", "H", 9.9, 0.52),
             naming.Address("address", "Bram de Graaf", "H", 15.0)]
    found = naming.first_answers(heard, turns, ["B", "F"], ("Fatima el Amrani", "Bram de Graaf"))
    assert found == {("B", "Bram de Graaf"): pytest.approx(0.52)}


def test_without_chapters_the_guests_are_named_by_the_addresses_among_everyone_listed():
    """episode.toml lists [[people]] but no [[chapters]]: a name heard in the place of an address (the strict
    rule: same first letter) still names the voice that answers; a guest nobody addressed gets a CHECK."""
    people = [PersonInfo("Anne Host", "host"), PersonInfo("Marije Boer", "guest"), PersonInfo("Mike Bos", "guest"),
              PersonInfo("Jornt Zuil", "guest")]
    turns = [VoiceTurn(0, 20, "H")]
    lines = [naming.Line(15, 20, "Welkom. Mieke, hoe zie jij dat?")]  # Mike, misheard
    for start in range(20, 200, 30):
        turns += [VoiceTurn(start, start + 12, "K"), VoiceTurn(start + 12, start + 15, "H"),
                  VoiceTurn(start + 15.5, start + 27, "M"), VoiceTurn(start + 27, start + 30, "H")]
    lines.append(naming.Line(32, 35, "Marije, wat denk jij?"))
    turns += [VoiceTurn(200, 215, "H"), VoiceTurn(215, 230, "J"), VoiceTurn(230, 260, "H")]
    names = naming.name_voices(turns, lines, people, [], {})
    assert names["H"].name == "Anne Host"
    assert names["K"].name == "Mike Bos" and names["K"].confidence >= 0.6
    assert names["M"].name == "Marije Boer" and names["M"].confidence >= 0.6
    assert names["J"].name == "Jornt Zuil" and names["J"].confidence < 0.6  # by elimination only: a CHECK
    nobody = naming.name_voices(turns, [], people, [], {})  # no name heard: names from the list order, all CHECK
    assert all(n.confidence < 0.6 for v, n in nobody.items() if v != "H")


# ------------------------------------------------------------------------------------------ one person, two voices


def _voice(name, confidence, pinned=False):
    return {"name": name, "confidence": confidence, "talk_time": 30.0, "sample": [0.0, 10.0], "pinned": pinned,
            "evidence": ["addressed by name"]}


def test_a_name_left_over_for_a_voice_when_that_person_answered_in_another_is_doubtful():
    """Show 43 of the benchmark: Noor's voice was cut in two and one half fell into the next part, where Fatima
    (6 s of speech, no voice) was asked by name and Marije's voice answered. The left-over half got Fatima from
    the one-to-one match at 0.79-0.85, unflagged; all that was heard of Fatima pointed at another voice."""
    turns = [VoiceTurn(0, 10, "A"), VoiceTurn(10, 40, "B")]
    evidence = {("B", "Marije Boer"): 1.76, ("B", "Fatima Amrani"): 1.0}
    names = {n.voice: n for n in naming._assign(["A", "B"], ["Fatima Amrani", "Marije Boer"], evidence, turns, "part")}
    assert (names["A"].name, names["B"].name) == ("Fatima Amrani", "Marije Boer")
    assert names["A"].confidence == naming.DOUBTFUL and "Fatima was asked by name and B answered" in names["A"].evidence
    assert names["B"].confidence > naming.DOUBTFUL

def test_a_doubtful_judged_question_that_names_the_guest_left_over_leaves_the_name_as_sure_as_without_it():
    """Show 161 of the benchmark: Daan was named in the transcript; Lotte, the guest left over, was 0.85 at
    +6 dB, where the judge heard nothing, and a CHECK at the other levels, where it heard a weak "Lotte" (+0.45)
    in a question before her voice. A weak question that agrees adds no doubt; one that disagrees still does."""
    turns = [VoiceTurn(0, 15, "D"), VoiceTurn(15, 55, "L")]
    text = {("D", "Daan Verm"): 2.0}
    part = ["Lotte Mul", "Daan Verm"]

    def named(addressed, from_text):
        return {n.voice: n for n in naming._assign(["D", "L"], part, addressed, turns, "part", from_text=from_text)}

    without = named(text, text)
    agreeing = named({**text, ("L", "Lotte Mul"): 0.45}, text)
    assert without["L"].name == agreeing["L"].name == "Lotte Mul"
    assert agreeing["L"].confidence == without["L"].confidence == naming.ORDER_ONLY
    assert any("Whisper judge" in line for line in agreeing["L"].evidence)
    # the same weak question where the transcript named no one: it goes against the running order (first voice,
    # first guest) and both names stay CHECKs
    alone = named({("L", "Lotte Mul"): 0.45}, {})
    assert alone["L"].name == "Lotte Mul"
    assert alone["L"].confidence == alone["D"].confidence == naming.DOUBTFUL



def test_a_question_answered_by_a_voice_much_more_clearly_someone_else_leaves_the_name_left_over_sure():
    """Show 156 at -10 and +6 dB: the host's "Precies." inside Steven's answer was judged a question to Bram
    (+0.36), and Steven's voice (+2.0 for Steven) went on after it; Bram's own voice, 11 s named by elimination,
    was a CHECK for that. As in show 43, a voice that answered as much as it heard of its own name still does."""
    turns = [VoiceTurn(0, 20, "S"), VoiceTurn(20, 31.5, "B")]
    part = ["Steven Blok", "Bram de Graaf"]
    names = {n.voice: n for n in naming._assign(["S", "B"], part, {("S", "Steven Blok"): 2.0,
                                                                    ("S", "Bram de Graaf"): 0.36}, turns, "part")}
    assert names["B"].name == "Bram de Graaf" and names["B"].confidence > naming.DOUBTFUL
    assert not any("was asked by name" in line for line in names["B"].evidence)
    names = {n.voice: n for n in naming._assign(["S", "B"], part, {("S", "Steven Blok"): 2.0,
                                                                    ("S", "Bram de Graaf"): 1.0}, turns, "part")}
    assert names["B"].confidence == naming.DOUBTFUL and "Bram was asked by name and S answered" in names["B"].evidence


def test_a_name_at_0_7_is_flagged_and_one_at_0_8_is_not():
    """Names at 0.60-0.75 were wrong 6 times in 12 on the benchmark's shows: they carry a CHECK."""
    from pipeline.stages import speakers

    document = {"turns": [], "voices": {"Spreker 1": _voice("Host", 0.8), "Spreker 2": _voice("Kees", 0.7)}}
    warnings = speakers.outcome(document, speakers.Options(people=(("Host", "host"), ("Kees", "guest")))).warnings
    assert [w.split(" was named")[0] for w in warnings if "low confidence" in w] == ["Spreker 2"]


def test_two_voices_that_sound_like_one_person_lose_their_sure_names_and_are_flagged():
    from pipeline.stages import speakers

    document = {"turns": [], "voices": {"Spreker 1": _voice("Host", 0.95), "Spreker 2": _voice("Kees", 0.85),
                                        "Spreker 3": _voice("Fatima", 0.95)}}
    doubted = speakers.one_person_doubt(document, (1, 2, 0.874))
    assert [doubted["voices"][v]["confidence"] for v in ("Spreker 1", "Spreker 2", "Spreker 3")] == [0.95, 0.55, 0.55]
    assert "sounds like Spreker 3 (similarity 0.87" in doubted["voices"]["Spreker 2"]["evidence"][-1]
    assert document["voices"]["Spreker 3"]["confidence"] == 0.95  # the input is not changed
    warnings = speakers.outcome(doubted, speakers.Options(people=(("Host", "host"), ("Kees", "guest"),
                                                                  ("Fatima", "guest")))).warnings
    assert any(w.startswith("Spreker 2 and Spreker 3 sound like one person") for w in warnings)
    assert any(w.startswith("Spreker 3 was named 'Fatima' with low confidence") for w in warnings)
    assert not any(w.startswith("Spreker 1 ") for w in warnings)


def test_a_doubtful_name_says_why_and_who_else_of_its_part_it_may_be():
    """The CHECK line for a guest's voice the part's names did not tell apart says so and names the part's other
    guest, so the producer knows what to listen for; the host's line names no guest."""
    from pipeline.stages import speakers

    voice = {**_voice("Lotte Mulder", 0.56), "evidence": ["100% of its speech in chapter 3 of the plan",
                                                           "could not be told apart from the other guest(s)"]}
    host = {**_voice("Anne Host", 0.6), "evidence": ["host evidence 0.50 vs 0.40 for the next voice"]}
    opts = speakers.Options(people=(("Anne Host", "host"), ("Lotte Mulder", "guest"), ("Noor Hendriks", "guest"),
                                    ("Kees Smit", "guest")),
                            chapters=(ChapterCue(("Anne Host",)), ChapterCue(("Anne Host", "Kees Smit")),
                                      ChapterCue(("Anne Host", "Lotte Mulder", "Noor Hendriks")),
                                      ChapterCue(("Anne Host",))))
    warnings = speakers.outcome({"turns": [], "voices": {"Spreker 1": host, "Spreker 4": voice}}, opts).warnings
    guest = next(w for w in warnings if w.startswith("Spreker 4 "))
    assert "(0.56: could not be told apart from the other guest(s))" in guest
    assert guest.endswith("(perhaps 'Noor Hendriks', of the same part)") and "Kees" not in guest
    host_line = next(w for w in warnings if w.startswith("Spreker 1 "))
    assert "(0.60: host evidence 0.50 vs 0.40 for the next voice)" in host_line and "perhaps" not in host_line


def test_no_doubt_without_a_pair_and_pins_stand():
    from pipeline.stages import speakers

    document = {"turns": [], "voices": {"Spreker 1": _voice("Kees", 0.85, pinned=True),
                                        "Spreker 2": _voice("Fatima", 0.95)}}
    assert speakers.one_person_doubt(document, None) is document
    doubted = speakers.one_person_doubt(document, (0, 1, 0.9))
    assert doubted["voices"]["Spreker 1"]["confidence"] == 0.85 and doubted["voices"]["Spreker 2"]["confidence"] == 0.55
    pinned_both = {**document, "voices": {v: {**d, "pinned": True} for v, d in document["voices"].items()}}
    warnings = speakers.outcome(speakers.one_person_doubt(pinned_both, (0, 1, 0.9)), speakers.Options()).warnings
    assert not any("sound like one person" in w for w in warnings)


def test_two_alike_voices_each_asked_by_their_own_name_are_two_people():
    from pipeline.stages import speakers

    heard = [f"{naming.HEARD_BY_NAME}: +2.0"]
    document = {"turns": [], "voices": {"Spreker 1": _voice("Host", 0.95),
                                        "Spreker 2": {**_voice("Steven", 0.95), "evidence": heard},
                                        "Spreker 3": {**_voice("Mike", 0.95), "evidence": heard}}}
    assert speakers.one_person_doubt(document, (1, 2, 0.82)) is document  # no doubt, no CHECK line
    neither_heard = {**document, "voices": {**document["voices"], "Spreker 2": _voice("Steven", 0.95),
                                            "Spreker 3": _voice("Mike", 0.85)}}
    doubted = speakers.one_person_doubt(neither_heard, (1, 2, 0.82))
    assert doubted["voices"]["Spreker 2"]["confidence"] == doubted["voices"]["Spreker 3"]["confidence"] == 0.55
    # each asked by name as the Whisper judge hears it (show 157 of the benchmark): two people under ALIKE, and
    # one person, the judge hearing one of the names wrong, from ALIKE up (show 161 at +6 dB, 0.89)
    judged = [f"{naming.JUDGED_BY_NAME} (pipeline.spoken_names): +0.98"]
    both_judged = {**document, "voices": {**document["voices"], "Spreker 2": {**_voice("Steven", 0.85), "evidence": judged},
                                          "Spreker 3": {**_voice("Mike", 0.55), "evidence": heard}}}
    assert speakers.one_person_doubt(both_judged, (1, 2, 0.84)) is both_judged
    alike = speakers.one_person_doubt(both_judged, (1, 2, 0.89))
    assert alike["voices"]["Spreker 2"]["confidence"] == 0.55 and alike["one_person"][2] == 0.89


def test_of_two_alike_voices_the_one_asked_by_its_name_has_no_check_and_the_other_has():
    """Two voices that sound like one person with different names, one of them heard spelled: if they are one
    person, the other's name is the wrong one, so only the other is doubted, and the pair's CHECK line begins with
    it (seeds 81-107 of the judgement benchmark: 8 voices asked by their name were flagged for nothing). The one
    asked by name is not sure either (under 0.9): it may hold part of the other person's speech (show 270 at
    +6 dB: named Mike at 0.95 on 3.7 s of Mike and 6.4 s of Bram)."""
    from pipeline.stages import speakers

    heard = [f"{naming.HEARD_BY_NAME}: +2.0"]
    document = {"turns": [], "voices": {"Spreker 1": _voice("Host", 0.95),
                                        "Spreker 2": {**_voice("Steven", 0.95), "evidence": heard},
                                        "Spreker 3": _voice("Mike", 0.85)}}
    doubted = speakers.one_person_doubt(document, (1, 2, 0.86))
    assert doubted["voices"]["Spreker 2"]["confidence"] == 0.85 and doubted["voices"]["Spreker 3"]["confidence"] == 0.55
    assert doubted["voices"]["Spreker 2"]["name"] == "Steven"
    assert "sounds like Spreker 2 (similarity 0.86" in doubted["voices"]["Spreker 3"]["evidence"][-1]
    opts = speakers.Options(people=(("Host", "host"), ("Steven", "guest"), ("Mike", "guest")))
    warnings = speakers.outcome(doubted, opts).warnings
    assert not any(w.startswith("Spreker 2 ") for w in warnings)
    assert any(w.startswith("Spreker 3 and Spreker 2 sound like one person") for w in warnings)
    assert any(w.startswith("Spreker 3 was named 'Mike' with low confidence") for w in warnings)


def test_two_alike_voices_with_one_name_keep_the_sure_one_that_was_asked_by_it():
    """Two voices that sound like one person and carry one name: the voice asked by that name keeps it sure, the
    other (named after it) is the CHECK, and no pair line repeats what the shared-name line says. On seeds 81-97 of
    the judgement benchmark 8 such sure voices were right, flagged for nothing."""
    from pipeline.stages import speakers

    heard = [f"{naming.HEARD_BY_NAME}: +2.0"]
    document = {"turns": [], "voices": {"Spreker 1": _voice("Host", 0.95),
                                        "Spreker 2": {**_voice("Kees", 0.95), "evidence": heard},
                                        "Spreker 3": _voice("Kees", 0.55)}}
    doubted = speakers.one_person_doubt(document, (1, 2, 0.84))
    assert doubted["voices"]["Spreker 2"]["confidence"] == 0.95 and doubted["voices"]["Spreker 3"]["confidence"] == 0.55
    opts = speakers.Options(people=(("Host", "host"), ("Kees", "guest"), ("Lotte", "guest")))
    warnings = speakers.outcome(doubted, opts).warnings
    assert not any(w.startswith("Spreker 2 ") for w in warnings)
    assert any(w.startswith("Spreker 3 was named 'Kees'") for w in warnings)
    assert any(w.startswith("'Kees' was given to 2 voices") for w in warnings)
    assert any(w.startswith("Lotte has no voice of their own") for w in warnings)


def test_of_two_alike_voices_with_one_name_the_one_with_more_speech_keeps_its_confidence():
    """Two voices that sound like one person carry one name, neither asked by it: if they are one person both
    names are right, if two the name belongs to the larger; only the smaller is the CHECK (seeds 220-227 and
    268-275 of the judgement benchmark: 5 such larger voices, all right, were flagged for nothing; the host's
    voice cut in two on show 269 at -10 dB)."""
    from pipeline.stages import speakers

    document = {"turns": [], "voices": {"Spreker 1": {**_voice("Host", 0.95), "talk_time": 51.4},
                                        "Spreker 2": _voice("Kees", 0.95),
                                        "Spreker 4": {**_voice("Host", 0.8), "talk_time": 7.9}}}
    doubted = speakers.one_person_doubt(document, (0, 3, 0.91))
    assert doubted["voices"]["Spreker 1"] == document["voices"]["Spreker 1"]
    assert doubted["voices"]["Spreker 4"]["confidence"] == 0.55
    assert "sounds like Spreker 1 (similarity 0.91" in doubted["voices"]["Spreker 4"]["evidence"][-1]
    warnings = speakers.outcome(doubted, speakers.Options(people=(("Host", "host"), ("Kees", "guest")))).warnings
    assert not any(w.startswith("Spreker 1 ") for w in warnings)
    assert any(w.startswith("Spreker 4 was named 'Host'") for w in warnings)


def test_a_host_a_third_of_the_scale_ahead_is_no_check_and_a_close_race_is():
    """Guest A also speaks in the opening and the closing (the host's lead shrinks). Seeds 1-50 of the benchmark
    at three levels: 150 hosts named, none wrong, the smallest lead 0.32; at 0.3 + 1.3 x lead such hosts were
    flagged for nothing (0.73-0.74)."""
    from pipeline.stages.speakers import LOW_CONFIDENCE

    def host_naming(seconds_of_a: float) -> naming.Naming:
        turns = [t for t in show_turns() if not (t.voice == "H" and t.start in (0, 220))]
        turns += [VoiceTurn(0, 30 - seconds_of_a, "H"), VoiceTurn(30 - seconds_of_a, 30, "A"),
                  VoiceTurn(220, 220 + seconds_of_a, "A"), VoiceTurn(220 + seconds_of_a, 250, "H")]
        return naming.name_voices(turns, [], PEOPLE, PLAN, {})["H"]

    ahead, close = host_naming(10), host_naming(15)
    assert ahead.name == close.name == "Anne Host"
    assert "vs 0.36 for the next voice" in ahead.evidence[0] and ahead.confidence >= LOW_CONFIDENCE
    assert close.confidence < LOW_CONFIDENCE  # a lead of 0.14: a CHECK


def test_a_name_set_off_by_commas_after_the_introduction_is_the_one_asked():
    """Show 48 of the benchmark: Whisper ran "We gaan verder met Lotte Mulder en Mike Brantjes. Lotte, hoe begon
    het voor jou?" into one sentence with the name in lower case; naming both guests, it said nothing, and the
    part's two voices could not be told apart (a CHECK on both)."""
    people = ["Lotte Mulder", "Mike Brantjes", "Fatima el Amrani", "Kees Smit"]
    ran_on = "Dank jullie wel, we gaan verder met Lotte Mulder en Mike Brantjes, lotte, hoe begon het voor jouw."
    assert naming.vocative(ran_on, people)[0] == "Lotte Mulder"
    assert naming.vocative("We beginnen met Fatima en Kees, ram, hoe zie je dat?", people) is None  # no one's name
    assert naming.vocative("Dank je wel, Lotte, en tot ziens.", people) is None  # to no "je" and no question
    assert naming.vocative("Met Fatima, Lotte, en Kees Smit, hoe zie je dat?", people) is None  # Kees named later
    turns = [VoiceTurn(0, 8, "H"), VoiceTurn(8.5, 20, "L"), VoiceTurn(20, 30, "M")]
    scores = naming.address_evidence([naming.Line(0, 8, ran_on)], turns, people)
    assert scores[("L", "Lotte Mulder")] == 1.0 and ("M", "Mike Brantjes") not in scores


def test_a_question_answered_in_a_voice_of_another_part_names_no_voice_of_this_one():
    """Show 57 of the benchmark at +6 dB: "Noor, hoe zie je dat?" was answered in a voice the clustering put in
    the next part (most of it was someone else there); the first voice of Noor's part heard after the question,
    Bram's, took her name at 0.95. Now that answer names no voice of the part, and the name the running order
    then gives is a CHECK that says who answered."""
    turns = [VoiceTurn(0, 29.5, "H"), VoiceTurn(30, 36, "C"),  # C answers Marije's question (C: mostly part 2)
             VoiceTurn(36.5, 60, "A"), VoiceTurn(60, 62, "H"), VoiceTurn(62.5, 118, "M"), VoiceTurn(120, 130, "H"),
             VoiceTurn(130, 175, "C"), VoiceTurn(175, 220, "D"), VoiceTurn(220, 250, "H")]
    heard = [naming.Address("address", "Marije Boer", "H", 29.5)]
    assert naming.first_answers(heard, turns, ["A", "M"], ["Marije Boer", "Mike Bos"]) == {}
    answered_here = [VoiceTurn(t.start, t.end, "A" if (t.voice, t.start) == ("C", 30) else t.voice) for t in turns]
    assert naming.first_answers(heard, answered_here, ["A", "M"], ["Marije Boer", "Mike Bos"]) == {
        ("A", "Marije Boer"): 1.0}
    lines = [naming.Line(27, 29.5, "Marije, hoe zie jij dat?")]
    names = naming.name_voices(turns, lines, PEOPLE, PLAN, {})
    marije = next(n for n in names.values() if n.name == "Marije Boer")
    assert marije.voice in ("A", "M") and marije.confidence < 0.6
    assert "Marije was asked by name and C answered" in marije.evidence


def test_a_host_sentence_of_one_word_like_a_guest_s_name_asks_that_guest():
    """Show 57 of the benchmark as recorded: "Bram, wat vind jij nou?" was heard as "Brab! Wat vind jij nou?"; the
    name in a sentence of its own, misspelt, was not read, and the Whisper judge guessed Noor."""
    part = ["Noor Hendriks", "Bram de Graaf"]
    assert naming.addressed_name("Brab!", part, in_part=True) == ("Bram de Graaf", 0, 4)
    assert naming.addressed_name("Nou.", part, in_part=True) is None  # a word: 0.57 like Noor, under LOOSE_NAME
    assert naming.addressed_name("Brab!", part) is None  # outside a part's host lines, only the stricter forms
    turns = [VoiceTurn(0, 3, "H"), VoiceTurn(3.5, 12, "B"), VoiceTurn(12, 20, "N")]
    lines = [naming.Line(0, 3, "Brab! Wat vind jij nou?")]
    scores = naming.address_evidence(lines, turns, part, [(0.0, 30.0, part)], ["H"])
    assert scores[("B", "Bram de Graaf")] == 1.0


def test_a_name_after_met_introduces_the_guest_unless_a_question_follows_it():
    """Show 208 of the benchmark as recorded: "We gaan verder met Marije Boerlaagh en Mike Brantjes." was heard as
    "Lille, dan ver je er met Marijel, de vrouw niet meer." (Mike's name and Marije's surname lost), read as a
    question to Marije; Mike's voice, speaking next, took her name at 0.95."""
    part = ["Marije Boerlaagh", "Mike Brantjes"]
    turns = [VoiceTurn(0, 4, "H"), VoiceTurn(4.5, 12, "M"), VoiceTurn(12, 20, "J")]

    def heard(text: str) -> list[naming.Address]:
        return naming.addresses([naming.Line(0, 4, text)], turns, part, [(0.0, 30.0, part)], ["H"])

    assert not [a for a in heard("Lille, dan ver je er met Marijel, de vrouw niet meer.") if a.kind == "address"]
    assert [a.person for a in heard("We beginnen met Marije, wat denk jij?") if a.kind == "address"] == [part[0]]
    assert [a.person for a in heard("Marije, hoe zie jij dat?") if a.kind == "address"] == [part[0]]
    lines = [naming.Line(0, 4, "Lille, dan ver je er met Marijel, de vrouw niet meer.")]
    people = [PersonInfo("Anne Host", "host"), *(PersonInfo(p, "guest") for p in part)]
    plan = [ChapterInfo("opening", ("Anne Host",)), ChapterInfo("part", tuple(part)),
            ChapterInfo("closing", ("Anne Host",))]
    turns += [VoiceTurn(20, 24, "H")]
    names = naming.name_voices(turns, lines, people, plan, {})
    assert names["M"].confidence < 0.9, names["M"]


def test_a_voice_that_answered_another_guest_s_spelled_question_keeps_its_other_name_only_as_a_check():
    """Show 215 of the benchmark: Jornt spoke 6 s, inside the larger of Fatima's two voices; that voice answered
    "Fatima, kun je dat uitleggen?" and was named Jornt at 0.85, no CHECK, at every level."""
    people = [PersonInfo("Joost Host", "host"), PersonInfo("Jornt Zuijlen", "guest"),
              PersonInfo("Fatima Amrani", "guest")]
    plan = [ChapterInfo("opening", ("Joost Host",)), ChapterInfo("part", ("Jornt Zuijlen", "Fatima Amrani")),
            ChapterInfo("closing", ("Joost Host",))]
    turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 32, "H"), VoiceTurn(32.5, 45, "B"), VoiceTurn(45, 47, "H"),
             VoiceTurn(47.5, 80, "A"), VoiceTurn(80, 82, "H"), VoiceTurn(82.5, 95, "B"), VoiceTurn(95, 125, "H")]
    lines = [naming.Line(30, 32, "Fatima, hoe begon het voor jou?"),
             naming.Line(45, 47, "Fatima, kun je dat uitleggen?"), naming.Line(80, 82, "Fatima, wat vind jij daarvan?")]
    names = naming.name_voices(turns, lines, people, plan, {})
    assert names["B"].name == "Fatima Amrani" and names["A"].name == "Jornt Zuijlen"
    assert names["A"].confidence == naming.DOUBTFUL, names["A"]  # was 0.85
    assert "answered a question to Fatima by name: perhaps Fatima Amrani in two voices" in names["A"].evidence
    asked_too = [*lines, naming.Line(95, 97, "En Jornt, wat denk jij?")]  # A answered its own name as well
    turns_too = [*turns[:-1], VoiceTurn(95, 97, "H"), VoiceTurn(97.5, 110, "A"), VoiceTurn(110, 125, "H")]
    assert naming.name_voices(turns_too, asked_too, people, plan, {})["A"].confidence > naming.DOUBTFUL


def _mike_cut_and_steven_joined(show):
    """The voices of a tests.stages.test_chapters show as a clustering that heard Mike's first line as a voice of
    its own ("Spreker 6") and joined Steven to Jornt; with the people and the speakers stage's options."""
    from pipeline.stages import speakers
    from pipeline.timeline import Turn
    from tests.stages.test_chapters import CUES, JORNT, MIKE, STEVEN

    first_mike = next(t for t in show.turns if t.voice == MIKE)
    turns = tuple(Turn(t.start, t.end, "Spreker 6" if t == first_mike else JORNT if t.voice == STEVEN else t.voice)
                  for t in show.turns)
    people = [PersonInfo("Presentator", "host")] + [PersonInfo(p, "guest") for c in CUES[1:3] for p in c.people]
    return turns, people, speakers.Options(people=tuple((p.name, p.role) for p in people), chapters=CUES)


def test_the_chapter_search_places_the_parts_where_the_voices_alone_would_not():
    """The clustering heard Mike's first line as a voice of its own and joined Steven to Jornt: by the voices
    alone, four guest voices for two parts of two put a border inside part 1. The chapter search, on the same
    anonymous voices, finds where the parts start; the extra voice of part 1 is then Mike's, as a CHECK."""
    from pipeline.stages import speakers
    from tests.stages.test_chapters import CLOSING, CUES, JORNT, MARIJE, MIKE, OPENING, PART_1, PART_2, build

    show = build(OPENING + PART_1 + PART_2 + CLOSING)
    turns, people, opts = _mike_cut_and_steven_joined(show)
    starts = speakers.part_starts(show.transcript, opts, turns, show.breaks, show.duration)
    assert all(abs(s - t) < 0.5 for s, t in zip(starts[1:3], show.truth[1:3])), (starts, show.truth)

    voice_turns = [VoiceTurn(t.start, t.end, t.voice) for t in turns]
    by_voices = [ChapterInfo(f"chapter {i + 1}", c.people) for i, c in enumerate(CUES)]
    found = [ChapterInfo(f"chapter {i + 1}", c.people, s) for i, (c, s) in enumerate(zip(CUES, starts))]
    likeness = {"Spreker 6": {MARIJE: 0.62, MIKE: 0.81, JORNT: 0.55}}
    part_1, part_2 = set(CUES[1].people), set(CUES[2].people)
    guessed = naming.name_voices(voice_turns, [], people, by_voices, {}, likeness=likeness)
    assert {guessed[MARIJE].name, guessed[MIKE].name} != part_1  # the border inside part 1 names a guest wrong
    names = naming.name_voices(voice_turns, [], people, found, {}, likeness=likeness)
    assert {names[MARIJE].name, names[MIKE].name} == part_1 and names[JORNT].name in part_2
    extra = names["Spreker 6"]
    assert extra.name == names[MIKE].name and extra.confidence == naming.DOUBTFUL
    assert f"sounds most like {MIKE} ({names[MIKE].name}) of the part (similarity 0.81)" in extra.evidence[-1]
    # where the first part starts does not matter: the search unsure of it still places the border between parts
    unsure_first = [found[0], ChapterInfo("chapter 2", CUES[1].people), *found[2:]]
    assert naming.name_voices(voice_turns, [], people, unsure_first, {}, likeness=likeness) == names


def test_the_chapter_search_places_the_parts_for_the_names_also_where_it_is_unsure():
    """Show 207 of the judgement benchmark as recorded: Daan's long answer became a voice of its own, and the
    search was unsure of where part 2 began (0.45, no applause heard); the voices alone put the border inside
    part 1 and named Daan's second voice after a guest of part 2, at 0.79 without a CHECK. Here: no applause
    and no hand-over words between the parts, Mike's first line a voice of its own, Steven joined to Jornt."""
    from pipeline import chaptering
    from pipeline.stages import speakers
    from tests.stages.test_chapters import CLOSING, CUES, JORNT, MARIJE, MIKE, OPENING, PART_1, PART_2, build

    quiet_end = PART_1[:-2] + [replace(PART_1[-2], text="Zo, dat was het eerste stuk.")]  # and no applause
    plain_start = [replace(PART_2[0], text="Jorn van Zuilen en Steven Blok zitten nu hier naast mij.")]
    show = build(OPENING + quiet_end + plain_start + PART_2[1:] + CLOSING)
    turns, people, opts = _mike_cut_and_steven_joined(show)
    found = chaptering.detect(show.transcript, CUES, breaks=show.breaks, turns=turns, language="nl",
                              duration=show.duration)
    assert found[2].confidence < chaptering.LOW_CONFIDENCE, found[2]  # unsure of part 2
    starts = speakers.part_starts(show.transcript, opts, turns, show.breaks, show.duration)
    last_of_part_1 = max(t.end for t in turns if t.voice in (MARIJE, MIKE, "Spreker 6"))
    first_of_part_2 = min(t.start for t in turns if t.voice == JORNT)
    assert last_of_part_1 <= starts[2] <= first_of_part_2, (starts, show.truth)

    voice_turns = [VoiceTurn(t.start, t.end, t.voice) for t in turns]
    plan = [ChapterInfo(f"chapter {i + 1}", c.people, s) for i, (c, s) in enumerate(zip(CUES, starts))]
    likeness = {"Spreker 6": {MARIJE: 0.62, MIKE: 0.81, JORNT: 0.55}}
    names = naming.name_voices(voice_turns, [], people, plan, {}, likeness=likeness)
    assert {names[MARIJE].name, names[MIKE].name, names["Spreker 6"].name} == set(CUES[1].people)
    assert names[JORNT].name in CUES[2].people


def test_a_voice_more_than_its_part_has_guests_is_named_after_the_voice_it_sounds_most_like():
    namings = [naming.Naming("A", "Marije Boer", 0.95), naming.Naming("B", "Mike Bos", 0.85)]
    twin = naming.twin_in_part("C", namings, {"C": {"A": 0.58, "B": 0.72, "H": 0.9}}, "chapter 2")
    assert twin is not None and twin.name == "Mike Bos" and twin.confidence == naming.DOUBTFUL
    assert "perhaps Mike Bos in two voices" in twin.evidence[0]
    assert naming.twin_in_part("C", namings, {}, "chapter 2") is None  # no likeness known: left unnamed
    assert naming.twin_in_part("C", [], {"C": {"A": 0.9}}, "chapter 2") is None


def test_a_voice_more_than_its_part_has_guests_that_answered_a_guest_s_question_is_that_guest():
    """Show 130 of the judgement benchmark: Bram's answer to the host's second question to him ("En Bram, wat
    denk jij?") was a voice of its own, 0.59 alike to Bram's first voice and 0.63 to Mike's: it took Mike's
    name. The question decides where the likeness is no more than two people's; one person's likeness wins."""
    namings = [naming.Naming("A", "Marije Boer", 0.95), naming.Naming("B", "Mike Bos", 0.85)]
    guests = ("Marije Boer", "Mike Bos")
    asked = {("C", "Marije Boer"): 0.6}
    twin = naming.twin_in_part("C", namings, {"C": {"A": 0.59, "B": 0.63}}, "chapter 2", None, guests, asked)
    assert twin is not None and twin.name == "Marije Boer" and twin.confidence == naming.DOUBTFUL
    assert "it answered when Marije was asked" in twin.evidence[0]
    alike = naming.twin_in_part("C", namings, {"C": {"A": 0.59, "B": 0.88}}, "chapter 2", None, guests, asked)
    assert alike is not None and alike.name == "Mike Bos"
    unasked = naming.twin_in_part("C", namings, {"C": {"A": 0.59, "B": 0.63}}, "chapter 2", None, guests, {})
    assert unasked is not None and unasked.name == "Mike Bos"


def test_the_voices_likeness_is_the_cosine_of_their_centroids_whatever_their_scale():
    from pipeline.stages import speakers

    likeness = speakers.voice_likeness({"Spreker 1": [1.0, 0.0], "Spreker 2": [3.0, 3.0], "Spreker 3": [0.0, 2.0]})
    assert likeness["Spreker 1"] == {"Spreker 2": 0.707, "Spreker 3": 0.0}
    assert likeness["Spreker 2"]["Spreker 3"] == likeness["Spreker 3"]["Spreker 2"] == 0.707
    assert speakers.voice_likeness({"Spreker 1": [1.0, 0.0]}) == {}


def test_a_name_by_elimination_for_a_voice_as_alike_as_one_person_to_another_of_its_part_is_a_check():
    namings = [naming.Naming("A", "Bram de Graaf", 0.95, False, ("addressed/introduced by name: +1.0",)),
               naming.Naming("B", "Mike Bos", 0.85, False, ("100% of its speech in chapter 2",))]
    evidence = {("A", "Bram de Graaf"): 1.0}
    doubted = naming.doubt_alike(namings, evidence, {"A": {"B": 0.89}, "B": {"A": 0.89}})
    assert doubted[0] == namings[0]  # its own evidence stands
    assert doubted[1].confidence == naming.DOUBTFUL
    assert "sounds like A (Bram de Graaf, similarity 0.89): perhaps Bram de Graaf in two voices" \
        in doubted[1].evidence[-1]
    assert naming.doubt_alike(namings, evidence, {"A": {"B": 0.8}, "B": {"A": 0.8}}) == namings  # two people
    assert naming.doubt_alike(namings, {**evidence, ("B", "Mike Bos"): 1.0}, {"B": {"A": 0.89}}) == namings

    # in a show: Marije is asked and A answers; B is Mike by elimination, but sounds like A
    people = [PersonInfo("Anne Host", "host"), PersonInfo("Marije Boer", "guest"), PersonInfo("Mike Bos", "guest")]
    plan = [ChapterInfo("chapter 1", ("Anne Host",)), ChapterInfo("chapter 2", ("Marije Boer", "Mike Bos")),
            ChapterInfo("chapter 3", ("Anne Host",))]
    turns = [VoiceTurn(0, 20, "H"), VoiceTurn(20, 22, "H"), VoiceTurn(22, 40, "A"), VoiceTurn(40, 42, "H"),
             VoiceTurn(42, 60, "B"), VoiceTurn(60, 62, "H"), VoiceTurn(62, 80, "A"), VoiceTurn(80, 100, "H")]
    lines = [naming.Line(20.2, 21.8, "Marije, wat vind jij daarvan?")]
    sure = naming.name_voices(turns, lines, people, plan, {})
    assert sure["A"].name == "Marije Boer" and sure["B"].name == "Mike Bos" and sure["B"].confidence > 0.75
    alike = naming.name_voices(turns, lines, people, plan, {}, likeness={"A": {"B": 0.9}, "B": {"A": 0.9}})
    assert alike["A"] == sure["A"] and alike["B"].confidence == naming.DOUBTFUL


def test_a_voice_that_sounds_like_two_people_loses_its_sure_name_with_the_moment_to_listen_at():
    """Show 86 of the judgement benchmark: a guest's 7-s answer and the other guest's reply after it were one
    voice, named after the first guest at 0.95 by the question to her. Pins and library names stand."""
    from pipeline.stages import speakers

    document = {"turns": [], "voices": {"Spreker 1": _voice("Host", 0.95), "Spreker 2": _voice("Marije", 0.95),
                                        "Spreker 3": _voice("Noor", 0.95, pinned=True),
                                        "Spreker 4": {**_voice("Bram", 0.95), "library": {"episode": "2024-05-01"}}}}
    doubted = speakers.two_people_doubt(document, [("Spreker 2", 30.15, 0.689), ("Spreker 3", 80.0, 0.7),
                                                   ("Spreker 4", 100.0, 0.7)])
    assert [doubted["voices"][v]["confidence"] for v in ("Spreker 1", "Spreker 2", "Spreker 3", "Spreker 4")] \
        == [0.95, naming.DOUBTFUL, 0.95, 0.95]
    assert document["voices"]["Spreker 2"]["confidence"] == 0.95  # the input is not changed
    warnings = speakers.outcome(doubted, speakers.Options(people=(("Host", "host"), ("Marije", "guest"),
                                                                  ("Noor", "guest"), ("Bram", "guest")))).warnings
    line = next(w for w in warnings if w.startswith("Spreker 2 "))
    assert "before 00:30 and after it are 0.69 alike" in line and "two people in one voice" in line
    assert "listen at 00:25-00:35" in line  # both people are heard there
    assert doubted["two_people"] == [["Spreker 2", 30.15, 0.689]]
    assert speakers.two_people_doubt(document, []) is document


def test_the_two_voices_cut_from_one_say_so_and_keep_their_names():
    from pipeline.stages import speakers

    document = {"turns": [], "voices": {"Spreker 2": _voice("Marije", 0.95), "Spreker 3": _voice("Noor", 0.55)}}
    cut = speakers.split_in_two(document, [("Spreker 2", "Spreker 3", 32.885, 0.689)])
    assert [cut["voices"][v]["confidence"] for v in ("Spreker 2", "Spreker 3")] == [0.95, 0.55]
    assert all(cut["voices"][v]["evidence"][-1] == "Spreker 2 and Spreker 3 were one voice that sounds like two "
               "people, cut at 00:32 (its speech before and after it 0.69 alike, less than one person's voice)"
               for v in ("Spreker 2", "Spreker 3"))
    assert cut["cut_in_two"] == [["Spreker 2", "Spreker 3", 32.885, 0.689]]
    assert speakers.split_in_two(document, []) is document


def test_a_name_by_elimination_for_a_voice_as_alike_as_one_person_to_a_voice_outside_its_part_is_a_check():
    """Show 91 of the judgement benchmark at -10 dB: the host's voice cut in two, its second half named after a
    guest of the part by elimination, 0.96 alike to the host's first half."""
    namings = [naming.Naming("C", "Mike Bos", 0.8, False, ("86% of its speech in chapter 3",)),
               naming.Naming("D", "Fatima Amrani", 0.8, False, ("100% of its speech in chapter 3",))]
    likeness = {"C": {"A": 0.964, "D": 0.66}, "D": {"A": 0.6, "C": 0.66}}
    less = {**likeness, "C": {"A": 0.87, "D": 0.66}}  # alike as one person may be, not as one person is
    doubted = naming.doubt_alike(namings, {}, less, {"A": "Anne Host"})
    assert doubted[0].name == "Mike Bos" and doubted[0].confidence == naming.DOUBTFUL and doubted[1] == namings[1]
    assert "sounds like A (Anne Host, similarity 0.87): perhaps Anne Host in two voices" in doubted[0].evidence[-1]
    unnamed = naming.doubt_alike(namings, {}, likeness)  # a voice of a later part: no name yet
    assert unnamed[0].name == "Mike Bos"
    assert "sounds like A (similarity 0.96): perhaps one person in two voices" in unnamed[0].evidence[-1]


def test_a_name_by_elimination_for_a_voice_as_alike_as_one_person_is_to_a_named_voice_becomes_that_name():
    """Show 90 of the judgement benchmark: Mike never spoke, Bram was cut in two voices 0.91 alike, and the half
    without evidence was named Mike by elimination; show 91 at -10 dB: the host's half 0.96 alike to the host.
    From 0.9 (ONE_VOICE) the voice takes the other voice's name, still a CHECK."""
    namings = [naming.Naming("B", "Bram de Graaf", 0.95, False, ("addressed/introduced by name: +2.0",)),
               naming.Naming("C", "Mike Bos", 0.8, False, ("100% of its speech in chapter 2",)),
               naming.Naming("D", "Kees Smit", 0.8, False, ("100% of its speech in chapter 2",))]
    evidence = {("B", "Bram de Graaf"): 2.0}
    likeness = {"C": {"A": 0.6, "B": 0.91, "D": 0.7}, "D": {"A": 0.964, "B": 0.7, "C": 0.7}}
    renamed = naming.doubt_alike(namings, evidence, likeness, {"A": "Anne Host"})
    assert [(n.name, n.confidence) for n in renamed] == [
        ("Bram de Graaf", 0.95), ("Bram de Graaf", naming.DOUBTFUL), ("Anne Host", naming.DOUBTFUL)]
    assert "the running order alone names it Mike Bos, but it sounds like B (Bram de Graaf, similarity 0.91) " \
           "as one person's voice: Bram de Graaf in two voices" == renamed[1].evidence[-1]
    assert naming.doubt_alike(namings, {**evidence, ("C", "Mike Bos"): 1.0}, likeness)[1] == namings[1]  # own evidence
    # unnamed twin (a voice of a later part): the name stays, in doubt
    assert naming.doubt_alike(namings, evidence, likeness)[2].name == "Kees Smit"

    # show 90 at -10 dB: Steven cut in two voices 0.92 alike, each named by a doubtful judged question, one Noor
    # and one Steven: the voice with less speech takes the other's name (not both each other's)
    judged = "asked by name as the Whisper judge hears it (pipeline.spoken_names): +0.75"
    pair = [naming.Naming("D", "Noor Hendriks", naming.DOUBTFUL, False, ("100% of its speech", judged)),
            naming.Naming("E", "Steven Blok", naming.DOUBTFUL, False, ("100% of its speech", judged))]
    both = naming.doubt_alike(pair, {("D", "Noor Hendriks"): 0.75, ("E", "Steven Blok"): 0.6},
                              {"D": {"E": 0.92}, "E": {"D": 0.92}}, {}, {"D": 22.0, "E": 41.4})
    assert [n.name for n in both] == ["Steven Blok", "Steven Blok"]
    assert both[0].evidence[-1].startswith("a doubtful judged question names it Noor Hendriks, but it sounds like E")


def test_of_a_part_s_three_voices_the_two_most_alike_are_one_guest_and_the_third_the_other():
    """Show 209 of the judgement benchmark, every level: Kees in two voices (0.77 alike), the first answering
    a question to him; the running order gave the second half (25 s) Bram's name because it speaks more than
    Bram's own voice (13 s, 0.66-0.67 alike to either), which was left over and took Kees's name: 38 s of 50
    named wrong. The two most alike voices are one guest and the third the other, both as CHECKs; not when the
    third sounds nearly as alike, nor when the second half was asked by name itself."""
    turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 45, "A"), VoiceTurn(45, 48, "H"), VoiceTurn(48, 73, "A2"),
             VoiceTurn(73, 76, "H"), VoiceTurn(76, 89, "B"), VoiceTurn(89, 92, "H"), VoiceTurn(92, 100, "A"),
             VoiceTurn(100, 120, "H"), VoiceTurn(120, 130, "H"), VoiceTurn(130, 170, "C"), VoiceTurn(170, 210, "D"),
             VoiceTurn(210, 250, "H")]
    lines = [naming.Line(27, 29.5, "Marije, hoe zie jij dat?"), naming.Line(127, 129.5, "Jornt, en jij?")]

    def named(a_b: float, asked: tuple = ()) -> dict:
        pairs = {("A", "A2"): 0.77, ("A", "B"): a_b, ("A2", "B"): 0.66}
        likeness: dict = {}
        for (x, y), similarity in pairs.items():
            likeness.setdefault(x, {})[y] = likeness.setdefault(y, {})[x] = similarity
        return naming.name_voices(turns, [*lines, *asked], PEOPLE, PLAN, {}, likeness=likeness)

    split = named(0.67)
    assert [split[v].name for v in ("A", "A2", "B")] == ["Marije Boer", "Marije Boer", "Mike Bos"]
    assert split["A"].confidence >= 0.9
    assert split["A2"].confidence == split["B"].confidence == naming.DOUBTFUL
    assert "perhaps Marije Boer in two voices" in split["A2"].evidence[-1]
    assert "perhaps Mike Bos, whom the running order gave A2" in split["B"].evidence[-1]
    assert split["C"] == named(0.74)["C"]  # the other part is left as it was
    # the third voice nearly as alike (0.74 against 0.77): which voice is the second half is not told by likeness
    assert [named(0.74)[v].name for v in ("A2", "B")] == ["Mike Bos", "Marije Boer"]
    # the second half asked by name as Mike: it is Mike
    assert named(0.67, (naming.Line(45.5, 47.5, "Mike, wat vind jij?"),))["A2"].name == "Mike Bos"


def test_a_voice_that_answered_another_guest_s_spelled_question_and_sounds_like_them_is_that_guest():
    """Show 221 of the judgement benchmark as recorded: Steven's first answer (3 s) was a voice of its own and
    the rest of his answers (38 s) another, 0.83 alike; Fatima spoke 3 s. The larger voice, which answered
    "Steven, ...?" too, was named Fatima by the running order (66 % named right). Sounding like the asked
    guest's voice, it is that guest, a CHECK; less alike, it keeps the running order's name, a CHECK still."""
    turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 33, "A"), VoiceTurn(33, 35, "H"), VoiceTurn(35, 60, "A2"),
             VoiceTurn(60, 62, "H"), VoiceTurn(62, 100, "A2"), VoiceTurn(100, 130, "H"),
             VoiceTurn(130, 170, "C"), VoiceTurn(170, 210, "D"), VoiceTurn(210, 250, "H")]
    lines = [naming.Line(27, 29.5, "Marije, hoe zie jij dat?"), naming.Line(60, 61.8, "Marije, en wat nog meer?"),
             naming.Line(127, 129.5, "Jornt, en jij?")]

    def named(similarity: float) -> dict:
        likeness = {"A": {"A2": similarity}, "A2": {"A": similarity}}
        return naming.name_voices(turns, lines, PEOPLE, PLAN, {}, likeness=likeness)

    alike, apart = named(0.83), named(0.7)
    assert alike["A"].name == apart["A"].name == "Marije Boer"
    assert (alike["A2"].name, alike["A2"].confidence) == ("Marije Boer", naming.DOUBTFUL)
    assert "answered a question to Marije by name and sounds like A" in alike["A2"].evidence[-1]
    assert (apart["A2"].name, apart["A2"].confidence) == ("Mike Bos", naming.DOUBTFUL)
    assert alike["C"] == apart["C"] and alike["D"] == apart["D"]


def test_a_voice_that_answered_another_guest_s_question_is_that_guest_when_the_part_has_a_voice_to_spare():
    """Show 269 at +6 dB of the judgement benchmark: Daan's first answer (3.5 s) was a voice of its own, 0.67 alike
    to the rest of his answers (30 s), which answered a question to Daan too and was named Marije by the running
    order; Marije's own voice (10 s), the part's third, took Marije's name as well (73 % named right). Too unlike
    Daan's first voice to be him by likeness, but with a voice to spare for Marije, the larger voice is Daan and
    the third Marije, both CHECKs; without the third it keeps the running order's name, a CHECK."""
    turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 32, "H"), VoiceTurn(32.5, 34.8, "A"), VoiceTurn(35, 37, "H"),
             VoiceTurn(37.5, 40.7, "A"), VoiceTurn(40.9, 60, "A2"), VoiceTurn(60, 62, "H"), VoiceTurn(62.5, 72, "A2"),
             VoiceTurn(72.3, 82, "B"), VoiceTurn(82, 100, "H"), VoiceTurn(100, 130, "H"),
             VoiceTurn(130, 170, "C"), VoiceTurn(170, 210, "D"), VoiceTurn(210, 250, "H")]
    lines = [naming.Line(30, 32, "Marije, hoe begon het voor jou?"), naming.Line(35, 37, "Marije, wat vind jij daarvan?"),
             naming.Line(60, 61.8, "Marije, herken je dat?"), naming.Line(127, 129.5, "Jornt, en jij?")]
    likeness = {"A": {"A2": 0.67, "B": 0.6}, "A2": {"A": 0.67, "B": 0.72}, "B": {"A": 0.6, "A2": 0.72}}
    names = naming.name_voices(turns, lines, PEOPLE, PLAN, {}, likeness=likeness)
    assert names["A"].name == "Marije Boer"
    assert (names["A2"].name, names["A2"].confidence) == ("Marije Boer", naming.DOUBTFUL), names["A2"]
    assert (names["B"].name, names["B"].confidence) == ("Mike Bos", naming.DOUBTFUL), names["B"]
    without_b = [t if t.voice != "B" else VoiceTurn(t.start, t.end, "A2") for t in turns]
    two = naming.name_voices(without_b, lines, PEOPLE, PLAN, {}, likeness=likeness)
    assert (two["A2"].name, two["A2"].confidence) == ("Mike Bos", naming.DOUBTFUL), two["A2"]


def test_a_voice_left_over_in_a_part_whose_guest_lost_their_voice_is_that_guest():
    """Show 81 of the judgement benchmark: Mike in two voices (0.84 alike) took both of the part's names; the
    voice left over, 0.69 alike to them, was Bram. A voice as alike as one person to a named one stays its twin,
    of the part or not (show 91: the host's speech in part 2 was a voice of its own, 0.97 alike to the host)."""
    namings = [naming.Naming("B", "Mike Bos", 0.95), naming.Naming("C", "Mike Bos", 0.55)]
    guests = ("Mike Bos", "Bram de Graaf")
    left = naming.twin_in_part("D", namings, {"D": {"A": 0.6, "B": 0.69, "C": 0.66}}, "chapter 3",
                               {"A": "Anne Host"}, guests)
    assert (left.name, left.confidence) == ("Bram de Graaf", naming.DOUBTFUL)
    assert "Bram de Graaf has no voice of their own" in left.evidence[0]
    twin = naming.twin_in_part("D", namings, {"D": {"A": 0.6, "B": 0.88, "C": 0.66}}, "chapter 3",
                               {"A": "Anne Host"}, guests)
    assert twin.name == "Mike Bos" and "sounds most like B (Mike Bos) of the part (similarity 0.88)" in twin.evidence[0]
    host = naming.twin_in_part("D", namings[:1] + [naming.Naming("C", "Bram de Graaf", 0.8)],
                               {"D": {"A": 0.97, "B": 0.72, "C": 0.66}}, "chapter 2", {"A": "Anne Host"}, guests)
    assert host.name == "Anne Host" and "sounds most like A (Anne Host) (similarity 0.97)" in host.evidence[0]
    # a voice outside the part counts only as alike as one person's voice (show 99 at -10 dB: 0.69 to a guest of
    # another part, 0.686 to its own part's)
    near = naming.twin_in_part("D", namings[:1] + [naming.Naming("C", "Bram de Graaf", 0.8)],
                               {"D": {"A": 0.75, "B": 0.72, "C": 0.66}}, "chapter 2", {"A": "Anne Host"}, guests)
    assert near.name == "Mike Bos"


def test_the_only_guest_voice_of_a_part_whose_other_guest_has_no_voice_is_a_check():
    """Part 1 has one guest voice A, asked as Marije; Mike has no voice (the clustering joined him, 10 dB
    quieter, to Marije: show 115 of the judgement benchmark). Marije's name stays, as a CHECK that says so;
    part 2, with a voice for each guest, keeps its sure names."""
    turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 60, "A"), VoiceTurn(60, 63, "H"), VoiceTurn(63, 120, "A"),
             VoiceTurn(120, 130, "H"), VoiceTurn(130, 170, "C"), VoiceTurn(170, 210, "D"), VoiceTurn(210, 250, "H")]
    lines = [naming.Line(27, 29.5, "Marije, hoe zie jij dat?"), naming.Line(127, 129.5, "Jornt, en jij?"),
             naming.Line(167, 169.5, "Steven, wat vind jij?")]
    names = naming.name_voices(turns, lines, PEOPLE, PLAN, {})
    assert names["A"].name == "Marije Boer" and names["A"].confidence == naming.DOUBTFUL
    assert "Mike Bos has no voice of their own: perhaps both in this voice" in names["A"].evidence[-1]
    assert (names["C"].name, names["D"].name) == ("Jornt Zuil", "Steven Blok")
    assert min(names["C"].confidence, names["D"].confidence) >= 0.9
    pinned = naming.name_voices(turns, lines, PEOPLE, PLAN, {"A": "Marije Boer"})
    assert pinned["A"].confidence == 1.0  # a pin stands


def test_a_voice_in_pieces_inside_the_other_guest_s_answer_named_from_the_running_order_is_a_check():
    """Seeds 124-131 of the judgement benchmark: Mike's 50 s answer filled the part, Bram said one word, and the
    clustering cut Mike's answer into two alternating voices; the smaller (10 s, four turns inside the answer)
    was named Bram from the running order alone at 0.80, unflagged. A second guest who speaks after the first,
    or interrupts once, keeps the order's confidence."""
    def named(m_turns: list[tuple[float, float]]) -> dict:
        turns = [VoiceTurn(0, 30, "H")]
        at = 30.0
        for start, end in m_turns:
            turns += [VoiceTurn(at, start, "A"), VoiceTurn(start, end, "M")]
            at = end
        turns += [VoiceTurn(at, 100, "A"), VoiceTurn(100, 120, "H"), VoiceTurn(120, 130, "H"),
                  VoiceTurn(130, 170, "C"), VoiceTurn(170, 210, "D"), VoiceTurn(210, 250, "H")]
        lines = [naming.Line(27, 29.5, "Marije, hoe zie jij dat?"), naming.Line(127, 129.5, "Jornt, en jij?"),
                 naming.Line(167, 169.5, "Steven, wat vind jij?")]
        return naming.name_voices(turns, lines, PEOPLE, PLAN, {})

    pieces = named([(40, 43), (50, 53), (60, 63), (70, 73)])
    assert pieces["A"].name == "Marije Boer" and pieces["A"].confidence >= 0.9
    assert pieces["M"].name == "Mike Bos" and pieces["M"].confidence == naming.DOUBTFUL, pieces["M"]
    assert any("comes in pieces inside A's answers" in e for e in pieces["M"].evidence)
    once = named([(60, 72)])  # one interruption of 12 s
    assert once["M"].name == "Mike Bos" and once["M"].confidence >= 0.8, once["M"]
    assert naming.pieces_inside(
        [VoiceTurn(0, 5, "A"), VoiceTurn(5, 8, "M"), VoiceTurn(8, 12, "A"), VoiceTurn(12, 15, "M"),
         VoiceTurn(15, 20, "H"), VoiceTurn(20, 40, "M")], "M", ["A"]) is None  # 6 of its 26 s: mostly its own
