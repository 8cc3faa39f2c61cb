"""The thin edge to ffmpeg and ffprobe: probing files, running ffmpeg with progress, measuring loudness.

Every ffmpeg command is logged at debug level. Failures raise InputError/StageError-friendly MediaError
with ffmpeg's last lines, never a traceback of subprocess internals.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from pipeline.errors import InputError, PipelineError

log = logging.getLogger("pipeline.media")
TOOLS = ("ffmpeg",)  # its version is part of the code fingerprint of every stage that uses this module


class MediaError(PipelineError):
    pass


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MediaError(f"{name} is not installed; run scripts/install.sh (or: apt-get install ffmpeg)")
    return path


@dataclass(frozen=True)
class AudioInfo:
    path: Path
    format_name: str
    codec: str
    sample_rate: int
    channels: int
    duration: float  # seconds
    bits: int  # bits per sample of the decoded audio (16 for lossy codecs)


def probe(path: Path) -> AudioInfo:
    """Probe an audio file; MediaError with a plain reason when it is empty, not audio or unreadable."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise MediaError(f"{path}: the file is empty (0 bytes); copy the recording again")
    cmd = [_tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
           "-select_streams", "a", str(path)]
    log.debug("run: %s", " ".join(cmd))
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or ["unreadable"])[-1]
        raise MediaError(f"{path}: not a readable audio file ({reason})")
    data = json.loads(proc.stdout or "{}")
    streams = data.get("streams") or []
    if not streams:
        raise MediaError(f"{path}: contains no audio stream; is it really a recording?")
    stream, fmt = streams[0], data.get("format", {})
    duration = float(stream.get("duration") or fmt.get("duration") or 0.0)
    if duration <= 0:
        raise MediaError(f"{path}: the audio has no length (truncated or corrupt file)")
    if "wav" in fmt.get("format_name", ""):
        declared, present = wav_data_sizes(path)
        if declared and present < declared * 0.99:
            raise MediaError(f"{path}: the file is truncated: its header promises {declared} bytes of audio, "
                             f"only {present} are there")
    bits = int(stream.get("bits_per_raw_sample") or stream.get("bits_per_sample") or 0) or 16
    return AudioInfo(path=path, format_name=fmt.get("format_name", ""), codec=stream.get("codec_name", ""),
                     sample_rate=int(stream.get("sample_rate") or 0), channels=int(stream.get("channels") or 0),
                     duration=duration, bits=bits)


def probe_sources(sources: Sequence[Path]) -> list[AudioInfo]:
    """Probe every source recording; InputError naming the file for anything that is not usable audio."""
    infos = []
    for path in sources:
        try:
            infos.append(probe(path))
        except MediaError as exc:
            raise InputError(f"{exc}. Check the file named in episode.toml `source`.") from None
    return infos


def wav_data_sizes(path: Path) -> tuple[int, int]:
    """(bytes of audio the RIFF header declares, bytes actually present) for a WAV file; (0, 0) if unknown."""
    import struct

    with open(path, "rb") as handle:
        header = handle.read(12)
        if header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return 0, 0
        while chunk := handle.read(8):
            if len(chunk) < 8:
                return 0, 0
            kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if kind == b"data":
                if size in (0, 0xFFFFFFFF):  # streamed or RF64: no size to check against
                    return 0, 0
                present = Path(path).stat().st_size - handle.tell()
                return size, present
            handle.seek(size + (size & 1), 1)
    return 0, 0


_TIME = re.compile(r"out_time_(?:us|ms)=(\d+)")


