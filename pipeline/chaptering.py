"""Where each chapter of the plan starts: the decision logic of the chapters stage. Pure: no files, no audio.

Input: the transcript (words with times and Whisper probabilities), the voice turns of the speakers stage (or
none), what the audio says about pauses and applause (`Breaks`, measured by pipeline.audiocues), and one
`ChapterCue` per planned chapter (people, keywords, `start` override, `approx` hint).

How a boundary is found. Every gap between two words is a candidate cut. For the boundary into chapter j each
candidate gets a score from independent kinds of evidence:
  - hand-over phrases of the host (HANDOVER_PHRASES): a phrase that opens a part right after the cut ("we gaan
    verder met", "welkom"; for the last chapter a closing phrase: "tot slot"), and thanks ("dank jullie wel")
    just before it when new people come next (the thanks end the previous part), or as the first words after
    it when nobody new comes (the thanks open the closing). Thanks to the audience ("... voor het luisteren")
    hand nothing over;
  - voices (the speakers stage's turns): voices that are heard for the first time after the cut (a new part)
    or for the last time before it (a closing), a changed mix of voices, another speaker right at the cut;
  - a break: the length of the pause at the cut, applause that ends just before it;
  - names and keywords of the plan, matched fuzzily ("Marijen Boelach" is Marije Boerlaagh): the new part's
    people introduced right after the cut, the previous part's people thanked around it, and over a wider
    stretch the parts' people and keywords before and after the cut ("topic"); names of another part's
    hand-over count against a cut. A name counts only when Whisper was sure of it (word probability), the
    audio under it is speech, and its segment is more than a bare list of names (what hotwords print on noise).
    Names and keywords only add to a cut that has a hand-over phrase, a voice change or a break: a name alone
    never places a boundary.
The chapters' starts are then chosen together (dynamic programming: in plan order, at least MIN_CHAPTER
apart, one hand-over for one chapter, overrides fixed, `approx` limits the search to approx_window() around
the hint), each cut sits in the pause just before the first word of the new part (snap), and each gets an
honest confidence: high only when several kinds of evidence agree, the host's words among them, and no cut
elsewhere (more than ALTERNATIVE_DISTANCE away, between the neighbouring boundaries) is nearly as good.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from pipeline.timefmt import clock
from pipeline.timeline import Interval, Turn
from pipeline.transcript import Transcript

# ---------------------------------------------------------------- tunables (bump the stage's VERSION when edited)

MIN_CHAPTER = 5.0  # seconds: no chapter is shorter
APPROX_WINDOW = 120.0  # seconds either side of an `approx` hint that are searched (less in short episodes)
ALTERNATIVE_DISTANCE = 10.0  # a competing cut this far away or more lowers the confidence
LOW_CONFIDENCE = 0.5  # below this a boundary is reported loudly
LEAD = 0.2  # seconds of pause kept in front of the first word of a chapter
MIN_NAME_PROBABILITY = 0.5  # mean Whisper word probability for a name or keyword to count
MIN_PHRASE_PROBABILITY = 0.3  # ... for a hand-over phrase (common words; it needs less)
MIN_NAME_SPEECH = 0.35  # share of a name's time (as Whisper places it) that the audio says is speech
MIN_PHRASE_SPEECH = 0.2  # ... of a hand-over phrase's time
NAME_REACH = 12.0  # seconds from the cut within which names count as introduced or thanked
THANKED_WITHIN = 4.0  # seconds: names right after "dank jullie wel" are thanked, not introduced
TOPIC_GAP = 8.0  # seconds around a cut that the topic contrast ignores (the hand-over talk itself)

WEIGHTS = {
    "opening": 3.0,  # a phrase that opens a part, just after the cut
    "thanks": 2.0,  # thanks around the cut
    "voices": 3.0,  # the mix of voices changes across the cut
    "turn": 1.0,  # the speaker changes exactly at the cut
    "pause": 1.5,  # the pause at the cut (full weight from 2 s)
    "applause": 2.0,  # applause ends just before the cut
    "new_names": 1.5,  # the new part's people named just after the cut
    "old_names": 1.0,  # the previous part's people named around the cut
    "misfit": 2.0,  # names of another hand-over at the cut (subtracted)
    "topic": 2.0,  # the parts' people and keywords heard before/after the cut (away from the hand-over)
    "approx": 1.0,  # penalty at the edge of the approx window (quadratic)
}
MIX_SHARE = 0.6  # how much a changed mix of voices counts next to voices that arrive or leave for good
STRONG_SCORE = 7.0  # a score this high is as strong as evidence gets
# agreeing kinds of evidence -> highest confidence; without the host's words a boundary is a guess from the
# sound and the names (a pause and another voice happen at every turn of a conversation)
KIND_CAP = {0: 0.05, 1: 0.35, 2: 0.6, 3: 0.85, 4: 1.0}
KIND_CAP_WITHOUT_WORDS = {0: 0.05, 1: 0.25, 2: 0.45, 3: 0.7}


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


# ---------------------------------------------------------------- the inputs


@dataclass(frozen=True)
class ChapterCue:
    """What decides where one planned chapter starts (titles, links and images do not: see the stage)."""

    people: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    start: float | None = None  # exact override
    approx: float | None = None  # search near here


@dataclass(frozen=True)
class Breaks:
    """What the audio says: non-speech stretches (pauses, applause merged in), applause, and speech frames.

    `speech` is a per-frame 0/1 sequence (frame length `step` seconds) of frames that sound like speech, used to
    check that a word Whisper printed has speech under it. Empty when no audio was analysed.
    """

    quiet: tuple[Interval, ...] = ()
    applause: tuple[Interval, ...] = ()
    speech: tuple[int, ...] | bytes = b""
    step: float = 0.02

    def speech_fraction(self, start: float, end: float) -> float | None:
        """Share of [start, end] that sounds like speech; None when no audio was analysed."""
        if not self.speech:
            return None
        lo = max(0, int(start / self.step))
        hi = min(len(self.speech), max(lo + 1, int(math.ceil(end / self.step))))
        if hi <= lo:
            return 0.0
        return sum(self.speech[lo:hi]) / (hi - lo)


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


# ---------------------------------------------------------------- candidates: cuts between words


@dataclass(frozen=True)
class Cut:
    """A place a chapter could start: before token `index`, at `time` (snapped), with `pause` seconds of
    non-speech there."""

    index: int  # the first token of the new chapter (len(tokens) for a cut after the last word)
    time: float
    pause: float
    gap_start: float  # end of the previous word (or of the pause)
    snapped_to_audio: bool


def snap(prev_end: float, next_start: float, quiet: Sequence[Interval], quiet_starts: Sequence[float]) -> Cut:
    """Where to cut between a word ending at `prev_end` and one starting at `next_start` (Whisper's times,
    trusted to 0.25 s): LEAD seconds before the speech onset that ends the audio's last pause there (never
    before that pause starts); without a pause in the audio, in the gap between the words. The pause length is
    all the non-speech between the words. Returns a Cut with index -1."""
    lo, hi = min(prev_end, next_start) - 0.25, max(prev_end, next_start) + 0.25
    runs = []
    i = bisect.bisect_right(quiet_starts, hi) - 1
    while i >= 0 and quiet[i].end > lo:  # the runs are sorted and do not overlap
        runs.append(quiet[i])
        i -= 1
    if runs:
        last = runs[0]
        time = max(last.start + last.duration / 2, last.end - LEAD)
        return Cut(-1, round(time, 3), round(sum(r.duration for r in runs), 3), runs[-1].start, True)
    gap = max(0.0, next_start - prev_end)
    time = max(prev_end + gap / 2, next_start - LEAD) if gap > 0 else next_start
    return Cut(-1, round(time, 3), round(gap, 3), prev_end, False)


def cuts_between_words(tokens: Sequence[Token], breaks: Breaks) -> list[Cut]:
    """One candidate cut in front of every word but the first (a chapter never starts inside a word)."""
    quiet = breaks.quiet
    quiet_starts = [q.start for q in quiet]
    cuts = []
    for i in range(1, len(tokens)):
        prev, cur = tokens[i - 1], tokens[i]
        if cur.start == tokens[i - 1].start and cur.end == prev.end:
            continue  # parts of one word
        cut = snap(prev.end, cur.start, quiet, quiet_starts)
        cut = Cut(i, cut.time, cut.pause, cut.gap_start, cut.snapped_to_audio)
        if cuts and cuts[-1].time == cut.time:  # several word gaps met the same pause: keep the gap of the
            if abs(cur.start - cut.time) < abs(tokens[cuts[-1].index].start - cut.time):  # word after it
                cuts[-1] = cut
            continue
        cuts.append(cut)
    return cuts


# ---------------------------------------------------------------- evidence per cut


def approx_window(duration: float) -> float:
    """Seconds searched either side of an `approx` hint: APPROX_WINDOW, but at most a tenth of a short episode
    (at least 30 s)."""
    return min(APPROX_WINDOW, max(30.0, 0.1 * duration))


def _near(value: float, full: float, zero: float) -> float:
    """1 up to `full`, falling linearly to 0 at `zero`."""
    if value <= full:
        return 1.0
    if value >= zero:
        return 0.0
    return 1.0 - (value - full) / (zero - full)


@dataclass
class _Index:
    """Hits sorted by start time for window queries."""

    hits: list[Hit]
    starts: list[float] = field(init=False)

    def __post_init__(self) -> None:
        self.hits.sort(key=lambda h: h.start)
        self.starts = [h.start for h in self.hits]

    def between(self, lo: float, hi: float) -> list[Hit]:
        return self.hits[bisect.bisect_left(self.starts, lo):bisect.bisect_right(self.starts, hi)]


class Voices:
    """The voice turns, indexed for window queries; each voice's first and last moment."""

    def __init__(self, turns: Sequence[Turn]):
        self.turns = sorted(turns, key=lambda t: t.start)
        self.starts = [t.start for t in self.turns]
        self.longest = max((t.end - t.start for t in self.turns), default=0.0)
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        for turn in self.turns:
            self.first[turn.voice] = min(self.first.get(turn.voice, math.inf), turn.start)
            self.last[turn.voice] = max(self.last.get(turn.voice, -math.inf), turn.end)

    def __bool__(self) -> bool:
        return bool(self.turns)

    def near(self, lo: float, hi: float) -> list[Turn]:
        """The turns that overlap [lo, hi]."""
        first = bisect.bisect_left(self.starts, lo - self.longest)
        last = bisect.bisect_right(self.starts, hi)
        return [t for t in self.turns[first:last] if t.end > lo and t.start < hi]


