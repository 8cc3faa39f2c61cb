"""Who speaks when: speech regions, analysis windows, and voices found by clustering with re-segmentation.

Pure functions on numbers (no files, no model): the speakers stage feeds them the word times of the
transcript and the embeddings from pipeline.voiceprint, and gets back anonymous voice turns.

1. speech_regions(): the words' time spans, merged across short gaps; with_activity() adds the speech a voice
   activity detector heard inside the show that the transcript has no words for (a guest speaking another
   language, a line Whisper skipped, the tail of a sentence).
2. windows(): fixed-length analysis windows sliding over each region (a short region gets one window centred
   on it, so a lone "ja" still gets a voiceprint).
3. The speech time is cut into steps of 0.1 s; each step gets each voice's cosine similarity, averaged over
   the windows that cover it (step_scores).
4. fit(): for a given number of voices, k-means++ on the window embeddings gives starting voices; then
   Viterbi decoding (a switch of voice costs `switch_penalty`, so backchannels, overlap fragments and coughs
   do not shatter a turn) alternates with re-estimating each voice from the windows it got.
5. diarize(): tries 1, 2, ... voices and keeps adding one while the decoded objective gains enough per step
   of speech (voices beyond the listed people must gain more); stops at `max_voices` (the speakers stage
   passes the number of listed people: there are no more voices than people), and stops before a fit in
   which two voices sound the same (centroid cosine similarity above SAME_VOICE): one person split in two,
   which happens when a quieter or noisier stretch of one voice pulls its own cluster. Two voices of the
   chosen fit that sound like one real person cut in two (one_person_pair: more alike than any two people
   measured, than their own windows are to them, and than any two of the other voices) are reported
   (Diarization.one_person), not joined: a guest who speaks only a few seconds over the partner leaves the fit
   nothing to find, and the speakers stage flags both voices' names instead (joining them and fitting again
   cut DER from 16.6 to 9.5 % where it acted on 20 simulated shows, but the naming then gave the joined voice
   the wrong guest of its part at up to 0.95 on 2 of 4 shows, unflagged). A voice whose speech before some
   moment and after it sound like two people (voices_in_two: one guest's answer and the other guest's speech
   after it joined) is reported too (Diarization.in_two).
6. Turn edges, from the level of the audio: changes_at_pauses() moves each change of voice inside speech to the
   pause near it (the windows place it only to within 0.8 s), with_tails() carries each turn's end on while
   its voice fades (voices stop softly, long after the words' times and the voice activity detector end).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Sequence

import numpy as np

from pipeline.audiocues import runs
from pipeline.timeline import Interval as Span
from pipeline.timeline import Turn  # voice: a cluster index (0-based) here; the stage names it

STEP = 0.1  # seconds: the resolution of the voice timeline
SAME_VOICE = 0.98  # two centroids this similar are one person (distinct espeak "people" measured up to 0.970)
# Two voices of a fit this alike may be one real person cut in two (see one_person_pair): the voice library
# bench measured different people at most 0.818 (99 %: 0.770), one person across rooms 0.908 at the 5th percentile
ONE_PERSON = 0.82


# ------------------------------------------------------------------------------------------ regions, windows


def speech_regions(word_spans: Sequence[tuple[float, float]], duration: float, join_gap: float = 0.5,
                   pad: float = 0.1) -> list[Span]:
    """Time spans that contain words: words closer than `join_gap` merge; each span is padded by `pad`."""
    spans: list[list[float]] = []
    for start, end in sorted((max(0.0, s), min(duration, e)) for s, e in word_spans if e > s):
        if spans and start - spans[-1][1] <= join_gap:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    padded = [Span(max(0.0, s - pad), min(duration, e + pad)) for s, e in spans]
    merged: list[Span] = []
    for span in padded:
        if merged and span.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return [s for s in merged if s.duration > 0]


def with_activity(regions: Sequence[Span], activity: Sequence[Span], margin: float = 1.0,
                  min_length: float = 0.3, pad: float = 0.0, join_gap: float = 0.0) -> list[Span]:
    """The union of word `regions` and voice `activity` (detected speech, each stretch widened by `pad` on both
    sides: the detector drops soft onsets and tails), keeping only activity of at least `min_length` seconds
    between `margin` seconds before the first word and after the last (outside the words' span is the crowd
    and the applause around the show); spans less than `join_gap` apart are joined (0: only touching ones;
    the demo's espeak voices measured DER 0.08 unjoined, 0.21 with gaps of 0.2 s joined). Pure."""
    if not regions:
        return []
    first, last = regions[0].start - margin, regions[-1].end + margin
    extra = [Span(max(a.start - pad, first), min(a.end + pad, last)) for a in activity
             if a.duration >= min_length and a.end > first and a.start < last]
    merged: list[Span] = []
    for span in sorted([*regions, *extra], key=lambda s: s.start):
        if merged and span.start <= merged[-1].end + join_gap:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return [s for s in merged if s.duration > 0]


def as_loud(spans: Sequence[Span], like: Sequence[Span], level: np.ndarray, drop: float,
            hop: float = 0.01) -> list[Span]:
    """The `spans` whose loud level (the 75th percentile of `level`, dB per `hop` seconds) is within `drop` dB of
    that of the `like` spans taken together. Pure."""
    def frames(span: Span) -> np.ndarray:
        first = max(0, int(span.start / hop))
        return level[first:max(first + 1, int(span.end / hop))]

    reference = [frames(s) for s in like]
    if not spans or not any(len(r) for r in reference):
        return []
    loud = float(np.percentile(np.concatenate(reference), 75)) - drop
    return [s for s in spans if len(frames(s)) and float(np.percentile(frames(s), 75)) >= loud]


def windows(regions: Sequence[Span], duration: float, length: float = 1.6, hop: float = 0.8) -> list[Span]:
    """Analysis windows of `length` seconds every `hop` seconds inside each region; the last one ends at the
    region's end. A region shorter than `length` gets one window centred on it (clipped to the audio)."""
    result: list[Span] = []
    for region in regions:
        if region.duration <= length:
            middle = (region.start + region.end) / 2
            start = min(max(0.0, middle - length / 2), max(0.0, duration - length))
            result.append(Span(start, min(duration, start + length)))
            continue
        starts = list(np.arange(region.start, region.end - length, hop)) + [region.end - length]
        for start in starts:
            if result and result[-1].start >= start - 1e-6:
                continue
            result.append(Span(float(start), float(start) + length))
    return result


# ------------------------------------------------------------------------------------------ scoring


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


@dataclass(frozen=True)
class Timeline:
    """The steps of speech time the voices are decided on, and which steps each window covers."""

    times: np.ndarray  # (steps,) start time of each STEP inside a speech region
    cover: np.ndarray  # (windows, 2) [first step, end step) each window covers
    fallback: np.ndarray  # (steps,) nearest window for steps no window covers, else -1

    @property
    def steps(self) -> int:
        return len(self.times)


def timeline(regions: Sequence[Span], window_spans: Sequence[Span]) -> Timeline:
    times = (np.concatenate([np.arange(r.start, r.end - STEP / 2, STEP) for r in regions])
             if regions else np.zeros(0))
    centres = times + STEP / 2
    cover = np.array([[np.searchsorted(centres, w.start), np.searchsorted(centres, w.end)]
                      for w in window_spans], dtype=int).reshape(-1, 2)
    covered = np.zeros(len(times), bool)
    for lo, hi in cover:
        covered[lo:hi] = True
    fallback = np.full(len(times), -1)
    if len(window_spans) and not covered.all():
        middles = np.array([(w.start + w.end) / 2 for w in window_spans])
        missing = np.flatnonzero(~covered)
        fallback[missing] = np.argmin(np.abs(centres[missing][:, None] - middles[None, :]), axis=1)
    return Timeline(times=times, cover=cover, fallback=fallback)


def step_scores(line: Timeline, embeddings: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """(steps, voices): each voice's cosine similarity averaged over the windows covering each step."""
    sims = _normalise(embeddings.astype(np.float64)) @ centroids.T
    total = np.zeros((line.steps, len(centroids)))
    count = np.zeros(line.steps)
    for (lo, hi), sim in zip(line.cover, sims):
        total[lo:hi] += sim
        count[lo:hi] += 1
    missing = count == 0
    if np.any(missing) and len(sims):
        total[missing] = sims[line.fallback[missing]]
        count[missing] = 1
    return total / np.maximum(count, 1)[:, None]


def viterbi(scores: np.ndarray, switch_penalty: float) -> tuple[np.ndarray, float]:
    """The voice sequence that maximises the summed step scores minus `switch_penalty` per change of voice.

    A change of voice must be paid for by evidence: a backchannel or a cough of a few tenths of a second inside
    someone's turn does not buy a switch, a real turn of a second or more does. Ties go to the lowest voice
    number, and staying beats switching. Compiled (numba, already loaded with librosa): fit() decodes
    hundreds of times per show, which was most of the speakers stage's clustering time in pure Python.
    """
    steps, voices = scores.shape
    if steps == 0:
        return np.zeros(0, int), 0.0
    path, total = _viterbi_kernel()(np.ascontiguousarray(scores, dtype=np.float64), float(switch_penalty))
    return path.astype(int), float(total)


@lru_cache(maxsize=1)
def _viterbi_kernel():
    """The decoder, compiled on first use (cached on disk by numba beside this module)."""
    from numba import njit

    @njit(cache=True, nogil=True)
    def decode(scores, switch_penalty):
        steps, voices = scores.shape
        back = np.empty((steps, voices), np.int32)
        acc = scores[0].copy()
        for t in range(1, steps):
            best = 0
            for k in range(1, voices):
                if acc[k] > acc[best]:
                    best = k
            switch = acc[best] - switch_penalty
            for k in range(voices):
                if switch > acc[k]:
                    acc[k] = switch + scores[t, k]
                    back[t, k] = best
                else:
                    acc[k] = acc[k] + scores[t, k]
                    back[t, k] = k
        last = 0
        for k in range(1, voices):
            if acc[k] > acc[last]:
                last = k
        path = np.empty(steps, np.int64)
        path[steps - 1] = last
        for t in range(steps - 1, 0, -1):
            path[t - 1] = back[t, path[t]]
        return path, acc[last]

    return decode


# ------------------------------------------------------------------------------------------ clustering


@dataclass(frozen=True)
class Fit:
    voices: int
    path: np.ndarray  # (steps,) voice per step
    centroids: np.ndarray  # (voices, dim)
    score: float  # Viterbi objective


def fit(line: Timeline, embeddings: np.ndarray, voices: int, *, switch_penalty: float, seeds: int = 3,
        iterations: int = 10) -> Fit:
    """Best of `seeds` runs of: k-means++ start on the window embeddings, then alternate Viterbi decoding
    of the step scores with re-estimating each voice's centroid from the windows it was given.

    Work that cannot change the result is skipped (the result is the same, bit for bit, as running every
    seed to the end): one voice has one start whatever the seed, a k-means start that an earlier seed already
    gave decodes the same way (and the earlier seed wins ties), and k-means stops once its labels repeat."""
    x = _normalise(embeddings.astype(np.float64))
    scores_for = _step_scorer(line, x)
    best: Fit | None = None
    tried: set[bytes] = set()
    for seed in range(seeds if voices > 1 else 1):
        if voices == 1:
            centroids = _normalise(x.mean(axis=0, keepdims=True))
        else:
            centroids = _normalise(_kmeans_plus_plus(x, voices, seed))
        if centroids.tobytes() in tried:
            continue
        tried.add(centroids.tobytes())
        candidate = _refine(line, x, scores_for, centroids, switch_penalty, iterations)
        if best is None or candidate.score > best.score:
            best = candidate
    assert best is not None
    return best


def _refine(line: Timeline, x: np.ndarray, scores_for, centroids: np.ndarray, switch_penalty: float,
            iterations: int = 10) -> Fit:
    """Alternate Viterbi decoding of the step scores with re-estimating each voice's centroid from the
    (unit) window embeddings `x` it was given, from the starting `centroids`."""
    voices = len(centroids)
    path, score = np.zeros(line.steps, int), float("-inf")
    for _ in range(iterations):
        path, score = viterbi(scores_for(centroids), switch_penalty)
        labels = window_voices(line, path, voices)
        updated = _normalise(np.stack([x[labels == k].mean(axis=0) if np.any(labels == k) else centroids[k]
                                       for k in range(voices)]))
        if np.allclose(updated, centroids, atol=1e-6):
            break
        centroids = updated
    return Fit(voices, path, centroids, score)


def window_voices(line: Timeline, path: np.ndarray, voices: int) -> np.ndarray:
    """Each window's voice: the one with most of the steps it covers (ties to the lowest number); a window
    that covers no step takes the voice of the step at its start. Pure."""
    starts, ends = line.cover[:, 0], line.cover[:, 1]
    running = np.zeros((line.steps + 1, voices), np.int64)
    np.cumsum(np.eye(voices, dtype=np.int64)[path], axis=0, out=running[1:])
    labels = (running[ends] - running[starts]).argmax(axis=1)
    empty = ends <= starts
    labels[empty] = path[np.minimum(starts[empty], line.steps - 1)]
    return labels


def _kmeans_plus_plus(x: np.ndarray, voices: int, seed: int, iterations: int = 10) -> np.ndarray:
    """scipy's kmeans2(x, voices, minit="++", seed=seed) (10 iterations), stopped once the labels repeat:
    from then on every iteration gives the same centroids again."""
    from scipy.cluster.vq import kmeans2

    centroids, labels = kmeans2(x, voices, iter=1, minit="++", seed=seed)
    for _ in range(iterations - 1):
        centroids, again = kmeans2(x, centroids, iter=1, minit="matrix", check_finite=False)
        if np.array_equal(again, labels):
            break
        labels = again
    return centroids


def _step_scorer(line: Timeline, x: np.ndarray):
    """step_scores(line, x, centroids) for many centroids of one fit: which windows cover each step is
    gathered once, and the windows' similarities are added per step in the same order (the same result,
    bit for bit), as numpy gathers instead of a Python loop over the windows."""
    fill = np.zeros(line.steps, np.int64)
    depth = 0
    for lo, hi in line.cover.tolist():
        if hi > lo:
            depth = max(depth, int(fill[lo:hi].max()) + 1)
            fill[lo:hi] += 1
    covering = np.full((line.steps, max(depth, 1)), -1, np.int64)  # -1: the zero row appended below
    fill[:] = 0
    for window, (lo, hi) in enumerate(line.cover.tolist()):
        covering[np.arange(lo, hi), fill[lo:hi]] = window
        fill[lo:hi] += 1
    count = fill.astype(np.float64)
    missing = count == 0
    unit = _normalise(x.astype(np.float64))

    def scores(centroids: np.ndarray) -> np.ndarray:
        sims = unit @ centroids.T
        padded = np.vstack([sims, np.zeros((1, sims.shape[1]))])
        total = np.zeros((line.steps, sims.shape[1]))
        for column in covering.T:
            total += padded[column]
        counts = count.copy()
        if np.any(missing) and len(sims):
            total[missing] = sims[line.fallback[missing]]
            counts[missing] = 1
        return total / np.maximum(counts, 1)[:, None]

    return scores


def one_person_pair(line: Timeline, x: np.ndarray, candidate: Fit) -> tuple[int, int] | None:
    """The two voices of `candidate` (on unit window embeddings `x`) that are one person cut in two, if any:
    the two most alike, at least ONE_PERSON alike (more than any two different people measured) and more
    alike than their own windows are to their centroids (one cloud of windows cut in two), while every two of
    the other voices (at least two others) measure less than ONE_PERSON: in this recording the encoder tells
    people apart. Pure.

    A guest with a few seconds of speech, overlapped by the partner who dominates the part, gives the fit
    no cluster of its own: the fit then spends that person's voice on splitting the partner, by room tone or
    loudness, into halves 0.83-0.91 alike, and the names of the two halves cannot both be right. The espeak
    "people" of one synthesizer are all alike to the encoder (the demo's five: 0.80-0.97, their windows 0.88
    like their own voice, as a real person's halves): there the other pairs are as alike, and nothing is
    joined; nor with fewer than four voices, where no other pair shows how alike different people sound."""
    if candidate.voices < 4:
        return None
    unit = _normalise(candidate.centroids)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    first, second = np.unravel_index(int(np.argmax(sims)), sims.shape)
    pair = (int(min(first, second)), int(max(first, second)))
    others = [v for v in range(candidate.voices) if v not in pair]
    if sims[pair] < ONE_PERSON or sims[np.ix_(others, others)].max() >= ONE_PERSON:
        return None
    labels = window_voices(line, candidate.path, candidate.voices)
    held = [float(np.mean(x[labels == v] @ unit[v])) for v in pair if np.any(labels == v)]
    if len(held) < 2 or sims[pair] < min(held):
        return None
    return pair


@dataclass(frozen=True)
class Diarization:
    turns: tuple["Turn", ...]
    voices: int
    centroids: np.ndarray
    scores_by_count: dict[int, float]  # Viterbi objective for each number of voices tried
    chosen_because: str
    # two voices that sound like one person cut in two (one_person_pair) and their similarity, left apart
    one_person: tuple[int, int, float] | None = None
    # voices whose speech sounds like two people, one before and one after a moment (voices_in_two):
    # (voice, that moment, the similarity of the two stretches)
    in_two: tuple[tuple[int, float, float], ...] = ()
    # voices cut in two at a pause near that moment (split_voices): (the voice before the cut, the voice after
    # it, the cut, the similarity of the two stretches)
    split: tuple[tuple[int, int, float, float], ...] = ()


def closest_pair(centroids: np.ndarray) -> float:
    """The highest cosine similarity between two different voices' centroids (-1 with fewer than two)."""
    if len(centroids) < 2:
        return -1.0
    unit = _normalise(np.asarray(centroids, dtype=np.float64))
    sims = unit @ unit.T
    return float(np.max(sims[~np.eye(len(unit), dtype=bool)]))


def choose_voices(scores: dict[int, float], steps: int, listed: int, *, min_gain: float = 0.001,
                  min_gain_unlisted: float = 0.003) -> tuple[int, str]:
    """How many voices: add one while the objective gains at least `min_gain` per step of speech (more for
    voices beyond the `listed` people, who must earn their place). Pure."""
    counts = sorted(scores)
    chosen = counts[0]
    for k in counts[1:]:
        needed = (min_gain if k <= listed else min_gain_unlisted) * max(steps, 1)
        gain = scores[k] - scores[chosen]
        if gain < needed:
            return chosen, f"{k} voices gained {gain / max(steps, 1):.4f} per step (< {needed / max(steps, 1):.4f})"
        chosen = k
    return chosen, f"the maximum of {chosen} voices was reached"


def diarize(regions: Sequence[Span], window_spans: Sequence[Span], embeddings: np.ndarray, *, listed: int,
            max_voices: int, switch_penalty: float = 0.5, min_gain: float = 0.001,
            min_gain_unlisted: float = 0.003, seeds: int = 16) -> Diarization:
    """Voice turns for the speech `regions`, from the window embeddings, with an unknown number of voices
    (1 .. max_voices), and the two that sound like one person cut in two, if any (one_person_pair). Voices are
    numbered by their first turn."""
    line = timeline(regions, window_spans)
    if line.steps == 0 or len(embeddings) == 0:
        return Diarization((), 0, np.zeros((0, embeddings.shape[1] if embeddings.ndim == 2 else 0)), {}, "no speech")
    fits: dict[int, Fit] = {}
    chosen, why = 1, ""
    for k in range(1, max(1, min(max_voices, len(embeddings))) + 1):
        fits[k] = fit(line, embeddings, k, switch_penalty=switch_penalty, seeds=seeds)
        twin = closest_pair(fits[k].centroids)
        if k > 1 and twin > SAME_VOICE:
            chosen, why = k - 1, f"with {k} voices two sounded the same (similarity {twin:.2f} > {SAME_VOICE})"
            break
        chosen, why = choose_voices({c: f.score for c, f in fits.items()}, line.steps, listed,
                                    min_gain=min_gain, min_gain_unlisted=min_gain_unlisted)
        if chosen < k:  # adding this voice did not pay: stop searching
            break
    best = fits[chosen]
    x = _normalise(embeddings.astype(np.float64))
    pair = one_person_pair(line, x, best)
    order = list(dict.fromkeys(best.path.tolist()))
    renumber = {old: new for new, old in enumerate(order)}
    path = np.array([renumber[v] for v in best.path.tolist()], dtype=int)
    centroids = best.centroids[order]
    alike = None
    if pair is not None and all(v in renumber for v in pair):
        alike = (*sorted(renumber[v] for v in pair), round(closest_pair(best.centroids), 3))
    return Diarization(turns=tuple(runs_to_turns(line.times, path)), voices=len(order), centroids=centroids,
                       scores_by_count={k: round(f.score, 3) for k, f in fits.items()}, chosen_because=why,
                       one_person=alike)


IN_TWO_SECONDS = 5.0  # each of the two stretches of voices_in_two holds at least this much of the voice's speech
# ... and they are this alike or less. The two stretches of one real person's voice measured 0.79 or more (the 24
# voices of 12 real two-person Dutch dialogues, bench/judgement_bench.py --dialogues; an actor's voice changes
# with the character), two guests joined in one voice 0.69-0.74 (show 86 of the benchmark, three levels);
# different people's voices measure 0.77 or less 99 % of the time (the voice library bench, see ONE_PERSON)
IN_TWO = 0.75


def two_stretches(x: np.ndarray, shortest: int) -> tuple[int, float] | None:
    """Where one voice's windows (unit voiceprints, in time order) split into two stretches of at least
    `shortest` windows that sound most unlike each other: (the first window of the second stretch, the cosine
    similarity of the two stretches' mean voiceprints). None with fewer than 2 x `shortest` windows. Pure."""
    shortest = max(1, shortest)
    if len(x) < 2 * shortest:
        return None
    running = np.cumsum(x, axis=0)
    heads = running[shortest - 1:len(x) - shortest]  # the sums of the first k windows, k = shortest ..
    tails = running[-1] - heads
    sims = np.sum(_normalise(heads) * _normalise(tails), axis=1)
    best = int(np.argmin(sims))
    return best + shortest, float(sims[best])


def voices_in_two(turns: Sequence[Turn], window_spans: Sequence[Span], embeddings: np.ndarray, hop: float,
                  shortest: float = IN_TWO_SECONDS, below: float = IN_TWO) -> tuple[tuple[int, float, float], ...]:
    """The voices whose speech, split at one moment, sounds like two people (two_stretches: each stretch at
    least `shortest` seconds of windows `hop` apart, the two at most `below` alike): (voice, the moment,
    similarity), the moment being the start of the second stretch's first window. Each window belongs to the
    turn its centre lies in. Pure.

    The clustering can join two guests of one part when one speaks only a few seconds: on one simulated show
    a guest asked by name answered for 7 s, and that answer and half of the other guest's long reply after it
    became one voice, which the question then named after the first guest at 0.95."""
    if not turns or len(window_spans) == 0:
        return ()
    owner = window_owners(turns, window_spans)
    x = _normalise(np.asarray(embeddings, dtype=np.float64))
    found = []
    for voice in sorted({t.voice for t in turns}):
        mine = np.flatnonzero(owner == voice)
        split = two_stretches(x[mine], int(round(shortest / hop)))
        if split is not None and split[1] <= below:
            found.append((voice, round(float(window_spans[mine[split[0]]].start), 2), round(split[1], 3)))
    return tuple(found)


def window_owners(turns: Sequence[Turn], window_spans: Sequence[Span]) -> np.ndarray:
    """The voice of each window: that of the turn its centre lies in (-1: in no turn). Pure."""
    ordered = sorted(turns, key=lambda t: t.start)
    starts = np.array([t.start for t in ordered])
    centres = np.array([(w.start + w.end) / 2 for w in window_spans])
    at = np.searchsorted(starts, centres, side="right") - 1
    return np.array([ordered[i].voice if i >= 0 and centres[k] < ordered[i].end else -1
                     for k, i in enumerate(at)], dtype=int)


def longest_pause(level: np.ndarray, start: float, end: float, hop: float = 0.01, within: float = 6.0) -> float:
    """The middle of the longest run of `level` (dB per `hop` seconds) within `within` dB of its quietest
    moment between `start` and `end`: where one person stopped and the next began. Pure."""
    first, last = max(0, int(math.ceil(start / hop))), min(len(level), int(math.floor(end / hop)) + 1)
    if last - first < 2:
        return round(start, 3)
    quiet = runs(level[first:last] <= level[first:last].min() + within)
    a, b = max(quiet, key=lambda run: run[1] - run[0])  # the first of the longest
    return round((first + (a + b) / 2) * hop, 3)


def split_voices(result: Diarization, window_spans: Sequence[Span], embeddings: np.ndarray, level: np.ndarray,
                 window: float, hop: float = 0.01) -> Diarization:
    """Each voice of `result.in_two` (voices_in_two: two people, one before a moment and one after it) cut in
    two at the longest pause (longest_pause) from a window before that moment to two windows after it (the
    moment is the start of the second stretch's first window; windows that hold both people fall either
    side): its turns from the cut on become a new voice. The voices' centroids are then the mean voiceprints
    of the windows each one holds, the voices numbered by first turn again, and `one_person` follows its
    voices. `level`: dB per `hop` seconds (level_db). Pure.

    Show 86 of the judgement benchmark: a guest asked by name answered for 7 s, the other guest went on for 30
    s, and the clustering made one voice of the answer and half of the reply; the question named it after the
    first guest at 0.95, though 77 % of it is the second guest's."""
    if not result.in_two:
        return result
    turns, made, kept, voices = list(result.turns), [], [], result.voices
    for voice, moment, similarity in result.in_two:
        own = [t for t in turns if t.voice == voice]
        cut = longest_pause(level, max(own[0].start, moment - window), min(own[-1].end, moment + 2 * window), hop)
        if not own[0].start < cut < own[-1].end:
            kept.append((voice, moment, similarity))  # nowhere to cut: left whole (and doubted)
            continue
        pieces = []
        for t in turns:
            if t.voice != voice or t.end <= cut:
                pieces.append(t)
            elif t.start >= cut:
                pieces.append(Turn(t.start, t.end, voices))
            else:
                pieces += [Turn(t.start, cut, voice), Turn(cut, t.end, voices)]
        turns = pieces
        made.append((voice, voices, cut, similarity))
        voices += 1
    owner = window_owners(turns, window_spans)
    x = _normalise(np.asarray(embeddings, dtype=np.float64))
    centroids = np.vstack([result.centroids, np.zeros((voices - result.voices, result.centroids.shape[1]))])
    for v in range(voices):
        if np.any(owner == v):
            centroids[v] = _normalise(x[owner == v].mean(axis=0, keepdims=True))[0]
    order = list(dict.fromkeys(t.voice for t in turns))
    renumber = {old: new for new, old in enumerate(order)}
    pair = result.one_person
    if pair is not None:
        pair = (*sorted(renumber[v] for v in pair[:2]), pair[2])
    return replace(result, turns=tuple(Turn(t.start, t.end, renumber[t.voice]) for t in turns), voices=len(order),
                   centroids=centroids[order], one_person=pair,
                   in_two=tuple((renumber[v], at, sim) for v, at, sim in kept),
                   split=tuple((renumber[a], renumber[b], cut, sim) for a, b, cut, sim in made))


# ------------------------------------------------------------------------------------------ turns


def runs_to_turns(times: np.ndarray, path: np.ndarray, join_gap: float = 0.35) -> list[Turn]:
    """Consecutive steps of one voice, across pauses up to `join_gap`, as turns (time-ordered, disjoint)."""
    result: list[Turn] = []
    for t, voice in zip(times.tolist(), path.tolist()):
        if result and result[-1].voice == voice and t - result[-1].end <= join_gap + 1e-9:
            result[-1] = Turn(result[-1].start, round(t + STEP, 3), voice)
        else:  # never before the previous turn's end (speech regions closer than a step)
            start = max(round(t, 3), result[-1].end) if result else round(t, 3)
            result.append(Turn(start, max(start, round(t + STEP, 3)), voice))
    return [t for t in result if t.end > t.start]


def talk_time(turn_list: Sequence[Turn]) -> dict[int, float]:
    totals: dict[int, float] = {}
    for turn in turn_list:
        totals[turn.voice] = totals.get(turn.voice, 0.0) + turn.duration
    return totals


# ------------------------------------------------------------------------------------------ turn edges


def level_db(power: np.ndarray, smooth: int = 5) -> np.ndarray:
    """The level in dB of each 10 ms hop (pipeline.voiceprint.Features.power), averaged over `smooth` hops so
    that a single quiet hop between two syllables is no pause. Pure."""
    level = 10 * np.log10(np.asarray(power, dtype=np.float64) + 1e-10)
    return np.convolve(level, np.ones(smooth) / smooth, mode="same") if len(level) >= smooth else level


def changes_at_pauses(turn_list: Sequence[Turn], level: np.ndarray, reach: float = 0.4, shortest: float = 0.2,
                      hop: float = 0.01) -> list[Turn]:
    """Each change of voice inside speech (one turn ends where the next, of another voice, begins) moved to
    the quietest moment of `level` (dB per `hop` seconds) within `reach` seconds of it (of moments within 1 dB
    of the quietest, the nearest: where the level is even, the change stays); neither turn becomes shorter than
    `shortest`. Pure.

    The voices are decided on windows of 1.6 s every 0.8 s, so a change of voice is only known to within a
    window's overlap; people take turns at a pause, and the quietest moment near the change is where it was
    (6 simulated shows of real voices x 3 levels: the best names' share of the speech time +0.3 points, DER
    -0.1; real two-person dialogue DER 2.4 % -> 2.0 %; a wider reach finds the pauses inside the sentences
    around it: 0.8 s lost 0.7 points)."""
    result = [Turn(t.start, t.end, t.voice) for t in turn_list]
    for i in range(1, len(result)):
        before, after = result[i - 1], result[i]
        if before.voice == after.voice or abs(after.start - before.end) > 1e-6:
            continue
        lo = max(before.start + shortest, after.start - reach)
        hi = min(after.end - shortest, after.start + reach)
        first, last = int(math.ceil(lo / hop)), int(math.floor(hi / hop)) + 1
        first, last = max(first, 0), min(last, len(level))
        if last - first < 2:
            continue
        near = level[first:last]
        quietest = np.flatnonzero(near <= near.min() + 1.0)  # within 1 dB of the quietest: the one nearest
        moment = round((first + int(quietest[np.argmin(np.abs(quietest + first - after.start / hop))])) * hop, 3)
        result[i - 1] = Turn(before.start, moment, before.voice)
        result[i] = Turn(moment, after.end, after.voice)
    return result


def with_tails(turn_list: Sequence[Turn], level: np.ndarray, tail: float, drop: float, duration: float,
               hop: float = 0.01) -> list[Turn]:
    """Each turn's end carried on into the silence after it while `level` (dB per `hop` seconds) stays within
    `drop` dB of the turn's loud level (its 75th percentile), by up to `tail` seconds, never into the next
    turn or past the audio's end. Pure.

    A voice stops softly and slowly (on the Fish Fillets recordings of real actors the level falls from 10 to 24
    dB under the line's median over its last half second, then the room's reverberation), while it begins
    sharply (the first 10 ms within 25 dB of the line's peak is 0.02 s in, median): the voice activity
    detector and Whisper's word times end while the voice still sounds, and the grading of
    bench/judgement_bench.py counts a line until its recording ends (part of that is the recordings' own fade,
    which a listener would not call speech). On 6 simulated shows x 3 levels, 0.3 s and 22 dB: speech without
    a voice 2.6 % -> 0.8 %, the best names' share +1.8 points, DER +0.2 (a fixed 0.3 s: DER +0.7; a falling
    level is where a voice ends, the applause after it is not)."""
    result = []
    for i, turn in enumerate(turn_list):
        following = turn_list[i + 1].start if i + 1 < len(turn_list) else duration
        first, end_frame = max(0, int(round(turn.start / hop))), min(len(level), int(math.ceil(turn.end / hop - 1e-9)))
        if end_frame <= first:
            result.append(turn)
            continue
        floor = float(np.percentile(level[first:end_frame], 75)) - drop
        limit = min(len(level), int(math.floor(min(following, turn.end + tail) / hop + 1e-9)))
        frame = end_frame
        while frame < limit and level[frame] > floor:
            frame += 1
        result.append(Turn(turn.start, round(frame * hop, 3), turn.voice) if frame > end_frame else turn)
    return result
