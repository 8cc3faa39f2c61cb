"""Load and validate the show config (config.toml) and an episode file (episode.toml).

Both are read once into frozen dataclasses. Every problem (unknown key, wrong type, missing field, impossible
value) raises ConfigError naming the file, the dotted key and what is expected. Relative paths resolve against
the file that names them. Facts that need the audio (an override past the end) are checked by the stage that
first knows the audio's length, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.timefmt import parse_clock

EMBEDDED_MODEL = "embedded"
PLACEHOLDER = "TODO"  # `pipeline new` marks what the producer must fill in; such a value is refused
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".aiff", ".aif", ".w64"}


# ---------------------------------------------------------------- reading helpers


class _Table:
    """A TOML table being read: every key must be taken, whatever is left over is an unknown key."""

    def __init__(self, file: Path, prefix: str, data: Any):
        self.file, self.prefix = file, prefix
        if not isinstance(data, dict):
            raise ConfigError(file, prefix or None, f"expected a table, got {_kind(data)}")
        self.data = dict(data)
        self.taken: list[str] = []  # keys read so far: what a misspelt leftover key is compared with

    def known(self, *names: str) -> None:
        """Refuse the first key that is not one of `names` before any value is read, so a misspelt key is
        reported as itself (with the key it probably meant), not as the key it hides being missing."""
        for name in self.data:
            if name not in names:
                raise self.error(name, _unknown(name, names))

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, name: str, problem: str) -> ConfigError:
        return ConfigError(self.file, self.key(name), problem)

    def take(self, name: str, kind: type | tuple, default: Any = ..., expect: str | None = None) -> Any:
        self.taken.append(name)
        if name not in self.data:
            if default is ...:
                raise self.error(name, f"missing; expected {expect or _expect(kind)}")
            return default
        value = self.data.pop(name)
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            raise self.error(name, f"expected {expect or _expect(kind)}, got {_kind(value)} {value!r}")
        return value

    def number(self, name: str, default: float, lo: float, hi: float) -> float:
        value = self.take(name, float, default)
        if not lo <= value <= hi:
            raise self.error(name, f"expected a number from {lo:g} to {hi:g}, got {value:g}")
        return value

    def integer(self, name: str, default: Any, lo: int, hi: int) -> int | None:
        value = self.take(name, int, default)
        if value is not None and not lo <= value <= hi:
            raise self.error(name, f"expected a whole number from {lo} to {hi}, got {value}")
        return value

    def choice(self, name: str, default: Any, options: tuple[str, ...]) -> str:
        value = self.take(name, str, default, expect="one of " + ", ".join(repr(o) for o in options))
        if value not in options:
            raise self.error(name, f"expected one of {', '.join(repr(o) for o in options)}, got {value!r}")
        return value

    def text(self, name: str, default: Any = ..., nonempty: bool = True) -> Any:
        value = self.take(name, str, default)
        if nonempty and isinstance(value, str) and not value.strip():
            raise self.error(name, "must not be empty")
        if isinstance(value, str) and value.lstrip().startswith(PLACEHOLDER):
            raise self.error(name, f"still the placeholder {value.strip()!r} that `pipeline new` wrote; fill it in")
        return value.strip() if isinstance(value, str) else value

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.take(name, (list, str), [], expect="a list of strings")
        if isinstance(value, str):
            value = [value]
        for item in value:
            if not isinstance(item, str):
                raise self.error(name, f"expected a list of strings, found {_kind(item)} {item!r}")
            if item.lstrip().startswith(PLACEHOLDER):
                raise self.error(name, f"still the placeholder {item!r} that `pipeline new` wrote; fill it in")
        return tuple(v.strip() for v in value if v.strip())

    def clock(self, name: str) -> float | None:
        value = self.take(name, (str, int, float), None, expect='a time "HH:MM:SS.mmm" or seconds')
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return parse_clock(value)
            except ValueError as exc:
                raise self.error(name, str(exc)) from None
        if value < 0:
            raise self.error(name, f"expected a time of 0 or later, got {value}")
        return round(float(value), 3)

    def path(self, name: str, default: Any = ..., must_exist: bool = False) -> Path | None:
        value = self.text(name, default)
        if value is None:
            return None
        path = (self.file.parent / Path(value).expanduser()).resolve()
        if must_exist and not path.exists():
            raise self.error(name, f"file not found: {path}")
        return path

    def table(self, name: str) -> "_Table":
        self.taken.append(name)
        return _Table(self.file, self.key(name), self.data.pop(name, {}))

    def tables(self, name: str) -> list["_Table"]:
        self.taken.append(name)
        value = self.data.pop(name, [])
        if not isinstance(value, list):
            raise self.error(name, f"expected an array of tables ([[{name}]]), got {_kind(value)}")
        # numbered from 1, as a producer counts the [[name]] blocks in the file
        return [_Table(self.file, f"{self.key(name)} #{i + 1}", item) for i, item in enumerate(value, 0)]

    def done(self) -> None:
        if self.data:
            name = sorted(self.data)[0]
            raise self.error(name, _unknown(name, tuple(self.taken)))


def _unknown(name: str, names: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else "check the spelling; "
    return f"unknown key ({hint}the README lists every key)"


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a whole number", float: "a number", str: "a string", list: "a list",
            dict: "a table", dt.date: "a date", dt.datetime: "a date-time"}.get(type(value), type(value).__name__)


def _expect(kind: type | tuple) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(_kind(k()) if k not in (dt.date,) else "a date (2024-06-13)" for k in kinds)


def _load_toml(path: Path, missing: str) -> dict:
    if not path.is_file():
        raise ConfigError(path, None, missing)
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"not valid TOML: {exc}. Text goes in quotes (title = \"...\"), dates "
                                      "without quotes as year-month-day (date = 2024-06-13)") from None
    except UnicodeDecodeError:
        raise ConfigError(path, None, "not valid TOML: the file is not UTF-8 text") from None


# ---------------------------------------------------------------- the show: config.toml

APPLE_CATEGORIES = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden",
                "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News",
             "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion",
                                "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences",
                "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby",
               "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}


ROLE_LABELS = {"host": "presentator", "guest": "gast"}  # how a role reads in Dutch text, everywhere


@dataclass(frozen=True)
class Person:
    name: str
    role: str = "guest"  # host | guest (Podcasting 2.0 roles in the "cast" group)
    about: str = ""
    href: str | None = None
    img: str | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class ShowInfo:
    title: str
    description: str
    author: str
    owner_name: str
    owner_email: str
    image: Path
    base_url: str
    copyright: str
    language: str = "nl"
    category: str = "Government"
    subcategory: str | None = None
    explicit: bool = False
    link: str | None = None  # the show's website; defaults to the published show page
    type: str = "episodic"
    medium: str = "podcast"
    locked: bool = True
    guid: str | None = None  # podcast:guid; computed from the feed URL when absent
    hosts: tuple[Person, ...] = ()


@dataclass(frozen=True)
class AudioSettings:
    loudness_target: float = -16.0
    true_peak: float = -1.0
    bitrate: int = 128
    sample_rate: int = 44100
    channels: str = "auto"  # auto (mono stays mono, else stereo) | mono | stereo
    leveler: bool = True  # gentle compression so quiet and loud speakers sit closer together
    pad: float = 0.6  # seconds of natural room kept before the first and after the last word
    fade: float = 0.4  # seconds of fade-in / fade-out inside the pad


@dataclass(frozen=True)
class TranscriptionSettings:
    model: str = EMBEDDED_MODEL
    device: str = "auto"
    compute_type: str = "auto"
    language: str = "nl"
    beam_size: int = 5
    cpu_threads: int = 0
    model_cache: Path | None = None  # where the embedded model is joined; default: XDG cache
    use_names: bool = True  # give the people's names to Whisper as hints (echoes are filtered out)
    window: float = 300.0  # seconds of audio given to Whisper at a time (keeps memory flat)


@dataclass(frozen=True)
class Paths:
    episodes: Path
    feed: Path


@dataclass(frozen=True)
class ShowConfig:
    file: Path
    show: ShowInfo
    audio: AudioSettings
    transcription: TranscriptionSettings
    paths: Paths


def _person(table: _Table, roles: tuple[str, ...] = ("host", "guest")) -> Person:
    table.known("name", "role", "about", "href", "img")
    person = Person(
        name=table.text("name"),
        role=table.choice("role", "guest", roles),
        about=table.text("about", "", nonempty=False),
        href=_url(table, "href"),
        img=_url(table, "img"),
    )
    table.done()
    return person


def _url(table: _Table, name: str, default: Any = None) -> str | None:
    value = table.text(name, default)
    if value is not None and not value.startswith(("http://", "https://")):
        raise table.error(name, f"expected an absolute URL starting with https://, got {value!r}")
    return value


def _podcast_guid(table: _Table) -> str | None:
    """[show] guid: the podcast:guid, a UUID (publish computes and keeps one when absent)."""
    value = table.text("guid", None)
    if value is not None:
        try:
            value = str(uuid.UUID(value))
        except ValueError:
            raise table.error("guid", f"expected a UUID like \"ead4c236-bf58-58c6-a2c6-a6b28d128cb6\", "
                                      f"got {value!r}") from None
    return value


def load_show(path: Path) -> ShowConfig:
    path = Path(path).resolve()
    root = _Table(path, "", _load_toml(path, "show config not found"))

    root.known("show", "audio", "transcription", "paths")
    s = root.table("show")
    s.known(*SHOW_KEYS)
    category = s.text("category", "Government")
    if category not in APPLE_CATEGORIES:
        raise s.error("category", f"expected one of Apple's categories ({', '.join(APPLE_CATEGORIES)}), "
                                  f"got {category!r}")
    subcategory = s.text("subcategory", None)
    if subcategory is not None and subcategory not in APPLE_CATEGORIES[category]:
        allowed = ", ".join(APPLE_CATEGORIES[category]) or "none"
        raise s.error("subcategory", f"expected a subcategory of {category} ({allowed}), got {subcategory!r}")
    base_url = _url(s, "base_url")
    if base_url is None:
        raise s.error("base_url", "missing; expected the https:// address where the feed/ folder is published")
    owner_email = s.text("owner_email")
    if "@" not in owner_email:
        raise s.error("owner_email", f"expected an e-mail address, got {owner_email!r}")
    show = ShowInfo(
        title=s.text("title"),
        description=s.text("description"),
        author=s.text("author"),
        owner_name=s.text("owner_name"),
        owner_email=owner_email,
        image=s.path("image", must_exist=True),
        base_url=base_url.rstrip("/") + "/",
        copyright=s.text("copyright"),
        language=s.text("language", "nl"),
        category=category,
        subcategory=subcategory,
        explicit=s.take("explicit", bool, False),
        link=_url(s, "link"),
        type=s.choice("type", "episodic", ("episodic", "serial")),
        medium=s.choice("medium", "podcast", ("podcast", "music", "video", "film", "audiobook", "newsletter",
                                              "blog")),
        locked=s.take("locked", bool, True),
        guid=_podcast_guid(s),
        hosts=tuple(_person(t, ("host",)) for t in s.tables("hosts")),
    )
    s.done()

    a = root.table("audio")
    audio = AudioSettings(
        loudness_target=a.number("loudness_target", -16.0, -31.0, -9.0),
        true_peak=a.number("true_peak", -1.0, -9.0, 0.0),
        bitrate=a.integer("bitrate", 128, 32, 320),
        sample_rate=a.integer("sample_rate", 44100, 8000, 48000),
        channels=a.choice("channels", "auto", ("auto", "mono", "stereo")),
        leveler=a.take("leveler", bool, True),
        pad=a.number("pad", 0.6, 0.0, 5.0),
        fade=a.number("fade", 0.4, 0.0, 5.0),
    )
    if audio.sample_rate not in (22050, 24000, 32000, 44100, 48000):
        raise a.error("sample_rate", f"expected 22050, 24000, 32000, 44100 or 48000 (MP3 rates), "
                                     f"got {audio.sample_rate}")
    if audio.fade > audio.pad:
        raise a.error("fade", f"the fade ({audio.fade:g} s) must fit inside the pad ({audio.pad:g} s)")
    a.done()

    t = root.table("transcription")
    transcription = TranscriptionSettings(
        model=t.text("model", EMBEDDED_MODEL),
        device=t.choice("device", "auto", ("auto", "cpu", "cuda")),
        compute_type=t.choice("compute_type", "auto", ("auto", "int8", "int8_float16", "int8_float32",
                                                       "float16", "float32", "bfloat16", "int16")),
        language=t.text("language", "nl"),
        beam_size=t.integer("beam_size", 5, 1, 20),
        cpu_threads=t.integer("cpu_threads", 0, 0, 256),
        model_cache=t.path("model_cache", None),
        use_names=t.take("use_names", bool, True),
        window=t.number("window", 300.0, 30.0, 3600.0),
    )
    t.done()

    p = root.table("paths")
    paths = Paths(episodes=p.path("episodes", "episodes"), feed=p.path("feed", "feed"))
    p.done()
    root.done()
    return ShowConfig(file=path, show=show, audio=audio, transcription=transcription, paths=paths)


def find_show_config(start: Path) -> Path | None:
    """The nearest config.toml in `start` or a folder above it."""
    for folder in [Path(start).resolve(), *Path(start).resolve().parents]:
        candidate = folder / "config.toml"
        if candidate.is_file():
            return candidate
    return None


# ---------------------------------------------------------------- an episode: episode.toml


@dataclass(frozen=True)
class ChapterPlan:
    title: str
    people: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    start: float | None = None  # exact override, seconds of the published audio
    approx: float | None = None  # hint: roughly here (seconds of the published audio)
    url: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class TrimOverride:
    start: float | None = None  # seconds of the source timeline
    end: float | None = None


@dataclass(frozen=True)
class Location:
    name: str
    geo: str | None = None  # "geo:52.0767,4.3113"
    osm: str | None = None  # "W123456"
    country: str | None = None  # ISO 3166-1 alpha-2, e.g. "NL"
    address: str | None = None


@dataclass(frozen=True)
class Episode:
    dir: Path
    file: Path
    slug: str
    title: str
    date: dt.date
    description: str
    sources: tuple[Path, ...]
    number: int | None = None
    season: int | None = None
    episode_type: str = "full"
    subtitle: str | None = None
    image: Path | None = None  # episode artwork (JPEG/PNG, 1400-3000 px square); default: the show's cover
    guid: str | None = None  # the item's guid; defaults to a stable one derived from the slug
    trim: TrimOverride = field(default_factory=TrimOverride)
    people: tuple[Person, ...] = ()
    chapters: tuple[ChapterPlan, ...] = ()
    location: Location | None = None
    speakers: dict[str, str] = field(default_factory=dict)  # pinned voice -> name, e.g. {"Spreker 1" = "Mike"}

    @property
    def hosts(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.role == "host")

    @property
    def guests(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.role == "guest")


EPISODE_KEYS = ("title", "date", "description", "source", "number", "season", "episode_type", "subtitle", "guid",
                "image", "trim", "people", "chapters", "location", "speakers")
SHOW_KEYS = ("title", "description", "author", "owner_name", "owner_email", "image", "base_url", "copyright",
             "language", "category", "subcategory", "explicit", "link", "type", "medium", "locked", "guid", "hosts")


def load_episode(folder: Path, require_sources: bool = True) -> Episode:
    """Read episode.toml. With require_sources=False (publishing), recordings that were archived are no error."""
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise ConfigError(folder, None, "episode folder not found (create one with: pipeline new FOLDER)")
    path = folder / "episode.toml"
    root = _Table(path, "", _load_toml(path, "no episode.toml here (create one with: pipeline new FOLDER)"))
    root.known(*EPISODE_KEYS)

    sources_raw = root.take("source", (str, list), expect="a file name or a list of file names")
    sources_raw = [sources_raw] if isinstance(sources_raw, str) else sources_raw
    if not sources_raw:
        raise root.error("source", "expected at least one recording file")
    sources = []
    for i, item in enumerate(sources_raw):
        key = "source" if len(sources_raw) == 1 else f"source #{i + 1}"
        if not isinstance(item, str) or not item.strip():
            raise root.error(key, f"expected a file name, got {item!r}")
        source = (folder / Path(item).expanduser()).resolve()
        if require_sources and not source.exists():
            raise root.error(key, f"recording not found: {source} (copy the recording there or fix the name)")
        if require_sources and not source.is_file():
            raise root.error(key, f"not a file: {source}")
        sources.append(source)
    if len(set(sources)) != len(sources):
        raise root.error("source", "the same file is listed twice")

    date = root.take("date", dt.date, expect="a date like 2024-06-13 (no quotes)")
    if isinstance(date, dt.datetime):
        date = date.date()

    trim_table = root.table("trim")
    trim = TrimOverride(start=trim_table.clock("start"), end=trim_table.clock("end"))
    if trim.start is not None and trim.end is not None and trim.end <= trim.start:
        raise trim_table.error("end", f"the end ({trim.end:.3f} s) must come after the start ({trim.start:.3f} s)")
    trim_table.done()

    people = tuple(_person(t) for t in root.tables("people"))
    names = [p.name for p in people]
    if len(set(names)) != len(names):
        raise root.error("people", "a name is listed twice")

    chapters = []
    for table in root.tables("chapters"):
        table.known("title", "people", "keywords", "start", "approx", "url", "img")
        chapter = ChapterPlan(
            title=table.text("title"),
            people=table.strings("people"),
            keywords=table.strings("keywords"),
            start=table.clock("start"),
            approx=table.clock("approx"),
            url=_url(table, "url"),
            img=_url(table, "img"),
        )
        for name in chapter.people:
            if name not in names:
                raise table.error("people", f"{name!r} is not in [[people]] (known: {', '.join(names) or 'none'})")
        table.done()
        chapters.append(chapter)
    starts = [(i, c.start) for i, c in enumerate(chapters) if c.start is not None]
    for (_, a), (j, b) in zip(starts, starts[1:]):
        if b <= a:
            raise ConfigError(path, f"chapters #{j + 1}.start", "chapter starts must increase in the order listed")

    location = None
    if "location" in root.data:
        loc = root.table("location")
        loc.known("name", "geo", "osm", "country", "address")
        location = Location(name=loc.text("name"), geo=loc.text("geo", None), osm=loc.text("osm", None),
                            country=loc.text("country", None), address=loc.text("address", None))
        if location.geo is not None and not location.geo.startswith("geo:"):
            raise loc.error("geo", f'expected a geo URI like "geo:52.0767,4.3113", got {location.geo!r}')
        loc.done()

    speakers_table = root.table("speakers")
    speakers = {}
    for voice in list(speakers_table.data):
        name = speakers_table.text(voice)
        if name not in names:
            raise speakers_table.error(voice, f"{name!r} is not in [[people]] (known: {', '.join(names)})")
        speakers[voice] = name

    number = root.integer("number", None, 0, 100000)
    episode = Episode(
        dir=folder,
        file=path,
        slug=folder.name,
        title=root.text("title"),
        date=date,
        description=root.text("description"),
        sources=tuple(sources),
        number=number,
        season=root.integer("season", None, 0, 10000),
        episode_type=root.choice("episode_type", "full", ("full", "trailer", "bonus")),
        subtitle=root.text("subtitle", None),
        image=root.path("image", None, must_exist=True),
        guid=root.text("guid", None),
        trim=trim,
        people=people,
        chapters=tuple(chapters),
        location=location,
        speakers=speakers,
    )
    root.done()
    return episode

