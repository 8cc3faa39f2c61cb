"""What the review page shows, read from the episode folder: people, voices, chapters, trim, the CHECKs with
their confidence and evidence, and the published transcript with its words. Reads only; never writes.

Reads: episode.toml (through pipeline.config), report.json, work/speakers.json, work/chapters.json,
work/trim.json, transcript/<slug>.json (Podcasting 2.0: the segments the API numbers from 1) and
transcript/<slug>.words.json (word times and Whisper's probabilities).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import soundfile

from pipeline import fsutil
from pipeline.engine import Context
from pipeline.timefmt import parse_clock

UNSURE = 0.5  # a word Whisper gave a lower probability than this is marked on the page
_CLOCK_IN_TEXT = re.compile(r"\b(\d{2}:\d{2}:\d{2}(?:\.\d{3})?|\d{2}:\d{2})\b")


def _json(path: Path, default: Any) -> Any:
    try:
        return fsutil.read_json(path)
    except (FileNotFoundError, ValueError):
        return default


def version_of(data: bytes) -> str:
    """The version of a file the page edits: the start of the SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def file_version(path: Path) -> str:
    try:
        return version_of(Path(path).read_bytes())
    except FileNotFoundError:
        return "missing"


def versions(ctx: Context) -> dict[str, str]:
    return {"episode": file_version(ctx.paths.episode_file), "corrections": file_version(ctx.paths.corrections)}


def wav_duration(path: Path) -> float | None:
    """Seconds of a WAV or FLAC file (the speech copy), None when it is missing or unreadable."""
    try:
        return soundfile.info(str(path)).duration
    except (FileNotFoundError, RuntimeError, OSError):  # libsndfile's errors are RuntimeErrors
        return None


def published_duration(ctx: Context) -> float | None:
    """Seconds of the published audio (the timeline of chapters and transcript)."""
    duration = _json(ctx.paths.report, {}).get("audio", {}).get("duration")
    return float(duration) if duration else wav_duration(ctx.paths.speech)


def recording_duration(ctx: Context) -> float | None:
    """Seconds of the source recording (the timeline of the trim points)."""
    duration = _json(ctx.paths.trim, {}).get("source_duration") or _json(ctx.paths.report, {}).get(
        "source", {}).get("duration")
    return float(duration) if duration else None


def audio_files(ctx: Context, timeline: str, for_peaks: bool = False) -> list[Path]:
    """The audio of a timeline that exists now. "published": the published MP3 (for the peaks the 16 kHz
    speech copy first: the same timeline, quicker to read). "recording": the sources."""
    if timeline == "published":
        candidates = [[ctx.paths.speech], [ctx.paths.audio]] if for_peaks else [[ctx.paths.audio]]
    else:
        candidates = [list(ctx.episode.sources)]
    for files in candidates:
        if files and all(Path(f).is_file() for f in files):
            return [Path(f) for f in files]
    return []


def people(ctx: Context) -> list[dict]:
    return [{"name": p.name, "role": p.role} for p in ctx.episode.people]


def voices(ctx: Context) -> list[dict]:
    """Every voice the speakers stage found, with its name, pin, confidence, evidence and a sample to hear."""
    document = _json(ctx.paths.speakers, {})
    result = []
    for label, info in document.get("voices", {}).items():
        result.append({"voice": label, "name": info.get("name", label), "pinned": ctx.episode.speakers.get(label),
                       "confidence": info.get("confidence"), "talk_time": info.get("talk_time"),
                       "sample": info.get("sample"), "evidence": info.get("evidence", []),
                       "library": (info.get("library") or {}).get("episode")})
    return result


def turns(ctx: Context) -> list[dict]:
    """Voice turns on the published timeline, each with the name of its voice."""
    document = _json(ctx.paths.speakers, {})
    names = {label: info.get("name", label) for label, info in document.get("voices", {}).items()}
    return [{"start": t["start"], "end": t["end"], "voice": t["voice"], "name": names.get(t["voice"], t["voice"])}
            for t in document.get("turns", [])]


