"""Voice embeddings ("voiceprints") of short stretches of a 16 kHz mono recording, for speaker diarization.

Reads:  a 16 kHz mono 16-bit WAV (work/speech.flac), in blocks (memory stays small for an hour of audio).
Model:  Resemblyzer's voice encoder (GE2E d-vectors: a 3-layer LSTM over 40 mel bands, 256-dim output,
        trained on LibriSpeech + VoxCeleb 1/2). The weights (`pretrained.pt`, 17 MB, Apache-2.0) ship inside the
        `resemblyzer` wheel on PyPI; nothing is downloaded. We load only that file: importing the
        `resemblyzer` package itself pulls in webrtcvad, whose import needs setuptools' removed
        pkg_resources. Runs on the CPU with PyTorch (imported lazily).
Writes: nothing.

The encoder's input is a *power* mel spectrogram (25 ms Hann window, 10 ms hop, 40 bands, not logarithmic),
so it is level-sensitive: each window is scaled to the encoder's training level (-30 dBFS RMS), which also
keeps a guest who sits far from the microphone from looking like a different voice.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from pipeline.speechwav import RATE, SpeechWav, SpeechWavError

HOP = 160  # samples per mel frame (10 ms)
N_FFT = 400  # 25 ms
N_MELS = 40
FRAMES_PER_SECOND = RATE // HOP
TARGET_DBFS = -30.0  # the level the encoder was trained on
EMBEDDING_SIZE = 256
MODEL_NAME = "resemblyzer-0.1.4 voice encoder (GE2E, 256-d)"
# PyTorch threads for the encoder. One: the LSTM steps through 160 frames x 3 layers per batch, each step a small
# matrix product, and splitting those over threads costs more in waiting than it gains. Measured on the 20-minute
# cost show (bench/judgement_cost_bench.py, 900 windows, 2 shared cores): 2 threads 16-18 s CPU and 22-26 s wall,
# 1 thread 4.3 s CPU and 4-6 s wall, the same embeddings bit for bit. It also leaves the other cores to stages
# that run beside this one.
ENCODER_THREADS = 1


class VoiceprintError(Exception):
    """The model or the audio cannot be used (the stage turns it into a StageError)."""


@dataclass(frozen=True)
class Features:
    """Mel power frames of a whole recording and the mean square level of each 10 ms hop."""

    mel: np.ndarray  # (frames, 40) float32; frame i covers samples [i*160, i*160+400)
    power: np.ndarray  # (frames,) float32 mean square of samples [i*160, (i+1)*160)
    duration: float  # seconds of audio

    @property
    def frames(self) -> int:
        return len(self.mel)


def weights_path() -> Path:
    """The encoder weights inside the installed resemblyzer wheel (found without importing the package)."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise VoiceprintError("the speaker model is not installed: pip install resemblyzer==0.1.4 "
                              "(or run scripts/install.sh)")
    path = Path(list(spec.submodule_search_locations)[0]) / "pretrained.pt"
    if not path.is_file():
        raise VoiceprintError(f"the speaker model weights are missing: {path} (reinstall resemblyzer)")
    return path


@lru_cache(maxsize=1)
def _encoder():
    """The LSTM + linear layer of the voice encoder with the pretrained weights, in eval mode (loaded once)."""
    import torch
    from torch import nn

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(N_MELS, 256, 3, batch_first=True)
            self.linear = nn.Linear(256, EMBEDDING_SIZE)

        def forward(self, mels: torch.Tensor) -> torch.Tensor:
            _, (hidden, _) = self.lstm(mels)
            raw = torch.relu(self.linear(hidden[-1]))
            return raw / torch.linalg.norm(raw, dim=1, keepdim=True).clamp_min(1e-9)

    checkpoint = torch.load(weights_path(), map_location="cpu", weights_only=True)
    state = {k: v for k, v in checkpoint["model_state"].items() if k.startswith(("lstm.", "linear."))}
    model = Encoder()
    model.load_state_dict(state, strict=True)
    model.eval()
    return model


