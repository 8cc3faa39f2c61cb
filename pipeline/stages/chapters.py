"""chapters: where each part of the chapter plan starts in the published audio, how sure we are, and why.

Reads:  work/transcript.raw.json (transcribe), work/speech.flac (normalise: 16 kHz mono, published timeline),
        work/speakers.json (speakers; optional: used for "a change in which voices speak", and the voices'
        names for "the host takes the floor back and keeps it, the guests are done" at the closing),
        the chapter plan of episode.toml ([[chapters]]: people, keywords, start, approx).
Writes: work/chapters.json: a list, one entry per planned chapter, in plan order:
        {"index", "title", "start", "end", "confidence", "evidence", "people", "url", "img", "low_confidence",
         "override"}; times in seconds of the published audio, the first chapter at 0.

Detection (pipeline/chaptering/, pure) weighs hand-over phrases, the plan's names and keywords (fuzzy, and
only where Whisper and the audio support them), changes of voices, pauses and applause (pipeline/audiocues.py),
snaps every start to the pause before the first word of the new part, and gives each boundary a confidence.
A `start` override wins to the millisecond; `approx` narrows the search to +-2 minutes around the hint (a
tenth of a short episode). Boundaries below chaptering.LOW_CONFIDENCE become warnings that name the chapter
and the one-line fix.

Titles, links and images do not decide where a chapter starts, so they are not in this stage's Options:
changing a title re-runs only the stages that print titles (tag, publish, and the text outputs that show
headings), never detection or transcription. Those consumers join the current titles in by plan position
with pipeline.chapter (current(), resolve(), and the Podcasting 2.0 JSON, report and show-notes helpers).
For the same reason chapters.json in the episode folder (Podcasting 2.0, report.json
outputs.chapters) is written by a stage that re-runs on a title change (tag), with these helpers; this
stage's report section carries the titles of its own run. The title/url/img in work/chapters.json are those
of the run that detected the boundaries, kept for people who read the file; programs call chapter.resolve().
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pipeline import audiocues, chaptering, fsutil, media
from pipeline.chapter import Chapter, report_section, resolve
from pipeline.chaptering import ChapterCue
from pipeline.config import ChapterPlan
from pipeline.engine import Context, Outcome
from pipeline.errors import ConfigError, InputError
from pipeline.timefmt import clock
from pipeline.timeline import names_from_speakers, turns_from_speakers
from pipeline.transcript import Transcript

NAME = "chapters"


@dataclass(frozen=True)
class Options:
    """Only what decides where chapters start (see the module docstring)."""

    cues: tuple[ChapterCue, ...]
    language: str


def options(ctx: Context) -> Options:
    plan = ctx.episode.chapters
    if plan and plan[0].start not in (None, 0):
        raise ConfigError(ctx.episode.file, "chapters #1.start",
                          f"the first chapter starts at 0 (the start of the published audio), not at "
                          f"{clock(plan[0].start)}; remove this start (move the show start with [trim] instead)")
    return Options(cues=ChapterCue.of(plan), language=ctx.show.transcription.language)


def check(ctx: Context, opts: Options) -> None:
    """Before anything runs: start overrides must increase and lie inside the published audio.

    The published length is known before any stage runs when both [trim] cut points are set, or when trim will
    not run again (its work/trim.json is settled). Otherwise only the recording's length bounds it here, and
    run() checks the rest once normalise has made the published audio."""
    if not any(cue.start is not None for cue in opts.cues):
        return
    length = published_length(ctx)
    if length is None:
        recording = sum(i.duration for i in media.probe_sources(list(ctx.episode.sources)))
        for index, cue in enumerate(opts.cues):
            if cue.start is not None and cue.start >= recording:
                raise ConfigError(ctx.episode.file, f"chapters #{index + 1}.start",
                                  f"{clock(cue.start)} is past the end of the recording ({clock(recording)})")
    problems = chaptering.validate_overrides(opts.cues, float("inf") if length is None else length)
    if problems:
        index, problem = problems[0]
        raise ConfigError(ctx.episode.file, f"chapters #{index + 1}.start", problem)


def published_length(ctx: Context) -> float | None:
    """The length of the published audio as far as it is known before the audio stages run, else None."""
    trim = ctx.episode.trim
    if trim.start is not None and trim.end is not None:
        return trim.end - trim.start
    if ctx.paths.trim in ctx.settled:
        cut = fsutil.read_json(ctx.paths.trim)
        return cut["end"] - cut["start"]
    return None


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.raw_transcript, ctx.paths.speech, ctx.paths.speakers]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.chapters_work]


# ---------------------------------------------------------------- the stage (pure parts)


def low_confidence_warning(chapter: Chapter) -> str:
    """One line that names the chapter, says why it is uncertain and gives the fix."""
    reasons = [e for e in chapter.evidence
               if e.startswith(("competing", "only one", "no evidence", "the voices", "the guests"))]
    why = f": {'; '.join(reasons)}" if reasons else ""
    return (f'chapter {chapter.index + 1} "{chapter.title}" starts at {clock(chapter.start)} with low confidence '
            f'({chapter.confidence:.2f}{why}); listen there and, if it is wrong, set the right time with '
            f'start = "HH:MM:SS.mmm" in [[chapters]] #{chapter.index + 1} of episode.toml')


def detected_entries(plan: Sequence[ChapterPlan], boundaries: Sequence[chaptering.Boundary],
                     duration: float) -> list[dict]:
    """The entries of work/chapters.json. Pure."""
    entries = []
    for i, (chapter, boundary) in enumerate(zip(plan, boundaries)):
        end = boundaries[i + 1].start if i + 1 < len(boundaries) else duration
        entries.append({"index": i, "title": chapter.title, "start": round(boundary.start, 3),
                        "end": round(max(end, boundary.start), 3), "confidence": boundary.confidence,
                        "evidence": list(boundary.evidence), "people": list(chapter.people), "url": chapter.url,
                        "img": chapter.img, "low_confidence": boundary.low_confidence,
                        "override": boundary.override})
    return entries


def run(ctx: Context, opts: Options) -> Outcome:
    log = ctx.logger(NAME)
    plan = ctx.episode.chapters
    for path, stage in ((ctx.paths.raw_transcript, "transcribe"), (ctx.paths.speech, "normalise")):
        if not path.exists():
            raise InputError(f"{path} is missing; run the {stage} stage first (pipeline run --from {stage})")
    transcript = Transcript.load(ctx.paths.raw_transcript)
    try:
        breaks, duration = audiocues.measure(ctx.paths.speech)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    problems = chaptering.validate_overrides(opts.cues, duration)
    if problems:  # the published length is known only now (see check)
        index, problem = problems[0]
        raise ConfigError(ctx.episode.file, f"chapters #{index + 1}.start",
                          f"{problem} (the length of the published audio is known only after trim)")
    turns, names = (), {}
    if ctx.paths.speakers.exists():
        document = fsutil.read_json(ctx.paths.speakers)
        turns, names = turns_from_speakers(document), names_from_speakers(document)
    else:
        log.info("no %s: chapters are placed without the voices", ctx.paths.speakers.name)
    boundaries = chaptering.detect(transcript, opts.cues, breaks=breaks, turns=turns, language=opts.language,
                                   duration=duration, names=names)
    entries = detected_entries(plan, boundaries, duration)
    fsutil.write_json(ctx.paths.chapters_work, entries)
    chapters = resolve(plan, entries)
    for chapter in chapters:
        log.info("%s %s (confidence %.2f): %s", clock(chapter.start), chapter.title, chapter.confidence,
                 "; ".join(chapter.evidence))
    uncertain = [c for c in chapters if c.low_confidence]
    figures = {"chapters": f"{len(chapters)}" + (f", {len(uncertain)} to check" if uncertain else "")}
    return Outcome(report={"chapters": report_section(chapters)}, figures=figures,
                   warnings=[low_confidence_warning(c) for c in uncertain])
