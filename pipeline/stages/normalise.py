"""normalise: decide how the show is brought to the loudness target, and make the 16 kHz speech copy.

Reads:  work/trim.json (cut points), work/ingest.json (the source parts and their lengths), the source files
        (excerpts, and the show through the 16 kHz fold-down media.SPEECH_FILTER)
Writes: work/loudness.json (the render: pre-gain, gain and limit of pipeline.loudness.Render, and the figures
        they were decided from), work/speech.flac (16 kHz mono, published timeline, lossless, for
        transcription, speakers and chapters)

No full-quality audio is written here: the encode stage streams the show from the source through this
render into the MP3 encoder. The deciding runs on the proxy, the 16 kHz mono fold-down of the source that
analysis hears (media.SPEECH_FILTER), of excerpts spread over the show, kept in a scratch WAV while the stage
runs: a fraction of a second a pass. The pre-gain of the chain (pipeline/loudness.py: rumble filter,
leveller, peak compressor, limiter; `leveler = false` turns the leveller off) is settled until the chain puts
the excerpts on the loudness target (with the fold-down: how much louder the recording measures than the
proxy); then the full-quality excerpts check it, and one linear gain takes out the rest. How much louder the
whole show is than those excerpts through the chain is measured on the proxy (`excerpt_bias_lu`), so the
encode stage can aim its excerpt trials right. speech.flac is the show's proxy through the same chain, with
the fades, in one pass over the source (one decode) that also measures the show's input loudness.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline import fsutil, media
from pipeline.engine import Context, Outcome
from pipeline.loudness import LIMITER_MARGIN_DB, Render, fades, settle_gain
from pipeline.speechwav import RATE as SPEECH_RATE

NAME = "normalise"


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
    return [*(Path(p) for p in ctx.episode.sources), ctx.paths.trim, ctx.paths.ingest_info]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.speech, ctx.paths.loudness]


# ---------------------------------------------------------------- decisions (pure)


def calibration_spans(start: float, end: float, count: int = 12, seconds: float = 20.0) -> list[tuple[float, float]]:
    """`count` excerpts of `seconds` spread evenly over [start, end], or the whole span when it is short (pure)."""
    length = end - start
    if length <= count * seconds * 1.5:
        return [(start, length)]
    step = (length - seconds) / (count - 1)
    return [(round(start + i * step, 3), seconds) for i in range(count)]


def output_channels(setting: str, source_channels: int) -> int:
    return {"mono": 1, "stereo": 2}.get(setting, 1 if source_channels == 1 else 2)


# ---------------------------------------------------------------- the stage


def run(ctx: Context, opts: Options) -> Outcome:
    trim = fsutil.read_json(ctx.paths.trim)
    start, end = trim["start"], trim["end"]
    length = end - start
    info = fsutil.read_json(ctx.paths.ingest_info)
    parts = [(Path(p), s["duration"]) for p, s in zip(ctx.episode.sources, info["sources"])]
    source_rate, source_channels = info["render_from"]["sample_rate"], info["render_from"]["channels"]
    spans = calibration_spans(start, end)
    with tempfile.TemporaryDirectory(dir=ctx.paths.work) as scratch, media.Meters() as meters:
        # The excerpts at full quality (measured) and folded down to 16 kHz (kept in a scratch WAV, so the passes
        # below read them without decoding the source again): how much louder the recording is than the proxy
        # (a stereo fold-down, the missing highs); with it, what is decided on the proxy speaks about the recording.
        excerpts, figures = Path(scratch) / "excerpts.wav", meters.new()
        args, graph = media.span_inputs(parts, spans)
        media.ffmpeg([*args, "-filter_complex", f"{graph};[src]asplit=2[full][small];"
                      f"[full]{media.meter(figures, true_peak=False)}[m];[small]{media.SPEECH_FILTER}[px]",
                      "-map", "[m]", "-f", "null", "-", "-map", "[px]", "-c:a", "pcm_s16le", str(excerpts)],
                     what="measuring the excerpts")
        full, small = media.read_meter(figures, true_peak=False), media.measure_loudness(excerpts, true_peak=False)
        fold_down = round(full.integrated - small.integrated, 2) if min(full.integrated, small.integrated) > -70 \
            else 0.0
        on_proxy = Render(pre_gain_db=0.0, gain_db=0.0, limit_db=opts.true_peak - LIMITER_MARGIN_DB,
                          leveler=opts.leveler, target=opts.loudness_target, source_rate=SPEECH_RATE,
                          sample_rate=SPEECH_RATE, channels=1)
        measured: dict[tuple[float, float], float] = {}  # (pre-gain, gain) -> level of the excerpts through the chain

        def proxy_level(pre_gain: float, gain: float = 0.0) -> float:
            key = (round(pre_gain, 2), round(gain, 2))
            if key not in measured:
                chain = dataclasses.replace(on_proxy, pre_gain_db=pre_gain + fold_down, gain_db=gain).filters()
                measured[key] = media.measure_loudness(excerpts, pre_filter=chain, true_peak=False).integrated \
                    + fold_down
            return measured[key]

        # The deciding runs on the proxy's excerpts, a fraction of a second a pass: the pre-gain at which the chain
        # (leveller, compressor, limiter) puts them on target.
        rough = full.integrated
        pre_gain = settle_gain(proxy_level, opts.loudness_target, opts.loudness_target - rough) if rough > -70 \
            else 0.0
        # The proxy misses the highs and the stereo, where many peaks are: check the chain on the full-quality
        # excerpts; one linear gain takes out the rest.
        render = Render(pre_gain_db=pre_gain, gain_db=0.0, limit_db=opts.true_peak - LIMITER_MARGIN_DB,
                        leveler=opts.leveler, target=opts.loudness_target, source_rate=source_rate,
                        sample_rate=source_rate, channels=output_channels(opts.channels, source_channels))
        common, branches = render.level_branches([render.gain_db])  # the limiter at the source rate: cheaper
        on_source = media.measure_branches(parts, branches, spans=spans, pre_filter=common,
                                           true_peak=False)[0].integrated
        provisional = round(opts.loudness_target - on_source, 2) if on_source > -70 else 0.0

        # One pass over the show folded down to 16 kHz: its loudness as recorded (the report's input), and the
        # chain at the proxy's level into speech.flac, metered before the fades (how much louder the whole show
        # is than the excerpts through the same chain: the bias; only speech.flac's relative level matters).
        speech = dataclasses.replace(on_proxy, pre_gain_db=pre_gain + fold_down, gain_db=provisional)
        args, graph = media.span_inputs(parts, [(start, length)])
        task = ctx.progress("Normaliseren", length)
        try:
            with fsutil.atomic_path(ctx.paths.speech) as path:
                raw, whole = meters.new(), meters.new()
                media.ffmpeg_on_speech(  # decoding the source beside the chain: two cores
                    [*args, "-filter_complex", f"{graph};[src]{media.SPEECH_FILTER}[px]", "-map", "[px]"],
                    ["-filter_complex", "[0:a]asplit=2[raw][speech];"
                     f"[raw]{media.meter(raw, true_peak=False)}[m1];"
                     f"[speech]{speech.filters()},asplit=2[whole][faded];"
                     f"[whole]{media.meter(whole, true_peak=False)}[m2];"
                     f"[faded]{fades(length, opts.fade)},volume={-fold_down:.2f}dB,aformat=sample_fmts=s16[sp]",
                     "-map", "[sp]", "-c:a", "flac", str(path),
                     "-map", "[m1]", "-f", "null", "-", "-map", "[m2]", "-f", "null", "-"],
                    on_progress=task.update, what="writing the speech copy")
                measured_input = media.read_meter(raw, true_peak=False)
                whole_level = media.read_meter(whole, true_peak=False).integrated + fold_down
        finally:
            task.close()
        bias = round(whole_level - proxy_level(pre_gain, provisional), 2) if len(spans) > 1 else 0.0
    gain = round(provisional - bias, 2)
    render = dataclasses.replace(render, gain_db=gain, sample_rate=opts.sample_rate)
    rough = measured_input.integrated + fold_down
    result = {
        "target": {"integrated": opts.loudness_target, "true_peak": opts.true_peak},
        "input": {"integrated": round(rough, 2), "lra": measured_input.lra, "true_peak": None,
                  "measured_on": "the 16 kHz proxy, plus the fold-down measured on the excerpts"},
        "render": dataclasses.asdict(render),
        "calibration": {"spans": spans, "excerpt_bias_lu": bias, "excerpts_level": round(on_source, 2),
                        "fold_down_db": fold_down},
        "pre_gain_db": pre_gain,
        "gain_db": gain,
        "leveler": opts.leveler,
        "duration": round(length, 3),
    }
    fsutil.write_json(ctx.paths.loudness, result)
    return Outcome(report={"loudness": {"input": result["input"], "target": result["target"],
                                        "pre_gain_db": pre_gain, "gain_db": gain, "leveler": opts.leveler}},
                   figures={"input": f"{rough:.1f} LUFS", "gain": f"{pre_gain:+.1f} dB"})
