"""The generated test audio matches its ground truth, measured independently (ffprobe, ffmpeg ebur128, numpy
on the decoded file), so other tests can trust the truth files."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from showgen import synth
from showgen.demo_scene import CHAPTERS, HOST, MIKE, demo_scene, long_scene, short_show_scene

RATE = 48000


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
                          str(path)], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    return {**data["streams"][0], "format_duration": float(data["format"]["duration"])}


def decode(path: Path, rate: int = RATE) -> np.ndarray:
    """Mono float32 samples of `path`, decoded by ffmpeg."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate), "-f", "f32le",
                          "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32)


def rms_db(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-20))


def integrated_lufs(path: Path, start: float | None = None, end: float | None = None) -> float:
    span = (["-ss", str(start)] if start is not None else []) + (["-to", str(end)] if end is not None else [])
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", *span, "-i", str(path), "-af",
                          "ebur128=framelog=verbose", "-f", "null", "-"], capture_output=True, text=True).stderr
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", err[err.rfind("Summary:"):]).group(1))


def tiny_scene(**changes) -> synth.Scene:
    scene = synth.Scene(events=(
        synth.Pause(1.0),
        synth.Say(HOST, "Welkom bij Burger Centraal.", 0.0, "Opening"),
        synth.Say(MIKE, "Ik woon al twintig jaar in de K-Buurt.", 0.6),
        synth.Say(HOST, "Dank je wel.", 0.8, "Afsluiting"),
    ), tail=1.0)
    return synth.scaled(scene, **changes)


# ------------------------------------------------------------------------------- pure parts and truth


def test_trim_digital_silence_keeps_exactly_the_non_silent_span():
    audio = np.zeros(100, np.float32)
    audio[10:20] = 0.5
    audio[15] = 0.0
    trimmed = synth.trim_digital_silence(audio)
    assert len(trimmed) == 10 and trimmed[0] == 0.5 and trimmed[-1] == 0.5
    assert synth.trim_digital_silence(np.zeros(5, np.float32)).size == 0


def test_speak_starts_at_the_onset_and_is_cached(tmp_path):
    first = synth.speak("Een twee drie.", HOST, 16000, cache_dir=tmp_path)
    assert abs(first[0]) > 0 and abs(first[-1]) > 0
    assert np.max(np.abs(first[:160])) > 2 / 32768  # speech (not padding) right from sample 0
    assert abs(rms_db(first) - synth.SPEECH_RMS_DBFS) < 0.1
    assert len(list(tmp_path.glob("*.npy"))) == 1
    again = synth.speak("Een twee drie.", synth.Voice("x", gain_db=-6.0), 16000, cache_dir=tmp_path)
    assert np.allclose(again, first * synth.db_to_gain(-6.0), atol=1e-7)  # gain is applied after the cache
    assert len(list(tmp_path.glob("*.npy"))) == 1


def test_truth_is_consistent():
    truth = synth.layout(short_show_scene(), RATE).truth
    utterances, chapters = truth["utterances"], truth["chapters"]
    assert [c["title"] for c in chapters] == list(CHAPTERS)
    assert chapters[0]["start"] == truth["show_start"] == utterances[0]["start"]
    assert truth["show_end"] == utterances[-1]["end"]
    for index, chapter in enumerate(chapters):
        assert chapter["start"] == min(u["start"] for u in utterances if u["chapter"] == index)
    for before, after in zip(utterances, utterances[1:]):
        assert before["end"] < after["start"] and before["chapter"] <= after["chapter"]
    assert {u["speaker"] for u in utterances} == {"Presentator", "Marije Boerlaagh", "Mike Brantjes",
                                                  "Jornt van Zuijlen", "Steven Blok"}
    assert truth["show_start"] >= 20 and truth["duration"] - truth["show_end"] >= 10
    kinds_before = {e["kind"] for e in truth["events"] if e["end"] <= truth["show_start"]}
    assert kinds_before == {"chatter", "soundcheck"}
    assert any(e["kind"] == "applause" and e["start"] >= truth["show_end"] for e in truth["events"])


def test_first_say_must_start_a_chapter():
    with pytest.raises(ValueError, match="must start a chapter"):
        synth.layout(synth.Scene(events=(synth.Say(HOST, "Hallo."),)), 16000)


def test_demo_script_has_the_shape_the_issue_asks_for():
    truth = synth.layout(demo_scene(), RATE).truth
    assert 5 * 60 <= truth["duration"] <= 10 * 60
    assert truth["show_start"] >= 30 and truth["duration"] - truth["show_end"] >= 20
    text = " ".join(u["text"] for u in truth["utterances"])
    for phrase in ("Burger Centraal", "Ambtenaar van Nu", "EMMA in Den Haag", "Marije Boerlaagh", "Mike Brantjes",
                   "Mike, hoe", "Hart voor de K-Buurt", "participatieverordening", "Jornt van Zuijlen",
                   "Steven Blok", "democratievernieuwing", "Grenzeloos samenwerken", "Leren in Participatieland",
                   "magazine", "zestien januari"):
        assert phrase in text, phrase
    pauses = [b["start"] - a["end"] for a, b in zip(truth["utterances"], truth["utterances"][1:])]
    assert min(pauses) >= 0.299 and max(pauses) >= 2.0
    assert truth["speakers"]["Marije Boerlaagh"]["gain_db"] == -6.0