def _split_talk(turns: Sequence[Turn], time: float, window: float) -> list[tuple[Turn, float, float]]:
    """(turn, seconds of it in [time-window, time], seconds of it in [time, time+window])."""
    return [(t, max(0.0, min(t.end, time) - max(t.start, time - window)),
             max(0.0, min(t.end, time + window) - max(t.start, time))) for t in turns]


def voice_mix_change(voices: Voices, time: float, window: float) -> float | None:
    """1 - overlap of the talk-time shares of the voices in [time-window, time] and [time, time+window];
    None when either side has less than 3 s of talk (nothing to compare)."""
    before: dict[str, float] = {}
    after: dict[str, float] = {}
    for turn, b, a in _split_talk(voices.near(time - window, time + window), time, window):
        before[turn.voice] = before.get(turn.voice, 0.0) + b
        after[turn.voice] = after.get(turn.voice, 0.0) + a
    total_b, total_a = sum(before.values()), sum(after.values())
    if total_b < 3.0 or total_a < 3.0:
        return None
    overlap = sum(min(before.get(v, 0.0) / total_b, after.get(v, 0.0) / total_a) for v in set(before) | set(after))
    return max(0.0, 1.0 - overlap)


def new_and_departing_voices(voices: Voices, time: float, window: float, arriving: bool = True,
                             leaving: bool = True, duration: float = math.inf) -> float | None:
    """The larger of: the share of talk in [time, time+window] by voices never heard before `time` (when
    `arriving`), and the share of talk in [time-window, time] by voices never heard again after it (when
    `leaving`). A new part brings new voices; a closing sends the guests off. Near the start (end) of the
    audio every voice is new (gone), so these shares count in proportion to the time heard before (after),
    up to half the `window`. None when either side has less than 3 s of talk."""
    before_total = before_leaving = after_total = after_new = 0.0
    for turn, b, a in _split_talk(voices.near(time - window, time + window), time, window):
        before_total += b
        after_total += a
        if voices.last[turn.voice] <= time + 1.0:
            before_leaving += b
        if voices.first[turn.voice] >= time - 1.0:
            after_new += a
    if before_total < 3.0 or after_total < 3.0:
        return None
    heard_before, heard_after = min(1.0, 2 * time / window), min(1.0, 2 * (duration - time) / window)
    return max(heard_before * after_new / after_total if arriving else 0.0,
               heard_after * before_leaving / before_total if leaving else 0.0)


