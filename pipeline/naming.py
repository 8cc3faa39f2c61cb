"""Putting names on anonymous voices, from evidence. Pure functions: no audio, no files.

Evidence used, strongest first:
- a mapping pinned by the producer in episode.toml ([speakers] "Spreker 2" = "Mike Brantjes") always wins;
- the host is the voice of the opening, the hand-overs between the parts and the closing, and is heard all
  through the show;
- the guests of a chapter speak mostly in that chapter: voices are put in the order of the chapter plan by
  when they speak (the median time of their speech), so the guests of part 1 come before those of part 2;
  a chapter's explicit `start`/`approx` times in episode.toml are used when given;
- being addressed by name ("Marije, jij ...") points at the next other voice; introducing oneself
  ("ik ben Marije") at the voice itself; talking *about* someone by name makes it less likely that the
  speaker is that person;
- where the transcript has no name in the host's question (Whisper misheard or dropped it), the Whisper model
  judges which guest of the part was asked (pipeline.spoken_names, through a `judge` function): weaker than
  a name in the text, and a name resting on it alone is never sure;
- without [[chapters]] the names heard are matched among everyone listed (strictly), and the rest of the
  guests are named from the order of [[people]] with a CHECK.
A voice that gets no person keeps its anonymous label ("Spreker 3").
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import numpy as np

from pipeline.spoken_names import LEAD_IN, LEADS, QUESTION_SECONDS, TAIL, WEIGHT, Verdict, judge_line
from pipeline.timeline import Line, voice_at
from pipeline.timeline import Turn as VoiceTurn

SELF_INTRO = re.compile(r"\b(?:ik ben|mijn naam is|ik heet|hier is)\s+$", re.IGNORECASE)
ANSWER_SECONDS = 8.0  # after a question to someone by name, the voice heard most in this time answers it
SECOND_PERSON = re.compile(r"\b(?:jij|je|jou|jouw|u|uw)\b", re.IGNORECASE)
# a name right after a preposition is spoken about ("We gaan verder met Marije ..."), not to
AFTER_PREPOSITION = re.compile(r"\b(?:met|van|aan|bij|over|voor|naar|door)\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class PersonInfo:
    name: str
    role: str  # host | guest


@dataclass(frozen=True)
class ChapterInfo:
    title: str
    people: tuple[str, ...]
    start: float | None = None  # exact or approximate start, seconds of the published audio


@dataclass(frozen=True)
class Naming:
    voice: str
    name: str  # the person, or the voice label itself when unknown
    confidence: float
    pinned: bool = False
    evidence: tuple[str, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------------------------------ helpers


def talk_times(turns: Sequence[VoiceTurn]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for t in turns:
        totals[t.voice] = totals.get(t.voice, 0.0) + (t.end - t.start)
    return totals


def share_in(turns: Sequence[VoiceTurn], start: float, end: float) -> dict[str, float]:
    """Each voice's fraction of the speech between `start` and `end`."""
    amounts: dict[str, float] = {}
    for t in turns:
        overlap = min(t.end, end) - max(t.start, start)
        if overlap > 0:
            amounts[t.voice] = amounts.get(t.voice, 0.0) + overlap
    total = sum(amounts.values())
    return {v: a / total for v, a in amounts.items()} if total else {}


def median_time(turns: Sequence[VoiceTurn], voice: str) -> float:
    """The time by which half of the voice's speech has been spoken."""
    own = sorted((t for t in turns if t.voice == voice), key=lambda t: t.start)
    half = sum(t.end - t.start for t in own) / 2
    for t in own:
        if half <= t.end - t.start:
            return t.start + half
        half -= t.end - t.start
    return own[-1].end if own else 0.0


def first_name_likeness(word: str, name: str) -> float:
    """0..1: how alike a word and the person's first name are, letter by letter (case aside). Pure."""
    return difflib.SequenceMatcher(None, word.lower(), name.split()[0].lower()).ratio()


def _mentions(text: str, name: str) -> list[re.Match]:
    """Where the person's first name (or a close mishearing of it, e.g. 'Marieke' for 'Marije') occurs."""
    found = []
    for match in re.finditer(r"[A-Za-zÀ-ÿ'-]+", text):
        word = match.group(0)
        if word[:1].isupper() and first_name_likeness(word, name) >= 0.8:
            found.append(match)
    return found


ADDRESS_FORM = re.compile(r"^\W*([A-ZÀ-Þ][A-Za-zÀ-ÿ'-]+)\s*,.*\?\W*$|,\s*([A-ZÀ-Þ][A-Za-zÀ-ÿ'-]+)\s*\?\W*$")
# in a part, a question whose mark Whisper dropped still addresses someone when it says "je/jij/u":
# "Mika, kun je dat uitleggen." for "Mike, kun je dat uitleggen?"
PART_ADDRESS_FORM = re.compile(r"^\W*([A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]+)\s*,(?=.*\b(?:jij|je|jou|jouw|u|uw)\b)|"
                               + ADDRESS_FORM.pattern)
LOOSE_NAME = 0.65  # a word in the place of an address that sounds this much like a first name with its first
LOOSE_MARGIN = 0.15  # letter, and this much more than like any other such name, is that name ("Maar," is
#                      0.60 like "Marije": not a name)
PART_NAME = 0.4  # ... among the guests of the part the sentence is in (two or three names, not the whole show)
#                  a word this much like one of them and LOOSE_MARGIN more than like the others is that guest
#                  ("Nou," for Noor, "Draan," for Bram: Whisper hears the onset of a name it does not know worst)
ONSET_COST = 0.15  # a different first letter: the rest of the word compared, less this
# in a part, a first word with a comma that is the start of one guest's first name ("No, Latvintje." for "Noor,
# wat vind jij daarvan?": Whisper kept the name's first syllable and ran the question into one word) is that
# guest, unless it is a word the host says anyway
NAME_START = re.compile(r"^\W*([A-Za-zÀ-ÿ'-]{2,})\s*,")
NOT_A_NAME = {"ja", "nee", "nou", "oké", "ok", "dus", "en", "maar", "goed", "kijk", "zo", "hé", "he", "oh", "ah",
              "wel", "dan", "nu", "toch", "echt", "mooi", "precies", "prima", "hoi", "hallo", "ik", "je", "we"}
LONE_WORD = re.compile(r"^\W*([A-Za-zÀ-ÿ'-]+)\s*[.!?]*\s*$")  # a sentence of one word: "Brab!"


def sounds_like(word: str, name: str) -> float:
    """0..1: how much a heard word sounds like a first name; a different first letter is allowed at a cost
    (only used among the few guests of one part). Pure."""
    word, name = word.lower(), name.split()[0].lower()
    if word[:1] == name[:1]:
        return first_name_likeness(word, name)
    return max(0.0, difflib.SequenceMatcher(None, word[1:], name[1:]).ratio() - ONSET_COST)


NEAR_NAME = 0.9  # a word this alike a first name is that name, misspelt ("Marijen herken je dat." asks Marije);
#                  short names are not nearly spelt by one letter ("Dan gaan je ..." is the word "dan", not Daan)


def addressed_name(sentence: str, people: Sequence[str], in_part: bool = False) -> tuple[str, int, int] | None:
    """The person a question addresses by a misheard name: "Braan, hoe zie je dat?" is Bram (Whisper rarely
    spells a name it does not know). Only in a question and in the place of an address (the first word before
    a comma, or the last word after a comma), only a first name with the same first letter, clearly closer to
    that word than any other such name. With `in_part` (`people` are then only the guests of the part the
    sentence is in), also a question without its mark that says "je/jij/u", and a looser likeness
    (PART_NAME, `sounds_like`), and a sentence of one word as like a name as LOOSE_NAME ("Brab! Wat vind jij
    nou?": Whisper cut the question after the name), and a first word with a comma that is the start of one
    guest's first name and no word of its own (NAME_START, NOT_A_NAME). (person, start, end of the word) or
    None. Pure."""
    form = (PART_ADDRESS_FORM if in_part else ADDRESS_FORM).search(sentence)
    start = NAME_START.match(sentence) if in_part and form is None else None
    if start is not None and start.group(1).lower() not in NOT_A_NAME:
        word = start.group(1).lower()
        starting = [p for p in people if p.split()[0].lower().startswith(word) and len(p.split()[0]) > len(word)]
        if len(starting) == 1:
            return starting[0], start.start(1), start.end(1)
    lone = LONE_WORD.match(sentence) if in_part and form is None else None
    match = form or lone
    if match is None:
        return None
    group = next(g for g in range(1, len(match.groups()) + 1) if match.group(g))
    word = match.group(group).lower()
    if in_part:
        ratios = sorted(((sounds_like(word, p), p) for p in people), reverse=True)
    else:
        ratios = sorted(((first_name_likeness(word, p), p) for p in people if p[:1].lower() == word[:1]),
                        reverse=True)
    if not ratios:
        return None
    best, person = ratios[0]
    second = ratios[1][0] if len(ratios) > 1 else 0.0
    if best >= (PART_NAME if in_part and lone is None else LOOSE_NAME) and best - second >= LOOSE_MARGIN:
        return person, match.start(group), match.end(group)
    return None


# a first name between two commas, before words to "je/jij/u" or a question mark: the question Whisper ran on
# from the introduction, "... met Lotte Mulder en Mike Brantjes, lotte, hoe begon het voor jou."
VOCATIVE = re.compile(r",\s*([A-Za-zÀ-ÿ'-]+)\s*,(?=.*(?:\b(?:jij|je|jou|jouw|u|uw)\b|\?))", re.IGNORECASE)
VOCATIVE_NAME = 0.8  # that word is a first name when this alike it (as `_mentions`), in any case


def vocative(sentence: str, people: Sequence[str]) -> tuple[str, int, int] | None:
    """The person a sentence turns to after naming others: the last first name set off by commas before a
    clause to "je/jij/u" (or a question), with no one named after it. (person, start, end of the word) or
    None. Pure."""
    calls = list(VOCATIVE.finditer(sentence))
    if not calls or not people:
        return None
    call = calls[-1]
    word = call.group(1)
    ratios = sorted(((first_name_likeness(word, p), p) for p in people), reverse=True)
    best, person = ratios[0]
    second = ratios[1][0] if len(ratios) > 1 else 0.0
    named_later = any(m.start() > call.start(1) for p in people for m in _mentions(sentence, p))
    if best >= VOCATIVE_NAME and best - second >= LOOSE_MARGIN and not named_later:
        return person, call.start(1), call.end(1)
    return None


# ------------------------------------------------------------------------------------------ evidence


@dataclass(frozen=True)
class Address:
    """A name heard in the transcript: `kind` "address" (a question to the person: the answering voice is
    probably them), "intro" ("ik ben Marije": the speaker is them) or "about" (a mention: the speaker is
    probably not them)."""
    kind: str
    person: str
    speaker: str | None  # the voice saying it
    at: float  # end of the line (an address: the answer comes after it)
    weight: float = 1.0  # less for a name the Whisper judge put there (pipeline.spoken_names) than for one heard