def test_long_scene_fills_the_asked_minutes():
    truth = synth.layout(long_scene(6), RATE).truth
    assert abs(truth["duration"] - 360) < 15
    titles = [c["title"] for c in truth["chapters"]]
    assert titles[0] == "Opening" and titles[-1] == "Afsluiting" and len(set(titles)) == len(titles)


def test_mix_is_streamed_in_bounded_blocks():
    scene = tiny_scene()
    lay = synth.layout(scene, 16000)
    blocks = list(synth.mix_blocks(scene, lay, 16000, 2, block=4096))
    assert all(b.shape[0] <= 4096 and b.shape[1] == 2 and b.dtype == np.float32 for b in blocks)
    assert sum(b.shape[0] for b in blocks) == lay.total


# ------------------------------------------------------------------------------- rendered files


def test_file_matches_truth_format(demo_like_recording):
    path, truth = demo_like_recording
    info = ffprobe(path)
    assert info["codec_name"] == "flac" and int(info["sample_rate"]) == 48000 and info["channels"] == 2
    assert info["bits_per_raw_sample"] == "24"
    assert abs(info["format_duration"] - truth["duration"]) < 0.01
    assert synth.load_truth(path) == truth


def test_onsets_and_offsets_are_where_the_truth_says(demo_like_recording):
    path, truth = demo_like_recording
    audio = decode(path)
    for utterance in truth["utterances"]:
        start, end = int(utterance["start"] * RATE), int(utterance["end"] * RATE)
        before, after = audio[start - int(0.05 * RATE): start], audio[end: end + int(0.05 * RATE)]
        assert rms_db(before) < -45, utterance  # room tone only, just before the first sample of speech
        assert rms_db(after) < -45, utterance
        assert rms_db(audio[start: start + int(0.4 * RATE)]) > -42, utterance  # speech right after the onset
        assert rms_db(audio[end - int(0.4 * RATE): end]) > -48, utterance


def test_no_digital_silence_and_room_tone_level(demo_like_recording):
    path, truth = demo_like_recording
    audio = decode(path)
    windows = audio[: len(audio) // 2400 * 2400].reshape(-1, 2400)  # 50 ms windows
    quietest = 10 * np.log10(np.min(np.mean(windows.astype(np.float64) ** 2, axis=1)))
    assert -60 < quietest < -48
    quiet_gaps = [(a["end"], b["start"]) for a, b in zip(truth["utterances"], truth["utterances"][1:])
                  if not any(e["start"] < b["start"] and e["end"] > a["end"] for e in truth["events"])]
    start, end = max(quiet_gaps, key=lambda gap: gap[1] - gap[0])
    pause = audio[int((start + 0.05) * RATE): int((end - 0.05) * RATE)]
    assert len(pause) > RATE // 2 and -58 < rms_db(pause) < -46


def test_gain_makes_the_recording_quieter_by_that_much(render_scene):
    normal, _ = render_scene(tiny_scene(), "tiny.wav", sample_rate=RATE, channels=2, bits=16)
    quiet, truth = render_scene(tiny_scene(level_db=-10.0), "tiny-quiet.wav", sample_rate=RATE, channels=2, bits=16)
    assert truth["level_db"] == -10.0
    assert integrated_lufs(normal) - integrated_lufs(quiet) == pytest.approx(10.0, abs=0.3)


def test_one_speaker_can_be_quieter(render_scene):
    normal, truth = render_scene(tiny_scene(), "tiny.wav", sample_rate=RATE, channels=2, bits=16)
    softer, _ = render_scene(synth.with_voice_gain(tiny_scene(), "Mike Brantjes", -8.0), "tiny-mike.wav",
                             sample_rate=RATE, channels=2, bits=16)
    mike = next(u for u in truth["utterances"] if u["speaker"] == "Mike Brantjes")
    host = truth["utterances"][0]
    drop = integrated_lufs(normal, mike["start"], mike["end"]) - integrated_lufs(softer, mike["start"], mike["end"])
    assert drop == pytest.approx(8.0, abs=0.5)
    same = integrated_lufs(normal, host["start"], host["end"]) - integrated_lufs(softer, host["start"], host["end"])
    assert abs(same) < 0.2


def test_hot_recording_clips_like_a_recorder(render_scene):
    path, truth = render_scene(tiny_scene(level_db=20.0), "tiny-hot.wav", sample_rate=RATE, channels=1, bits=16)
    audio = decode(path)
    assert truth["clipped_samples"] > 0 and truth["peak_dbfs"] > 0
    assert np.max(np.abs(audio)) <= 1.0 and np.count_nonzero(np.abs(audio) > 0.999) > 0


@pytest.mark.parametrize("name, codec", [("tiny.mp3", "mp3"), ("tiny.m4a", "aac"), ("tiny16k.wav", "pcm_s16le")])
def test_other_formats(render_scene, name, codec):
    rate = 16000 if name == "tiny16k.wav" else RATE
    path, truth = render_scene(tiny_scene(), name, sample_rate=rate, channels=1 if rate == 16000 else 2, bits=16)
    info = ffprobe(path)
    assert info["codec_name"] == codec and int(info["sample_rate"]) == rate
    assert info["channels"] == truth["channels"]
    assert abs(info["format_duration"] - truth["duration"]) < 0.06  # lossy codecs pad a frame
