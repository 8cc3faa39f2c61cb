"""chapters: boundaries from hand-over phrases, fuzzy names, voices, pauses and applause; honest confidence.

The pure tests build Whisper-like transcripts by hand (misspelled names, unsure words, hotword echoes), with the
voice turns and pauses that go with them; the stage test runs the real stage on generated audio; the slow test
runs the real audio stages and Whisper on a generated show and compares with its ground truth.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
import soundfile

from pipeline import chapter as chapter_model
from pipeline import chaptering as ch
from pipeline import timeline
from pipeline.config import ChapterPlan
from pipeline.engine import Engine, load_context
from pipeline.errors import ConfigError, InputError, StageError
from pipeline.stages import chapters as stage
from pipeline.transcript import Segment, Transcript, Word
from tests.helpers import make_episode, make_show

# ---------------------------------------------------------------- a hand-made show


@dataclass(frozen=True)
class Line:
    voice: str
    text: str
    pause: float = 0.7  # seconds of silence before the line
    probability: float = 0.9
    starts_chapter: bool = False
    speech: bool = True  # False: Whisper printed this on audio that is not speech (applause, noise)


@dataclass(frozen=True)
class Clap:
    seconds: float
    pause: float = 0.3


@dataclass(frozen=True)
class Show:
    transcript: Transcript
    turns: tuple[timeline.Turn, ...]
    breaks: ch.Breaks
    truth: tuple[float, ...]  # onset of the first word of every chapter
    duration: float


def build(events, step: float = 0.02) -> Show:
    """Lay the lines end to end: each word takes 0.1 s plus 0.06 s per letter, words 0.08 s apart."""
    t = 1.0
    segments, turns, quiet, applause, speech_spans, truth = [], [], [], [], [], []
    for event in events:
        t += event.pause
        if isinstance(event, Clap):
            applause.append(timeline.Interval(round(t, 3), round(t + event.seconds, 3)))
            t += event.seconds
            continue
        words = []
        for text in event.text.split():
            length = 0.1 + 0.06 * len(text.strip(",.?!"))
            words.append(Word(round(t, 3), round(t + length, 3), " " + text, event.probability))
            t += length + 0.08
        t -= 0.08
        if event.starts_chapter:
            truth.append(words[0].start if truth else 0.0)
        segments.append(Segment(len(segments), words[0].start, words[-1].end, event.text, tuple(words)))
        if event.speech:
            turns.append(timeline.Turn(words[0].start, words[-1].end, event.voice))
            speech_spans.append((words[0].start, words[-1].end))
    duration = t + 1.0
    frames = np.zeros(int(math.ceil(duration / step)), np.uint8)
    for start, end in speech_spans:
        frames[int(start / step):int(math.ceil(end / step))] = 1
    for run in applause:
        frames[int(run.start / step):int(math.ceil(run.end / step))] = 0
    edges = np.diff(np.concatenate(([1], frames, [1])).astype(int))
    for a, b in zip(np.flatnonzero(edges == -1), np.flatnonzero(edges == 1)):
        if (b - a) * step >= 0.15:
            quiet.append(timeline.Interval(round(float(a * step), 3), round(float(b * step), 3)))
    breaks = ch.Breaks(quiet=tuple(quiet), applause=tuple(applause), speech=frames.tobytes(), step=step)
    return Show(Transcript("nl", duration, tuple(segments)), tuple(turns), breaks, tuple(truth), duration)


HOST, MARIJE, MIKE, JORNT, STEVEN = "Spreker 1", "Spreker 2", "Spreker 3", "Spreker 4", "Spreker 5"

OPENING = [
    Line(HOST, "Goedenavond allemaal, en welkom bij Burger Centraal.", starts_chapter=True),
    Line(HOST, "Dit is de live podcast van Ambtenaar van Nu."),
    Line(HOST, "Het thema is vertrouwen tussen bewoners en de overheid."),
    Clap(3.0),
]
PART_1 = [
    Line(HOST, "We beginnen met Marijen Boelach en Maik Brantjes.", pause=1.0, starts_chapter=True),
    Line(HOST, "Marijen, jij bent gebiedsmakelaar bij de gemeente Amsterdam."),
    Line(MARIJE, "Ik werk in Amsterdam Zuidoost, in de kaboert."),
    Line(MARIJE, "Ik ben de verbinding tussen de buurt en de gemeente."),
    Line(HOST, "Mike, hoe ben jij bij de K-buurt betrokken geraakt?"),
    Line(MIKE, "Ik woon al twintig jaar in de K-buurt."),
    Line(MIKE, "De bewoners schrijven zelf de participatie verordening."),
    Line(MIKE, "Daarin staat hoe de gemeente met ons moet samenwerken."),
    Line(MARIJE, "En de ambtenaren reageren daarop, dat was voor ons ook nieuw."),
    Line(MARIJE, "We moesten echt leren luisteren naar de bewoners."),
    Line(HOST, "Mike, wat is jouw advies aan ambtenaren?"),
    Line(MIKE, "Kom naar de buurt en drink een kop koffie met ons."),
    Line(MIKE, "En kom terug, ook als het moeilijk wordt."),
    Line(MARIJE, "We schrijven onze antwoorden nu in gewone taal."),
    Line(MARIJE, "En we komen elke maand naar het buurthuis."),
    Line(MIKE, "Er is meer vertrouwen dan vroeger, maar we zijn er nog niet."),
    Line(HOST, "Dank jullie wel, Marijen en Mike.", pause=1.2),
    Clap(4.0),
]
PART_2 = [
    Line(HOST, "We gaan verder met Jorn van Zuilen en Steven Blok.", pause=2.0, starts_chapter=True),
    Line(HOST, "Jorn, jij werkt aan lokale democratievernieuwing."),
    Line(JORNT, "Klopt, ik werk bij het programma Grenzeloos samenwerken."),
    Line(JORNT, "We kijken hoe inwoners en overheid beter kunnen samenwerken."),
    Line(HOST, "Steven, jij schreef het boek Leren in Participatieland."),
    Line(STEVEN, "Ik maak een systemische analyse van de K-buurt."),
    Line(STEVEN, "Ik kijk niet naar een persoon, maar naar het hele systeem."),
    Line(STEVEN, "Regels, geld en gewoontes bepalen wat ambtenaren doen."),
    Line(JORNT, "Dat herken ik, goede bedoelingen zijn niet genoeg."),
    Line(JORNT, "Het systeem moet ook veranderen."),
    Line(STEVEN, "We moeten samen leren, bewoners en ambtenaren."),
    Line(STEVEN, "En we moeten ruimte maken om te experimenteren."),
    Line(JORNT, "Democratie is meer dan elke vier jaar stemmen."),
    Line(JORNT, "Het gaat om hoe we elke dag samen beslissen."),
    Line(STEVEN, "Een verordening is een begin, geen eindpunt."),
]
CLOSING = [
    Line(HOST, "Dank jullie wel, Jorn en Steven.", pause=1.2, starts_chapter=True),
    Line(HOST, "Tot slot: de verhalen van vanavond komen ook in ons magazine."),
    Line(HOST, "Dank voor het luisteren, en tot ziens."),
]

CUES = (
    ch.ChapterCue(("Presentator",), ("welkom", "Burger Centraal")),
    ch.ChapterCue(("Marije Boerlaagh", "Mike Brantjes"), ("K-Buurt", "participatieverordening")),
    ch.ChapterCue(("Jornt van Zuijlen", "Steven Blok"), ("systemisch", "democratievernieuwing")),
    ch.ChapterCue(("Presentator",), ("magazine", "slotevent")),
)


def detect(show: Show, cues=CUES, voices: bool = True) -> list[ch.Boundary]:
    return ch.detect(show.transcript, cues, breaks=show.breaks, turns=show.turns if voices else (),
                     duration=show.duration)


def assert_honest(boundaries, truth) -> None:
    """The acceptance rule: never a confident boundary more than 10 s from the truth."""
    for boundary, true_start in zip(boundaries, truth):
        if abs(boundary.start - true_start) > 10:
            assert boundary.confidence < ch.LOW_CONFIDENCE, (boundary, true_start)


def assert_not_inside_words(boundaries, transcript: Transcript) -> None:
    for boundary in boundaries:
        for word in transcript.words:
            assert not word.start < boundary.start < word.end, (boundary.start, word)


@pytest.fixture(scope="module")
def full_show() -> Show:
    return build(OPENING + PART_1 + PART_2 + CLOSING)


# ---------------------------------------------------------------- detection


def test_every_part_found_despite_misspelled_names(full_show):
    boundaries = detect(full_show)
    assert [b.index for b in boundaries] == [0, 1, 2, 3]
    assert boundaries[0].start == 0.0
    for boundary, true_start in zip(boundaries[1:], full_show.truth[1:]):
        assert true_start - 0.5 <= boundary.start <= true_start, (boundary, true_start)  # just before the word
        assert boundary.confidence >= 0.6, boundary  # not flagged for checking
    part_2 = " ".join(boundaries[2].evidence)
    assert "we gaan verder met" in part_2 and "dank jullie wel" in part_2 and "applause" in part_2
    assert 'Jornt van Zuijlen (heard "jorn van zuilen")' in part_2  # fuzzy: ASR spelling, planned name
    assert "marijen boelach" in " ".join(boundaries[1].evidence)
    assert_not_inside_words(boundaries, full_show.transcript)


def test_without_voices_the_text_and_pauses_still_place_the_parts(full_show):
    boundaries = detect(full_show, voices=False)
    for boundary, true_start in zip(boundaries[1:], full_show.truth[1:]):
        assert abs(boundary.start - true_start) < 1.0
    assert_honest(boundaries, full_show.truth)


def test_fuzzy_names_match_asr_spellings_but_not_other_words():
    tokens = ch.tokens_of(build([Line(HOST, "Marijen Boelach, Maik en mijn buurman Jorn van Zuilen, Blok.")])
                          .transcript)
    found = {(h.key, h.heard) for h in ch.find_names(tokens, ["Marije Boerlaagh", "Mike Brantjes",
                                                              "Jornt van Zuijlen", "Steven Blok"], [])}
    assert ("Marije Boerlaagh", "marijen boelach") in found
    assert ("Jornt van Zuijlen", "jorn van zuilen") in found
    assert not any(heard in ("mijn", "blok", "maik") for _, heard in found)  # short words need an exact match
    assert ch.name_forms("Jornt van Zuijlen") == ["jornt van zuijlen", "jornt", "zuijlen"]
    assert ch.name_forms("Steven Blok") == ["steven blok", "steven"]  # "blok" is also a Dutch word


def test_hotword_echoes_do_not_move_a_boundary(full_show):
    """Names printed on applause (sure-sounding, but no speech under them) and names Whisper was unsure of,
    in the middle of part 1 right after applause and a pause, change nothing."""
    echo_on_noise = [Clap(3.0), Line("noise", "Jornt van Zuijlen, Steven Blok.", pause=0.0, probability=0.95,
                                     speech=False)]
    unsure = [Line(MIKE, "Dan Jornt van Zuijlen en Steven Blok dat weet ik niet.", pause=1.5, probability=0.2)]
    baseline = detect(full_show)
    for leak in (echo_on_noise, unsure):
        show = build(OPENING + PART_1[:8] + leak + PART_1[8:] + PART_2 + CLOSING)
        shift = show.truth[2] - full_show.truth[2]  # the leak makes part 1 longer
        boundaries = detect(show)
        assert abs(boundaries[1].start - baseline[1].start) < 0.01
        assert abs(boundaries[2].start - shift - baseline[2].start) < 0.01
        assert abs(boundaries[3].start - shift - baseline[3].start) < 0.01
        clues = ch.gather(show.transcript, CUES, show.breaks, show.turns, "nl")
        leaked = [h for h in clues.names if h.key == "Jornt van Zuijlen" and show.truth[1] < h.start < show.truth[2]]
        assert leaked and not any(h.supported for h in leaked), leaked


def test_an_echo_where_names_would_decide_does_not_move_the_boundary():
    """No voices, a hand-over without words (applause, then "fijn dat jullie er zijn"), and shortly before it
    applause on which hotwords printed the new guests' names: were the echo believed, it would win."""
    echo = [Clap(3.0), Line("noise", "Jornt van Zuijlen, Steven Blok.", pause=0.0, probability=0.95, speech=False)]
    part_1 = PART_1[:-2] + [Clap(3.0)]
    part_2 = [replace(PART_2[0], text="Fijn dat jullie er zijn, jullie twee.", pause=1.5)] + PART_2[1:]
    show = build(OPENING + part_1[:11] + echo + part_1[11:] + part_2 + CLOSING)
    boundaries = detect(show, voices=False)
    assert abs(boundaries[2].start - show.truth[2]) < 0.5
    assert_honest(boundaries, show.truth)


