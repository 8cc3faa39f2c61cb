"""Who speaks when: speech regions, analysis windows, clustering of voiceprints, and turn smoothing.

Pure functions on numbers (no files, no model): the speakers stage feeds them the word times of the
transcript and the embeddings from pipeline.voiceprint, and gets back anonymous voice turns.

1. speech_regions(): the words' time spans, merged across short gaps and padded a little.
2. windows(): fixed-length analysis windows sliding over each region (a short region gets one window centred
   on it, so a lone "ja" still gets a voiceprint).
3. cluster(): agglomerative clustering (average linkage, cosine distance) with a distance threshold, capped at
   `max_voices`; clusters with too little speech are dissolved into the nearest voice, then the windows are
   re-assigned to the nearest voice centroid a few times (re-segmentation).
4. frame_scores() + turns(): every 0.1 s of speech gets each voice's similarity averaged over the windows that
   cover it; the best voice wins; turns shorter than `min_turn` (backchannels, overlap, a cough) are absorbed
   by the neighbour that fits them better, and same-voice turns across short pauses are joined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

STEP = 0.1  # seconds: the resolution of the voice timeline


@dataclass(frozen=True)
class Span:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    voice: int  # cluster index (0-based); the stage names it

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # (windows,) voice index per window
    centroids: np.ndarray  # (voices, dim) L2-normalised
    threshold: float
    merged_small: int  # clusters dissolved for having too little speech


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


# ------------------------------------------------------------------------------------------ clustering


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def _centroids(embeddings: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    return _normalise(np.stack([embeddings[labels == k].mean(axis=0) if np.any(labels == k)
                                else np.zeros(embeddings.shape[1]) for k in range(count)]))


def _relabel_by_first_use(labels: np.ndarray) -> np.ndarray:
    order = {old: new for new, old in enumerate(dict.fromkeys(labels.tolist()))}
    return np.array([order[x] for x in labels.tolist()], dtype=int)


def cluster(embeddings: np.ndarray, seconds: np.ndarray, *, threshold: float = 0.3, max_voices: int = 6,
            min_voice_seconds: float = 4.0, iterations: int = 3) -> Clustering:
    """Group window embeddings into voices without knowing how many there are.

    `seconds[i]` is the speech time window i stands for (used to judge whether a cluster is a real voice).
    Average-linkage clustering on cosine distance is cut at `threshold`, or into `max_voices` clusters when the
    threshold gives more. A cluster with less than `min_voice_seconds` of speech is dissolved into the
    nearest remaining voice (unless it is the only one). Labels are numbered by first use in time order.
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(embeddings)
    if n == 0:
        return Clustering(np.zeros(0, int), np.zeros((0, embeddings.shape[1] if embeddings.ndim == 2 else 0)),
                          threshold, 0)
    x = _normalise(embeddings.astype(np.float64))
    if n == 1:
        return Clustering(np.zeros(1, int), x.copy(), threshold, 0)
    tree = linkage(x, method="average", metric="cosine")
    labels = fcluster(tree, t=threshold, criterion="distance") - 1
    if labels.max() + 1 > max_voices:
        labels = fcluster(tree, t=max_voices, criterion="maxclust") - 1
    labels = _relabel_by_first_use(labels)
    count = int(labels.max()) + 1

    # dissolve clusters with too little speech into the nearest big one
    merged_small = 0
    while count > 1:
        totals = np.array([seconds[labels == k].sum() for k in range(count)])
        smallest = int(np.argmin(totals))
        if totals[smallest] >= min_voice_seconds:
            break
        keep = [k for k in range(count) if k != smallest]
        centroids = _centroids(x, labels, count)[keep]
        members = labels == smallest
        labels[members] = np.array(keep)[np.argmax(x[members] @ centroids.T, axis=1)]
        labels = _relabel_by_first_use(labels)
        count -= 1
        merged_small += 1

    # re-segmentation: move each window to its nearest centroid, a few rounds
    for _ in range(iterations):
        centroids = _centroids(x, labels, count)
        new = np.argmax(x @ centroids.T, axis=1)
        if np.array_equal(new, labels) or len(set(new.tolist())) < count:
            break
        labels = new
    labels = _relabel_by_first_use(labels)
    count = int(labels.max()) + 1
    return Clustering(labels=labels, centroids=_centroids(x, labels, count), threshold=threshold,
                      merged_small=merged_small)


