"""Find the publishable episodes and read what the stages left for them.

Reads, per episode folder under [paths].episodes: episode.toml, report.json (its "outputs" tell which files the
stages produced: "audio", "transcripts", "chapters"), work/manifest.json (whether the MP3 is still the one the
tag stage made), the MP3 header (mutagen: length, and that it is an MP3), and the Podcasting 2.0 chapters JSON
(or report.json "chapters" when there is none). Writes nothing.

An episode without a report.json that lists an audio output is not produced yet: it is skipped with a log line.

Only a finished MP3 is published. Encode writes `<slug>.mp3` untagged and the tag stage writes the tags into it
later, so between the two (most of a run, or for good when a run stops there) the episode folder holds an MP3
that must not reach listeners. An MP3 counts as finished while the record of the stage that listed it (report.json
"audio", the tag stage) still holds its SHA-256 (`audio_is_current`); otherwise the episode stays as the site
holds it: that MP3 with the transcripts and chapters published with it (and it is left out when the site has no
copy yet).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Mapping

from pipeline import fsutil
from pipeline.chapter import Chapter, show_notes_lines
from pipeline.config import Episode, ShowConfig, load_episode
from pipeline.engine import Manifest
from pipeline.errors import InputError
from pipeline.identity import guid_of
from pipeline.layout import EpisodePaths
from pipeline.publish.model import TRANSCRIPT_FORMATS, PublishedEpisode, SiteLayout, publication_time

log = logging.getLogger("pipeline.publish")


def episode_dirs(root: Path) -> list[Path]:
    """Every folder directly under `root` that holds an episode.toml, in name order."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "episode.toml").is_file())


def read_report(folder: Path) -> dict | None:
    path = EpisodePaths.for_dir(folder).report
    try:
        data = fsutil.read_json(path)
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); run the episode again to rewrite it") from None
    return data if isinstance(data, dict) else None


def _output_path(folder: Path, value: Any) -> Path | None:
    if not isinstance(value, (str, Path)) or not str(value):
        return None
    path = Path(value)
    return path if path.is_absolute() else folder / path


def _require_file(slug: str, what: str, path: Path) -> Path:
    if not path.is_file():
        raise InputError(f"{slug}: report.json lists the {what} {path}, but the file is missing; "
                         f"run `pipeline run` on the episode again")
    return path


def audio_is_current(folder: Path, audio: Path) -> bool:
    """Whether `audio` is still the file the stage that named it as its "audio" output made: that stage's record
    in the episode's work/manifest.json holds the file's SHA-256 now (hashes cached by size and mtime, as the
    engine keeps them). False while encode's untagged MP3 stands in its place (a run stopped or still running
    between encode and tag), when the file was changed since, or when there is no readable record."""
    manifest = Manifest(folder, EpisodePaths.for_dir(folder).manifest)
    key = manifest.key(audio)
    for record in manifest.stages.values():
        named = _output_path(folder, ((record.get("outcome") or {}).get("outputs") or {}).get("audio"))
        if named is not None and manifest.key(named) == key:
            return (record.get("outputs") or {}).get(key) == manifest.digest(audio)
    return False


def published_audio(show: ShowConfig, slug: str) -> Path:
    """Where the site serves the MP3 of episode `slug`."""
    return show.paths.feed / SiteLayout.episode_dir(slug) / SiteLayout.audio_name(slug)


def mp3_length(path: Path, slug: str) -> float:
    """Length in seconds from the MP3 header; InputError when the file is not an MP3 (feed says audio/mpeg)."""
    from mutagen import MutagenError
    from mutagen.mp3 import MP3

    try:
        length = MP3(path).info.length
    except (MutagenError, OSError) as exc:
        raise InputError(f"{slug}: {path} is not a readable MP3 ({exc}); the feed announces audio/mpeg") from None
    if not length or length <= 0:
        raise InputError(f"{slug}: {path} has no audio length; encode the episode again")
    return float(length)


def read_chapters_json(path: Path, slug: str) -> tuple[Chapter, ...]:
    """Chapters from a Podcasting 2.0 JSON chapters file (entries with "toc": false are not listed)."""
    try:
        data = fsutil.read_json(path)
        chapters = tuple(
            Chapter(start=float(c["startTime"]), title=str(c.get("title", "")).strip(), url=c.get("url"),
                    img=c.get("img"))
            for c in data["chapters"] if c.get("toc", True) is not False
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{slug}: {path} is not a Podcasting 2.0 chapters file ({type(exc).__name__}: {exc})"
                         ) from None
    return tuple(sorted(chapters, key=lambda c: c.start))


def is_copy_of(target: Path, source: Path) -> bool:
    """Whether `target` is the site's copy of `source`: the same size and modification time (copies keep the
    source's mtime; pipeline.publish.site.copy_if_changed copies when this is False)."""
    try:
        a, b = target.stat(), source.stat()
    except FileNotFoundError:
        return False
    return a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns


def collect_episode(show: ShowConfig, folder: Path, report: Mapping | None, podcast_guid: str,
                    as_on_site: bool = False) -> PublishedEpisode | None:
    """The episode as it is to be published, or None (logged) when it has no audio output yet. With `as_on_site`
    (for the feed alone, written without the episodes' folders), the episode as the site holds it: left out when
    the site has no MP3 of it, and described by the site's files when its MP3 there is not the episode's (its
    publish stage has not run since tag)."""
    slug = folder.name
    outputs = (report or {}).get("outputs") or {}
    audio = _output_path(folder, outputs.get("audio"))
    if report is None or audio is None:
        log.info("skipping %s: not produced yet (no report.json with an audio output)", slug)
        return None
    episode = load_episode(folder, require_sources=False)
    _require_file(slug, "audio", audio)
    if not audio_is_current(folder, audio):
        served = published_audio(show, slug)
        why = (f"{audio.name} is not the MP3 its tag stage made (a run stopped or is running between encode and "
               f"tag, or the file changed since)")
        if not served.is_file():
            log.warning("skipping %s: %s and the site has no copy yet; run `pipeline run` on it", slug, why)
            return None
        log.warning("%s: %s; the site keeps what it published before", slug, why)
        return _as_published(show, episode, served, podcast_guid)
    if as_on_site:
        served = published_audio(show, slug)
        if not served.is_file():
            log.warning("%s is not on the site yet (its publish stage has not run); left out of the feed", slug)
            return None
        if not is_copy_of(served, audio):
            log.info("%s: the site holds an earlier version (its publish stage has not run since tag); the feed "
                     "describes that", slug)
            return _as_published(show, episode, served, podcast_guid)

    transcripts: dict[str, Path] = {}
    listed = outputs.get("transcripts") or {}
    for fmt in TRANSCRIPT_FORMATS:
        path = _output_path(folder, listed.get(fmt)) if isinstance(listed, dict) else None
        if path is not None:
            transcripts[fmt] = _require_file(slug, f"{fmt} transcript", path)

    chapters_file = _output_path(folder, outputs.get("chapters"))
    if chapters_file is not None:
        chapters = read_chapters_json(_require_file(slug, "chapters", chapters_file), slug)
    else:
        listed_chapters = (report or {}).get("chapters") or []
        try:
            chapters = tuple(sorted((Chapter(start=float(c["start"]), title=str(c["title"]).strip())
                                     for c in listed_chapters), key=lambda c: c.start))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{slug}: report.json \"chapters\" is malformed ({exc}); run the episode again"
                             ) from None

    return _episode(show, episode, audio, podcast_guid, transcripts, chapters_file, chapters)


def _as_published(show: ShowConfig, episode: Episode, audio: Path, podcast_guid: str) -> PublishedEpisode:
    """The episode as the site holds it (its MP3 at `audio` there): the transcripts and chapters published with
    that MP3, not those a newer, unfinished run left in the episode folder (they may belong to other audio)."""
    slug, site = episode.slug, audio.parent
    transcripts = {fmt: site / SiteLayout.transcript_name(slug, fmt) for fmt in TRANSCRIPT_FORMATS
                   if (site / SiteLayout.transcript_name(slug, fmt)).is_file()}
    chapters_file: Path | None = site / SiteLayout.chapters_name(slug)
    chapters = read_chapters_json(chapters_file, slug) if chapters_file.is_file() else ()
    return _episode(show, episode, audio, podcast_guid, transcripts, chapters_file if chapters else None, chapters)


def _episode(show: ShowConfig, episode: Episode, audio: Path, podcast_guid: str, transcripts: dict[str, Path],
             chapters_file: Path | None, chapters: tuple[Chapter, ...]) -> PublishedEpisode:
    return PublishedEpisode(
        episode=episode,
        audio=audio,
        audio_bytes=audio.stat().st_size,
        duration=mp3_length(audio, episode.slug),
        guid=guid_of(episode, podcast_guid),
        pub_date=publication_time(episode.date),
        artwork=episode.image or show.show.image,
        transcripts=transcripts,
        chapters_file=chapters_file,
        chapters=chapters,
        chapter_lines=tuple(show_notes_lines(chapters)),
    )


def read_transcript_segments(path: Path, slug: str) -> list[dict]:
    """Segments of a Podcasting 2.0 JSON transcript: [{"startTime", "endTime", "body", "speaker"?}, ...]."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        segments = [s for s in data["segments"] if str(s.get("body", "")).strip()]
        for s in segments:
            float(s["startTime"]), float(s.get("endTime", s["startTime"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{slug}: {path} is not a Podcasting 2.0 JSON transcript ({type(exc).__name__}: {exc})"
                         ) from None
    return segments