def _voice_of(line: Line, turns: Sequence[VoiceTurn]) -> str | None:
    """The voice speaking at the middle of the line. Pure."""
    return voice_at(turns, (line.start + line.end) / 2)


def addresses(lines: Sequence[Line], turns: Sequence[VoiceTurn], people: Sequence[str],
              parts: Sequence[tuple[float, float, Sequence[str]]] = (),
              askers: Sequence[str] | None = None) -> list[Address]:
    """The names heard, in time order. A name spelled (or nearly: `_mentions`) counts anywhere; a misheard one
    only in the place of an address (`addressed_name`). When `parts` ((start, end, guests) per part) are
    given and the line is said by one of `askers` (the host's voices; a guest's "Nou, ..." is a word), a
    misheard name is matched against the guests of the part of its answer, and a name nearly but not exactly
    that of someone outside the part is taken for a misheard guest of the part; else strictly against
    everyone. A sentence naming two of the people is skipped (a thank-you to both says nothing), unless it
    then turns to one of them (`vocative`). Pure."""
    ordered = sorted(turns, key=lambda t: t.start)
    found = []
    for line in _joined(sorted(lines, key=lambda l: l.start)):
        speaker = _voice_of(line, ordered)
        answer = line.end + 1.0  # the part a question belongs to is the part of its answer
        part = next((names for a, b, names in parts if a <= answer < b and names), None) \
            if askers is None or speaker in askers else None
        for sentence in re.split(r"(?<=[.!?])\s+", line.text.strip()):
            called = vocative(sentence, people)
            named = [called] if called else [(p, m.start(), m.end()) for p in people for m in _mentions(sentence, p)]
            if part:  # "Draan" is nearly Daan, but Daan is in another part: here it is more likely Bram
                named = [(p, i, j) for p, i, j in named
                         if p in part or sentence[i:j].lower() == p.split()[0].lower()]
            if not named:
                loose = addressed_name(sentence, part, in_part=True) if part else addressed_name(sentence, people)
                named = [loose] if loose else []
            if len({p for p, _, _ in named}) != 1:
                continue
            person, begin, finish = named[0]
            before, after = sentence[:begin], sentence[finish:]
            spelled = sentence[begin:finish].lower() == person.split()[0].lower()
            # "Marijen herken je dat.": nearly spelt, first in a sentence to "je": a question to Marije
            named_first_or_spelled = spelled or (
                first_name_likeness(sentence[begin:finish], person) >= NEAR_NAME and not before.strip())
            if SELF_INTRO.search(before):
                found.append(Address("intro", person, speaker, line.end))
            elif _surname_in(" ".join(after.split()[:3]), person) or (
                    AFTER_PREPOSITION.search(before) and not (SECOND_PERSON.search(after) or "?" in after)):
                # the full name introduces, it does not ask: "... met Vermeulen en Fatima el Amrani, tan, hoe
                # zie je dat?" (Whisper ran the introduction into the question, and "Daan" became "tan"); so does
                # a name after "met" with no question after it (show 208 of the judgement benchmark: "We gaan
                # verder met Marije Boerlaagh en Mike Brantjes." heard as "Lille, dan ver je er met Marijel, de
                # vrouw niet meer.", taken for a question to Marije; Mike's voice, speaking next, took her name
                # at 0.95)
                if spelled:
                    found.append(Address("about", person, speaker, line.end))
            elif after[:1] in (",", "?") or (named_first_or_spelled and SECOND_PERSON.search(sentence)) \
                    or (not before.strip() and after.strip() in ("", ".", "!")):  # "Jornt." (its question cut off)
                # a misheard name counts only in the place of an address: "Dan gaan je ..." is the word "dan"
                found.append(Address("address", person, speaker, line.end))
            elif spelled:  # talking about someone (a misheard name here is more likely a word)
                found.append(Address("about", person, speaker, line.end))
    return found


def address_evidence(lines: Sequence[Line], turns: Sequence[VoiceTurn], people: Sequence[str],
                     parts: Sequence[tuple[float, float, Sequence[str]]] = (),
                     askers: Sequence[str] | None = None) -> dict[tuple[str, str], float]:
    """Scores (voice, person) from the names heard in the transcript (`addresses`, which says what `parts`
    and `askers` do).

    "Marije, jij ..." or "..., Marije?" (the name with a comma/question mark, or with "jij/je/u" in the same
    sentence) by voice A: the voice that answers (`answerer`) gets +1
    for Marije, and A gets -0.5 unless A is that answering voice too (then the short question was most
    likely given the guest's voice by the diarization, and says nothing against A). "ik ben Marije": +2 for
    the speaker. Any other mention: -0.3 for the speaker (people rarely talk about themselves by name).
    """
    return evidence_from(addresses(lines, turns, people, parts, askers), turns)


def evidence_from(heard: Sequence[Address], turns: Sequence[VoiceTurn]) -> dict[tuple[str, str], float]:
    """Scores (voice, person) from names heard (see address_evidence), each times its weight. Pure."""
    scores: dict[tuple[str, str], float] = {}

    def add(voice: str | None, person: str, amount: float) -> None:
        if voice is not None:
            scores[(voice, person)] = scores.get((voice, person), 0.0) + amount

    ordered = sorted(turns, key=lambda t: t.start)
    for name in heard:
        if name.kind == "intro":
            add(name.speaker, name.person, 2.0 * name.weight)
        elif name.kind == "address":
            answering = answerer(ordered, name.speaker, name.at)
            add(answering, name.person, 1.0 * name.weight)
            if answering != name.speaker:
                add(name.speaker, name.person, -0.5 * name.weight)
        else:
            add(name.speaker, name.person, -0.3 * name.weight)
    return scores


SENTENCE_GAP = 0.5  # seconds between two lines of one sentence that the voices or Whisper cut in two
JUDGED_LINES = 4  # at most this many of the host's lines per part are judged (pipeline.spoken_names)
JUDGED_SECONDS = 8.0  # ... each at most this long and of at most this many words (a question to one person,
JUDGED_WORDS = 8  #      not a monologue or a line with a guest's answer in it)
TO_ALL = re.compile(r"\b(?:jullie|dank|bedankt|welkom)\b", re.IGNORECASE)  # a thank-you, a welcome: to everyone
ADDRESS_PLACE = re.compile(r"^\W*[A-Za-zÀ-ÿ'-]+\s*,")  # "Nou, ..." "No, heerlijk, ...": a first word with a comma


def _surname_mentions(text: str, name: str) -> list[re.Match]:
    """The words of the text that are (nearly) the person's surname ("logen Hendriks" for Noor Hendriks)."""
    surname = name.split()[-1].lower() if len(name.split()) > 1 else ""
    return [m for m in re.finditer(r"[A-Za-zÀ-ÿ'-]+", text)
            if surname and difflib.SequenceMatcher(None, m.group(0).lower(), surname).ratio() >= 0.8]


def _names_any(text: str, people: Sequence[str]) -> bool:
    """Whether the text has the first name (`_mentions`) or the surname of any of `people`. Pure."""
    return any(_mentions(text, p) or _surname_in(text, p) for p in people)


def _surname_in(text: str, name: str) -> bool:
    return bool(_surname_mentions(text, name))


def introduced_at(lines: Sequence[Line], turns: Sequence[VoiceTurn], host_voices: Sequence[str],
                  guests: Sequence[str]) -> float | None:
    """When the host first says the surname of one of `guests` (the part's introduction: "We gaan verder met Noor
    Hendriks en Daan Visser."); None when no host line does. Pure."""
    for line in sorted(lines, key=lambda line: line.start):
        if _voice_of(line, turns) in host_voices and any(_surname_in(line.text, g) for g in guests if " " in g):
            return line.start
    return None


def _after_last_name(text: str, people: Sequence[str]) -> str | None:
    """The words after the last name of `people` (first name or surname) in the text, without the comma
    before them; None when it names no one. A word ending in a surname of five letters or more is that
    surname run into the word before it ("We gaan verder met nog een kendrieks en watermulder." for "... Noor
    Hendriks en Lotte Mulder.": nothing follows the last name). Pure."""
    surnames = [p.split()[-1].lower() for p in people if len(p.split()) > 1 and len(p.split()[-1]) >= 5]
    run_in = [m for m in re.finditer(r"[A-Za-zÀ-ÿ'-]+", text) for surname in surnames
              if difflib.SequenceMatcher(None, m.group(0).lower()[-len(surname):], surname).ratio() >= 0.8]
    ends = [m.end() for p in people for m in (*_mentions(text, p), *_surname_mentions(text, p))]
    ends += [m.end() for m in run_in]
    return text[max(ends):].strip(" ,;:") if ends else None


def _rest_of_list(text: str, tail: str, line: Line, parts: Sequence[tuple[float, float, Sequence[str]]]) -> bool:
    """Whether what follows the last name of an introduction (`tail`) is "en" and a word or two, no question, while
    one guest of the line's part is not named in it: the introduction's last name, misheard ("We gaan verder met
    Nico, Brantjes en Brandtraf." for "... Mike Brantjes en Bram de Graaf."). Pure."""
    guests = next((g for a, b, g in parts if a <= line.end + 1.0 < b), ())
    unnamed = [p for p in guests if not (_mentions(text, p) or _surname_in(text, p))]
    return len(unnamed) == 1 and bool(re.fullmatch(r"en\s+[^\s?]+(\s+[^\s?]+)?[.!]?", tail.strip(), re.IGNORECASE))


def _last_clause(text: str) -> str:
    """The words after the text's last comma or sentence mark but its final one, at most JUDGED_WORDS. Pure."""
    clause = re.split(r"(?<=[,.?!;:])\s+", text.strip())[-1]
    return " ".join(clause.split()[-JUDGED_WORDS:])


def _joined(lines: Sequence[Line], turns: Sequence[VoiceTurn] | None = None,
            gap: float = SENTENCE_GAP) -> list[Line]:
    """Time-ordered lines with a sentence cut in two joined again: a line that does not end a sentence and the
    next line within `gap` s that goes on in lower case, of the same voice when `turns` are given. Whisper cuts
    some ("Moor," + "wat is jouw vari?"), and the voices cut more where they change mid-sentence ("Nieke,
    voelbeblond het voor" + "jou." when the guest's voice begins a word early). "We gaan verder met logen
    Hendriks," + "En wat een mooie, ..." are two sentences: the introduction, then the question to one of
    them. Pure."""
    joined: list[Line] = []
    for line in lines:
        last = joined[-1] if joined else None
        if last is not None and not re.search(r"[.?!]\W*$", last.text) and line.start - last.end <= gap \
                and line.text.strip()[:1].islower() \
                and (turns is None or _voice_of(last, turns) == _voice_of(line, turns)):
            joined[-1] = Line(last.start, line.end, f"{last.text.strip()} {line.text.strip()}")
        else:
            joined.append(line)
    return joined