def test_an_echo_list_of_names_is_not_supported_but_a_sentence_with_names_is():
    show = build([Line(HOST, "Marije Boerlaagh, Mike Brantjes.", probability=0.95),
                  Line(HOST, "Dank jullie wel, Marije en Mike.", probability=0.95)])
    tokens = ch.tokens_of(show.transcript)
    hits = ch.check_support(ch.find_names(tokens, ["Marije Boerlaagh", "Mike Brantjes"], []), tokens,
                            show.transcript, show.breaks, ch.MIN_NAME_PROBABILITY, ch.MIN_NAME_SPEECH)
    by_segment = {(tokens[h.first].segment, h.key): h.supported for h in hits}
    assert by_segment[(0, "Marije Boerlaagh")] is False and by_segment[(0, "Mike Brantjes")] is False
    assert by_segment[(1, "Marije Boerlaagh")] is True and by_segment[(1, "Mike Brantjes")] is True


def test_a_name_alone_never_places_a_boundary():
    assert ch.Evidence(new_names=1.0, old_names=1.0, topic=1.0).score == 0.0
    assert ch.Evidence(new_names=1.0, old_names=1.0, topic=1.0).kinds == []
    # One voice talking without pauses; the part-2 guests are named once, clearly, half-way.
    words = ["Dit", "is", "een", "lang", "verhaal", "over", "de", "buurt", "en", "de", "gemeente"]
    lines = [Line(HOST, " ".join(words), pause=0.0, starts_chapter=i == 0) for i in range(12)]
    lines.insert(6, Line(HOST, "Ik sprak gisteren nog met Jornt van Zuijlen en Steven Blok daarover.", pause=0.0))
    show = build(lines)
    boundaries = detect(show, cues=(CUES[0], CUES[2]))
    assert boundaries[1].confidence < ch.LOW_CONFIDENCE
    assert not any("names:" in e for e in boundaries[1].evidence)


