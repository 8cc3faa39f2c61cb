"""editor: the editors' transcript, a Word document and a Markdown file to write the magazine from.

Reads:  transcript/<slug>.words.json (transcripts stage: corrected and labelled); when that is not there yet,
        work/transcript.raw.json labelled with work/speakers.json (pipeline.timeline.label); work/chapters.json
        (chapters stage, with the plan's current titles), and the episode's title, date, venue and people.
Writes: editor/<slug>.docx and editor/<slug>.md: title, date, venue, the people and their roles, then per
        chapter a heading (with its start time) and the speaker turns, each with the name and a timestamp to
        find the quote back in the audio. Consecutive segments of one speaker are one paragraph of reading
        text (no cue fragments); a speaker's long turn gets a new paragraph, with its own timestamp, about
        every `paragraph_seconds`.
Outputs: report.json "outputs.editor" = {"docx", "md"}.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pipeline import fsutil
from pipeline.chapter import current
from pipeline.config import ROLE_LABELS
from pipeline.engine import Context, Outcome
from pipeline.errors import StageError
from pipeline.timefmt import dutch_date, short_clock
from pipeline.timeline import label
from pipeline.transcript import UNKNOWN_SPEAKER, Transcript, chapter_of

NAME = "editor"
NO_CHAPTERS_TITLE = "Gesprek"


@dataclass(frozen=True)
class Options:
    title: str
    date: str  # ISO date
    venue: str | None
    people: tuple[tuple[str, str, str], ...]  # (name, role, about)
    chapter_titles: tuple[str, ...]  # the plan's current titles (work/chapters.json gives the starts)
    paragraph_seconds: float = 90.0


def options(ctx: Context) -> Options:
    location = ctx.episode.location
    venue = None
    if location is not None:
        venue = location.name if not location.address or location.address in location.name \
            else f"{location.name} ({location.address})"
    return Options(title=ctx.episode.title, date=ctx.episode.date.isoformat(), venue=venue,
                   people=tuple((p.name, p.role, p.about) for p in ctx.episode.people),
                   chapter_titles=tuple(c.title for c in ctx.episode.chapters))


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.transcript, ctx.paths.raw_transcript, ctx.paths.speakers, ctx.paths.chapters_work]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.editor_docx, ctx.paths.editor_md]


# ------------------------------------------------------------------------------------------ the content (pure)


@dataclass(frozen=True)
class Turn:
    speaker: str  # display name; "" when the speakers are unknown
    start: float
    text: str


@dataclass(frozen=True)
class Section:
    title: str
    start: float
    turns: tuple[Turn, ...]


def clean_text(parts: Sequence[str]) -> str:
    """Segment texts joined into reading text: single spaces, no space before punctuation."""
    text = " ".join(p.strip() for p in parts if p.strip())
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s+([,.;:!?…])", r"\1", text).strip()


def sections(transcript: Transcript, chapters: Sequence[tuple[str, float]],
             paragraph_seconds: float = 90.0) -> list[Section]:
    """The transcript cut into chapters (a segment goes to the chapter it starts in: transcript.chapter_of) and, inside each, into speaker turns: consecutive
    segments of one speaker merge into one paragraph until it has run `paragraph_seconds`. Pure."""
    chapters = sorted(chapters, key=lambda c: c[1]) or [(NO_CHAPTERS_TITLE, 0.0)]
    starts = [c[1] for c in chapters]
    grouped: list[list] = [[] for _ in chapters]
    for segment in transcript.segments:
        if not segment.text.strip():
            continue
        index = max(chapter_of(segment.start, starts), 0)
        grouped[index].append(segment)
    result = []
    for (title, start), segments in zip(chapters, grouped):
        turns: list[Turn] = []
        pending: list = []

        def flush() -> None:
            if pending:
                speaker = "" if pending[0].speaker == UNKNOWN_SPEAKER else pending[0].speaker
                turns.append(Turn(speaker, pending[0].start, clean_text([s.text for s in pending])))
                pending.clear()

        for segment in segments:
            if pending and (segment.speaker != pending[0].speaker
                            or segment.start - pending[0].start >= paragraph_seconds):
                flush()
            pending.append(segment)
        flush()
        result.append(Section(title, start, tuple(turns)))
    return result


def people_lines(opts: Options) -> list[str]:
    return [f"{name} ({ROLE_LABELS.get(role, role)}{', ' + about if about else ''})" for name, role, about in opts.people]


def markdown(opts: Options, parts: Sequence[Section]) -> str:
    """The Markdown editors' transcript. Pure."""
    lines = [f"# {opts.title}", "", f"*{dutch_date(dt.date.fromisoformat(opts.date))}" + (f" · {opts.venue}" if opts.venue else "") + "*",
             ""]
    if opts.people:
        lines += ["**Met:**", ""] + [f"- {line}" for line in people_lines(opts)] + [""]
    for part in parts:
        lines += [f"## {part.title} [{short_clock(part.start)}]", ""]
        for turn in part.turns:
            who = f"**{turn.speaker}** " if turn.speaker else ""
            lines += [f"{who}[{short_clock(turn.start)}] {turn.text}", ""]
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------------------------ the files