WORDLESS_STRETCH = 1.5  # seconds of a host's turn without any words that are judged (a dropped question)
STRETCHED_WORDS = 0.5  # words per second under which a line's words were stretched over speech Whisper did not
#                        write (people say 2-4): show 113 at +6 dB, "Lotte, hoe begon het voor jou?" came out
#                        as "hij" over 3.6 s, inside a line of a guest's words


def _without_words(turn: VoiceTurn, lines: Sequence[Line]) -> list[tuple[float, float]]:
    """The stretches of `turn` that no line covers (Whisper dropped the words there), or only a line of
    stretched words (fewer than STRETCHED_WORDS a second). Pure."""
    stretches, at = [], turn.start
    for line in sorted(lines, key=lambda l: l.start):
        if line.end <= at or line.start >= turn.end \
                or len(line.text.split()) < STRETCHED_WORDS * (line.end - line.start):
            continue
        if line.start > at:
            stretches.append((at, line.start))
        at = max(at, line.end)
    if at < turn.end:
        stretches.append((at, turn.end))
    return stretches


HAND_OVER = 1.5  # seconds: a host line ending this close before a guest's voice begins hands over to that guest


def _hands_over(line: Line, turns: Sequence[VoiceTurn], askers: Sequence[str]) -> bool:
    """Whether the line, in one of the `askers`' (the host's) turns, ends within HAND_OVER s before another
    voice begins: the host's last words before a guest speaks are mostly the question to them, whatever
    Whisper made of them ("Mogen wat moeter anders." for "Noor, wat moet er anders?"). Pure."""
    return _voice_of(line, turns) in askers and _hands_over_at(line.end, turns, askers)


def _hands_over_at(end: float, turns: Sequence[VoiceTurn], askers: Sequence[str]) -> bool:
    """Whether a voice other than the `askers`' begins within HAND_OVER s after `end`. Pure."""
    return any(t.voice not in askers and end - 0.3 <= t.start <= end + HAND_OVER for t in turns)


def judged_addresses(lines: Sequence[Line], turns: Sequence[VoiceTurn],
                     parts: Sequence[tuple[float, float, Sequence[str]]], askers: Sequence[str],
                     heard: Sequence[Address], judge) -> list[Address]:
    """Addresses the Whisper judge hears where the transcript has no name (pipeline.spoken_names): the
    host's lines in a part of two or more guests whose text found no address, that could put a question to
    someone ("?", "je/jij/u", a leading "En", a first word with a comma), short (JUDGED_SECONDS,
    JUDGED_WORDS), not to everyone (TO_ALL) and naming nobody (a guest's first name or surname in the text:
    the rules on the text decide, or it introduces the guests); a longer line right before a guest speaks
    (_hands_over) by its last clause, over its last QUESTION_SECONDS; and the stretches of WORDLESS_STRETCH s or
    more of the host's turns without any words (Whisper dropped them), judged over their last QUESTION_SECONDS
    (the question to the one who speaks next; the start of a long turn is more often an introduction of both
    guests); and the host's turns that hand over to a guest (_hands_over_at) where no name was spelled and no
    line names a guest or thanks everyone, over their last QUESTION_SECONDS by the name alone, also where a line
    above is judged too: the turn's audio does not change with Whisper's words (seeds 220-227 and 268-275 of
    the judgement benchmark: such windows named the guest asked 227 times of 228 with a verdict, the same at all
    three levels of a show 69 times of 69). Up to JUDGED_LINES per part,
    each judged among the guests of the part; an address of weight `Verdict.weight`. Pure, given a pure judge."""
    ordered = sorted(turns, key=lambda t: t.start)
    everyone = [p for _, _, guests in parts for p in guests]
    # a line already addressing a guest is left to the rules on the text; one "addressing" the host ("Anne,"
    # for Daan: the host does not ask herself) is not
    named_at = {a.at for a in heard if a.kind == "address" and a.person in everyone}
    # the judge joins one voice's lines within 0.3 s only: joining across voices changed which lines were judged
    # and cost 3 show-levels of 60 on the benchmark
    lines = _joined(sorted(lines, key=lambda l: l.start), ordered, gap=0.3)
    # (start, end, text, speaker, windows to judge): the lines, then the host's turns without words
    items = []
    for index, line in enumerate(lines):
        text = line.text.strip()
        previous = lines[index - 1].end if index else 0.0
        window = (max(previous, line.start - LEAD_IN), line.end + TAIL)
        last_seconds = (max(line.start, line.end - QUESTION_SECONDS), line.end + TAIL)  # where a question ends it
        hands_over = _hands_over(line, ordered, askers)
        *said, last = re.split(r"(?<=[.!?])\s+", text) if text else [""]
        tail = _after_last_name(text, everyone) if not said else None
        # (a thank-you names the guests too: "Dank jullie wel, Joren Tenderam." for "..., Jornt en Bram." asks no one)
        after_introduction = bool(tail and re.search(r"\w", tail)) and not TO_ALL.search(text) \
            and not _rest_of_list(text, tail, line, parts)
        if said and _names_any(" ".join(said), everyone):
            # "We beginnen met Fatima el Amrani en Lothar Mulder. Lothar, latisjal en varing.": the introduction,
            # then the question in the same line: the question alone, over the line's last seconds
            text, window = last, last_seconds
        elif after_introduction:
            # "We beginnen met K-Smith en wat een Mulder en K-Latengrij." for "... Kees Smit en Lotte Mulder. En
            # Kees, wat denk jij?": Whisper ran the question into the introduction; what follows the last name
            # is the question to one of them, whatever its marks
            text, window = tail, last_seconds
        elif tail is None and (len(text.split()) > JUDGED_WORDS or line.end - line.start > JUDGED_SECONDS) \
                and hands_over:
            # show 153 at +6 dB: the thank-you, the introduction and "Bram, wat moet er anders?" in one garbled
            # line of 26 words ending "... de raar, wat moet er anders."; a long line that hands over to a guest
            # ends with the question to them: its last clause, over the line's last seconds
            text, window = _last_clause(text), last_seconds
        first = text.split()[0].lower() if text else ""
        asks = after_introduction or "?" in text or SECOND_PERSON.search(text) or first in LEADS \
            or ADDRESS_PLACE.match(text) or hands_over
        # a line starting within SENTENCE_GAP of a question whose name is in the text, or of a line judged
        # before it, is that question's tail (show 128 of the benchmark: "Aan, wat is jouw ervaring?" spelled
        # Daan; "Wel," 0.08 s after it, the answer's first word in the host's turn, was judged Marije and named
        # the answering voice so; show 158 at +6 dB: "Fatima, kun je dat uitleggen?" as "Wat is dat?" + "Dat lung
        # de kreeze.", the second judged Kees with the name in the wrong place)
        # ... and so is a line right after a thank-you in the same voice (show 160 at +6 dB: "Dank jullie wel!" +
        # "Mika, inderdaam!" for "Dank jullie wel, Mike en Bram.", judged Bram with the full lead)
        before = lines[index - 1] if index else None
        after_judged = bool(items) and line.start - items[-1][1] < SENTENCE_GAP
        after_thanks = before is not None and bool(TO_ALL.search(before.text)) \
            and line.start - before.end < SENTENCE_GAP and _voice_of(before, ordered) == _voice_of(line, ordered)
        is_tail = after_judged or after_thanks
        if not asks or is_tail or any(line.start - SENTENCE_GAP < at <= line.end for at in named_at) \
                or window[1] - window[0] > JUDGED_SECONDS + LEAD_IN + TAIL \
                or len(text.split()) > JUDGED_WORDS or TO_ALL.search(text) \
                or _names_any(text, everyone):
            continue  # (a name in the text: the rules above decide; "..., Lotte Mulder": an introduction)
        items.append((line.start, line.end, text, _voice_of(line, ordered), [window]))
    for turn in ordered:
        if turn.voice not in askers:
            continue
        for start, end in _without_words(turn, lines):
            if end - start >= WORDLESS_STRETCH:
                items.append((start, end, "", turn.voice, [(max(start, end - QUESTION_SECONDS), end)]))
        # a turn handing over to a guest ends with the question to them, also where Whisper ran it into the
        # answer in a line that no rule above judges (show 220 at -10 dB: "Fatima, hoe zie jij dat?" and the
        # answer's start as "Het is niet zo'n ondercapitast."; the real model heard Fatima with a 14-nat lead);
        # judged also where a line is: the line's words change between levels, the turn's audio does not (show 272
        # at +6 dB: the line judged Noor, who never answered; the turn, Jornt: 64 -> 90 %)
        tail = (max(turn.start, turn.end - QUESTION_SECONDS), turn.end)
        covered = any(turn.start <= at <= turn.end + SENTENCE_GAP for at in named_at) \
            or any(TO_ALL.search(l.text) or _names_any(l.text, everyone)
                   for l in lines if l.start < tail[1] and tail[0] < l.end)
        if _hands_over_at(turn.end, ordered, askers) and not covered:
            items.append((tail[0], tail[1], "", turn.voice, [tail]))
    items.sort(key=lambda item: item[0])
    found = []
    for a, b, guests in parts:
        if len(guests) < 2:
            continue
        judged = 0
        for start, end, text, speaker, windows in items:
            if speaker not in askers or not a <= end + 1.0 < b or judged >= JUDGED_LINES:
                continue
            judged += 1
            verdicts = [v for v in (judge_line(judge, s, e, text, guests) for s, e in windows) if v is not None]
            if verdicts:
                verdict = max(verdicts, key=lambda v: v.lead)
                found.append(Address("address", verdict.person, speaker, end, verdict.weight))
    return found


def first_heard(turns: Sequence[VoiceTurn], voice: str, since: float = float("-inf")) -> float:
    """When a voice is first heard in its part: its first turn of ANSWER_TURN s or more from `since` (a
    backchannel, or a line of someone else's that the clustering gave it before its part, does not count);
    else its first turn. Pure."""
    own = sorted(t.start for t in turns if t.voice == voice)
    return next((t.start for t in sorted(turns, key=lambda t: t.start)
                 if t.voice == voice and t.start >= since and t.end - t.start >= ANSWER_TURN), own[0])


FIRST_ANSWER = 1.0  # evidence for the person last addressed before a voice is first heard