def turn_change(voices: Voices, time: float, reach: float = 8.0) -> bool | None:
    """Does a different voice speak right after the cut than right before it? None without turns nearby."""
    nearby = voices.near(time - reach, time + reach)
    before = [t for t in nearby if t.start < time]
    after = [t for t in nearby if t.end > time]
    if not before or not after:
        return None
    last = max(before, key=lambda t: min(t.end, time))
    first = min(after, key=lambda t: max(t.start, time))
    return last.voice != first.voice


@dataclass(frozen=True)
class Evidence:
    """The evidence for one boundary at one cut, each kind as 0..1 (keywords -1..1)."""

    opening: float = 0.0
    thanks: float = 0.0
    voices: float | None = None  # None: no turns there
    turn: float = 0.0
    pause: float = 0.0
    applause: float = 0.0
    new_names: float = 0.0
    old_names: float = 0.0
    misfit: float = 0.0  # names that belong to another hand-over (counts against)
    topic: float = 0.0  # -1..1
    approx: float = 0.0  # penalty, <= 0
    notes: tuple[str, ...] = ()
    # the first word of the phrases and names used, to recognise evidence that two cuts share
    opening_at: int | None = None
    thanks_at: int | None = None
    names_at: frozenset[int] = frozenset()

    def score_apart_from(self, other: "Evidence") -> float:
        """The score without the evidence this cut shares with `other` (the same phrases, the same names):
        what it has of its own."""
        w = WEIGHTS
        score = self.score
        if self.opening_at is not None and self.opening_at == other.opening_at:
            score -= w["opening"] * self.opening
        if self.thanks_at is not None and self.thanks_at == other.thanks_at:
            score -= w["thanks"] * self.thanks
        if self.structural and self.names_at & other.names_at:
            score -= w["new_names"] * self.new_names + w["old_names"] * self.old_names
        return score

    @property
    def structural(self) -> bool:
        """A hand-over phrase, a change of voices or a break: what names and keywords need to count."""
        return (self.opening >= 0.5 or self.thanks >= 0.5 or (self.voices or 0.0) >= 0.4
                or self.applause > 0 or self.pause >= 0.4)

    @property
    def score(self) -> float:
        w = WEIGHTS
        total = (w["opening"] * self.opening + w["thanks"] * self.thanks + w["voices"] * (self.voices or 0.0)
                 + w["turn"] * self.turn + w["pause"] * self.pause + w["applause"] * self.applause
                 + w["approx"] * self.approx - w["misfit"] * self.misfit)
        if self.structural:
            total += (w["new_names"] * self.new_names + w["old_names"] * self.old_names
                      + w["topic"] * self.topic)
        return total

    @property
    def kinds(self) -> list[str]:
        """The independent kinds of evidence present."""
        kinds = []
        if self.opening >= 0.5 or self.thanks >= 0.5:
            kinds.append("hand-over")
        if (self.voices or 0.0) >= 0.4:
            kinds.append("voices")
        if self.pause >= 0.7 or self.applause > 0:  # longer than the pauses between speakers (about 1.5 s)
            kinds.append("break")
        if self.structural and (self.new_names >= 0.5 or self.old_names >= 0.5 or self.topic >= 0.3):
            kinds.append("names")
        return kinds


