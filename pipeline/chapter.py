"""A chapter as listeners see it, and its published forms: the one definition for the stages and the site.

The chapters stage detects where each planned chapter starts and writes work/chapters.json without deciding
titles (a title change must not re-run detection). Every consumer joins the plan's current titles, links and
images in by position:

    chapters = chapter.current(ctx.episode.chapters, ctx.paths.chapters_work)

and uses the pure helpers here: podcasting_json()/write_podcasting_json() (Podcasting 2.0 JSON chapters,
version 1.2.0), report_section() (report.json "chapters"), show_notes_lines() ("00:00 Opening" lines for
descriptions). The site reads published chapter files back into the same `Chapter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from pipeline import fsutil
from pipeline.config import ChapterPlan
from pipeline.errors import InputError
from pipeline.timefmt import short_clock

JSON_CHAPTERS_VERSION = "1.2.0"


@dataclass(frozen=True)
class Chapter:
    """A chapter: its start in seconds of the published audio, title, link and image; from the chapters stage
    also its place in the plan, end, confidence and evidence."""

    start: float
    title: str
    url: str | None = None
    img: str | None = None
    index: int = 0
    end: float | None = None
    confidence: float = 1.0
    evidence: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    low_confidence: bool = False


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


def current(plan: Sequence[ChapterPlan], detected_file: Path) -> list[Chapter]:
    """The episode's chapters with current titles; [] when the chapters stage has not written its file."""
    if not detected_file.exists():
        return []
    return resolve(plan, fsutil.read_json(detected_file))


def _get(chapter: Chapter | Mapping[str, Any], key: str) -> Any:
    return chapter.get(key) if isinstance(chapter, Mapping) else getattr(chapter, key)


def show_notes_lines(chapters: Sequence[Chapter | Mapping[str, Any]]) -> list[str]:
    """["00:00 Opening", "00:21 Marije en Mike: ...", ...]: the chapter list for show notes and descriptions
    (Apple Podcasts turns such lines into chapters when there are at least three)."""
    return [f"{short_clock(float(_get(c, 'start')))} {_get(c, 'title')}" for c in chapters]


def podcasting_json(chapters: Sequence[Chapter], title: str | None = None) -> dict:
    """Podcasting 2.0 JSON chapters (version 1.2.0): startTime in seconds, title, and img/url when set; the
    episode's title at the top when given."""
    items = []
    for chapter in chapters:
        item: dict[str, Any] = {"startTime": round(chapter.start, 3), "title": chapter.title}
        if chapter.img:
            item["img"] = chapter.img
        if chapter.url:
            item["url"] = chapter.url
        items.append(item)
    head = {"version": JSON_CHAPTERS_VERSION} | ({"title": title} if title is not None else {})
    return head | {"chapters": items}


def write_podcasting_json(path: Path, chapters: Sequence[Chapter]) -> None:
    fsutil.write_json(path, podcasting_json(chapters))


def report_section(chapters: Sequence[Chapter]) -> list[dict]:
    """report.json "chapters": title, start (seconds of the published audio), confidence, evidence."""
    return [{"title": c.title, "start": round(c.start, 3), "confidence": c.confidence,
             "evidence": list(c.evidence), "low_confidence": c.low_confidence} for c in chapters]
