"""Transcript formats for podcast apps and readers, all derived from one Transcript. Pure functions.

- cues():       the timed caption lines shared by WebVTT, SRT and the Podcasting 2.0 JSON: at most 2 lines of
                at most 42 characters, at most 7 seconds, one speaker, broken at pauses and sentence ends.
- webvtt():     WEBVTT with `<v Name>` when the speaker is known.
- srt():        SubRip; "Name: " starts the first cue of each speaker turn (SRT has no voice tag).
- podcast_json(): Podcasting 2.0 transcript JSON {"version": "1.0.0", "segments": [{"speaker", "startTime",
                "endTime", "body"}]}; "speaker" only when known.
- plain_text(): for reading: title, chapter headings, paragraphs per speaker turn with [MM:SS] timestamps.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pipeline.timefmt import short_clock, srt_stamp, vtt_stamp
from pipeline.transcript import UNKNOWN_SPEAKER, Segment, Transcript, Word, chapter_of

MAX_CHARS = 42
MAX_LINES = 2
MAX_CUE_SECONDS = 7.0
CUE_BREAK_PAUSE = 1.5  # seconds of silence between words that always start a new cue
SENTENCE_BREAK_CHARS = 20  # a cue with at least this many characters ends after a sentence
MIN_CUE_SECONDS = 0.3
PARAGRAPH_PAUSE = 3.0  # seconds of silence that start a new paragraph in the text version
PARAGRAPH_CHARS = 700  # a paragraph this long ends at the next sentence end
_SENTENCE_END = re.compile(r"[.!?…]['\")\]]*$")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]
    speaker: str | None  # display name, None when unknown
    turn_start: bool  # the first cue of a speaker turn

    @property
    def body(self) -> str:
        return " ".join(self.lines)


def speaker_name(segment: Segment) -> str | None:
    name = (segment.speaker or "").strip()
    return None if not name or name == UNKNOWN_SPEAKER else name


def segment_words(segment: Segment) -> list[Word]:
    """The segment's words (stripped); a segment without word times gets its text spread over its span."""
    words = [w for w in segment.words if w.text.strip()]
    if words:
        return [Word(w.start, w.end, w.text.strip(), w.probability) for w in words]
    tokens = segment.text.split()
    if not tokens:
        return []
    total = sum(len(t) + 1 for t in tokens)
    span, t, result = segment.end - segment.start, segment.start, []
    for token in tokens:
        end = t + span * (len(token) + 1) / total
        result.append(Word(round(t, 3), round(end, 3), token))
        t = end
    return result


def _split_long(word: str, width: int) -> list[str]:
    return [word[i:i + width] for i in range(0, len(word), width)] or [word]


def cues(transcript: Transcript, name_prefix: bool = False) -> list[Cue]:
    """Caption cues for every segment, in time order, non-overlapping.

    name_prefix: reserve room on the first line of each speaker turn for "Name: " (SRT).
    """
    result: list[Cue] = []
    previous_speaker: object = object()
    for segment in sorted(transcript.segments, key=lambda s: (s.start, s.end)):
        words = segment_words(segment)
        if not words:
            continue
        speaker = speaker_name(segment)
        builder = _CueBuilder(speaker, turn_start=speaker != previous_speaker, name_prefix=name_prefix)
        previous_speaker = speaker
        for word in words:
            builder.add(word)
        result += builder.finish()
    return _tidy_times(result)


class _CueBuilder:
    """Packs one segment's words into cues (greedy, line by line)."""

    def __init__(self, speaker: str | None, turn_start: bool, name_prefix: bool):
        self.speaker, self.turn_start, self.name_prefix = speaker, turn_start, name_prefix
        self.cues: list[Cue] = []
        self.lines: list[str] = []
        self.words: list[Word] = []

    def width(self, line_index: int) -> int:
        if self.name_prefix and self.speaker and self.turn_start and not self.cues and line_index == 0:
            return max(10, MAX_CHARS - len(self.speaker) - 2)
        return MAX_CHARS

    def flush(self) -> None:
        if self.words:
            lines = balance(" ".join(self.lines).split(" "), self.width(0)) if len(self.lines) > 1 else self.lines
            self.cues.append(Cue(self.words[0].start, self.words[-1].end, tuple(lines or self.lines),
                                 self.speaker, self.turn_start and not self.cues))
        self.lines, self.words = [], []

    def add(self, word: Word) -> None:
        if self.words:
            pause = word.start - self.words[-1].end
            too_long = word.end - self.words[0].start > MAX_CUE_SECONDS
            sentence_done = (_SENTENCE_END.search(self.words[-1].text)
                             and sum(len(line) for line in self.lines) >= SENTENCE_BREAK_CHARS)
            if pause > CUE_BREAK_PAUSE or too_long or sentence_done:
                self.flush()
        for piece in _split_long(word.text, MAX_CHARS):
            if self.lines and len(self.lines[-1]) + 1 + len(piece) <= self.width(len(self.lines) - 1):
                self.lines[-1] = f"{self.lines[-1]} {piece}"
            elif self.lines and len(self.lines) < MAX_LINES:
                self.lines.append(piece)
            else:
                self.flush()
                self.lines.append(piece)
            if not self.words or self.words[-1] is not word:
                self.words.append(word)

    def finish(self) -> list[Cue]:
        self.flush()
        return self.cues


