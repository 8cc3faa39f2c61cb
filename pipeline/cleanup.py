"""`pipeline clean`: remove from an episode's work/ folder what a run can make again, and say how much it freed.

Removed: the audio the stages made (the 16 kHz speech copy, the untagged MP3, the proxies and full-quality
WAVs older versions kept) and leftovers of interrupted runs (temporary files and folders). Kept: the small
records of every decision, the logs, the manifest, and what is costly to make again: the transcription
(work/transcript.raw.json and its resume log work/segments.jsonl). With `everything` the whole work/ folder goes.
Never touched: anything outside work/ (the source recording, episode.toml, transcript/corrections.txt, the
published MP3 and transcripts).

The manifest stays consistent: the file hashes it caches for removed files are dropped, and the stages that
wrote them count as "output missing", so the next run makes exactly those files again; stages that only read
them are skipped when what is made again is identical (it is: every step is deterministic).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.engine import Manifest
from pipeline.layout import EpisodePaths

AUDIO_SUFFIXES = {".wav", ".mp3", ".flac", ".m4a"}


@dataclass(frozen=True)
class Cleaned:
    removed: tuple[Path, ...]
    freed: int  # bytes


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def removable(paths: EpisodePaths, everything: bool = False) -> list[Path]:
    """What `clean` removes from work/ (pure listing, nothing removed)."""
    if not paths.work.is_dir():
        return []
    if everything:
        return sorted(paths.work.iterdir())
    kept = {paths.manifest, paths.logs, paths.segments_log, paths.raw_transcript}
    chosen = []
    for path in sorted(paths.work.iterdir()):
        if path in kept:
            continue
        leftover = path.name.startswith((".", "tmp")) or ".part" in path.name  # of interrupted runs
        if leftover or path.suffix.lower() in AUDIO_SUFFIXES:
            chosen.append(path)
    return chosen


def clean(episode_dir: Path, everything: bool = False) -> Cleaned:
    """Remove what `removable` lists and keep the manifest consistent; returns what went and the bytes freed."""
    paths = EpisodePaths.for_dir(episode_dir)
    chosen = removable(paths, everything)
    freed = 0
    manifest = None if everything else Manifest(paths.root, paths.manifest)
    for path in chosen:
        freed += _size(path)
        if manifest is not None:
            manifest.hashes.pop(manifest.key(path), None)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    if manifest is not None and chosen and paths.manifest.exists():
        manifest.save()
    if everything and paths.work.is_dir():
        paths.work.rmdir()
    return Cleaned(removed=tuple(chosen), freed=freed)
