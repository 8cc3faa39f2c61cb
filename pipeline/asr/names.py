"""Names of the people in episode.toml: spell them right where the audio says them, never invent them.

DESIGN.md records that hints (`hotwords`) made Whisper base print the guests' names on audio it could not
understand; tried here with the whole transcription hinted, it also looped on them and ran 4x slower. So the
transcription itself runs without hints, and names are handled afterwards, span by span:

1. `find_candidates`: word spans of the unhinted transcript that sound like a name, by letter similarity of
   the whole span and of the first name and the surname each on their own ("Marijen Boelach" for Marije
   Boerlaagh, "Jornt van Zalielen" for Jornt van Zuijlen; not "Steven, laat" for Steven Blok).
2. A close match (similarity >= SURE) is a spelling correction: the model heard the name.
3. A looser match is checked against the audio: a short clip around it is decoded again with the names as
   the prompt, and the name is taken only when that pass puts it at the same place (`confirmed`); otherwise
   the words stay as heard (`rejected`). Names the hinted pass prints anywhere else are echoes of the prompt
   and are dropped (`echoes`).

Nothing here adds a name where the unhinted pass heard nothing like it.

Pure functions; the stage does the decoding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from pipeline.transcript import Word

FULL_MIN = 0.7  # letter similarity for a span to be a candidate for a full name
SURNAME_MIN = 0.75  # ... for a surname on its own (surnames of at least SURNAME_MIN_LETTERS letters)
SURNAME_MIN_LETTERS = 6
FIRST_NAME_MIN = 0.6  # ... and for a full name, its first word must sound like the first name this much
SURNAME_PART_MIN = 0.5  # ... and the rest like the surname (particles such as "van" left out) this much
ONE_WORD_MIN = 0.95  # a person known by one word: only capitals and punctuation are corrected
SURE = 0.8  # at or above: a spelling correction, no second pass needed
PLACE_TOLERANCE = 0.5  # seconds: a hinted name counts at a candidate's place when it overlaps it this closely
PARTICLES = {"van", "de", "der", "den", "ter", "ten", "te", "het", "op", "in", "t"}


def letters(text: str) -> str:
    return re.sub(r"[^\w]|_|\d", "", text.lower())


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, letters(a), letters(b)).ratio()


@dataclass(frozen=True)
class NameForm:
    """One way a person's name is said: the full name, or the surname (with its particles) alone."""

    person: str
    text: str
    full: bool

    @property
    def size(self) -> int:
        return len(self.text.split())


def name_forms(people: list[str] | tuple[str, ...]) -> list[NameForm]:
    forms = []
    for person in people:
        tokens = person.split()
        forms.append(NameForm(person, person, True))
        if len(tokens) >= 2:
            surname = " ".join(tokens[1:])
            core = [t for t in tokens[1:] if t.lower() not in PARTICLES]
            if core and len(letters("".join(core))) >= SURNAME_MIN_LETTERS:
                forms.append(NameForm(person, surname, False))
    return forms


@dataclass(frozen=True)
class Candidate:
    first: int  # index of the first word of the span in the segment
    last: int  # index after the last word
    form: NameForm
    score: float

    @property
    def sure(self) -> bool:
        return self.score >= SURE


def _spelled_right(span: list[str], form: NameForm) -> bool:
    return [re.sub(r"[^\w-]", "", t) for t in span] == form.text.split()


def _core(tokens: list[str]) -> str:
    return " ".join(t for t in tokens if letters(t) not in PARTICLES)


def _parts_match(span: list[str], form: NameForm) -> bool:
    """Both the first name and the surname (without van/de/...) must sound alike, each on its own."""
    name = form.text.split()
    return (similarity(span[0], name[0]) >= FIRST_NAME_MIN
            and bool(letters(_core(span[1:])))
            and similarity(_core(span[1:]), _core(name[1:])) >= SURNAME_PART_MIN)


