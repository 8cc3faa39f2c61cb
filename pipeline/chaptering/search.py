"""The search for the best starts: every planned chapter's start chosen together (dynamic programming over
the candidate cuts), overrides fixed, each boundary with its confidence and evidence. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from pipeline.chaptering.cues import Breaks, ChapterCue
from pipeline.chaptering.scoring import (Cut, Evidence, HitIndex, approx_window, boundary_confidence, evidence_at,
                                         gather)
from pipeline.timefmt import clock
from pipeline.chaptering.voices import Voices
from pipeline.timeline import Turn
from pipeline.transcript import Transcript

# ---------------------------------------------------------------- tunables (a change makes the chapters stage stale)

MIN_CHAPTER = 5.0  # seconds: no chapter is shorter
LOW_CONFIDENCE = 0.5  # below this a boundary is reported loudly


@dataclass(frozen=True)
class Boundary:
    """Where chapter `index` starts, how sure we are and why."""

    index: int
    start: float
    confidence: float
    evidence: tuple[str, ...]
    override: bool = False

    @property
    def low_confidence(self) -> bool:
        return not self.override and self.index > 0 and self.confidence < LOW_CONFIDENCE


def validate_overrides(cues: Sequence[ChapterCue], duration: float) -> list[tuple[int, str]]:
    """(chapter index, problem) for every `start` override that cannot be used with this audio."""
    problems = []
    previous = None
    for i, cue in enumerate(cues):
        if cue.start is None:
            continue
        if i == 0 and cue.start != 0:
            problems.append((i, f"the first chapter starts at 0 (the start of the published audio), not at "
                                f"{clock(cue.start)}; remove this start (or move the show start with [trim])"))
        elif cue.start >= duration:
            problems.append((i, f"{clock(cue.start)} is past the end of the published audio "
                                f"({clock(duration)}); times count from the start of the published MP3"))
        elif previous is not None and cue.start <= previous:
            problems.append((i, "chapter starts must increase in the order listed"))
        previous = cue.start
    return problems


def detect(transcript: Transcript, cues: Sequence[ChapterCue], *, breaks: Breaks = Breaks(),
           turns: Sequence[Turn] = (), language: str = "nl", duration: float | None = None,
           names: Mapping[str, str] | None = None) -> list[Boundary]:
    """The start of every planned chapter. The first chapter starts at 0; overrides win exactly. `names`: the
    person each voice of `turns` was named after (speakers stage), when known.

    Raises ValueError for overrides that validate_overrides() rejects (the stage checks them first and names
    the field).
    """
    duration = duration if duration is not None else transcript.duration
    if not cues:
        return []
    problems = validate_overrides(cues, duration)
    if problems:
        raise ValueError(f"chapters #{problems[0][0] + 1}.start: {problems[0][1]}")
    first = Boundary(0, 0.0, 1.0, ("the first chapter starts at the start of the audio",), cues[0].start == 0)
    if len(cues) == 1:
        return [first]
    clues = gather(transcript, cues, breaks, turns, language, duration, names)
    min_gap = min(MIN_CHAPTER, duration / (2 * len(cues)))
    phrase_index = HitIndex(list(clues.phrases))
    name_index = HitIndex(list(clues.names))

    # Candidates per boundary, with their evidence. An override is the only candidate of its boundary.
    options: list[list[tuple[Cut, Evidence]]] = [[]]
    for j in range(1, len(cues)):
        cue = cues[j]
        if cue.start is not None:
            options.append([(Cut(-1, cue.start, 0.0, cue.start, False), Evidence(notes=("start override",)))])
            continue
        lo, hi = min_gap * j, duration - min_gap * (len(cues) - j)
        if cue.approx is not None:
            reach = approx_window(duration)
            lo, hi = max(lo, cue.approx - reach), min(hi, cue.approx + reach)
        fixed_before = [c.start for c in cues[:j] if c.start is not None]
        fixed_after = [c.start for c in cues[j + 1:] if c.start is not None]
        if fixed_before:
            lo = max(lo, fixed_before[-1] + min_gap)
        if fixed_after:
            hi = min(hi, fixed_after[0] - min_gap)
        candidates = [c for c in clues.cuts if lo <= c.time <= hi]
        if not candidates:  # an impossible window: fall back on its middle, with no confidence
            middle = (lo + hi) / 2 if hi > lo else lo
            candidates = [Cut(-1, round(max(0.0, min(duration, middle)), 3), 0.0, middle, False)]
        candidates.sort(key=lambda c: c.time)
        options.append([(c, evidence_at(clues, cues, j, c, phrase_index, name_index)) for c in candidates])

    chosen = _best_path(options, min_gap)
    boundaries = [first]
    for j in range(1, len(cues)):
        cut, ev = options[j][chosen[j]]
        if cues[j].start is not None:
            boundaries.append(Boundary(j, float(cues[j].start), 1.0, ("start override in episode.toml",), True))
            continue
        lo = boundaries[-1].start + min_gap
        hi = options[j + 1][chosen[j + 1]][0].time - min_gap if j + 1 < len(cues) else duration
        neighbours = [options[k][chosen[k]][1] for k in (j - 1, j + 1) if 0 < k < len(cues)]
        rivals = [(c, e) for c, e in options[j] if lo <= c.time <= hi
                  and not any(_same_handover(e, other) for other in neighbours)
                  and _room_for_new_voices(clues.voices, cues, j, boundaries[-1].start, c.time, hi + min_gap)]
        confidence, why = boundary_confidence(ev, cut, rivals, bool(clues.voices))
        boundaries.append(Boundary(j, float(cut.time), float(confidence), tuple(ev.notes) + tuple(why)))
    return boundaries


def _room_for_new_voices(voices: Voices, cues: Sequence[ChapterCue], j: int, previous: float, time: float,
                         following: float) -> bool:
    """Can chapter j start at `time` as the plan says: a new voice is first heard in the previous chapter when
    it brings new people, and in this one when it does? Without voices: always."""
    if not voices:
        return True
    new_before = len(set(cues[j - 1].people) - {p for c in cues[:j - 1] for p in c.people})
    new_here = len(set(cues[j].people) - {p for c in cues[:j] for p in c.people})
    if new_before and not voices.debuts(previous - 1.0, time):
        return False
    return not new_here or voices.debuts(time - 1.0, following) > 0


def _same_handover(a: Evidence, b: Evidence) -> bool:
    """Do two cuts lean on the same hand-over phrase? One hand-over cannot start two chapters."""
    used_a = {a.opening_at, a.thanks_at} - {None}
    used_b = {b.opening_at, b.thanks_at} - {None}
    return bool(used_a & used_b)


def _best_path(options: list[list[tuple[Cut, Evidence]]], min_gap: float, keep: int = 8) -> list[int]:
    """Indices of one candidate per boundary (each list sorted by time), in increasing time at least `min_gap`
    apart, no two consecutive ones on the same hand-over phrase, with the highest total score (dynamic
    programming; the best `keep` earlier candidates are tried for each)."""
    n = len(options)
    best: list[list[float]] = [[0.0]]
    back: list[list[int]] = [[-1]]
    for j in range(1, n):
        previous, prev_best = options[j - 1] if j > 1 else [(Cut(-1, 0.0, 0.0, 0.0, False), Evidence())], best[j - 1]
        order = sorted(range(len(previous)), key=lambda k: previous[k][0].time)
        scores, pointers = [], []
        leaders: list[int] = []  # the best `keep` earlier candidates so far, best first
        p = 0
        for cut, ev in options[j]:
            while p < len(order) and previous[order[p]][0].time <= cut.time - min_gap + 1e-9:
                k = order[p]
                if prev_best[k] > -math.inf:
                    leaders.append(k)
                    leaders.sort(key=lambda i: -prev_best[i])
                    del leaders[keep:]
                p += 1
            fitting = [k for k in leaders if not _same_handover(previous[k][1], ev)]
            if fitting:
                scores.append(prev_best[fitting[0]] + ev.score)
                pointers.append(fitting[0])
            else:
                scores.append(-math.inf)
                pointers.append(-1)
        if all(s == -math.inf for s in scores):  # nothing fits after the previous boundary: ignore the gap
            top = max(range(len(prev_best)), key=lambda k: prev_best[k])
            scores = [prev_best[top] + ev.score for _, ev in options[j]]
            pointers = [top] * len(scores)
        best.append(scores)
        back.append(pointers)
    path = [max(range(len(best[-1])), key=lambda k: best[-1][k])]
    for j in range(n - 1, 0, -1):
        path.append(back[j][path[-1]])
    return list(reversed(path))
