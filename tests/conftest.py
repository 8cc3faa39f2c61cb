"""Shared pytest fixtures: generated audio with ground truth (showgen/synth.py), made once per test session.

Speech comes from espeak-ng through a cache ($BURGER_SYNTH_CACHE or ~/.cache/burger-pipeline/speech), so
after the first run these fixtures cost a few seconds. The truth dict is described in showgen/synth.py:
times in seconds on the recording's own timeline; "show_start"/"show_end" are the first/last show word,
"utterances" carry "speaker", "text", "start", "end", "chapter" (index into "chapters"), "events" list the
chatter/applause/soundcheck beds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from showgen import synth
from showgen.demo_scene import short_show_scene
from tests.helpers import Pristine, make_episode, make_show


@pytest.fixture(scope="session")
def render_scene(tmp_path_factory) -> Callable[..., tuple[Path, dict]]:
    """Factory: render_scene(scene, name="x.flac", sample_rate=48000, channels=2, bits=24) -> (path, truth).

    Renders into a session temp folder; the same (scene, name, options) is rendered only once per session.
    Example: render_scene(synth.scaled(short_show_scene(), level_db=-10), "quiet.flac").
    """
    folder = tmp_path_factory.mktemp("synth")
    made: dict[tuple, tuple[Path, dict]] = {}

    def render(scene: synth.Scene, name: str = "recording.flac", **options) -> tuple[Path, dict]:
        key = (scene, name, tuple(sorted(options.items())))
        if key not in made:
            path = folder / f"{len(made)}-{name}"
            made[key] = (path, synth.render(scene, path, **options))
        return made[key]

    return render


@pytest.fixture(scope="session")
def demo_like_recording(render_scene) -> tuple[Path, dict]:
    """(path, truth) of a ~90 s show like the demo: 48 kHz stereo 24-bit FLAC.

    About 20 s of chatter with a sound check before the show, host opening ("Opening"), part 1 with Marije
    Boerlaagh (6 dB quieter) and Mike Brantjes, host thanks + applause + a 2 s pause, part 2 with Jornt van
    Zuijlen and Steven Blok, host closing ("Afsluiting"), then applause and chatter (about 11 s). Four chapters
    with the titles of showgen.demo_scene.CHAPTERS; speakers: "Presentator" plus the four guests.
    Do not modify the file: it is shared by every test of the session (copy it first).
    """
    return render_scene(short_show_scene(), "burger-centraal-short.flac")


@pytest.fixture(scope="session")
def audio_path_run(tmp_path_factory, demo_like_recording) -> Pristine:
    """demo_like_recording as episode "ep" of a plain show (tests.helpers.make_show, no people, no chapters) through
    the audio stages ingest .. tag, once per session. A test takes `audio_path_run.fresh()`: the episode folder as
    those stages left it; the show's config.toml is in the folder two levels up."""
    from tests.stages.audio_path import run_audio_path

    show = tmp_path_factory.mktemp("audio-path") / "show"
    make_show(show)
    folder = make_episode(show, "ep", [demo_like_recording[0]])
    assert set(run_audio_path(folder).values()) == {"done"}
    return Pristine.keep(show, folder)


@pytest.fixture(scope="session")
def produced_episode(tmp_path_factory, demo_like_recording) -> Pristine:
    """demo_like_recording with the demo's people and chapters through every stage with the real CLI, once per
    session (tests.review_studio.run_episode). A test that writes takes `produced_episode.fresh()` first."""
    from tests.review_studio import run_episode

    return run_episode(tmp_path_factory.mktemp("produced"), demo_like_recording[0])
