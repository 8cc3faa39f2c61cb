"""transcripts: the transcript in every format listeners' apps and editors read.

Reads:  work/transcript.raw.json (transcribe), work/speakers.json (speakers, when present: names per voice via
        pipeline.timeline.label()), work/chapters.json (chapters, when present: headings in the text),
        transcript/corrections.txt (the editors' file, docs/editing-transcripts.md).
Writes: transcript/<slug>.vtt, .srt, .json (Podcasting 2.0), .txt, .words.json (internal, corrected and
        labelled: what the editor stage and the site read); transcript/corrections.txt and
        transcript/.corrections.base.json only while no editor has changed corrections.txt.

Formatting lives in pipeline/transcript_formats.py, the corrections logic in pipeline/transcript_corrections.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import fsutil
from pipeline import transcript_corrections as corr
from pipeline import transcript_formats as fmt
from pipeline.chapter import current
from pipeline.engine import Context, Outcome
from pipeline.errors import InputError
from pipeline.timeline import label
from pipeline.transcript import Transcript

NAME = "transcripts"
FORMATS = ("vtt", "srt", "json", "txt")


@dataclass(frozen=True)
class Options:
    title: str
    chapter_titles: tuple[str, ...]  # headings in the text version (starts come from work/chapters.json)


def options(ctx: Context) -> Options:
    return Options(title=ctx.episode.title, chapter_titles=tuple(c.title for c in ctx.episode.chapters))


def inputs(ctx: Context, opts: Options) -> list[Path]:
    p = ctx.paths
    return [p.raw_transcript, p.speakers, p.chapters_work, p.corrections]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.transcript_file(kind) for kind in FORMATS] + [ctx.paths.transcript]


# ---------------------------------------------------------------- inputs from other stages


def labelled(ctx: Context, raw: Transcript) -> tuple[Transcript, bool]:
    if not ctx.paths.speakers.exists():
        return raw, False
    return label(raw, fsutil.read_json(ctx.paths.speakers)), True


def headings(ctx: Context) -> list[fmt.Heading]:
    """Chapter headings for the text version: detected starts with the plan's current titles."""
    return [fmt.Heading(c.title, c.start) for c in current(ctx.episode.chapters, ctx.paths.chapters_work)]


# ---------------------------------------------------------------- the editors' file


def corrected(ctx: Context, opts: Options, current: Transcript,
              audio_sha256: str | None) -> tuple[Transcript, dict, list[str]]:
    """Apply the editors' corrections to `current`; (re)write the editors' file while nobody has edited it."""
    path, base_path = ctx.paths.corrections, ctx.paths.corrections_base
    rendered = corr.render(current, opts.title)
    try:
        base = fsutil.read_json(base_path)
    except (FileNotFoundError, ValueError):
        base = None
    text = path.read_text(encoding="utf-8") if path.exists() else None
    report = {"file": ctx.paths.rel(path), "edited": False, "corrections": 0, "placed": 0, "moved": 0,
              "not_placed": []}
    if text is None or text == rendered or corr.untouched(text, base):
        new_base = corr.base_of(current, rendered, audio_sha256)
        if text != rendered or base != new_base:
            fsutil.write_text(path, rendered)
            fsutil.write_json(base_path, new_base)
        return current, report, []

    report["edited"] = True
    try:
        entries = corr.parse(text, str(path))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as plain text (UTF-8)") from None
    found = corr.corrections(entries, base, current)
    placements = corr.place(current, found)
    result = corr.apply(current, placements)
    report["corrections"] = len(found)
    report["placed"] = sum(1 for p in placements if p.segment_start is not None)
    report["moved"] = sum(1 for p in placements if p.how == "text")
    report["not_placed"] = [p.correction.describe() for p in placements if p.segment_start is None]
    warnings = []
    audio_changed = bool(base and base.get("audio_sha256") and audio_sha256
                         and base["audio_sha256"] != audio_sha256)
    if report["not_placed"]:
        why = ("the audio changed since the file was written (a new trim or normalise moves every time)"
               if audio_changed else "the words they correct are not in the transcript any more")
        shown = "; ".join(report["not_placed"][:5]) + (" ..." if len(report["not_placed"]) > 5 else "")
        warnings.append(f"{ctx.paths.rel(path)}: {len(report['not_placed'])} of {len(found)} corrections could "
                        f"not be placed ({why}): {shown}. They are kept in the file; move them to the new "
                        f"[time] lines by hand (docs/editing-transcripts.md).")
    if report["moved"]:
        warnings.append(f"{ctx.paths.rel(path)}: the timeline moved; {report['moved']} corrections were placed "
                        f"on the segment with the same machine text at its new time. Check them.")
    return result, report, warnings


# ---------------------------------------------------------------- the run


def run(ctx: Context, opts: Options) -> Outcome:
    if not ctx.paths.raw_transcript.exists():
        raise InputError(f"{ctx.paths.raw_transcript}: not found; run the transcribe stage first")
    raw = Transcript.load(ctx.paths.raw_transcript)
    current, has_speakers = labelled(ctx, raw)
    final, correction_report, warnings = corrected(ctx, opts, current, raw.meta.get("input_sha256"))
    files = {kind: ctx.paths.transcript_file(kind) for kind in FORMATS}
    fsutil.write_text(files["vtt"], fmt.webvtt(final))
    fsutil.write_text(files["srt"], fmt.srt(final))
    fsutil.write_text(files["json"], fmt.podcast_json(final))
    intro = ("Automatisch transcript (Whisper)"
             + (", verbeterd door de redactie" if correction_report["placed"] else "") + ".")
    fsutil.write_text(files["txt"], fmt.plain_text(final, opts.title, headings(ctx), intro))
    final.save(ctx.paths.transcript)
    files["words"] = ctx.paths.transcript
    section = final.summary()
    section.update(raw_words=raw.word_count, speakers_named=has_speakers, corrections=correction_report)
    return Outcome(report={"transcript": section}, outputs={"transcripts": files},
                   figures={"words": str(final.word_count), "corrections": str(correction_report["placed"])},
                   warnings=warnings)
