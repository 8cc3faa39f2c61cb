"""The resume log of the transcribe stage: work/segments.jsonl, one JSON object per line.

    {"kind": "header", "format": 1, ...}                    what the log is for (input hash, options, model)
    {"kind": "window", "index": 0, "start": s, "end": s}   a window of audio is about to be transcribed
    {"kind": "segment", "window": 0, "segment": {...}}     one segment, as Whisper produced it (raw, unguarded)
    {"kind": "done", "index": 0}                           the window is complete

Each line is flushed and fsync'ed as it is written, so after Ctrl-C, a kill or a power cut the log holds every
segment produced so far. A torn last line is cut off when the log is reopened. A log whose header differs from
the current run (other audio, options or model) is started afresh; so is one with a damaged line in the middle.
The log is append-only by nature: it is the one file not written through fsutil's atomic replace (its header is).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import fsutil

LOG_FORMAT = 1


@dataclass
class WindowLog:
    index: int
    start: float
    end: float
    segments: list[dict] = field(default_factory=list)
    done: bool = False

    @property
    def resume_at(self) -> float:
        """Where transcription of this window continues: after its last saved segment."""
        return max([self.start, *(s["end"] for s in self.segments)])


def parse(lines: list[str], header: dict) -> tuple[list[WindowLog], int] | None:
    """The windows recorded in `lines` and how many lines are intact; None when the log cannot be reused.

    Pure. A last line that does not parse (torn by a crash) is not counted; any other damage, a header that
    differs from `header`, or lines out of order make the whole log unusable.
    """
    if not lines:
        return None
    try:
        first = json.loads(lines[0])
    except ValueError:
        return None
    if first != {"kind": "header", **json.loads(json.dumps(header))}:  # compared as it reads back
        return None
    windows: list[WindowLog] = []
    good = 1
    for number, line in enumerate(lines[1:], start=2):
        try:
            entry = json.loads(line)
            kind = entry["kind"]
            if kind == "window":
                if windows and not windows[-1].done or entry["index"] != len(windows):
                    return None
                if windows and abs(entry["start"] - windows[-1].end) > 1e-6:
                    return None
                windows.append(WindowLog(entry["index"], entry["start"], entry["end"]))
            elif kind == "segment":
                if not windows or windows[-1].done or entry["window"] != windows[-1].index:
                    return None
                segment = entry["segment"]
                if segment["start"] < windows[-1].start - 1e-6 or segment["end"] > windows[-1].end + 1e-6:
                    return None
                windows[-1].segments.append(segment)
            elif kind == "done":
                if not windows or windows[-1].done or entry["index"] != windows[-1].index:
                    return None
                windows[-1].done = True
            else:
                return None
        except (ValueError, KeyError, TypeError):
            if number == len(lines):  # torn last line: everything before it stands
                break
            return None
        good = number
    return windows, good


class SegmentLog:
    """Append-only writer of the resume log (see the module docstring)."""

    def __init__(self, path: Path, header: dict):
        self.path = Path(path)
        self.header = json.loads(json.dumps(header))  # as it reads back (tuples become lists)
        self._handle = None

    def open(self) -> list[WindowLog]:
        """Reuse the log when it belongs to this run (returning its windows), else start a new one."""
        windows: list[WindowLog] = []
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raw = b""
        lines = raw.decode("utf-8", errors="replace").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        parsed = parse(lines, self.header)
        if parsed is None:
            fsutil.write_text(self.path, json.dumps({"kind": "header", **self.header}, sort_keys=True) + "\n")
        else:
            windows, good = parsed
            keep = len("\n".join(lines[:good]).encode("utf-8")) + 1
            if keep < len(raw):  # cut a torn tail before appending
                with open(self.path, "r+b") as handle:
                    handle.truncate(keep)
            elif keep > len(raw):  # a complete last line that lost only its newline
                with open(self.path, "ab") as handle:
                    handle.write(b"\n")
        self._handle = open(self.path, "a", encoding="utf-8")
        return windows

    def _write(self, entry: dict) -> None:
        self._handle.write(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def start_window(self, index: int, start: float, end: float) -> None:
        self._write({"kind": "window", "index": index, "start": start, "end": end})

    def add_segment(self, window: int, segment: dict) -> None:
        self._write({"kind": "segment", "window": window, "segment": segment})

    def finish_window(self, index: int) -> None:
        self._write({"kind": "done", "index": index})

    def close(self) -> None:
        if self._handle:
            self._handle.close()
            self._handle = None
