"""Phrase and name matching: the transcript's words as tokens, the host's hand-over phrases and the plan's
names and keywords found in them (fuzzily), and whether Whisper and the audio support each find. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from pipeline.chaptering.cues import Breaks
from pipeline.transcript import Transcript

# ---------------------------------------------------------------- tunables (a change makes the chapters stage stale)

MIN_NAME_PROBABILITY = 0.5  # mean Whisper word probability for a name or keyword to count
MIN_PHRASE_PROBABILITY = 0.3  # ... for a hand-over phrase (common words; it needs less)
MIN_NAME_SPEECH = 0.35  # share of a name's time (as Whisper places it) that the audio says is speech
MIN_PHRASE_SPEECH = 0.2  # ... of a hand-over phrase's time


@dataclass(frozen=True)
class Phrase:
    text: str
    weight: float = 1.0


@dataclass(frozen=True)
class PhraseBook:
    """What a host says at a hand-over, by role. Matched fuzzily against the transcript."""

    thanks: tuple[Phrase, ...]  # said around the end of a part
    opening: tuple[Phrase, ...]  # said at the start of a part
    closing: tuple[Phrase, ...]  # said at the start of the last part (counts only for the last boundary)
    farewell: tuple[Phrase, ...] = ()  # thanks to the audience at the very end: thanks followed by these
                                       # ("dank jullie wel voor het luisteren") hand nothing over


def _phrases(*items: str | tuple[str, float]) -> tuple[Phrase, ...]:
    return tuple(Phrase(i) if isinstance(i, str) else Phrase(*i) for i in items)


HANDOVER_PHRASES: dict[str, PhraseBook] = {
    "nl": PhraseBook(
        thanks=_phrases("dank jullie wel", "dank je wel", "dankjewel", "dank u wel", "hartelijk dank",
                        "heel erg bedankt", "bedankt", "een applaus voor", "applaus voor",
                        ("dank", 0.6)),
        opening=_phrases("we gaan verder met", "dan gaan we verder", "we gaan door met", "dan gaan we nu naar",
                         "we beginnen met", "we starten met", "ik heet welkom", "welkom", "graag stel ik voor",
                         "mag ik voorstellen", "ik geef het woord aan", "het tweede deel", "het volgende deel",
                         "en dan nu", "aan tafel", ("deel twee", 0.8), ("we gaan het hebben over", 0.8)),
        closing=_phrases("tot slot", "afsluiten", "ter afsluiting", "om af te sluiten", "tot zover",
                         "we zijn aan het einde", "aan het einde van", "tenslotte", "rest mij nog",
                         ("dat was", 0.5), ("dit was", 0.5)),
        farewell=_phrases("voor het luisteren", "voor jullie aandacht", "voor jullie komst", "tot ziens",
                          "tot de volgende keer", "fijne avond", "welterusten", "goed thuis"),
    ),
    "en": PhraseBook(
        thanks=_phrases("thank you", "thank you so much", "thanks", "a round of applause", ("thank", 0.6)),
        opening=_phrases("we move on to", "let's move on", "welcome", "please welcome", "next up",
                         "we start with", "let me introduce", "joining me", "part two"),
        closing=_phrases("finally", "to wrap up", "to close", "that's all", "we've come to the end",
                         ("that was", 0.5)),
        farewell=_phrases("for listening", "for coming", "see you next time", "goodbye", "good night"),
    ),
}

_PARTICLES = {"van", "de", "der", "den", "het", "ter", "ten", "te", "op", "in", "t", "d", "von", "du", "la", "le"}

# ---------------------------------------------------------------- text: tokens and fuzzy matches


def normalise_word(text: str) -> str:
    """Lower case, accents and punctuation removed, hyphens joined: " K-Buurt," -> "kbuurt"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[-'’`]", "", text)
    return re.sub(r"[^\w]+", " ", text).strip()


@dataclass(frozen=True)
class Token:
    text: str  # normalised
    start: float
    end: float
    probability: float
    segment: int  # index into the transcript's segments


def tokens_of(transcript: Transcript) -> list[Token]:
    """Every word of the transcript, normalised, in time order (a word with inner spaces becomes several)."""
    tokens: list[Token] = []
    for index, segment in enumerate(transcript.segments):
        for word in segment.words:
            parts = normalise_word(word.text).split()
            for part in parts:
                tokens.append(Token(part, word.start, word.end, word.probability, index))
    tokens.sort(key=lambda t: (t.start, t.end))
    return tokens


@dataclass(frozen=True)
class Hit:
    """A phrase, name or keyword found in the transcript."""

    kind: str  # thanks | opening | closing | name | keyword
    key: str  # the phrase, the person's name, or the keyword as planned
    heard: str  # what the transcript says there (normalised)
    first: int  # token index of the first word
    last: int  # token index of the last word (inclusive)
    start: float
    end: float
    similarity: float  # 0..1
    probability: float  # mean Whisper probability of the words
    weight: float = 1.0
    supported: bool = True
    why_not: str = ""  # why an unsupported hit does not count


class _Grams:
    """The transcript's word n-grams (joined with and without spaces), built once per n for fuzzy search."""

    def __init__(self, tokens: Sequence[Token]):
        self.tokens = tokens
        self._cache: dict[int, tuple[list[str], list[str]]] = {}

    def of(self, n: int) -> tuple[list[str], list[str]]:
        if n not in self._cache:
            texts = [t.text for t in self.tokens]
            grams = [texts[i:i + n] for i in range(len(texts) - n + 1)]
            self._cache[n] = ([" ".join(g) for g in grams], ["".join(g) for g in grams])
        return self._cache[n]


def _find(grams: _Grams, target: str, threshold: float) -> list[tuple[int, int, float]]:
    """(first, last, similarity) of the places where `target` (normalised) appears, comparing word n-grams of
    about the target's length; overlapping matches keep the best one. Words more than 3 s apart are no match."""
    words = target.split()
    tokens = grams.tokens
    if not words or not tokens:
        return []
    joined_target = target.replace(" ", "")
    best: dict[int, tuple[int, int, float]] = {}
    for n in sorted({n for n in (len(words) - 1, len(words), len(words) + 1) if n >= 1}):
        spaced, joined = grams.of(n)
        if not spaced:
            continue
        scores = np.maximum(
            cdist([target], spaced, scorer=fuzz.ratio, dtype=np.float32)[0],
            cdist([joined_target], joined, scorer=fuzz.ratio, dtype=np.float32)[0]) / 100
        # other word counts than the target's (split or joined words) must match better: "dan ik" is no "dank"
        for i in np.flatnonzero(scores >= threshold + (0.0 if n == len(words) else 0.04)).tolist():
            if tokens[i + n - 1].start - tokens[i].end > 3.0:
                continue
            score = float(scores[i])
            if i not in best or score > best[i][2]:
                best[i] = (i, i + n - 1, score)
    found = sorted(best.values(), key=lambda f: -f[2])
    taken: set[int] = set()
    kept = []
    for first, last, score in found:
        if taken.isdisjoint(range(first, last + 1)):
            kept.append((first, last, score))
            taken.update(range(first, last + 1))
    return sorted(kept)


def _threshold(target: str) -> float:
    """Short targets must match more exactly: "mike" is not "mijn", "dat was" is not "dat als"."""
    letters = len(target.replace(" ", ""))
    if letters <= 5:
        return 0.88
    if letters <= 8:
        return 0.86
    if " " not in target:
        return 0.8
    return 0.75


def name_forms(name: str) -> list[str]:
    """What a person may be called: the full name, the first name, a distinctive last name."""
    full = normalise_word(name)
    words = full.split()
    forms = [full]
    if len(words) > 1:
        if len(words[0]) >= 4:
            forms.append(words[0])
        rest = [w for w in words[1:] if w not in _PARTICLES]
        last = " ".join(rest)
        if rest and len(last.replace(" ", "")) >= 6:
            forms.append(last)
    return list(dict.fromkeys(forms))


def find_phrases(tokens: Sequence[Token], book: PhraseBook) -> list[Hit]:
    grams = _Grams(tokens)
    hits: list[Hit] = []
    for kind in ("thanks", "opening", "closing", "farewell"):
        for phrase in getattr(book, kind):
            target = normalise_word(phrase.text)
            for first, last, score in _find(grams, target, max(0.82, _threshold(target))):
                hits.append(_hit(tokens, kind, phrase.text, first, last, score, phrase.weight))
    hits = _drop_overlaps(hits)
    farewells = [h for h in hits if h.kind == "farewell"]
    return [h for h in hits if h.kind != "farewell" and not (
        h.kind == "thanks" and any(0 <= f.first - h.last <= 3 for f in farewells))]


def _drop_overlaps(hits: list[Hit]) -> list[Hit]:
    """Of hits of the same kind on the same words keep the best (\"dank jullie wel\" is not also \"dank\")."""
    hits = sorted(hits, key=lambda h: -(h.similarity * h.weight * (h.last - h.first + 1)))
    kept: list[Hit] = []
    for hit in hits:
        if not any(k.kind == hit.kind and k.first <= hit.last and hit.first <= k.last for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def _hit(tokens: Sequence[Token], kind: str, key: str, first: int, last: int, score: float,
         weight: float = 1.0) -> Hit:
    words = tokens[first:last + 1]
    return Hit(kind=kind, key=key, heard=" ".join(t.text for t in words), first=first, last=last,
               start=words[0].start, end=words[-1].end, similarity=round(score, 3),
               probability=sum(t.probability for t in words) / len(words), weight=weight)


def find_names(tokens: Sequence[Token], people: Iterable[str], keywords: Iterable[str]) -> list[Hit]:
    """Every place a person's name or a keyword appears (fuzzily), not yet checked for support."""
    grams = _Grams(tokens)
    hits: list[Hit] = []
    for person in dict.fromkeys(people):
        for form in name_forms(person):
            for first, last, score in _find(grams, form, _threshold(form)):
                hits.append(_hit(tokens, "name", person, first, last, score))
    for keyword in dict.fromkeys(keywords):
        target = normalise_word(keyword)
        for first, last, score in _find(grams, target, max(0.82, _threshold(target))):
            hits.append(_hit(tokens, "keyword", keyword, first, last, score))
    return _drop_overlaps(hits)


def check_support(hits: Sequence[Hit], tokens: Sequence[Token], transcript: Transcript, breaks: Breaks,
                  min_probability: float, min_speech: float) -> list[Hit]:
    """Mark hits that the audio and Whisper do not support (hotword echoes, words on noise) as unsupported.

    A hit is unsupported when its words' mean probability is below `min_probability`, when less than
    `min_speech` of the audio under it sounds like speech, when Whisper's own rule says its segment is
    probably no speech, or (names) when its segment is a bare list: names make up at least half of it and fewer
    than two other words were heard well. That is what hotwords print on audio Whisper cannot understand.
    """
    listed: dict[int, set[int]] = {}
    for hit in hits:
        if hit.kind == "name":
            for i in range(hit.first, hit.last + 1):
                listed.setdefault(tokens[i].segment, set()).add(i)
    by_segment: dict[int, list[int]] = {}
    for i, token in enumerate(tokens):
        by_segment.setdefault(token.segment, []).append(i)
    checked = []
    for hit in hits:
        segment_index = tokens[hit.first].segment
        segment = transcript.segments[segment_index]
        why = ""
        speech = breaks.speech_fraction(hit.start, hit.end)
        if hit.probability < min_probability:
            why = f"Whisper unsure (p={hit.probability:.2f})"
        elif speech is not None and speech < min_speech:
            why = f"no speech under it ({speech:.0%})"
        elif segment.no_speech_prob > 0.6 and segment.avg_logprob < -1.0:  # Whisper's own no-speech rule
            why = "Whisper marks the segment as probably no speech"
        elif hit.kind == "name":
            names = listed.get(segment_index, set())
            others = [i for i in by_segment[segment_index] if i not in names]
            heard_well = [i for i in others if tokens[i].probability >= MIN_NAME_PROBABILITY]
            if len(names) >= len(others) and len(heard_well) < 2:
                why = "its segment is a bare list of names (a hotword echo?)"
        checked.append(Hit(**{**hit.__dict__, "supported": not why, "why_not": why}))
    return checked
