"""Synthetic "room recordings" with ground truth, for the demo episode, tests and benchmarks.

A Scene is a list of events laid end to end on one timeline: utterances (`Say`, espeak-ng Dutch), and beds
(`Chatter` before the show, `Applause`, a `SoundCheck`, a plain `Pause`). Under everything runs room tone
(pink/brown-ish noise, about -52 dBFS) and optionally mains hum, so the file has no digital silence anywhere,
like a real room. `render()` mixes the scene in blocks and streams them to ffmpeg (memory stays bounded even
for an hour of audio), writes the file atomically and returns the ground truth, which it also writes beside the
audio as `<name>.truth.json`:

    {"sample_rate", "channels", "duration", "show_start", "show_end",
     "utterances": [{"speaker", "text", "start", "end", "chapter"}],   # chapter = index into "chapters"
     "chapters": [{"title", "start"}],
     "events": [{"kind", "start", "end"}],                            # chatter/applause/soundcheck beds
     "speakers": {name: {"espeak", "pitch", "speed", "gain_db"}}, "level_db", "peak_dbfs", "clipped_samples"}

All times are seconds on the recording's own timeline. An utterance's start/end are the exact first/last
non-silent sample of the speech (espeak's leading and trailing digital silence is trimmed), so `show_start` is
the onset of the first show word and `show_end` the offset of the last one. A chapter starts at the onset of its
first utterance. The sound check and the chatter are not show utterances.

Levels: each utterance is normalised to SPEECH_RMS_DBFS, then the voice's `gain_db` applies (one speaker sitting
further from the microphone), then the scene's `level_db` applies to the whole mix (a recorder gain set 10 dB too
low, or 6 dB too hot: samples beyond full scale are clipped, as a recorder would).

Speech is cached as .npy per (text, voice, rate) in `cache_dir` (default $BURGER_SYNTH_CACHE, else
$XDG_CACHE_HOME/burger-pipeline/speech), so re-runs and test suites are fast. Needs only numpy, espeak-ng
and ffmpeg. This is test tooling: it raises plain ValueError/RuntimeError, not the pipeline's user errors.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Union

import numpy as np

from pipeline.fsutil import atomic_path, write_json

SPEECH_RMS_DBFS = -28.0  # every utterance is normalised to this RMS before voice and scene gains
ROOM_TONE_DBFS = -52.0
CACHE_VERSION = "1"  # bump when speak() changes what it stores


# --------------------------------------------------------------------------------------------- speech


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice that stands for one person. `gain_db` is how much louder/quieter they reach the mic."""

    name: str
    espeak: str = "nl+klatt"
    pitch: int = 50
    speed: int = 130
    gain_db: float = 0.0
    pan: float = 0.0  # -1 left .. +1 right (small values: a field recorder hears everybody nearly centred)