def write_docx(path: Path, opts: Options, parts: Sequence[Section]) -> None:
    """The Word document, written atomically: Title, date/venue, people, Heading 1 per chapter, turns."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "nl-NL")
    normal.element.get_or_add_rPr().append(language)  # Word checks the spelling in Dutch
    properties = document.core_properties
    properties.title, properties.language = opts.title, "nl-NL"
    day = dt.datetime.fromisoformat(opts.date)
    properties.created = properties.modified = day
    properties.author = properties.last_modified_by = "burger-pipeline"

    document.add_heading(opts.title, level=0)
    document.add_paragraph(dutch_date(dt.date.fromisoformat(opts.date)) + (f" · {opts.venue}" if opts.venue else ""))
    if opts.people:
        document.add_paragraph("Met:")
        for line in people_lines(opts):
            document.add_paragraph(line, style="List Bullet")
    for part in parts:
        document.add_heading(f"{part.title} [{short_clock(part.start)}]", level=1)
        for turn in part.turns:
            paragraph = document.add_paragraph()
            if turn.speaker:
                paragraph.add_run(turn.speaker).bold = True
                paragraph.add_run(" ")
            stamp = paragraph.add_run(f"[{short_clock(turn.start)}]")
            stamp.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
            paragraph.add_run(" " + turn.text)
    with fsutil.atomic_path(path) as tmp:
        document.save(str(tmp))


def load_transcript(ctx: Context) -> tuple[Transcript, str]:
    """The best transcript there is, and where it came from."""
    if ctx.paths.transcript.exists():
        return Transcript.load(ctx.paths.transcript), ctx.paths.transcript.name
    if not ctx.paths.raw_transcript.exists():
        raise StageError(NAME, ctx.episode.slug, "no transcript yet; run the transcribe stage first")
    transcript = Transcript.load(ctx.paths.raw_transcript)
    if ctx.paths.speakers.exists():
        return label(transcript, fsutil.read_json(ctx.paths.speakers)), "transcript.raw.json + speakers.json"
    return transcript, "transcript.raw.json (no speakers)"


def chapter_starts(ctx: Context, opts: Options) -> list[tuple[str, float]]:
    detected = current(ctx.episode.chapters, ctx.paths.chapters_work)
    if detected:
        return [(c.title, c.start) for c in detected]
    planned = [(c.title, c.start) for c in ctx.episode.chapters if c.start is not None]
    return planned if planned and planned[0][1] <= 1.0 else []


def run(ctx: Context, opts: Options) -> Outcome:
    transcript, source = load_transcript(ctx)
    parts = sections(transcript, chapter_starts(ctx, opts), opts.paragraph_seconds)
    write_docx(ctx.paths.editor_docx, opts, parts)
    fsutil.write_text(ctx.paths.editor_md, markdown(opts, parts))
    turns = sum(len(p.turns) for p in parts)
    warnings = []
    if opts.chapter_titles and len(parts) == 1 and parts[0].title == NO_CHAPTERS_TITLE:
        warnings.append("the editors' transcript has no chapter headings (work/chapters.json is missing)")
    ctx.logger(NAME).info("editors' transcript from %s: %d chapters, %d turns", source, len(parts), turns)
    return Outcome(outputs={"editor": {"docx": ctx.paths.editor_docx, "md": ctx.paths.editor_md}},
                   figures={"editor": f"{len(parts)} chapters, {turns} turns"}, warnings=warnings)
