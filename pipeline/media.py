"""The thin edge to ffmpeg and ffprobe: probing files, running ffmpeg with progress, measuring loudness.

Every ffmpeg command is logged at debug level. Failures raise InputError/StageError-friendly MediaError
with ffmpeg's last lines, never a traceback of subprocess internals.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from pipeline.errors import InputError, PipelineError
from pipeline.speechwav import RATE as SPEECH_RATE

if TYPE_CHECKING:
    import numpy as np

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
           what: str = "ffmpeg", pass_fds: Sequence[int] = ()) -> str:
    """Run ffmpeg with `args` (without the program name); return its stderr. Raise MediaError on failure.

    `on_progress(seconds_done)` is called as ffmpeg reports output time; `pass_fds` stay open in ffmpeg.
    """
    cmd = [_tool("ffmpeg"), "-hide_banner", "-nostdin", "-y", "-progress", "pipe:1", "-nostats", *map(str, args)]
    log.debug("run: %s", " ".join(cmd))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                            pass_fds=tuple(pass_fds))
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

    def as_dict(self) -> dict:
        return {"integrated": self.integrated, "lra": self.lra, "true_peak": self.true_peak}


def meter(figures: Path, true_peak: bool = True) -> str:
    """Filters that measure EBU R128 loudness (and true peak) of the audio passing through and write ffmpeg's
    machine-readable figures (ebur128 frame metadata, running totals) to the file `figures` (a path without
    special characters, as Meters gives); read them with read_meter."""
    return f"ebur128={'peak=true:' if true_peak else ''}metadata=1,ametadata=mode=print:file={figures}"


def _last_values(path: Path) -> dict[str, str]:
    """The keys and values of the last frame that ametadata printed to `path`."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - 4096))
        tail = handle.read().decode("ascii", "replace")
    frame = tail[tail.rfind("frame:"):] if "frame:" in tail else ""
    return dict(line.split("=", 1) for line in frame.splitlines()[1:] if "=" in line)


def read_meter(figures: Path, true_peak: bool = True) -> Loudness:
    """The loudness a `meter(figures)` wrote: the totals of its last frame."""
    import math

    values = _last_values(figures)
    try:
        integrated, lra = float(values["lavfi.r128.I"]), float(values["lavfi.r128.LRA"])
        linear = float(values["lavfi.r128.true_peak"]) if true_peak else None
    except KeyError:
        raise MediaError("ebur128 wrote no loudness figures (no audio decoded?)") from None
    peak = None if linear is None else round(20 * math.log10(linear), 2) if linear > 0 else -math.inf
    return Loudness(integrated=round(integrated, 2), lra=round(lra, 2), true_peak=peak)


class Meters:
    """Figure files for the meters of one ffmpeg run, in a private temporary folder removed afterwards."""

    def __enter__(self) -> "Meters":
        import tempfile

        self._folder = tempfile.TemporaryDirectory(prefix="r128-")
        self._count = 0
        return self

    def __exit__(self, *exc: object) -> None:
        self._folder.cleanup()

    def new(self) -> Path:
        self._count += 1
        return Path(self._folder.name) / f"meter{self._count}"


def measure_loudness(source: Path | Sequence[tuple[Path, float]], *, start: float | None = None,
                     end: float | None = None, spans: Sequence[tuple[float, float]] | None = None,
                     pre_filter: str | None = None, true_peak: bool = True,
                     on_progress: Callable[[float], None] | None = None) -> Loudness:
    """EBU R128 integrated loudness, loudness range and true peak by ffmpeg, of a file (or the part of it from
    `start` to `end`), or of the (start, seconds) `spans` of a recording made of parts (see span_inputs);
    `pre_filter` is applied before measuring."""
    return measure_branches(source, [None], start=start, end=end, spans=spans, pre_filter=pre_filter,
                            true_peak=true_peak, on_progress=on_progress)[0]


