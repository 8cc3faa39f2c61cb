"""feedgen extensions, one class pair per XML namespace, in feedgen's own shape (setters store, extend_rss builds).

- Podcasting 2.0 (`podcast:`): channel guid, locked, medium, person; item transcript, chapters, person,
  location, season, episode.
- Podlove Simple Chapters (`psc:`): item chapters.
- iTunes (`itunes:`): feedgen's own extension, plus `itunes:explicit` as "true"/"false", which Apple now asks
  for and feedgen refuses (it only takes yes/no/clean).

Register them before the first add_entry (see `new_feed_generator`), so every entry gets the entry classes.
Values are checked by pipeline.publish.checks before they get here; these classes only build XML.
"""

from __future__ import annotations

from dataclasses import dataclass

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.ext.podcast import PodcastExtension
from feedgen.ext.podcast_entry import PodcastEntryExtension
from feedgen.feed import FeedGenerator

from pipeline.identity import PODCAST_NS
from feedgen.util import xml_elem

PSC_NS = "http://podlove.org/simple-chapters"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


@dataclass(frozen=True)
class PersonTag:
    name: str
    role: str = "host"
    group: str = "cast"
    img: str | None = None
    href: str | None = None


def _person_elements(parent, people: list[PersonTag]) -> None:
    for person in people:
        element = xml_elem(f"{{{PODCAST_NS}}}person", parent, role=person.role, group=person.group)
        if person.img:
            element.attrib["img"] = person.img
        if person.href:
            element.attrib["href"] = person.href
        element.text = person.name


# ---------------------------------------------------------------- iTunes: explicit true/false


class ItunesExtension(PodcastExtension):
    """feedgen's iTunes channel extension with `explicit(bool)` writing "true"/"false"."""

    def __init__(self):
        super().__init__()
        self._explicit: bool | None = None

    def explicit(self, value: bool) -> None:
        self._explicit = bool(value)

    def extend_rss(self, rss_feed):
        rss_feed = super().extend_rss(rss_feed)
        if self._explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", rss_feed[0]).text = "true" if self._explicit else "false"
        return rss_feed


class ItunesEntryExtension(PodcastEntryExtension):
    """feedgen's iTunes item extension with `explicit(bool)` writing "true"/"false"."""

    def __init__(self):
        super().__init__()
        self._explicit: bool | None = None

    def explicit(self, value: bool) -> None:
        self._explicit = bool(value)

    def extend_rss(self, entry):
        entry = super().extend_rss(entry)
        if self._explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", entry).text = "true" if self._explicit else "false"
        return entry


# ---------------------------------------------------------------- Podcasting 2.0


class PodcastIndexExtension(BaseExtension):
    """Channel tags of the Podcasting 2.0 namespace."""

    def __init__(self):
        self._guid: str | None = None
        self._locked: tuple[bool, str] | None = None
        self._medium: str | None = None
        self._people: list[PersonTag] = []

    def extend_ns(self):
        return {"podcast": PODCAST_NS}

    def guid(self, value: str) -> None:
        self._guid = value

    def locked(self, locked: bool, owner: str) -> None:
        self._locked = (locked, owner)

    def medium(self, value: str) -> None:
        self._medium = value

    def person(self, person: PersonTag) -> None:
        self._people.append(person)

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        if self._guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self._guid
        if self._locked is not None:
            locked, owner = self._locked
            xml_elem(f"{{{PODCAST_NS}}}locked", channel, owner=owner).text = "yes" if locked else "no"
        if self._medium:
            xml_elem(f"{{{PODCAST_NS}}}medium", channel).text = self._medium
        _person_elements(channel, self._people)
        return rss_feed


class PodcastIndexEntryExtension(BaseEntryExtension):
    """Item tags of the Podcasting 2.0 namespace."""

    def __init__(self):
        self._transcripts: list[dict[str, str]] = []
        self._chapters: tuple[str, str] | None = None
        self._people: list[PersonTag] = []
        self._location: tuple[str, str | None, str | None] | None = None
        self._season: tuple[int, str | None] | None = None
        self._episode: tuple[int, str | None] | None = None

    def transcript(self, url: str, type: str, language: str | None = None, rel: str | None = None) -> None:
        attrs = {"url": url, "type": type}
        if language:
            attrs["language"] = language
        if rel:
            attrs["rel"] = rel
        self._transcripts.append(attrs)

    def chapters(self, url: str, type: str = "application/json+chapters") -> None:
        self._chapters = (url, type)

    def person(self, person: PersonTag) -> None:
        self._people.append(person)

    def location(self, name: str, geo: str | None = None, osm: str | None = None) -> None:
        self._location = (name, geo, osm)

    def season(self, number: int, name: str | None = None) -> None:
        self._season = (number, name)

    def episode(self, number: int, display: str | None = None) -> None:
        self._episode = (number, display)

    def extend_rss(self, entry):
        for attrs in self._transcripts:
            xml_elem(f"{{{PODCAST_NS}}}transcript", entry, **attrs)
        if self._chapters:
            url, type_ = self._chapters
            xml_elem(f"{{{PODCAST_NS}}}chapters", entry, url=url, type=type_)
        _person_elements(entry, self._people)
        if self._location:
            name, geo, osm = self._location
            element = xml_elem(f"{{{PODCAST_NS}}}location", entry)
            if geo:
                element.attrib["geo"] = geo
            if osm:
                element.attrib["osm"] = osm
            element.text = name
        if self._season:
            number, name = self._season
            element = xml_elem(f"{{{PODCAST_NS}}}season", entry)
            if name:
                element.attrib["name"] = name
            element.text = str(number)
        if self._episode:
            number, display = self._episode
            element = xml_elem(f"{{{PODCAST_NS}}}episode", entry)
            if display:
                element.attrib["display"] = display
            element.text = str(number)
        return entry


# ---------------------------------------------------------------- Podlove Simple Chapters


class PodloveChaptersExtension(BaseExtension):
    """Declares the psc: namespace on the feed; the chapters themselves are per item."""

    def extend_ns(self):
        return {"psc": PSC_NS}


class PodloveChaptersEntryExtension(BaseEntryExtension):
    """`<psc:chapters version="1.2">` with one `<psc:chapter start=.. title=..>` per chapter."""

    def __init__(self):
        self._chapters: list[dict[str, str]] = []

    def chapter(self, start: str, title: str, href: str | None = None, image: str | None = None) -> None:
        """`start` is a Podlove time ("00:01:02.500"); chapters must be added in time order."""
        attrs = {"start": start, "title": title}
        if href:
            attrs["href"] = href
        if image:
            attrs["image"] = image
        self._chapters.append(attrs)

    def extend_rss(self, entry):
        if self._chapters:
            chapters = xml_elem(f"{{{PSC_NS}}}chapters", entry, version="1.2")
            for attrs in self._chapters:
                xml_elem(f"{{{PSC_NS}}}chapter", chapters, **attrs)
        return entry


def new_feed_generator() -> FeedGenerator:
    """A FeedGenerator with every extension registered (entries added later all get the entry classes).

    Access them as fg.podcast (iTunes), fg.podcastindex (Podcasting 2.0), fg.psc; on entries the same names.
    """
    fg = FeedGenerator()
    fg.register_extension("podcast", ItunesExtension, ItunesEntryExtension)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.register_extension("psc", PodloveChaptersExtension, PodloveChaptersEntryExtension)
    return fg