@dataclass(frozen=True)
class Clues:
    """Everything found in the episode, computed once and shared by every boundary."""

    tokens: tuple[Token, ...]
    cuts: tuple[Cut, ...]
    phrases: tuple[Hit, ...]
    names: tuple[Hit, ...]  # names and keywords, supported or not
    voices: Voices
    breaks: Breaks
    duration: float
    voice_window: float
    memo: dict = field(default_factory=dict, compare=False)  # voice measures per cut, shared by the boundaries


def gather(transcript: Transcript, cues: Sequence[ChapterCue], breaks: Breaks, turns: Sequence[Turn],
           language: str, duration: float | None = None) -> Clues:
    tokens = tokens_of(transcript)
    duration = duration if duration is not None else transcript.duration
    book = HANDOVER_PHRASES.get(language.split("-")[0].lower())
    phrases = find_phrases(tokens, book) if book else []
    phrases = check_support(phrases, tokens, transcript, breaks, MIN_PHRASE_PROBABILITY, MIN_PHRASE_SPEECH)
    people = [p for cue in cues for p in cue.people]
    keywords = [k for cue in cues for k in cue.keywords]
    names = check_support(find_names(tokens, people, keywords), tokens, transcript, breaks, MIN_NAME_PROBABILITY,
                          MIN_NAME_SPEECH)
    cuts = cuts_between_words(tokens, breaks)
    at_words = {c.time for c in cuts}
    cuts += [c for c in _cuts_without_words(tokens, breaks, duration) if c.time not in at_words]
    cuts.sort(key=lambda c: c.time)
    window = min(120.0, max(15.0, duration / (max(1, len(cues)) * 2)))
    return Clues(tuple(tokens), tuple(cuts), tuple(phrases), tuple(names), Voices(turns), breaks, duration, window)