def measure_branches(source: Path | Sequence[tuple[Path, float]], branches: Sequence[str | None], *,
                     start: float | None = None, end: float | None = None,
                     spans: Sequence[tuple[float, float]] | None = None, pre_filter: str | None = None,
                     true_peak: bool = True, on_progress: Callable[[float], None] | None = None) -> list[Loudness]:
    """measure_loudness of the same audio through `pre_filter` and then each of `branches` at once (one decode,
    one ffmpeg, the shared part of the chain run once): a loudness for each branch."""
    if isinstance(source, (str, Path)):
        args = [*(["-ss", f"{start:.3f}"] if start is not None else []),
                *(["-to", f"{end:.3f}"] if end is not None else []), "-i", str(source)]
        graph, name = "[0:a:0]anull[src]", Path(source).name
    else:
        args, graph = span_inputs(source, spans or [(0.0, sum(d for _, d in source))])
        name = ", ".join(sorted({Path(p).name for p, _ in source}))
    count = len(branches)
    with Meters() as meters:
        figures = [meters.new() for _ in branches]
        split = f"asplit={count}" + "".join(f"[b{i}]" for i in range(count)) if count > 1 else "anull[b0]"
        graph += f";[src]{pre_filter + ',' if pre_filter else ''}{split}"
        maps: list[str] = []
        for i, (branch, path) in enumerate(zip(branches, figures)):
            chain = ",".join(f for f in (branch, meter(path, true_peak)) if f)
            graph += f";[b{i}]{chain}[m{i}]"
            maps += ["-map", f"[m{i}]", "-f", "null", "-"]
        ffmpeg([*args, "-filter_complex", graph, *maps], on_progress=on_progress,
               what=f"measuring loudness of {name}")
        return [read_meter(path, true_peak) for path in figures]