def find_candidates(words: list[str], people: list[str] | tuple[str, ...]) -> list[Candidate]:
    """Non-overlapping spans of `words` (Whisper word texts) that sound like a name but are not spelled as it.

    Spans already spelled exactly as the name are no candidates (nothing to fix) and block their words.
    """
    options: list[Candidate] = []
    blocked: set[int] = set()
    for form in name_forms(people):
        threshold = FULL_MIN if form.full else SURNAME_MIN
        if form.full and form.size == 1:  # a one-word name ("Presentator") is too close to ordinary words
            threshold = ONE_WORD_MIN
        # a full name of two or more words needs a span of two or more: a first name alone proves nothing
        for size in range(max(1 if form.size == 1 else 2, form.size - 1), form.size + 2):
            for first in range(0, len(words) - size + 1):
                span = [w.strip() for w in words[first:first + size]]
                if _spelled_right(span, form):
                    if form.full:  # a right surname may still follow a misheard first name
                        blocked.update(range(first, first + size))
                    continue
                # a span must start and end with a word that carries letters of the name
                if not letters(span[0]) or not letters(span[-1]):
                    continue
                score = similarity(" ".join(span), form.text)
                if form.full and form.size > 1 and not _parts_match(span, form):
                    continue  # "met Brandjes" is not "Mike Brantjes", "Steven, laat" not "Steven Blok"
                if score >= threshold:
                    options.append(Candidate(first, first + size, form, round(score, 3)))
    chosen: list[Candidate] = []
    taken = set(blocked)
    # full names first (they carry more evidence than a surname inside them), the best match first
    for cand in sorted(options, key=lambda c: (not c.form.full, -c.score, c.first)):
        span = set(range(cand.first, cand.last))
        if span & taken:
            continue
        chosen.append(cand)
        taken |= span
    return sorted(chosen, key=lambda c: c.first)


def hinted_has_name(hinted: list[Word], form: NameForm, start: float, end: float) -> bool:
    """True when the hinted pass says the name (`form`) within PLACE_TOLERANCE of [start, end]."""
    near = [w for w in hinted if w.end >= start - PLACE_TOLERANCE and w.start <= end + PLACE_TOLERANCE]
    target = letters(form.text)
    return bool(target) and target in letters("".join(w.text for w in near))


def echoes(hinted: list[Word], people: list[str] | tuple[str, ...],
           places: list[tuple[float, float]]) -> int:
    """How many names the hinted pass printed away from every candidate place: prompt echoes (dropped)."""
    count = 0
    tokens = [letters(w.text) for w in hinted]
    for form in name_forms(people):
        if not form.full:
            continue
        target = form.text.split()
        size = len(target)
        for i in range(len(tokens) - size + 1):
            if tokens[i:i + size] == [letters(t) for t in target]:
                start, end = hinted[i].start, hinted[i + size - 1].end
                if not any(end >= a - PLACE_TOLERANCE and start <= b + PLACE_TOLERANCE for a, b in places):
                    count += 1
    return count


def spell(words: tuple[Word, ...], cand: Candidate) -> tuple[Word, ...]:
    """`words` with the candidate's span replaced by the name, spread over the span's time.

    The leading space of the first word and the punctuation after the last are kept; the name's words share
    the span's time in proportion to their length and keep the span's mean probability.
    """
    span = words[cand.first:cand.last]
    lead = span[0].text[:len(span[0].text) - len(span[0].text.lstrip())]
    trail = re.search(r"[^\w]*$", span[-1].text.strip()).group(0)
    names = cand.form.text.split()
    start, end = span[0].start, span[-1].end
    total = sum(len(n) for n in names)
    prob = sum(w.probability for w in span) / len(span)
    new, t = [], start
    for k, name in enumerate(names):
        t_end = end if k == len(names) - 1 else round(t + (end - start) * len(name) / total, 3)
        text = (lead if k == 0 else " ") + name + (trail if k == len(names) - 1 else "")
        new.append(Word(start=round(t, 3), end=round(t_end, 3), text=text, probability=round(prob, 4)))
        t = t_end
    return (*words[:cand.first], *new, *words[cand.last:])
