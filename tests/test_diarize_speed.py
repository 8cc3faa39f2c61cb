"""The diarizer's speed-ups give the same numbers, bit for bit, as the straightforward code they replaced.

These check optimisations, not decisions: the compiled Viterbi decoder against the plain dynamic programme
(the pure-Python decoder it replaced, with its tie rules: lowest voice number first, staying beats switching
at equal value); fit()'s gathered step scores against step_scores(); its early-stopping k-means against
scipy's kmeans2 run for all its iterations.
"""

import numpy as np
import pytest

from scipy.cluster.vq import kmeans2

from pipeline import diarize
from pipeline.diarize import viterbi
from pipeline.timeline import Interval


def reference(scores: np.ndarray, penalty: float) -> tuple[list[int], float]:
    rows = scores.tolist()
    steps, voices = scores.shape
    acc = list(rows[0])
    back = [[k for k in range(voices)]]
    for t in range(1, steps):
        best = max(range(voices), key=acc.__getitem__)  # the first of equal maxima
        switch = acc[best] - penalty
        links = []
        for k in range(voices):
            if switch > acc[k]:
                acc[k] = switch + rows[t][k]
                links.append(best)
            else:
                acc[k] = acc[k] + rows[t][k]
                links.append(k)
        back.append(links)
    path = [max(range(voices), key=acc.__getitem__)]
    total = acc[path[0]]
    for t in range(steps - 1, 0, -1):
        path.append(back[t][path[-1]])
    return path[::-1], total


@pytest.mark.parametrize("seed", range(12))
def test_same_path_and_objective_as_the_reference(seed):
    rng = np.random.default_rng(seed)
    steps, voices = int(rng.integers(1, 3000)), int(rng.integers(1, 8))
    # similarity-like scores with runs (as real step scores have), so the path switches now and then
    scores = rng.normal(0.5, 0.2, (steps, voices)) + np.repeat(rng.normal(0, 0.3, (steps // 40 + 1, voices)),
                                                               40, axis=0)[:steps]
    penalty = float(rng.choice([0.0, 0.1, 0.5, 2.0]))
    path, total = viterbi(scores, penalty)
    want_path, want_total = reference(scores, penalty)
    assert path.tolist() == want_path
    assert total == want_total  # exactly: the same additions in the same order
    if steps > 500 and voices > 1 and penalty > 0:
        assert len(set(want_path)) > 1  # the case is not trivial


def test_ties_and_quantised_scores_follow_the_reference():
    rng = np.random.default_rng(99)
    scores = rng.integers(0, 3, (2000, 4)).astype(float) / 4  # many exact ties
    for penalty in (0.0, 0.25, 0.5):
        path, total = viterbi(scores, penalty)
        want_path, want_total = reference(scores, penalty)
        assert path.tolist() == want_path and total == want_total


def test_empty_and_single_step():
    path, total = viterbi(np.zeros((0, 3)), 0.5)
    assert path.tolist() == [] and total == 0.0
    path, total = viterbi(np.array([[0.1, 0.7, 0.7]]), 0.5)
    assert path.tolist() == [1] and total == 0.7


def random_timeline(rng):
    regions, t = [], 0.0
    for _ in range(40):
        t += float(rng.uniform(0.05, 3.0))
        length = float(rng.choice([0.2, 0.9, rng.uniform(1.0, 20.0)]))
        regions.append(Interval(round(t, 2), round(t + length, 2)))
        t += length
    spans = diarize.windows(regions, t + 1.0, 1.6, 0.8)
    return regions, spans


@pytest.mark.parametrize("seed", range(4))
def test_gathered_step_scores_equal_step_scores(seed):
    rng = np.random.default_rng(seed)
    regions, spans = random_timeline(rng)
    line = diarize.timeline(regions, spans)
    x = rng.normal(size=(len(spans), 16))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    scores_for = diarize._step_scorer(line, x)
    for voices in (1, 3, 5):
        centroids = rng.normal(size=(voices, 16))
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        assert np.array_equal(scores_for(centroids), diarize.step_scores(line, x, centroids))


@pytest.mark.parametrize("voices", [2, 3, 5])
def test_early_stopping_kmeans_equals_kmeans2(voices):
    rng = np.random.default_rng(voices)
    # clustered points, as voiceprints of a few people are
    x = np.concatenate([rng.normal(rng.normal(size=8), 0.4, (60, 8)) for _ in range(4)])
    for seed in range(8):
        want, _ = kmeans2(x, voices, minit="++", seed=seed)
        assert np.array_equal(diarize._kmeans_plus_plus(x, voices, seed), want)
