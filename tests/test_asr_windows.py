"""Where a transcription window ends (pipeline/asr/windows.py): pure choices, then the real VAD on espeak audio."""

from __future__ import annotations

import subprocess
import wave

import numpy as np
import pytest

from pipeline.asr import windows
from pipeline.errors import InputError
from pipeline.speechwav import SpeechWav


def test_longest_pause_wins():
    speech = [(100.0, 110.0), (110.3, 118.0), (119.5, 125.0), (125.2, 130.0)]
    assert windows.choose_cut(speech, 100.0, 130.0) == 118.75


def test_pause_at_the_region_edge_counts():
    assert windows.choose_cut([(10.0, 18.0)], 10.0, 20.0) == 19.0


def test_no_pause_takes_the_quietest_frame():
    energy = np.array([0.3, 0.2, 0.25, 0.01, 0.4, 0.3], dtype=np.float32)
    cut = windows.choose_cut([(0.0, 1.0)], 0.0, 0.12, energy, frame=0.02)
    assert cut == pytest.approx(0.07)


def test_short_gaps_are_not_pauses():
    assert windows.pauses([(0.0, 1.0), (1.1, 2.0)], 0.0, 2.0) == []
    assert windows.pauses([(0.0, 1.0), (1.5, 2.0)], 0.0, 2.0) == [(1.0, 1.5)]


def test_search_region_and_last_window():
    assert windows.search_region(0.0, 300.0, 3600.0) == (240.0, 300.0)
    assert windows.search_region(0.0, 60.0, 3600.0) == (48.0, 60.0)
    assert windows.search_region(3400.0, 300.0, 3600.0) is None  # 200 s left: one last window
    assert windows.search_region(0.0, 300.0, 370.0) is None  # a 70 s rest joins the window


@pytest.fixture(scope="module")
def two_sentences(tmp_path_factory):
    """Two espeak sentences with 0.8 s of silence between them, 16 kHz mono, and where the pause lies."""
    folder = tmp_path_factory.mktemp("vad")
    parts = []
    for i, text in enumerate(["Goedenavond allemaal en welkom bij de podcast.",
                              "Vanavond praten we over participatie in de buurt."]):
        raw = subprocess.run(["espeak-ng", "-v", "nl+klatt", "-s", "130", "--stdout", text],
                             capture_output=True, check=True).stdout
        pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", "-", "-ac", "1", "-ar", "16000", "-f", "s16le", "-"],
                             input=raw, capture_output=True, check=True).stdout
        audio = np.frombuffer(pcm, dtype="<i2")
        nonzero = np.flatnonzero(np.abs(audio) > 30)
        parts.append(audio[nonzero[0]:nonzero[-1] + 1])
    gap = np.zeros(int(0.8 * 16000), dtype="<i2")
    noise = (np.random.default_rng(1).normal(0, 20, len(parts[0]) + len(gap) + len(parts[1]))).astype("<i2")
    audio = np.concatenate([parts[0], gap, parts[1]]) + noise
    path = folder / "speech.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(audio.astype("<i2").tobytes())
    pause = (len(parts[0]) / 16000, (len(parts[0]) + len(gap)) / 16000)
    return path, pause


def test_cut_lands_in_the_real_pause(two_sentences):
    path, (pause_start, pause_end) = two_sentences
    with SpeechWav(path) as wav:
        # search the whole clip: the only real pause is between the sentences
        speech = windows.speech_intervals(wav.read(0, wav.duration), 0.0)
        cut = windows.choose_cut(speech, 0.5, wav.duration - 0.5)
    assert pause_start < cut < pause_end


def test_read_returns_the_samples(two_sentences):
    path, _ = two_sentences
    with wave.open(str(path)) as raw:
        samples = np.frombuffer(raw.readframes(raw.getnframes()), dtype="<i2")
    with SpeechWav(path) as wav:
        part = wav.read(1.0, 1.5)
    assert len(part) == 8000
    assert np.array_equal((part * 32768).astype(np.int16), samples[16000:24000])


def test_wrong_format_is_a_clear_error(tmp_path):
    path = tmp_path / "stereo.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=1:r=44100", "-ac", "2", str(path)],
                   check=True)
    with pytest.raises(InputError, match="expected 16 kHz mono 16-bit PCM"):
        SpeechWav(path)
    with pytest.raises(InputError, match="not found"):
        SpeechWav(tmp_path / "missing.wav")
