"""The listener pages: one show page (episodes, how to subscribe) and one page per episode (player, chapters,
transcript with speaker turns and timestamps, downloads). Rendered with Jinja2 from pipeline/templates/page_*.html;
the behaviour (seek, highlight, search, copy) is pipeline/static/site.js. Everything is rendered into the HTML,
so the pages work from file:// as well as from any host, with relative links only.

`transcript_blocks` (pure) groups Podcasting 2.0 transcript segments into speaker turns of readable lines and
puts chapter headings where chapters begin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import jinja2

from pipeline.chapter import Chapter
from pipeline.config import ShowConfig
from pipeline.publish.model import TRANSCRIPT_FORMATS, TRANSCRIPT_LABELS, PublishedEpisode, SiteLayout
from pipeline.timefmt import dutch_date, short_clock
from pipeline.timeline import Line
from pipeline.transcript_formats import Heading
from pipeline.transcript import chapter_of

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"
SENTENCE_END = re.compile(r"[.!?…]['\"”’)]*$")
MAX_LINE_WORDS = 40
MAX_GAP = 1.5  # seconds of silence that end a line


@dataclass
class Turn:
    speaker: str
    lines: list[Line] = field(default_factory=list)


def transcript_blocks(segments: list[dict], chapters: tuple[Chapter, ...] = ()) -> list[Turn | Heading]:
    """Speaker turns of lines, with a Heading before the first line of each chapter.

    Consecutive segments of one speaker join into a line until a sentence ends, a pause longer than MAX_GAP
    falls, or the line reaches MAX_LINE_WORDS words (so word-level transcripts read as sentences too). A turn
    ends when the speaker changes or a chapter begins.
    """
    pending = sorted(chapters, key=lambda c: c.start)
    starts = [c.start for c in pending]
    shown = 0  # headings already placed
    blocks: list[Turn | Heading] = []
    turn: Turn | None = None
    line: list[dict] = []

    def flush_line() -> None:
        nonlocal line
        if line and turn is not None:
            text = " ".join(str(s["body"]).strip() for s in line)
            turn.lines.append(Line(float(line[0]["startTime"]), float(line[-1].get("endTime", line[-1]["startTime"])),
                                   re.sub(r"\s+", " ", text).strip()))
        line = []

    for segment in sorted(segments, key=lambda s: float(s["startTime"])):
        start = float(segment["startTime"])
        speaker = str(segment.get("speaker") or "").strip()
        begins = shown <= chapter_of(start, starts)  # the chapter it starts in (one rule everywhere)
        if begins or turn is None or speaker != turn.speaker:
            flush_line()
            while shown <= chapter_of(start, starts):
                blocks.append(Heading(pending[shown].title, pending[shown].start))
                shown += 1
            turn = Turn(speaker)
            blocks.append(turn)
        elif line:
            previous = line[-1]
            gap = start - float(previous.get("endTime", previous["startTime"]))
            words = sum(len(str(s["body"]).split()) for s in line)
            if SENTENCE_END.search(str(previous["body"]).strip()) or gap > MAX_GAP or words >= MAX_LINE_WORDS:
                flush_line()
        line.append(segment)
    flush_line()
    blocks.extend(Heading(c.title, c.start) for c in pending[shown:])  # chapters after the last words
    return [b for b in blocks if not isinstance(b, Turn) or b.lines]


def duration_text(seconds: float) -> str:
    """The length as a listener reads it, to the second: "4 min 35 s", "1 uur 2 min 3 s", "45 s". Pure."""
    hours, rest = divmod(int(round(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} uur"] * bool(hours) + [f"{minutes} min"] * bool(hours or minutes) + [f"{secs} s"]
    return " ".join(parts)


def iso_duration(seconds: float) -> str:
    """The length for <time datetime>: PT4M35S. Pure."""
    hours, rest = divmod(int(round(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + f"{hours}H" * bool(hours) + f"{minutes}M" * bool(minutes) + f"{secs}S"


def role_label(person) -> str:
    """The word shown after a person's name on the page; empty when the name or the description already says
    it (the demo's host is called "Presentator", described as "presentator van ..."). Pure."""
    label = person.role_label
    said = f"{person.name} {person.about}".lower()
    return "" if label in said else label


def subscribe_links(feed_url: str, title: str) -> list[dict[str, str]]:
    """Open-in-app links: each app's documented subscribe link or URL scheme for an RSS feed."""
    bare = feed_url.split("://", 1)[-1]
    encoded = quote(feed_url, safe="")
    return [
        {"app": "Apple Podcasts", "href": f"podcasts://{bare}"},
        {"app": "AntennaPod", "href": f"https://antennapod.org/deeplink/subscribe?url={encoded}"
                                      f"&title={quote(title, safe='')}"},
        {"app": "Pocket Casts", "href": f"pktc://subscribe/{bare}"},
        {"app": "Overcast", "href": f"overcast://x-callback-url/add?url={encoded}"},
    ]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["clock"] = short_clock
    env.filters["seconds"] = lambda value: f"{float(value):.3f}"
    env.filters["dutch_date"] = dutch_date
    env.filters["duration"] = duration_text
    env.filters["iso_duration"] = iso_duration
    env.filters["role_label"] = role_label
    return env


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def render_show_page(show: ShowConfig, layout: SiteLayout, episodes: list[PublishedEpisode]) -> str:
    info = show.show
    ordered = sorted(episodes, key=lambda e: (e.pub_date, e.slug), reverse=True)
    return _environment().get_template("page_show.html").render(
        root="", show=info, layout=layout, cover=layout.cover_name, description=paragraphs(info.description),
        feed_url=layout.feed_url, subscribe=subscribe_links(layout.feed_url, info.title),
        episodes=[{"item": e, "href": f"{layout.episode_dir(e.slug)}/index.html",
                   "art": f"{layout.episode_dir(e.slug)}/{layout.artwork_name(e.artwork)}"} for e in ordered],
    )


def render_episode_page(show: ShowConfig, layout: SiteLayout, item: PublishedEpisode,
                        segments: list[dict] | None) -> str:
    slug = item.slug
    downloads = [{"label": "Audio (MP3)", "href": layout.audio_name(slug), "type": "audio/mpeg"}]
    for fmt in TRANSCRIPT_FORMATS:
        if fmt in item.transcripts:
            downloads.append({"label": f"Transcript: {TRANSCRIPT_LABELS[fmt]}",
                              "href": layout.transcript_name(slug, fmt), "type": TRANSCRIPT_FORMATS[fmt][1]})
    if item.chapters:
        downloads.append({"label": "Hoofdstukken (JSON)", "href": layout.chapters_name(slug),
                          "type": "application/json+chapters"})
    chapters = [{"start": c.start, "title": c.title, "url": c.url,
                 "end": (item.chapters[i + 1].start if i + 1 < len(item.chapters) else item.duration)}
                for i, c in enumerate(item.chapters)]
    return _environment().get_template("page_episode.html").render(
        root="../../", show=show.show, layout=layout, item=item, episode=item.episode,
        description=paragraphs(item.episode.description), audio=layout.audio_name(slug),
        cover=layout.artwork_name(item.artwork), chapters=chapters,
        blocks=transcript_blocks(segments, item.chapters) if segments else None,
        downloads=downloads, feed_url=layout.feed_url, page_url=layout.episode_page_url(slug),
    )