def first_answers(heard: Sequence[Address], turns: Sequence[VoiceTurn], voices: Sequence[str],
                  persons: Sequence[str], since: float = float("-inf")) -> dict[tuple[str, str], float]:
    """A guest is first heard answering the question put to them: each of `voices`, in the order in which
    they first speak in their part (a turn of ANSWER_TURN s or more from `since`, the part's start: a
    backchannel the clustering put in an earlier part does not count), gets FIRST_ANSWER for the latest of `persons`
    addressed before that moment (by another voice) who has not been given to an earlier voice this way.
    Unlike `answerer`, this holds when the answer itself was short and went to the asker's voice: the
    voice heard next for the first time is still the one asked. Not when a voice outside `voices` answered
    the question (`answerer`): the person asked is then in that voice, which the clustering put in another
    part (show 57 of the benchmark: Noor's answer there, her name went to Bram's voice at 0.95); nor when
    another guest of the part was asked after it (that question was answered). Pure."""
    first = {v: first_heard(turns, v, since) for v in voices if any(t.voice == v for t in turns)}
    ordered = sorted(turns, key=lambda t: t.start)
    answered_by = {a.at: answerer(ordered, a.speaker, a.at) for a in heard if a.kind == "address"}
    questions = [a for a in heard if a.kind == "address" and a.person in persons]

    def asked_before(voice: str, taken: set[str]) -> list[Address]:
        # a question is still open when the voice is first heard unless someone else of the part was asked
        # after it: that question had its answer (show 162 at -10 dB: a judged "Lotte" in the introduction,
        # then "Steven, ...?" three times, answered by Steven's voice; a 2.5 s piece of his voice, first heard
        # 48 s later, took Lotte's name at 0.85)
        until = first[voice] + 0.5
        return [a for a in questions if a.person not in taken and a.speaker != voice and a.at <= until
                and answered_by[a.at] in (*voices, a.speaker, None)
                and not any(b.person != a.person and a.at < b.at <= until for b in questions)]

    # the voices that answered a clear question first (spelled, or judged with the full lead): a person asked
    # twice, first as the judge barely heard it and then clearly, is the voice that answered the clear one
    # (show 137 of the benchmark: a wordless "Noor, wat is jouw ervaring?" judged Lotte at 0.36, then "Lotte,
    # wat moet er anders?" at the full 0.6, answered by another voice)
    # ... when that clear question was not answered by another voice of the part (show 174: "Bram, kun je dat
    # uitleggen?" spelled, answered by Bram's voice, first heard after a doubtful judged "Bram"; Fatima's voice,
    # first heard 20 s later, went first and took Bram's name)
    latest = {v: asked_before(v, set()) for v in first}
    clear = {v: bool(latest[v]) and latest[v][-1].weight >= WEIGHT
             and answered_by[latest[v][-1].at] in (v, latest[v][-1].speaker, None) for v in first}
    taken: set[str] = set()
    scores: dict[tuple[str, str], float] = {}
    for voice in sorted(first, key=lambda v: (not clear[v], first[v])):
        asked = asked_before(voice, taken)
        if asked:
            person = asked[-1].person
            taken.add(person)
            scores[(voice, person)] = FIRST_ANSWER * asked[-1].weight
    return scores


ANSWER_TURN = 0.8  # seconds: a shorter turn after a question is a backchannel, not the answer
LATE_ANSWER = 3.0  # seconds of the asker's voice after a question before another voice speaks: the answer may be
#                    in the asker's voice (show 177 of the judgement benchmark: "En Kees, wat denk jij?", then
#                    6.5 s of Kees in the host's voice; the next voice, Mike's, took Kees's name at 0.80-0.85
#                    without a CHECK; on seeds 156-179 the right first answers came after at most 2.5 s)


def late_answer(turns: Sequence[VoiceTurn], question: Address) -> tuple[float, float] | None:
    """The stretch from the question to the next turn of ANSWER_TURN s or more of another voice when the asker's
    voice speaks LATE_ANSWER s or more in it (the answer may be in the asker's voice); else None. `turns` in time
    order. Pure."""
    for t in turns:
        if t.start >= question.at - 0.5 and t.voice != question.speaker and t.end - t.start >= ANSWER_TURN:
            late = _talk_between(turns, question.speaker, question.at, t.start) >= LATE_ANSWER
            return (question.at, t.start) if late else None
    return None


def answerer(turns: Sequence[VoiceTurn], asker: str | None, after: float) -> str | None:
    """Who answers a question that ends at `after`: the first voice other than the asker's with a turn of at
    least ANSWER_TURN seconds starting within ANSWER_SECONDS (the person addressed answers first; the other
    guest may talk longer after them); when no other voice speaks, the voice heard most in that time (the
    question was given to the answering guest's voice by the diarization, which then goes on). Pure."""
    for t in turns:
        if after - 0.5 <= t.start < after + ANSWER_SECONDS and t.voice != asker and t.end - t.start >= ANSWER_TURN:
            return t.voice
    answer = share_in(turns, after, after + ANSWER_SECONDS)
    return max(answer, key=answer.__getitem__) if answer else None


def naming_shares(lines: Sequence[Line], turns: Sequence[VoiceTurn], guests: Sequence[str]) -> dict[str, float]:
    """Each voice's share of the lines that name a guest (introductions, questions, thanks): the host's job."""
    ordered = sorted(turns, key=lambda t: t.start)
    counts: dict[str, float] = {}
    for line in lines:
        if any(_mentions(line.text, g) for g in guests):
            voice = _voice_of(line, ordered)
            if voice is not None:
                counts[voice] = counts.get(voice, 0.0) + 1.0
    total = sum(counts.values())
    return {v: c / total for v, c in counts.items()} if total else {}


def host_scores(turns: Sequence[VoiceTurn], voices: Sequence[str], show_start: float, show_end: float,
                handovers: Sequence[float] = (), edge: float = 60.0,
                names_guests: dict[str, float] | None = None) -> dict[str, float]:
    """0..1 per voice: its share of the opening and the closing (`edge` seconds, at most a tenth of the show
    each), of the minute around each hand-over, how evenly it is heard across ten parts of the show, and (when
    given) its share of the lines that name the guests."""
    length = max(show_end - show_start, 1e-6)
    edge = min(edge, length / 10)
    opening = share_in(turns, show_start, show_start + edge)
    closing = share_in(turns, show_end - edge, show_end)
    around = [share_in(turns, h - 30.0, h + 30.0) for h in handovers]
    parts = [share_in(turns, show_start + i * length / 10, show_start + (i + 1) * length / 10) for i in range(10)]
    result = {}
    for v in voices:
        presence = sum(1 for p in parts if p.get(v, 0.0) >= 0.05) / 10
        handover = sum(a.get(v, 0.0) for a in around) / len(around) if around else None
        terms = [opening.get(v, 0.0), closing.get(v, 0.0), presence] + ([handover] if handover is not None else []) \
            + ([names_guests.get(v, 0.0)] if names_guests else [])
        result[v] = sum(terms) / len(terms)
    return result


def group_by_chapter(turns: Sequence[VoiceTurn], voices: Sequence[str],
                     chapters: Sequence[ChapterInfo]) -> dict[str, int]:
    """Which guest chapter (index into `chapters`) each voice belongs to.

    With start times for the chapters: the chapter holding most of the voice's speech. Without: voices are
    ordered by median speaking time and split into consecutive groups, one per chapter in plan order, sized
    like the chapters' guest lists as far as the voices allow.
    """
    if not chapters or not voices:
        return {}
    if all(c.start is not None for c in chapters):
        spans = [(c.start, chapters[i + 1].start if i + 1 < len(chapters) else float("inf"))
                 for i, c in enumerate(chapters)]
        result = {}
        for v in voices:
            own = [t for t in turns if t.voice == v]
            amount = [sum(max(0.0, min(t.end, b) - max(t.start, a)) for t in own) for a, b in spans]
            result[v] = max(range(len(chapters)), key=amount.__getitem__)
        return result
    ordered = sorted(voices, key=lambda v: median_time(turns, v))
    sizes = [max(1, len(c.people)) for c in chapters]
    best: tuple[float, tuple[int, ...]] | None = None
    n, k = len(ordered), len(chapters)
    for cuts in itertools.combinations(range(1, n), min(k - 1, n - 1)) if n > 1 else [()]:
        bounds = (0, *cuts, n)
        groups = [bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)]
        mismatch = sum(abs(g - s) for g, s in zip(groups, sizes)) + abs(len(groups) - k)
        if best is None or mismatch < best[0]:
            best = (mismatch, bounds)
    assert best is not None
    bounds = best[1]
    return {v: next(g for g in range(len(bounds) - 1) if bounds[g] <= i < bounds[g + 1])
            for i, v in enumerate(ordered)}


# ------------------------------------------------------------------------------------------ the decision


