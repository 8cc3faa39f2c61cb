"""The publish and feed stages through the real engine: publish puts the episode being run on the site (its
report.json is written only afterwards) and records its page; feed, a show-level stage, brings feed.xml and the
show page up to date with a record of the show, so publishing one episode leaves every other one clean. Both
record absolute paths outside the episode folder, skip when nothing changed, re-run when a published input
changes, and bad artwork is refused up front."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from PIL import Image

from pipeline import fsutil
from pipeline.config import load_episode, load_show
from pipeline.engine import Context, Engine, Outcome
from pipeline.errors import ConfigError, StageError
from pipeline.layout import EpisodePaths
from pipeline.stages import all_stages, feed, publish
from tests.publishing import BASE_URL, CHAPTERS, make_episode, make_show

SLUG = "2024-06-13-burger-centraal"


class produced:
    """A stand-in for the stages before publish (tag, transcripts, chapters) that follows the stage contract:
    it reports the files make_episode() prepared, as those stages report theirs."""

    NAME = "produced"

    @dataclass(frozen=True)
    class Options:
        slug: str

    @staticmethod
    def options(ctx):
        return produced.Options(ctx.paths.slug)

    @staticmethod
    def inputs(ctx, opts):
        return []

    @staticmethod
    def outputs(ctx, opts):
        return [ctx.paths.audio, ctx.paths.chapters_json]

    @staticmethod
    def run(ctx, opts):
        slug = ctx.paths.slug
        return Outcome(
            report={"audio": {"duration": 12.0},
                    "chapters": [{"title": t, "start": s} for s, t in CHAPTERS]},
            outputs={"audio": ctx.paths.audio, "chapters": ctx.paths.chapters_json,
                     "transcripts": {fmt: ctx.paths.transcript_dir / f"{slug}.{fmt}"
                                     for fmt in ("vtt", "srt", "json", "txt")}})


def context(show_dir: Path, slug: str = SLUG) -> Context:
    folder = show_dir / "episodes" / slug
    return Context(show=load_show(show_dir / "config.toml"), episode=load_episode(folder, require_sources=False),
                   paths=EpisodePaths.for_dir(folder))


def engine(show_dir: Path, slug: str = SLUG) -> Engine:
    return Engine(context(show_dir, slug), [produced, publish, feed])


@pytest.fixture
def show_dir(tmp_path) -> Path:
    make_show(tmp_path)
    make_episode(tmp_path, report=False)  # no report.json yet: the first run of this episode
    return tmp_path


def test_publish_and_then_the_show_level_feed_are_the_last_stages():
    assert all_stages()[-2:] == [publish, feed] and feed.SCOPE == "show"


def test_the_stage_publishes_the_episode_it_runs_and_reports_where(show_dir):
    run = engine(show_dir)
    results = run.run()
    assert [(r.name, r.status) for r in results] == [("produced", "done"), ("publish", "done"), ("feed", "done")]

    feed = show_dir / "feed" / "feed.xml"
    parsed = feedparser.parse(feed.read_bytes())
    assert [e.link for e in parsed.entries] == [f"{BASE_URL}episodes/{SLUG}/"]
    report = fsutil.read_json(run.ctx.paths.report)
    assert report["outputs"]["feed"] == str(feed.resolve())
    assert report["outputs"]["page"] == str((show_dir / "feed" / "episodes" / SLUG / "index.html").resolve())
    assert Path(report["outputs"]["page"]).is_file()
    assert report["outputs"]["audio"] == f"{SLUG}.mp3"
    assert report["publish"]["feed_url"] == BASE_URL + "feed.xml"


def test_unchanged_inputs_skip_and_a_changed_transcript_reruns(show_dir):
    engine(show_dir).run()
    assert [r.status for r in engine(show_dir).run()] == ["skipped", "skipped", "skipped"]

    vtt = show_dir / "episodes" / SLUG / "transcript" / f"{SLUG}.vtt"
    vtt.write_text(vtt.read_text().replace("Welkom", "Goedemiddag"))
    again = engine(show_dir)
    assert "input changed" in again.stale_reason(publish) and "input changed" in again.stale_reason(feed)
    assert [r.status for r in again.run()] == ["skipped", "done", "done"]
    published = show_dir / "feed" / "episodes" / SLUG / f"{SLUG}.vtt"
    assert "Goedemiddag" in published.read_text()


def test_publishing_another_episode_leaves_this_one_clean_and_keeps_its_item(show_dir):
    engine(show_dir).run()
    before = feedparser.parse((show_dir / "feed" / "feed.xml").read_bytes()).entries[0]
    make_episode(show_dir, slug="2025-01-16-slotevent", date="2025-01-16", number=2, title="Het slotevent",
                 report=False)
    assert [r.status for r in engine(show_dir, "2025-01-16-slotevent").run()] == ["done", "done", "done"]
    parsed = feedparser.parse((show_dir / "feed" / "feed.xml").read_bytes())
    assert [e.title for e in parsed.entries] == ["Het slotevent", before.title]
    after = parsed.entries[1]
    assert (after.id, after.enclosures[0].href, after.published) == (
        before.id, before.enclosures[0].href, before.published)
    # the first episode's status: nothing to do, its page untouched, the feed's (show-level) record current
    assert [(stage.NAME, reason) for stage, reason in engine(show_dir).plan()] == [
        ("produced", None), ("publish", None), ("feed", None)]
    inputs = json.loads((show_dir / "work" / "manifest.json").read_text())["stages"]["feed"]["inputs"]
    assert inputs["episodes/2025-01-16-slotevent/2025-01-16-slotevent.mp3"]
    assert inputs["feed/episodes/2025-01-16-slotevent/2025-01-16-slotevent.mp3"]  # the copy the feed describes
    assert "feed" not in json.loads((show_dir / "episodes" / SLUG / "work" / "manifest.json").read_text())["stages"]


def test_a_feed_changed_by_hand_is_rebuilt_by_any_episode_run(show_dir):
    engine(show_dir).run()
    feed_xml = show_dir / "feed" / "feed.xml"
    good = feed_xml.read_bytes()
    feed_xml.write_text("<rss/>")
    again = engine(show_dir)
    assert again.stale_reason(feed) == "output modified since the last run: feed/feed.xml"
    assert [r.status for r in again.run()] == ["skipped", "skipped", "done"]
    assert feed_xml.read_bytes() == good


def test_without_a_tagged_mp3_the_stage_fails_clearly(show_dir):
    with pytest.raises(StageError, match="no tagged MP3"):
        Engine(context(show_dir), [publish]).run()


def test_bad_artwork_stops_the_run_before_any_stage(show_dir):
    Image.new("RGB", (1000, 1000), "navy").save(show_dir / "small.png")
    config = show_dir / "config.toml"
    config.write_text(config.read_text().replace('image = "cover.png"', 'image = "small.png"'))
    with pytest.raises(ConfigError) as error:
        engine(show_dir).check()
    assert error.value.key == "show.image" and "1400 to 3000" in error.value.problem
