"""Grading the pipeline's judgement against a generated show's truth: the one DER and named-share of the
tests and the benchmarks. Pure functions (numpy, scipy).

Spans are (start, end, label) in seconds on one timeline; `truth_spans`, `voice_spans` and `named_spans` make
them from a truth file (showgen.synth, showgen.room) and a speakers.json document. Used by
bench/judgement_bench.py, bench/speakers_bench.py and the speaker tests; tested in tests/test_judgement_metrics.py.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

Span = tuple[float, float, str]
STEP = 0.01  # seconds per frame


def truth_spans(truth: dict) -> list[Span]:
    """Who really speaks when, from a truth file's utterances."""
    return [(u["start"], u["end"], u["speaker"]) for u in truth["utterances"]]


def voice_spans(turns: Sequence[dict]) -> list[Span]:
    """The anonymous voices of speakers.json turns ("Spreker 1", ...)."""
    return [(t["start"], t["end"], t["voice"]) for t in turns]


def named_spans(document: dict) -> list[Span]:
    """The turns of a speakers.json document under the names given to their voices."""
    names = {voice: info["name"] for voice, info in document["voices"].items()}
    return [(t["start"], t["end"], names[t["voice"]]) for t in document["turns"]]


def _activity(spans: Sequence[Span], labels: list[str], frames: int, step: float) -> np.ndarray:
    """(labels, frames) booleans: who is active in each frame."""
    active = np.zeros((len(labels), frames), bool)
    index = {label: i for i, label in enumerate(labels)}
    for start, end, label in spans:
        lo, hi = max(0, int(round(start / step))), min(frames, int(round(end / step)))
        if hi > lo:
            active[index[label], lo:hi] = True
    return active


def der(reference: Sequence[Span], hypothesis: Sequence[Span], collar: float = 0.25, step: float = STEP) -> dict:
    """Diarization error rate, the standard definition (NIST md-eval): (missed speech + false alarm + speaker
    confusion) / total reference speech, each counted per speaker per frame (overlapped reference speech counts
    once per speaker), with the one-to-one mapping of hypothesis voices to reference speakers that maximises
    their overlap (Hungarian method), and no scoring within `collar` seconds of a reference boundary."""
    end = max([e for _, e, _ in (*reference, *hypothesis)], default=0.0)
    frames = int(np.ceil(end / step)) + 1
    ref_labels = sorted({label for _, _, label in reference})
    hyp_labels = sorted({label for _, _, label in hypothesis})
    ref = _activity(reference, ref_labels, frames, step)
    hyp = _activity(hypothesis, hyp_labels, frames, step)
    scored = np.ones(frames, bool)
    width = int(round(collar / step))
    for start, stop, _ in reference:
        for edge in (start, stop):
            k = int(round(edge / step))
            scored[max(0, k - width):k + width] = False
    ref, hyp = ref[:, scored], hyp[:, scored]
    overlap = ref.astype(np.int64) @ hyp.T.astype(np.int64)  # frames each (speaker, voice) pair share
    rows, cols = linear_sum_assignment(-overlap) if overlap.size else ((), ())
    mapping = {hyp_labels[c]: ref_labels[r] for r, c in zip(rows, cols)}
    n_ref, n_hyp = ref.sum(axis=0), hyp.sum(axis=0)
    correct = sum(int(overlap[r, c]) for r, c in zip(rows, cols))
    total = int(n_ref.sum())
    missed = int(np.maximum(n_ref - n_hyp, 0).sum())
    false_alarm = int(np.maximum(n_hyp - n_ref, 0).sum())
    confusion = int(np.minimum(n_ref, n_hyp).sum()) - correct
    rate = (missed + false_alarm + confusion) / total if total else 0.0
    return {"der": rate, "missed": missed * step, "false_alarm": false_alarm * step,
            "confusion": confusion * step, "speech": total * step, "mapping": mapping,
            "voices": len(hyp_labels), "speakers": len(ref_labels)}


def _on_one_timeline(reference: Sequence[Span], named: Sequence[Span], step: float) -> tuple[np.ndarray, np.ndarray]:
    """(reference, named) activity over the same people (rows) and frames."""
    end = max([e for _, e, _ in (*reference, *named)], default=0.0)
    frames = int(np.ceil(end / step)) + 1
    people = sorted({label for _, _, label in reference} | {label for _, _, label in named})
    return _activity(reference, people, frames, step), _activity(named, people, frames, step)


def named_share(reference: Sequence[Span], named: Sequence[Span], step: float = STEP) -> float:
    """Share of the reference speech time (per speaker, overlap counted per speaker) on which the labelling
    `named` carries that speaker's name. Speech nobody labels counts as wrong."""
    ref, hyp = _on_one_timeline(reference, named, step)
    total = int(ref.sum())
    return float((ref & hyp).sum()) / total if total else 1.0


def majority_label(reference: Sequence[Span], start: float, end: float, step: float = STEP) -> tuple[str | None, float]:
    """The reference label heard most inside [start, end), and the share of the span it fills (None: silence
    or someone not in the reference fills most of it)."""
    if end <= start:
        return None, 0.0
    seconds: dict[str, float] = {}
    for s, e, label in reference:
        shared = min(e, end) - max(s, start)
        if shared > 0:
            seconds[label] = seconds.get(label, 0.0) + shared
    if not seconds:
        return None, 0.0
    label = max(seconds, key=seconds.__getitem__)
    share = seconds[label] / (end - start)
    return (label, share) if share >= 0.5 * sum(seconds.values()) / (end - start) and share > 0.25 else (None, share)


def flag_rates(decisions: Sequence[tuple[bool, bool]]) -> dict:
    """From (right, flagged) pairs: the share of wrong decisions that were flagged CHECK, and the share of
    right decisions flagged for nothing."""
    wrong = [flagged for right, flagged in decisions if not right]
    right = [flagged for right_, flagged in decisions if right_]
    return {"wrong": len(wrong), "wrong_flagged": (sum(wrong) / len(wrong)) if wrong else None,
            "right": len(right), "right_flagged": (sum(right) / len(right)) if right else None}


def named_loss(reference: Sequence[Span], named: Sequence[Span], edge: float = 0.3, step: float = STEP) -> dict:
    """Where the reference speech time without its speaker's name goes, as shares of all reference speech time
    (per speaker, as named_share; the shares add up to 1):
    - "right": named right (named_share);
    - "unlabelled": no name at all there;
    - "overlapped": someone else speaks at the same moment (a backchannel under an answer, two people at once:
      one name per moment can be right for one of them only);
    - "edges": within `edge` seconds of the start or end of one of the reference spans (a turn change placed a
      little late or early);
    - "wrong": another name, in the clear."""
    ref, hyp = _on_one_timeline(reference, named, step)
    near_edge = np.zeros(ref.shape[1], bool)
    reach = int(round(edge / step))
    for start, stop, _ in reference:
        for at in (int(round(start / step)), int(round(stop / step))):
            near_edge[max(0, at - reach):at + reach] = True
    missing = ref & ~hyp
    unlabelled = missing & ~hyp.any(axis=0)
    overlapped = missing & ~unlabelled & (ref.sum(axis=0) > 1)
    edges = missing & ~unlabelled & ~overlapped & near_edge
    total = int(ref.sum()) or 1
    shares = {"right": (ref & hyp).sum(), "unlabelled": unlabelled.sum(), "overlapped": overlapped.sum(),
              "edges": edges.sum()}
    shares["wrong"] = missing.sum() - shares["unlabelled"] - shares["overlapped"] - shares["edges"]
    return {key: float(value) / total for key, value in shares.items()}
