"""The inputs of the chapter search: one `ChapterCue` per planned chapter, and what the audio says (`Breaks`,
measured by pipeline.audiocues). Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.timeline import Interval


@dataclass(frozen=True)
class ChapterCue:
    """What decides where one planned chapter starts (titles, links and images do not: see the stage)."""

    people: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    start: float | None = None  # exact override
    approx: float | None = None  # search near here

    @classmethod
    def of(cls, plan) -> tuple["ChapterCue", ...]:
        """The cues of episode.toml's [[chapters]] (pipeline.config.ChapterPlan), in plan order."""
        return tuple(cls(people=tuple(c.people), keywords=tuple(c.keywords), start=c.start, approx=c.approx)
                     for c in plan)


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
