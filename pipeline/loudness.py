"""The loudness chain shared by the normalise stage (which decides it) and the encode stage (which renders it).

No loudnorm (no dynamic mode, no 192 kHz): a rumble filter, a pre-gain, a gentle leveller (an RMS compressor
that brings loud and quiet voices closer), a peak compressor, one linear gain to the target and a look-ahead
limiter run at twice the rate, so that true peaks (not only sample peaks) stay under its limit. `Render` holds
every figure of it; `Render.filters()` is the one ffmpeg filter chain made from them, used alike for the
16 kHz speech copy, for trial excerpts and for the full show streamed into the MP3 encoder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

LIMITER_MARGIN_DB = 2.0  # first limit under the true-peak ceiling: room for MP3 encoding overs
OVERSAMPLE = 2  # the limiter runs at twice the rate: most inter-sample peaks, at a third of the cost of 4x
# A recorder set low leaves speech 30-40 dB under the target (-46 to -56 LUFS); the pre-gain must reach it, or the
# leveller hears a quieter show than at a higher recorder gain and the same room gets another speech copy.
MAX_PRE_GAIN_DB = 50.0


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


def limiter_chain(limit_db: float, source_rate: int, oversample: int = OVERSAMPLE) -> str:
    """A look-ahead limiter at `oversample` x the rate, so inter-sample peaks are caught as well."""
    limit = 10 ** (limit_db / 20)
    return (f"aresample={source_rate * oversample}:resampler=soxr,"
            f"alimiter=limit={limit:.5f}:attack=2:release=60:level=false:latency=true")


def settle_gain(level_at: Callable[[float], float], target: float, first_guess: float, tolerance: float = 0.15,
                steps: int = 4) -> float:
    """The gain g for which level_at(g), the loudness through a non-linear chain, is on target (pure; level_at
    does the measuring). Compressors and a limiter make the loudness grow more slowly than the gain, so this
    steps along the measured slope (secant method, slope kept between 0.2 and 1.5) instead of trusting 1:1."""
    clamp = lambda g: max(-MAX_PRE_GAIN_DB, min(MAX_PRE_GAIN_DB, g))  # noqa: E731
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


@dataclass(frozen=True)
class Render:
    """What turns the recorded show into the published audio: decided by normalise, limit and gain settled by
    encode on excerpts. Rates in Hz; `channels` of the output (1 or 2)."""

    pre_gain_db: float
    gain_db: float
    limit_db: float  # oversampled-peak limit, dBFS
    leveler: bool
    target: float  # LUFS: the leveller's thresholds follow it
    source_rate: int
    sample_rate: int
    channels: int

    def filters(self, length: float | None = None, fade: float = 0.0) -> str:
        """The ffmpeg filter chain from the source audio to the output rate and channels; with `length` (the
        show's seconds) and `fade`, fades in and out at both ends."""
        layout = "mono" if self.channels == 1 else "stereo"
        chain = [leveller_chain(self.pre_gain_db, self.target, self.leveler), f"volume={self.gain_db:.2f}dB",
                 limiter_chain(self.limit_db, self.source_rate),
                 f"aresample={self.sample_rate}:resampler=soxr:osf=flt", f"aformat=channel_layouts={layout}"]
        if length is not None and fade > 0:
            chain.append(fades(length, fade))
        return ",".join(chain)

    def level_branches(self, gains: list[float]) -> tuple[str, list[str]]:
        """For measuring the render's loudness at several gains in one pass (media.measure_branches): the chain up
        to the gain, run once, and for each gain the rest, with the limiter at the source rate and no resampling:
        the loudness within 0.01 LU of filters() (measured on a 20-minute show), at a fraction of its cost."""
        layout = "mono" if self.channels == 1 else "stereo"
        rest = f"{limiter_chain(self.limit_db, self.source_rate, oversample=1)},aformat=channel_layouts={layout}"
        return (leveller_chain(self.pre_gain_db, self.target, self.leveler),
                [f"volume={gain:.2f}dB,{rest}" for gain in gains])


def fades(length: float, fade: float) -> str:
    """Fades of `fade` seconds in and out at both ends of a show of `length` seconds (an ffmpeg filter chain)."""
    return f"afade=t=in:d={fade:.3f},afade=t=out:st={max(0.0, length - fade):.3f}:d={fade:.3f}"