@lru_cache(maxsize=1)
def _mel_basis() -> np.ndarray:
    import librosa.filters

    return librosa.filters.mel(sr=RATE, n_fft=N_FFT, n_mels=N_MELS).astype(np.float32)  # (40, 201)


def mel_frames(samples: np.ndarray) -> np.ndarray:
    """Power mel frames (n, 40) of float samples, frame i covering [i*160, i*160+400) (no centring). Pure."""
    if len(samples) < N_FFT:
        return np.zeros((0, N_MELS), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(samples, N_FFT)[::HOP]
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann, as librosa uses
    spectrum = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return (spectrum.astype(np.float32) @ _mel_basis().T).astype(np.float32)


def read_features(path: Path, block_seconds: float = 120.0,
                  on_progress: Callable[[float], None] | None = None) -> Features:
    """Mel frames and hop levels of a whole 16 kHz mono 16-bit WAV, read block by block."""
    try:
        wav = SpeechWav(path)
    except SpeechWavError as exc:
        raise VoiceprintError(str(exc)) from None
    with wav:
        total = wav.frames
        block = int(block_seconds * RATE) // HOP * HOP
        mels, powers = [], []
        carry = np.zeros(0, np.float32)  # the samples a frame needs beyond the previous block
        done = 0
        for pcm in wav.blocks(block):
            samples = np.concatenate([carry, pcm.astype(np.float32) / 32768.0])
            done += len(pcm)
            usable = (len(samples) - (N_FFT - HOP)) // HOP if done < total else -(-len(samples) // HOP)
            usable = max(usable, 0)
            padded = np.pad(samples, (0, max(0, usable * HOP + N_FFT - HOP - len(samples))))
            mels.append(mel_frames(padded[: usable * HOP + N_FFT - HOP]))
            hops = padded[: usable * HOP].reshape(usable, HOP)
            powers.append(np.mean(hops.astype(np.float64) ** 2, axis=1).astype(np.float32))
            carry = samples[usable * HOP:]
            if on_progress:
                on_progress(done / RATE)
    mel = np.concatenate(mels) if mels else np.zeros((0, N_MELS), np.float32)
    power = np.concatenate(powers) if powers else np.zeros(0, np.float32)
    n = min(len(mel), len(power))
    return Features(mel=mel[:n], power=power[:n], duration=total / RATE)


def embed_windows(features: Features, windows: list[tuple[int, int]], batch: int = 128,
                  on_progress: Callable[[int], None] | None = None) -> np.ndarray:
    """One L2-normalised 256-d embedding per window (first frame, end frame); windows are batched by length.

    Each window's mel frames are scaled so that its RMS level is TARGET_DBFS (silent windows are left alone).
    Runs on ENCODER_THREADS PyTorch threads (the process's setting is restored afterwards).
    """
    import torch

    model = _encoder()
    out = np.zeros((len(windows), EMBEDDING_SIZE), np.float32)
    by_length: dict[int, list[int]] = {}
    for index, (first, end) in enumerate(windows):
        if end - first < 2:
            raise ValueError(f"window {index} is shorter than two frames")
        by_length.setdefault(end - first, []).append(index)
    done = 0
    threads = torch.get_num_threads()
    torch.set_num_threads(ENCODER_THREADS)
    try:
        with torch.inference_mode():
            for length, indices in sorted(by_length.items()):
                for start in range(0, len(indices), batch):
                    chunk = indices[start:start + batch]
                    stack = np.stack([_levelled(features, *windows[i]) for i in chunk])
                    out[chunk] = model(torch.from_numpy(stack)).numpy()
                    done += len(chunk)
                    if on_progress:
                        on_progress(done)
    finally:
        torch.set_num_threads(threads)
    return out


def _levelled(features: Features, first: int, end: int) -> np.ndarray:
    mel = features.mel[first:end]
    mean_square = float(np.mean(features.power[first:end]))
    if mean_square <= 1e-10:  # digital silence: nothing to scale
        return mel
    gain_power = 10 ** (TARGET_DBFS / 10) / mean_square
    return (mel * gain_power).astype(np.float32)
