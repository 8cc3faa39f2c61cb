"""Voice evidence: the speakers stage's turns indexed for window queries, and what they say about a cut
(voices that arrive or leave, a changed mix, another speaker right at the cut, and, where the speakers stage
named the voices, whether the planned people's voices leave and arrive there). Pure."""

from __future__ import annotations

import bisect
import math
from typing import Collection, Mapping, Sequence

import numpy as np

from pipeline.timeline import Turn

MIN_TALK = 3.0  # seconds of talk a group of people needs before its place in time says anything


class Talk:
    """How many seconds some voices talk before a moment: a piecewise linear function of time."""

    def __init__(self, turns: Sequence[Turn]):
        merged: list[list[float]] = []
        for turn in sorted(turns, key=lambda t: t.start):
            if merged and turn.start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], turn.end)
            else:
                merged.append([turn.start, turn.end])
        self.times = np.array([x for span in merged for x in span], dtype=np.float64)
        lengths = np.array([e - s for s, e in merged], dtype=np.float64)
        done = np.concatenate(([0.0], np.cumsum(lengths)))
        self.talked = np.repeat(done, 2)[1:-1] if merged else np.zeros(0)
        self.total = float(done[-1])

    def before(self, time: float) -> float:
        if not self.total:
            return 0.0
        return float(np.interp(time, self.times, self.talked))

    def after(self, time: float) -> float:
        return self.total - self.before(time)


class Voices:
    """The voice turns, indexed for window queries; each voice's first and last moment; the person each voice
    was named after (`names`: voice -> name, from the speakers stage; a voice without one is its own name)."""

    def __init__(self, turns: Sequence[Turn], names: Mapping[str, str] | None = None):
        self.names = dict(names or {})
        self._talk: dict[tuple[frozenset[str], bool], Talk] = {}
        # voices given one name are one person here (the speakers stage names the host's voice split in two
        # the host), so a turn between them is no change of speaker
        self.turns = sorted((Turn(t.start, t.end, self.names.get(str(t.voice), str(t.voice))) for t in turns),
                            key=lambda t: t.start)
        self.starts = [t.start for t in self.turns]
        self.longest = max((t.end - t.start for t in self.turns), default=0.0)
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self.talked: dict[str, float] = {}  # seconds, overlapping turns of one voice counted twice
        for turn in self.turns:
            self.talked[turn.voice] = self.talked.get(turn.voice, 0.0) + turn.end - turn.start
            self.first[turn.voice] = min(self.first.get(turn.voice, math.inf), turn.start)
            self.last[turn.voice] = max(self.last.get(turn.voice, -math.inf), turn.end)

    def __bool__(self) -> bool:
        return bool(self.turns)

    def debuts(self, lo: float, hi: float) -> int:
        """How many voices with at least MIN_TALK seconds of talk are first heard in [lo, hi)."""
        return sum(lo <= first < hi and self.talked[voice] >= MIN_TALK for voice, first in self.first.items())

    def talk_of(self, people: Collection[str], others: bool = False) -> Talk:
        """The talk of the voices named after `people` (`others`: of every other voice)."""
        key = (frozenset(people), others)
        if key not in self._talk:
            self._talk[key] = Talk([t for t in self.turns if (t.voice in key[0]) != others])
        return self._talk[key]

    def said_only_by(self, lo: float, hi: float, people: Collection[str]) -> bool:
        """Whether [lo, hi] lies in turns of voices named after `people` only (and in some turn)."""
        turns = self.near(lo, hi)
        return bool(turns) and all(t.voice in people for t in turns)

    def near(self, lo: float, hi: float) -> list[Turn]:
        """The turns that overlap [lo, hi]."""
        first = bisect.bisect_left(self.starts, lo - self.longest)
        last = bisect.bisect_right(self.starts, hi)
        return [t for t in self.turns[first:last] if t.end > lo and t.start < hi]