def name_voices(turns: Sequence[VoiceTurn], lines: Sequence[Line], people: Sequence[PersonInfo],
                chapters: Sequence[ChapterInfo], pinned: dict[str, str], *, min_talk: float = 5.0,
                min_share: float = 0.02, judge=None, one_person: tuple[str, str] | None = None,
                likeness: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, Naming]:
    """A Naming for every voice in `turns`. Pinned voices first; then the hosts; then the guests, chapter by
    chapter; voices with too little speech (< `min_talk` s or < `min_share` of all speech) stay anonymous.
    `judge` (a pipeline.spoken_names.Judge) scores the host's questions where no name was heard.
    `one_person`: two voices that sound like one person cut in two (pipeline.diarize.one_person_pair).
    `likeness`: voice -> voice -> similarity of their voiceprints, for a part with more voices than guests
    (twin_in_part)."""
    voices = list(dict.fromkeys(t.voice for t in sorted(turns, key=lambda t: t.start)))
    talk = talk_times(turns)
    total = sum(talk.values()) or 1.0
    result: dict[str, Naming] = {}
    for voice, name in pinned.items():
        if voice in talk:
            result[voice] = Naming(voice, name, 1.0, True, ("pinned in episode.toml [speakers]",))
    taken = {n.name for n in result.values()}
    free = [v for v in voices if v not in result]
    if len(voices) <= len(people):  # no more voices than people: every voice is someone, however little it says
        min_talk, min_share = min(min_talk, FEW_VOICES_MIN_TALK), 0.0
    major = [v for v in free if talk[v] >= min_talk and talk[v] / total >= min_share]
    if not turns:
        return result
    show_start, show_end = min(t.start for t in turns), max(t.end for t in turns)
    everyone = [p.name for p in people]

    # --- hosts
    guest_chapters = [c for c in chapters if any(_role(people, p) == "guest" for p in c.people)]
    hosts = [p.name for p in people if p.role == "host" and p.name not in taken]
    handovers = _handover_times(turns, major, guest_chapters)
    guest_names = [p.name for p in people if p.role != "host"]
    scores = host_scores(turns, major, show_start, show_end, handovers,
                         names_guests=naming_shares(lines, turns, guest_names) or None)
    for host in hosts:
        ranked = sorted((v for v in major if v not in result), key=lambda v: -scores[v])
        if not ranked:
            break
        best = ranked[0]
        runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
        margin = scores[best] - runner_up
        # a clear host leads the next voice by about half the scale; a lead of a tenth is a guess
        confidence = round(max(0.3, min(0.95, 0.3 + HOST_LEAD_SCALE * margin)), 2)
        result[best] = Naming(best, host, confidence, False, (
            f"host evidence {scores[best]:.2f} (opening, closing, hand-overs, heard throughout, names the guests)"
            f" vs {runner_up:.2f} for the next voice",))

    # the host speaks throughout: another voice with host-like evidence far above any guest's is the host's
    # voice split in two by the clustering (a change of microphone distance or level), not a guest
    host_voices = [v for v, n in result.items() if not n.pinned and n.name in hosts]
    if host_voices:
        lead = max(scores[v] for v in host_voices)
        host = result[max(host_voices, key=scores.__getitem__)].name
        edge = min(60.0, (show_end - show_start) / 10)
        opening, closing = share_in(turns, show_start, show_start + edge), share_in(turns, show_end - edge, show_end)
        for v in major:
            at_edges = min(opening.get(v, 0.0), closing.get(v, 0.0)) >= HOST_TWIN_EDGE
            if v not in result and at_edges and scores[v] >= max(HOST_TWIN_SCORE, HOST_TWIN_SHARE * lead):
                result[v] = Naming(v, host, 0.65, False, (
                    f"host evidence {scores[v]:.2f} (opening and closing, heard throughout, like the host's "
                    f"{lead:.2f}; guests have little): the host's voice split in two",))

    # two voices that sound like one person cut in two (one_person), one of them the host's: both are the host
    for voice, twin in ((one_person, one_person[::-1]) if one_person else ()):
        if twin in host_voices and voice in talk and voice not in result:
            result[voice] = Naming(voice, result[twin].name, DOUBTFUL, False, (
                f"sounds like {twin} ({result[twin].name}) as one person's voice: the host's voice split in two",))

    guests_left = [p.name for p in people if p.role != "host" and p.name not in {n.name for n in result.values()}]
    if not guest_chapters:  # --- no running order: the names heard, matched strictly among everyone listed
        candidates = [v for v in major if v not in result]
        heard = addresses(lines, turns, everyone)
        evidence = address_evidence(lines, turns, everyone)
        for key, value in first_answers(heard, turns, candidates, guests_left).items():
            evidence[key] = evidence.get(key, 0.0) + value
        for naming in _assign(candidates, guests_left, evidence, turns, "the episode (no [[chapters]] listed)",
                              order_only=NO_PLAN_ONLY):
            result[naming.voice] = naming
        guests_left = []

    # --- guests, chapter by chapter
    plan = [ChapterInfo(c.title, tuple(p for p in c.people if p in guests_left), c.start) for c in guest_chapters]
    keep = [i for i, c in enumerate(plan) if c.people]
    plan = [plan[i] for i in keep]
    if plan and plan[0].start is None and all(c.start is not None for c in plan[1:]):
        plan[0] = replace(plan[0], start=show_start)  # the first part follows the opening: only borders matter
    candidates = [v for v in major if v not in result]
    groups = group_by_chapter(turns, candidates, plan)
    # the parts' borders again, from the guests' voices alone (the host's median lies between the parts)
    bounds = [show_start, *_handover_times(turns, candidates, guest_chapters), show_end]
    spans = ([(bounds[i], bounds[i + 1]) for i in keep] if len(bounds) == len(guest_chapters) + 1 else [])
    if not all(c.start is not None for c in plan):
        parts = part_bounds(turns, candidates, [len(c.people) for c in plan])
        if parts is not None:  # each guest speaks in one part: the borders that keep every voice in one part
            edges = [show_start, *parts, show_end]
            spans = [(edges[i], edges[i + 1]) for i in range(len(plan))]
            groups = {v: max(range(len(plan)), key=lambda i: _talk_between(turns, v, *spans[i]))
                      for v in candidates}
    # a misheard name is matched against the guests of the part it is heard in
    host_voices = [v for v, n in result.items() if _role(people, n.name) == "host"]
    part_guests = [(a, b, c.people) for (a, b), c in zip(spans, plan)]
    spelled = addresses(lines, turns, everyone, part_guests, host_voices)
    judged = judged_addresses(lines, turns, part_guests, host_voices, spelled, judge) if judge else []
    heard = sorted([*spelled, *judged], key=lambda a: a.at)
    # the weight of the clearest judged line that asked each person and was answered at once: a name resting on
    # a late answer is a CHECK, and so is one heard again in that person's late stretch (show 177 at -10 dB: the
    # judge heard "Kees" at the end of Kees's answer, in the host's voice, right before the next voice)
    clearest: dict[str, float] = {}
    in_order = sorted(turns, key=lambda t: t.start)
    stretches = {a: late_answer(in_order, a) for a in heard if a.kind == "address"}
    late = [(a.person, stretch) for a, stretch in stretches.items() if stretch is not None]
    for a in judged:
        if stretches.get(a) is None and not any(
                person == a.person and start < a.at <= end for person, (start, end) in late):
            clearest[a.person] = max(clearest.get(a.person, 0.0), a.weight)
    addressed, addressed_in_text = evidence_from(heard, turns), evidence_from(spelled, turns)
    for index, chapter in enumerate(plan):
        members = [v for v in candidates if groups.get(v) == index]
        inside = {v: _share_inside(turns, v, *spans[index]) for v in members} if spans else {}
        since = spans[index][0] if spans else float("-inf")
        evidence, from_text = dict(addressed), dict(addressed_in_text)
        for key, value in first_answers(heard, turns, members, chapter.people, since).items():
            evidence[key] = evidence.get(key, 0.0) + value
        for key, value in first_answers(spelled, turns, members, chapter.people, since).items():
            from_text[key] = from_text.get(key, 0.0) + value
        namings = _assign(members, list(chapter.people), evidence, turns, chapter.title, inside,
                          from_text=from_text if judged else None, clearest=clearest,
                          elsewhere=[v for v in candidates if v not in members],
                          introduced=introduced_at(lines, turns, host_voices, chapter.people))
        pair_alike = (likeness or {}).get(one_person[0], {}).get(one_person[1], ALIKE) if one_person else 0.0
        if one_person is not None and pair_alike >= ALIKE:
            namings = one_name_for_one_person(namings, one_person, evidence, from_text if judged else None,
                                              clearest, talk)
        named_before = {v: n.name for v, n in result.items()}
        if likeness:
            namings = closest_pair_one_person(namings, members, likeness, evidence, talk, chapter.title)
            namings = answered_as_another(namings, evidence, from_text, likeness, len(members) > len(namings))
            namings = doubt_alike(namings, evidence, likeness, named_before, talk)
        for naming in namings:
            result[naming.voice] = naming
        for voice in [v for v in members if v not in result and likeness]:  # someone cut in two, or left voiceless
            twin = twin_in_part(voice, namings, likeness, chapter.title, named_before, chapter.people, evidence)
            if twin is not None:
                result[voice] = twin
                namings = [*namings, twin]
        for naming in both_in_one(namings, chapter.people, chapter.title):
            result[naming.voice] = naming

    for v in voices:
        if v not in result:
            why = "too little speech to name" if v not in major else "no listed person left for this voice"
            result[v] = Naming(v, v, 0.0, False, (why,))
    return result


ALIKE = 0.85  # two voices this alike may be one person: on seeds 1-90 of the benchmark 2 of 1532 pairs of voices of
#              different guests (at most 0.86), and 47 of 89 pairs of one guest cut in two (up to 0.95)
ONE_VOICE = 0.9  # ... and this alike are one person: on seeds 81-97, 11 of 11 pairs (different guests up to 0.89)


def doubt_alike(namings: Sequence[Naming], evidence: dict[tuple[str, str], float],
                likeness: Mapping[str, Mapping[str, float]], named: Mapping[str, str] | None = None,
                talk: Mapping[str, float] | None = None) -> list[Naming]:
    """A name the part's running order alone gave (no evidence of its own) to a voice that sounds as alike as
    one person's voice to another voice, of the part or not, is a CHECK (DOUBTFUL): the clustering may have cut
    that person in two (a guest, or the host), and the name left over belongs to a guest whose speech is
    elsewhere. At ONE_VOICE or more, and with that other voice named (`named`: voice -> name of the voices
    named before this part, the hosts and earlier parts; or a voice of the part), the voice takes its name,
    still a CHECK; so does one named by a doubtful judged question. When two such voices would take each
    other's names, the one with less speech (`talk`: voice -> seconds) takes the other's. Pure.

    Seeds 91-97 of the judgement benchmark, show 91 at -10 dB: two guests spoke 2-4 s each, and the clustering cut
    the host and a guest of another part in two instead; the halves got those guests' names by elimination, 0.96
    alike to the host's voice and 0.87 to a guest's of the next part. Show 90 of seeds 81-90: one guest never
    spoke, the other was cut in two (0.91), the second half named after the silent guest."""
    names = {**(named or {}), **{o.voice: o.name for o in namings}}
    twins: dict[str, tuple[str, float]] = {}
    for n in namings:
        alike = {o: s for o, s in likeness.get(n.voice, {}).items() if o != n.voice}
        if alike:
            twin = max(alike, key=alike.__getitem__)
            twins[n.voice] = (twin, alike[twin])

    def takes_twins_name(n: Naming) -> bool:
        twin, similarity = twins.get(n.voice, (None, 0.0))
        own = evidence.get((n.voice, n.name), 0.0) > 0
        return similarity >= ONE_VOICE and names.get(twin) not in (None, n.name) and not heard_by_name(n.evidence) \
            and (not own or n.confidence <= DOUBTFUL)  # (a doubtful judged question is no better)

    taking = {n.voice for n in namings if takes_twins_name(n)}
    seconds = talk or {}
    doubted = []
    for n in namings:
        if n.voice not in twins or twins[n.voice][1] < ALIKE:
            doubted.append(n)
            continue
        twin, similarity = twins[n.voice]
        other = names.get(twin)
        mutual = twin in taking and twins[twin][0] == n.voice
        if n.voice in taking and not (mutual and seconds.get(n.voice, 0.0) >= seconds.get(twin, 0.0)):
            source = "a doubtful judged question" if evidence.get((n.voice, n.name), 0.0) > 0 else \
                "the running order alone"
            doubted.append(Naming(n.voice, other, DOUBTFUL, False, (
                *n.evidence[:1], f"{source} names it {n.name}, but it sounds like {twin} ({other}, "
                f"similarity {similarity:.2f}) as one person's voice: {other} in two voices")))
            continue
        if evidence.get((n.voice, n.name), 0.0) > 0 or n.confidence <= DOUBTFUL:
            doubted.append(n)
            continue
        who = f"{twin} ({other}, similarity {similarity:.2f}): perhaps {other} in two voices" if other else \
            f"{twin} (similarity {similarity:.2f}): perhaps one person in two voices"
        doubted.append(Naming(n.voice, n.name, DOUBTFUL, False, (
            *n.evidence, f"named by the running order alone, and sounds like {who}")))
    return doubted


PAIR_LEAD = 0.06  # the most alike two voices of a part sound this much more alike than the voice left over does
#                   to any voice of the part (show 209 of the judgement benchmark: 0.77 against 0.67)


