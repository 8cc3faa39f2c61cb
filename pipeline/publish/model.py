"""What gets published, as plain frozen data, and the pure rules that make it stable.

- `PublishedEpisode`: one episode as the feed and the pages see it (files, times, people, chapters).
- `SiteLayout`: every URL and every file name of the published site, in one place.
- A pubDate fixed at the episode date, 12:00 in Europe/Amsterdam (the guids: pipeline.identity). None of them
  depends on when or how often the site is built, so re-running or adding episodes never changes an earlier item.
- Show notes (plain text and HTML) with the description, the people and the chapter timestamps.
Nothing here reads or writes files.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from pipeline.chapter import Chapter
from pipeline.config import Episode, Person, ShowConfig, ShowInfo
from pipeline.identity import FEED_NAME

TIMEZONE = ZoneInfo("Europe/Amsterdam")
PUBLISH_TIME = dt.time(12, 0)

# Published transcript formats: report.json key -> (file suffix, MIME type, rel)
TRANSCRIPT_FORMATS: dict[str, tuple[str, str, str | None]] = {
    "vtt": (".vtt", "text/vtt", "captions"),
    "srt": (".srt", "application/x-subrip", "captions"),
    "json": (".transcript.json", "application/json", None),
    "txt": (".txt", "text/plain", None),
}
CHAPTERS_SUFFIX = ".chapters.json"  # served as application/json+chapters (see pipeline.serve)
TRANSCRIPT_LABELS = {"vtt": "WebVTT (ondertitels)", "srt": "SRT (ondertitels)", "json": "JSON (Podcasting 2.0)",
                     "txt": "Platte tekst"}


@dataclass(frozen=True)
class PublishedEpisode:
    episode: Episode
    audio: Path  # the tagged MP3: the episode folder's, or the site's copy while the folder's is being remade
    audio_bytes: int  # of `audio`; the feed measures the copy on the site again (pipeline.publish.site)
    duration: float  # seconds
    guid: str
    pub_date: dt.datetime
    artwork: Path  # the episode's own image, or the show's cover
    transcripts: dict[str, Path]  # format (TRANSCRIPT_FORMATS key) -> file in the episode folder
    chapters_file: Path | None  # Podcasting 2.0 chapters JSON in the episode folder (None: write our own)
    chapters: tuple[Chapter, ...] = ()
    chapter_lines: tuple[str, ...] = ()  # "00:00 Opening" lines for show notes

    @property
    def slug(self) -> str:
        return self.episode.slug


# ---------------------------------------------------------------- stable dates (guids: pipeline.identity)


def publication_time(date: dt.date) -> dt.datetime:
    """The pubDate of an episode: its date at 12:00 Amsterdam time (stable: never the time of the build)."""
    return dt.datetime.combine(date, PUBLISH_TIME, tzinfo=TIMEZONE)


# ---------------------------------------------------------------- names and URLs


@dataclass(frozen=True)
class SiteLayout:
    """File names inside the published folder and their absolute URLs (base_url ends with '/')."""

    base_url: str
    cover_suffix: str  # ".png" or ".jpg" of the show cover

    @property
    def feed_url(self) -> str:
        return self.base_url + FEED_NAME

    @property
    def cover_name(self) -> str:
        return "cover" + self.cover_suffix

    def url(self, relative: str) -> str:
        return self.base_url + quote(relative)

    @staticmethod
    def episode_dir(slug: str) -> str:
        return f"episodes/{slug}"

    def episode_page_url(self, slug: str) -> str:
        return self.url(f"{self.episode_dir(slug)}/")

    @staticmethod
    def audio_name(slug: str) -> str:
        return f"{slug}.mp3"

    @staticmethod
    def transcript_name(slug: str, fmt: str) -> str:
        return slug + TRANSCRIPT_FORMATS[fmt][0]

    @staticmethod
    def chapters_name(slug: str) -> str:
        return slug + CHAPTERS_SUFFIX

    @staticmethod
    def artwork_name(artwork: Path) -> str:
        return "cover" + normalised_image_suffix(artwork)

    def file_url(self, slug: str, name: str) -> str:
        return self.url(f"{self.episode_dir(slug)}/{name}")


@dataclass(frozen=True)
class SiteOptions:
    """What in config.toml decides the published site: the channel, where it goes, where the episodes are,
    and the transcripts' language (the publish and feed stages' Options)."""

    show: ShowInfo
    feed: Path
    episodes: Path
    transcript_language: str

    @classmethod
    def of(cls, show: ShowConfig) -> "SiteOptions":
        return cls(show=show.show, feed=show.paths.feed, episodes=show.paths.episodes,
                   transcript_language=show.transcription.language)


def normalised_image_suffix(path: Path) -> str:
    return ".jpg" if path.suffix.lower() in (".jpg", ".jpeg") else path.suffix.lower()


# ---------------------------------------------------------------- show notes


def people_lines(people: tuple[Person, ...]) -> list[str]:
    return [f"{p.name} ({p.role_label})" + (f": {p.about}" if p.about else "")
            for p in people]


def show_notes_text(description: str, people: tuple[Person, ...], chapter_lines: tuple[str, ...],
                    page_url: str) -> str:
    """Plain-text show notes: description, who is at the table, the chapter timestamps, where the transcript is."""
    parts = [description.strip()]
    if people:
        parts.append("Aan tafel:\n" + "\n".join(f"- {line}" for line in people_lines(people)))
    if chapter_lines:
        parts.append("Hoofdstukken:\n" + "\n".join(chapter_lines))
    parts.append(f"Transcript en hoofdstukken: {page_url}")
    return "\n\n".join(parts)


def show_notes_html(description: str, people: tuple[Person, ...], chapter_lines: tuple[str, ...],
                    page_url: str) -> str:
    """The same show notes as HTML for content:encoded (apps turn the "MM:SS" lines into seek links)."""
    esc = html.escape
    out = [f"<p>{esc(par.strip()).replace(chr(10), '<br>')}</p>" for par in description.split("\n\n") if par.strip()]
    if people:
        items = []
        for person, line in zip(people, people_lines(people)):
            name = esc(person.name)
            if person.href:
                name = f'<a href="{esc(person.href)}">{name}</a>'
            items.append(f"<li>{name}{esc(line[len(person.name):])}</li>")
        out.append("<p><strong>Aan tafel</strong></p><ul>" + "".join(items) + "</ul>")
    if chapter_lines:
        out.append("<p><strong>Hoofdstukken</strong><br>" + "<br>".join(esc(c) for c in chapter_lines) + "</p>")
    out.append(f'<p><a href="{esc(page_url)}">Transcript en hoofdstukken</a></p>')
    return "\n".join(out)
