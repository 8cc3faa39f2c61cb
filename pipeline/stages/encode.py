"""encode: the normalised audio as a constant-bitrate MP3, on target as measured on the MP3 itself.

Reads:  work/normalised.wav, work/loudness.json (its loudness, measured as it was rendered)
Writes: work/encoded.mp3 (untagged: the tag stage copies and tags it, so a metadata edit never re-encodes)

The loudness that counts is that of the file listeners get. MP3 encoding changes it: it drops what the ear
would not hear (a few tenths of a LU) and raises true peaks (up to 2 dB on buzzy voices). So before the full
encode, 20-second excerpts around the highest peaks (3 to 8, by length) are encoded and measured against the
WAV, and a lower oversampled peak limit is tried on them until their MP3 stays under the ceiling: seconds of
work instead of full encodes. The full encode carries that limit and the gain the WAV's loudness asks for, and
the MP3 is measured (ffmpeg ebur128, true peak); loudness is judged on the full MP3 only, the excerpts being
the show's peakiest parts. If it is still off by more than TOLERANCE_LU or over the ceiling, it is encoded once
more with the remaining correction (MAX_CORRECTIONS), and the best attempt is kept.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline import fsutil, media
from pipeline.engine import Context, Outcome
from pipeline.fsutil import atomic_path

NAME = "encode"
TOLERANCE_LU = 0.3
MAX_CORRECTIONS = 2  # full re-encodes at most; the excerpts usually make the first one right
PEAK_SAFETY_DB = 0.2  # aim this far under the ceiling when a limit has to be set
EXCERPT_SECONDS = 20.0
TRIAL_STEPS = 3  # limits tried on the excerpts before the full encode


@dataclass(frozen=True)
class Options:
    bitrate: int
    sample_rate: int
    loudness_target: float
    true_peak: float


@dataclass(frozen=True)
class Fix:
    """What the encode applies on the way in: a linear gain, then (optionally) an oversampled peak limit."""

    gain_db: float
    limit_db: float | None


def options(ctx: Context) -> Options:
    a = ctx.show.audio
    return Options(bitrate=a.bitrate, sample_rate=a.sample_rate, loudness_target=a.loudness_target,
                   true_peak=a.true_peak)


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.normalised, ctx.paths.loudness]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.encoded]


# ---------------------------------------------------------------- decisions (pure)


def excerpt_starts(peak_per_second: list[float], count: int | None = None,
                   seconds: float = EXCERPT_SECONDS) -> list[float]:
    """Where the trial excerpts start: around the highest peaks, `seconds` apart at least, since the peaks are
    where encoding overshoots; 3 excerpts, one more per 10 minutes from 30 minutes on, at most 8; [0.0] (the
    whole show) when it is short (pure)."""
    length = len(peak_per_second)
    count = count if count is not None else max(3, min(8, length // 600))
    if length <= count * seconds * 1.5:
        return [0.0]
    chosen: list[int] = []
    for second in sorted(range(length), key=lambda i: -peak_per_second[i]):
        if all(abs(second - c) >= seconds for c in chosen):
            chosen.append(second)
        if len(chosen) == count:
            break
    return sorted(float(min(max(0, c - seconds / 2), length - seconds)) for c in chosen)


def peaks_per_second(path: Path) -> list[float]:
    """The highest absolute sample of every second of a 16-bit WAV, read in blocks."""
    import wave

    import numpy as np

    peaks: list[float] = []
    with wave.open(str(path), "rb") as handle:
        rate, channels = handle.getframerate(), handle.getnchannels()
        while block := handle.readframes(rate * 10):
            samples = np.abs(np.frombuffer(block, dtype="<i2").astype(np.int32))
            per_second = samples[: len(samples) - len(samples) % (rate * channels)].reshape(-1, rate * channels)
            peaks += per_second.max(axis=1).tolist()
    return peaks


def predicted_fix(wav: media.Loudness, shift_lu: float, overshoot_db: float, target: float,
                  ceiling: float) -> Fix | None:
    """The fix for the full encode, from the WAV's measurement and what encoding did to the excerpts."""
    gain = target - (wav.integrated + shift_lu)
    peak_after = (wav.true_peak or ceiling) + gain + max(0.0, overshoot_db)
    limit = None
    if peak_after > ceiling - PEAK_SAFETY_DB:
        # limit the WAV so that, after the encoder's overshoot, the MP3's true peak stays under the ceiling
        limit = round(ceiling - PEAK_SAFETY_DB - max(0.0, overshoot_db), 2)
    if abs(gain) <= TOLERANCE_LU / 2 and limit is None:
        return None
    return Fix(round(gain, 2), limit)


