"""normalise: cut the show out of the master and bring it to the loudness target, true-peak safe.

Reads:  work/master.wav (source timeline), work/trim.json (cut points), work/proxy.wav (for the deciding)
Writes: work/normalised.wav (published timeline, [audio] sample_rate, mono or stereo),
        work/speech.wav (16 kHz mono copy for transcription and speakers), work/loudness.json (the
        measurements, including the loudness of normalised.wav as rendered)

No loudnorm (no dynamic mode, no 192 kHz). The deciding runs on the 16 kHz proxy, a few seconds a pass:
a rumble filter, a pre-gain, a gentle leveller (an RMS compressor that brings loud and quiet voices closer;
`leveler = false` turns it off), a peak compressor and a look-ahead limiter; the pre-gain is settled until
this chain puts the show on the loudness target; full-quality excerpts spread over the show check it, and a
small linear gain takes out the rest. Then one pass over the master renders it, with the limiter
2x oversampled so that true peaks (not only sample peaks) stay under the ceiling, fades at both ends and
resampling to the output rate, while measuring the input (the report's "input") and the rendered result.
The encode stage takes out what is left and measures the final MP3.
"""

from __future__ import annotations

from dataclasses import dataclass
import tempfile
from pathlib import Path
from typing import Callable

from pipeline import fsutil, media
from pipeline.engine import Context, Outcome

NAME = "normalise"
VERSION = 7
LIMITER_MARGIN_DB = 2.0  # oversampled-peak limit below the true-peak ceiling: room for MP3 encoding overs
PROXY_RATE = 16000
OVERSAMPLE = 2  # the limiter runs at twice the rate: most inter-sample peaks, at a third of the cost of 4x


@dataclass(frozen=True)
class Options:
    loudness_target: float
    true_peak: float
    sample_rate: int
    channels: str
    leveler: bool
    fade: float


def options(ctx: Context) -> Options:
    a = ctx.show.audio
    return Options(loudness_target=a.loudness_target, true_peak=a.true_peak, sample_rate=a.sample_rate,
                   channels=a.channels, leveler=a.leveler, fade=a.fade)


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.master, ctx.paths.trim, ctx.paths.proxy, ctx.paths.ingest_info]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.normalised, ctx.paths.speech, ctx.paths.loudness]


# ---------------------------------------------------------------- decisions (pure)


def leveller_chain(pre_gain: float, target: float, enabled: bool) -> str:
    """Filters before the final gain: rumble filter, a pre-gain that brings speech near the target, a gentle
    leveller (RMS detection, slow release, ratio 2, threshold just under the target) that brings loud and quiet
    voices closer, and a peak compressor (fast, ratio 4, 10 dB over the target) that tames plosives and laughs
    so the final limiter only touches the rare peak and the loudness target stays reachable linearly."""
    chain = ["highpass=f=60", f"volume={pre_gain:.2f}dB"]
    if enabled:
        rms_threshold = 10 ** ((target - 4.0) / 20)
        peak_threshold = 10 ** ((target + 10.0) / 20)
        chain.append(f"acompressor=threshold={rms_threshold:.5f}:ratio=2:attack=20:release=400:knee=4:"
                     f"detection=rms:makeup=1")
        chain.append(f"acompressor=threshold={peak_threshold:.5f}:ratio=4:attack=1:release=80:knee=2:"
                     f"detection=peak:makeup=1")
    return ",".join(chain)


def calibration_spans(start: float, end: float, count: int = 12, seconds: float = 20.0) -> list[tuple[float, float]]:
    """`count` excerpts of `seconds` spread evenly over [start, end], or the whole span when it is short (pure)."""
    length = end - start
    if length <= count * seconds * 1.5:
        return [(start, length)]
    step = (length - seconds) / (count - 1)
    return [(round(start + i * step, 3), seconds) for i in range(count)]


def settle_gain(level_at: Callable[[float], float], target: float, first_guess: float, tolerance: float = 0.15,
                steps: int = 4) -> float:
    """The gain g for which level_at(g), the loudness through a non-linear chain, is on target (pure; level_at
    does the measuring). Compressors and a limiter make the loudness grow more slowly than the gain, so this
    steps along the measured slope (secant method, slope kept between 0.2 and 1.5) instead of trusting 1:1."""
    clamp = lambda g: max(-30.0, min(30.0, g))  # noqa: E731
    gain, level, slope = clamp(first_guess), None, 1.0
    for _ in range(steps):
        previous = (gain, level)
        level = level_at(gain)
        miss = target - level
        if abs(miss) <= tolerance:
            break
        if previous[1] is not None and previous[0] != gain:
            slope = min(1.5, max(0.2, (level - previous[1]) / (gain - previous[0])))
        gain = clamp(gain + miss / slope)
    return round(gain, 2)


def limiter_chain(limit_db: float, source_rate: int, oversample: int = OVERSAMPLE) -> str:
    """A look-ahead limiter at `oversample` x the rate, so inter-sample peaks are caught as well."""
    limit = 10 ** (limit_db / 20)
    return (f"aresample={source_rate * oversample}:resampler=soxr,"
            f"alimiter=limit={limit:.5f}:attack=2:release=60:level=false:latency=true")


def output_channels(setting: str, source_channels: int) -> int:
    return {"mono": 1, "stereo": 2}.get(setting, 1 if source_channels == 1 else 2)