def test_without_handover_phrases_the_parts_are_found_with_less_confidence(full_show):
    plain_part_2 = [replace(PART_2[0], text="Jorn van Zuilen en Steven Blok zitten nu hier naast mij.")] + PART_2[1:]
    plain_part_1 = PART_1[:-2] + [replace(PART_1[-2], text="Zo, dat was het eerste stuk."), PART_1[-1]]
    show = build(OPENING + PART_1[:-2] + plain_part_1[-2:] + plain_part_2 + CLOSING)
    boundaries = detect(show)
    assert abs(boundaries[2].start - show.truth[2]) < 1.0
    assert not any("phrase" in e or "thanks" in e for e in boundaries[2].evidence)
    assert boundaries[2].confidence <= detect(full_show)[2].confidence
    assert_honest(boundaries, show.truth)


def test_conflicting_evidence_gives_low_confidence():
    """The host hands over with words at one place, but the new voices and the applause come a minute later
    (and the host keeps talking in between): the boundary is uncertain, and says so."""
    talk = [Line(HOST, f"En dan nog dit punt over de buurt, nummer {n}.") for n in range(14)]
    new_part = [Line(JORNT if n % 2 else STEVEN, "Het systeem moet veranderen, dat is mijn punt.")
                for n in range(8)]
    lines = (OPENING + PART_1[:10] + [PART_1[-2], Line(HOST, "We gaan verder met Jorn en Steven.", pause=1.5,
                                                       starts_chapter=True)]
             + talk + [Clap(4.0)] + new_part + CLOSING)
    show = build(lines)
    boundaries = detect(show)
    assert boundaries[2].confidence < ch.LOW_CONFIDENCE, boundaries[2]
    assert any(e.startswith("competing cut") for e in boundaries[2].evidence)
    assert_honest(boundaries, show.truth)