def _cuts_without_words(tokens: Sequence[Token], breaks: Breaks, duration: float) -> list[Cut]:
    """Fallback candidates where the transcript has no words: ends of audio pauses, and a coarse grid, so
    every boundary has somewhere to go (with no evidence, hence no confidence)."""
    starts = [t.start for t in tokens]
    cuts = []

    def wordless(time: float) -> bool:
        i = bisect.bisect_right(starts, time)
        return not any(tokens[k].start - 0.05 <= time <= tokens[k].end + 0.05
                       for k in range(max(0, i - 3), min(len(tokens), i + 1)))

    for run in breaks.quiet:
        time = max(run.start + run.duration / 2, run.end - LEAD)
        if run.duration >= 0.3 and wordless(time) and 0 < time < duration:
            index = bisect.bisect_left(starts, time)
            cuts.append(Cut(index, round(time, 3), round(run.duration, 3), run.start, True))
    step = 10.0
    time = step
    while time < duration:
        if wordless(time):
            cuts.append(Cut(bisect.bisect_left(starts, time), round(time, 3), 0.0, time, False))
        time += step
    return cuts


def evidence_at(clues: Clues, cues: Sequence[ChapterCue], j: int, cut: Cut, phrase_index: _Index,
                name_index: _Index) -> Evidence:
    """The evidence that chapter j (j >= 1) starts at `cut`."""
    t = cut.time
    last = j == len(cues) - 1
    notes: list[str] = []

    # A closing without new people is opened by a closing phrase ("tot slot"), hardly by "we gaan verder met".
    closing_only = last and not (set(cues[j].people) - set(cues[j - 1].people) - set(cues[0].people))
    opening, opening_hit = 0.0, None
    for hit in phrase_index.between(t - 0.5, t + 15.0):
        if hit.kind == "opening" or (hit.kind == "closing" and last):
            if hit.first < cut.index and hit.start < t - 0.3:
                continue  # the phrase began before the cut
            fit = 0.5 if hit.kind == "opening" and closing_only else 1.0
            value = fit * hit.similarity * hit.weight * _near(max(0.0, hit.start - t), 3.0, 15.0)
            if value > opening:
                opening, opening_hit = value, hit
    if opening_hit:
        notes.append(f'"{opening_hit.heard}" ({opening_hit.kind} phrase) at {clock(opening_hit.start)}')

    # Thanks before new people are introduced end the previous part ("dank jullie wel, Marije en Mike ...
    # we gaan verder met Jornt"); thanks without newcomers open the closing ("dank jullie wel, Jornt en Steven;
    # dat was Burger Centraal").
    newcomers = bool(set(cues[j].people) - {p for c in cues[:j] for p in c.people})
    thanks, thanks_hit = 0.0, None
    for hit in phrase_index.between(t - 30.0, t + 10.0):
        if hit.kind != "thanks" or hit.first < cut.index <= hit.last:
            continue  # not thanks, or the cut would split the phrase
        before = hit.last < cut.index
        side = 1.0 if before == newcomers else 0.5
        # thanks that end a part may be followed by applause; thanks that open one are its first words
        nearness = _near(max(0.0, t - hit.end), 4.0, 16.0) if before else _near(max(0.0, hit.start - t), 1.5, 8.0)
        value = side * hit.similarity * hit.weight * nearness
        if value > thanks:
            thanks, thanks_hit = value, hit
    if thanks_hit:
        notes.append(f'"{thanks_hit.heard}" (thanks) at {clock(thanks_hit.start)}')

    voices = None
    if clues.voices:
        # New voices are expected only when new people join; departing ones when the previous part's leave.
        arriving = not cues[j].people or bool(set(cues[j].people) - {p for c in cues[:j] for p in c.people})
        leaving = not cues[j - 1].people or bool(set(cues[j - 1].people) - {p for c in cues[j:] for p in c.people})
        key = (t, arriving, leaving)
        if key not in clues.memo:
            if t not in clues.memo:
                clues.memo[t] = voice_mix_change(clues.voices, t, clues.voice_window)
            fresh = new_and_departing_voices(clues.voices, t, 2 * clues.voice_window, arriving, leaving,
                                             clues.duration)
            mix = clues.memo[t]
            # Voices arriving or leaving for good mark a part; a changed mix may be just a turn in a debate.
            known = [v for v in (None if mix is None else MIX_SHARE * mix, fresh) if v is not None]
            clues.memo[key] = max(known) if known else None
        voices = clues.memo[key]
    if voices is not None and voices >= 0.2:
        notes.append(f"voices change ({voices:.2f})")
    changed = turn_change(clues.voices, t) if clues.voices else None
    turn = 1.0 if changed else 0.0

    pause = min(1.0, max(0.0, (cut.pause - 0.25) / 1.75))
    if cut.pause >= 0.5:
        notes.append(f"pause {cut.pause:.1f} s")
    applause, clapped = 0.0, 0.0
    for run in clues.breaks.applause:
        if t - 6.0 <= run.end <= t + 0.5 and run.duration >= 0.8 and run.duration > clapped:
            applause, clapped = min(1.0, run.duration / 3.0), run.duration
    if applause:
        notes.append(f"applause {clapped:.1f} s before")

    new_people = [p for p in cues[j].people if p not in cues[j - 1].people]
    old_people = [p for p in cues[j - 1].people if p not in cues[j].people]
    later_people = {p for cue in cues[j + 1:] for p in cue.people} - {p for cue in cues[:j + 1] for p in cue.people}
    # Names at the hand-over itself: the new people introduced right after the cut, the previous ones thanked
    # right around it. (Inside a part its people are named all the time; that is the topic, below.)
    supported = [h for h in name_index.between(t - NAME_REACH, t + NAME_REACH) if h.supported and h.kind == "name"]
    thanked = [h for h in phrase_index.between(t - NAME_REACH - 10, t + NAME_REACH) if h.kind == "thanks"]
    named_after = {h.key for h in supported if t - 1.0 <= h.start <= t + NAME_REACH
                   and not any(0 <= h.start - k.end <= THANKED_WITHIN for k in thanked)}
    named_thanked = {h.key for h in supported if any(0 <= h.start - k.end <= THANKED_WITHIN for k in thanked)}
    named_before = {h.key for h in supported if t - NAME_REACH <= h.start <= t} | {
        h.key for h in supported if t < h.start <= t + 6.0 and h.key in named_thanked}
    new_names = old_names = 0.0
    if new_people:
        new_names = len(named_after & set(new_people)) / len(new_people)
        if named_after & later_people:
            new_names *= 0.5  # a list of everybody (an opening) is no hand-over to these people
    if old_people:
        old_names = len(named_before & set(old_people)) / len(old_people)
    # Names that point to another hand-over: a later part's people introduced here, or this part's people
    # thanked here (that is where their part ends).
    # Names that point to another hand-over: people introduced here who are not new in this part, or this
    # part's people thanked here (that is where their part ends).
    introduced_elsewhere = (named_after - set(new_people)) & {p for cue in cues for p in cue.people}
    misplaced = sorted(introduced_elsewhere | (named_thanked & set(new_people)))
    misfit = 0.0
    if misplaced:
        misfit = min(1.0, len(misplaced) / max(1, len(new_people) or len(misplaced)))
        if named_after & set(new_people):
            misfit *= 0.5  # mixed: an opening that names everybody
        notes.append("names of another hand-over: " + ", ".join(misplaced))
    heard = sorted((named_after & set(new_people)) | (named_before & set(old_people)))
    if heard:
        sample: dict[str, str] = {}
        for hit in sorted(supported, key=lambda h: abs(h.start - t)):
            sample.setdefault(hit.key, hit.heard)
        notes.append("names: " + ", ".join(f'{p} (heard "{sample[p]}")' for p in heard))

    topic = _topic_contrast(clues, cues, j, t, name_index)
    if abs(topic) >= 0.3:
        notes.append(f"names and keywords of the parts {'fit' if topic > 0 else 'do not fit'} ({topic:+.2f})")

    approx = 0.0
    if cues[j].approx is not None:
        approx = -((t - cues[j].approx) / approx_window(clues.duration)) ** 2
    return Evidence(opening=round(opening, 3), thanks=round(thanks, 3), voices=voices, turn=turn,
                    pause=round(pause, 3), applause=round(applause, 3), new_names=round(new_names, 3),
                    misfit=round(misfit, 3),
                    old_names=round(old_names, 3), topic=round(topic, 3), approx=round(approx, 3),
                    notes=tuple(notes), opening_at=opening_hit.first if opening_hit else None,
                    thanks_at=thanks_hit.first if thanks_hit else None,
                    names_at=frozenset(h.first for h in supported if h.key in heard))