def refined_fix(fix: Fix | None, mp3: media.Loudness, target: float, ceiling: float,
                slope: float = 1.0) -> Fix | None:
    """After an encode: None when the MP3 is on target and under the ceiling, else the next fix (pure).

    `slope` is how much of a gain step reached the MP3 last time (a limiter working hard eats part of it);
    the next gain step is the missing loudness divided by it."""
    gain_missing = target - mp3.integrated
    peak_over = (mp3.true_peak or -99.0) - ceiling
    if peak_over <= 0 and abs(gain_missing) <= TOLERANCE_LU:
        return None
    previous = fix or Fix(0.0, None)
    limit = previous.limit_db
    if peak_over > 0 or (limit is None and (mp3.true_peak or -99.0) + gain_missing > ceiling):
        limit = round((limit if limit is not None else ceiling - PEAK_SAFETY_DB) - max(0.0, peak_over) - 0.3, 2)
    step = gain_missing / min(1.0, max(0.3, slope)) if limit == previous.limit_db else gain_missing
    return Fix(round(previous.gain_db + step, 2), limit)


def gain_slope(attempts: list[dict]) -> float:
    """How much of the last gain step reached the MP3, from the last two attempts at the same limit (pure)."""
    if len(attempts) < 2 or attempts[-1]["limit_db"] != attempts[-2]["limit_db"]:
        return 1.0
    step = attempts[-1]["gain_db"] - attempts[-2]["gain_db"]
    return (attempts[-1]["integrated"] - attempts[-2]["integrated"]) / step if abs(step) > 0.05 else 1.0


def score(mp3: media.Loudness, opts: Options) -> float:
    """Smaller is better: a true peak over the ceiling counts heavily, then the distance to the target."""
    return 10 * max(0.0, (mp3.true_peak or 0.0) - opts.true_peak) + abs(mp3.integrated - opts.loudness_target)


# ---------------------------------------------------------------- ffmpeg edge


def _encode(source: Path, target: Path, opts: Options, fix: Fix | None, rate: int, ctx: Context | None = None,
            length: float = 0.0) -> None:
    filters = []
    if fix is not None:
        filters.append(f"volume={fix.gain_db:.2f}dB")
        if fix.limit_db is not None:
            filters.append(media.limiter_chain(fix.limit_db, rate, oversample=4) + f",aresample={rate}")
    task = ctx.progress("MP3 maken", length) if ctx else None
    try:
        media.ffmpeg(["-i", str(source), *(["-af", ",".join(filters)] if filters else []),
                      "-c:a", "libmp3lame", "-b:a", f"{opts.bitrate}k", "-ar", str(opts.sample_rate),
                      "-map_metadata", "-1", "-id3v2_version", "0", "-write_xing", "1", str(target)],
                     on_progress=task.update if task else None, what="encoding the MP3")
    finally:
        if task:
            task.close()


def _excerpt(source: Path, length: float, target: Path) -> None:
    starts = excerpt_starts(peaks_per_second(source))
    seconds = EXCERPT_SECONDS if len(starts) > 1 else length
    media.cut_excerpts(source, [(start, seconds) for start in starts], target, codec="pcm_s16le")