def test_a_start_override_wins_exactly_and_the_others_are_still_detected(full_show):
    cues = list(CUES)
    cues[2] = replace(cues[2], start=full_show.truth[2] + 3.456)
    boundaries = detect(full_show, cues=cues)
    assert boundaries[2].start == full_show.truth[2] + 3.456
    assert boundaries[2].override and boundaries[2].confidence == 1.0 and not boundaries[2].low_confidence
    assert abs(boundaries[1].start - full_show.truth[1]) < 0.5
    assert abs(boundaries[3].start - full_show.truth[3]) < 0.5


def test_overrides_are_validated(full_show):
    problems = ch.validate_overrides([CUES[0], replace(CUES[1], start=full_show.duration + 1)], full_show.duration)
    assert problems and problems[0][0] == 1 and "past the end" in problems[0][1]
    assert ch.validate_overrides([replace(CUES[0], start=5.0)], 100.0)[0][0] == 0
    assert ch.validate_overrides([CUES[0], replace(CUES[1], start=50.0), replace(CUES[2], start=40.0)], 100.0)
    with pytest.raises(ValueError, match=r"chapters #2\.start"):
        detect(full_show, cues=[CUES[0], replace(CUES[1], start=full_show.duration + 1)])


def test_approx_narrows_the_search(full_show):
    """With only two chapters planned, both hand-overs could start the second; the hint decides."""
    cues = (CUES[0], replace(CUES[2], people=(), keywords=()))
    reach = ch.approx_window(full_show.duration)
    assert reach == 30.0  # a tenth of this short show, at least 30 s
    near_part_2 = detect(full_show, cues=(cues[0], replace(cues[1], approx=full_show.truth[2] + 20)))
    near_part_1 = detect(full_show, cues=(cues[0], replace(cues[1], approx=full_show.truth[1] + 20)))
    assert abs(near_part_2[1].start - full_show.truth[2]) < 0.5
    assert abs(near_part_1[1].start - full_show.truth[1]) < 0.5
    # outside the window nothing is considered, however good
    far = detect(full_show, cues=(cues[0], replace(cues[1], approx=full_show.truth[2] + reach + 15)))
    assert far[1].start > full_show.truth[2] + 15


