"""Checks before anything is written: Apple's rules for the feed, the artwork, URLs and unique guids.

`site_problems` returns every problem found (pure, apart from opening the artwork with Pillow); `raise_problems`
turns them into one ConfigError that names the file and key of the first and counts the rest. A show whose
artwork fails is refused, not published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Episode, Person, ShowConfig
from pipeline.errors import ConfigError
from pipeline.publish.model import PublishedEpisode

MAX_TITLE_CHARS = 255
MAX_DESCRIPTION_BYTES = 4000
MAX_P20_TEXT = 128  # podcast:person / podcast:location text (Podcasting 2.0 schema)
ARTWORK_MIN, ARTWORK_MAX = 1400, 3000
ARTWORK_SUFFIXES = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg")}


@dataclass(frozen=True)
class Problem:
    file: Path
    key: str
    problem: str


def artwork_problem(path: Path) -> str | None:
    """Why Apple would refuse this artwork, or None: JPEG/PNG, extension matching content, RGB, square 1400-3000."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            kind, (width, height), mode = image.format, image.size, image.mode
    except FileNotFoundError:
        return f"{path}: file not found"
    except (UnidentifiedImageError, OSError):
        return f"{path}: not an image Apple Podcasts accepts (save it as JPEG or PNG)"
    if kind not in ARTWORK_SUFFIXES:
        return f"{path}: is {kind}; Apple Podcasts accepts only JPEG or PNG"
    if path.suffix.lower() not in ARTWORK_SUFFIXES[kind]:
        return (f"{path}: contains {kind} but is named {path.suffix or '(no extension)'}; "
                f"rename it to {ARTWORK_SUFFIXES[kind][0]}")
    if mode not in ("RGB", "RGBA", "P", "L"):
        return f"{path}: uses the {mode} colour space; save it as RGB"
    if width != height:
        return f"{path}: is {width}x{height} px; the artwork must be square (1400 to 3000 px)"
    if not ARTWORK_MIN <= width <= ARTWORK_MAX:
        return f"{path}: is {width}x{height} px; Apple needs {ARTWORK_MIN} to {ARTWORK_MAX} px square"
    return None


def _https_problem(value: str | None) -> str | None:
    if value is not None and not value.startswith("https://"):
        return f"expected an absolute https:// URL, got {value!r}"
    return None


def _text_problem(value: str, max_chars: int | None = None, max_bytes: int | None = None,
                  what: str = "text") -> str | None:
    if not value or not value.strip():
        return f"the {what} is empty"
    if max_chars is not None and len(value) > max_chars:
        return f"the {what} is {len(value)} characters; Apple allows {max_chars}"
    if max_bytes is not None and len(value.encode("utf-8")) > max_bytes:
        return f"the {what} is {len(value.encode('utf-8'))} bytes; Apple allows {max_bytes}: shorten it"
    return None


def _people_problems(file: Path, key: str, people: tuple[Person, ...]) -> list[Problem]:
    problems = []
    for i, person in enumerate(people):
        for attr in ("href", "img"):
            if problem := _https_problem(getattr(person, attr)):
                problems.append(Problem(file, f"{key}[{i}].{attr}", problem))
        if len(person.name) > MAX_P20_TEXT:
            problems.append(Problem(file, f"{key}[{i}].name", f"longer than {MAX_P20_TEXT} characters"))
    return problems


def site_problems(show: ShowConfig, episodes: list[PublishedEpisode],
                  notes: dict[str, tuple[str, str]]) -> list[Problem]:
    """Every reason the feed would be refused or unstable. `notes`: slug -> (plain text, HTML) show notes."""
    info, file = show.show, show.file
    problems: list[Problem] = []

    def add(f: Path, key: str, problem: str | None) -> None:
        if problem:
            problems.append(Problem(f, key, problem))

    add(file, "show.base_url", _https_problem(info.base_url))
    add(file, "show.link", _https_problem(info.link))
    add(file, "show.title", _text_problem(info.title, MAX_TITLE_CHARS, what="title"))
    add(file, "show.description", _text_problem(info.description, max_bytes=MAX_DESCRIPTION_BYTES,
                                                what="description"))
    add(file, "show.author", _text_problem(info.author, what="author"))
    add(file, "show.language", _text_problem(info.language, what="language"))
    add(file, "show.image", artwork_problem(info.image))
    problems += _people_problems(file, "show.hosts", info.hosts)

    seen: dict[str, str] = {}
    numbered: dict[tuple[int | None, int], str] = {}
    for item in episodes:
        ep = item.episode
        add(ep.file, "title", _text_problem(ep.title, MAX_TITLE_CHARS, what="title"))
        if ep.subtitle is not None:
            add(ep.file, "subtitle", _text_problem(ep.subtitle, MAX_TITLE_CHARS, what="subtitle"))
        text, html = notes[item.slug]
        add(ep.file, "description", _text_problem(text, max_bytes=MAX_DESCRIPTION_BYTES,
                                                  what="show notes text (description + people + chapters)"))
        add(ep.file, "description", _text_problem(html, max_bytes=MAX_DESCRIPTION_BYTES,
                                                  what="show notes HTML (description + people + chapters)"))
        if ep.image is not None:
            add(ep.file, "image", artwork_problem(ep.image))
        problems += _people_problems(ep.file, "people", ep.people)
        for i, chapter in enumerate(item.chapters):
            where = item.chapters_file or ep.file
            add(where, f"chapters #{i + 1}.url", _https_problem(chapter.url))
            add(where, f"chapters #{i + 1}.img", _https_problem(chapter.img))
        if ep.location is not None and len(ep.location.name) > MAX_P20_TEXT:
            add(ep.file, "location.name", f"longer than {MAX_P20_TEXT} characters (podcast:location)")
        if item.audio_bytes <= 0:
            add(ep.file, "source", f"the published audio {item.audio} is empty")
        if item.guid in seen:
            add(ep.file, "guid", f"the guid {item.guid!r} is also the guid of episode {seen[item.guid]}; "
                                 f"every episode needs its own")
        seen.setdefault(item.guid, item.slug)
        if ep.number is not None:
            key = (ep.season, ep.number)
            if key in numbered:
                season = f" of season {ep.season}" if ep.season is not None else ""
                add(ep.file, "number", f"number {ep.number}{season} is also the number of episode "
                                       f"{numbered[key]}; give each episode its own number")
            numbered.setdefault(key, item.slug)
    return problems


def clash_with_others(episode: Episode, others: list[Episode]) -> tuple[str, str] | None:
    """(key, problem) when `episode` has the number (in its season) or the explicit guid of another episode of
    the show, else None. Pure; the publish stage asks it before any stage runs, the site checks ask again."""
    for other in others:
        if other.slug == episode.slug:
            continue
        if episode.guid is not None and episode.guid == other.guid:
            return "guid", (f"the guid {episode.guid!r} is also the guid of episode {other.slug}; every episode "
                            "needs its own")
        if episode.number is not None and (episode.season, episode.number) == (other.season, other.number):
            season = f" of season {episode.season}" if episode.season is not None else ""
            return "number", (f"number {episode.number}{season} is also the number of episode {other.slug}; "
                              "give each episode its own number")
    return None


def raise_problems(problems: list[Problem]) -> None:
    """One ConfigError for the first problem, mentioning how many more there are (and which)."""
    if not problems:
        return
    first, rest = problems[0], problems[1:]
    message = first.problem
    if rest:
        message += f" (and {len(rest)} more: " + "; ".join(f"{p.file.name}: {p.key}" for p in rest) + ")"
    raise ConfigError(first.file, first.key, message)
