"""The internal transcript: segments with words, times, probabilities and a speaker. Every transcript format,
the chapters, the speakers and the pages derive from this one structure.

Times are seconds on the timeline of the published audio. `speaker` is "unknown" until the speakers stage
names the voice.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

from pipeline import fsutil

UNKNOWN_SPEAKER = "unknown"
FORMAT_VERSION = 1
CHAPTER_SLACK = 0.5  # seconds: Whisper may time a line's first word this much before the chapter's cut


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str  # as Whisper gives it, usually with a leading space
    probability: float = 1.0


@dataclass(frozen=True)
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    speaker: str = UNKNOWN_SPEAKER
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    corrected: bool = False  # the text comes from an editor's correction

    def with_(self, **changes: Any) -> "Segment":
        return replace(self, **changes)


@dataclass(frozen=True)
class Transcript:
    language: str
    duration: float  # seconds of audio the transcript covers
    segments: tuple[Segment, ...] = ()
    model: str = ""
    meta: dict = field(default_factory=dict)  # e.g. what the guards removed

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def word_count(self) -> int:
        return sum(len(s.text.split()) for s in self.segments)

    def summary(self) -> dict:
        """The report.json "transcript" section (the transcripts stage adds to it)."""
        segments = self.segments
        meta = self.meta
        return {
            "words": self.word_count,
            "segments": len(segments),
            "duration": self.duration,
            "covered": [segments[0].start, segments[-1].end] if segments else None,
            "speech_seconds": round(sum(s.end - s.start for s in segments), 1),
            "model": self.model,
            "language": self.language,
            "options": meta.get("options", {}),
            "guards": meta.get("guards", {}),
            "names": meta.get("names", {}),
            "windows": meta.get("windows", {}),
            "real_time_factor": meta.get("real_time_factor"),
            "seconds": meta.get("seconds"),
        }

    def to_dict(self) -> dict:
        return {"version": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "Transcript":
        segments = tuple(
            Segment(**{**s, "words": tuple(Word(**w) for w in s.get("words", ()))}) for s in data["segments"]
        )
        return cls(language=data["language"], duration=data["duration"], segments=segments,
                   model=data.get("model", ""), meta=data.get("meta", {}))

    def save(self, path: Path) -> None:
        fsutil.write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: Path) -> "Transcript":
        return cls.from_dict(fsutil.read_json(path))


def chapter_of(start: float, chapter_starts: Sequence[float]) -> int:
    """The chapter a line (segment) belongs to: the one in which it starts. Index into the sorted
    `chapter_starts`, -1 before the first chapter. Whisper may place a line's start up to CHAPTER_SLACK seconds
    before the cut that the chapters stage put in the pause before it; such a line opens the new chapter.
    The one rule for the editors' document, the text transcript and the episode page."""
    return bisect.bisect_right(chapter_starts, start + CHAPTER_SLACK) - 1
