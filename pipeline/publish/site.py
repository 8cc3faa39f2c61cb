"""build_site: the published folder ([paths].feed), ready to copy to any static host.

Reads every episode under [paths].episodes (see pipeline.publish.collect), checks everything before writing
(pipeline.publish.checks), then writes:

    feed.xml                     RSS with iTunes, Podcasting 2.0 and Podlove chapters
    index.html                   the show page
    cover.png|jpg                the show artwork
    static/site.css, site.js     the pages' style and behaviour
    episodes/<slug>/             <slug>.mp3, <slug>.vtt/.srt/.transcript.json/.txt, <slug>.chapters.json,
                                 cover.png|jpg, index.html

build_site writes both halves; the publish stage writes one episode's folder (publish_episode) and the feed
stage the show's own files (publish_show), so each stage's outputs are its own.

The feed describes the files listeners download: each item's enclosure length and duration are measured on the
MP3 in the site folder when feed.xml is written, and an episode whose MP3 is not on the site (its publish stage
has not run) is left out of the feed and the show page. An episode whose own MP3 is not finished (see
pipeline.publish.collect) keeps the copy already published.

Every write is atomic. Media are copied only when size or mtime differ (copies keep the source mtime); text files
are rewritten only when their bytes change, so a re-run over an unchanged site changes nothing.

The podcast:guid is computed once and kept: [show] guid when set; otherwise the podcast:guid of the feed.xml
already published in the folder; otherwise (first publish) the UUIDv5 of the feed URL. A later change of base_url
therefore keeps the guid; set [show] guid in config.toml to keep it even if the folder is deleted.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Mapping, NamedTuple

from pipeline import fsutil
from pipeline.chapter import podcasting_json
from pipeline.config import ShowConfig
from pipeline.errors import InputError
from pipeline.identity import FEED_NAME, resolve_podcast_guid
from pipeline.publish.checks import raise_problems, site_problems
from pipeline.publish.collect import (collect_episode, episode_dirs, is_copy_of, mp3_length, published_audio,
                                      read_report, read_transcript_segments)
from pipeline.publish.feed import feed_xml
from pipeline.publish.model import (PublishedEpisode, SiteLayout, normalised_image_suffix, show_notes_html,
                                    show_notes_text)
from pipeline.publish.pages import STATIC, render_episode_page, render_show_page

log = logging.getLogger("pipeline.publish")


def write_if_changed(target: Path, data: bytes) -> bool:
    """Atomically write `data` unless the file already holds exactly these bytes. True when written."""
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    fsutil.write_bytes(target, data)
    return True


def copy_if_changed(source: Path, target: Path) -> bool:
    """Atomically copy `source` unless `target` has the same size and mtime (copies keep the source's mtime)."""
    if is_copy_of(target, source):
        return False
    stat = source.stat()
    with fsutil.atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
        os.utime(tmp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    log.debug("copied %s -> %s", source, target)
    return True


def _notes(item: PublishedEpisode, layout: SiteLayout) -> tuple[str, str]:
    ep, page = item.episode, layout.episode_page_url(item.slug)
    return (show_notes_text(ep.description, ep.people, item.chapter_lines, page),
            show_notes_html(ep.description, ep.people, item.chapter_lines, page))


class Site(NamedTuple):
    layout: SiteLayout
    guid: str  # the podcast:guid
    episodes: list[PublishedEpisode]
    notes: dict[str, tuple[str, str]]  # slug -> show notes (text, html)


def collect_site(show: ShowConfig, live_reports: Mapping[Path, dict] | None = None,
                 as_on_site: bool = False) -> Site:
    """Read and check everything that build_site publishes; raise ConfigError/InputError before any write.
    `as_on_site`: every episode as the site holds it (collect_episode), for writing the feed alone."""
    live = {Path(k).resolve(): v for k, v in (live_reports or {}).items()}
    layout = SiteLayout(base_url=show.show.base_url, cover_suffix=normalised_image_suffix(show.show.image))
    guid = resolve_podcast_guid(show, show.paths.feed / FEED_NAME, layout.feed_url)
    episodes = []
    for folder in episode_dirs(show.paths.episodes):
        report = live.get(folder.resolve()) or read_report(folder)
        item = collect_episode(show, folder, report, guid, as_on_site)
        if item is not None:
            episodes.append(item)
    if not episodes:
        log.warning("no episode under %s has published audio yet; the feed has no items", show.paths.episodes)
    notes = {item.slug: _notes(item, layout) for item in episodes}
    raise_problems(site_problems(show, episodes, notes))
    return Site(layout, guid, episodes, notes)


def build_site(show: ShowConfig, live_reports: Mapping[Path, dict] | None = None) -> Path:
    """Write the whole published site into [paths].feed; return the path of feed.xml.

    `live_reports` (episode folder -> report dict) stands in for report.json of episodes being run right now
    (their stages pass this run's outcomes, which the engine writes to report.json only later).
    """
    site = collect_site(show, live_reports)
    written = sum(_write_episode(show, site, item) for item in site.episodes)
    return _write_show(show, site, written)


def publish_episode(show: ShowConfig, slug: str, live_reports: Mapping[Path, dict] | None = None) -> Path:
    """Write only the folder of episode `slug` (media, transcripts, chapters, page); return its page.
    Everything is read and checked as for build_site first."""
    site = collect_site(show, live_reports)
    for item in site.episodes:
        if item.slug == slug:
            if item.audio == published_audio(show, slug):
                raise InputError(f"{slug}: {slug}.mp3 is not the MP3 the tag stage made (changed since?); run "
                                 f"`pipeline run` on the episode to tag it again")
            _write_episode(show, site, item)
            log.info("published %s to %s", slug, show.paths.feed / site.layout.episode_dir(slug))
            return episode_page(show, slug)
    raise InputError(f"{slug}: not produced yet (no report.json with an audio output, or its MP3 is not the one "
                     f"its tag stage made); nothing to publish")


def publish_show(show: ShowConfig, live_reports: Mapping[Path, dict] | None = None) -> Path:
    """Write only the show's own files (feed.xml, index.html, cover, static); return the path of feed.xml."""
    return _write_show(show, collect_site(show, live_reports, as_on_site=True), 0)


def _write_episode(show: ShowConfig, site: Site, item: PublishedEpisode) -> int:
    layout = site.layout
    folder = show.paths.feed / layout.episode_dir(item.slug)
    audio = published_audio(show, item.slug)
    written = 0 if item.audio == audio else copy_if_changed(item.audio, audio)  # else the published copy stays
    for fmt, source in item.transcripts.items():
        written += copy_if_changed(source, folder / layout.transcript_name(item.slug, fmt))
    chapters_target = folder / layout.chapters_name(item.slug)
    if item.chapters_file is not None:
        written += copy_if_changed(item.chapters_file, chapters_target)
    elif item.chapters:
        document = podcasting_json(item.chapters, item.episode.title)
        written += write_if_changed(chapters_target, (json.dumps(document, indent=2, ensure_ascii=False)
                                                      + "\n").encode("utf-8"))
    written += copy_if_changed(item.artwork, folder / layout.artwork_name(item.artwork))
    segments = (read_transcript_segments(item.transcripts["json"], item.slug)
                if "json" in item.transcripts else None)
    page = render_episode_page(show, layout, item, segments)
    written += write_if_changed(folder / "index.html", page.encode("utf-8"))
    return written


def served(show: ShowConfig, episodes: list[PublishedEpisode]) -> list[PublishedEpisode]:
    """The episodes whose MP3 is on the site, each described by that copy (its length and duration), as podcast
    apps will find it; an episode not on the site yet is left out with a log line."""
    listed = []
    for item in episodes:
        audio = published_audio(show, item.slug)
        if not audio.is_file():
            log.warning("%s is not on the site yet (its publish stage has not run); left out of the feed",
                        item.slug)
            continue
        listed.append(dataclasses.replace(item, audio=audio, audio_bytes=audio.stat().st_size,
                                          duration=mp3_length(audio, item.slug)))
    return listed


def _write_show(show: ShowConfig, site: Site, written: int) -> Path:
    layout, guid, collected, notes = site
    episodes = served(show, collected)
    out = show.paths.feed
    written += copy_if_changed(show.show.image, out / layout.cover_name)
    for asset in sorted(STATIC.iterdir()):
        if asset.is_file():
            written += copy_if_changed(asset, out / "static" / asset.name)
    written += write_if_changed(out / "index.html", render_show_page(show, layout, episodes).encode("utf-8"))
    feed = out / FEED_NAME
    written += write_if_changed(feed, feed_xml(show, layout, guid, episodes, notes, show.transcription.language))

    known = {item.slug for item in collected}
    stale = sorted(p.name for p in (out / "episodes").iterdir() if p.is_dir() and p.name not in known) \
        if (out / "episodes").is_dir() else []
    if stale:
        log.warning("%s/episodes holds folders no episode publishes any more: %s (delete them if they should go)",
                    out, ", ".join(stale))
    log.info("published %d episode(s) to %s (%d file(s) written)", len(episodes), out, written)
    return feed


def episode_page(show: ShowConfig, slug: str) -> Path:
    """Where build_site writes the page of episode `slug`."""
    return show.paths.feed / SiteLayout.episode_dir(slug) / "index.html"