def default_cache_dir() -> Path:
    if os.environ.get("BURGER_SYNTH_CACHE"):
        return Path(os.environ["BURGER_SYNTH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "burger-pipeline" / "speech"


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise RuntimeError(f"{tool} is not installed; run scripts/install.sh")
    return path


def _decode_to_float(wav_bytes: bytes, sample_rate: int) -> np.ndarray:
    """Resample any audio (bytes) to mono float32 at `sample_rate` with ffmpeg."""
    proc = subprocess.run(
        [_require("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", "pipe:0",
         "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "pipe:1"],
        input=wav_bytes, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg could not resample espeak output: {proc.stderr.decode(errors='replace')[-300:]}")
    return np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32)


def trim_digital_silence(audio: np.ndarray, threshold: float = 2.0 / 32768) -> np.ndarray:
    """Cut leading/trailing samples below `threshold` (espeak pads with exact zeros). Pure."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if loud.size == 0:
        return audio[:0]
    return audio[loud[0]: loud[-1] + 1]


def speak(text: str, voice: Voice, sample_rate: int, cache_dir: Path | None = None) -> np.ndarray:
    """Dutch speech for `text`: float32 mono, trimmed so sample 0 is the onset and the last sample the offset.

    Normalised to SPEECH_RMS_DBFS with the voice's gain_db applied.
    """
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    key = hashlib.sha256(repr((CACHE_VERSION, SPEECH_RMS_DBFS, text, voice.espeak, voice.pitch, voice.speed,
                               sample_rate)).encode()).hexdigest()[:24]
    cached = cache_dir / f"{key}.npy"
    if cached.is_file():
        try:
            audio = np.load(cached)
        except (OSError, ValueError):  # a corrupt cache entry counts as missing
            audio = None
    else:
        audio = None
    if audio is None:
        proc = subprocess.run(
            [_require("espeak-ng"), "-v", voice.espeak, "-p", str(voice.pitch), "-s", str(voice.speed),
             "--stdout", text], capture_output=True, check=False)
        if proc.returncode != 0 or not proc.stdout:
            raise RuntimeError(f"espeak-ng failed for voice {voice.espeak!r}: {proc.stderr.decode(errors='replace')}")
        audio = trim_digital_silence(_decode_to_float(proc.stdout, sample_rate))
        if audio.size == 0:
            raise RuntimeError(f"espeak-ng produced only silence for {text!r}")
        rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
        audio = (audio * (db_to_gain(SPEECH_RMS_DBFS) / rms)).astype(np.float32)
        cache_dir.mkdir(parents=True, exist_ok=True)
        with atomic_path(cached) as tmp:
            with open(tmp, "wb") as handle:
                np.save(handle, audio)
    return (audio * db_to_gain(voice.gain_db)).astype(np.float32)


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


# --------------------------------------------------------------------------------------------- beds


def _shaped_noise(n: int, exponent: float, rng: np.random.Generator, sample_rate: int,
                  low_hz: float = 20.0, high_hz: float | None = None) -> np.ndarray:
    """Noise with power ~ 1/f**exponent (1 = pink, 2 = brown), band-limited, RMS 1. Periodic: tiles seamlessly."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / sample_rate)
    shape = np.zeros_like(freqs)
    band = freqs >= low_hz
    if high_hz:
        band &= freqs <= high_hz
    shape[band] = freqs[band] ** (-exponent / 2)
    noise = np.fft.irfft(spectrum * shape, n)
    return (noise / np.sqrt(np.mean(noise ** 2))).astype(np.float32)


def _lowpass(audio: np.ndarray, sample_rate: int, cutoff_hz: float, highpass_hz: float = 0.0) -> np.ndarray:
    """A gentle FFT band limit (used on short beds only)."""
    spectrum = np.fft.rfft(audio, axis=0)
    freqs = np.fft.rfftfreq(audio.shape[0], 1 / sample_rate)
    gain = 1 / np.sqrt(1 + (freqs / cutoff_hz) ** 4)
    if highpass_hz:
        gain *= 1 / np.sqrt(1 + (highpass_hz / np.maximum(freqs, 1e-3)) ** 4)
    if audio.ndim == 2:
        gain = gain[:, None]
    return np.fft.irfft(spectrum * gain, audio.shape[0], axis=0).astype(np.float32)


def _fade(audio: np.ndarray, sample_rate: int, fade_in: float, fade_out: float) -> np.ndarray:
    audio = audio.copy()
    n_in, n_out = min(len(audio), int(fade_in * sample_rate)), min(len(audio), int(fade_out * sample_rate))
    if n_in:
        audio[:n_in] *= np.linspace(0, 1, n_in, dtype=np.float32).reshape(-1, *([1] * (audio.ndim - 1)))
    if n_out:
        audio[-n_out:] *= np.linspace(1, 0, n_out, dtype=np.float32).reshape(-1, *([1] * (audio.ndim - 1)))
    return audio


def _set_rms(audio: np.ndarray, dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    return (audio * (db_to_gain(dbfs) / rms)).astype(np.float32) if rms > 0 else audio


CHATTER_LINES = (
    "Hoi, wat leuk dat je er bent.", "Heb je de trein genomen?", "Zullen we even koffie halen?",
    "Wat een mooie zaal is dit.", "Ik zit bij de gemeente Utrecht.", "Ken jij de sprekers al?",
    "Het was druk op de weg vandaag.", "Waar kan ik mijn jas kwijt?", "Dat project ken ik wel.",
    "We hebben elkaar vorig jaar gezien.", "Is hier nog een stoel vrij?", "Ik ben benieuwd naar vanavond.",
    "Mijn collega komt iets later.", "Lekker weer buiten, toch?", "Wie heeft het programma gemaakt?",
)
CHATTER_VOICES = (
    Voice("chatter 1", "nl+klatt2", 40), Voice("chatter 2", "nl+klatt3", 70), Voice("chatter 3", "nl+m1", 55),
    Voice("chatter 4", "nl+klatt5", 80), Voice("chatter 5", "nl+m3", 35), Voice("chatter 6", "nl+klatt6", 60),
)


def chatter(seconds: float, sample_rate: int, *, level_db: float = -38.0, talkers: int = 5, seed: int = 1,
            cache_dir: Path | None = None) -> np.ndarray:
    """People talking before the show: several quiet overlapping voices and murmur, muffled. Stereo (n, 2)."""
    rng = random.Random(seed)
    n = int(seconds * sample_rate)
    bed = np.zeros((n, 2), np.float32)
    for talker in range(talkers):
        voice = CHATTER_VOICES[talker % len(CHATTER_VOICES)]
        left, right = np.sqrt(0.5 + rng.uniform(-0.4, 0.4)), None
        right = np.sqrt(1 - left ** 2)
        at = int(rng.uniform(0, 2.0) * sample_rate)
        while at < n:
            line = speak(rng.choice(CHATTER_LINES), voice, sample_rate, cache_dir) * db_to_gain(rng.uniform(-6, 0))
            part = line[: n - at]
            bed[at: at + len(part), 0] += part * left
            bed[at: at + len(part), 1] += part * right
            at += len(line) + int(rng.uniform(0.3, 2.5) * sample_rate)
    murmur = np.stack([_shaped_noise(n, 1.0, np.random.default_rng(seed + k), sample_rate, 150, 3000)
                       for k in range(2)], axis=1) * 0.25
    bed = _lowpass(bed + murmur, sample_rate, 1800.0, 120.0)
    return _fade(_set_rms(bed, level_db), sample_rate, 1.5, 2.0)


def applause(seconds: float, sample_rate: int, *, level_db: float = -26.0, claps_per_second: float = 500.0,
             seed: int = 2) -> np.ndarray:
    """Applause: dense filtered noise clicks under a swell-and-decay envelope. Stereo (n, 2)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sample_rate)
    channels = []
    for _ in range(2):
        impulses = np.zeros(n, np.float32)
        count = rng.poisson(claps_per_second * seconds)
        impulses[rng.integers(0, n, count)] = rng.lognormal(0.0, 0.4, count).astype(np.float32)
        kernel_len = int(0.012 * sample_rate)
        kernel = (rng.standard_normal(kernel_len) * np.exp(-np.arange(kernel_len) / (0.002 * sample_rate)))
        size = n + kernel_len
        clicks = np.fft.irfft(np.fft.rfft(impulses, size) * np.fft.rfft(kernel, size), size)[:n]
        channels.append(clicks.astype(np.float32))
    bed = _lowpass(np.stack(channels, axis=1), sample_rate, 7000.0, 400.0)
    t = np.arange(n, dtype=np.float32) / sample_rate
    envelope = np.minimum(1.0, t / 0.4) * np.where(t > seconds * 0.55,
                                                   np.exp(-(t - seconds * 0.55) / (seconds * 0.15)), 1.0)
    bed = _set_rms(bed * envelope[:, None].astype(np.float32), level_db)
    ceiling = db_to_gain(level_db + 14.0)  # hands clapping are peaky, but a room and a mic smooth the worst
    return (ceiling * np.tanh(bed / ceiling)).astype(np.float32)


def hum(start: int, n: int, sample_rate: int, level_db: float, mains_hz: float = 50.0) -> np.ndarray:
    """Mains hum (fundamental + odd-ish harmonics), phase-continuous over blocks. Mono."""
    t = (np.arange(start, start + n, dtype=np.float64)) / sample_rate
    wave = sum(amp * np.sin(2 * np.pi * mains_hz * k * t) for k, amp in ((1, 1.0), (2, 0.5), (3, 0.35), (5, 0.15)))
    return (wave / np.sqrt(np.mean(wave ** 2) or 1) * db_to_gain(level_db)).astype(np.float32)


# --------------------------------------------------------------------------------------------- scenes


@dataclass(frozen=True)
class Say:
    """One show utterance. `pause` is the silence (room tone) before it; `chapter` starts a new chapter here."""

    voice: Voice
    text: str
    pause: float = 0.6
    chapter: str | None = None


@dataclass(frozen=True)
class Chatter:
    seconds: float
    pause: float = 0.0
    level_db: float = -38.0
    seed: int = 1


@dataclass(frozen=True)
class Applause:
    seconds: float
    pause: float = 0.2
    level_db: float = -26.0
    seed: int = 2


@dataclass(frozen=True)
class SoundCheck:
    """A technician tapping the mic: "een twee, een twee" (not part of the show)."""

    voice: Voice = Voice("technicus", "nl+m1", 45, 150, -4.0)
    text: str = "Een, twee. Een, twee. Test, test."
    pause: float = 1.0


@dataclass(frozen=True)
class Pause:
    seconds: float


Event = Union[Say, Chatter, Applause, SoundCheck, Pause]


@dataclass(frozen=True)
class Scene:
    events: tuple[Event, ...]
    level_db: float = 0.0  # overall gain of the whole recording (recorder gain set wrong)
    room_tone_db: float = ROOM_TONE_DBFS
    hum_db: float | None = None  # e.g. -58 for audible mains hum; None: no hum
    tail: float = 0.5  # room tone after the last event
    seed: int = 0


@dataclass(frozen=True)
class _Placed:
    start: int  # sample on the timeline
    audio: np.ndarray  # (n,) mono or (n, 2) stereo
    pan: float = 0.0

    @property
    def end(self) -> int:
        return self.start + self.audio.shape[0]


@dataclass(frozen=True)
class Layout:
    placed: tuple[_Placed, ...]
    total: int  # samples
    truth: dict = field(hash=False)


def layout(scene: Scene, sample_rate: int, cache_dir: Path | None = None) -> Layout:
    """Synthesize every event once and place it on the timeline; compute the ground truth (without file facts)."""
    sr = sample_rate
    placed: list[_Placed] = []
    utterances: list[dict] = []
    chapters: list[dict] = []
    events: list[dict] = []
    speakers: dict[str, dict] = {}
    speech_memo: dict[tuple, np.ndarray] = {}  # identical lines share one array (long recordings stay small)
    bed_memo: dict[tuple, np.ndarray] = {}
    at = int(0.3 * sr)  # recorder starts a moment before anything happens

    def seconds(sample: int) -> float:
        return round(sample / sr, 6)

    for event in scene.events:
        if isinstance(event, Pause):
            at += int(event.seconds * sr)
            continue
        at += int(event.pause * sr)
        if isinstance(event, (Say, SoundCheck)):
            key = (event.text, event.voice)
            if key not in speech_memo:
                speech_memo[key] = speak(event.text, event.voice, sr, cache_dir)
            audio = speech_memo[key]
            placed.append(_Placed(at, audio, event.voice.pan))
            if isinstance(event, Say):
                if event.chapter is not None:
                    chapters.append({"title": event.chapter, "start": seconds(at)})
                if not chapters:
                    raise ValueError(f"the first Say ({event.text!r}) must start a chapter (chapter='Opening')")
                utterances.append({"speaker": event.voice.name, "text": event.text, "start": seconds(at),
                                   "end": seconds(at + len(audio)), "chapter": len(chapters) - 1})
                speakers[event.voice.name] = {"espeak": event.voice.espeak, "pitch": event.voice.pitch,
                                              "speed": event.voice.speed, "gain_db": event.voice.gain_db}
            else:
                events.append({"kind": "soundcheck", "start": seconds(at), "end": seconds(at + len(audio))})
        else:
            key = (type(event).__name__, event.seconds, event.level_db, event.seed)
            if key not in bed_memo:
                bed_memo[key] = (chatter(event.seconds, sr, level_db=event.level_db, seed=event.seed,
                                         cache_dir=cache_dir) if isinstance(event, Chatter)
                                 else applause(event.seconds, sr, level_db=event.level_db, seed=event.seed))
            audio = bed_memo[key]
            placed.append(_Placed(at, audio))
            events.append({"kind": type(event).__name__.lower(), "start": seconds(at),
                           "end": seconds(at + len(audio))})
        at += audio.shape[0]
    total = at + int(scene.tail * sr)
    if not utterances:
        raise ValueError("a scene needs at least one Say")
    truth = {"sample_rate": sr, "duration": seconds(total), "level_db": scene.level_db,
             "show_start": utterances[0]["start"], "show_end": utterances[-1]["end"],
             "utterances": utterances, "chapters": chapters, "events": events, "speakers": speakers}
    return Layout(tuple(placed), total, truth)


def mix_blocks(scene: Scene, lay: Layout, sample_rate: int, channels: int,
               block: int = 1 << 16) -> Iterator[np.ndarray]:
    """Yield the mix as float32 (n, channels) blocks: room tone + hum + placed events, times the scene gain."""
    rng = np.random.default_rng(scene.seed)
    loop = 1 << 19  # ~11 s of room tone per channel, periodic so it tiles without a seam
    tone = np.stack([_shaped_noise(loop, 1.6, rng, sample_rate, 25, 12000) for _ in range(2)], axis=1)
    tone *= db_to_gain(scene.room_tone_db)
    gain = db_to_gain(scene.level_db)
    placed = sorted(lay.placed, key=lambda p: p.start)
    first_open = 0  # placed[:first_open] all ended before the current block
    for start in range(0, lay.total, block):
        n = min(block, lay.total - start)
        out = tone[(np.arange(start, start + n) % loop)].copy()
        if scene.hum_db is not None:
            out += hum(start, n, sample_rate, scene.hum_db)[:, None]
        while first_open < len(placed) and placed[first_open].end <= start:
            first_open += 1
        for item in placed[first_open:]:
            if item.start >= start + n:
                break
            lo, hi = max(start, item.start), min(start + n, item.end)
            if hi <= lo:
                continue
            piece = item.audio[lo - item.start: hi - item.start]
            if piece.ndim == 1:
                angle = (item.pan + 1) * np.pi / 4
                piece = piece[:, None] * np.array([np.cos(angle), np.sin(angle)], np.float32) * np.sqrt(2)
            out[lo - start: hi - start] += piece
        out *= gain
        if channels == 1:
            out = out.mean(axis=1, keepdims=True)
        yield out.astype(np.float32)


def _codec_args(suffix: str, bits: int) -> list[str]:
    if suffix == ".wav":
        return ["-c:a", "pcm_s24le" if bits == 24 else "pcm_s16le"]
    if suffix == ".flac":
        return ["-c:a", "flac", "-sample_fmt", "s32" if bits == 24 else "s16"] + \
            (["-bits_per_raw_sample", "24"] if bits == 24 else [])
    if suffix == ".mp3":
        return ["-c:a", "libmp3lame", "-b:a", "192k"]
    if suffix == ".m4a":
        return ["-c:a", "aac", "-b:a", "192k"]
    raise ValueError(f"unsupported output format {suffix!r}: use .wav, .flac, .mp3 or .m4a")


def truth_path(audio_path: Path) -> Path:
    audio_path = Path(audio_path)
    return audio_path.with_name(audio_path.stem + ".truth.json")


def render(scene: Scene, path: Path, sample_rate: int = 48000, channels: int = 2, bits: int = 24,
           cache_dir: Path | None = None) -> dict:
    """Write `scene` to `path` (format from the suffix) and `<name>.truth.json`; return the truth dict."""
    path = Path(path)
    if channels not in (1, 2):
        raise ValueError("channels must be 1 or 2")
    codec = _codec_args(path.suffix.lower(), bits)
    lay = layout(scene, sample_rate, cache_dir)
    peak, clipped = 0.0, 0
    with atomic_path(path) as tmp:
        cmd = [_require("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-f", "f32le", "-ar", str(sample_rate), "-ac", str(channels), "-i", "pipe:0",
               *codec, "-ar", str(sample_rate), str(tmp)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdin is not None
        try:
            for out in mix_blocks(scene, lay, sample_rate, channels):
                peak = max(peak, float(np.abs(out).max()))
                clipped += int(np.count_nonzero(np.abs(out) > 1.0))
                proc.stdin.write(np.clip(out, -1.0, 1.0).astype("<f4").tobytes())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.wait() != 0:
            raise RuntimeError(f"ffmpeg could not write {path}: {err.strip()[-300:]}")
    truth = {**lay.truth, "channels": channels, "peak_dbfs": round(20 * np.log10(max(peak, 1e-9)), 2),
             "clipped_samples": clipped, "file": path.name}
    write_json(truth_path(path), truth)
    return truth


def scaled(scene: Scene, **changes) -> Scene:
    """A copy of `scene` with some fields changed, e.g. scaled(scene, level_db=-10)."""
    from dataclasses import replace

    return replace(scene, **changes)


def with_voice_gain(scene: Scene, speaker: str, gain_db: float) -> Scene:
    """A copy of `scene` where every line of `speaker` comes `gain_db` louder (negative: quieter)."""
    from dataclasses import replace

    events = tuple(replace(e, voice=replace(e.voice, gain_db=gain_db)) if isinstance(e, Say)
                   and e.voice.name == speaker else e for e in scene.events)
    return replace(scene, events=events)


def load_truth(audio_path: Path) -> dict:
    import json

    return json.loads(truth_path(audio_path).read_text(encoding="utf-8"))