# ---------------------------------------------------------------- the stage


def run(ctx: Context, opts: Options) -> Outcome:
    trim = fsutil.read_json(ctx.paths.trim)
    start, end = trim["start"], trim["end"]
    length = end - start
    master = media.probe(ctx.paths.master)
    channels = output_channels(opts.channels, master.channels)
    limiter = limiter_chain(opts.true_peak - LIMITER_MARGIN_DB, master.sample_rate)
    # All the deciding happens on the 16 kHz proxy, a few seconds a pass for an hour: find the pre-gain at which
    # the whole chain (leveller, compressor, limiter) puts the show on target. Ingest measured how much louder the
    # master is than the proxy (a stereo fold-down, the missing highs); what remains off is measured while
    # rendering and the encode stage's gain takes it out.
    fold_down = fsutil.read_json(ctx.paths.ingest_info).get("proxy_offset_db", 0.0)
    rough = media.measure_loudness(ctx.paths.proxy, start=start, end=end, true_peak=False).integrated + fold_down
    proxy_limiter = limiter_chain(opts.true_peak - LIMITER_MARGIN_DB, PROXY_RATE)

    def proxy_level(pre_gain: float) -> float:
        chain = leveller_chain(pre_gain + fold_down, opts.loudness_target, opts.leveler)
        return media.measure_loudness(ctx.paths.proxy, start=start, end=end, true_peak=False,
                                      pre_filter=f"{chain},{proxy_limiter}").integrated + fold_down

    pre_gain = settle_gain(proxy_level, opts.loudness_target, opts.loudness_target - rough) if rough > -70 else 0.0
    chain = leveller_chain(pre_gain, opts.loudness_target, opts.leveler)
    # The proxy misses the highs and the stereo, where many peaks are: check the chain on full-quality excerpts
    # spread over the show (a few minutes of audio for an hour) and take the small rest out with one linear gain.
    with tempfile.TemporaryDirectory(dir=ctx.paths.work) as scratch:
        excerpt = Path(scratch) / "excerpts.wav"
        media.cut_excerpts(ctx.paths.master, calibration_spans(start, end), excerpt)
        on_master = media.measure_loudness(excerpt, true_peak=False,
                                           pre_filter=f"{chain},{limiter},aresample={master.sample_rate}")
    gain = round(opts.loudness_target - on_master.integrated, 2) if on_master.integrated > -70 else 0.0
    cut = ["-ss", f"{start:.3f}", "-to", f"{end:.3f}", "-i", str(ctx.paths.master)]
    meter = "ebur128=peak=true:framelog=verbose"  # the input as recorded, for the report
    level_meter = "ebur128=framelog=verbose"  # loudness only: true peak is measured on the MP3

    # One pass over the master: measure the input, render the show, measure what was rendered.
    layout = "mono" if channels == 1 else "stereo"
    fade_out_at = max(0.0, length - opts.fade)
    graph = (f"[0:a]asplit=2[raw][show];[raw]{meter}[ro];"
             f"[show]{chain},volume={gain:.2f}dB,{limiter},"
             f"aresample={opts.sample_rate}:resampler=soxr,aformat=sample_fmts=s16:channel_layouts={layout},"
             f"afade=t=in:d={opts.fade:.3f},afade=t=out:st={fade_out_at:.3f}:d={opts.fade:.3f},asplit=3[n][s][m];"
             # osf=flt: soxr converts to s16 with random dither; float out, then s16, is the same every run
             f"[s]aresample=16000:resampler=soxr:osf=flt,aformat=sample_fmts=s16:channel_layouts=mono[sp];"
             f"[m]{level_meter}[mo]")
    task = ctx.progress("Normaliseren", length)
    try:
        with fsutil.atomic_path(ctx.paths.normalised) as normalised, fsutil.atomic_path(ctx.paths.speech) as speech:
            stderr = media.ffmpeg([*cut, "-filter_complex", graph, "-map", "[n]", "-c:a", "pcm_s16le",
                                   str(normalised), "-map", "[sp]", "-c:a", "pcm_s16le", str(speech),
                                   "-map", "[ro]", "-f", "null", "-", "-map", "[mo]", "-f", "null", "-"],
                                  on_progress=task.update, what="normalising")
    finally:
        task.close()
    measured_input, rendered = media.parse_ebur128_summaries(stderr)
    result = {
        "target": {"integrated": opts.loudness_target, "true_peak": opts.true_peak},
        "rendered": {"integrated": rendered.integrated, "lra": rendered.lra,
                     "peak_limit": round(opts.true_peak - LIMITER_MARGIN_DB, 2)},
        "input": measured_input.as_dict(),
        "pre_gain_db": pre_gain,
        "gain_db": gain,
        "leveler": opts.leveler,
        "sample_rate": opts.sample_rate,
        "channels": channels,
        "duration": round(length, 3),
    }
    fsutil.write_json(ctx.paths.loudness, result)
    return Outcome(report={"loudness": {"input": result["input"], "target": result["target"],
                                        "pre_gain_db": pre_gain, "gain_db": gain, "leveler": opts.leveler}},
                   figures={"input": f"{measured_input.integrated:.1f} LUFS", "gain": f"{pre_gain:+.1f} dB"})
