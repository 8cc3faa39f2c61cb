"""Stage publish: rebuild the published site ([paths].feed) with this episode in it.

Reads: this episode's published files (MP3, transcripts, chapters, artwork) and episode.toml, plus every other
produced episode (through pipeline.publish.build_site). Writes: [paths].feed/feed.xml and this episode's page
[paths].feed/episodes/<slug>/index.html (and the rest of the site). Both are outside the episode folder, so
Outcome.outputs carries absolute paths: {"feed": ..., "page": ...}.

The engine writes report.json only after the last stage, so this stage hands build_site its own episode's
outputs from the outcomes of this run instead of the report.json on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import ShowInfo
from pipeline.engine import Context, Outcome
from pipeline.errors import ConfigError, StageError
from pipeline.publish import build_site, episode_page
from pipeline.publish.checks import artwork_problem
from pipeline.publish.model import TRANSCRIPT_FORMATS, SiteLayout, normalised_image_suffix

NAME = "publish"
VERSION = 1


@dataclass(frozen=True)
class Options:
    show: ShowInfo  # everything in the feed's channel
    feed: Path
    episodes: Path
    transcript_language: str


def options(ctx: Context) -> Options:
    return Options(show=ctx.show.show, feed=ctx.show.paths.feed, episodes=ctx.show.paths.episodes,
                   transcript_language=ctx.show.transcription.language)


def _transcript_files(ctx: Context) -> list[Path]:
    folder, slug = ctx.paths.transcript_dir, ctx.paths.slug
    return [folder / f"{slug}.{fmt}" for fmt in TRANSCRIPT_FORMATS]


def inputs(ctx: Context, opts: Options) -> list[Path]:
    files = [ctx.paths.episode_file, ctx.paths.audio, *_transcript_files(ctx), ctx.paths.chapters_json,
             ctx.paths.chapters_work, opts.show.image]
    if ctx.episode.image is not None:
        files.append(ctx.episode.image)
    return files


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [opts.feed / "feed.xml", episode_page(ctx.show, ctx.paths.slug)]


def check(ctx: Context, opts: Options) -> None:
    """Refuse a show whose artwork Apple would refuse, before hours of other stages run."""
    problem = artwork_problem(opts.show.image)
    if problem:
        raise ConfigError(ctx.show.file, "show.image", problem)
    if not opts.show.base_url.startswith("https://"):
        raise ConfigError(ctx.show.file, "show.base_url", f"expected an https:// address (Apple Podcasts needs "
                                                          f"it), got {opts.show.base_url!r}")


def live_report(ctx: Context) -> dict[str, Any]:
    """This run's report sections and outputs, merged from the stage outcomes as the engine would."""
    report: dict[str, Any] = {"outputs": {}}
    for name, outcome in ctx.outcomes.items():
        if name == NAME:
            continue
        report.update(outcome.report)
        for key, value in outcome.outputs.items():
            report["outputs"][key] = value
    return report


def run(ctx: Context, opts: Options) -> Outcome:
    log = ctx.logger(NAME)
    report = live_report(ctx)
    if not report["outputs"].get("audio"):
        raise StageError(NAME, ctx.episode.slug, "no tagged MP3 to publish (the tag stage has not produced one)")
    feed = build_site(ctx.show, live_reports={ctx.paths.root: report})
    page = episode_page(ctx.show, ctx.paths.slug)
    layout = SiteLayout(base_url=opts.show.base_url, cover_suffix=normalised_image_suffix(opts.show.image))
    log.info("feed: %s", feed)
    return Outcome(
        report={"publish": {"feed_url": layout.feed_url, "page_url": layout.episode_page_url(ctx.paths.slug)}},
        outputs={"feed": feed.resolve(), "page": page.resolve()},
        figures={"feed": layout.feed_url},
    )
