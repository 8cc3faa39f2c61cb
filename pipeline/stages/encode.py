"""encode: render the show from the source straight into a constant-bitrate MP3, on target as measured on the MP3.

Reads:  the source files (work/ingest.json lists them with their lengths), work/trim.json (cut points),
        work/loudness.json (the render normalise decided), work/speech.flac (where the peaks are)
Writes: <slug>.mp3 in the episode folder, untagged (the tag stage then writes the tags into it; the engine
        recognises encode's output by its audio frames, output_digest below, so a metadata edit never
        re-encodes and no second copy of the MP3 is kept in work/)

One pass: the show streams from the source through trim, leveller, limiter, gain, fades and resampling into
the MP3 encoder (media.encode_mp3_measured: ffmpeg processes joined by pipes); no full-quality intermediate is
written, and the MP3 is measured (ffmpeg ebur128, true peak) while it is encoded, from the same stream.

The loudness that counts is that of the file listeners get, and MP3 encoding changes it: it drops what the ear
would not hear (a few tenths of a LU) and raises true peaks (up to 3 dB on buzzy synthetic voices, measured).
So gain and limit are settled beforehand on excerpts, seconds of work instead of full encodes: 20-second
excerpts around the highest peaks (3 to 8, by length) are encoded to MP3, and the limit lowered until their MP3
stays under the ceiling; they also give the MP3's loudness drop. Normalise's excerpts spread over the show are
rendered and measured at the gain and 1 dB above it in one pass (the limiter at the source rate: the loudness
of the full render within 0.01 LU), plus that drop, and the gain interpolated between the two, or stepped along
the measured slope, until they are on the target (less the whole show's measured excess over them); usually one
round. A short show is its own excerpt: its trials are full
encodes and the one that settles is kept. Only when the MP3 misses the target by more than TOLERANCE_LU or the
true-peak ceiling is it encoded once more with the correction, and report.json
(loudness.encoding.second_encode) says why.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ThreadPoolExecutor
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline import fsutil, id3order, media
from pipeline.engine import Context, Outcome
from pipeline.fsutil import atomic_path
from pipeline.loudness import Render
from pipeline.speechwav import RATE as SPEECH_RATE, SpeechWav

NAME = "encode"
TOLERANCE_LU = 0.5  # a full MP3 further than this from the target is encoded once more
AIM_TOLERANCE_LU = 0.15  # the excerpt trials stop this close to their aim
FIRST_SLOPE = 0.5  # LU of loudness per dB of gain before two trials measured it (the limiter eats much)
PEAK_SAFETY_DB = 0.5  # the excerpts' MP3 true peak is kept this far under the ceiling: the show's highest
# true peak may lie outside them (measured: 0.4 dB higher on a 20-minute show)
EXCERPT_SECONDS = 20.0
TRIAL_STEPS = 5  # gains and limits tried on the excerpts before the full encode
LEVEL_PROBE_DB = 1.0  # the excerpts' level is measured this much louder too, in the same pass: the chain's slope
#                       from the first trial, and a bracket to interpolate the gain in (MP3 encoding and the
#                       limiter take loudness away, so the gain mostly has to go up)


@dataclass(frozen=True)
class Options:
    bitrate: int
    sample_rate: int
    loudness_target: float
    true_peak: float
    fade: float


def options(ctx: Context) -> Options:
    a = ctx.show.audio
    return Options(bitrate=a.bitrate, sample_rate=a.sample_rate, loudness_target=a.loudness_target,
                   true_peak=a.true_peak, fade=a.fade)


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [*(Path(p) for p in ctx.episode.sources), ctx.paths.ingest_info, ctx.paths.trim, ctx.paths.loudness,
            ctx.paths.speech]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.audio]


def output_digest(path: Path) -> str:
    """What of the MP3 is encode's: its audio frames, not the ID3 tags the tag stage writes around them."""
    return id3order.audio_sha256(path)


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


def lower_limit(limit_db: float, mp3_true_peak: float, ceiling: float) -> float | None:
    """The next limit to try when an MP3 peaks over `ceiling` less the safety margin; None when it does not
    (pure). Lowers by the overshoot and 0.1 dB more, since the encoder's overshoot follows the limit."""
    over = mp3_true_peak - (ceiling - PEAK_SAFETY_DB)
    return round(limit_db - over - 0.1, 2) if over > 0 else None


def next_settings(trials: list[dict], aim: float, ceiling: float) -> tuple[float, float] | None:
    """After MP3 trials ({"gain_db", "limit_db", "integrated", "true_peak"}, in order): None when the last one
    is within AIM_TOLERANCE_LU of `aim` and under the ceiling less the safety margin, else the (gain, limit) to
    try next (pure). The gain step is the missing loudness over the slope measured between the last two trials
    at the same limit (the limiter eats part of a gain step; FIRST_SLOPE before there are two); a lower limit
    takes loudness away where the limiter works, so half of the limit step is given back as gain."""
    last = trials[-1]
    lower = lower_limit(last["limit_db"], last["true_peak"], ceiling)
    miss = aim - last["integrated"]
    if lower is None and abs(miss) <= AIM_TOLERANCE_LU:
        return None
    slope = FIRST_SLOPE
    comparable = [t for t in trials[:-1] if t["limit_db"] == last["limit_db"]
                  and abs(t["gain_db"] - last["gain_db"]) > 0.05]
    if comparable:
        previous = comparable[-1]
        measured = (last["integrated"] - previous["integrated"]) / (last["gain_db"] - previous["gain_db"])
        slope = min(1.5, max(0.2, measured))
    limit = lower if lower is not None else last["limit_db"]
    return round(last["gain_db"] + miss / slope + (last["limit_db"] - limit) * 0.5, 2), limit