def test_snap_cuts_in_the_pause_just_before_the_next_word():
    quiet = [timeline.Interval(10.2, 11.0)]
    cut = ch.snap(10.0, 10.1, quiet, [q.start for q in quiet])  # Whisper's gap is off; the audio's pause rules
    assert cut.time == pytest.approx(11.0 - ch.LEAD) and cut.pause == pytest.approx(0.8) and cut.snapped_to_audio
    short = [timeline.Interval(10.0, 10.2)]
    assert ch.snap(10.0, 10.2, short, [10.0]).time == pytest.approx(10.1)  # a short pause: its middle
    assert ch.snap(10.0, 10.6, [], []).time == pytest.approx(10.4)  # no audio: in the gap, LEAD before
    assert ch.snap(10.0, 10.0, [], []).time == 10.0  # words that touch: between them


def test_boundaries_never_fall_inside_a_word_in_any_scenario(full_show):
    for show in (full_show, build(OPENING + PART_1 + PART_2)):
        cues = CUES[:len(show.truth)]
        for voices in (True, False):
            assert_not_inside_words(detect(show, cues=cues, voices=voices), show.transcript)


def test_confidence_is_honest_on_a_transcript_of_noise():
    """Random words, random voices: no boundary may look certain."""
    rng = np.random.default_rng(3)
    vocab = "de het een en van ik je dat is niet we wat op aan met voor er maar ook als bij".split()
    lines = [Line(str(rng.integers(3)), " ".join(rng.choice(vocab, 8)), pause=float(rng.uniform(0.2, 1.6)),
                  probability=float(rng.uniform(0.3, 1.0)), starts_chapter=n == 0) for n in range(120)]
    boundaries = detect(build(lines))
    assert all(b.confidence < ch.LOW_CONFIDENCE for b in boundaries[1:]), boundaries


