"""The 16 kHz speech files, and the one reader of them.

Normalise writes work/speech.flac: 16-bit PCM, RATE Hz, mono, lossless FLAC (a WAV of that shape reads the same:
the tests and benchmarks write some). Every analysis of the show (transcription windows, pauses and applause,
voiceprints) reads it through `SpeechWav`; trim decodes the recording to the same format in memory
(media.speech_blocks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile

from pipeline.errors import InputError

RATE = 16000  # Hz: the sample rate of speech.flac and of trim's decoded recording (what Whisper and the VAD expect)


class SpeechWavError(InputError, ValueError):
    """A 16 kHz speech file that is missing, unreadable or in another format."""


class SpeechWav:
    """Random and block access to a 16 kHz mono 16-bit WAV or FLAC file. Use as a context manager."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise SpeechWavError(f"{self.path}: not found; run the stage that makes it first")
        try:
            self._file = soundfile.SoundFile(str(self.path))
        except (RuntimeError, OSError) as exc:  # libsndfile's errors are RuntimeErrors
            raise SpeechWavError(f"{self.path}: not a readable audio file ({exc}); run the stage that makes it "
                                 "again") from None
        shape = (self._file.channels, self._file.subtype, self._file.samplerate)
        if shape != (1, "PCM_16", RATE):
            self._file.close()
            raise SpeechWavError(f"{self.path}: expected 16 kHz mono 16-bit PCM, got {shape[2]} Hz, {shape[0]} "
                                 f"channel(s), {shape[1]}; run the stage that makes it again")
        self.frames = self._file.frames
        self.duration = self.frames / RATE

    def pcm(self, first: int = 0, count: int | None = None) -> np.ndarray:
        """`count` samples (all to the end when None) from sample `first`, as int16 (2 bytes a sample)."""
        first = max(0, min(self.frames, first))
        count = self.frames - first if count is None else max(0, min(count, self.frames - first))
        self._file.seek(first)
        return self._file.read(count, dtype="int16")

    def read(self, start: float, end: float) -> np.ndarray:
        """Samples from `start` to `end` seconds as float32 in [-1, 1]."""
        first = max(0, min(self.frames, int(round(start * RATE))))
        last = max(first, min(self.frames, int(round(end * RATE))))
        return self.pcm(first, last - first).astype(np.float32) / 32768.0

    def blocks(self, size: int) -> Iterator[np.ndarray]:
        """The whole file in consecutive int16 blocks of `size` samples (the last one shorter)."""
        for first in range(0, self.frames, size):
            yield self.pcm(first, size)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "SpeechWav":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
