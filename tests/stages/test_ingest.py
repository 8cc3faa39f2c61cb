"""ingest: probes a multi-file take (no copy of the audio in work/), never touches the source, rejects bad files;
the parts are decoded as one timeline by the stages after it."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from tests.helpers import duration, ffprobe, make_episode, make_show, run_cli
from tests.stages.audio_path import run_audio_path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def split(source: Path, folder: Path, at: float) -> list[Path]:
    parts = [folder / "ZOOM0001.WAV", folder / "ZOOM0002.WAV"]
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(source), "-t", str(at), "-c:a", "pcm_s24le",
                    str(parts[0])], check=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-ss", str(at), "-i", str(source), "-c:a", "pcm_s24le",
                    str(parts[1])], check=True)
    return parts


@pytest.mark.slow  # the audio path on a ~2-minute show
def test_multi_file_take_is_joined_in_order_and_sources_untouched(tmp_path, demo_like_recording):
    recording, truth = demo_like_recording
    parts = split(recording, tmp_path, 40.0)
    make_show(tmp_path)
    folder = make_episode(tmp_path, "ep", parts)
    before = {p.name: (sha(folder / p.name), (folder / p.name).stat().st_mtime_ns) for p in parts}
    statuses = run_audio_path(folder)
    assert set(statuses.values()) == {"done"}
    # no copy of the recording: trim and normalise read the sources through the fold-down, encode streams them
    assert not list((folder / "work").glob("master*")) and not (folder / "work" / "proxy.flac").exists()
    stream = ffprobe(folder / "work" / "speech.flac", "-show_streams")["streams"][0]
    assert (int(stream["sample_rate"]), stream["channels"]) == (16000, 1)
    assert {p.name: (sha(folder / p.name), (folder / p.name).stat().st_mtime_ns) for p in parts} == before
    # the trim found the show across the join, so the parts were joined in order
    import json
    trim = json.loads((folder / "work" / "trim-evidence.json").read_text())
    assert trim["source_duration"] == pytest.approx(truth["duration"], abs=0.05)  # both parts, decoded
    assert abs(trim["first_word"] - truth["show_start"]) < 1.5
    # the encode streams the show from both parts: the MP3 is the whole cut, across the join
    assert trim["start"] < 40.0 < trim["end"]
    assert duration(folder / "ep.mp3") == pytest.approx(trim["end"] - trim["start"], abs=0.1)


def make_bad(kind: str, folder: Path, good: Path) -> list[Path]:
    if kind == "empty":
        (folder / "rec.wav").write_bytes(b"")
        return [folder / "rec.wav"]
    if kind == "not audio":
        (folder / "rec.wav").write_text("dit is geen opname\n" * 100)
        return [folder / "rec.wav"]
    if kind == "truncated":
        data = (folder / "full.wav")
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(good), "-t", "20", str(data)], check=True)
        blob = data.read_bytes()
        (folder / "rec.wav").write_bytes(blob[: len(blob) // 3])
        data.unlink()
        return [folder / "rec.wav"]
    if kind == "corrupt":
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(good), "-t", "20", str(folder / "rec.flac")],
                       check=True)
        blob = bytearray((folder / "rec.flac").read_bytes())
        blob[200:] = bytes(len(blob) - 200)  # zeros after the header: no decodable frames
        (folder / "rec.flac").write_bytes(bytes(blob))
        return [folder / "rec.flac"]
    if kind == "mismatched parts":
        a, b = folder / "a.wav", folder / "b.wav"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(good), "-t", "10", "-ar", "48000", str(a)],
                       check=True)
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(good), "-t", "10", "-ar", "44100", str(b)],
                       check=True)
        return [a, b]
    raise AssertionError(kind)


SLOW_PARAM = pytest.mark.slow  # each restores the session's run and runs the CLI; one stays in the quick set


@pytest.mark.parametrize("kind, words", [
    pytest.param("empty", "empty", marks=SLOW_PARAM),
    ("not audio", "not a readable audio file"),
    pytest.param("truncated", "truncated", marks=SLOW_PARAM),
    pytest.param("corrupt", "corrupt", marks=SLOW_PARAM),
    pytest.param("mismatched parts", "does not match", marks=SLOW_PARAM),
])
def test_bad_source_one_line_and_earlier_outputs_intact(audio_path_run, demo_like_recording, kind, words):
    recording, _ = demo_like_recording
    good = audio_path_run.fresh()
    mp3 = good / "ep.mp3"
    mp3_before = sha(mp3)
    bad_sources = make_bad(kind, good, recording)
    names = [p.name for p in bad_sources]
    text = (good / "episode.toml").read_text()
    line = f'source = "{names[0]}"' if len(names) == 1 else f"source = {names!r}".replace("'", '"')
    (good / "episode.toml").write_text(text.replace(f'source = "{recording.name}"', line))
    result = run_cli("--config", audio_path_run.show / "config.toml", "run", good)
    # a corrupt body is found only by decoding it, in the trim stage: a failed stage (exit 1), not a refused
    # plan (exit 2); either way one line, and the published MP3 of the last good run stays
    assert result.returncode == (1 if kind == "corrupt" else 2), result.stderr
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert words in message and names[-1] in message or names[0] in message
    assert sha(mp3) == mp3_before