def test_phrases_are_fuzzy_but_not_loose_and_farewells_hand_nothing_over():
    show = build([Line(HOST, "Dank julie wel, Marije."), Line(HOST, "Dan ik nog even dit, dat als laatste."),
                  Line(HOST, "Wegaan verder met het tweede deel."),
                  Line(HOST, "Dank jullie wel voor het luisteren, en tot ziens.")])
    hits = ch.find_phrases(ch.tokens_of(show.transcript), ch.HANDOVER_PHRASES["nl"])
    found = [(h.kind, h.key, show.transcript.segments[0].words[0].start <= h.start) for h in hits]
    kinds = {(h.kind, h.key) for h in hits}
    assert ("thanks", "dank jullie wel") in kinds and ("opening", "we gaan verder met") in kinds, found
    assert ("thanks", "dank") not in kinds and ("closing", "dat was") not in kinds, found  # "dan ik", "dat als"
    assert sum(h.kind == "thanks" for h in hits) == 1, found  # the audience's thanks is no hand-over


def test_a_transcript_without_words_still_gives_ordered_chapters_without_confidence():
    for duration in (3.0, 60.0):
        boundaries = ch.detect(Transcript("nl", duration, ()), CUES[:3], duration=duration)
        starts = [b.start for b in boundaries]
        assert starts[0] == 0.0 and starts == sorted(starts) and starts[-1] < duration
        assert all(b.confidence == 0.0 and b.low_confidence for b in boundaries[1:])


def test_a_single_chapter_and_no_plan():
    show = build(OPENING)
    assert [(b.start, b.confidence) for b in detect(show, cues=CUES[:1])] == [(0.0, 1.0)]
    assert detect(show, cues=()) == []


# ---------------------------------------------------------------- what consumers use


PLAN = (ChapterPlan("Opening"), ChapterPlan("Deel 1", url="https://example.org/1"),
        ChapterPlan("Slot", img="https://example.org/s.png"))
DETECTED = [{"start": 0.0, "end": 65.4, "confidence": 1.0, "evidence": ["x"], "low_confidence": False,
             "title": "Opening"},
            {"start": 65.4, "end": 3723.0, "confidence": 0.9, "evidence": ["y"], "title": "Oude titel"},
            {"start": 3723.0, "end": 3800.0, "confidence": 0.3, "evidence": ["z"], "low_confidence": True}]


def test_resolve_joins_the_current_titles_by_position():
    chapters = chapter_model.resolve(PLAN, DETECTED)
    assert [c.title for c in chapters] == ["Opening", "Deel 1", "Slot"]  # not the title stored at detection
    assert [c.start for c in chapters] == [0.0, 65.4, 3723.0] and chapters[2].low_confidence
    assert chapters[1].url == "https://example.org/1" and chapters[2].img == "https://example.org/s.png"
    with pytest.raises(InputError, match="chapters stage"):
        chapter_model.resolve(PLAN[:2], DETECTED)


