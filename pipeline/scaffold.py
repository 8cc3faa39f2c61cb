"""`pipeline new`: write a commented episode.toml for the producer to fill in. Never overwrites one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, PackageLoader

from pipeline import fsutil
from pipeline.errors import ConfigError


def write_episode_template(folder: Path, title: str, date: dt.date) -> Path:
    folder = Path(folder)
    target = folder / "episode.toml"
    if target.exists():
        raise ConfigError(target, None, "already exists; edit it instead (nothing was changed)")
    env = Environment(loader=PackageLoader("pipeline", "templates"), keep_trailing_newline=True)
    text = env.get_template("episode.toml.j2").render(title=title.replace('"', '\\"'), date=date.isoformat())
    folder.mkdir(parents=True, exist_ok=True)
    fsutil.write_text(target, text)
    return target
