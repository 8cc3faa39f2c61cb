"""Speech activity and level analysis of a 16 kHz mono file: the measurements trim and chapters decide from.

Reads a 16 kHz mono 16-bit WAV or FLAC (the proxy, speech.wav); returns plain numbers and intervals.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16000


BLOCK = RATE * 600  # samples handled at a time (10 minutes): memory stays flat however long the show


def read_mono16k(path: Path) -> np.ndarray:
    """The samples of a 16 kHz mono 16-bit WAV or FLAC (the proxy), as int16 (2 bytes a sample: an hour is
    115 MB)."""
    if Path(path).suffix.lower() == ".flac":
        import soundfile

        info = soundfile.info(str(path))
        if info.samplerate != RATE or info.channels != 1 or info.subtype != "PCM_16":
            raise ValueError(f"{path}: expected 16 kHz mono 16-bit FLAC")
        return soundfile.read(str(path), dtype="int16")[0]
    with wave.open(str(path), "rb") as handle:
        if handle.getframerate() != RATE or handle.getnchannels() != 1 or handle.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16 kHz mono 16-bit WAV")
        return np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")


def as_float(samples: np.ndarray) -> np.ndarray:
    return samples.astype(np.float32) / 32768.0 if samples.dtype == np.int16 else samples.astype(np.float32)


def energy_db(samples: np.ndarray, frame: float = 0.05, rate: int = RATE) -> np.ndarray:
    """RMS level in dBFS of consecutive frames of `frame` seconds (int16 or float samples)."""
    size = int(frame * rate)
    count = len(samples) // size
    levels = np.zeros(count, dtype=np.float32)
    per_block = max(1, BLOCK // size)
    for first in range(0, count, per_block):
        last = min(count, first + per_block)
        frames = as_float(samples[first * size: last * size]).reshape(last - first, size)
        rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
        levels[first:last] = 20 * np.log10(rms)
    return levels


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
    regions: list[Region] = []
    for offset in range(0, len(samples), BLOCK):  # in blocks: the VAD copies what it is given several times
        block = as_float(samples[offset: offset + BLOCK])
        for stamp in get_speech_timestamps(block, opts, sampling_rate=RATE):
            region = Region((offset + stamp["start"]) / RATE, (offset + stamp["end"]) / RATE)
            if regions and region.start - regions[-1].end < min_silence:  # speech across a block boundary
                region = Region(regions.pop().start, region.end)
            regions.append(region)
    return regions