def test_show_notes_lines_and_json_chapters():
    chapters = chapter_model.resolve(PLAN, DETECTED)
    assert chapter_model.show_notes_lines(chapters) == ["00:00 Opening", "01:05 Deel 1", "1:02:03 Slot"]
    assert chapter_model.show_notes_lines([{"title": "A", "start": 59.9}]) == ["00:59 A"]
    doc = chapter_model.podcasting_json(chapters)
    assert doc == {"version": "1.2.0", "chapters": [
        {"startTime": 0.0, "title": "Opening"},
        {"startTime": 65.4, "title": "Deel 1", "url": "https://example.org/1"},
        {"startTime": 3723.0, "title": "Slot", "img": "https://example.org/s.png"}]}
    section = chapter_model.report_section(chapters)
    assert section[1] == {"title": "Deel 1", "start": 65.4, "confidence": 0.9, "evidence": ["y"],
                          "low_confidence": False}


def test_low_confidence_warning_names_the_chapter_and_the_fix():
    slot = chapter_model.resolve(PLAN, DETECTED)[2]
    evidence = ("pause 1.0 s", "competing cut at 00:59:00.000 scores 90% of this")
    warning = stage.low_confidence_warning(replace(slot, evidence=evidence))
    assert 'chapter 3 "Slot"' in warning and "competing cut" in warning
    assert 'start = "HH:MM:SS.mmm" in [[chapters]] #3 of episode.toml' in warning


# ---------------------------------------------------------------- the stage


EPISODE_PLAN = """
[[people]]
name = "Presentator"
role = "host"
[[people]]
name = "Marije Boerlaagh"
[[people]]
name = "Mike Brantjes"
[[people]]
name = "Jornt van Zuijlen"
[[people]]
name = "Steven Blok"
[[chapters]]
title = "{title0}"
people = ["Presentator"]
[[chapters]]
title = "Marije en Mike"
people = ["Marije Boerlaagh", "Mike Brantjes"]
keywords = ["K-Buurt", "participatieverordening"]
[[chapters]]
title = "Jornt en Steven"
people = ["Jornt van Zuijlen", "Steven Blok"]
keywords = ["systemisch"]
{extra}
[[chapters]]
title = "Afsluiting"
people = ["Presentator"]
"""


def episode(tmp_path: Path, slug: str = "ep", title0: str = "Opening", extra: str = "") -> Path:
    make_show(tmp_path)
    source = tmp_path / "source.wav"
    source.write_bytes(b"RIFF")  # never read: these tests start from work files
    return make_episode(tmp_path, slug, [source], EPISODE_PLAN.format(title0=title0, extra=extra))


def write_work_files(folder: Path, show: Show) -> None:
    """work/transcript.raw.json, and work/speech.flac with a buzzing voice wherever the words are (quiet room
    tone elsewhere, noise bursts for the applause)."""
    work = folder / "work"
    work.mkdir(exist_ok=True)
    show.transcript.save(work / "transcript.raw.json")
    rate = 16000
    rng = np.random.default_rng(0)
    audio = rng.normal(0, 10 ** (-60 / 20), int(show.duration * rate))
    for segment in show.transcript.segments:
        for word in segment.words:
            a, b = int(word.start * rate), int(word.end * rate)
            t = np.arange(b - a) / rate
            audio[a:b] += 0.1 * sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 8))
    for run in show.breaks.applause:
        a, b = int(run.start * rate), int(run.end * rate)
        audio[a:b] += rng.normal(0, 0.08, b - a)
    soundfile.write(str(work / "speech.flac"), (np.clip(audio, -1, 1) * 32767).astype("<i2"), rate,
                    subtype="PCM_16")