def _settle_on_excerpt(excerpt: Path, wav_full: media.Loudness, opts: Options, rate: int,
                       folder: Path) -> tuple[Fix | None, list[dict]]:
    """Try fixes on the excerpt (seconds each) until its MP3 would be on target and under the ceiling."""
    encoded = folder / "excerpt.mp3"
    _encode(excerpt, encoded, opts, None, rate)
    before, after = media.measure_loudness(excerpt), media.measure_loudness(encoded)
    shift = after.integrated - before.integrated
    overshoot = (after.true_peak or 0.0) - (before.true_peak or 0.0)
    fix = predicted_fix(wav_full, shift, overshoot, opts.loudness_target, opts.true_peak)
    trials = [{"shift_lu": round(shift, 2), "overshoot_db": round(overshoot, 2)}]
    for _ in range(TRIAL_STEPS):
        if fix is None or fix.limit_db is None:
            break  # a plain gain is linear: nothing to try
        _encode(excerpt, encoded, opts, fix, rate)
        tried = media.measure_loudness(encoded)
        # The excerpts sit around the highest peaks: they tell how far encoding overshoots the limit, not how
        # loud the show is (the full encode is measured for that).
        peak_over = (tried.true_peak or -99.0) - (opts.true_peak - PEAK_SAFETY_DB)
        trials.append({"limit_db": fix.limit_db, "true_peak": tried.true_peak})
        if peak_over <= 0:
            break
        fix = Fix(fix.gain_db, round(fix.limit_db - peak_over - 0.1, 2))
    return fix, trials


def run(ctx: Context, opts: Options) -> Outcome:
    source = media.probe(ctx.paths.normalised)
    rate, length = source.sample_rate, source.duration
    rendered = fsutil.read_json(ctx.paths.loudness)["rendered"]  # measured while normalise wrote the WAV
    wav = media.Loudness(integrated=rendered["integrated"], lra=rendered["lra"],
                         true_peak=rendered["peak_limit"] + 0.5, threshold=0.0)  # 2x oversampled limit: +0.5
    attempts: list[dict] = []
    with tempfile.TemporaryDirectory(dir=ctx.paths.work) as scratch, atomic_path(ctx.paths.encoded) as best_file:
        excerpt, candidate = Path(scratch) / "excerpt.wav", Path(scratch) / "candidate.mp3"
        _excerpt(ctx.paths.normalised, length, excerpt)
        fix, trials = _settle_on_excerpt(excerpt, wav, opts, rate, Path(scratch))
        best = None
        for _ in range(1 + MAX_CORRECTIONS):
            _encode(ctx.paths.normalised, candidate, opts, fix, rate, ctx, length)
            measured = media.measure_loudness(candidate)
            attempts.append({"gain_db": fix.gain_db if fix else 0.0, "limit_db": fix.limit_db if fix else None,
                             "integrated": measured.integrated, "true_peak": measured.true_peak})
            if best is None or score(measured, opts) < score(best, opts):
                best = measured
                os.replace(candidate, best_file)  # kept; the next attempt writes a new candidate
            fix = refined_fix(fix, measured, opts.loudness_target, opts.true_peak, gain_slope(attempts))
            if fix is None:
                break
    warnings = []
    if (best.true_peak or 0.0) > opts.true_peak:
        warnings.append(f"true peak {best.true_peak:.1f} dBTP is above the ceiling {opts.true_peak:.1f}")
    if abs(best.integrated - opts.loudness_target) > 1.0:
        warnings.append(f"loudness {best.integrated:.1f} LUFS is off the target {opts.loudness_target:.1f}")
    return Outcome(report={"loudness": {"output": best.as_dict(), "normalised_wav": wav.as_dict(),
                                        "encoding": {"trials": trials, "attempts": attempts}}},
                   figures={"output": f"{best.integrated:.1f} LUFS / {best.true_peak:.1f} dBTP",
                            "encodes": str(len(attempts))},
                   warnings=warnings)
