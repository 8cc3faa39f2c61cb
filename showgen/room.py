"""A live room simulator: seeded podcast shows with known truth, from real recorded Dutch voices.

    truth = simulate(folder, minutes=5, seed=3)            # folder/show.flac, show.truth.json, episode.toml
    truth = simulate(folder, minutes=5, seed=3, level_db=-10)   # the same show, recorder gain 10 dB lower

A show: room tone all through; 20-30 s of pre-show crowd babble (10-14 overlapping distant voices, muffled and
reverberant, 10-20 dB below the presenters) with a sound check at the microphone in it, still fading out
under the host's first words; the host's opening;
part 1 with two guests; thanks, applause, part 2 with two other guests; the closing; applause and chatter.
Guests answer the host's questions and each other in turns of 1 to 60 s; turns overlap a little at their edges
and the listeners say "ja"/"hm" under a long answer (backchannels, short lines of the other voices).

The people (issue 9 asks for five distinct ones, levels up to 10 dB apart):
- the host is espeak-ng (showgen.synth.speak), because the host must say the guests' names ("Marije, ...")
  and hand over between the parts, and no recorded line says those names;
- the four guests are four distinct real people: the two actors of the Fish Fillets Dutch voice-over and the
  two other actors of its Czech voice-over (showgen.voices), one language's pair per part (the seed picks
  which part). A Czech pair speaks Czech while the host still asks them by name in Dutch: a guest who answers
  in another language, which the Dutch transcription turns into nonsense words (the voices are still there).
  The guests speak the game's dialogue, in order, so a part sounds like a real two-person dialogue.
- each person sits at their own distance: a gain (0 to -10 dB) and a room impulse response of their own
  (generated: direct sound, early reflections, exponentially decaying diffuse tail, RT60 0.35-0.6 s).
The babble uses lines of other levels than the show, every voice moved up or down in pitch.

The truth (`<name>.truth.json`) has the shape of showgen.synth's (tests/conftest.py): times in seconds on the
recording's own timeline; "show_start"/"show_end" the first/last show word, "utterances" with "speaker",
"text", "start", "end", "chapter" (index) and "backchannel" (a short "ja" under someone else's turn),
"chapters" [{"title", "start"}], "events" [{"kind": chatter|soundcheck|applause, "start", "end"}],
"speakers" {name: {"source", "shift", "gain_db", "role"}}, plus "level_db", "peak_dbfs", "clipped_samples".
Mixing is numpy in blocks streamed to ffmpeg (pydub's overlay copies the whole track for every clip, which
is quadratic over an hour of clips); clips are float32 at 22050 Hz, the rate of the recordings.
This is test tooling: it raises plain ValueError/RuntimeError.
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import butter, fftconvolve, sosfilt

from pipeline.fsutil import atomic_path, write_json, write_text
from showgen.synth import Voice, applause, db_to_gain, speak
from showgen import voices

SAMPLE_RATE = 22050
SPEECH_RMS_DBFS = -26.0  # every line is brought to this RMS before the person's gain
ROOM_TONE_DBFS = -56.0
HOST_NAMES = ("Anne de Vries", "Pieter Jansen", "Sanne Bakker", "Joost Visser")
GUEST_NAMES = ("Marije Boerlaagh", "Mike Brantjes", "Jornt van Zuijlen", "Steven Blok", "Fatima el Amrani",
               "Kees Smit", "Lotte Mulder", "Bram de Graaf", "Noor Hendriks", "Daan Vermeulen")
SHOW_TITLE = "Burger Centraal"

QUESTIONS = ("{name}, wat vind jij daarvan?", "{name}, hoe zie jij dat?", "{name}, kun je dat uitleggen?",
             "{name}, wat is jouw ervaring?", "En {name}, wat denk jij?", "{name}, herken je dat?",
             "{name}, wat moet er anders?", "{name}, hoe begon het voor jou?")
OPENING = ("Goedenavond allemaal, en welkom bij {show}.", "Dit is de live podcast van Ambtenaar van Nu.",
           "Het thema is vertrouwen tussen bewoners en de overheid.")
CLOSING = ("Dat was {show}, de live podcast van Ambtenaar van Nu.", "De verhalen komen ook in ons magazine.",
           "Dank jullie wel voor het luisteren, en tot ziens.")
HOST_BACKCHANNELS = ("Ja.", "Hm.", "Precies.")


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # host | guest
    source: str  # "espeak" or a recorded voice "<language>:<actor>" (voices.VoiceLine.voice), e.g. "cs:font_big"
    shift: float = 1.0
    gain_db: float = 0.0
    wet: float = 0.3  # share of reverberant sound (distance from the microphone)


@dataclass
class _Placed:
    start: int
    audio: np.ndarray


class _Timeline:
    def __init__(self, sample_rate: int):
        self.sr = sample_rate
        self.placed: list[_Placed] = []
        self.at = int(0.3 * sample_rate)  # the recorder starts a moment before anything happens
        self.utterances: list[dict] = []
        self.events: list[dict] = []
        self.chapters: list[dict] = []

    def seconds(self, sample: int) -> float:
        return round(sample / self.sr, 4)

    def place(self, start: int, audio: np.ndarray) -> None:
        self.placed.append(_Placed(max(0, start), audio))


# ------------------------------------------------------------------------------------------ sound


def room_impulse(rng: np.random.Generator, sample_rate: int, rt60: float, wet: float) -> np.ndarray:
    """A mono room impulse response: direct sound, a few early reflections, a decaying diffuse tail."""
    n = int(rt60 * 1.2 * sample_rate)
    t = np.arange(n) / sample_rate
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    tail[: int(0.004 * sample_rate)] = 0.0
    sos = butter(2, 4000, "low", fs=sample_rate, output="sos")
    tail = sosfilt(sos, tail)
    for delay, gain in ((0.007, 0.5), (0.013, 0.35), (0.021, 0.3), (0.029, 0.2)):
        k = int((delay + rng.uniform(-0.002, 0.002)) * sample_rate)
        tail[k] += gain * rng.choice((-1, 1))
    tail *= wet / (np.sqrt(np.sum(tail ** 2)) or 1.0)
    ir = tail
    ir[0] += 1.0 - wet
    return ir.astype(np.float32)


def _set_rms(audio: np.ndarray, dbfs: float) -> np.ndarray:
    if not audio.size:  # a voice-over file with no samples (a few of the game's lines are empty)
        return audio
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    return (audio * (db_to_gain(dbfs) / rms)).astype(np.float32) if rms > 0 else audio


def _fade(audio: np.ndarray, sample_rate: int, fade_in: float, fade_out: float) -> np.ndarray:
    audio = audio.copy()
    n_in, n_out = min(len(audio), int(fade_in * sample_rate)), min(len(audio), int(fade_out * sample_rate))
    if n_in:
        audio[:n_in] *= np.linspace(0, 1, n_in, dtype=np.float32)
    if n_out:
        audio[-n_out:] *= np.linspace(1, 0, n_out, dtype=np.float32)
    return audio


class _Voices:
    """Dry lines of each person, brought to the speech level; the room added per person."""

    def __init__(self, sample_rate: int, rng: np.random.Generator, rt60: float):
        self.sr, self.rng, self.rt60 = sample_rate, rng, rt60
        self.irs: dict[str, np.ndarray] = {}

    def ir(self, person: Person) -> np.ndarray:
        if person.name not in self.irs:
            self.irs[person.name] = room_impulse(self.rng, self.sr, self.rt60, person.wet)
        return self.irs[person.name]

    def dry(self, person: Person, line: voices.VoiceLine | str) -> np.ndarray:
        if person.source == "espeak":
            audio = speak(str(line), Voice(person.name, "nl+klatt", pitch=50, speed=135), self.sr)
        else:
            audio = voices.load_clip(line, self.sr, shift=person.shift)  # type: ignore[arg-type]
        return _set_rms(audio, SPEECH_RMS_DBFS + person.gain_db)

    def in_room(self, person: Person, dry: np.ndarray) -> np.ndarray:
        return fftconvolve(dry, self.ir(person)).astype(np.float32)


def babble(seconds: float, sample_rate: int, lines: list[voices.VoiceLine], rng: random.Random,
           nprng: np.random.Generator, talkers: int, rms_dbfs: float) -> np.ndarray:
    """Many people talking at once far from the microphone: overlapping shifted lines, muffled, reverberant."""
    n = int(seconds * sample_rate)
    bed = np.zeros(n, np.float32)
    for _ in range(talkers):
        shift = rng.uniform(0.82, 1.22)
        gain = db_to_gain(rng.uniform(-8, 0))
        at = int(rng.uniform(-2.0, 3.0) * sample_rate)
        while at < n:
            clip = voices.load_clip(rng.choice(lines), sample_rate, shift=round(shift, 2))
            clip = _set_rms(clip, -20) * gain
            lo, hi = max(0, at), min(n, at + len(clip))
            if hi > lo:
                bed[lo:hi] += clip[lo - at:hi - at]
            at += len(clip) + int(rng.uniform(0.2, 1.5) * sample_rate)
    bed = fftconvolve(bed, room_impulse(nprng, sample_rate, 0.8, 0.75))[:n]
    bed = sosfilt(butter(2, [150, 2500], "bandpass", fs=sample_rate, output="sos"), bed)
    return _fade(_set_rms(bed.astype(np.float32), rms_dbfs), sample_rate, 1.0, 2.0)


# ------------------------------------------------------------------------------------------ the show


def cast(seed: int) -> tuple[Person, list[Person]]:
    """The host and the four guests (part 1: two, part 2: two) of a seeded show, levels up to 10 dB apart.
    Each part's guests are one language's two actors (four distinct people); the seed picks the order."""
    rng = random.Random(seed * 7919 + 1)
    host = Person(rng.choice(HOST_NAMES), "host", "espeak", gain_db=0.0, wet=0.2)
    names = rng.sample(GUEST_NAMES, 4)
    gains = [0.0, -10.0, rng.uniform(-8, 0), rng.uniform(-8, 0)]
    rng.shuffle(gains)
    languages = list(voices.LANGUAGES)
    rng.shuffle(languages)
    sources = [f"{language}:{actor}" for language in languages for actor in voices.ACTORS]
    guests = [Person(name, "guest", src, 1.0, round(gain, 1), round(rng.uniform(0.25, 0.45), 2))
              for name, src, gain in zip(names, sources, gains)]
    return host, guests


def _turn_target(rng: random.Random) -> float:
    """A turn length between 1 and 60 s: mostly 3-25 s, sometimes a one-word answer or a long story."""
    r = rng.random()
    if r < 0.1:
        return rng.uniform(1.0, 2.5)
    if r < 0.9:
        return float(np.exp(rng.uniform(np.log(3.0), np.log(25.0))))
    return rng.uniform(25.0, 60.0)


def simulate(folder: Path, minutes: float = 5.0, seed: int = 0, level_db: float = 0.0, name: str = "show.flac",
             sample_rate: int = SAMPLE_RATE, title: str | None = None) -> dict:
    """Render a seeded show to folder/name with folder/<stem>.truth.json and folder/episode.toml; return the truth.

    The same seed gives the same show at any `level_db` (the recorder's gain; +6 clips like a recorder).
    `minutes` is approximate: a part ends after the turn that crosses its planned length (up to a minute more).
    """
    if not 3.0 <= minutes <= 60.0:
        raise ValueError("minutes must be between 3 and 60")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    sr = sample_rate
    host, guests = cast(seed)
    people = {p.name: p for p in (host, *guests)}
    vox = _Voices(sr, nprng, rt60=rng.uniform(0.35, 0.6))
    tl = _Timeline(sr)

    all_levels = voices.levels()
    rng.shuffle(all_levels)
    split = max(1, len(all_levels) // 6)  # a sixth of the levels for the crowd, the rest for the show
    babble_levels, show_levels = all_levels[:split], all_levels[split:]
    babble_lines = voices.dutch_lines(only=babble_levels)
    dialogue = [line for language in voices.LANGUAGES for line in voices.lines(language, only=show_levels)]

    def say(person: Person, line, gap: float, chapter_title: str | None = None, backchannel_at: int | None = None):
        dry = vox.dry(person, line)
        start = backchannel_at if backchannel_at is not None else tl.at + int(gap * sr)
        if chapter_title is not None:
            tl.chapters.append({"title": chapter_title, "start": tl.seconds(start)})
        tl.place(start, vox.in_room(person, dry))
        end = start + len(dry)
        tl.utterances.append({"speaker": person.name, "text": str(line if isinstance(line, str) else line.text),
                              "start": tl.seconds(start), "end": tl.seconds(end),
                              "chapter": len(tl.chapters) - 1, "backchannel": backchannel_at is not None})
        if backchannel_at is None:
            tl.at = max(tl.at, end)
        return start, end

    def bed(kind: str, audio: np.ndarray, gap: float = 0.0, advance: bool = True):
        start = tl.at + int(gap * sr)
        tl.place(start, audio)
        tl.events.append({"kind": kind, "start": tl.seconds(start), "end": tl.seconds(start + len(audio))})
        if advance:
            tl.at = start + len(audio)

    def clap(seconds: float, seed_: int):
        return applause(seconds, sr, level_db=SPEECH_RMS_DBFS + 2, seed=seed_).mean(axis=1).astype(np.float32)

    # before the show: crowd babble with a sound check in it
    below = rng.uniform(10.0, 20.0)
    pre = rng.uniform(20.0, 30.0)
    crowd = babble(pre, sr, babble_lines, rng, nprng, rng.randint(10, 14), SPEECH_RMS_DBFS - below)
    bed("chatter", crowd, advance=False)
    check_at = tl.at + int(rng.uniform(0.35, 0.6) * pre * sr)
    technician = Person("technicus", "crew", "espeak", gain_db=-3.0, wet=0.15)
    dry = vox.dry(technician, "Een, twee. Een, twee. Test, test.")
    tl.place(check_at, vox.in_room(technician, dry))
    tl.events.append({"kind": "soundcheck", "start": tl.seconds(check_at), "end": tl.seconds(check_at + len(dry))})
    tl.at += len(crowd) - int(rng.uniform(0.5, 2.0) * sr)  # the host begins while the crowd hushes (2 s fade)

    show = title or SHOW_TITLE
    titles = ("Opening", f"{guests[0].name.split()[0]} en {guests[1].name.split()[0]}",
              f"{guests[2].name.split()[0]} en {guests[3].name.split()[0]}", "Afsluiting")
    for i, text in enumerate(OPENING):
        say(host, text.format(show=show), 0.0 if i == 0 else rng.uniform(0.3, 0.8), titles[0] if i == 0 else None)
    bed("applause", clap(rng.uniform(2.5, 4.0), seed * 10 + 1), gap=0.3)

    fixed = tl.at / sr + 40.0  # the closing, applause and chatter take about this long
    part_seconds = max(40.0, (minutes * 60 - fixed) / 2)
    pools = {g.source: [line for line in dialogue if line.voice == g.source] for g in guests}
    empty = sorted(src for src, pool in pools.items() if not pool)
    if empty:
        raise voices.VoicesMissing(f"no recorded lines for {', '.join(empty)} in {voices.game_root()}; "
                                   "run: bash scripts/fetch_voices.sh")
    short = {src: [line for line in pool if len(line.text.split()) <= 2] for src, pool in pools.items()}
    cursor = {src: rng.randrange(len(pool)) for src, pool in pools.items()}

    def next_line(src: str) -> voices.VoiceLine:
        pool = pools[src]
        cursor[src] = (cursor[src] + 1) % len(pool)
        return pool[cursor[src]]

    for part in (1, 2):
        a, b = guests[2 * part - 2], guests[2 * part - 1]
        tl.at += int(rng.uniform(1.0, 2.5) * sr)
        lead = "We beginnen met" if part == 1 else "We gaan verder met"
        say(host, f"{lead} {a.name} en {b.name}.", 0.0, titles[part])
        part_end = tl.at / sr + part_seconds
        speaker = rng.choice((a, b))
        say(host, rng.choice(QUESTIONS).format(name=speaker.name.split()[0]), rng.uniform(0.4, 0.9))
        while tl.at / sr < part_end - 5:
            turn_start, target = tl.at, _turn_target(rng)
            gap = rng.uniform(-0.35, 0.9)  # negative: the answer starts before the question has ended
            first = True
            while (tl.at - turn_start) / sr < target:
                s, e = say(speaker, next_line(speaker.source), gap if first else rng.uniform(0.15, 0.7))
                first = False
                if (tl.at - turn_start) / sr > 6 and rng.random() < 0.25:  # "ja" under a long answer
                    listener = rng.choice([p for p in (a, b, host) if p is not speaker])
                    at = s + int(rng.uniform(0.2, 0.7) * (e - s))
                    line = rng.choice(HOST_BACKCHANNELS) if listener is host else rng.choice(short[listener.source])
                    say(listener, line, 0.0, backchannel_at=at)
            r = rng.random()
            if r < 0.45:  # the host asks the next question by name
                speaker = rng.choice((a, b))
                say(host, rng.choice(QUESTIONS).format(name=speaker.name.split()[0]), rng.uniform(-0.2, 0.8))
            else:  # the other guest reacts
                speaker = b if speaker is a else a
        say(host, f"Dank jullie wel, {a.name.split()[0]} en {b.name.split()[0]}.", rng.uniform(0.5, 1.2))
        bed("applause", clap(rng.uniform(3.0, 5.0), seed * 10 + 1 + part), gap=0.2)

    tl.at += int(rng.uniform(1.0, 2.0) * sr)
    for i, text in enumerate(CLOSING):
        say(host, text.format(show=show), 0.0 if i == 0 else rng.uniform(0.4, 0.8), titles[3] if i == 0 else None)
    bed("applause", clap(rng.uniform(6.0, 9.0), seed * 10 + 9), gap=0.2, advance=False)
    tl.at += int(2.0 * sr)
    bed("chatter", babble(rng.uniform(12.0, 20.0), sr, babble_lines, rng, nprng, 10,
                          SPEECH_RMS_DBFS - below), gap=0.0)
    total = tl.at + int(0.5 * sr)

    path = folder / name
    peak, clipped = _render(path, tl.placed, total, sr, level_db, seed)
    show_lines = [u for u in tl.utterances if not u["backchannel"]]
    truth = {"sample_rate": sr, "channels": 1, "duration": tl.seconds(total), "level_db": level_db,
             "show_start": min(u["start"] for u in tl.utterances),
             "show_end": max(u["end"] for u in tl.utterances),
             "utterances": sorted(tl.utterances, key=lambda u: u["start"]), "chapters": tl.chapters,
             "events": tl.events, "babble_below_speech_db": round(below, 1),
             "speakers": {p.name: {"source": p.source, "shift": p.shift, "gain_db": p.gain_db, "role": p.role}
                          for p in people.values()},
             "chapter_people": [[host.name], [guests[0].name, guests[1].name], [guests[2].name, guests[3].name],
                                [host.name]],
             "peak_dbfs": round(20 * np.log10(max(peak, 1e-9)), 2), "clipped_samples": clipped, "file": name,
             "seed": seed, "minutes": minutes, "lines_spoken": len(show_lines)}
    write_json(path.with_name(path.stem + ".truth.json"), truth)
    write_text(folder / "episode.toml", episode_toml(truth, name))
    return truth


def episode_toml(truth: dict, source: str) -> str:
    """An episode.toml for the simulated show: people (host first) and the four chapters with their people."""
    lines = [f'title = "Gesimuleerde show {truth["seed"]}"', "date = 2024-06-13",
             'description = "Een gesimuleerde live show met echte stemmen."', f'source = "{source}"', ""]
    for name, info in truth["speakers"].items():
        if info["role"] in ("host", "guest"):
            lines += ["[[people]]", f'name = "{name}"', f'role = "{info["role"]}"', ""]
    for chapter, people in zip(truth["chapters"], truth["chapter_people"]):
        names = ", ".join(f'"{p}"' for p in people)
        lines += ["[[chapters]]", f'title = "{chapter["title"]}"', f"people = [{names}]", ""]
    return "\n".join(lines)


def _render(path: Path, placed: list[_Placed], total: int, sr: int, level_db: float, seed: int,
            block: int = 1 << 16) -> tuple[float, int]:
    """Mix room tone + placed clips in blocks, apply the recorder gain, clip at full scale, write 16-bit FLAC."""
    rng = np.random.default_rng(seed + 99)
    loop = 1 << 18
    tone = np.cumsum(rng.standard_normal(loop)).astype(np.float64)
    tone -= np.linspace(tone[0], tone[-1], loop)  # periodic brown-ish noise
    tone = sosfilt(butter(1, 30, "high", fs=sr, output="sos"), tone)
    tone = _set_rms(tone.astype(np.float32), ROOM_TONE_DBFS)
    gain = db_to_gain(level_db)
    items = sorted(placed, key=lambda p: p.start)
    peak, clipped, first_open = 0.0, 0, 0
    with atomic_path(path) as tmp:
        proc = subprocess.Popen(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "f32le",
                                 "-ar", str(sr), "-ac", "1", "-i", "pipe:0", "-c:a", "flac", "-sample_fmt", "s16",
                                 "-f", "flac", str(tmp)], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdin is not None
        for start in range(0, total, block):
            n = min(block, total - start)
            out = tone[np.arange(start, start + n) % loop].copy()
            while first_open < len(items) and items[first_open].start + len(items[first_open].audio) <= start:
                first_open += 1
            for item in items[first_open:]:
                if item.start >= start + n:
                    break
                lo, hi = max(start, item.start), min(start + n, item.start + len(item.audio))
                if hi > lo:
                    out[lo - start:hi - start] += item.audio[lo - item.start:hi - item.start]
            out *= gain
            peak = max(peak, float(np.abs(out).max()))
            clipped += int(np.count_nonzero(np.abs(out) > 1.0))
            proc.stdin.write(np.clip(out, -1.0, 1.0).astype("<f4").tobytes())
        proc.stdin.close()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.wait() != 0:
            raise RuntimeError(f"ffmpeg could not write {path}: {err.strip()[-300:]}")
    return peak, clipped
