"""chapters: where each part of the chapter plan starts in the published audio, how sure we are, and why.

Reads:  work/transcript.raw.json (transcribe), work/speech.wav (normalise: 16 kHz mono, published timeline),
        work/speakers.json (speakers; optional: used for "a change in which voices speak"),
        the chapter plan of episode.toml ([[chapters]]: people, keywords, start, approx).
Writes: work/chapters.json: a list, one entry per planned chapter, in plan order:
        {"index", "title", "start", "end", "confidence", "evidence", "people", "url", "img", "low_confidence",
         "override"}; times in seconds of the published audio, the first chapter at 0.

Detection (pipeline/chaptering.py, pure) weighs hand-over phrases, the plan's names and keywords (fuzzy, and
only where Whisper and the audio support them), changes of voices, pauses and applause (pipeline/audiocues.py),
snaps every start to the pause before the first word of the new part, and gives each boundary a confidence.
A `start` override wins to the millisecond; `approx` narrows the search to +-2 minutes around the hint (a
tenth of a short episode). Boundaries below chaptering.LOW_CONFIDENCE become warnings that name the chapter
and the one-line fix.

Titles, links and images do not decide where a chapter starts, so they are not in this stage's Options:
changing a title re-runs only the stages that print titles (tag, publish, and the text outputs that show
headings), never detection or transcription. Those consumers join the current titles in by plan position:

    chapters = resolve(ctx.episode.chapters, fsutil.read_json(ctx.paths.chapters_work))   # or current(ctx)

and use the pure helpers below: podcasting_json()/write_podcasting_json() (Podcasting 2.0 JSON chapters,
version 1.2.0), report_section() (report.json "chapters"), show_notes_lines() ("00:00 Opening" lines for
descriptions). For the same reason chapters.json in the episode folder (Podcasting 2.0, report.json
outputs.chapters) is written by a stage that re-runs on a title change (tag), with these helpers; this
stage's report section carries the titles of its own run. The title/url/img in work/chapters.json are those
of the run that detected the boundaries, kept for people who read the file; programs call resolve().
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from pipeline import audiocues, chaptering, fsutil
from pipeline.chaptering import ChapterCue
from pipeline.config import ChapterPlan
from pipeline.engine import Context, Outcome
from pipeline.errors import ConfigError, InputError
from pipeline.timefmt import clock, short_clock
from pipeline.transcript import Transcript

NAME = "chapters"
JSON_CHAPTERS_VERSION = "1.2.0"


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
    cues = tuple(ChapterCue(people=c.people, keywords=c.keywords, start=c.start, approx=c.approx) for c in plan)
    return Options(cues=cues, language=ctx.show.transcription.language)


def check(ctx: Context, opts: Options) -> None:
    """Before anything runs: start overrides must increase and lie inside the published audio.

    The published length is known before any stage runs when both [trim] cut points are set, or when trim will
    not run again (its work/trim.json is settled). Otherwise only the recording's length bounds it here, and
    run() checks the rest once normalise has made the published audio."""
    if not any(cue.start is not None for cue in opts.cues):
        return
    length = published_length(ctx)
    if length is None:
        from pipeline.stages.ingest import probe_sources

        recording = sum(i.duration for i in probe_sources(list(ctx.episode.sources)))
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


# ---------------------------------------------------------------- for the consumers (pure)


@dataclass(frozen=True)
class Chapter:
    """A chapter as listeners see it: the plan's current title, link and image with the detected start."""

    index: int
    title: str
    start: float
    end: float
    confidence: float = 1.0
    evidence: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    low_confidence: bool = False
    url: str | None = None
    img: str | None = None


def resolve(plan: Sequence[ChapterPlan], detected: Sequence[Mapping[str, Any]]) -> list[Chapter]:
    """The detected chapters (the entries of work/chapters.json) with the plan's current titles, links and
    images, matched by position. Raises InputError when the two do not have the same number of chapters
    (the chapters stage has not run since the plan changed)."""
    if len(plan) != len(detected):
        raise InputError(f"work/chapters.json has {len(detected)} chapters but episode.toml plans {len(plan)}; "
                         f"run the chapters stage again (pipeline run --from chapters)")
    return [Chapter(index=i, title=p.title, start=float(d["start"]), end=float(d["end"]),
                    confidence=float(d.get("confidence", 1.0)), evidence=tuple(d.get("evidence", ())),
                    people=tuple(p.people), low_confidence=bool(d.get("low_confidence", False)),
                    url=p.url, img=p.img)
            for i, (p, d) in enumerate(zip(plan, detected))]


def current(ctx: Context) -> list[Chapter]:
    """The episode's chapters with current titles; [] when the chapters stage has not written its file."""
    if not ctx.paths.chapters_work.exists():
        return []
    return resolve(ctx.episode.chapters, fsutil.read_json(ctx.paths.chapters_work))


def _get(chapter: Chapter | Mapping[str, Any], key: str) -> Any:
    return chapter.get(key) if isinstance(chapter, Mapping) else getattr(chapter, key)


def show_notes_lines(chapters: Sequence[Chapter | Mapping[str, Any]]) -> list[str]:
    """["00:00 Opening", "00:21 Marije en Mike: ...", ...]: the chapter list for show notes and descriptions
    (Apple Podcasts turns such lines into chapters when there are at least three)."""
    return [f"{short_clock(float(_get(c, 'start')))} {_get(c, 'title')}" for c in chapters]


def podcasting_json(chapters: Sequence[Chapter]) -> dict:
    """Podcasting 2.0 JSON chapters (version 1.2.0): startTime in seconds, title, and img/url when set."""
    items = []
    for chapter in chapters:
        item: dict[str, Any] = {"startTime": round(chapter.start, 3), "title": chapter.title}
        if chapter.img:
            item["img"] = chapter.img
        if chapter.url:
            item["url"] = chapter.url
        items.append(item)
    return {"version": JSON_CHAPTERS_VERSION, "chapters": items}


def write_podcasting_json(path: Path, chapters: Sequence[Chapter]) -> None:
    fsutil.write_json(path, podcasting_json(chapters))


def report_section(chapters: Sequence[Chapter]) -> list[dict]:
    """report.json "chapters": title, start (seconds of the published audio), confidence, evidence."""
    return [{"title": c.title, "start": round(c.start, 3), "confidence": c.confidence,
             "evidence": list(c.evidence), "low_confidence": c.low_confidence} for c in chapters]


def low_confidence_warning(chapter: Chapter) -> str:
    """One line that names the chapter, says why it is uncertain and gives the fix."""
    reasons = [e for e in chapter.evidence if e.startswith(("competing", "only one", "no evidence", "the voices"))]
    why = f": {'; '.join(reasons)}" if reasons else ""
    return (f'chapter {chapter.index + 1} "{chapter.title}" starts at {clock(chapter.start)} with low confidence '
            f'({chapter.confidence:.2f}{why}); listen there and, if it is wrong, set the right time with '
            f'start = "HH:MM:SS.mmm" in [[chapters]] #{chapter.index + 1} of episode.toml')


# ---------------------------------------------------------------- the stage


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
    turns = ()
    if ctx.paths.speakers.exists():
        turns = chaptering.turns_from_speakers(fsutil.read_json(ctx.paths.speakers))
    else:
        log.info("no %s: chapters are placed without the voices", ctx.paths.speakers.name)
    boundaries = chaptering.detect(transcript, opts.cues, breaks=breaks, turns=turns, language=opts.language,
                                   duration=duration)
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
