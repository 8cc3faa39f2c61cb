"""feed.xml: RSS 2.0 with iTunes, Podcasting 2.0 and Podlove Simple Chapters tags, built with feedgen.

`feed_xml` is a pure function of the show, the episodes and their show notes: the same inputs give the same
bytes (lastBuildDate is the newest pubDate, not the time of the build), so an unchanged site is not rewritten.
Items are newest first.
"""

from __future__ import annotations

from pipeline import __version__
from pipeline.config import Person, ShowConfig
from pipeline.publish.feedext import PersonTag, new_feed_generator
from pipeline.publish.model import TRANSCRIPT_FORMATS, PublishedEpisode, SiteLayout
from pipeline.timefmt import clock


def _person_tag(person: Person) -> PersonTag:
    return PersonTag(name=person.name, role=person.role, group="cast", img=person.img, href=person.href)


def channel_hosts(show: ShowConfig, episodes: list[PublishedEpisode]) -> tuple[Person, ...]:
    """The show's hosts: [[show.hosts]] when configured, else every host the episodes name (first seen first)."""
    if show.show.hosts:
        return show.show.hosts
    hosts: dict[str, Person] = {}
    for item in sorted(episodes, key=lambda e: (e.pub_date, e.slug)):
        for person in item.episode.hosts:
            hosts.setdefault(person.name, person)
    return tuple(hosts.values())


def feed_xml(show: ShowConfig, layout: SiteLayout, podcast_guid: str, episodes: list[PublishedEpisode],
             notes: dict[str, tuple[str, str]], transcript_language: str) -> bytes:
    info = show.show
    fg = new_feed_generator()
    fg.title(info.title)
    fg.description(info.description)
    fg.language(info.language)
    fg.copyright(info.copyright)
    fg.author({"name": info.author, "email": info.owner_email})
    fg.link(href=layout.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=info.link or layout.base_url, rel="alternate")  # the last link() is the channel <link>
    fg.image(url=layout.url(layout.cover_name), title=info.title, link=info.link or layout.base_url)
    fg.generator("burger-pipeline", version=__version__)

    fg.podcast.itunes_author(info.author)
    fg.podcast.itunes_owner(name=info.owner_name, email=info.owner_email)
    fg.podcast.itunes_image(layout.url(layout.cover_name))
    category = {"cat": info.category, **({"sub": info.subcategory} if info.subcategory else {})}
    fg.podcast.itunes_category([category])
    fg.podcast.itunes_type(info.type)
    fg.podcast.itunes_summary(info.description)
    fg.podcast.explicit(info.explicit)

    fg.podcastindex.guid(podcast_guid)
    fg.podcastindex.locked(info.locked, info.owner_email)
    fg.podcastindex.medium(info.medium)
    for host in channel_hosts(show, episodes):
        fg.podcastindex.person(_person_tag(host))

    ordered = sorted(episodes, key=lambda e: (e.pub_date, e.slug), reverse=True)
    if ordered:
        fg.lastBuildDate(ordered[0].pub_date)
        fg.pubDate(ordered[0].pub_date)
    for item in ordered:
        _add_item(fg, show, layout, item, notes[item.slug], transcript_language)
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _add_item(fg, show: ShowConfig, layout: SiteLayout, item: PublishedEpisode, notes: tuple[str, str],
              transcript_language: str) -> None:
    ep, slug = item.episode, item.slug
    text, html = notes
    entry = fg.add_entry(order="append")
    entry.title(ep.title)
    entry.description(text)
    entry.content(html, type="CDATA")
    entry.link(href=layout.episode_page_url(slug))
    entry.guid(item.guid, permalink=False)
    entry.pubDate(item.pub_date)
    entry.enclosure(layout.file_url(slug, layout.audio_name(slug)), str(item.audio_bytes), "audio/mpeg")

    entry.podcast.itunes_title(ep.title)
    if ep.subtitle:
        entry.podcast.itunes_subtitle(ep.subtitle)
    entry.podcast.itunes_duration(int(round(item.duration)))
    entry.podcast.itunes_episode_type(ep.episode_type)
    if ep.number is not None:
        entry.podcast.itunes_episode(ep.number)
    if ep.season is not None:
        entry.podcast.itunes_season(ep.season)
    entry.podcast.itunes_image(layout.file_url(slug, layout.artwork_name(item.artwork)))
    entry.podcast.explicit(show.show.explicit)

    for fmt, (_suffix, mime, rel) in TRANSCRIPT_FORMATS.items():
        if fmt in item.transcripts:
            entry.podcastindex.transcript(layout.file_url(slug, layout.transcript_name(slug, fmt)), mime,
                                          language=transcript_language, rel=rel)
    if item.chapters:
        entry.podcastindex.chapters(layout.file_url(slug, layout.chapters_name(slug)))
    people = ep.people if any(p.role == "host" for p in ep.people) else (*show.show.hosts, *ep.people)
    for person in people:  # item persons replace the channel's: repeat the hosts when the episode names none
        entry.podcastindex.person(_person_tag(person))
    if ep.location is not None:
        entry.podcastindex.location(ep.location.name, geo=ep.location.geo, osm=ep.location.osm)
    if ep.season is not None:
        entry.podcastindex.season(ep.season, name=f"Seizoen {ep.season}")
    if ep.number is not None:
        entry.podcastindex.episode(ep.number)

    for chapter in item.chapters:
        entry.psc.chapter(clock(chapter.start), chapter.title, href=chapter.url, image=chapter.img)