def _topic_contrast(clues: Clues, cues: Sequence[ChapterCue], j: int, t: float, name_index: _Index) -> float:
    """+1 when the new chapter's people and keywords are heard after the cut and the previous chapter's before
    it, -1 the other way round, 0 when there are too few to tell. The hand-over itself (TOPIC_GAP around the
    cut, where the host thanks the ones and introduces the others) does not count here."""
    reach = 6 * clues.voice_window
    new = (set(cues[j].people) | set(cues[j].keywords)) - set(cues[j - 1].people) - set(cues[j - 1].keywords)
    old = (set(cues[j - 1].people) | set(cues[j - 1].keywords)) - set(cues[j].people) - set(cues[j].keywords)
    agree = disagree = 0
    for hit in name_index.between(t - reach, t + reach):
        if not hit.supported or abs(hit.start - t) < TOPIC_GAP:
            continue
        after = hit.start >= t
        if hit.key in new:
            agree, disagree = (agree + 1, disagree) if after else (agree, disagree + 1)
        elif hit.key in old:
            agree, disagree = (agree, disagree + 1) if after else (agree + 1, disagree)
    if agree + disagree < 2:
        return 0.0
    return (agree - disagree) / (agree + disagree + 2)  # few mentions say little


# ---------------------------------------------------------------- choosing the boundaries together


