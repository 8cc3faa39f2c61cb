"""Guards against Whisper's known failure modes on long audio. Pure functions on segment lists.

Each guard removes only what matches its rule and counts what it removed, with a few examples, so the report
shows the producer exactly what went (the rule is to remove nothing that is real speech):

- phrases:  subtitle credits and sign-offs that Whisper prints on silence, music and applause, learnt from
            subtitled TV ("Ondertitels ingediend door de Amara.org gemeenschap", "TV GELDERLAND 2021").
            A segment goes only when such a phrase makes up (nearly) all of it.
- silence:  a segment the model itself judges to be no speech (high no_speech_prob) whose text is also
            unsure (low average log probability and low word probabilities).
- loops:    a word or phrase repeated over and over inside one segment ("van Zuijlen van Zuijlen van
            Zuijlen ..."): the repeats are cut, the first occurrence stays.
- repeats:  a segment whose text (three words or more) is the same as the segment just before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.transcript import Segment

# Known hallucinations of Whisper on Dutch and English audio (normalised: lower case, letters, digits, spaces).
# The one list; add new ones here.
HALLUCINATION_PHRASES = (
    "ondertitels ingediend door de amaraorg gemeenschap",
    "ondertiteling ingediend door de amaraorg gemeenschap",
    "ondertiteld door de amaraorg gemeenschap",
    "ondertitels door de amaraorg gemeenschap",
    "ondertiteling door de amaraorg gemeenschap",
    "amaraorg gemeenschap",
    "subtitles by the amaraorg community",
    "ondertiteling tv gelderland",
    "tv gelderland 2021",
    "tv gelderland 2022",
    "tv gelderland",
    "ondertiteling nps",
    "ondertiteling npo",
    "bedankt voor het kijken",
    "bedankt om te kijken",
    "dank je wel voor het kijken",
    "dank u wel voor het kijken",
    "dankjewel voor het kijken",
    "vergeet niet te abonneren",
    "abonneer op het kanaal",
    "thanks for watching",
    "thank you for watching",
    "please subscribe",
)
PHRASE_SHARE = 0.6  # the phrase's words must be at least this share of the segment's words
PHRASE_EXTRA_WORDS = 3  # ... and at most this many other words

# Silence guard: all three must hold. Whisper itself already drops a 30-second chunk with no_speech_prob > 0.6
# and avg_logprob <= -1.0; on the 20-minute benchmark a real utterance came through at no_speech 0.68, logprob
# -0.99, word probability 0.38 (espeak: "Fouten maken hoort daarbij."), so the guard only takes what the model
# is nearly sure is not speech.
NO_SPEECH_MIN = 0.85  # the model's no-speech probability at least this ...
LOGPROB_MAX = -0.8  # ... and the average log probability at most this ...
WORD_PROB_MAX = 0.3  # ... and the mean word probability at most this

LOOP_MAX_UNIT = 8  # longest repeated phrase (in words) the loop guard looks for
LOOP_MIN_REPEATS = {1: 5}  # a single word must occur 5 times in a row to count as a loop ("ja ja ja ja" is real)
LOOP_MIN_REPEATS_DEFAULT = 3  # a phrase of 2+ words: 3 times in a row

REPEAT_MIN_WORDS = 3  # identical consecutive segments shorter than this ("Ja." "Ja.") are kept


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces: the form texts are compared in."""
    return " ".join(re.sub(r"[^\w\s]|_", "", text.lower()).split())


def _words(text: str) -> list[str]:
    return normalise(text).split()


def hallucinated_phrase(text: str) -> str | None:
    """The known hallucination that (nearly) all of `text` consists of, or None."""
    norm = normalise(text)
    total = len(norm.split())
    if not total:
        return None
    for phrase in HALLUCINATION_PHRASES:
        if re.search(rf"(^| ){re.escape(phrase)}( |$)", norm):
            size = len(phrase.split())
            if size / total >= PHRASE_SHARE and total - size <= PHRASE_EXTRA_WORDS:
                return phrase
    return None


def judged_silent(segment: Segment) -> bool:
    """The model says no speech, and the text it gave is unsure too."""
    if segment.no_speech_prob < NO_SPEECH_MIN or segment.avg_logprob > LOGPROB_MAX:
        return False
    if segment.words:
        mean = sum(w.probability for w in segment.words) / len(segment.words)
        return mean <= WORD_PROB_MAX
    return True


def loop_spans(tokens: list[str]) -> list[tuple[int, int]]:
    """(start, end) token ranges to drop: every repeat after the first of a looping unit. Pure."""
    drop: list[tuple[int, int]] = []
    i, n = 0, len(tokens)
    while i < n:
        best = None
        for unit in range(1, LOOP_MAX_UNIT + 1):
            if i + 2 * unit > n:
                break
            pattern = tokens[i:i + unit]
            repeats = 1
            while tokens[i + repeats * unit:i + (repeats + 1) * unit] == pattern:
                repeats += 1
            needed = LOOP_MIN_REPEATS.get(unit, LOOP_MIN_REPEATS_DEFAULT)
            if repeats >= needed and (best is None or repeats * unit > best[1] * best[0]):
                best = (unit, repeats)
        if best:
            unit, repeats = best
            drop.append((i + unit, i + unit * repeats))
            i += unit * repeats
        else:
            i += 1
    return drop


def cut_loops(segment: Segment) -> tuple[Segment, int]:
    """The segment without looping repeats, and how many words were cut."""
    if segment.words:
        tokens = [normalise(w.text) for w in segment.words]
        spans = loop_spans(tokens)
        if not spans:
            return segment, 0
        dropped = {k for a, b in spans for k in range(a, b)}
        words = tuple(w for k, w in enumerate(segment.words) if k not in dropped)
        text = "".join(w.text for w in words)
        return segment.with_(words=words, text=text, end=max(w.end for w in words)), len(dropped)
    tokens = segment.text.split()
    spans = loop_spans([normalise(t) for t in tokens])
    if not spans:
        return segment, 0
    dropped = {k for a, b in spans for k in range(a, b)}
    text = " " + " ".join(t for k, t in enumerate(tokens) if k not in dropped)
    return segment.with_(text=text), len(dropped)


@dataclass
class GuardReport:
    removed: dict[str, int] = field(default_factory=lambda: {"phrases": 0, "silence": 0, "loops": 0,
                                                             "repeats": 0, "empty": 0})
    loop_words: int = 0  # words cut by the loop guard (removed["loops"] counts segments touched)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, guard: str, text: str) -> None:
        self.removed[guard] += 1
        shown = self.examples.setdefault(guard, [])
        if len(shown) < 5:
            shown.append(text.strip()[:120])

    def to_dict(self) -> dict:
        return {"removed": dict(self.removed), "loop_words": self.loop_words, "examples": self.examples}


def apply_guards(segments: list[Segment]) -> tuple[list[Segment], GuardReport]:
    """Run every guard over `segments` (in time order); return what is kept and what each guard removed."""
    report = GuardReport()
    kept: list[Segment] = []
    for segment in segments:
        if not normalise(segment.text):
            report.note("empty", segment.text)
            continue
        if hallucinated_phrase(segment.text):
            report.note("phrases", segment.text)
            continue
        if judged_silent(segment):
            report.note("silence", segment.text)
            continue
        looped, cut = cut_loops(segment)
        if cut:
            report.note("loops", segment.text)
            report.loop_words += cut
            segment = looped
        words = _words(segment.text)
        if kept and len(words) >= REPEAT_MIN_WORDS and words == _words(kept[-1].text):
            report.note("repeats", segment.text)
            continue
        kept.append(segment)
    return kept, report