def test_stage_writes_chapters_and_reports_them(tmp_path, full_show):
    folder = episode(tmp_path)
    write_work_files(folder, full_show)
    ctx = load_context(folder)
    results = Engine(ctx, [stage]).run()
    assert [r.status for r in results] == ["done"]
    entries = json.loads((folder / "work" / "chapters.json").read_text())
    assert [e["title"] for e in entries] == ["Opening", "Marije en Mike", "Jornt en Steven", "Afsluiting"]
    assert entries[0]["start"] == 0.0 and entries[-1]["end"] == pytest.approx(full_show.duration, abs=0.05)
    for entry, true_start in zip(entries[1:], full_show.truth[1:]):
        assert abs(entry["start"] - true_start) < 0.5  # the audio's pauses, measured from the generated wav
    assert all(e["end"] == n["start"] for e, n in zip(entries, entries[1:]))
    report = json.loads((folder / "report.json").read_text())
    assert [c["title"] for c in report["chapters"]] == [e["title"] for e in entries]
    assert set(report["chapters"][2]) >= {"title", "start", "confidence", "evidence"}
    current = chapter_model.current(ctx.episode.chapters, ctx.paths.chapters_work)
    assert chapter_model.show_notes_lines(current)[0] == "00:00 Opening"


def test_a_title_change_does_not_change_the_options_but_an_override_does(tmp_path):
    first = load_context(episode(tmp_path, "a"))
    retitled = load_context(episode(tmp_path, "b", title0="Welkom"))
    moved = load_context(episode(tmp_path, "c", extra='start = "00:01:40"'))
    assert stage.options(first) == stage.options(retitled)
    assert stage.options(first) != stage.options(moved)


def test_an_override_past_the_end_found_while_running_fails_the_stage_naming_the_field(tmp_path):
    folder = episode(tmp_path, extra='start = "09:00:00"')
    write_work_files(folder, build(OPENING + PART_1[:3]))
    with pytest.raises(StageError, match=r"chapters #3\.start.*past the end.*known only after trim") as error:
        Engine(load_context(folder), [stage]).run()
    assert error.value.exit_code == 1  # not 2: by now earlier stages may have written (engine contract)


def test_a_first_chapter_that_does_not_start_at_zero_is_refused(tmp_path):
    folder = episode(tmp_path)
    text = (folder / "episode.toml").read_text().replace('title = "Opening"', 'title = "Opening"\nstart = "00:00:05"')
    (folder / "episode.toml").write_text(text)
    with pytest.raises(ConfigError, match=r"chapters #1\.start"):
        stage.options(load_context(folder))


# The real audio stages and Whisper on a generated show, compared with its ground truth: see
# tests/test_demo_end_to_end.py (the demo episode through the CLI; published_offset below is its yardstick).


def envelope_db(samples: np.ndarray, rate: int = 16000, frame: float = 0.01) -> np.ndarray:
    size = int(rate * frame)
    frames = samples[: len(samples) // size * size].reshape(-1, size).astype(np.float64)
    return np.maximum(-70.0, 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)).astype(np.float32)


def published_offset(published_wav: Path, source: Path) -> float:
    """Where the published audio starts on the source's timeline, by cross-correlating level envelopes
    (independent of what the pipeline recorded about its own cut)."""
    import subprocess

    raw = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(source), "-ac", "1", "-ar", "16000", "-f",
                          "f32le", "-"], capture_output=True, check=True).stdout
    source_env = envelope_db(np.frombuffer(raw, "<f4"))
    published = soundfile.read(str(published_wav), dtype="float32")[0]
    probe = envelope_db(published)[200:2200]  # 20 s of show, after the fade-in
    windows = np.lib.stride_tricks.sliding_window_view(source_env, probe.size)
    a = (windows - windows.mean(axis=1, keepdims=True)) / (windows.std(axis=1, keepdims=True) + 1e-6)
    b = (probe - probe.mean()) / (probe.std() + 1e-6)
    lag = int(np.argmax(a @ b))
    return (lag - 200) * 0.01