def _side_process(args: Sequence[str], **streams) -> subprocess.Popen:
    """Start an ffmpeg that runs beside another (quiet: errors only), its stderr kept for the error message."""
    cmd = [_tool("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", *map(str, args)]
    log.debug("run: %s", " ".join(cmd))
    return subprocess.Popen(cmd, stderr=subprocess.PIPE, **streams)


def _finished(proc: subprocess.Popen, what: str) -> None:
    _, errors = proc.communicate()
    if proc.returncode != 0:
        raise MediaError(f"{what} failed (ffmpeg exit {proc.returncode}): "
                         f"{errors.decode(errors='replace').strip()[-300:]}")


def encode_mp3_measured(args: Sequence[str], target: Path, bitrate: int, sample_rate: int, channels: int, *,
                        on_progress: Callable[[float], None] | None = None) -> Loudness:
    """Encode the one audio stream that `args` (inputs, graph, -map; at `sample_rate` with `channels`) give as a
    CBR MP3 into `target`, and measure that MP3 while it is made. Three ffmpeg run side by side, joined by
    pipes: the render (decoding and filtering `args`) streams raw PCM into the encoder, and the encoder's MP3
    goes to `target` and to a meter that decodes it and measures loudness and true peak (ebur128). On two
    cores the encoder, the slowest, sets the pace. The meter sees the same bytes as the file, less the Xing
    header the file gets at the end; it is the only measurement of the MP3."""
    def escaped(path: Path) -> str:
        return "".join("\\" + c if c in "\\|[]" else c for c in str(path))

    pcm_read, pcm_write = os.pipe()
    mp3_read, mp3_write = os.pipe()
    with Meters() as meters:
        figures = meters.new()
        try:
            render = _side_process([*args, "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"], stdout=pcm_write)
        finally:
            os.close(pcm_write)
        try:
            measurer = _side_process(["-f", "mp3", "-i", "pipe:0", "-af", meter(figures), "-f", "null", "-"],
                                     stdin=mp3_read, stdout=subprocess.DEVNULL)
        finally:
            os.close(mp3_read)
        failure: MediaError | None = None
        try:
            ffmpeg(["-f", "f32le", "-ar", str(sample_rate), "-ac", str(channels), "-i", f"pipe:{pcm_read}",
                    "-map", "0:a", "-c:a", "libmp3lame", "-b:a", f"{bitrate}k", "-map_metadata", "-1", "-f", "tee",
                    f"[f=mp3:id3v2_version=0:write_xing=1]{escaped(target)}|[f=mp3:id3v2_version=0]pipe:{mp3_write}"],
                   on_progress=on_progress, what="encoding the MP3", pass_fds=(pcm_read, mp3_write))
        except MediaError as exc:
            failure = exc
        finally:
            os.close(pcm_read)
            os.close(mp3_write)
        for proc, what in ((render, "rendering the audio"), (measurer, "measuring the MP3")):
            try:
                _finished(proc, what)
            except MediaError as exc:
                failure = failure or exc  # the first to fail says why; the others only lost their pipe
        if failure is not None:
            raise failure
        return read_meter(figures)


def ffmpeg_on_speech(source_args: Sequence[str], args: Sequence[str], *,
                     on_progress: Callable[[float], None] | None = None, what: str = "ffmpeg") -> str:
    """Run ffmpeg with `args`, its input 0 the 16 kHz mono 16-bit audio (SPEECH_FILTER's) that a second ffmpeg
    beside it makes from `source_args` (inputs, graph, -map of that one stream) and streams through a pipe: the
    decoding of the recording and the work on what it gives run on two cores. Returns the stderr of the first;
    MediaError when either fails."""
    pcm_read, pcm_write = os.pipe()
    try:
        feeder = _side_process([*source_args, "-f", "s16le", "pipe:1"], stdout=pcm_write)
    finally:
        os.close(pcm_write)
    failure: MediaError | None = None
    stderr = ""
    try:
        stderr = ffmpeg(["-f", "s16le", "-ar", str(SPEECH_RATE), "-ac", "1", "-i", f"pipe:{pcm_read}", *args],
                        on_progress=on_progress, what=what, pass_fds=(pcm_read,))
    except MediaError as exc:
        failure = exc
    finally:
        os.close(pcm_read)
    try:
        _finished(feeder, "decoding the recording")
    except MediaError as exc:
        failure = failure or exc
    if failure is not None:
        raise failure
    return stderr


# The 16 kHz mono 16-bit analysis audio (pipeline.speechwav) from recorded audio: fold-down and resampling.
# osf=flt: soxr converts to s16 with random dither; float out, then s16, is the same on every run.
SPEECH_FILTER = f"aresample={SPEECH_RATE}:resampler=soxr:osf=flt,aformat=sample_fmts=s16:channel_layouts=mono"


def speech_blocks(parts: Sequence[Path], size: int) -> Iterator[np.ndarray]:
    """The recording made of `parts` (files in order, one timeline) as 16 kHz mono int16 samples (SPEECH_FILTER),
    in consecutive blocks of `size` samples (the last one shorter), decoded by ffmpeg beside the caller: a thread
    keeps reading its output, so the next block is decoded while the caller works on this one. MediaError when
    ffmpeg cannot decode it."""
    import numpy as np
    import queue
    import tempfile
    import threading

    args: list[str] = []
    for path in parts:
        args += ["-i", str(path)]
    joined = "".join(f"[{i}:a:0]" for i in range(len(parts)))
    cmd = [_tool("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", *args, "-filter_complex",
           f"{joined}concat=n={len(parts)}:v=0:a=1,{SPEECH_FILTER}[px]", "-map", "[px]", "-f", "s16le", "pipe:1"]
    log.debug("run: %s", " ".join(cmd))
    chunks: queue.Queue[bytes | None] = queue.Queue()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors)

        def pump() -> None:
            assert proc.stdout is not None
            while data := proc.stdout.read(size * 2):
                chunks.put(data)
            chunks.put(None)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            while (data := chunks.get()) is not None:
                yield np.frombuffer(data, dtype="<i2")
        finally:
            if proc.poll() is None and reader.is_alive():  # the caller stopped early
                proc.kill()
            reader.join()
            proc.wait()
        if proc.returncode != 0:
            errors.seek(0)
            lines = errors.read().decode(errors="replace").splitlines()
            tail = " | ".join(l.strip() for l in lines[-3:] if l.strip())
            raise MediaError(f"decoding failed (ffmpeg exit {proc.returncode}): {tail}")


def span_inputs(parts: Sequence[tuple[Path, float]], spans: Sequence[tuple[float, float]],
                label: str = "src") -> tuple[list[str], str]:
    """ffmpeg input arguments and a filter graph ending in [label] that play the (start, seconds) `spans` of a
    recording made of `parts` ((file, seconds) in order, one timeline), one after the other. Each file is opened
    where a span needs it (input seeking, sample-exact for PCM and FLAC), so nothing is decoded twice."""
    args: list[str] = []
    for start, seconds in spans:
        end, offset = start + seconds, 0.0
        for i, (path, duration) in enumerate(parts):
            last = i == len(parts) - 1
            lo, hi = max(start, offset), end if last else min(end, offset + duration)
            if hi - lo > 0.0005:
                args += ["-ss", f"{lo - offset:.3f}", "-t", f"{hi - lo:.3f}", "-i", str(path)]
            offset += duration
    count = args.count("-i")
    if count == 0:
        raise MediaError("no audio in the requested spans")
    joined = "".join(f"[{i}:a:0]" for i in range(count))
    graph = f"{joined}concat=n={count}:v=0:a=1[{label}]" if count > 1 else f"{joined}anull[{label}]"
    return args, graph
