"""Speech activity and level analysis of a 16 kHz mono file: the measurements trim and chapters decide from.

Works on 16 kHz mono samples (speech.flac read with pipeline.speechwav, or trim's decoded recording); returns
plain numbers and intervals.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from pipeline.speechwav import RATE
from pipeline.timeline import Interval
TOOLS = ("onnxruntime",)  # the Silero VAD of faster_whisper.vad runs on it (part of the code fingerprint)


BLOCK = RATE * 600  # samples handled at a time (10 minutes): memory stays flat however long the show


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


def speech_regions(samples: np.ndarray, threshold: float = 0.5, min_silence: float = 0.3,
                   min_speech: float = 0.25) -> list[Interval]:
    """Speech according to the Silero VAD that ships with faster-whisper, without padding."""
    blocks = (samples[offset: offset + BLOCK] for offset in range(0, len(samples), BLOCK))
    return speech_regions_in_blocks(blocks, threshold, min_silence, min_speech)


def speech_regions_in_blocks(blocks: Iterable[np.ndarray], threshold: float = 0.5, min_silence: float = 0.3,
                             min_speech: float = 0.25) -> list[Interval]:
    """speech_regions of samples given as consecutive blocks of BLOCK samples (the last one shorter), taken as
    they come (the VAD copies what it is given several times: memory stays flat however long the show)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(threshold=threshold, min_silence_duration_ms=int(min_silence * 1000),
                      min_speech_duration_ms=int(min_speech * 1000), speech_pad_ms=0)
    regions: list[Interval] = []
    offset = 0
    for samples in blocks:
        block = as_float(samples)
        for stamp in get_speech_timestamps(block, opts, sampling_rate=RATE):
            region = Interval((offset + stamp["start"]) / RATE, (offset + stamp["end"]) / RATE)
            if regions and region.start - regions[-1].end < min_silence:  # speech across a block boundary
                region = Interval(regions.pop().start, region.end)
            regions.append(region)
        offset += len(samples)
    return regions
