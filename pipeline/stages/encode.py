"""encode: the normalised audio as a constant-bitrate MP3, measured after encoding.

Reads:  work/normalised.wav
Writes: work/encoded.mp3 (untagged: the tag stage copies and tags it, so a metadata edit never re-encodes)

The loudness that counts is that of the file listeners get, so the MP3 itself is measured (ffmpeg ebur128,
true peak). Should encoding push a true peak over the ceiling or the loudness off target by more than
TOLERANCE_LU, it re-encodes with a gain and a lower true-peak limit (at most MAX_CORRECTIONS times).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline import media
from pipeline.engine import Context, Outcome
from pipeline.fsutil import atomic_path
from pipeline.stages.normalise import LIMITER_MARGIN_DB, limiter_chain

NAME = "encode"
VERSION = 1
TOLERANCE_LU = 0.3
MAX_CORRECTIONS = 2  # corrected encodes at most; real speech rarely needs one


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


def correction(measured: media.Loudness, target: float, ceiling: float) -> tuple[float, float] | None:
    """(gain dB, limiter sample-peak limit dB) for a second encode when the first MP3 is off target or its true
    peak passed the ceiling; None when it is fine (pure).

    MP3 encoding raises peaks by an amount that depends on the material: the first encode measures that
    overshoot over the normalised audio's limit, and the second one limits that much lower.
    """
    gain = target - measured.integrated
    if measured.true_peak <= ceiling and abs(gain) <= TOLERANCE_LU:
        return None
    wav_limit = ceiling - LIMITER_MARGIN_DB
    overshoot = max(0.0, measured.true_peak + gain - wav_limit)
    return round(gain, 2), round(ceiling - overshoot - 0.2, 2)


def refine(fix: tuple[float, float], measured: media.Loudness, target: float,
           ceiling: float) -> tuple[float, float] | None:
    """After a corrected encode: None when it is on target, else the next (gain, limit) (pure). The limiter
    takes some loudness with the peaks, so the gain grows by what is still missing."""
    gain_missing = target - measured.integrated
    peak_over = measured.true_peak - ceiling
    if peak_over <= 0 and abs(gain_missing) <= TOLERANCE_LU:
        return None
    limit = fix[1] - max(0.0, peak_over + 0.2)
    return round(fix[0] + gain_missing, 2), round(limit, 2)


def _score(measured: media.Loudness, opts: Options) -> float:
    """Smaller is better: a true peak over the ceiling counts heavily, then the distance to the target."""
    return 10 * max(0.0, measured.true_peak - opts.true_peak) + abs(measured.integrated - opts.loudness_target)


def _encode(source: Path, target: Path, opts: Options, fix: tuple[float, float] | None, ctx: Context,
            length: float, rate: int) -> None:
    task = ctx.progress("MP3 maken", length)
    gain = ["-af", f"volume={fix[0]:.2f}dB,{limiter_chain(fix[1], rate)}"] if fix else []
    try:
        media.ffmpeg(["-i", str(source), *gain, "-c:a", "libmp3lame", "-b:a", f"{opts.bitrate}k",
                      "-ar", str(opts.sample_rate), "-map_metadata", "-1", "-id3v2_version", "0",
                      "-write_xing", "1", str(target)], on_progress=task.update, what="encoding the MP3")
    finally:
        task.close()


def run(ctx: Context, opts: Options) -> Outcome:
    source = media.probe(ctx.paths.normalised)
    length = source.duration
    with atomic_path(ctx.paths.encoded) as best_file, atomic_path(ctx.paths.encoded) as tmp:
        _encode(ctx.paths.normalised, best_file, opts, None, ctx, length, source.sample_rate)
        best = media.measure_loudness(best_file)
        fix = correction(best, opts.loudness_target, opts.true_peak)
        first_fix, attempts = fix, 0
        while fix is not None and attempts < MAX_CORRECTIONS:
            _encode(ctx.paths.normalised, tmp, opts, fix, ctx, length, source.sample_rate)
            measured = media.measure_loudness(tmp)
            attempts += 1
            if _score(measured, opts) < _score(best, opts):
                best = measured
                shutil.copyfile(tmp, best_file)
            fix = refine(fix, measured, opts.loudness_target, opts.true_peak)
    measured = best
    warnings = []
    if measured.true_peak > opts.true_peak:
        warnings.append(f"true peak {measured.true_peak:.1f} dBTP is above the ceiling {opts.true_peak:.1f}")
    if abs(measured.integrated - opts.loudness_target) > 1.0:
        warnings.append(f"loudness {measured.integrated:.1f} LUFS is off the target {opts.loudness_target:.1f}")
    return Outcome(report={"loudness": {"output": measured.as_dict(), "encode_correction": (
                       {"encodes": 1 + attempts, "first": first_fix} if first_fix else None)}},
                   figures={"output": f"{measured.integrated:.1f} LUFS / {measured.true_peak:.1f} dBTP"},
                   warnings=warnings)
