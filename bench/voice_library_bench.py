#!/usr/bin/env python3
"""Voice library benchmark: how similar one person's voiceprints are across episodes, and how similar
different people's are, on real recorded voices; and what the library's thresholds (pipeline/voicelibrary.py
MATCH, NEAR, MARGIN) accept and refuse.

Needs the voices: `bash scripts/fetch_voices.sh` (once). Each non-reserved Fish Fillets NG level stands for one
"episode": per actor, the first `--seconds` of their lines in that level, in a room of its own (showgen.room's
impulse response, a random reverberation per level and actor), printed as the speakers stage prints a voice (the
normalised mean of the Resemblyzer embeddings of 1.6 s windows every 0.8 s, pipeline.voiceprint). People:

- the two actors of the Dutch voice-over (font_small, font_big);
- the two actors of the Czech voice-over of the same levels (other people, another language);
- the Dutch actors pitch- and formant-shifted by 0.88 and 1.12 (how showgen.room makes part 2's "other" guests:
  hard impostors, much closer to the originals than real other people).

Same person: two prints of one actor from different levels. Different people: every pair of prints of
different people. Reported: similarity percentiles, and per threshold the share of same-person pairs refused and
different-people pairs accepted. The eight reserved levels are never read (showgen.voices refuses them).

With `--diarized N` it measures instead what the stage really keeps: the voices the speakers stage finds
(pipeline.stages.speakers.find_voices) in N two-actor dialogues (bench/judgement_bench.py's dialogue(): a
level's Dutch lines in script order, in a room, one actor 4 dB further away), each voice's centroid as its print
and its talk time; each voice is the actor it overlaps most in the truth. Every level's voices are then
matched (pipeline.voicelibrary.match, both actors listed) against a library of the other levels' prints.

Usage: python bench/voice_library_bench.py [--levels 16] [--seconds 40] [--out FILE]
       python bench/voice_library_bench.py --diarized 6 [--out FILE]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import diarize, voicelibrary, voiceprint  # noqa: E402
from pipeline.stages.speakers import window_frames  # noqa: E402
from showgen import room, voices  # noqa: E402

RATE = 16000
GAP = 0.3  # seconds of silence between lines


def czech_lines(level: str) -> list[voices.VoiceLine]:
    root = voices.game_root()
    script = root / "script" / level / "dialogs_cs.lua"
    if level in voices.RESERVED_LEVELS or not script.is_file():
        return []
    result = []
    for line_id, font, english, text in voices.parse_dialogs(script.read_text(encoding="utf-8", errors="replace")):
        ogg = root / "sound" / level / "cs" / f"{line_id}.ogg"
        if font in voices.ACTORS and ogg.is_file():
            result.append(voices.VoiceLine(level, line_id, font, text, english, ogg))
    return result


def voice_audio(lines: list[voices.VoiceLine], seconds: float, shift: float, rng: np.random.Generator):
    """The first `seconds` of the lines, joined with short gaps, in a room; and the speech spans."""
    parts, spans, at = [], [], 0.0
    for line in lines:
        clip = voices.load_clip(line, RATE, shift=shift)
        if len(clip) < RATE // 2:
            continue
        parts += [clip, np.zeros(int(GAP * RATE), np.float32)]
        spans.append((at, at + len(clip) / RATE))
        at += len(clip) / RATE + GAP
        if sum(e - s for s, e in spans) >= seconds:
            break
    if not parts:
        return None, []
    dry = np.concatenate(parts)
    ir = room.room_impulse(rng, RATE, rt60=float(rng.uniform(0.3, 0.7)), wet=float(rng.uniform(0.25, 0.45)))
    wet = np.convolve(dry, ir)[: len(dry)]
    wet *= 10 ** (-20 / 20) / max(1e-9, float(np.sqrt(np.mean(wet ** 2))))  # about -20 dBFS RMS
    return wet, spans


def voice_print(audio: np.ndarray, spans: list[tuple[float, float]], folder: Path) -> np.ndarray:
    """The print the speakers stage would keep for a voice that spoke `spans` of `audio`."""
    path = folder / "voice.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    features = voiceprint.read_features(path)
    regions = diarize.speech_regions(spans, features.duration, join_gap=0.3, pad=0.05)
    windows = diarize.windows(regions, features.duration, 1.6, 0.8)
    embeddings = voiceprint.embed_windows(features, window_frames(windows, features.frames, 1.6))
    return voicelibrary.unit(embeddings.mean(axis=0))


def diarized(count: int, folder: Path) -> list[str]:
    """Prints of the voices the speakers stage finds in `count` dialogues, and the library's decisions."""
    import subprocess

    from bench.judgement_bench import dialogue, dialogue_levels
    from pipeline.stages import speakers

    opts = speakers.Options(people=(("font_small", "guest"), ("font_big", "guest")))
    found = []  # (level, actor, centroid, seconds, purity)
    for i, level in enumerate(dialogue_levels(count)):
        audio, spans = dialogue(level, RATE, seed=i)
        wav = folder / f"{level}.wav"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i",
                        "pipe:0", "-c:a", "pcm_s16le", str(wav)], input=np.clip(audio, -1, 1).tobytes(), check=True)
        result = speakers.find_voices(voiceprint.read_features(wav), [(s, e) for s, e, _ in spans], opts)
        for voice in dict.fromkeys(t.voice for t in result.turns):
            own = [t for t in result.turns if t.voice == voice]
            overlap = {a: sum(max(0.0, min(t.end, e) - max(t.start, s)) for t in own for s, e, who in spans if who == a)
                       for a in voices.ACTORS}
            actor = max(overlap, key=overlap.__getitem__)
            seconds = sum(t.end - t.start for t in own)
            found.append((level, actor, voicelibrary.unit(result.centroids[voice]), seconds,
                          overlap[actor] / max(seconds, 1e-9)))
        print(f"{level}: {result.voices} voices", file=sys.stderr)
    same = [float(a[2] @ b[2]) for a, b in itertools.combinations(found, 2) if a[0] != b[0] and a[1] == b[1]]
    other = [float(a[2] @ b[2]) for a, b in itertools.combinations(found, 2) if a[1] != b[1]]
    outcomes = {}
    for at in (0.80, voicelibrary.MATCH, 0.90):
        right = wrong = unsure = 0
        for level in dict.fromkeys(f[0] for f in found):
            library = [voicelibrary.make_print(actor, lv, "2024-01-01", "Spreker 1", sec, c)
                       for lv, actor, c, sec, _ in found if lv != level and sec >= voicelibrary.MIN_SECONDS]
            here = {f"Spreker {i + 1}": f for i, f in enumerate(f for f in found if f[0] == level)}
            matches = {m.voice: m for m in voicelibrary.match({v: f[2] for v, f in here.items()},
                                                              {v: f[3] for v, f in here.items()}, library,
                                                              list(voices.ACTORS), at=at)}
            for voice, f in here.items():
                m = matches.get(voice)
                if m is not None and m.sure:
                    right += m.person == f[1]
                    wrong += m.person != f[1]
                else:
                    unsure += 1
        outcomes[at] = (right, wrong, unsure)
    lines = [f"Diarized voices: {len(found)} in {len(set(f[0] for f in found))} dialogues "
             f"(talk {min(f[3] for f in found):.0f}-{max(f[3] for f in found):.0f} s, purity "
             f"{min(f[4] for f in found):.0%}-{max(f[4] for f in found):.0%}).", "",
             "| pairs | n | min | median | max |", "|---|---|---|---|---|"]
    for name, values in (("same actor, other dialogue", same), ("other actor", other)):
        lines.append(f"| {name} | {len(values)} | {min(values):.3f} | {np.median(values):.3f} | {max(values):.3f} |")
    lines.append("")
    for at, (right, wrong, unsure) in outcomes.items():
        total = right + wrong + unsure
        lines.append(f"Decisions at MATCH {at:.2f} (MARGIN {voicelibrary.MARGIN}; each dialogue's voices against "
                     f"the other dialogues' prints): {right}/{total} voices named right, {wrong}/{total} named "
                     f"wrong, {unsure}/{total} not named.")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, default=16, help="levels (episodes) to use")
    parser.add_argument("--diarized", type=int, default=0, help="measure diarized voices of this many dialogues")
    parser.add_argument("--seconds", type=float, default=40.0, help="speech per print (the stage needs >= "
                                                                    f"{voicelibrary.MIN_SECONDS:.0f} s)")
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    args = parser.parse_args()
    started = time.monotonic()
    if args.diarized:
        with tempfile.TemporaryDirectory() as tmp:
            text = "\n".join(diarized(args.diarized, Path(tmp)) + ["", f"{time.monotonic() - started:.0f} s."])
        print(text)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        return 0
    rng = np.random.default_rng(7)
    nl = voices.dutch_lines()
    by_level: dict[str, dict[str, list]] = {}
    for line in nl:
        by_level.setdefault(line.level, {}).setdefault(line.speaker, []).append(line)
    usable = [lv for lv, actors in sorted(by_level.items()) if all(len(actors.get(a, [])) >= 6 for a in voices.ACTORS)]
    chosen = usable[:: max(1, len(usable) // args.levels)][: args.levels]
    prints: list[tuple[str, str, np.ndarray, float]] = []  # (person, level, print, seconds)
    with tempfile.TemporaryDirectory() as tmp:
        for level in chosen:
            cs = {}
            for line in czech_lines(level):
                cs.setdefault(line.speaker, []).append(line)
            for actor in voices.ACTORS:
                sources = [(f"nl-{actor}", by_level[level][actor], 1.0), (f"cs-{actor}", cs.get(actor, []), 1.0),
                           (f"nl-{actor}-x0.88", by_level[level][actor], 0.88),
                           (f"nl-{actor}-x1.12", by_level[level][actor], 1.12)]
                for person, lines, shift in sources:
                    audio, spans = voice_audio(lines, args.seconds, shift, rng)
                    speech = sum(e - s for s, e in spans)
                    if audio is None or speech < voicelibrary.MIN_SECONDS:
                        continue
                    prints.append((person, level, voice_print(audio, spans, Path(tmp)), speech))
            print(f"{level}: {len(prints)} prints so far", file=sys.stderr)
    same, different, others, hard = [], [], [], []
    for (p1, l1, v1, _), (p2, l2, v2, _) in itertools.combinations(prints, 2):
        s = float(v1 @ v2)
        if p1 == p2 and l1 != l2:
            same.append(s)
        elif p1 != p2:
            if p1.split("-x")[0] == p2.split("-x")[0]:
                hard.append(s)  # one actor, shifted differently
            elif "-x" in p1 or "-x" in p2:
                others.append(s)  # other actors, one or both shifted
            else:
                different.append(s)  # two real people
    lines = [f"Prints: {len(prints)} ({len(chosen)} levels: {', '.join(chosen)}), {args.seconds:.0f} s of "
             f"speech each at most; {time.monotonic() - started:.0f} s.", "",
             "| pairs | n | min | 1 % | 5 % | median | 95 % | 99 % | max |", "|---|---|---|---|---|---|---|---|---|"]
    for name, values in (("same person, other level", same), ("different real people", different),
                         ("different actors, one or both shifted", others),
                         ("one actor, shifted otherwise (the simulator's impostors)", hard)):
        q = np.percentile(values, [0, 1, 5, 50, 95, 99, 100]) if values else [float("nan")] * 7
        lines.append(f"| {name} | {len(values)} | " + " | ".join(f"{x:.3f}" for x in q) + " |")
    lines += ["", "| threshold | same person refused | real people accepted | shifted others accepted | "
                  "impostors accepted |", "|---|---|---|---|---|"]
    for t in (0.70, 0.75, 0.80, 0.82, 0.85, 0.88, 0.90, 0.92):
        lines.append(f"| {t:.2f} | {np.mean(np.array(same) < t):.1%} | {np.mean(np.array(different) >= t):.1%} | "
                     f"{np.mean(np.array(others) >= t):.1%} | {np.mean(np.array(hard) >= t):.1%} |")
    low = sorted((float(a[2] @ b[2]), a[0], a[1], b[1], round(a[3]), round(b[3])) for a, b in
                 itertools.combinations(prints, 2) if a[0] == b[0] and a[1] != b[1])[:3]
    lines += ["", "Lowest same-person pairs (similarity, person, levels, seconds): "
              + "; ".join(f"{x[0]:.3f} {x[1]} {x[2]}/{x[3]} {x[4]}/{x[5]} s" for x in low)]
    # the decision as the stage takes it: each print against a library of the other levels' prints
    lines.append("")
    for at in (0.80, voicelibrary.MATCH, 0.90):
        right = wrong = unsure = 0
        for person, level, vector, seconds in prints:
            if "-x" in person:
                continue
            library = [voicelibrary.make_print(p, lv, "2024-01-01", "Spreker 1", s, v)
                       for p, lv, v, s in prints if lv != level and "-x" not in p]
            found = voicelibrary.match({"Spreker 1": vector}, {"Spreker 1": seconds}, library, [], at=at)
            if found and found[0].sure:
                right += found[0].person == person
                wrong += found[0].person != person
            else:
                unsure += 1
        total = right + wrong + unsure
        lines.append(f"Decisions at MATCH {at:.2f} (MARGIN {voicelibrary.MARGIN}; each unshifted print against "
                     f"the other levels' unshifted prints, every person listed): {right}/{total} named right, "
                     f"{wrong}/{total} named wrong, {unsure}/{total} not named.")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