def ffmpeg(args: Sequence[str], *, on_progress: Callable[[float], None] | None = None,
           what: str = "ffmpeg") -> str:
    """Run ffmpeg with `args` (without the program name); return its stderr. Raise MediaError on failure.

    `on_progress(seconds_done)` is called as ffmpeg reports output time.
    """
    cmd = [_tool("ffmpeg"), "-hide_banner", "-nostdin", "-y", "-progress", "pipe:1", "-nostats", *map(str, args)]
    log.debug("run: %s", " ".join(cmd))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    stderr_lines: list[str] = []
    import threading

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            stderr_lines.append(line)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    assert proc.stdout is not None
    for line in proc.stdout:
        match = _TIME.match(line.strip())
        if match and on_progress:
            on_progress(int(match.group(1)) / 1_000_000)
    proc.wait()
    reader.join()
    stderr = "".join(stderr_lines)
    if proc.returncode != 0:
        tail = " | ".join(l.strip() for l in stderr_lines[-3:] if l.strip())
        raise MediaError(f"{what} failed (ffmpeg exit {proc.returncode}): {tail}")
    return stderr


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS
    lra: float  # LU
    true_peak: float | None  # dBTP; None when measured without true peak
    threshold: float  # LUFS, the relative gate used for the integrated value

    def as_dict(self) -> dict:
        return {"integrated": self.integrated, "lra": self.lra, "true_peak": self.true_peak}


def parse_ebur128_summaries(stderr: str) -> list[Loudness]:
    """Read every summary that ffmpeg's ebur128 filters print at the end, in filter order (pure)."""
    results = []
    parts = re.split(r"\[Parsed_ebur128_(\d+) @ [^\]]*\]\s*Summary:", stderr)
    # A filter graph that ffmpeg configures twice prints an empty summary first: the last one per filter counts.
    last = {int(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    for _, block in sorted(last.items()):
        def value(label: str, required: bool = True) -> float | None:
            match = re.search(rf"{label}:\s+(-?inf|-?\d+(?:\.\d+)?)", block)
            if not match and required:
                raise MediaError(f"ebur128 summary has no {label}")
            return float(match.group(1)) if match else None

        results.append(Loudness(integrated=value("I"), lra=value("LRA"), true_peak=value("Peak", False),
                                threshold=value("Threshold")))
    if not results:
        raise MediaError("ebur128 printed no summary (no audio decoded?)")
    return results


def measure_loudness(path: Path, *, start: float | None = None, end: float | None = None,
                     pre_filter: str | None = None, true_peak: bool = True,
                     on_progress: Callable[[float], None] | None = None) -> Loudness:
    """EBU R128 integrated loudness, loudness range and true peak of `path` (or a part of it), by ffmpeg."""
    args: list[str] = []
    if start is not None:
        args += ["-ss", f"{start:.3f}"]
    if end is not None:
        args += ["-to", f"{end:.3f}"]
    meter = "ebur128=peak=true:framelog=verbose" if true_peak else "ebur128=framelog=verbose"
    chain = ",".join(f for f in (pre_filter, meter) if f)
    args += ["-i", str(path), "-vn", "-af", chain, "-f", "null", "-"]
    return parse_ebur128_summaries(ffmpeg(args, on_progress=on_progress, what=f"measuring loudness of {path.name}"))[-1]


def cut_excerpts(source: Path, spans: list[tuple[float, float]], target: Path, codec: str = "pcm_f32le") -> None:
    """Join the (start, seconds) spans of `source` into one file `target` (for quick trial measurements)."""
    args: list[str] = []
    for start, seconds in spans:
        args += ["-ss", f"{start:.3f}", "-t", f"{seconds:.3f}", "-i", str(source)]
    joined = "".join(f"[{i}:a]" for i in range(len(spans)))
    ffmpeg([*args, "-filter_complex", f"{joined}concat=n={len(spans)}:v=0:a=1[x]", "-map", "[x]", "-c:a", codec,
            str(target)], what="cutting excerpts")


# ---------------------------------------------------------------- filter chains shared by stages

OVERSAMPLE = 2  # the limiter runs at twice the rate: most inter-sample peaks, at a third of the cost of 4x


def limiter_chain(limit_db: float, source_rate: int, oversample: int = OVERSAMPLE) -> str:
    """A look-ahead limiter at `oversample` x the rate, so inter-sample peaks are caught as well."""
    limit = 10 ** (limit_db / 20)
    return (f"aresample={source_rate * oversample}:resampler=soxr,"
            f"alimiter=limit={limit:.5f}:attack=2:release=60:level=false:latency=true")
