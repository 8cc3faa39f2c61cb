"""Speech activity and level analysis of a 16 kHz mono file: the measurements trim and chapters decide from.

Reads a 16 kHz mono 16-bit WAV (the proxy or speech.wav); returns plain numbers and intervals.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16000


def read_mono16k(path: Path) -> np.ndarray:
    """The samples of a 16 kHz mono 16-bit WAV as float32 in [-1, 1]."""
    with wave.open(str(path), "rb") as handle:
        if handle.getframerate() != RATE or handle.getnchannels() != 1 or handle.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16 kHz mono 16-bit WAV")
        data = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    return data.astype(np.float32) / 32768.0


def energy_db(samples: np.ndarray, frame: float = 0.05, rate: int = RATE) -> np.ndarray:
    """RMS level in dBFS of consecutive frames of `frame` seconds."""
    size = int(frame * rate)
    count = len(samples) // size
    if count == 0:
        return np.zeros(0, dtype=np.float32)
    frames = samples[: count * size].reshape(count, size).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1) + 1e-12)
    return (20 * np.log10(rms)).astype(np.float32)


@dataclass(frozen=True)
class Region:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def speech_regions(samples: np.ndarray, threshold: float = 0.5, min_silence: float = 0.3,
                   min_speech: float = 0.25) -> list[Region]:
    """Speech according to the Silero VAD that ships with faster-whisper, without padding."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(threshold=threshold, min_silence_duration_ms=int(min_silence * 1000),
                      min_speech_duration_ms=int(min_speech * 1000), speech_pad_ms=0)
    stamps = get_speech_timestamps(samples, opts, sampling_rate=RATE)
    return [Region(s["start"] / RATE, s["end"] / RATE) for s in stamps]
