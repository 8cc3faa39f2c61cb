"""Waveform peaks for the review page, computed on the server with ffmpeg from audio the episode already has:
the published timeline from work/speech.flac (or the published MP3 when `pipeline clean` removed it), the
recording's timeline from the ingest proxy (or the source files).

peaks(paths, buckets) -> {"duration", "max", "min"}: per bucket the highest and lowest sample (-1..1) of the
files played one after the other, which wavesurfer.js draws as the top and bottom half of the wave. ffmpeg
decodes them at 8 kHz into a pipe, read in blocks: an hour costs a few MB of memory.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import numpy as np

MAX_BUCKETS = 20000
RATE = 8000  # samples per second decoded for the peaks: a bucket spans far more than one sample anyway


class PeaksError(Exception):
    pass


def duration(paths: list[Path]) -> float:
    """Seconds of the files together (ffprobe)."""
    total = 0.0
    for path in paths:
        proc = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                               "default=nw=1:nk=1", str(path)], capture_output=True, text=True)
        try:
            total += float(proc.stdout.strip())
        except ValueError:
            raise PeaksError(f"ffprobe could not read the length of {path.name}") from None
    return total


def decode(paths: list[Path], rate: int = RATE) -> subprocess.Popen:
    """ffmpeg playing the files one after the other, as mono 16-bit samples at `rate` on its stdout."""
    command = ["ffmpeg", "-v", "error", "-nostdin"]
    for path in paths:
        command += ["-i", str(path)]
    chain = f"aresample={rate}:filter_size=2"  # a cheap decimation: the peaks need no anti-aliasing
    if len(paths) > 1:
        chain = "".join(f"[{i}:a]" for i in range(len(paths))) + f"concat=n={len(paths)}:v=0:a=1," + chain
    command += ["-filter_complex" if len(paths) > 1 else "-af", chain, "-ac", "1", "-f", "s16le", "-"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class Buckets:
    """Min/max of `count` equal stretches of a stream of `total` samples, fed block by block."""

    def __init__(self, total: int, count: int):
        self.total = max(total, 1)
        self.count = max(1, min(count, MAX_BUCKETS, self.total))
        self.top = np.zeros(self.count)
        self.bottom = np.zeros(self.count)
        self.done = 0

    def add(self, block: np.ndarray) -> None:
        if not block.size:
            return
        index = np.minimum(np.arange(self.done, self.done + block.size) * self.count // self.total,
                           self.count - 1)
        starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
        which = index[starts]
        self.top[which] = np.maximum(self.top[which], np.maximum.reduceat(block, starts) / 32768.0)
        self.bottom[which] = np.minimum(self.bottom[which], np.minimum.reduceat(block, starts) / 32768.0)
        self.done += block.size

    def result(self, rate: int) -> dict:
        return {"duration": self.done / rate, "max": np.round(self.top, 4).tolist(),
                "min": np.round(self.bottom, 4).tolist()}


def _peaks(paths: list[Path], buckets: int, rate: int = RATE) -> dict:
    counter = Buckets(int(round(duration(paths) * rate)), buckets)
    proc = decode(paths, rate)
    while block := proc.stdout.read(1 << 20):
        counter.add(np.frombuffer(block[:len(block) // 2 * 2], dtype="<i2"))
    error = proc.stderr.read().decode(errors="replace").strip()
    if proc.wait() != 0:
        raise PeaksError(f"ffmpeg could not read {', '.join(p.name for p in paths)}: {error.splitlines()[-1:]}")
    return counter.result(rate)


@functools.lru_cache(maxsize=8)
def _cached(files: tuple[tuple[str, int, int], ...], buckets: int) -> dict:
    return _peaks([Path(f[0]) for f in files], buckets)


def peaks(paths: list[Path], buckets: int = 4000) -> dict:
    """Peaks of the files played one after the other; kept while the files (size, mtime) are unchanged."""
    files = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in map(Path, paths))
    return _cached(files, buckets)
