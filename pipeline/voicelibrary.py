"""The show's voice library: voiceprints of the people the producer pinned, to recognise them in later episodes.

Reads and writes `voices/<person>-<hash>.json` beside config.toml (docs/voice-library.md, file_name()), one
small human-readable file per person:

    {"version": 1, "person": "Mike Brantjes", "model": "resemblyzer-0.1.4 voice encoder (GE2E, 256-d)",
     "about": "...",
     "prints": [{"episode": "2024-06-13-burger-centraal", "date": "2024-06-13", "voice": "Spreker 1",
                 "seconds": 212.4, "vector": [256 numbers]}, ...]}

A print is a voice's centroid in one episode (the normalised mean of the Resemblyzer embeddings of the windows
the voice was given) and how much speech it rests on. It is kept only for a voice the producer pinned
(episode.toml [speakers], or *bewaar*/*bevestig* in the review studio), never for a name the pipeline guessed,
and at most MAX_PRINTS per person (the latest episodes), so a voice that changes over the years is still
recognised. Deleting the folder, or a file, only makes the pipeline forget; nothing else depends on it.

An episode matches its voices against the prints of *earlier* episodes only (by date, then folder name): its
own prints never make its own speakers stage stale, and pinning a voice in a new episode never makes an older
episode stale. The deciding functions here are pure (no files) except load() and save().
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from pipeline import fsutil

FORMAT_VERSION = 1
MAX_PRINTS = 5  # per person: the latest episodes' prints
MIN_SECONDS = 20.0  # a pinned voice with less speech than this makes no print (too little to trust)
MIN_MATCH_SECONDS = 10.0  # a voice with less speech than this is not looked up
# cosine similarity between a voice and a person's print. Measured on real voices (docs/voice-library.md):
MATCH = 0.85  # at least this similar: the same person, when nothing else comes close
NEAR = 0.80  # at least this similar but not a sure match: a CHECK line, no name
MARGIN = 0.05  # a sure match leads every other person, and every other voice, by this much
CONFIDENCE = 0.95  # the confidence of a name from the library
DECIMALS = 5  # rounding of stored vectors: the same print always gives the same bytes
ABOUT = ("Voiceprint of one person for the show's voice library (docs/voice-library.md): kept when the producer "
         "pinned this person's voice in an episode; used to name the voice in later episodes. Safe to delete.")


class LibraryError(Exception):
    """A library file that cannot be used (the stage reports it and goes on without it)."""


@dataclass(frozen=True)
class Print:
    person: str
    episode: str  # the episode folder name
    date: str  # the episode date, ISO (2024-06-13)
    voice: str  # the voice label in that episode ("Spreker 1")
    seconds: float  # speech the print rests on
    vector: tuple[float, ...]  # unit length

    @property
    def order(self) -> tuple[str, str]:
        return (self.date, self.episode)

    @property
    def digest(self) -> str:
        """A short hash of what the print says: the stage's options record it, so a changed print re-runs
        the later episodes' speakers stage and an unchanged one does not."""
        data = json.dumps([self.person, self.episode, self.seconds, list(self.vector)])
        return hashlib.sha256(data.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Match:
    """What the library says about one voice of this episode."""

    voice: str
    person: str
    similarity: float  # to the person's closest print
    source: Print  # that print
    runner_up: float  # the best similarity of another person to this voice, or of another voice to this person
    listed: bool  # the person is one of this episode's people
    sure: bool  # name the voice

    @property
    def evidence(self) -> str:
        return (f"voice library: {self.source.episode} (similarity {self.similarity:.2f}, next {self.runner_up:.2f};"
                f" {self.source.seconds:.0f} s of speech there)")


# ------------------------------------------------------------------------------------------ prints


def unit(vector: Sequence[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def make_print(person: str, episode: str, date: str, voice: str, seconds: float,
               centroid: Sequence[float]) -> Print:
    """A print from a voice's centroid, normalised and rounded. Pure."""
    vector = tuple(round(float(x), DECIMALS) for x in unit(centroid))
    return Print(person, episode, date, voice, round(float(seconds), 1), vector)


def combine(parts: Sequence[tuple[Sequence[float], float]]) -> tuple[np.ndarray, float]:
    """One centroid from several voices of one person (two voices pinned to one name): the mean weighted by
    speech, normalised, and the speech summed. Pure."""
    total = sum(seconds for _, seconds in parts)
    mean = sum(unit(v) * seconds for v, seconds in parts) / max(total, 1e-9)
    return unit(mean), total


def file_name(person: str) -> str:
    """voices/<file_name> of a person: their name in lower-case ASCII with hyphens, then the first 8 hex digits of
    the SHA-256 of the name exactly as written ("mike-brantjes-47303fe6.json"). Pure. The hash keeps apart the
    files of names that read alike in ASCII or differ only in case ("José Peters", "Jose Peters", "jose
    peters"), also on file systems that ignore case."""
    return f"{_ascii_slug(person) or 'person'}-{_name_digest(person)[:8]}.json"


def legacy_file_name(person: str) -> str:
    """The file name libraries were written with before the hash was added ("mike-brantjes.json"; names that
    were unreadable in ASCII had a short hash already). Such a file is read like any other (load() goes by the
    "person" inside) and replaced by file_name() when that person's prints change. Pure."""
    slug = _ascii_slug(person)
    return f"{slug}.json" if slug else f"person-{_name_digest(person)[:6]}.json"


def _ascii_slug(person: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", person).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def _name_digest(person: str) -> str:
    return hashlib.sha256(person.encode("utf-8")).hexdigest()


def earlier(prints: Iterable[Print], episode: str, date: str) -> list[Print]:
    """The prints this episode may use: those of episodes before it (by date, then folder name). Pure."""
    return sorted((p for p in prints if p.order < (date, episode)), key=lambda p: (p.person, p.order))


def updated(prints: Sequence[Print], episode: str, new: Sequence[Print],
            limit: int = MAX_PRINTS) -> dict[str, list[Print]]:
    """Every person's prints after this episode's run: the episode's old prints are replaced by `new` (a person
    no longer pinned in it loses its print from it), and each person keeps the `limit` latest. Only people
    whose prints change are returned (an empty list: that person's file goes). Pure."""
    before: dict[str, list[Print]] = {}
    for p in prints:
        before.setdefault(p.person, []).append(p)
    after = {person: [p for p in own if p.episode != episode] for person, own in before.items()}
    for p in new:
        after.setdefault(p.person, []).append(p)
    result = {}
    for person, own in after.items():
        kept = sorted(own, key=lambda p: p.order)[-limit:]
        if sorted(kept, key=lambda p: p.order) != sorted(before.get(person, []), key=lambda p: p.order):
            result[person] = kept
    return result


# ------------------------------------------------------------------------------------------ matching


def similarities(voices: Mapping[str, Sequence[float]], prints: Sequence[Print]) -> dict[str, dict[str, tuple[float, Print]]]:
    """voice -> person -> (cosine similarity to the person's closest print, that print). Pure."""
    result: dict[str, dict[str, tuple[float, Print]]] = {}
    for voice, vector in voices.items():
        v = unit(vector)
        best: dict[str, tuple[float, Print]] = {}
        for p in prints:
            s = float(v @ unit(p.vector))
            if p.person not in best or s > best[p.person][0]:
                best[p.person] = (s, p)
        result[voice] = best
    return result


def match(voices: Mapping[str, Sequence[float]], seconds: Mapping[str, float], prints: Sequence[Print],
          people: Sequence[str], at: float = MATCH) -> list[Match]:
    """What the library says about each voice with at least MIN_MATCH_SECONDS of speech. Pure.

    A voice's candidate is the person whose print is closest. It is sure when the similarity is at least
    `at` (MATCH), it leads every other person for this voice by MARGIN, and it leads every other voice of this
    episode for this person by MARGIN (the person has one voice here). Voices whose candidate is at least NEAR
    similar are listed too (sure or not), so the stage can tell the producer. `people`: this episode's people;
    when it is empty every person in the library may be named.
    """
    table = similarities({v: x for v, x in voices.items() if seconds.get(v, 0.0) >= MIN_MATCH_SECONDS}, prints)
    result = []
    for voice, by_person in table.items():
        if not by_person:
            continue
        person = max(by_person, key=lambda p: by_person[p][0])
        similarity, source = by_person[person]
        if similarity < NEAR:
            continue
        other_people = [s for p, (s, _) in by_person.items() if p != person]
        other_voices = [table[w][person][0] for w in table if w != voice and person in table[w]]
        runner_up = max(other_people + other_voices, default=-1.0)
        listed = not people or person in people
        sure = listed and similarity >= at and similarity - runner_up >= MARGIN
        result.append(Match(voice, person, round(similarity, 3), source, round(runner_up, 3), listed, sure))
    return result


def check_lines(matches: Sequence[Match], samples: Mapping[str, str]) -> list[str]:
    """CHECK lines for what the library suggests but does not decide, each with its fix (none for a person
    the library surely named on another voice). `samples`: voice -> "listen at 01:02-01:12". Pure."""
    lines = []
    named = {m.person for m in matches if m.sure}
    for m in matches:
        if m.sure or m.person in named:  # the person's voice here is known: this one only sounds alike
            continue
        pin = f'[speakers] "{m.voice}" = "{m.person}"'
        where = f"{samples.get(m.voice, 'listen to it')}"
        if not m.listed:
            lines.append(f"{m.voice} sounds like {m.person} from the voice library (similarity {m.similarity:.2f}, "
                         f"{m.source.episode}), who is not one of this episode's people; {where}, and if it is "
                         f"them add them to [[people]] in episode.toml and pin {pin}")
        else:
            why = (f"another voice or person comes close ({m.runner_up:.2f})" if m.similarity >= MATCH
                   else f"below {MATCH:.2f}")
            lines.append(f"{m.voice} may be {m.person} (voice library: similarity {m.similarity:.2f} to "
                         f"{m.source.episode}, {why}), so it was not named from the library; {where} and pin "
                         f"{pin} in episode.toml if it is them")
    return lines


# ------------------------------------------------------------------------------------------ files


def to_json(person: str, prints: Sequence[Print], model: str) -> dict:
    return {"version": FORMAT_VERSION, "person": person, "model": model, "about": ABOUT,
            "prints": [{"episode": p.episode, "date": p.date, "voice": p.voice, "seconds": p.seconds,
                        "vector": list(p.vector)} for p in sorted(prints, key=lambda p: p.order)]}


def from_json(data: dict, model: str, where: str = "") -> list[Print]:
    """The prints of one file; [] when they were made by another model (they cannot be compared). Raises
    LibraryError for a file that is not a library file. Pure."""
    try:
        if data.get("version") != FORMAT_VERSION:
            raise LibraryError(f"{where}: unknown version {data.get('version')!r}")
        if data.get("model") != model:
            return []
        person = str(data["person"])
        prints = []
        for p in data["prints"]:
            vector = tuple(float(x) for x in p["vector"])
            if not vector or not np.all(np.isfinite(vector)):
                raise LibraryError(f"{where}: a print of {person} has no usable vector")
            prints.append(Print(person, str(p["episode"]), str(p["date"]), str(p["voice"]), float(p["seconds"]),
                                vector))
        return prints
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LibraryError(f"{where}: not a voice library file ({type(exc).__name__}: {exc})") from None


def load(folder: Path, model: str) -> tuple[list[Print], list[str]]:
    """Every print in the library folder made with `model`, and one line per file that could not be read."""
    prints, problems = [], []
    for path in sorted(Path(folder).glob("*.json")) if Path(folder).is_dir() else []:
        try:
            prints += from_json(fsutil.read_json(path), model, path.name)
        except (OSError, ValueError, LibraryError) as exc:
            problems.append(f"{path} is not a usable voice library file ({str(exc).split(': ', 1)[-1]}); it was "
                            f"left out: delete it, the next pinned episode writes it again")
    return prints, problems


def save(folder: Path, changes: Mapping[str, Sequence[Print]], model: str) -> list[Path]:
    """Write (atomically) or delete the files of the people in `changes` (from updated(), which holds every print
    of those people, also those read from a file under its legacy name); the paths. A person's file under the
    legacy name goes once its prints are written under file_name() (a file of that name that holds someone
    else, whose name reads alike, is left alone)."""
    written = []
    for person, prints in sorted(changes.items()):
        path = Path(folder) / file_name(person)
        if prints:
            fsutil.write_json(path, to_json(person, prints, model))
        else:
            path.unlink(missing_ok=True)
        legacy = Path(folder) / legacy_file_name(person)
        if _holds(legacy, person):
            legacy.unlink()
        written.append(path)
    return written


def _holds(path: Path, person: str) -> bool:
    """Whether the library file `path` exists and is `person`'s."""
    try:
        return fsutil.read_json(path).get("person") == person
    except (OSError, ValueError, AttributeError):
        return False
