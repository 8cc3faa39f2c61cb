"""Pauses, applause and speech presence in work/speech.flac: the audio evidence of the chapters stage.

Reads a 16 kHz mono 16-bit WAV in blocks (memory stays small for an hour of audio) and measures, per 20 ms
frame, the level (dBFS) and the spectral flatness in 300-6000 Hz (near 0 for voiced speech, near 0.5 for
noise such as applause or room tone). From these two numbers alone, with thresholds relative to the
recording's own levels (so a quiet room and a noisy one work alike):
  - speech:   frames clearly above the room's noise floor that are not applause;
  - applause: at least APPLAUSE_MIN seconds of loud, noise-like frames;
  - quiet:    stretches of at least MIN_QUIET seconds without speech (pauses; applause is not speech either).
`measure()` is the file edge; `breaks_from_frames()` is pure and tested on made-up frame values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.chaptering import Breaks
from pipeline.speechwav import RATE, SpeechWav
from pipeline.timeline import Interval

STEP = 0.02  # seconds per frame
FRAME = int(RATE * STEP)
FFT_SIZE = 512
BAND = (300.0, 6000.0)  # Hz used for the flatness
MIN_QUIET = 0.15  # seconds: shorter dips are inside words (stops, closures)
MIN_SPEECH = 0.12  # seconds: shorter blips are clicks, not words
APPLAUSE_MIN = 0.8  # seconds
APPLAUSE_FLATNESS = 0.3  # mean flatness over half a second above this sounds like noise, not speech
BLOCK_FRAMES = 3000  # one minute per block


def frame_features(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level (dBFS) and spectral flatness of each whole FRAME of `samples` (float in [-1, 1]). Pure."""
    count = len(samples) // FRAME
    if count == 0:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    frames = samples[: count * FRAME].reshape(count, FRAME).astype(np.float64)
    level = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(FRAME), FFT_SIZE, axis=1)) ** 2
    freqs = np.fft.rfftfreq(FFT_SIZE, 1 / RATE)
    band = spectrum[:, (freqs >= BAND[0]) & (freqs <= BAND[1])] + 1e-14
    flatness = np.exp(np.mean(np.log(band), axis=1)) / np.mean(band, axis=1)
    return level.astype(np.float32), flatness.astype(np.float32)


def measure(path: Path) -> tuple[Breaks, float]:
    """(Breaks, duration in seconds) of a 16 kHz mono 16-bit WAV. Raises SpeechWavError (a ValueError) for
    another format."""
    levels, flatness = [], []
    with SpeechWav(path) as wav:
        for block in wav.blocks(BLOCK_FRAMES * FRAME):
            level, flat = frame_features(block.astype(np.float32) / 32768.0)
            levels.append(level)
            flatness.append(flat)
        duration = wav.duration
    level = np.concatenate(levels) if levels else np.zeros(0, np.float32)
    flat = np.concatenate(flatness) if flatness else np.zeros(0, np.float32)
    return breaks_from_frames(level, flat), duration


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) frame indices of the runs of True in `mask`."""
    if mask.size == 0:
        return []
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def _smooth(values: np.ndarray, frames: int, how: str = "mean") -> np.ndarray:
    if values.size < frames or frames <= 1:
        return values
    pad = frames // 2
    padded = np.pad(values, (pad, frames - 1 - pad), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, frames)
    return np.median(windows, axis=1) if how == "median" else windows.mean(axis=1)


def thresholds(level: np.ndarray) -> tuple[float, float]:
    """(noise floor, speech threshold) in dBFS from the level distribution: the threshold sits between the
    quietest tenth (room tone) and the loudest twentieth (speech), at least 6 and at most 15 dB above the floor."""
    floor = float(np.percentile(level, 10))
    top = float(np.percentile(level, 95))
    return floor, floor + min(15.0, max(6.0, 0.3 * (top - floor)))


def breaks_from_frames(level: np.ndarray, flatness: np.ndarray, step: float = STEP) -> Breaks:
    """Speech frames, applause and quiet stretches from per-frame level (dBFS) and flatness. Pure."""
    if level.size == 0:
        return Breaks(step=step)
    level = _smooth(level, 5, "median")  # 100 ms: a stop consonant is no pause
    floor, threshold = thresholds(level)
    loud = level >= threshold
    noisy = _smooth(flatness, int(0.5 / step)) >= APPLAUSE_FLATNESS
    applause_mask = np.zeros(level.size, bool)
    for a, b in runs(loud & noisy):
        if (b - a) * step >= APPLAUSE_MIN:
            applause_mask[a:b] = True
    speech = loud & ~applause_mask
    for a, b in runs(speech):
        if (b - a) * step < MIN_SPEECH:  # a click or the tail of the applause, not a word
            speech[a:b] = False
    quiet = [Interval(round(a * step, 3), round(b * step, 3)) for a, b in runs(~speech)
             if (b - a) * step >= MIN_QUIET]
    applause = [Interval(round(a * step, 3), round(b * step, 3)) for a, b in runs(applause_mask)]
    return Breaks(quiet=tuple(quiet), applause=tuple(applause), speech=speech.astype(np.uint8).tobytes(), step=step)
