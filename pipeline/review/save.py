"""The review studio's edits, saved as the overrides the pipeline already honours:

    episode.toml                 [[chapters]] start, [speakers] pins, [trim] start/end (edited with tomlkit,
                                 so comments and layout survive)
    transcript/corrections.txt   the editors' file (docs/editing-transcripts.md): one block's text

Every edit is checked before anything is written (ReviewError: an HTTP status and one line), then written
atomically while holding a lock (a thread lock and an flock on the episode folder), so two saves at the same
moment both land. A save that names the version of the file it was made on (GET /api/episode "versions") is
refused with 409 when the file changed since; the refused version is kept in review/rejected-<time>-<file>
beside the one on disk, so nobody's text is lost. Writes nothing outside the episode folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import math
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import tomlkit

from pipeline import fsutil
from pipeline import transcript_corrections as corr
from pipeline.engine import Context
from pipeline.review import model
from pipeline.timefmt import clock
from pipeline.transcript import Transcript

_THREAD_LOCK = threading.Lock()


class ReviewError(Exception):
    """A refused edit: `status` is the HTTP status (4xx), the message is one line for the person."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@contextlib.contextmanager
def locked(ctx: Context) -> Iterator[None]:
    """One save at a time for this episode, across threads and processes."""
    ctx.paths.work.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCK, open(ctx.paths.work / "review.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _rejected_copy(ctx: Context, name: str, text: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = ctx.paths.root / "review" / f"rejected-{stamp}-{name}"
    fsutil.write_text(path, text)
    return path


def _save(ctx: Context, path: Path, version: str | None, edit: Callable[[str], str]) -> dict:
    """Read `path`, check the version, apply `edit` (which raises ReviewError on bad input), write atomically."""
    with locked(ctx):
        if not path.exists():
            raise ReviewError(409, f"{ctx.paths.rel(path)} does not exist yet; run the pipeline first")
        data = path.read_bytes()
        current = model.version_of(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ReviewError(422, f"{ctx.paths.rel(path)} is not UTF-8 text; save it as plain text (UTF-8)") from None
        new = edit(text)
        if version is not None and version != current:
            kept = _rejected_copy(ctx, path.name, new)
            raise ReviewError(409, f"{path.name} changed on disk since the page loaded (version {version}, now "
                                   f"{current}); your change is not saved but kept in {ctx.paths.rel(kept)}; "
                                   f"reload the page and make it again")
        if new != text:
            fsutil.write_text(path, new)
    return {"ok": True, "versions": model.versions(ctx)}


# ---------------------------------------------------------------- episode.toml


def _number(body: dict, key: str, allow_none: bool = True) -> float | None:
    if key not in body:
        raise ReviewError(400, f'the body needs "{key}" (seconds{", or null to remove the override" if allow_none else ""})')
    value = body[key]
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ReviewError(400, f'"{key}" must be a number of seconds, got {value!r}')
    return round(float(value), 3)


def _toml_edit(change: Callable[[tomlkit.TOMLDocument], None]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        document = tomlkit.parse(text)
        change(document)
        return tomlkit.dumps(document)
    return edit


def _table(document: tomlkit.TOMLDocument, name: str):
    if name not in document:
        document.add(tomlkit.nl())
        document.add(name, tomlkit.table())
    return document[name]


def _drop_if_empty(document: tomlkit.TOMLDocument, name: str) -> None:
    if name in document and not document[name]:
        del document[name]


def set_chapter_start(ctx: Context, n: int, body: dict, version: str | None = None) -> dict:
    """PUT /api/chapters/{n}: {"start": seconds of the published audio} (null: detect it again)."""
    plan = model.chapters(ctx)
    if not 1 <= n <= len(plan):
        raise ReviewError(404, f"there is no chapter {n}; the plan has chapters 1 to {len(plan)}")
    start = _number(body, "start")
    duration = model.published_duration(ctx)
    if start is not None:
        if n == 1 and start != 0:
            raise ReviewError(422, "chapter 1 starts at 0, the start of the published audio; move the show's "
                                   "start with the trim instead")
        if start < 0 or (duration is not None and start >= duration):
            raise ReviewError(422, f"start {start:g} s is outside the published audio (0 to {duration or 0:g} s)")
        before = [c["start"] for c in plan[:n - 1] if c["start"] is not None]
        after = [c["start"] for c in plan[n:] if c["start"] is not None]
        if n > 1 and ((before and start <= before[-1]) or (after and start >= after[0])):
            raise ReviewError(422, f"start {start:g} s must lie between the chapters around it "
                                   f"({before[-1] if before else 0:g} s and {after[0] if after else duration:g} s)")

    def change(document):
        table = document["chapters"][n - 1]
        if start is None:
            table.pop("start", None)
        else:
            table["start"] = clock(start)
    return _save(ctx, ctx.paths.episode_file, version, _toml_edit(change))


def set_voice(ctx: Context, voice: str, body: dict, version: str | None = None) -> dict:
    """PUT /api/voices/{voice}: {"name": a person of the episode} pins the voice (null: unpin). Giving two
    voices the same person merges them."""
    known = [v["voice"] for v in model.voices(ctx)]
    if voice not in known:
        raise ReviewError(404, f"there is no voice {voice!r}; the voices are: {', '.join(known) or 'none (run the pipeline first)'}")
    if "name" not in body:
        raise ReviewError(400, 'the body needs "name": a person of the episode, or null to unpin the voice')
    name = body["name"]
    people = [p.name for p in ctx.episode.people]
    if name is not None and (not isinstance(name, str) or name not in people):
        raise ReviewError(422, f"{name!r} is not one of the episode's people ({', '.join(people)}); add them to "
                               f"[[people]] in episode.toml first")

    def change(document):
        table = _table(document, "speakers")
        if name is None:
            table.pop(voice, None)
        else:
            table[voice] = name
        _drop_if_empty(document, "speakers")
    return _save(ctx, ctx.paths.episode_file, version, _toml_edit(change))


def confirm_voice(ctx: Context, voice: str, body: dict, version: str | None = None) -> dict:
    """PUT /api/voices/{voice}/confirm: {} pins the voice to the name the pipeline gave it, the same pin as
    choosing that person (so its voiceprint goes into the show's voice library on the next run)."""
    found = next((v for v in model.voices(ctx) if v["voice"] == voice), None)
    if found is None:
        known = [v["voice"] for v in model.voices(ctx)]
        raise ReviewError(404, f"there is no voice {voice!r}; the voices are: {', '.join(known) or 'none (run the pipeline first)'}")
    people = [p.name for p in ctx.episode.people]
    if found["name"] not in people:
        raise ReviewError(422, f"{voice} has no person's name to confirm (it is {found['name']!r}); choose the "
                               f"person and save instead")
    return set_voice(ctx, voice, {"name": found["name"]}, version)


def set_trim(ctx: Context, body: dict, version: str | None = None) -> dict:
    """PUT /api/trim: {"start": s, "end": s} on the recording's own timeline (null: detect it again)."""
    start, end = _number(body, "start"), _number(body, "end")
    duration = model.recording_duration(ctx)
    for key, value in (("start", start), ("end", end)):
        if value is not None and (value < 0 or (duration is not None and value > duration)):
            raise ReviewError(422, f"trim {key} {value:g} s is outside the recording (0 to {duration:g} s)")
    if start is not None and end is not None and end <= start:
        raise ReviewError(422, f"trim end {end:g} s must come after its start {start:g} s")

    def change(document):
        table = _table(document, "trim")
        for key, value in (("start", start), ("end", end)):
            if value is None:
                table.pop(key, None)
            else:
                table[key] = clock(value)
        _drop_if_empty(document, "trim")
    return _save(ctx, ctx.paths.episode_file, version, _toml_edit(change))


# ---------------------------------------------------------------- transcript/corrections.txt


def set_transcript_line(ctx: Context, n: int, body: dict, version: str | None = None) -> dict:
    """PUT /api/transcript/{n}: {"text": ...} for segment n (from 1) of the published Podcasting 2.0
    transcript. Written into the block of corrections.txt that holds that segment's words."""
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise ReviewError(400, 'the body needs "text": the corrected text of the line')
    segments = model.transcript(ctx)
    if not 1 <= n <= len(segments):
        raise ReviewError(404, f"there is no transcript segment {n}; the transcript has segments 1 to {len(segments)}")
    segment = segments[n - 1]
    words = Transcript.load(ctx.paths.transcript).words if ctx.paths.transcript.exists() else []

    def edit(file_text: str) -> str:
        entries = corr.parse(file_text, str(ctx.paths.corrections))
        block = _block_of(entries, segment["start"])
        if block is None:
            raise ReviewError(409, f"{ctx.paths.corrections.name} has no block at {clock(segment['start'])}; "
                                   f"apply the earlier changes first, then edit this line again")
        tokens, old = block.text.split(), _plain(segment["text"].split())
        plain = _plain(tokens)
        before = sum(1 for w in words if block.start - 0.001 <= w.start < segment["start"] - 0.001
                     and w.text.strip())
        found = [i for i in range(len(tokens) - len(old) + 1) if plain[i:i + len(old)] == old]
        if not found:
            raise ReviewError(409, f"segment {n} ({segment['text'][:40]!r}) is not in the block "
                                   f"[{block.key}] of {ctx.paths.corrections.name} any more; apply, reload and "
                                   f"edit it again")
        at = min(found, key=lambda i: abs(i - before))
        line = " ".join(tokens[:at] + text.split() + tokens[at + len(old):])
        if line.startswith(("#", "[")):
            raise ReviewError(422, "a transcript line cannot start with # or [ (the file would read it as a "
                                   "comment or a time)")
        return _replace_block(file_text, entries, block, line)
    return _save(ctx, ctx.paths.corrections, version, edit)


def _plain(tokens: list[str]) -> list[str]:
    """Words compared without case and punctuation, one entry per token."""
    return [" ".join(corr.normalised_words(t)) for t in tokens]


def _block_of(entries: list[corr.Entry], start: float) -> corr.Entry | None:
    """The block a segment starting at `start` belongs to: the last one starting at or before it."""
    before = [e for e in entries if e.start <= start + 0.002]
    return max(before, key=lambda e: e.start) if before else None


def _replace_block(file_text: str, entries: list[corr.Entry], block: corr.Entry, line: str) -> str:
    """The file with the text lines of `block` replaced by `line`; comments, times and other blocks kept."""
    lines = file_text.splitlines()
    following = [e.line for e in entries if e.line > block.line]
    stop = (min(following) - 1) if following else len(lines)
    body = [i for i in range(block.line, stop) if lines[i].strip() and not lines[i].lstrip().startswith("#")]
    at = body[0] if body else block.line
    kept = [i for i in range(len(lines)) if i not in body]
    result = [lines[i] for i in kept if i < at] + [line] + [lines[i] for i in kept if i >= at]
    return "\n".join(result) + ("\n" if file_text.endswith("\n") else "")


def body_version(body: Any, header: str | None) -> str | None:
    """The version a save was made on: the body's "version", else the If-Match header, else None."""
    if isinstance(body, dict) and isinstance(body.get("version"), str):
        return body["version"]
    return header.strip('"') if header else None

