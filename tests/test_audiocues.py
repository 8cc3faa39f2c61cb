"""Audio evidence for chapters: pauses, applause and speech found in generated audio at the right times."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from pipeline import audiocues
from showgen import synth

RATE = 16000


def test_breaks_from_frames_separates_room_tone_speech_and_applause():
    room = (np.full(100, -60.0), np.full(100, 0.5))  # 2 s quiet, noise-like
    voice = (np.full(150, -20.0), np.full(150, 0.05))  # 3 s loud, tonal
    claps = (np.full(100, -18.0), np.full(100, 0.45))  # 2 s loud, noise-like
    parts = [room, voice, room, claps, room, voice, room]
    level = np.concatenate([p[0] for p in parts]).astype(np.float32)
    flatness = np.concatenate([p[1] for p in parts]).astype(np.float32)
    breaks = audiocues.breaks_from_frames(level, flatness)
    assert [(round(a.start, 1), round(a.end, 1)) for a in breaks.applause] == [(7.0, 9.0)]
    # the pause between the voices includes the applause: neither is speech
    assert [(round(q.start, 1), round(q.end, 1)) for q in breaks.quiet] == [(0.0, 2.0), (5.0, 11.0), (14.0, 16.0)]
    assert breaks.speech_fraction(2.0, 5.0) == pytest.approx(1.0)
    assert breaks.speech_fraction(7.0, 9.0) == 0.0


def write_wav(path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def test_measure_finds_the_pauses_and_the_applause_in_generated_audio(tmp_path):
    voice = synth.Voice("host", "nl+klatt", 50)
    rng = np.random.default_rng(1)
    pieces, marks, t = [], {}, 0.0

    def add(name, audio):
        nonlocal t
        pieces.append(audio)
        marks[name] = (t, t + len(audio) / RATE)
        t += len(audio) / RATE

    silence = lambda seconds: np.zeros(int(seconds * RATE), np.float32)  # noqa: E731
    add("lead", silence(1.0))
    add("first", synth.speak("Goedenavond allemaal, en welkom.", voice, RATE))
    add("pause", silence(1.2))
    add("second", synth.speak("Dank jullie wel, Marije en Mike.", voice, RATE))
    add("gap", silence(0.3))
    add("applause", synth.applause(3.0, RATE, level_db=-26.0).mean(axis=1))
    add("after", silence(0.8))
    add("third", synth.speak("We gaan verder met Jornt en Steven.", voice, RATE))
    add("tail", silence(1.0))
    audio = np.concatenate(pieces)
    audio = audio + rng.normal(0, 10 ** (-55 / 20), audio.size).astype(np.float32)  # room tone
    path = tmp_path / "speech.wav"
    write_wav(path, audio)

    breaks, duration = audiocues.measure(path)
    assert duration == pytest.approx(t, abs=0.01)

    def covering(start, end):
        return [q for q in breaks.quiet if q.start <= start + 0.15 and q.end >= end - 0.15]

    pause = covering(*marks["pause"])
    assert pause and abs(pause[0].start - marks["pause"][0]) < 0.15 and abs(pause[0].end - marks["pause"][1]) < 0.15
    hand_over = covering(marks["gap"][0], marks["after"][1])  # thanks | applause | next words: one break
    assert hand_over and abs(hand_over[0].end - marks["third"][0]) < 0.15
    assert len(breaks.applause) == 1
    clap = breaks.applause[0]
    assert marks["applause"][0] - 0.2 <= clap.start and clap.end <= marks["applause"][1] + 0.2 and clap.duration >= 1.5
    for name in ("first", "second", "third"):
        assert breaks.speech_fraction(*marks[name]) > 0.6, name
        assert not any(a.start < marks[name][1] and marks[name][0] < a.end for a in breaks.applause), name
    assert breaks.speech_fraction(*marks["applause"]) < 0.1


def test_measure_refuses_another_format(tmp_path):
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(44100)
        handle.writeframes(b"\0" * 400)
    with pytest.raises(ValueError, match="16 kHz mono"):
        audiocues.measure(path)
