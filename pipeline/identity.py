"""Stable identities of the show and its episodes, shared by the tag stage (ID3 TGID) and the published feed.

- podcast:guid: [show] guid when set; else the one of the feed.xml already published in [paths].feed; else
  (first publish) the UUIDv5 of the feed URL without scheme and trailing slashes (Podcasting 2.0).
- an item guid: [episode] guid when set, else derived from the podcast guid and the episode's folder name.
None of them depends on when or how often the site is built.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from lxml import etree

from pipeline.config import Episode, ShowConfig

log = logging.getLogger("pipeline.publish")
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
FEED_NAME = "feed.xml"


def podcast_guid_for(feed_url: str) -> str:
    """The Podcasting 2.0 podcast:guid: UUIDv5 of the feed URL without scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def item_guid(podcast_guid: str, slug: str) -> str:
    """An item guid derived from the podcast guid and the episode's folder name: the same on every build."""
    return str(uuid.uuid5(uuid.UUID(podcast_guid), slug))


def feed_url(show: ShowConfig) -> str:
    return show.show.base_url + FEED_NAME


def published_podcast_guid(feed_file: Path) -> str | None:
    """The podcast:guid of an already published feed.xml, or None when there is none (or it is unreadable)."""
    try:
        tree = etree.parse(str(feed_file))
    except (OSError, etree.XMLSyntaxError):
        return None
    found = tree.find(f"channel/{{{PODCAST_NS}}}guid")
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def resolve_podcast_guid(show: ShowConfig, feed_file: Path, feed_url: str, quiet: bool = False) -> str:
    """The podcast:guid: configured, else kept from the published feed, else computed from the feed URL."""
    published = published_podcast_guid(feed_file)
    say = (lambda *args: None) if quiet else log.info
    if show.show.guid:
        if published and published != show.show.guid and not quiet:
            log.warning("[show] guid %s replaces the podcast:guid %s of the published feed; podcast apps "
                        "treat that as another podcast", show.show.guid, published)
        return show.show.guid
    if published:
        computed = podcast_guid_for(feed_url)
        if published != computed:
            say("keeping podcast:guid %s from the published feed (the feed URL now gives %s)", published, computed)
        return published
    guid = podcast_guid_for(feed_url)
    say('new podcast:guid %s; add guid = "%s" to [show] in %s to keep it for good', guid, guid, show.file.name)
    return guid


def podcast_guid(show: ShowConfig) -> str:
    """The show's podcast:guid as the next build_site will write it."""
    return resolve_podcast_guid(show, show.paths.feed / FEED_NAME, feed_url(show), quiet=True)


def guid_of(episode: Episode, podcast_guid: str) -> str:
    """The item guid of `episode` in the feed with `podcast_guid`: [episode] guid, else derived from the slug."""
    return episode.guid or item_guid(podcast_guid, episode.slug)


def episode_guid(show: ShowConfig, episode: Episode) -> str:
    """The item guid build_site gives `episode` (for ID3 TGID)."""
    return guid_of(episode, podcast_guid(show))
