"""`pipeline new`: write a commented episode.toml for the producer to fill in. Never overwrites one.

The date comes from a folder name that starts with YYYY-MM-DD (the README's naming: 2024-09-12-aflevering-2),
else from --date, else today. The number is one more than the highest `number` among the other episode
folders next to the new one (the show's episodes/ folder), so two episodes of a show do not share a number.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

from jinja2 import Environment, PackageLoader

from pipeline import fsutil
from pipeline.errors import ConfigError

_DATED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?!\d)")


def date_from_name(name: str) -> dt.date | None:
    """The date a folder name starts with ("2024-09-12-aflevering-2" -> 2024-09-12), or None. Pure.

    ValueError when the name starts like a date that does not exist (2024-13-45)."""
    match = _DATED.match(name)
    if match is None:
        return None
    return dt.date(*map(int, match.groups()))


def next_number(numbers: list[int]) -> int:
    """The episode number after the highest one in use; 1 for the first episode. Pure."""
    return max(numbers, default=0) + 1


def sibling_numbers(folder: Path) -> list[int]:
    """The `number` of every other episode folder next to `folder` (read as plain TOML: an episode that is
    still being filled in counts too; an unreadable file is passed over, `run` reports it)."""
    numbers = []
    for other in sorted(Path(folder).parent.glob("*/episode.toml")):
        if other.parent.resolve() == Path(folder).resolve():
            continue
        try:
            number = tomllib.loads(other.read_text(encoding="utf-8")).get("number")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            continue
        if isinstance(number, int) and not isinstance(number, bool):
            numbers.append(number)
    return numbers


def write_episode_template(folder: Path, title: str, date: dt.date | None = None) -> Path:
    """Write folder/episode.toml. `date`: the --date option; None takes it from the folder name, else today."""
    folder = Path(folder)
    target = folder / "episode.toml"
    if target.exists():
        raise ConfigError(target, None, "already exists; edit it instead (nothing was changed)")
    if date is None:
        try:
            date = date_from_name(folder.name) or dt.date.today()
        except ValueError:
            raise ConfigError(folder, None, f"the folder name starts with {folder.name[:10]!r}, which is not a "
                                            "date; rename it (YYYY-MM-DD-title) or pass --date") from None
    number = next_number(sibling_numbers(folder))
    env = Environment(loader=PackageLoader("pipeline", "templates"), keep_trailing_newline=True)
    text = env.get_template("episode.toml.j2").render(title=title.replace('"', '\\"'), date=date.isoformat(),
                                                      number=number)
    folder.mkdir(parents=True, exist_ok=True)
    fsutil.write_text(target, text)
    return target
