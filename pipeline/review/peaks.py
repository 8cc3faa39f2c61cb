"""Waveform peaks for the review page, computed on the server from the 16 kHz mono WAV files the pipeline
already writes (work/speech.wav: the published timeline; work/proxy.wav: the recording's own timeline).

peaks(path, buckets) -> {"duration", "max", "min"}: per bucket the highest and lowest sample (-1..1), which
wavesurfer.js draws as the top and bottom half of the wave.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

MAX_BUCKETS = 20000
_BLOCK_FRAMES = 1 << 20


def peaks(path: Path, buckets: int = 4000) -> dict:
    """Min/max per bucket of a 16-bit PCM WAV (first channel), read in blocks so an hour stays small."""
    with wave.open(str(path), "rb") as handle:
        if handle.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit PCM, got {8 * handle.getsampwidth()}-bit")
        frames, rate, channels = handle.getnframes(), handle.getframerate(), handle.getnchannels()
        buckets = max(1, min(buckets, MAX_BUCKETS, frames or 1))
        edges = np.linspace(0, frames, buckets + 1).astype(np.int64)
        top = np.zeros(buckets, dtype=np.float32)
        bottom = np.zeros(buckets, dtype=np.float32)
        done = 0
        while done < frames:
            block = np.frombuffer(handle.readframes(_BLOCK_FRAMES), dtype="<i2")[::channels]
            if not block.size:
                break
            first = int(np.searchsorted(edges, done, side="right")) - 1
            last = int(np.searchsorted(edges, done + block.size, side="left"))
            for b in range(max(first, 0), min(last, buckets)):
                part = block[max(edges[b] - done, 0):max(min(edges[b + 1] - done, block.size), 0)]
                if part.size:
                    top[b] = max(top[b], part.max() / 32768.0)
                    bottom[b] = min(bottom[b], part.min() / 32768.0)
            done += block.size
    return {"duration": frames / rate, "max": np.round(top.astype(np.float64), 4).tolist(),
            "min": np.round(bottom.astype(np.float64), 4).tolist()}