# ------------------------------------------------------------------------------------------ turns


def frame_scores(regions: Sequence[Span], window_spans: Sequence[Span], embeddings: np.ndarray,
                 centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(times, scores): the start of every STEP inside a region, and per step each voice's cosine similarity
    averaged over the windows covering it (the nearest window where none covers it)."""
    times = np.concatenate([np.arange(r.start, r.end - STEP / 2, STEP) for r in regions]) if regions \
        else np.zeros(0)
    voices = len(centroids)
    if len(times) == 0 or voices == 0:
        return times, np.zeros((len(times), voices))
    sims = _normalise(embeddings.astype(np.float64)) @ centroids.T  # (windows, voices)
    total = np.zeros((len(times), voices))
    count = np.zeros(len(times))
    centres = times + STEP / 2
    for span, sim in zip(window_spans, sims):
        lo, hi = np.searchsorted(centres, span.start), np.searchsorted(centres, span.end)
        total[lo:hi] += sim
        count[lo:hi] += 1
    empty = count == 0
    if np.any(empty):
        middles = np.array([(w.start + w.end) / 2 for w in window_spans])
        nearest = np.argmin(np.abs(centres[empty][:, None] - middles[None, :]), axis=1)
        total[empty] = sims[nearest]
        count[empty] = 1
    return times, total / count[:, None]


def turns(times: np.ndarray, scores: np.ndarray, *, min_turn: float = 1.0, join_gap: float = 1.5) -> list[Turn]:
    """Smoothed, time-ordered, non-overlapping voice turns from per-step scores.

    Steps are labelled with their best voice; runs of one voice become turns (a pause of up to `join_gap`
    inside a voice's run is bridged). A turn shorter than `min_turn` that touches a neighbour (gap up to
    `join_gap`) is given to the neighbour whose voice scores better over it, shortest first, so backchannels
    and overlapping fragments do not shatter a turn. An isolated short turn keeps its voice.
    """
    if len(times) == 0:
        return []
    best = np.argmax(scores, axis=1)
    # runs: [start_index, end_index) of equal voice over contiguous steps
    runs: list[list] = []  # [start_time, end_time, voice, first_step, end_step]
    for i, (t, v) in enumerate(zip(times, best)):
        if runs and runs[-1][2] == v and t - runs[-1][1] <= join_gap + 1e-9:
            runs[-1][1], runs[-1][4] = t + STEP, i + 1
        else:
            runs.append([float(t), float(t) + STEP, int(v), i, i + 1])

    def merge_neighbours(items: list[list]) -> list[list]:
        out: list[list] = []
        for item in items:
            if out and out[-1][2] == item[2] and item[0] - out[-1][1] <= join_gap + 1e-9:
                out[-1][1], out[-1][4] = item[1], item[4]
            else:
                out.append(list(item))
        return out

    def support(item: list, voice: int) -> float:
        # mean score of `voice` over the steps of `item` (steps between first_step and end_step in the region)
        return float(scores[item[3]:item[4], voice].mean())

    while True:
        candidates = []
        for index, item in enumerate(runs):
            if item[1] - item[0] >= min_turn - 1e-9:
                continue
            touching = [j for j in (index - 1, index + 1) if 0 <= j < len(runs)
                        and (runs[j][0] - item[1] if j > index else item[0] - runs[j][1]) <= join_gap + 1e-9]
            if touching:
                candidates.append((item[1] - item[0], index, touching))
        if not candidates:
            break
        _, index, touching = min(candidates)
        item = runs[index]
        target = max(touching, key=lambda j: (support(item, runs[j][2]), runs[j][1] - runs[j][0]))
        item[2] = runs[target][2]
        runs = merge_neighbours(runs)
    return [Turn(round(r[0], 3), round(r[1], 3), r[2]) for r in runs]


def talk_time(turn_list: Sequence[Turn], regions: Sequence[Span]) -> dict[int, float]:
    """Seconds of speech (inside regions, pauses not counted) per voice."""
    totals: dict[int, float] = {}
    for turn in turn_list:
        inside = sum(max(0.0, min(turn.end, r.end) - max(turn.start, r.start)) for r in regions)
        totals[turn.voice] = totals.get(turn.voice, 0.0) + inside
    return totals
