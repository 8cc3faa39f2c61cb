"""Choosing where one window of the 16 kHz speech file (read with pipeline.speechwav) ends.

faster-whisper computes features for everything it is given at once, so its memory grows with the input
(DESIGN.md: 3.5 GB for 60 minutes). The transcribe stage therefore gives it about `window` seconds at a time,
cut in a pause: the longest stretch without speech (Silero VAD, shipped with faster-whisper) in the last part
of the window, or, where the speaker never pauses, the quietest 20 ms. A cut never lands inside a word that VAD
hears.

Reads: work/speech.flac (16-bit PCM, 16 kHz, mono, through pipeline.speechwav). Writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.speechwav import RATE, SpeechWav

TOOLS = ("onnxruntime",)  # the Silero VAD of faster_whisper.vad runs on it (part of the code fingerprint)
FRAME = 0.02  # seconds per energy frame for the quiet-spot fallback
MIN_GAP = 0.15  # seconds: a shorter gap between VAD speech regions is not a pause
SEARCH_FRACTION = 0.2  # the cut is looked for in the last 20% of the window ...
SEARCH_MAX = 60.0  # ... but at most in its last minute
LAST_WINDOW_SLACK = 0.25  # a remainder under 25% of a window joins the window before it


# ---------------------------------------------------------------- pure decisions


def frame_energy(audio: np.ndarray, frame: float = FRAME) -> np.ndarray:
    """RMS of each `frame`-second frame (the last partial frame dropped)."""
    n = int(frame * RATE)
    usable = len(audio) // n * n
    if usable == 0:
        return np.zeros(0, dtype=np.float32)
    frames = audio[:usable].reshape(-1, n).astype(np.float64)
    return np.sqrt((frames ** 2).mean(axis=1)).astype(np.float32)


def pauses(speech: list[tuple[float, float]], lo: float, hi: float) -> list[tuple[float, float]]:
    """The stretches of [lo, hi] that no speech interval covers, at least MIN_GAP long."""
    gaps, cursor = [], lo
    for start, end in sorted(speech):
        if start > cursor:
            gaps.append((cursor, min(start, hi)))
        cursor = max(cursor, end)
        if cursor >= hi:
            break
    if cursor < hi:
        gaps.append((cursor, hi))
    return [(a, b) for a, b in gaps if b - a >= MIN_GAP]


def choose_cut(speech: list[tuple[float, float]], lo: float, hi: float,
               energy: np.ndarray | None = None, frame: float = FRAME) -> float:
    """Where to end a window searched in [lo, hi] (seconds on any common timeline).

    `speech` are VAD speech intervals; `energy` the RMS per `frame` starting at `lo`. The middle of the
    longest pause wins (the later one on a tie); without a pause, the middle of the quietest frame; without
    either, `hi`.
    """
    gaps = pauses(speech, lo, hi)
    if gaps:
        start, end = max(gaps, key=lambda g: (round(g[1] - g[0], 3), g[0]))
        return round((start + end) / 2, 3)
    if energy is not None and len(energy):
        quietest = float(np.min(energy))
        index = int(np.flatnonzero(energy <= quietest)[-1])
        return round(lo + (index + 0.5) * frame, 3)
    return round(hi, 3)


def search_region(start: float, window: float, duration: float) -> tuple[float, float] | None:
    """The span in which to cut the window that starts at `start`; None when it runs to the end."""
    if duration - start <= window * (1 + LAST_WINDOW_SLACK):
        return None
    hi = start + window
    return hi - min(SEARCH_MAX, window * SEARCH_FRACTION), hi


@dataclass(frozen=True)
class VadSettings:
    """Silero settings for finding pauses (finer than the transcription VAD, which merges short pauses)."""

    threshold: float = 0.5
    min_silence_ms: int = 150
    speech_pad_ms: int = 30


def speech_intervals(audio: np.ndarray, offset: float, settings: VadSettings = VadSettings()) -> list[tuple[float, float]]:
    """Speech regions in `audio` (Silero VAD from faster-whisper), in seconds plus `offset`."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(threshold=settings.threshold, min_silence_duration_ms=settings.min_silence_ms,
                         speech_pad_ms=settings.speech_pad_ms)
    chunks = get_speech_timestamps(audio, options, sampling_rate=RATE)
    return [(offset + c["start"] / RATE, offset + c["end"] / RATE) for c in chunks]


def find_cut(wav: SpeechWav, start: float, window: float) -> float:
    """The end of the window that starts at `start`: a pause near `start + window`, or the end of the audio."""
    region = search_region(start, window, wav.duration)
    if region is None:
        return wav.duration
    lo, hi = region
    audio = wav.read(lo, hi)
    return choose_cut(speech_intervals(audio, lo), lo, hi, frame_energy(audio))
