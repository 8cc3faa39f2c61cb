"""The editors' corrections file: transcript/corrections.txt (how to edit it: docs/editing-transcripts.md).

The file is the whole transcript as plain text, one block per segment, each under a line with its start time
(the block's key) and speaker:

    [00:01:23.450] Marije Boerlaagh
    Ik werk in Amsterdam Zuidoost.

The transcripts stage writes it while nobody has changed it (so it follows new speaker names and new runs),
and never again once an editor has changed one character. Beside it, `.corrections.base.json` keeps what the
pipeline wrote, so a correction is exactly a block whose text or speaker differs from that. Corrections are
placed on the segment that starts at the key; if the timeline moved (a new trim), on the segment that still
has the same machine text; otherwise they are reported as not placed and stay in the file.

Pure functions: the transcripts stage reads and writes the files.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from pipeline.errors import InputError
from pipeline.timefmt import clock, parse_clock
from pipeline.transcript import UNKNOWN_SPEAKER, Segment, Transcript, Word

BASE_VERSION = 1
KEY_TOLERANCE = 0.002  # seconds: a key matches a segment start within this
SAME_SPAN = 0.5  # seconds: a segment at the key with other text still fits when its end is this close
_HEADER = re.compile(r"^\[(\d{2}:\d{2}:\d{2}\.\d{3})\](?:[ \t]+(.*?))?[ \t]*$")

INTRO = """\
# Correcties voor het transcript van: {title}
#
# Verbeter hieronder wat de computer verkeerd verstond: de tekst onder een [tijd]-regel, of de naam van de
# spreker achter de tijd. Laat de tijden zelf staan: daaraan herkent de pipeline het stuk. Een stuk weghalen
# (bijvoorbeeld tekst die niemand zei)? Maak de tekst eronder leeg en laat de [tijd]-regel staan.
# Regels die met # beginnen slaat de pipeline over. Sla op als platte tekst (UTF-8) en draai de pipeline
# opnieuw: de verbeteringen komen in elk transcript (WebVTT, SRT, JSON, tekst, Word).
# Zolang niemand iets verandert, werkt de pipeline dit bestand bij; na de eerste verandering nooit meer.
# Uitleg: docs/editing-transcripts.md
"""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def key_of(seconds: float) -> str:
    return clock(seconds)


def display_speaker(segment: Segment) -> str:
    return "" if segment.speaker in ("", UNKNOWN_SPEAKER) else segment.speaker


@dataclass(frozen=True)
class Entry:
    """One block of the file."""

    key: str
    speaker: str  # "" when no speaker is named
    text: str  # on one line, whitespace collapsed
    line: int  # line number of the [time] line

    @property
    def start(self) -> float:
        return parse_clock(self.key)


def render(transcript: Transcript, title: str) -> str:
    """The file as the pipeline writes it (from the labelled, uncorrected transcript)."""
    out = [INTRO.format(title=title)]
    for segment in sorted(transcript.segments, key=lambda s: s.start):
        who = display_speaker(segment)
        out.append(f"[{key_of(segment.start)}]" + (f" {who}" if who else ""))
        out.append(_one_line(segment.text))
        out.append("")
    return "\n".join(out)


def base_of(transcript: Transcript, rendered: str, audio_sha256: str | None) -> dict:
    """What the pipeline wrote: kept in .corrections.base.json to tell edits from machine text."""
    return {
        "version": BASE_VERSION,
        "file_sha256": hashlib.sha256(rendered.encode("utf-8")).hexdigest(),
        "audio_sha256": audio_sha256,
        "entries": {key_of(s.start): {"text": _one_line(s.text), "speaker": display_speaker(s), "end": s.end}
                    for s in transcript.segments},
    }


def untouched(text: str, base: dict | None) -> bool:
    return bool(base) and hashlib.sha256(text.encode("utf-8")).hexdigest() == base.get("file_sha256")


def parse(text: str, file: str) -> list[Entry]:
    """The blocks of a corrections file. InputError (file, line, what to do) on text before the first block."""
    entries: list[Entry] = []
    key = speaker = None
    body: list[str] = []
    header_line = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        match = _HEADER.match(line.strip())
        if match:
            if key is not None:
                entries.append(Entry(key, speaker, _one_line(" ".join(body)), header_line))
            key, speaker, body, header_line = match.group(1), (match.group(2) or "").strip(), [], number
            try:
                parse_clock(key)
            except ValueError:
                raise InputError(f"{file}: line {number}: {key!r} is not a time; restore the [HH:MM:SS.mmm] "
                                 f"line as the pipeline wrote it") from None
            continue
        if line.strip() and key is None:
            raise InputError(f"{file}: line {number}: text before the first [time] line; put it under the "
                             f"[HH:MM:SS.mmm] line of the segment it belongs to (or start the line with #)")
        if re.match(r"^\[\d+:\d", line.strip()):
            raise InputError(f"{file}: line {number}: {line.strip()[:30]!r} looks like a damaged [time] line; "
                             f"it must read [HH:MM:SS.mmm] followed by the speaker's name")
        body.append(line)
    if key is not None:
        entries.append(Entry(key, speaker, _one_line(" ".join(body)), header_line))
    return entries


@dataclass(frozen=True)
class Correction:
    key: str
    text: str | None  # new text ("" removes the segment), None when only the speaker changed
    speaker: str | None  # new speaker, None when unchanged
    base_text: str | None  # what the pipeline had written there (None when unknown)
    base_end: float | None
    line: int

    @property
    def start(self) -> float:
        return parse_clock(self.key)

    def describe(self) -> str:
        shown = (self.text if self.text is not None else self.base_text) or ""
        return f"line {self.line} [{self.key}] \"{shown[:40]}{'...' if len(shown) > 40 else ''}\""


def corrections(entries: list[Entry], base: dict | None, current: Transcript) -> list[Correction]:
    """The blocks an editor changed: text or speaker differs from what the pipeline wrote there.

    Without a base (it was lost), a block counts as changed when it differs from the current transcript.
    """
    base_entries = (base or {}).get("entries", {})
    by_key = {key_of(s.start): s for s in current.segments}
    result = []
    for entry in entries:
        was = base_entries.get(entry.key)
        if was is None and entry.key in by_key:
            segment = by_key[entry.key]
            was = {"text": _one_line(segment.text), "speaker": display_speaker(segment), "end": segment.end,
                   "guessed": True}
        if was is None:
            result.append(Correction(entry.key, entry.text, entry.speaker or None, None, None, entry.line))
            continue
        text = entry.text if entry.text != was["text"] else None
        speaker = entry.speaker if entry.speaker != was["speaker"] else None
        if text is not None or speaker is not None:
            result.append(Correction(entry.key, text, speaker, was["text"], was.get("end"), entry.line))
    return result


def normalised_words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]|_", "", text.lower()).split()


def realign(words: tuple[Word, ...], text: str, start: float, end: float) -> tuple[Word, ...]:
    """Words for corrected `text`, timed from the machine's `words`: unchanged words keep their times,
    replaced ones share the time of the words they replace, inserted ones sit at the boundary."""
    tokens = text.split()
    if not tokens:
        return ()
    if not words:
        total = sum(len(t) + 1 for t in tokens)
        out, t = [], start
        for token in tokens:
            t_end = t + (end - start) * (len(token) + 1) / total
            out.append(Word(round(t, 3), round(t_end, 3), " " + token, 1.0))
            t = t_end
        return tuple(out)
    old = [" ".join(normalised_words(w.text)) for w in words]
    new = [" ".join(normalised_words(t)) for t in tokens]
    out: list[Word] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out += [Word(words[i].start, words[i].end, " " + tokens[j], words[i].probability)
                    for i, j in zip(range(i1, i2), range(j1, j2))]
        elif op == "delete":
            continue
        else:
            if op == "replace":
                span_start, span_end = words[i1].start, words[i2 - 1].end
            else:  # insert: at the boundary between the neighbours
                span_start = out[-1].end if out else (words[i1].start if i1 < len(words) else end)
                span_end = words[i1].start if i1 < len(words) else max(span_start, end)
                span_end = max(span_start, span_end)
            total = sum(len(tokens[j]) for j in range(j1, j2))
            t = span_start
            for j in range(j1, j2):
                t_end = t + (span_end - span_start) * len(tokens[j]) / total
                out.append(Word(round(t, 3), round(t_end, 3), " " + tokens[j], 1.0))
                t = t_end
    return tuple(out)


@dataclass(frozen=True)
class Placement:
    correction: Correction
    segment_start: float | None  # where it went; None when it could not be placed
    how: str  # "key" | "text" (the timeline moved; found by its machine text) | "" (not placed)


def place(current: Transcript, found: list[Correction]) -> list[Placement]:
    """Decide where each correction goes. Pure; never guesses between two equal candidates."""
    placements = []
    used: set[float] = set()
    for corr in found:
        at_key = [s for s in current.segments if abs(s.start - corr.start) <= KEY_TOLERANCE]
        segment = at_key[0] if at_key else None
        if segment is not None and corr.base_text is not None and segment.start not in used:
            same_text = _one_line(segment.text) == corr.base_text
            same_span = corr.base_end is None or abs(segment.end - corr.base_end) <= SAME_SPAN
            if same_text or same_span:
                placements.append(Placement(corr, segment.start, "key"))
                used.add(segment.start)
                continue
        elif segment is not None and corr.base_text is None and segment.start not in used:
            placements.append(Placement(corr, segment.start, "key"))
            used.add(segment.start)
            continue
        if corr.base_text:
            same = [s for s in current.segments
                    if _one_line(s.text) == corr.base_text and s.start not in used]
            if same:
                nearest = min(same, key=lambda s: abs(s.start - corr.start))
                ties = [s for s in same if abs(abs(s.start - corr.start) - abs(nearest.start - corr.start)) < 1e-6]
                if len(ties) == 1:
                    placements.append(Placement(corr, nearest.start, "text"))
                    used.add(nearest.start)
                    continue
        placements.append(Placement(corr, None, ""))
    return placements


def apply(current: Transcript, placements: list[Placement]) -> Transcript:
    """The transcript with every placed correction applied (corrected=True); removed segments dropped."""
    by_start = {p.segment_start: p.correction for p in placements if p.segment_start is not None}
    segments = []
    for segment in current.segments:
        corr = by_start.get(segment.start)
        if corr is None:
            segments.append(segment)
            continue
        if corr.text is not None:
            if not corr.text.strip():
                continue  # the editor removed this segment's text
            words = realign(segment.words, corr.text, segment.start, segment.end)
            segment = segment.with_(text=" " + corr.text.strip(), words=words, corrected=True)
        if corr.speaker is not None:
            segment = segment.with_(speaker=corr.speaker or UNKNOWN_SPEAKER, corrected=True)
        segments.append(segment)
    segments = [s.with_(id=i) for i, s in enumerate(segments)]
    return Transcript(language=current.language, duration=current.duration, segments=tuple(segments),
                      model=current.model, meta=current.meta)