def balance(tokens: list[str], first_width: int = MAX_CHARS) -> list[str] | None:
    """Two lines of similar length for `tokens` (a break after punctuation preferred), or one line when it
    fits; None when no split fits the widths."""
    joined = " ".join(tokens)
    if len(joined) <= first_width:
        return [joined]
    best, best_score = None, None
    for k in range(1, len(tokens)):
        first, second = " ".join(tokens[:k]), " ".join(tokens[k:])
        if len(first) > first_width or len(second) > MAX_CHARS:
            continue
        score = max(len(first), len(second)) - (6 if re.search(r"[,.;:!?]$", first) else 0)
        if tokens[k - 1][:1].isupper() and tokens[k][:1].isupper():  # keep a name together
            score += 6
        if best_score is None or score < best_score:
            best, best_score = [first, second], score
    return best


def _tidy_times(cues_: list[Cue]) -> list[Cue]:
    """Starts never decrease, each cue ends after it starts and before the next one starts."""
    tidy: list[Cue] = []
    for i, cue in enumerate(cues_):
        start = max(cue.start, tidy[-1].end if tidy else 0.0)
        next_start = cues_[i + 1].start if i + 1 < len(cues_) else None
        end = max(cue.end, start + MIN_CUE_SECONDS)
        if next_start is not None and end > next_start:
            end = max(next_start, start + 0.001)
        tidy.append(Cue(round(start, 3), round(end, 3), cue.lines, cue.speaker, cue.turn_start))
    return tidy


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(transcript: Transcript) -> str:
    out = ["WEBVTT", ""]
    for number, cue in enumerate(cues(transcript), start=1):
        text = "\n".join(_vtt_escape(line) for line in cue.lines)
        if cue.speaker:
            voice = re.sub(r"[<>&\n]", "", cue.speaker)
            text = f"<v {voice}>{text}"
        out += [str(number), f"{vtt_stamp(cue.start)} --> {vtt_stamp(cue.end)}", text, ""]
    return "\n".join(out)


def srt(transcript: Transcript) -> str:
    out = []
    for number, cue in enumerate(cues(transcript, name_prefix=True), start=1):
        lines = list(cue.lines)
        if cue.speaker and cue.turn_start:
            lines[0] = f"{cue.speaker}: {lines[0]}"
        out += [str(number), f"{srt_stamp(cue.start)} --> {srt_stamp(cue.end)}", *lines, ""]
    return "\n".join(out)


def podcast_json(transcript: Transcript) -> str:
    segments = []
    for cue in cues(transcript):
        entry = {"startTime": cue.start, "endTime": cue.end, "body": cue.body}
        if cue.speaker:
            entry = {"speaker": cue.speaker, **entry}
        segments.append(entry)
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=1) + "\n"


@dataclass(frozen=True)
class Heading:
    title: str
    start: float


def paragraphs(transcript: Transcript, headings: list[Heading] = ()) -> list[tuple[str, object]]:
    """The reading order: ("heading", Heading) and ("paragraph", (start, speaker, text)) items."""
    items: list[tuple[str, object]] = []
    pending = sorted(headings, key=lambda h: h.start)
    starts = [h.start for h in pending]
    shown = 0  # headings already placed
    current: list[str] = []
    start = 0.0
    speaker: object = object()
    last_end = None

    def close() -> None:
        nonlocal current
        if current:
            items.append(("paragraph", (start, speaker, " ".join(current))))
        current = []

    for segment in sorted(transcript.segments, key=lambda s: (s.start, s.end)):
        text = " ".join(segment.text.split())
        if not text:
            continue
        while shown <= chapter_of(segment.start, starts):  # the chapter it starts in (one rule everywhere)
            close()
            items.append(("heading", pending[shown]))
            shown += 1
            speaker = object()
        who = speaker_name(segment)
        long_pause = last_end is not None and segment.start - last_end > PARAGRAPH_PAUSE
        too_long = current and sum(len(c) for c in current) > PARAGRAPH_CHARS and _SENTENCE_END.search(current[-1])
        if who != speaker or long_pause or too_long:
            close()
            start, speaker = segment.start, who
        current.append(text)
        last_end = segment.end
    close()
    items.extend(("heading", heading) for heading in pending[shown:])
    return items


def plain_text(transcript: Transcript, title: str, headings: list[Heading] = (), intro: str = "") -> str:
    out = [title, "=" * len(title), ""]
    if intro:
        out += [intro, ""]
    for kind, item in paragraphs(transcript, headings):
        if kind == "heading":
            out += [f"## {short_clock(item.start)} {item.title}", ""]
        else:
            start, speaker, text = item
            who = f"{speaker}: " if isinstance(speaker, str) else ""
            out += [f"[{short_clock(start)}] {who}{text}", ""]
    return "\n".join(out).rstrip("\n") + "\n"
