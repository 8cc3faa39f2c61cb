"""Stage feed (show level): bring the show's own files of the published site up to date.

Reads: the published files of every episode under [paths].episodes (episode.toml, MP3, transcripts, chapters),
the episodes' MP3s on the site (each enclosure describes the copy listeners download, not the episode folder's
MP3, which a run that stopped between encode and tag leaves untagged) and the show's artwork. Writes:
[paths].feed/feed.xml and the show page [paths].feed/index.html (plus the cover and the pages' static files).
Its record is the show's (SCOPE = "show": work/manifest.json beside config.toml), so it runs after any episode
changed what the feed lists, and `pipeline status` on every episode shows the same, truthful, state.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.engine import Context, Outcome
from pipeline.layout import EpisodePaths
from pipeline.publish import publish_show
from pipeline.publish.collect import episode_dirs, published_audio
from pipeline.publish.model import TRANSCRIPT_FORMATS, SiteLayout, SiteOptions, normalised_image_suffix
from pipeline.publish.site import FEED_NAME

NAME = "feed"
SCOPE = "show"
Options = SiteOptions


def options(ctx: Context) -> Options:
    return SiteOptions.of(ctx.show)


def inputs(ctx: Context, opts: Options) -> list[Path]:
    files = [opts.show.image]
    for folder in episode_dirs(opts.episodes):
        paths = EpisodePaths.for_dir(folder)
        # the copy on the site is what the feed describes; the episode's own MP3 is listed too so that a plan
        # sees the feed re-run after its tag stage re-runs
        files += [paths.episode_file, paths.audio, published_audio(ctx.show, paths.slug),
                  *(paths.transcript_file(fmt) for fmt in TRANSCRIPT_FORMATS), paths.chapters_json]
    return files


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [opts.feed / FEED_NAME, opts.feed / "index.html"]


def run(ctx: Context, opts: Options) -> Outcome:
    feed = publish_show(ctx.show, live_reports={ctx.paths.root: ctx.live_report()})
    layout = SiteLayout(base_url=opts.show.base_url, cover_suffix=normalised_image_suffix(opts.show.image))
    return Outcome(report={"publish": {"feed_url": layout.feed_url}}, outputs={"feed": feed.resolve()},
                   figures={"feed": layout.feed_url})
