"""The transcribe + transcripts stages on a generated 111 s show (espeak-ng Dutch, chatter, applause).

One transcription of the clip is shared by most tests (module fixture, about 25 s of Whisper on 2 cores);
the resume test transcribes part of it again, the bare comparison once more, the network test a short clip.
Ground truth comes from the scene's truth file (showgen/synth.py), formats are read back with webvtt-py,
srt and json; the bare comparison calls faster-whisper directly.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import wave
from pathlib import Path

import numpy as np
import pytest
import srt
import webvtt

from tests.helpers import make_episode, make_show, put_speech, wer, words_of
from showgen import synth
from showgen.demo_scene import short_show_scene
from pipeline.engine import Engine, load_context
from pipeline.stages import transcribe, transcripts
from showgen.demo_scene import episode_plan_toml
from pipeline.transcript import Transcript

pytestmark = pytest.mark.slow

PEOPLE = episode_plan_toml(chapters=False)

FULL_NAMES = ("Marije Boerlaagh", "Mike Brantjes", "Jornt van Zuijlen", "Steven Blok")


def seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


class ProgressLog:
    """Records what a stage reports to the progress bar."""

    def __init__(self):
        self.bars: list[tuple[str, float, list[float]]] = []

    def __call__(self, description: str, total: float):
        updates: list[float] = []
        self.bars.append((description, total, updates))

        class Task:
            def update(self, done: float) -> None:
                updates.append(done)

            def close(self) -> None:
                pass

        return Task()


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def speech(render_scene) -> tuple[Path, dict]:
    """The short show as the normalise stage would hand it over: 16 kHz mono 16-bit WAV, with its truth."""
    return render_scene(short_show_scene(), "short-show-speech.wav", sample_rate=16000, channels=1, bits=16)


def new_episode(folder: Path, speech: Path, model_cache: Path, extra: str = "") -> Path:
    make_show(folder, extra=f'[transcription]\nwindow = 30\nmodel_cache = "{model_cache}"\n{extra}')
    episode = make_episode(folder, "2024-06-13-test", [speech], body=PEOPLE)
    put_speech(speech, episode)
    return episode


@pytest.fixture(scope="module")
def run(tmp_path_factory, speech, model_cache):
    """Both stages run once through the engine; returns (episode, truth, progress log, raw transcript)."""
    audio, truth = speech
    episode = new_episode(tmp_path_factory.mktemp("show"), audio, model_cache)
    ctx = load_context(episode)
    progress = ProgressLog()
    ctx.progress = progress
    engine = Engine(ctx, [transcribe, transcripts])
    engine.check()
    statuses = {r.name: r.status for r in engine.run()}
    assert statuses == {"transcribe": "done", "transcripts": "done"}
    return episode, truth, progress, Transcript.load(ctx.paths.raw_transcript)


def test_segments_and_words_are_timed_on_the_audio(run):
    _, truth, _, raw = run
    assert raw.language == "nl" and raw.duration == pytest.approx(truth["duration"], abs=0.01)
    assert len(raw.segments) >= 10
    for a, b in zip(raw.segments, raw.segments[1:]):
        assert a.start <= b.start
    for segment in raw.segments:
        assert 0 <= segment.start < segment.end <= raw.duration
        assert segment.speaker == "unknown"
        assert segment.words and segment.text.strip()
        for word in segment.words:
            assert segment.start - 0.01 <= word.start <= word.end <= segment.end + 0.01


def test_a_word_starts_near_nearly_every_utterance(run):
    _, truth, _, raw = run
    starts = [w.start for w in raw.words]
    hits = [u for u in truth["utterances"] if any(abs(s - u["start"]) <= 0.5 for s in starts)]
    assert len(hits) >= 0.9 * len(truth["utterances"]), [u["text"] for u in truth["utterances"] if u not in hits]


def test_names_appear_only_where_they_are_said(run):
    _, truth, _, raw = run
    text = " ".join(s.text for s in raw.segments)
    assert any(name in text for name in FULL_NAMES)
    for segment in raw.segments:
        for name in FULL_NAMES:
            if name in segment.text:
                said = [u for u in truth["utterances"] if name in u["text"]
                        and u["start"] - 1.0 <= segment.end and segment.start <= u["end"] + 1.0]
                assert said, f"{name!r} at {segment.start:.1f} s is not in the script there"
    names = raw.meta["names"]
    assert names["hints"] and names["corrected"] + names["confirmed"] >= 1


def test_report_and_outputs(run):
    episode, truth, _, raw = run
    report = json.loads((episode / "report.json").read_text())
    files = report["outputs"]["transcripts"]
    assert set(files) == {"vtt", "srt", "json", "txt", "words"}
    for path in files.values():
        assert (episode / path).is_file()
    section = report["transcript"]
    assert section["words"] >= 60 and section["segments"] == len(raw.segments)
    assert set(section["guards"]["removed"]) == {"phrases", "silence", "loops", "repeats", "empty"}
    assert section["windows"]["total"] >= 3 and section["windows"]["transcribed"] == section["windows"]["total"]
    assert 0 < section["real_time_factor"] < 2
    assert section["options"]["beam_size"] == 5 and section["options"]["condition_on_previous_text"] is False
    assert "whisper-base" in section["model"]
    assert section["corrections"]["edited"] is False
    assert (episode / "transcript" / "corrections.txt").is_file()


def test_formats_from_the_real_run_parse(run):
    episode, truth, _, raw = run
    captions = list(webvtt.read(str(episode / "transcript" / "2024-06-13-test.vtt")))
    subtitles = list(srt.parse((episode / "transcript" / "2024-06-13-test.srt").read_text(encoding="utf-8")))
    data = json.loads((episode / "transcript" / "2024-06-13-test.json").read_text(encoding="utf-8"))
    assert len(captions) == len(subtitles) == len(data["segments"]) >= len(raw.segments)
    previous_end = 0.0
    for caption, subtitle, item in zip(captions, subtitles, data["segments"]):
        start, end = seconds(caption.start), seconds(caption.end)
        assert previous_end <= start < end <= truth["duration"]
        assert item["startTime"] == pytest.approx(start, abs=0.001)
        assert subtitle.start.total_seconds() == pytest.approx(start, abs=0.001)
        assert all(len(line) <= 42 for line in caption.text.split("\n")) and len(caption.text.split("\n")) <= 2
        previous_end = end
    vtt_words = words_of(" ".join(c.text for c in captions))
    assert vtt_words == words_of(" ".join(s.text for s in raw.segments))


def test_progress_follows_audio_time(run):
    _, truth, progress, _ = run
    description, total, updates = next(bar for bar in progress.bars if bar[0] == "Transcriberen")
    assert total == pytest.approx(truth["duration"], abs=0.01)
    assert updates == sorted(updates) and len(updates) >= 10
    assert updates[-1] == pytest.approx(total, abs=0.01)


def test_an_unchanged_episode_is_skipped(run):
    episode, *_ = run
    engine = Engine(load_context(episode), [transcribe, transcripts])
    assert {r.name: r.status for r in engine.run()} == {"transcribe": "skipped", "transcripts": "skipped"}


def test_no_worse_than_bare_faster_whisper_on_the_same_windows(run, speech, model_cache):
    """Same audio, same settings: faster-whisper called directly on each window the stage gave Whisper (read
    from the stage's resume log, cut from the WAV here). What the stage adds (guards, the name check, the
    bookkeeping) may not cost words.

    Kernel-proof by design: int8/float kernels differ between CPUs and move Whisper's beam search, but both
    sides decode identical audio with identical kernels, so such a change moves both alike. Measured with
    bench/whisper_spread.py (int8/float32, 1/2 threads): stage - bare on the same windows -0.040 to -0.024
    (the name check corrects names), bare alone 0.504-0.536. Against bare on the whole file (the old test) the
    difference was 0.016-0.024 here but 0.08 on another machine (0.592 vs 0.512): not a criterion that holds.
    """
    import ctranslate2
    import numpy as np
    import wave
    from faster_whisper import WhisperModel

    episode, truth, _, raw = run
    entries = [json.loads(line) for line in (episode / "work" / "segments.jsonl").read_text().splitlines()]
    windows = [(e["start"], e["end"]) for e in entries if e["kind"] == "window"]
    assert len(windows) >= 3 and windows[0][0] == 0.0
    with wave.open(str(speech[0]), "rb") as handle:
        rate = handle.getframerate()
        samples = np.frombuffer(handle.readframes(handle.getnframes()), "<i2").astype(np.float32) / 32768
    whisper = WhisperModel(str(model_cache / "whisper-base"), device="cpu", compute_type="int8")
    bare = []
    for start, end in windows:
        ctranslate2.set_random_seed(0)
        segments, _ = whisper.transcribe(samples[int(round(start * rate)):int(round(end * rate))], language="nl",
                                         beam_size=5, vad_filter=True, word_timestamps=True,
                                         condition_on_previous_text=False)
        bare += [s.text for s in segments]
    script = words_of(" ".join(u["text"] for u in truth["utterances"]))
    bare_wer = wer(script, words_of(" ".join(bare)))
    stage_wer = wer(script, words_of(" ".join(s.text for s in raw.segments)))
    print(f"WER stage {stage_wer:.3f}, bare faster-whisper on the same windows {bare_wer:.3f}")
    assert stage_wer <= bare_wer + 0.03, (stage_wer, bare_wer)
    assert stage_wer <= 0.75, stage_wer  # a sanity bound far above any kernel's result (0.46-0.59 measured)


def test_killed_mid_way_resumes_without_duplicates(run, speech, model_cache, tmp_path):
    first_episode, truth, _, full = run
    episode = new_episode(tmp_path, speech[0], model_cache)
    log = episode / "work" / "segments.jsonl"
    code = ("import sys; from pipeline.engine import load_context; from pipeline.stages import transcribe as t;"
            "ctx = load_context(sys.argv[1]); t.run(ctx, t.options(ctx))")
    child = subprocess.Popen([sys.executable, "-c", code, str(episode)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and child.poll() is None:
        if log.exists() and '"kind": "done"' in log.read_text():
            break
        time.sleep(0.2)
    assert child.poll() is None, "the run ended before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert not (episode / "work" / "transcript.raw.json").exists()

    ctx = load_context(episode)
    outcome = transcribe.run(ctx, transcribe.options(ctx))
    windows = outcome.report["transcript"]["windows"]
    assert windows["resumed"] >= 1 and windows["transcribed"] < windows["total"]
    assert windows["total"] == full.meta["windows"]["total"]
    resumed = Transcript.load(ctx.paths.raw_transcript)
    keys = [(round(s.start, 2), s.text) for s in resumed.segments]
    assert len(keys) == len(set(keys))
    for a, b in zip(resumed.segments, resumed.segments[1:]):
        assert a.start < b.start and a.end <= b.end
    # the log holds each segment once
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    logged = [(e["segment"]["start"], e["segment"]["text"]) for e in entries if e["kind"] == "segment"]
    assert len(logged) == len(set(logged))
    # same words as the uninterrupted run (a resume inside a window may re-hear a word or two)
    assert wer(words_of(" ".join(s.text for s in full.segments)),
               words_of(" ".join(s.text for s in resumed.segments))) <= 0.1


NO_NETWORK = textwrap.dedent("""
    import sys
    attempts = []
    def audit(event, args):
        if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
            attempts.append((event, repr(args)[:80]))
            raise OSError("network blocked by test: " + event)
    sys.addaudithook(audit)
    from pipeline.engine import load_context
    from pipeline.stages import transcribe as t
    ctx = load_context(sys.argv[1])
    opts = t.options(ctx)
    t.check(ctx, opts)
    outcome = t.run(ctx, opts)
    print("WORDS", outcome.report["transcript"]["words"], "ATTEMPTS", len(attempts), attempts)