def second_encode(mp3: media.Loudness, target: float, ceiling: float) -> list[str]:
    """Why the full MP3 must be encoded once more: an empty list when it is on target and under the ceiling."""
    reasons = []
    if mp3.true_peak is not None and mp3.true_peak > ceiling:
        reasons.append(f"true peak {mp3.true_peak:.2f} dBTP over the ceiling {ceiling:.1f}")
    if abs(mp3.integrated - target) > TOLERANCE_LU:
        reasons.append(f"loudness {mp3.integrated:.2f} LUFS, {mp3.integrated - target:+.2f} LU from the target "
                       f"(tolerance {TOLERANCE_LU})")
    return reasons


def score(mp3: media.Loudness, opts: Options) -> float:
    """Smaller is better: a true peak over the ceiling counts heavily, then the distance to the target."""
    return 10 * max(0.0, (mp3.true_peak or 0.0) - opts.true_peak) + abs(mp3.integrated - opts.loudness_target)


# ---------------------------------------------------------------- ffmpeg edge


def peaks_per_second(path: Path) -> list[float]:
    """The highest absolute sample of every second of a 16 kHz speech file (pipeline.speechwav), in blocks."""
    import numpy as np

    peaks: list[float] = []
    with SpeechWav(path) as wav:
        for block in wav.blocks(SPEECH_RATE * 10):
            samples = np.abs(block.astype(np.int32))
            peaks += samples[: len(samples) - len(samples) % SPEECH_RATE].reshape(-1, SPEECH_RATE).max(axis=1).tolist()
    return peaks


def encode(parts: list[tuple[Path, float]], spans: list[tuple[float, float]], render: Render, target: Path,
           opts: Options, fade: bool = False, ctx: Context | None = None,
           before: Path | None = None) -> media.Loudness:
    """Stream the spans of the source through the render into the MP3 encoder (one ffmpeg, one decode) and
    return the MP3's loudness and true peak, measured while it is encoded. With `before`, the rendered audio's
    own loudness is metered on the way into the encoder too (media.read_meter(before) reads it)."""
    args, graph = media.span_inputs(parts, spans)
    length = sum(seconds for _, seconds in spans)
    chain = render.filters(length, opts.fade) if fade else render.filters()
    extra: list[str] = []
    if before is None:
        graph = f"{graph};[src]{chain}[out]"
    else:
        graph = f"{graph};[src]{chain},asplit=2[out][in];[in]{media.meter(before, true_peak=False)}[metered]"
        extra = ["-map", "[metered]", "-f", "null", "-"]
    task = ctx.progress("MP3 maken", length) if ctx else None
    try:
        return media.encode_mp3_measured([*args, "-filter_complex", graph, *extra, "-map", "[out]"], target,
                                         opts.bitrate, opts.sample_rate, render.channels,
                                         on_progress=task.update if task else None)
    finally:
        if task:
            task.close()


def interpolated(gain: float, settings: tuple[float, float] | None, trials: list[dict]) -> bool:
    """Whether next_settings' (gain, limit) lies inside the bracket the last round measured (its gain and the
    probe LEVEL_PROBE_DB above it, at the same limit): then its loudness is interpolated on a measured slope,
    within a few hundredths of a LU, and need not be measured again (pure)."""
    if settings is None or len(trials) < 2 or not trials[-2].get("probe"):
        return False
    low, high = sorted((gain, trials[-2]["gain_db"]))
    return settings[1] == trials[-1]["limit_db"] and low <= settings[0] <= high


