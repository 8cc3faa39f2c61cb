"""A run that stops between encode and tag leaves the episode's MP3 untagged (encode writes <slug>.mp3, tag writes
the tags into it later). Running another episode of the show, or `pipeline feed`, must then neither publish that
MP3 nor describe it in the feed: the feed's enclosure length and duration are those of the file on the site,
measured here with lxml, os.stat and ffprobe, and the file on the site stays the tagged one.

Real stages through the real engine (ingest, trim, normalise, encode, tag, publish, feed) on a ~20 s espeak show.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from pipeline.config import load_show
from pipeline.engine import Engine, load_context
from pipeline.publish import build_site
from pipeline.stages import encode, feed, ingest, normalise, publish, tag, trim
from showgen import synth
from tests.helpers import ffprobe, make_episode, make_show

pytestmark = pytest.mark.slow

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
HOST = synth.Voice("Anne de Vries", "nl+klatt", pitch=50)
SCENE = synth.Scene(events=(
    synth.Chatter(5.0, seed=7), synth.Pause(1.0),
    synth.Say(HOST, "Goedenavond, en welkom bij de Testshow.", 0.0, "Opening"),
    synth.Say(HOST, "Vanavond praten we over de bibliotheek van de wijk.", 0.5),
    synth.Say(HOST, "Dank jullie wel voor het luisteren, tot de volgende keer.", 0.6),
    synth.Applause(2.5),
))
FIRST, SECOND = "2024-06-13-eerste", "2024-09-12-tweede"


class interrupted:
    """A stage after encode whose run is interrupted (Ctrl-C), as a transcription can be: the engine writes
    neither its record nor report.json, so report.json still lists the MP3 that encode has just replaced."""

    NAME = "interrupted"

    @dataclass(frozen=True)
    class Options:
        pass

    @staticmethod
    def options(ctx):
        return interrupted.Options()

    @staticmethod
    def inputs(ctx, opts):
        return [ctx.paths.audio]

    @staticmethod
    def outputs(ctx, opts):
        return []

    @staticmethod
    def run(ctx, opts):
        raise KeyboardInterrupt


def run(folder: Path, stages, **kwargs) -> dict[str, str]:
    engine = Engine(load_context(folder), stages)
    engine.check()
    return {r.name: r.status for r in engine.run(**kwargs)}


def everything(folder: Path) -> dict[str, str]:
    return run(folder, [ingest, trim, normalise, encode, tag, publish, feed])


def served(show_dir: Path, slug: str) -> Path:
    return show_dir / "feed" / "episodes" / slug / f"{slug}.mp3"


def enclosures(show_dir: Path) -> dict[str, tuple[int, int]]:
    """slug -> (enclosure length, itunes:duration) as feed.xml says, read with lxml."""
    items = etree.parse(str(show_dir / "feed" / "feed.xml")).getroot().iter("item")
    found = {}
    for item in items:
        enclosure = item.find("enclosure")
        slug = enclosure.get("url").rsplit("/", 1)[-1].removesuffix(".mp3")
        found[slug] = (int(enclosure.get("length")), int(item.findtext(f"{ITUNES}duration")))
    return found


def assert_feed_describes_the_served_files(show_dir: Path, slugs: list[str]) -> None:
    listed = enclosures(show_dir)
    assert sorted(listed) == sorted(slugs)
    for slug, (length, duration) in listed.items():
        file = served(show_dir, slug)
        assert length == os.stat(file).st_size, slug
        assert abs(duration - float(ffprobe(file, "-show_format")["format"]["duration"])) <= 1.0, slug


def title_tag(mp3: Path) -> str | None:
    return ffprobe(mp3, "-show_format")["format"].get("tags", {}).get("title")


@pytest.fixture
def show_dir(tmp_path, render_scene) -> Path:
    recording, _ = render_scene(SCENE, "unfinished.flac")
    make_show(tmp_path)
    make_episode(tmp_path, FIRST, [recording])
    second = make_episode(tmp_path, SECOND, [recording])
    toml = second / "episode.toml"
    toml.write_text(toml.read_text().replace("number = 1", "number = 2").replace("2024-06-13", "2024-09-12"))
    return tmp_path


def test_an_untagged_mp3_left_by_a_stopped_run_never_reaches_the_feed_or_the_site(show_dir):
    first, second = show_dir / "episodes" / FIRST, show_dir / "episodes" / SECOND
    assert set(everything(first).values()) == {"done"}
    assert_feed_describes_the_served_files(show_dir, [FIRST])
    published = served(show_dir, FIRST).read_bytes()
    assert title_tag(served(show_dir, FIRST)) == "Testaflevering"

    # the first episode is encoded again and the run is interrupted before tag: its MP3 is untagged now
    with pytest.raises(KeyboardInterrupt):
        run(first, [ingest, trim, normalise, encode, interrupted, tag, publish, feed], force=("encode",))
    assert title_tag(first / f"{FIRST}.mp3") is None
    assert os.stat(first / f"{FIRST}.mp3").st_size != len(published)

    # another episode of the show is run: the feed lists both, each as the site serves it
    assert everything(second) == {name: "done" for name in
                                  ("ingest", "trim", "normalise", "encode", "tag", "publish", "feed")}
    assert_feed_describes_the_served_files(show_dir, [FIRST, SECOND])
    assert served(show_dir, FIRST).read_bytes() == published

    # `pipeline feed` rebuilds the whole site: the untagged MP3 is not copied over the published one
    build_site(load_show(show_dir / "config.toml"))
    assert served(show_dir, FIRST).read_bytes() == published
    assert_feed_describes_the_served_files(show_dir, [FIRST, SECOND])

    # the first episode's run is resumed: tag runs, and the tagged file is on the site and in the feed
    statuses = everything(first)
    assert statuses["encode"] == "skipped" and statuses["tag"] == "done"
    assert title_tag(served(show_dir, FIRST)) == "Testaflevering"
    assert_feed_describes_the_served_files(show_dir, [FIRST, SECOND])
