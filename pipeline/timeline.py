"""Time on one audio timeline, shared by the stages: intervals, voice turns, timed lines of text, and the
speaker labels that voice turns give a transcript. Pure: no files, no audio.

- `Interval`: a stretch of time in seconds (a pause, applause, a speech region, an analysis window).
- `Turn`: a voice speaking from `start` to `end`; `voice` is a label ("Spreker 1", as in work/speakers.json),
  or a cluster index while pipeline.diarize is still working.
- `Line`: a stretch of transcript text with its time.
- `turns_from_speakers()` reads the turns of a speakers.json document; `label()` gives every segment of a
  transcript the display name of the voice speaking it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from pipeline.transcript import UNKNOWN_SPEAKER, Segment, Transcript, Word

SNAP_SECONDS = 1.0  # a change of voice moves at most this far to a sentence end or pause


@dataclass(frozen=True)
class Interval:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Turn(Interval):
    voice: str | int


@dataclass(frozen=True)
class Line(Interval):
    """A stretch of transcript text with its time (a segment, or a line of one)."""

    text: str


def turns_from_speakers(data: dict | None) -> tuple[Turn, ...]:
    """The turns of a speakers.json document (the speakers stage), time-ordered; () when absent."""
    if not data:
        return ()
    turns = [Turn(float(t["start"]), float(t["end"]), str(t["voice"])) for t in data.get("turns", ())]
    return tuple(sorted(turns, key=lambda t: t.start))


def names_from_speakers(data: dict | None) -> dict[str, str]:
    """voice -> the display name the speakers stage gave it, from a speakers.json document; {} when absent."""
    if not data:
        return {}
    return {str(voice): str(info.get("name", voice)) for voice, info in data.get("voices", {}).items()}


def voice_at(turns: Sequence[Turn], time: float) -> str | None:
    """The voice speaking at `time`, or the nearest turn's voice."""
    if not turns:
        return None
    return min(turns, key=lambda t: 0.0 if t.start <= time <= t.end else min(abs(t.start - time),
                                                                            abs(t.end - time))).voice


# ------------------------------------------------------------------------------------------ label()


def label(transcript: Transcript, speakers: dict) -> Transcript:
    """The transcript with each segment's `speaker` set to the display name of the voice speaking it.

    `speakers` is the speakers.json document. A segment whose words belong to different voices is split at
    the word where the voice changes (text rebuilt from the words). A segment an editor corrected is never
    split: it gets the voice of most of its words. Segments are renumbered 0, 1, ... in order. Pure.
    """
    turns = sorted(((float(t["start"]), float(t["end"]), str(t["voice"])) for t in speakers.get("turns", ())))
    names = names_from_speakers(speakers)
    if not turns:
        return transcript
    vturns = [Turn(s, e, v) for s, e, v in turns]

    def name_at(start: float, end: float) -> str:
        voice = voice_at(vturns, (start + end) / 2)
        return names.get(voice, voice) if voice else UNKNOWN_SPEAKER

    pieces: list[Segment] = []
    for segment in transcript.segments:
        if not segment.words:
            pieces.append(segment.with_(speaker=name_at(segment.start, segment.end)))
            continue
        word_names = snap_changes(segment.words, [name_at(w.start, w.end) for w in segment.words])
        if segment.corrected or len(set(word_names)) == 1:
            durations: dict[str, float] = {}
            for w, n in zip(segment.words, word_names):
                durations[n] = durations.get(n, 0.0) + max(w.end - w.start, 0.01)
            pieces.append(segment.with_(speaker=max(durations, key=durations.__getitem__)))
            continue
        group: list[Word] = []
        current = word_names[0]
        for word, name in zip(segment.words, word_names):
            if group and name != current:
                pieces.append(_piece(segment, group, current))
                group = []
            group.append(word)
            current = name
        pieces.append(_piece(segment, group, current))
    renumbered = tuple(p.with_(id=i) for i, p in enumerate(pieces))
    return Transcript(language=transcript.language, duration=transcript.duration, segments=renumbered,
                      model=transcript.model, meta=transcript.meta)


def snap_changes(words: Sequence[Word], names: list[str]) -> list[str]:
    """Move each change of speaker inside a run of words to the best break near it (pure).

    Voice turns are found on windows of about a second, so a change often lands a word early or late
    ("... precies. Ik | ben er ..."). Within SNAP_SECONDS of the change, the break after a sentence end
    (. ? !) wins, else the longest pause between words.
    """
    names = list(names)
    i = 1
    while i < len(words):
        if names[i] == names[i - 1]:
            i += 1
            continue
        change_time = words[i].start
        before, after = names[i - 1], names[i]
        candidates = [j for j in range(1, len(words))
                      if abs(words[j].start - change_time) <= SNAP_SECONDS
                      and all(n in (before, after) for n in names[min(i, j) - 1:max(i, j) + 1])]

        def score(j: int) -> float:
            sentence_end = words[j - 1].text.strip().endswith((".", "?", "!"))
            return (2.0 if sentence_end else 0.0) + max(0.0, words[j].start - words[j - 1].end) \
                - 0.1 * abs(words[j].start - change_time)

        best = max(candidates, key=score, default=i)
        for k in range(min(i, best), max(i, best)):
            names[k] = before if k < best else after
        i = max(i, best) + 1
    return names


def _piece(segment: Segment, words: list[Word], speaker: str) -> Segment:
    return segment.with_(start=words[0].start, end=words[-1].end, words=tuple(words), speaker=speaker,
                         text="".join(w.text for w in words).strip())