def closest_pair_one_person(namings: Sequence[Naming], members: Sequence[str],
                            likeness: Mapping[str, Mapping[str, float]], evidence: Mapping[tuple[str, str], float],
                            talk: Mapping[str, float], title: str) -> list[Naming]:
    """The names of a part with one voice more than guests (`members`: the part's voices; `namings`: _assign's,
    one voice left over) when the part's two most alike voices are both named, one by evidence of its own
    (addressed, or the Whisper judge) and the other by the running order alone, and the voice left over, with
    LITTLE_TALK s of speech or more (a shorter one is more often a piece of someone, and its likeness loose),
    sounds less alike to every voice of the part by PAIR_LEAD: the clustering cut the first voice's person in two,
    and the running order gave the second half the other guest's name because it speaks more than the voice
    left over. The second half then takes the first's name and the voice left over the name the second had,
    both CHECKs (DOUBTFUL). Pure.

    Show 209 of the judgement benchmark, every level: Kees in two voices (0.77 alike), the first named by a
    judged question, the second (25 s) named Bram by the running order; Bram's own voice (13 s, 0.67 alike to
    either) was left over and took Kees's name. (Show 225 at +6 dB: Daan's and Steven's voices 0.72 alike, a
    piece of Steven's speech of 2 s left over, 0.66 alike to them: two people and a piece.)"""
    named = {n.voice: n for n in namings}
    left = [v for v in members if v not in named]
    if len(left) != 1 or len(named) < 2 or talk.get(left[0], 0.0) < LITTLE_TALK:
        return list(namings)
    spare = left[0]

    def alike(a: str, b: str) -> float | None:
        return likeness.get(a, {}).get(b)

    pairs = [(alike(a, b), a, b) for a, b in itertools.combinations(named, 2)]
    to_spare = [alike(spare, v) for v in named]
    if any(s is None for s, _, _ in pairs) or None in to_spare:
        return list(namings)
    closest, a, b = max(pairs)
    if closest - max(to_spare) < PAIR_LEAD:
        return list(namings)

    def own(voice: str) -> bool:
        return evidence.get((voice, named[voice].name), 0.0) > 0

    if own(a) == own(b) or named[a].pinned or named[b].pinned:
        return list(namings)
    sure, half = (named[a], named[b]) if own(a) else (named[b], named[a])
    if evidence.get((spare, sure.name), 0.0) > 0:  # the voice left over was asked as the sure one's person
        return list(namings)
    renamed = Naming(half.voice, sure.name, DOUBTFUL, False, (
        *half.evidence[:1], f"sounds like {sure.voice} ({sure.name}, named by evidence; similarity {closest:.2f}) "
        f"more than {spare}, a voice more than {title} has guests, sounds like any voice of the part (at most "
        f"{max(to_spare):.2f}); the running order alone named it {half.name}: perhaps {sure.name} in two voices"))
    spare_name = Naming(spare, half.name, DOUBTFUL, False, (
        f"a voice more than {title} has guests, less alike to any of them (at most {max(to_spare):.2f}) than "
        f"{sure.voice} and {half.voice} are to each other: perhaps {half.name}, whom the running order gave "
        f"{half.voice}",))
    return [renamed if n.voice == half.voice else n for n in namings] + [spare_name]


def answered_for(voice: str, name: str, persons: Sequence[str], spelled: Mapping[tuple[str, str], float]) -> str | None:
    """The one of `persons` other than `name` whose question, put by name in the transcript (`spelled`: the
    address evidence from names in the text), `voice` answered: +1.0 or more for them and less than 1.0 for
    `name`; None if there is none. Pure."""
    other = max((q for q in persons if q != name), key=lambda q: spelled.get((voice, q), 0.0), default=None)
    return other if other is not None and spelled.get((voice, other), 0.0) >= 1.0 > spelled.get((voice, name), 0.0) \
        else None


ASKED_TWIN = 0.75  # a voice this alike to the voice of a guest whose spelled question it answered is that guest
#                    (show 221: 0.83 as recorded, 0.77 at +6 dB). Two guests of one part measured 0.73 in the
#                    median, up to 0.80 (96 pairs, seeds 204-227): this keeps out a voice that is clearly someone
#                    else's; the question answered is the evidence


def answered_as_another(namings: Sequence[Naming], evidence: Mapping[tuple[str, str], float],
                        spelled: Mapping[tuple[str, str], float],
                        likeness: Mapping[str, Mapping[str, float]], spare: bool = False) -> list[Naming]:
    """The names of a part's voices (`namings`) where one, named by the running order alone (no `evidence`
    for its name), answered a question put by name to another guest of the part (`spelled`: the address
    evidence from names in the transcript, +1.0 or more) and sounds like that guest's voice (ASKED_TWIN), or the
    part has a voice more than guests (`spare`, left for twin_in_part, which then gives it the name left over):
    it is that guest in a second voice, and takes that name, a CHECK (DOUBTFUL). Pure.

    Show 269 at +6 dB: Daan's first answer (3.5 s, two questions to Daan answered) a voice of its own, 0.67
    alike to his other voice (30 s), which answered "Naan, wat moeten Anders?" and was named Marije; Marije's
    voice (10 s, no evidence) was the part's third and took Marije's name too, by likeness (0.72).

    Show 221 of the judgement benchmark as recorded: Steven's first answer (3 s) a voice of its own, the rest of
    his answers (38 s) another, 0.83 alike; Fatima spoke 3 s. The larger voice answered "Steven, ...?" and was
    named Fatima. Show 215: Fatima's larger voice (0.81 alike to her other) answered "Fatima, kun je dat
    uitleggen?" and was named Jornt, who spoke 6 s."""
    by_name = {n.name: n for n in reversed(namings)}  # the first voice of each name
    result = []
    for n in namings:
        asked = answered_for(n.voice, n.name, list(by_name), spelled)
        other = by_name[asked] if asked is not None else None
        similarity = likeness.get(n.voice, {}).get(other.voice, 0.0) if other is not None else 0.0
        if other is None or n.pinned or evidence.get((n.voice, n.name), 0.0) > 0 \
                or (similarity < ASKED_TWIN and not spare):
            result.append(n)
            continue
        why = "sounds like" if similarity >= ASKED_TWIN else "the part has a voice to spare; unlike"
        result.append(Naming(n.voice, other.name, DOUBTFUL, False, (
            *n.evidence[:1], f"answered a question to {other.name.split()[0]} by name and {why} "
            f"{other.voice} ({other.name}, similarity {similarity:.2f}); the running order alone named it "
            f"{n.name}: perhaps {other.name} in two voices")))
    return result


def twin_in_part(voice: str, namings: Sequence[Naming], likeness: Mapping[str, Mapping[str, float]],
                 title: str, named: Mapping[str, str] | None = None, guests: Sequence[str] = (),
                 evidence: Mapping[tuple[str, str], float] | None = None) -> Naming | None:
    """A voice of a part left without a guest (the part has more voices than guests), as a CHECK (DOUBTFUL):
    when a guest of the part (`guests`) has no voice (the part's naming gave that guest's voice another
    name: one person in two voices) and this voice sounds like no named voice as one person's (ALIKE), it is
    that guest; else the clustering cut someone in two, and it gets the name of the voice it sounds most like:
    of the part (`namings`), or one named before it (`named`: voice -> name, the hosts and earlier parts) that
    sounds as alike as one person's voice (ALIKE); unless it sounds like none as one person's and answered a
    question put to a guest of the part (`evidence`: (voice, person) -> the address evidence): then it is that
    guest (show 130 of the judgement benchmark: Bram's answer to the host's second question to him was a voice
    of its own, 0.59 alike to Bram's first voice, 0.63 to Mike's; it took Mike's name).
    None when no voice has a name or a known likeness. Pure.

    Show 81 of the judgement benchmark: one guest in two voices (0.84 alike) took both names of the part, and
    the voice left over (0.69 alike to them) was the other guest. Show 91: the host's speech in part 2 was a voice
    of its own, 0.97 alike to the host's voice, 0.72 to the part's."""
    names = {**(named or {}), **{n.voice: n.name for n in namings}}
    alike = {v: likeness.get(voice, {}).get(v) for v in names if v != voice}
    part = {n.voice for n in namings}  # a voice outside the part only when it sounds like one person's
    alike = {v: s for v, s in alike.items() if s is not None and (v in part or s >= ALIKE)}
    if not alike:
        return None
    twin = max(alike, key=alike.__getitem__)
    voiceless = [p for p in guests if p not in {n.name for n in namings}]
    if voiceless and alike[twin] < ALIKE:
        return Naming(voice, voiceless[0], DOUBTFUL, False, (
            f"a voice more than {title} has guests, but {voiceless[0]} has no voice of their own and it sounds "
            f"like none of the named voices (at most {alike[twin]:.2f}, {twin}): perhaps {voiceless[0]}",))
    asked = {p: (evidence or {}).get((voice, p), 0.0) for p in guests}
    answered = max(asked, key=asked.__getitem__, default=None)
    if answered is not None and asked[answered] > 0 and alike[twin] < ALIKE and answered != names[twin]:
        return Naming(voice, answered, DOUBTFUL, False, (
            f"a voice more than {title} has guests; it answered when {answered.split()[0]} was asked "
            f"({asked[answered]:+.1f}) and sounds like none of the named voices as one person's (at most "
            f"{alike[twin]:.2f}, {twin}): perhaps {answered} in two voices",))
    name, where = names[twin], " of the part" if any(n.voice == twin for n in namings) else ""
    return Naming(voice, name, DOUBTFUL, False, (
        f"a voice more than {title} has guests; sounds most like {twin} ({name}){where} (similarity "
        f"{alike[twin]:.2f}): perhaps {name} in two voices",))


def both_in_one(namings: Sequence[Naming], guests: Sequence[str], title: str) -> list[Naming]:
    """The names of a part (`namings`) when only one of its voices got a guest's name and another of its
    `guests` has no voice at all: perhaps the clustering put both guests in that voice (a quiet guest under
    the partner), so its name is a CHECK (DOUBTFUL), whatever named it; the CHECK line then says who else it
    may be. Pure.

    Show 115 of the judgement benchmark as recorded: one voice held 20-25 s each of Marije and Daan (Daan 10 dB
    quieter), named Marije at 0.95 by her address; Daan had no voice."""
    named = [n for n in namings if n.name in guests]
    voiceless = [p for p in guests if p not in {n.name for n in namings}]
    if len(named) != 1 or not voiceless or named[0].pinned or named[0].confidence <= DOUBTFUL:
        return list(namings)
    only = named[0]
    doubted = Naming(only.voice, only.name, DOUBTFUL, False, (
        *only.evidence, f"the only voice of {title} with a guest's name, and {voiceless[0]} has no voice of their "
        f"own: perhaps both in this voice"))
    return [doubted if n.voice == only.voice else n for n in namings]


