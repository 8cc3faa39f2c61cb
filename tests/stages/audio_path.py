"""Run the audio stages (ingest .. tag) of an episode folder through the real engine."""

from __future__ import annotations

from pathlib import Path

from pipeline.engine import Engine, load_context
from pipeline.stages import encode, ingest, normalise, tag, trim

AUDIO_STAGES = [ingest, trim, normalise, encode, tag]


def audio_engine(episode_dir: Path) -> Engine:
    return Engine(load_context(episode_dir), AUDIO_STAGES)


def run_audio_path(episode_dir: Path, **kwargs) -> dict[str, str]:
    engine = audio_engine(episode_dir)
    engine.check()
    return {r.name: r.status for r in engine.run(**kwargs)}
