"""The editors' corrections file: transcript/corrections.txt (how to edit it: docs/editing-transcripts.md).

The file is the whole transcript as plain text, one block per segment, each under a line with its start time
(the block's key) and speaker:

    [00:01:23.450] Marije Boerlaagh
    Ik werk in Amsterdam Zuidoost.

The transcripts stage writes it while nobody has changed it (so it follows new speaker names and new runs),
and never again once an editor has changed one character. Beside it, `.corrections.base.json` keeps what the
pipeline wrote, so a correction is exactly a block whose text or speaker differs from that. Corrections are
placed on the machine words they correct (the run of words that says the block's machine text, across segment
boundaries, so a voice pinned since, which splits segments where the voice changes, does not lose them): near the
key, or elsewhere when the timeline moved (a new trim); otherwise they are reported as not placed and stay in
the file.

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
    return tuple(word for word, _ in _realigned(words, text, start, end))


def _realigned(words: tuple[Word, ...], text: str, start: float, end: float) -> list[tuple[Word, int]]:
    """realign(), each new word with the index of the machine word it stands on (inserts: the one before)."""
    tokens = text.split()
    if not tokens:
        return []
    if not words:
        total = sum(len(t) + 1 for t in tokens)
        out, t = [], start
        for token in tokens:
            t_end = t + (end - start) * (len(token) + 1) / total
            out.append((Word(round(t, 3), round(t_end, 3), " " + token, 1.0), 0))
            t = t_end
        return out
    old = [" ".join(normalised_words(w.text)) for w in words]
    new = [" ".join(normalised_words(t)) for t in tokens]
    out: list[tuple[Word, int]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out += [(Word(words[i].start, words[i].end, " " + tokens[j], words[i].probability), i)
                    for i, j in zip(range(i1, i2), range(j1, j2))]
        elif op == "delete":
            continue
        else:
            if op == "replace":
                span_start, span_end = words[i1].start, words[i2 - 1].end
            else:  # insert: at the boundary between the neighbours
                span_start = out[-1][0].end if out else (words[i1].start if i1 < len(words) else end)
                span_end = words[i1].start if i1 < len(words) else max(span_start, end)
                span_end = max(span_start, span_end)
            total = sum(len(tokens[j]) for j in range(j1, j2))
            t = span_start
            for k, j in enumerate(range(j1, j2)):
                t_end = t + (span_end - span_start) * len(tokens[j]) / total
                origin = min(i1 + k, i2 - 1) if op == "replace" else max(i1 - 1, 0)
                out.append((Word(round(t, 3), round(t_end, 3), " " + tokens[j], 1.0), origin))
                t = t_end
    return out


@dataclass(frozen=True)
class Placement:
    correction: Correction
    segment_start: float | None  # where it begins; None when it could not be placed
    how: str  # "key" | "text" (the timeline moved; found by its machine text) | "" (not placed)
    words: tuple[int, int] | None = None  # [first, last) in the transcript's words, when placed by its words


def _tokens(current: Transcript) -> list[tuple[str, int]]:
    """Every normalised word of the transcript with the index of the word (over all segments) it is in."""
    return [(token, i) for i, w in enumerate(current.words) for token in normalised_words(w.text)]


def _word_spans(tokens: list[tuple[str, int]], text: str) -> list[tuple[int, int]]:
    """Every run of whole words ([first, last) word indices, across segment boundaries) that says `text`,
    compared as normalised words."""
    wanted = normalised_words(text)
    spans = []
    for k in range(len(tokens) - len(wanted) + 1) if wanted else ():
        if tokens[k][0] != wanted[0] or (k and tokens[k - 1][1] == tokens[k][1]):
            continue
        end = k + len(wanted)
        if [t for t, _ in tokens[k:end]] == wanted and (end == len(tokens) or tokens[end][1] != tokens[end - 1][1]):
            spans.append((tokens[k][1], tokens[end - 1][1] + 1))
    return spans


def place(current: Transcript, found: list[Correction]) -> list[Placement]:
    """Decide where each correction goes. Pure; never guesses between two equal candidates.

    A correction goes where the words it corrects are: the run of machine words that says its base text,
    wherever the segments now begin and end (pinning a voice splits segments where the voice changes). Near
    its key that is the same place ("key"); elsewhere the timeline moved ("text"). Without those words it
    goes on the segment at its key when that covers the same stretch of audio; else it is not placed.
    """
    placements = []
    words, tokens = current.words, _tokens(current)
    used_words: set[int] = set()
    used: set[float] = set()
    for corr in found:
        spans = [s for s in _word_spans(tokens, corr.base_text or "")
                 if not used_words.intersection(range(*s))]
        near = sorted(spans, key=lambda s: abs(words[s[0]].start - corr.start))
        if near and (len(near) == 1 or abs(words[near[0][0]].start - corr.start)
                     < abs(words[near[1][0]].start - corr.start) - 1e-6):
            first, last = near[0]
            how = "key" if abs(words[first].start - corr.start) <= SAME_SPAN else "text"
            placements.append(Placement(corr, words[first].start, how, (first, last)))
            used_words.update(range(first, last))
            continue
        at_key = [s for s in current.segments if abs(s.start - corr.start) <= KEY_TOLERANCE]
        segment = at_key[0] if at_key else None
        if segment is not None and segment.start not in used and not near:
            same_text = corr.base_text is None or _one_line(segment.text) == corr.base_text
            same_span = corr.base_end is None or abs(segment.end - corr.base_end) <= SAME_SPAN
            if same_text or same_span:
                placements.append(Placement(corr, segment.start, "key"))
                used.add(segment.start)
                continue
        if corr.base_text and not near:
            same = [s for s in current.segments
                    if not s.words and _one_line(s.text) == corr.base_text and s.start not in used]
            if len(same) == 1:
                placements.append(Placement(corr, same[0].start, "text"))
                used.add(same[0].start)
                continue
        placements.append(Placement(corr, None, ""))
    return placements


def apply(current: Transcript, placements: list[Placement]) -> Transcript:
    """The transcript with every placed correction applied (corrected=True); removed segments dropped.

    A correction placed by its words applies to exactly those words: a segment they only partly fill is split
    there, and the corrected words go back into the segments that held the words they replace.
    """
    by_words = [p for p in placements if p.words is not None]
    cuts = {i for p in by_words for i in p.words}
    pieces: list[tuple[Segment, int]] = []  # (segment or piece of one, index of its first word overall)
    offset = 0
    for segment in current.segments:
        inner = sorted(c - offset for c in cuts if 0 < c - offset < len(segment.words))
        bounds = [0, *inner, len(segment.words)]
        for a, b in zip(bounds, bounds[1:]):
            part = segment if len(bounds) == 2 else _piece(segment, segment.words[a:b])
            pieces.append((part, offset + a))
        offset += len(segment.words)
    by_start = {p.segment_start: p.correction for p in placements if p.segment_start is not None and p.words is None}
    changed: dict[int, Segment | None] = {}
    for p in by_words:
        first, last = p.words
        group = [k for k, (s, at) in enumerate(pieces) if s.words and first <= at < last]
        _correct(pieces, group, p.correction, changed)
    segments = []
    for k, (segment, _) in enumerate(pieces):
        if k in changed:
            if changed[k] is not None:
                segments.append(changed[k])
            continue
        corr = by_start.get(segment.start)
        if corr is not None:
            _correct(pieces, [k], corr, changed)
            if changed[k] is not None:
                segments.append(changed[k])
            continue
        segments.append(segment)
    segments = [s.with_(id=i) for i, s in enumerate(segments)]
    return Transcript(language=current.language, duration=current.duration, segments=tuple(segments),
                      model=current.model, meta=current.meta)


def _piece(segment: Segment, words: tuple[Word, ...]) -> Segment:
    return segment.with_(start=words[0].start, end=words[-1].end, words=words,
                         text=" " + "".join(w.text for w in words).strip())


def _correct(pieces: list[tuple[Segment, int]], group: list[int], corr: Correction,
             changed: dict[int, Segment | None]) -> None:
    """Apply one correction to the pieces `group` (consecutive): new text realigned over their words and
    handed back to the piece whose word each new word stands on; a piece left without words is dropped."""
    segments = [pieces[k][0] for k in group]
    result = list(segments)
    if corr.text is not None:
        words = tuple(w for s in segments for w in s.words)
        owner = [n for n, s in enumerate(segments) for _ in s.words] or [0]
        new_words: list[list[Word]] = [[] for _ in segments]
        for word, origin in _realigned(words, corr.text, segments[0].start, segments[-1].end):
            new_words[owner[origin]].append(word)
        result = [s.with_(text=" " + "".join(w.text for w in ws).strip(), words=tuple(ws), corrected=True)
                  if ws else None for s, ws in zip(segments, new_words)]
    if corr.speaker is not None:
        result = [s.with_(speaker=corr.speaker or UNKNOWN_SPEAKER, corrected=True) if s is not None else None
                  for s in result]
    changed.update(zip(group, result))