""")


def test_default_config_transcribes_without_network(tmp_path):
    """Default [transcription] (embedded model, default cache): no socket is ever opened."""
    folder = tmp_path / "show"
    make_show(folder)
    clip = tmp_path / "clip.wav"
    raw = subprocess.run(["espeak-ng", "-v", "nl+klatt", "-s", "130", "--stdout",
                          "Goedenavond allemaal, en welkom bij de podcast."], capture_output=True, check=True).stdout
    subprocess.run(["ffmpeg", "-v", "error", "-i", "-", "-af", "apad=pad_dur=0.5", "-ac", "1", "-ar", "16000",
                    "-c:a", "pcm_s16le", str(clip)], input=raw, check=True)
    episode = make_episode(folder, "ep", [clip])
    put_speech(clip, episode)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "HF_HOME": str(tmp_path / "hf"),
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    env.pop("HF_HUB_OFFLINE", None)
    proc = subprocess.run([sys.executable, "-c", NO_NETWORK, str(episode)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    words, attempts = re.search(r"WORDS (\d+) ATTEMPTS (\d+)", proc.stdout).groups()
    assert int(words) >= 3 and attempts == "0", proc.stdout
    assert (tmp_path / "cache" / "burger-pipeline" / "models" / "whisper-base" / "model.bin").is_file()


def test_whisper_sampling_gives_the_same_words_in_every_call_of_a_run(tmp_path, model_cache):
    """Where Whisper's output is poor it falls back to sampling (here forced: temperature 0.5 only, on Czech read
    as Dutch). ctranslate2 seeds its sampler once per model thread, so without care the second window of a run
    would sample differently than a run resumed at that window; the stage's model must give the same segments
    for the same audio in every call."""
    voice = synth.Voice("cs", espeak="cs", speed=140)
    text = "Dobrý den, vítejte u nás. Dnes budeme mluvit o tom, jak se žije v malém městě."
    audio = (0.5 * synth.speak(text, voice, 16000)).astype(np.float32)
    recording = tmp_path / "czech.wav"
    with wave.open(str(recording), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((audio * 32767).astype("<i2").tobytes())
    episode = new_episode(tmp_path / "show", recording, model_cache)
    ctx = load_context(episode)
    whisper = transcribe._Whisper(transcribe.options(ctx), ctx)

    def heard() -> list[tuple[float, str]]:
        return [(round(s.start, 2), s.text) for s in whisper.transcribe(audio, temperature=0.5)]

    first = heard()
    assert first and heard() == first