@dataclass(frozen=True)
class Boundary:
    """Where chapter `index` starts, how sure we are and why."""

    index: int
    start: float
    confidence: float
    evidence: tuple[str, ...]
    override: bool = False

    @property
    def low_confidence(self) -> bool:
        return not self.override and self.index > 0 and self.confidence < LOW_CONFIDENCE


def validate_overrides(cues: Sequence[ChapterCue], duration: float) -> list[tuple[int, str]]:
    """(chapter index, problem) for every `start` override that cannot be used with this audio."""
    problems = []
    previous = None
    for i, cue in enumerate(cues):
        if cue.start is None:
            continue
        if i == 0 and cue.start != 0:
            problems.append((i, f"the first chapter starts at 0 (the start of the published audio), not at "
                                f"{clock(cue.start)}; remove this start (or move the show start with [trim])"))
        elif cue.start >= duration:
            problems.append((i, f"{clock(cue.start)} is past the end of the published audio "
                                f"({clock(duration)}); times count from the start of the published MP3"))
        elif previous is not None and cue.start <= previous:
            problems.append((i, "chapter starts must increase in the order listed"))
        previous = cue.start
    return problems


def detect(transcript: Transcript, cues: Sequence[ChapterCue], *, breaks: Breaks = Breaks(),
           turns: Sequence[Turn] = (), language: str = "nl", duration: float | None = None) -> list[Boundary]:
    """The start of every planned chapter. The first chapter starts at 0; overrides win exactly.

    Raises ValueError for overrides that validate_overrides() rejects (the stage checks them first and names
    the field).
    """
    duration = duration if duration is not None else transcript.duration
    if not cues:
        return []
    problems = validate_overrides(cues, duration)
    if problems:
        raise ValueError(f"chapters #{problems[0][0] + 1}.start: {problems[0][1]}")
    first = Boundary(0, 0.0, 1.0, ("the first chapter starts at the start of the audio",), cues[0].start == 0)
    if len(cues) == 1:
        return [first]
    clues = gather(transcript, cues, breaks, turns, language, duration)
    min_gap = min(MIN_CHAPTER, duration / (2 * len(cues)))
    phrase_index = _Index(list(clues.phrases))
    name_index = _Index(list(clues.names))

    # Candidates per boundary, with their evidence. An override is the only candidate of its boundary.
    options: list[list[tuple[Cut, Evidence]]] = [[]]
    for j in range(1, len(cues)):
        cue = cues[j]
        if cue.start is not None:
            options.append([(Cut(-1, cue.start, 0.0, cue.start, False), Evidence(notes=("start override",)))])
            continue
        lo, hi = min_gap * j, duration - min_gap * (len(cues) - j)
        if cue.approx is not None:
            reach = approx_window(duration)
            lo, hi = max(lo, cue.approx - reach), min(hi, cue.approx + reach)
        fixed_before = [c.start for c in cues[:j] if c.start is not None]
        fixed_after = [c.start for c in cues[j + 1:] if c.start is not None]
        if fixed_before:
            lo = max(lo, fixed_before[-1] + min_gap)
        if fixed_after:
            hi = min(hi, fixed_after[0] - min_gap)
        candidates = [c for c in clues.cuts if lo <= c.time <= hi]
        if not candidates:  # an impossible window: fall back on its middle, with no confidence
            middle = (lo + hi) / 2 if hi > lo else lo
            candidates = [Cut(-1, round(max(0.0, min(duration, middle)), 3), 0.0, middle, False)]
        candidates.sort(key=lambda c: c.time)
        options.append([(c, evidence_at(clues, cues, j, c, phrase_index, name_index)) for c in candidates])

    chosen = _best_path(options, min_gap)
    boundaries = [first]
    for j in range(1, len(cues)):
        cut, ev = options[j][chosen[j]]
        if cues[j].start is not None:
            boundaries.append(Boundary(j, float(cues[j].start), 1.0, ("start override in episode.toml",), True))
            continue
        lo = boundaries[-1].start + min_gap
        hi = options[j + 1][chosen[j + 1]][0].time - min_gap if j + 1 < len(cues) else duration
        neighbours = [options[k][chosen[k]][1] for k in (j - 1, j + 1) if 0 < k < len(cues)]
        rivals = [(c, e) for c, e in options[j] if lo <= c.time <= hi
                  and not any(_same_handover(e, other) for other in neighbours)]
        confidence, why = _confidence(ev, cut, rivals, bool(clues.voices))
        boundaries.append(Boundary(j, float(cut.time), float(confidence), tuple(ev.notes) + tuple(why)))
    return boundaries