def settle(parts, level_spans, peak_spans, render: Render, aim: float, opts: Options, folder: Path,
           whole: bool, ctx: Context | None = None) -> tuple[Render, list[dict], media.Loudness | None]:
    """Settle gain and limit on trials of excerpts, a few seconds a try for an hour: the peakiest excerpts are
    encoded to MP3 (their true peak must stay under the ceiling less PEAK_SAFETY_DB; how much quieter the MP3
    is than what went into the encoder is measured on them too), again only when the limit changed; the
    calibration excerpts are rendered and measured at the gain and LEVEL_PROBE_DB above it in one pass (the
    render's level chain, Render.level_branches), plus that MP3 drop, until they are on `aim`, or the gain that
    puts them there lies between the two. When the calibration excerpt is the `whole` show (a short show), each
    trial is a full encode with fades, and the one that settles is the result: its measurement is returned and
    its MP3 left in folder/level.mp3; else None is returned with the settled render."""
    trials: list[dict] = []
    peak_at: float | None = None  # the limit the peak excerpts were last encoded with
    for _ in range(TRIAL_STEPS):
        if whole:
            mp3 = encode(parts, level_spans, render, folder / "level.mp3", opts, fade=True, ctx=ctx)
            level, peak, drop = mp3.integrated, mp3.true_peak, None
        else:
            gains = [round(render.gain_db + LEVEL_PROBE_DB, 2), render.gain_db]
            common, branches = render.level_branches(gains)
            with ThreadPoolExecutor(2) as pool, media.Meters() as meters:  # both at once: two cores
                rendered = pool.submit(media.measure_branches, parts, branches, spans=level_spans,
                                       pre_filter=common, true_peak=False)
                if peak_at != render.limit_db:
                    before = meters.new()
                    mp3 = encode(parts, peak_spans, render, folder / "peaks.mp3", opts, before=before)
                    drop = round(mp3.integrated - media.read_meter(before, true_peak=False).integrated, 2)
                    peak, peak_at = mp3.true_peak, render.limit_db
                probe, level = (measured.integrated + drop for measured in rendered.result())
            trials.append({"gain_db": gains[0], "limit_db": render.limit_db, "integrated": round(probe, 2),
                           "true_peak": peak, "mp3_drop_lu": drop, "probe": True})
        trials.append({"gain_db": render.gain_db, "limit_db": render.limit_db, "integrated": round(level, 2),
                       "true_peak": peak, **({"mp3_drop_lu": drop} if drop is not None else {})})
        settings = next_settings(trials, aim, opts.true_peak)
        if settings is None:
            return render, trials, mp3 if whole else None
        if not whole and interpolated(render.gain_db, settings, trials):
            render = dataclasses.replace(render, gain_db=settings[0])
            trials.append({"gain_db": render.gain_db, "limit_db": render.limit_db, "interpolated": True})
            return render, trials, None
        render = dataclasses.replace(render, gain_db=settings[0], limit_db=settings[1])
    return render, trials, None


def run(ctx: Context, opts: Options) -> Outcome:
    info, trim = fsutil.read_json(ctx.paths.ingest_info), fsutil.read_json(ctx.paths.trim)
    decided = fsutil.read_json(ctx.paths.loudness)
    parts = [(Path(p), s["duration"]) for p, s in zip(ctx.episode.sources, info["sources"])]
    start, length = trim["start"], trim["end"] - trim["start"]
    render = Render(**{**decided["render"], "sample_rate": opts.sample_rate})
    show = [(start, length)]
    level_spans = [tuple(span) for span in decided["calibration"]["spans"]]
    whole = level_spans == show
    with tempfile.TemporaryDirectory(dir=ctx.paths.work) as scratch, atomic_path(ctx.paths.audio) as best_file:
        folder = Path(scratch)
        peak_spans = []
        if not whole:
            peak_spans = [(start + s, EXCERPT_SECONDS) for s in excerpt_starts(peaks_per_second(ctx.paths.speech))]
        aim = opts.loudness_target - decided["calibration"]["excerpt_bias_lu"]
        render, trials, settled = settle(parts, level_spans, peak_spans, render, aim, opts, folder, whole, ctx)
        if settled is not None:  # a short show: the trial that settled is the whole show, fades and all
            os.replace(folder / "level.mp3", best_file)
            best, used = settled, render
        else:
            best, used = encode(parts, show, render, best_file, opts, fade=True, ctx=ctx), render
        encodes = [{"gain_db": used.gain_db, "limit_db": used.limit_db, **best.as_dict()}]
        reasons = second_encode(best, opts.loudness_target, opts.true_peak)
        settings = next_settings(encodes, opts.loudness_target, opts.true_peak) if reasons else None
        if settings is not None:  # once more, with what the full MP3 says is missing
            retry = dataclasses.replace(used, gain_db=settings[0], limit_db=settings[1])
            measured = encode(parts, show, retry, folder / "show.mp3", opts, fade=True, ctx=ctx)
            encodes.append({"gain_db": retry.gain_db, "limit_db": retry.limit_db, **measured.as_dict()})
            if score(measured, opts) < score(best, opts):
                best, used = measured, retry
                os.replace(folder / "show.mp3", best_file)
    warnings = []
    if (best.true_peak or 0.0) > opts.true_peak:
        warnings.append(f"true peak {best.true_peak:.1f} dBTP is above the ceiling {opts.true_peak:.1f}")
    if abs(best.integrated - opts.loudness_target) > TOLERANCE_LU:
        warnings.append(f"loudness {best.integrated:.1f} LUFS is off the target {opts.loudness_target:.1f}")
    encoding = {"trials": trials, "encodes": encodes, "second_encode": reasons,
                "trial_was_the_show": settled is not None}
    return Outcome(report={"loudness": {"output": best.as_dict(), "render": dataclasses.asdict(used),
                                        "encoding": encoding}},
                   figures={"output": f"{best.integrated:.1f} LUFS / {best.true_peak:.1f} dBTP",
                            "encodes": str(len(encodes))},
                   warnings=warnings)