def _split_talk(turns: Sequence[Turn], time: float, window: float) -> list[tuple[Turn, float, float]]:
    """(turn, seconds of it in [time-window, time], seconds of it in [time, time+window])."""
    return [(t, max(0.0, min(t.end, time) - max(t.start, time - window)),
             max(0.0, min(t.end, time + window) - max(t.start, time))) for t in turns]


def voice_mix_change(voices: Voices, time: float, window: float) -> float | None:
    """1 - overlap of the talk-time shares of the voices in [time-window, time] and [time, time+window];
    None when either side has less than 3 s of talk (nothing to compare)."""
    before: dict[str, float] = {}
    after: dict[str, float] = {}
    for turn, b, a in _split_talk(voices.near(time - window, time + window), time, window):
        before[turn.voice] = before.get(turn.voice, 0.0) + b
        after[turn.voice] = after.get(turn.voice, 0.0) + a
    total_b, total_a = sum(before.values()), sum(after.values())
    if total_b < 3.0 or total_a < 3.0:
        return None
    voices = sorted(set(before) | set(after))  # a fixed order: float sums depend on it
    overlap = sum(min(before.get(v, 0.0) / total_b, after.get(v, 0.0) / total_a) for v in voices)
    return max(0.0, 1.0 - overlap)


def new_and_departing_voices(voices: Voices, time: float, window: float, arriving: bool = True,
                             leaving: bool = True, duration: float = math.inf) -> float | None:
    """The larger of: the share of talk in [time, time+window] by voices never heard before `time` (when
    `arriving`), and the share of talk in [time-window, time] by voices never heard again after it (when
    `leaving`). A new part brings new voices; a closing sends the guests off. Near the start (end) of the
    audio every voice is new (gone), so these shares count in proportion to the time heard before (after),
    up to half the `window`. None when either side has less than 3 s of talk."""
    before_total = before_leaving = after_total = after_new = 0.0
    for turn, b, a in _split_talk(voices.near(time - window, time + window), time, window):
        before_total += b
        after_total += a
        if voices.last[turn.voice] <= time + 1.0:
            before_leaving += b
        if voices.first[turn.voice] >= time - 1.0:
            after_new += a
    if before_total < 3.0 or after_total < 3.0:
        return None
    heard_before, heard_after = min(1.0, 2 * time / window), min(1.0, 2 * (duration - time) / window)
    return max(heard_before * after_new / after_total if arriving else 0.0,
               heard_after * before_leaving / before_total if leaving else 0.0)


def turn_change(voices: Voices, time: float, reach: float = 8.0) -> bool | None:
    """Does a different voice speak right after the cut than right before it? None without turns nearby."""
    nearby = voices.near(time - reach, time + reach)
    before = [t for t in nearby if t.start < time]
    after = [t for t in nearby if t.end > time]
    if not before or not after:
        return None
    last = max(before, key=lambda t: min(t.end, time))
    first = min(after, key=lambda t: max(t.start, time))
    return last.voice != first.voice


def host_keeps_floor(voices: Voices, time: float, hosts: Collection[str]) -> float | None:
    """How well a cut at `time` fits a closing, 0..1: the share of all talk after the cut that is the hosts'
    (the voices named after `hosts`: the host takes the floor back and keeps it to the end), times the share of
    every other voice's talk that lies before the cut (the guests are done). None when no voice is named after
    a host, or when there is less than MIN_TALK seconds of talk after the cut or of other voices. Level from the
    guests' last words to the end, so the pause and the phrases place the cut in that stretch."""
    host = voices.talk_of(hosts)
    if not host.total:
        return None
    guests, everyone_after = voices.talk_of(hosts, others=True), host.after(time)
    everyone_after += guests.after(time)
    if everyone_after < MIN_TALK or guests.total < MIN_TALK:
        return None
    return host.after(time) / everyone_after * guests.before(time) / guests.total