def _same_handover(a: Evidence, b: Evidence) -> bool:
    """Do two cuts lean on the same hand-over phrase? One hand-over cannot start two chapters."""
    used_a = {a.opening_at, a.thanks_at} - {None}
    used_b = {b.opening_at, b.thanks_at} - {None}
    return bool(used_a & used_b)


def _best_path(options: list[list[tuple[Cut, Evidence]]], min_gap: float, keep: int = 8) -> list[int]:
    """Indices of one candidate per boundary (each list sorted by time), in increasing time at least `min_gap`
    apart, no two consecutive ones on the same hand-over phrase, with the highest total score (dynamic
    programming; the best `keep` earlier candidates are tried for each)."""
    n = len(options)
    best: list[list[float]] = [[0.0]]
    back: list[list[int]] = [[-1]]
    for j in range(1, n):
        previous, prev_best = options[j - 1] if j > 1 else [(Cut(-1, 0.0, 0.0, 0.0, False), Evidence())], best[j - 1]
        order = sorted(range(len(previous)), key=lambda k: previous[k][0].time)
        scores, pointers = [], []
        leaders: list[int] = []  # the best `keep` earlier candidates so far, best first
        p = 0
        for cut, ev in options[j]:
            while p < len(order) and previous[order[p]][0].time <= cut.time - min_gap + 1e-9:
                k = order[p]
                if prev_best[k] > -math.inf:
                    leaders.append(k)
                    leaders.sort(key=lambda i: -prev_best[i])
                    del leaders[keep:]
                p += 1
            fitting = [k for k in leaders if not _same_handover(previous[k][1], ev)]
            if fitting:
                scores.append(prev_best[fitting[0]] + ev.score)
                pointers.append(fitting[0])
            else:
                scores.append(-math.inf)
                pointers.append(-1)
        if all(s == -math.inf for s in scores):  # nothing fits after the previous boundary: ignore the gap
            top = max(range(len(prev_best)), key=lambda k: prev_best[k])
            scores = [prev_best[top] + ev.score for _, ev in options[j]]
            pointers = [top] * len(scores)
        best.append(scores)
        back.append(pointers)
    path = [max(range(len(best[-1])), key=lambda k: best[-1][k])]
    for j in range(n - 1, 0, -1):
        path.append(back[j][path[-1]])
    return list(reversed(path))


def _confidence(ev: Evidence, cut: Cut, candidates: Sequence[tuple[Cut, Evidence]],
                have_turns: bool) -> tuple[float, list[str]]:
    """0..1: the score's strength, capped by how many independent kinds agree, times the margin over the
    best of `candidates` (the cuts possible between the neighbouring boundaries) more than
    ALTERNATIVE_DISTANCE away, lowered when the voices contradict the hand-over."""
    why: list[str] = []
    score = ev.score
    if score <= 0:
        return 0.0, ["no evidence: placed by the chapter order only"]
    kinds = ev.kinds
    strength = min(1.0, score / STRONG_SCORE)
    cap = (KIND_CAP if "hand-over" in kinds else KIND_CAP_WITHOUT_WORDS)[min(4, len(kinds))]
    # A rival that leans on the same phrases and names is this hand-over seen from further away: only what it
    # has of its own competes.
    rivals = [(c, e.score_apart_from(ev)) for c, e in candidates if abs(c.time - cut.time) > ALTERNATIVE_DISTANCE]
    margin = 1.0
    if rivals:
        rival_cut, rival_score = max(rivals, key=lambda cs: cs[1])
        if rival_score > 0:
            margin = max(0.0, min(1.0, (score - rival_score) / (0.5 * score)))
            if margin < 1.0:
                why.append(f"competing cut at {clock(rival_cut.time)} scores {rival_score / score:.0%} of this")
    conflict = 1.0
    if have_turns and ev.voices is not None and ev.voices < 0.2:
        conflict = 0.7
        why.append("the voices hardly change here")
    if len(kinds) < 2:
        why.append(f"only one kind of evidence ({', '.join(kinds) or 'none'})")
    confidence = round(max(0.0, min(strength, cap) * margin * conflict), 2)
    return confidence, why