def one_name_for_one_person(namings: Sequence[Naming], pair: tuple[str, str],
                            evidence: dict[tuple[str, str], float],
                            from_text: dict[tuple[str, str], float] | None = None,
                            clearest: dict[str, float] | None = None,
                            talk: dict[str, float] | None = None) -> list[Naming]:
    """The names of one part's guests (`_assign`) when two of its voices sound like one person cut in two
    (`pair`): if one voice's name has evidence of its own (addressed or introduced by name, or the Whisper
    judge sure: `judge_sure`, as in `_assign`) and the other's comes from the one-to-one
    match alone, the second voice is the same person: the match assumed two people, the voices say one (the
    part's other guest then has no voice of their own: a quiet guest, mostly over the partner). The second
    voice's name is a CHECK; so is the first's when it holds less speech than the second (`talk`: seconds per
    voice). Pure. (name_voices asks this only of a pair at least ALIKE where the voices' likeness is known: on
    seeds 148-163 the four pairs at 0.82-0.85 were two people, Bram named Marije on 26 s of show 158, and the
    three at 0.90-0.92 one person.)

    On the 20 simulated shows this acted on 5 shows: the pair was one person on 4 (7, 9, 11, 12), and both
    voices got that person's name on 3; on show 9 the evidence itself named the wrong guest (the guest asked
    first answered in 1.2 s, heard as the host), and on show 17 at -10 dB the pair was two people."""
    by_voice = {n.voice: n for n in namings}
    if not all(v in by_voice for v in pair) or by_voice[pair[0]].name == by_voice[pair[1]].name:
        return list(namings)

    def own(n: Naming) -> bool:
        support = evidence.get((n.voice, n.name), 0.0)
        text = support if from_text is None else from_text.get((n.voice, n.name), 0.0)
        return text > 0 or judge_sure(support, n.name, clearest or {})

    first, second = (by_voice[v] for v in pair)
    if own(first) == own(second) or first.pinned or second.pinned:
        return list(namings)
    sure, other = (first, second) if own(first) else (second, first)
    renamed = Naming(other.voice, sure.name, min(other.confidence, DOUBTFUL), False, (
        *other.evidence[:1], f"sounds like {sure.voice} ({sure.name}, named by evidence) and nothing but the "
        f"one-to-one match names it {other.name}: {sure.name} in two voices"))
    if talk is not None and talk.get(sure.voice, 0.0) < talk.get(other.voice, 0.0):
        # the smaller half is where the voiceless guest's few lines went as often as not (show 186 at -10 dB:
        # Marije's first answer and Kees's three lines in 9 s, named Marije at 0.95 by "Marije, ...?")
        sure = Naming(sure.voice, sure.name, min(sure.confidence, DOUBTFUL), False, (
            *sure.evidence, f"the smaller of two voices of {sure.name} ({other.voice}), and {other.name} has no "
            f"voice of their own: perhaps {other.name} speaks in this voice"))
    return [renamed if n.voice == other.voice else sure if n.voice == sure.voice else n for n in namings]


MIXED_SHARE = 0.3  # a guest voice with at least this share of its speech in a second part holds two people


def split_mixed_voices(turns: Sequence[VoiceTurn], names: dict[str, Naming], people: Sequence[PersonInfo],
                       chapters: Sequence[ChapterInfo], new_label, min_talk: float = 5.0) -> list[VoiceTurn] | None:
    """The guests of a part speak in that part: a guest voice heard substantially in two parts, while one of
    those parts has fewer guest voices than its planned guests, is two similar people (the clustering joined
    them); its speech in the part where it has less is given to a new voice `new_label(i)`. Returns the new
    turns, or None when no voice is split. Needs no chapter starts (borders from part_bounds). Pure."""
    guest_chapters = [c for c in chapters if any(_role(people, p) == "guest" for p in c.people)]
    hosts = {v for v, n in names.items() if _role(people, n.name) == "host" and n.name != v}
    talk = talk_times(turns)
    guests = [v for v in talk if v not in hosts and talk[v] >= min_talk and not names.get(v, Naming(v, v, 0)).pinned]
    sizes = [len([p for p in c.people if _role(people, p) == "guest"]) for c in guest_chapters]
    if len(guest_chapters) < 2 or sum(sizes) <= len(guests):
        return None
    borders = part_bounds(turns, guests, sizes)
    if borders is None:
        return None
    edges = [min(t.start for t in turns), *borders, max(t.end for t in turns)]
    spans = list(zip(edges, edges[1:]))
    amounts = {v: [_talk_between(turns, v, a, b) for a, b in spans] for v in guests}
    home = {v: int(np.argmax(a)) for v, a in amounts.items()}
    result, made = list(turns), 0
    for v in sorted(guests, key=lambda v: -talk[v]):
        for part, (a, b) in enumerate(spans):
            members = sum(1 for h in home.values() if h == part)
            share = amounts[v][part] / talk[v]
            if part == home[v] or share < MIXED_SHARE or amounts[v][part] < min_talk or members >= sizes[part]:
                continue
            label = new_label(made)
            made += 1
            home[label] = part
            pieces = []
            for t in result:
                if t.voice != v or t.end <= a or t.start >= b:
                    pieces.append(t)
                    continue
                if t.start < a:
                    pieces.append(VoiceTurn(t.start, a, v))
                pieces.append(VoiceTurn(max(t.start, a), min(t.end, b), label))
                if t.end > b:
                    pieces.append(VoiceTurn(b, t.end, v))
            result = pieces
    return sorted(result, key=lambda t: t.start) if made else None


def _role(people: Sequence[PersonInfo], name: str) -> str:
    return next((p.role for p in people if p.name == name), "guest")


def _handover_times(turns: Sequence[VoiceTurn], voices: Sequence[str],
                    guest_chapters: Sequence[ChapterInfo]) -> list[float]:
    """Rough times between the parts: known chapter starts, else the midpoints between groups of voices."""
    starts = [c.start for c in guest_chapters[1:] if c.start is not None]
    if starts or len(guest_chapters) < 2:
        return starts
    medians = sorted(median_time(turns, v) for v in voices)
    if len(medians) < 3:
        return []
    gaps = sorted(((b - a, (a + b) / 2) for a, b in zip(medians, medians[1:])), reverse=True)
    return sorted(mid for _, mid in gaps[: len(guest_chapters) - 1])


def _talk_between(turns: Sequence[VoiceTurn], voice: str, start: float, end: float) -> float:
    return sum(max(0.0, min(t.end, end) - max(t.start, start)) for t in turns if t.voice == voice)


PART_GRID = 160  # candidate borders between parts, evenly over the show