def chapters(ctx: Context) -> list[dict]:
    """The planned chapters with their detected (or overridden) starts, numbered from 1 in plan order."""
    detected = _json(ctx.paths.chapters_work, [])
    result = []
    for n, plan in enumerate(ctx.episode.chapters, start=1):
        found = detected[n - 1] if n - 1 < len(detected) else {}
        result.append({"n": n, "title": plan.title, "start": found.get("start"), "end": found.get("end"),
                       "override": plan.start, "confidence": found.get("confidence"),
                       "evidence": found.get("evidence", []), "low_confidence": found.get("low_confidence", False)})
    return result


def trim(ctx: Context) -> dict:
    """The cut points on the recording's own timeline, as detected or overridden."""
    cut = _json(ctx.paths.trim, {})
    return {"start": cut.get("start"), "end": cut.get("end"), "start_override": ctx.episode.trim.start,
            "end_override": ctx.episode.trim.end, "recording_duration": recording_duration(ctx),
            "start_from": cut.get("start_from"), "end_from": cut.get("end_from")}


def checks(ctx: Context, chapter_list: list[dict], voice_list: list[dict], cut: dict) -> list[dict]:
    """Every CHECK of the last run (report.json "warnings"), each with where to listen, confidence, evidence.

    `time` is on the published timeline, except for trim CHECKs (`timeline` "recording")."""
    result = []
    for text in _json(ctx.paths.report, {}).get("warnings", []):
        stage, _, message = text.partition(": ")
        item = {"stage": stage, "message": message or text, "time": None, "timeline": "published",
                "confidence": None, "evidence": []}
        chapter = re.match(r'chapter (\d+) "', message)
        voice = re.match(r"(Spreker \d+)\b", message)
        if stage == "chapters" and chapter and int(chapter.group(1)) <= len(chapter_list):
            found = chapter_list[int(chapter.group(1)) - 1]
            item.update(time=found["start"], confidence=found["confidence"], evidence=found["evidence"],
                        chapter=found["n"])
        elif stage == "speakers" and voice:
            found = next((v for v in voice_list if v["voice"] == voice.group(1)), None)
            if found:
                item.update(time=(found["sample"] or [None])[0], confidence=found["confidence"],
                            evidence=found["evidence"], voice=found["voice"])
        else:
            clock = _CLOCK_IN_TEXT.search(message)
            item["time"] = parse_clock(clock.group(1)) if clock else None
            if stage == "trim":
                item["timeline"] = "recording"
                item["time"] = item["time"] if item["time"] is not None else cut.get("start")
        result.append(item)
    return result


def transcript(ctx: Context) -> list[dict]:
    """The segments of the published Podcasting 2.0 transcript (n from 1), each with its words: start, end,
    text and Whisper's probability (`unsure` below UNSURE; an editor's word counts as sure)."""
    published = _json(ctx.paths.transcript_file("json"), {}).get("segments", [])
    words = [w for s in _json(ctx.paths.transcript, {}).get("segments", []) for w in s.get("words", [])]
    segments = [{"n": n, "start": s["startTime"], "end": s["endTime"], "speaker": s.get("speaker", ""),
                 "text": s["body"], "words": []} for n, s in enumerate(published, start=1)]
    k = 0
    for word in sorted(words, key=lambda w: w["start"]):
        while k + 1 < len(segments) and segments[k + 1]["start"] <= word["start"] + 0.001:
            k += 1
        if segments and word["text"].strip():
            p = float(word.get("probability", 1.0))
            segments[k]["words"].append({"start": word["start"], "end": word["end"], "text": word["text"].strip(),
                                         "p": round(p, 3), "unsure": p < UNSURE})
    return segments


def episode(ctx: Context) -> dict:
    """GET /api/episode: everything the page shows, plus the versions of the files it edits."""
    chapter_list, voice_list, cut = chapters(ctx), voices(ctx), trim(ctx)
    return {"slug": ctx.episode.slug, "title": ctx.episode.title, "people": people(ctx), "voices": voice_list,
            "turns": turns(ctx), "chapters": chapter_list, "trim": cut,
            "checks": checks(ctx, chapter_list, voice_list, cut), "transcript": transcript(ctx),
            "duration": published_duration(ctx), "versions": versions(ctx),
            "playable": {timeline: len(audio_files(ctx, timeline)) == 1 for timeline in ("published", "recording")}}
