"""Stage publish: put this episode on the published site ([paths].feed/episodes/<slug>/).

Reads: this episode's published files (MP3, transcripts, chapters, artwork) and episode.toml (and, through
pipeline.publish, every other produced episode, to check the site as a whole). Writes: the episode's folder of
the site, with its page [paths].feed/episodes/<slug>/index.html as the recorded output (outside the episode
folder, so Outcome.outputs carries an absolute path: {"page": ...}). The show's own files (feed.xml, the show
page) belong to the feed stage, whose record is the show's: publishing one episode never makes another stale.

The engine writes report.json only after the last stage, so this stage hands the site its own episode's outputs
from the outcomes of this run (ctx.live_report()) instead of the report.json on disk.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.engine import Context, Outcome
from pipeline.errors import ConfigError, StageError
from pipeline.publish import episode_page, publish_episode
from pipeline.config import load_episode
from pipeline.publish.checks import artwork_problem, clash_with_others
from pipeline.publish.collect import episode_dirs
from pipeline.publish.model import TRANSCRIPT_FORMATS, SiteLayout, SiteOptions, normalised_image_suffix

NAME = "publish"
Options = SiteOptions


def options(ctx: Context) -> Options:
    return SiteOptions.of(ctx.show)


def inputs(ctx: Context, opts: Options) -> list[Path]:
    files = [ctx.paths.episode_file, ctx.paths.audio, *(ctx.paths.transcript_file(f) for f in TRANSCRIPT_FORMATS),
             ctx.paths.chapters_json, ctx.paths.chapters_work, opts.show.image]
    if ctx.episode.image is not None:
        files.append(ctx.episode.image)
    return files


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [episode_page(ctx.show, ctx.paths.slug)]


def check(ctx: Context, opts: Options) -> None:
    """Before hours of other stages run: refuse a show whose artwork or address Apple would refuse, and an
    episode with the number or guid of another episode of the show."""
    problem = artwork_problem(opts.show.image)
    if problem:
        raise ConfigError(ctx.show.file, "show.image", problem)
    if not opts.show.base_url.startswith("https://"):
        raise ConfigError(ctx.show.file, "show.base_url", f"expected an https:// address (Apple Podcasts needs "
                                                          f"it), got {opts.show.base_url!r}")
    clash = clash_with_others(ctx.episode, _other_episodes(ctx))
    if clash:
        raise ConfigError(ctx.episode.file, *clash)


def _other_episodes(ctx: Context) -> list:
    """The show's other episodes whose episode.toml reads (one that does not is refused when it is run)."""
    others = []
    for folder in episode_dirs(ctx.show.paths.episodes):
        if folder.resolve() != ctx.paths.root.resolve():
            try:
                others.append(load_episode(folder))
            except ConfigError:
                continue
    return others


def run(ctx: Context, opts: Options) -> Outcome:
    report = ctx.live_report()
    if not report["outputs"].get("audio"):
        raise StageError(NAME, ctx.episode.slug, "no tagged MP3 to publish (the tag stage has not produced one)")
    page = publish_episode(ctx.show, ctx.paths.slug, live_reports={ctx.paths.root: report})
    layout = SiteLayout(base_url=opts.show.base_url, cover_suffix=normalised_image_suffix(opts.show.image))
    return Outcome(report={"publish": {"page_url": layout.episode_page_url(ctx.paths.slug)}},
                   outputs={"page": page.resolve()})