def part_bounds(turns: Sequence[VoiceTurn], voices: Sequence[str], sizes: Sequence[int]) -> list[float] | None:
    """Borders between consecutive parts (as many parts as `sizes`, each with `sizes[i]` guests) such that
    every guest voice speaks in one part: of the borders that give each part the planned number of voices
    (a voice belongs to the part holding most of its speech; every part at least one), the ones that keep
    the most speech of each voice inside its part; the middle of a tie. None for more than three parts or
    fewer voices than parts (then the plan's order decides, see group_by_chapter). Pure."""
    parts = len(sizes)
    if len(voices) > sum(sizes):  # someone in two voices: the smaller half would count as a guest of its own
        talk = talk_times([t for t in turns if t.voice in voices])
        voices = sorted(voices, key=lambda v: -talk.get(v, 0.0))[:sum(sizes)]
    own = [t for t in turns if t.voice in voices]
    if parts < 2 or parts > 3 or len(voices) < parts or not own:
        return None
    start, end = min(t.start for t in own), max(t.end for t in own)
    grid = np.linspace(start, end, PART_GRID + 1)
    # cumulative speech of each voice before each grid time
    cum = np.array([[sum(max(0.0, min(t.end, g) - t.start) for t in own if t.voice == v) for g in grid]
                    for v in voices])
    total = cum[:, -1:]
    best: tuple | None = None
    ties: list[tuple[int, ...]] = []
    for cut in itertools.combinations(range(1, PART_GRID), parts - 1):
        edges = (0, *cut, PART_GRID)
        amounts = np.stack([cum[:, edges[i + 1]] - cum[:, edges[i]] for i in range(parts)], axis=1)
        home = amounts.argmax(axis=1)
        counts = np.bincount(home, minlength=parts)
        if np.any(counts == 0):
            continue
        mismatch = int(sum(abs(c - s) for c, s in zip(counts, sizes)))
        purity = float(amounts.max(axis=1).sum() / max(float(total.sum()), 1e-9))
        key = (-mismatch, round(purity, 4))
        if best is None or key > best:
            best, ties = key, [cut]
        elif key == best:
            ties.append(cut)
    if best is None:
        return None
    middle = ties[len(ties) // 2]
    return [float(grid[i]) for i in middle]


def _share_inside(turns: Sequence[VoiceTurn], voice: str, start: float, end: float) -> float:
    own = [t for t in turns if t.voice == voice]
    total = sum(t.end - t.start for t in own)
    inside = sum(max(0.0, min(t.end, end) - max(t.start, start)) for t in own)
    return inside / total if total else 0.0


DOUBTFUL = 0.55  # the confidence of a name a rule below doubts: under the speakers stage's LOW_CONFIDENCE (a CHECK)
HOST_LEAD_SCALE = 1.5  # the host's confidence: 0.3 + this x its lead over the next voice (0.3 -> 0.75, no CHECK;
#                        seeds 1-50 at three levels: 150 hosts named, none wrong, the smallest lead 0.32)
HOST_TWIN_SCORE = 0.2  # host evidence of a guest's voice stays near 0.1 (opening, closing, presence)
HOST_TWIN_SHARE = 0.35  # ... and a second host voice has at least this share of the host's evidence
HOST_TWIN_EDGE = 0.15  # ... and speaks at least this share of the opening and of the closing (guests of two
#                        parts joined in one voice are heard throughout too, but not at both ends)
FEW_VOICES_MIN_TALK = 1.5  # seconds a voice needs to be named when there are no more voices than people
LITTLE_TALK = 9.0  # ... and under this many seconds, a name from the running order alone is a CHECK: such a voice
#                   is as often a piece of the other guest's voice (seeds 108-123: wrong at 6.6-7.7 s, show 120 at
#                   all three levels, a guest 10 dB down in two voices; right from 9.5 s up)
ORDER_ONLY = 0.85  # the most a guest's name gets without being addressed or introduced by name
JUDGED_ONLY = 0.85  # the most a guest's name gets from the Whisper judge alone (no name in the transcript)
JUDGED_LEAD = 5.0  # ... and without a CHECK only when one judged line asked that person with a lead of this many
#                    nats (halfway from spoken_names.MIN_LEAD to FULL_LEAD; weaker lines added up do not count)
JUDGED_SURE = 0.9  # ... answered by that voice first: this much judged evidence (0.7, a lead near MIN_LEAD, let a
#                    wrong name through at 0.81 on a simulated show) ...
JUDGED_FIRM = WEIGHT  # ... or one line heard as clearly as the judge hears any (spoken_names.FULL_LEAD: weight
#                       WEIGHT), answered by that voice (seeds 1-50: 16 such names at 0.55, all right)
IN_PIECES = 0.5  # ... and a CHECK when this share of its speech, in two turns or more, sits between two turns of one
#                 other guest voice (seeds 124-131: three pieces of one guest's answer named after a silent partner
#                 at 0.80-0.85, 51-63 % sandwiched; the right order-only names 0-13 %, one of 100 % in one turn)
NO_PLAN_ONLY = 0.5  # ... when episode.toml has no [[chapters]]: the order of [[people]] is all there is (a CHECK)
IN_CHAPTER = 0.75  # a guest's voice with less of its speech inside its chapter is probably two people mixed


def best_matching(scores: np.ndarray) -> tuple[float, list[tuple[int, int]]]:
    """The one-to-one matching of rows to columns (min(rows, columns) pairs) with the largest total score:
    (total, [(row, column), ...]). Pure."""
    from scipy.optimize import linear_sum_assignment

    rows, columns = linear_sum_assignment(scores, maximize=True)
    return float(scores[rows, columns].sum()), list(zip(rows.tolist(), columns.tolist()))


HEARD_BY_NAME = "addressed/introduced by name"  # the evidence line of a name spelled in the transcript
JUDGED_BY_NAME = "asked by name as the Whisper judge hears it"  # ... and of a name the judge heard in a question


def judge_sure(support: float, person: str, clearest: dict[str, float]) -> bool:
    """Whether a name resting on the Whisper judge alone needs no CHECK: the voice's judged evidence `support`
    is JUDGED_SURE and one judged line asked that person clearly (a lead of JUDGED_LEAD or more), or it is
    JUDGED_FIRM and one line asked that person with the full lead (`clearest`: person -> the weight of the
    clearest judged line that asked them). Pure."""
    best = clearest.get(person, 0.0)
    return (support >= JUDGED_SURE and best >= Verdict("", JUDGED_LEAD).weight) or \
        (support >= JUDGED_FIRM and best >= JUDGED_FIRM)


def heard_by_name(evidence: Sequence[str]) -> bool:
    """Whether a name's evidence (Naming.evidence, speakers.json "evidence") has its name spelled in the
    transcript, addressed or introduced. Pure."""
    return any(line.startswith(HEARD_BY_NAME) for line in evidence)


def asked_by_name(evidence: Sequence[str]) -> bool:
    """Whether a name's evidence has that name heard in a question or an introduction: spelled in the transcript,
    or heard by the Whisper judge. Pure."""
    return any(line.startswith((HEARD_BY_NAME, JUDGED_BY_NAME)) for line in evidence)


def pieces_inside(turns: Sequence[VoiceTurn], voice: str, others: Sequence[str]) -> tuple[str, float] | None:
    """The voice among `others` whose speech `voice` comes in pieces inside, and the share of `voice`'s speech
    that does: its turns with one and the same voice of `others` just before and just after (nobody between),
    when there are two such turns or more and they hold at least IN_PIECES of its speech; else None. A guest's
    answer that the clustering cut into two alternating voices looks so; a second guest speaks after the first,
    or interrupts once. Pure."""
    ordered = sorted(turns, key=lambda t: t.start)
    inside: dict[str, list[float]] = {}
    for before, turn, after in zip(ordered, ordered[1:], ordered[2:]):
        if turn.voice == voice and before.voice == after.voice and before.voice in others:
            inside.setdefault(before.voice, []).append(turn.duration)
    talk = sum(t.duration for t in ordered if t.voice == voice) or 1.0
    found = [(other, sum(pieces) / talk) for other, pieces in inside.items() if len(pieces) >= 2]
    best = max(found, key=lambda item: item[1], default=None)
    return best if best is not None and best[1] >= IN_PIECES else None


def _assign(voices: list[str], persons: list[str], addressed: dict[tuple[str, str], float],
            turns: Sequence[VoiceTurn], title: str, inside: dict[str, float] | None = None,
            order_only: float | None = None, from_text: dict[tuple[str, str], float] | None = None,
            clearest: dict[str, float] | None = None, elsewhere: Sequence[str] = (),
            introduced: float | None = None) -> list[Naming]:
    """Best one-to-one assignment of a chapter's voices to its guests by address evidence; the plan order
    (first listed guest speaks first) breaks ties. Confidence reflects how much better the best assignment
    is than the runner-up (the best one without that pair), and is low when the evidence contradicts the
    name: net evidence against it (the voice asks that person's name as a question), or a voice heard mostly
    outside the chapter (`inside`: share of each voice's speech inside the chapter's time; a host or two
    people mixed in one voice). A name without evidence of its own gets at most `order_only` (ORDER_ONLY), and
    a CHECK (DOUBTFUL) when what was heard of that person points at another voice of the chapter, or at one
    of the guest voices of other parts (`elsewhere`: the person's voice was put in another part), unless that
    voice has heard twice as much of someone else.
    `from_text`: the part of `addressed` from names in the transcript, when the rest is the Whisper judge's;
    a name resting on the judge alone gets at most JUDGED_ONLY, and a CHECK unless `judge_sure` (`clearest`:
    person -> the weight of the clearest judged line that asked them).
    `introduced`: when the host introduced the chapter's guests (introduced_at); a voice named from the running
    order alone that fell silent before then is a CHECK."""
    if not voices or not persons:
        return []
    order_only = ORDER_ONLY if order_only is None else order_only
    first_turn = {v: min(t.start for t in turns if t.voice == v) for v in voices}
    talk = talk_times(turns)
    order = sorted(voices, key=first_turn.__getitem__)
    heard = sum(talk[v] for v in voices) or 1

    def scored(evidence: dict[tuple[str, str], float]) -> np.ndarray:
        # every term of an assignment's score is one voice-person pair's: evidence, the plan order, the voice's talk
        return np.array([[evidence.get((v, p), 0.0) + (0.1 if order.index(v) == persons.index(p) else 0.0)
                          + 0.5 * talk[v] / heard for p in persons] for v in voices])

    def confidence_of(scores: np.ndarray, pair: tuple[int, int]) -> tuple[float, float]:
        best_score, _ = best_matching(scores)
        without = scores.copy()
        without[pair] = -1e9
        total, others = best_matching(without)
        margin = best_score - (best_score - 1.0 if pair in others else total)
        return max(0.3, min(0.95, 0.5 + 0.3 * margin + (0.2 if len(persons) == 1 else 0.0))), margin

    scores = scored(addressed)
    _, pairs = best_matching(scores)
    # the names the transcript and the running order give without the judge (to see whether a doubtful
    # judged question only confirms one of them)
    plain = scored(from_text) if from_text is not None else scores
    plain_pairs = set(best_matching(plain)[1])
    # what a voice has heard of its most likely person: a question to p that a voice answered points p at that
    # voice only when it is not much more clearly someone else (show 156: the host's "Precies." in Steven's
    # answer, judged a question to Bram (+0.36), Steven's voice (+2 for Steven) going on after it)
    in_text = addressed if from_text is None else from_text  # the names spelled in the transcript
    strongest: dict[str, float] = {}
    for (voice, _), score in addressed.items():
        strongest[voice] = max(strongest.get(voice, 0.0), score)
    namings, doubtful = [], False
    for i, j in pairs:
        v, p = voices[i], persons[j]
        confidence, margin = confidence_of(scores, (i, j))
        support = addressed.get((v, p), 0.0)
        share = (inside or {}).get(v)
        evidence = [f"speaks mostly in {title}" if share is None else f"{100 * share:.0f}% of its speech in {title}"]
        text = support if from_text is None else from_text.get((v, p), 0.0)
        if text:
            evidence.append(f"{HEARD_BY_NAME}: {text:+.1f}")
        confirms = False
        if support > 0 and text <= 0:  # the model's guess of a name it did not spell
            evidence.append(f"{JUDGED_BY_NAME} (pipeline.spoken_names): {support:+.2f}")
            sure = judge_sure(support, p, clearest or {})
            # a doubtful question that names whom the transcript and the running order name anyway is no
            # evidence against the name: the name is then as sure as the running order makes it (show 161: the
            # guest left over after the other was named in the transcript, at +6 dB 0.85 with no judged
            # line, was a CHECK at the other levels where the judge heard a weak "Lotte")
            confirms = not sure and (i, j) in plain_pairs
            if confirms:
                confidence = min(confidence, confidence_of(plain, (i, j))[0])
            else:
                confidence = min(confidence, JUDGED_ONLY if sure else DOUBTFUL)
                doubtful = doubtful or not sure
        if support <= 0 or confirms:  # from the running order alone: where the parts begin is itself a guess
            confidence = min(confidence, order_only)
            answered = [o for o in (*voices, *elsewhere) if o != v and addressed.get((o, p), 0.0) > 0
                        and 2 * addressed[(o, p)] >= strongest.get(o, 0.0)]
            if answered:  # what was heard of this person points at another voice ("Fatima, ...?" and B answers)
                confidence = min(confidence, DOUBTFUL)
                evidence.append(f"{p.split()[0]} was asked by name and {answered[0]} answered")
            if talk[v] < LITTLE_TALK:
                confidence = min(confidence, DOUBTFUL)
                evidence.append(f"only {talk[v]:.1f} s of speech, named from the running order alone")
            silent_from = max(t.end for t in turns if t.voice == v)
            if introduced is not None and silent_from <= introduced:
                confidence = min(confidence, DOUBTFUL)
                evidence.append(f"all its speech comes before the host introduces the guests of {title}, named "
                                f"from the running order alone: perhaps a voice of the part before")
            around = pieces_inside(turns, v, [o for o in (*voices, *elsewhere) if o != v])
            if around is not None and talk[around[0]] > talk[v]:
                confidence = min(confidence, DOUBTFUL)
                evidence.append(f"{100 * around[1]:.0f}% of its speech comes in pieces inside {around[0]}'s "
                                f"answers, named from the running order alone: perhaps part of that voice")
        other = answered_for(v, p, persons, in_text)
        if other is not None:
            # the voice answered a question to another guest, spelled (show 215 of the judgement benchmark: Jornt,
            # 6 s, inside Fatima's larger voice, which answered "Fatima, kun je dat uitleggen?" and was named
            # Jornt at 0.85 at every level)
            confidence = min(confidence, DOUBTFUL)
            evidence.append(f"answered a question to {other.split()[0]} by name: perhaps {other} in two voices")
        if support < 0:
            confidence = min(confidence, 0.4)
            evidence.append(f"evidence against the name: this voice addresses {p.split()[0]} by name")
        if share is not None and share < IN_CHAPTER:
            confidence = min(confidence, 0.45)
            evidence.append(f"heard much outside {title}: perhaps two people in one voice")
        confidence = round(confidence, 2)
        if len(persons) > 1 and round(margin, 6) <= 0.2:  # no more than the running order's prior of a swap
            evidence.append("could not be told apart from the other guest(s) of the chapter by names")
        namings.append(Naming(v, p, confidence, False, tuple(evidence)))
    if doubtful:  # a guest named by a doubtful question leaves the name of the guest left over in the same doubt
        namings = [Naming(n.voice, n.name, DOUBTFUL, False, (*n.evidence, "left over by a doubtful judged name"))
                   if addressed.get((n.voice, n.name), 0.0) <= 0 and n.confidence > DOUBTFUL else n for n in namings]
    return namings
