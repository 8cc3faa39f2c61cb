"""encode: the normalised audio as a constant-bitrate MP3, measured after encoding.

Reads:  work/normalised.wav
Writes: work/encoded.mp3 (untagged: the tag stage copies and tags it, so a metadata edit never re-encodes)

The loudness that counts is that of the file listeners get, so the MP3 itself is measured (ffmpeg ebur128,
true peak). Should encoding push a true peak over the ceiling or the loudness off target by more than
TOLERANCE_LU, it re-encodes once with the linear correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import media
from pipeline.engine import Context, Outcome
from pipeline.fsutil import atomic_path

NAME = "encode"
VERSION = 1
TOLERANCE_LU = 0.3


@dataclass(frozen=True)
class Options:
    bitrate: int
    sample_rate: int
    loudness_target: float
    true_peak: float


def options(ctx: Context) -> Options:
    a = ctx.show.audio
    return Options(bitrate=a.bitrate, sample_rate=a.sample_rate, loudness_target=a.loudness_target,
                   true_peak=a.true_peak)


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.normalised]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.encoded]


def correction_db(measured: media.Loudness, target: float, ceiling: float) -> float:
    """The linear gain that brings an encoded file on target without passing the ceiling; 0 when within
    tolerance (pure)."""
    headroom = ceiling - 0.1 - measured.true_peak
    wanted = target - measured.integrated
    if measured.true_peak > ceiling:
        return round(min(wanted, headroom), 2)
    if abs(wanted) > TOLERANCE_LU:
        return round(min(wanted, headroom), 2)
    return 0.0


def _encode(source: Path, target: Path, opts: Options, gain_db: float, ctx: Context, length: float) -> None:
    task = ctx.progress("MP3 maken", length)
    gain = ["-af", f"volume={gain_db:.2f}dB"] if gain_db else []
    try:
        media.ffmpeg(["-i", str(source), *gain, "-c:a", "libmp3lame", "-b:a", f"{opts.bitrate}k",
                      "-ar", str(opts.sample_rate), "-map_metadata", "-1", "-id3v2_version", "0",
                      "-write_xing", "1", str(target)], on_progress=task.update, what="encoding the MP3")
    finally:
        task.close()


def run(ctx: Context, opts: Options) -> Outcome:
    length = media.probe(ctx.paths.normalised).duration
    with atomic_path(ctx.paths.encoded) as tmp:
        _encode(ctx.paths.normalised, tmp, opts, 0.0, ctx, length)
        measured = media.measure_loudness(tmp)
        correction = correction_db(measured, opts.loudness_target, opts.true_peak)
        if correction:
            _encode(ctx.paths.normalised, tmp, opts, correction, ctx, length)
            measured = media.measure_loudness(tmp)
    warnings = []
    if measured.true_peak > opts.true_peak:
        warnings.append(f"true peak {measured.true_peak:.1f} dBTP is above the ceiling {opts.true_peak:.1f}")
    if abs(measured.integrated - opts.loudness_target) > 1.0:
        warnings.append(f"loudness {measured.integrated:.1f} LUFS is off the target {opts.loudness_target:.1f}")
    return Outcome(report={"loudness": {"output": measured.as_dict(), "encode_correction_db": correction}},
                   figures={"output": f"{measured.integrated:.1f} LUFS / {measured.true_peak:.1f} dBTP"},
                   warnings=warnings)
