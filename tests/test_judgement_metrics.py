"""showgen/metrics.py: DER and the other grades on hand-built timelines with known answers."""

from __future__ import annotations

import pytest

from showgen.metrics import der, flag_rates, majority_label, named_loss, named_share


def test_a_perfect_diarization_under_other_labels_has_no_error():
    ref = [(0, 10, "Anne"), (10, 20, "Bram")]
    result = der(ref, [(0, 10, "Spreker 2"), (10, 20, "Spreker 1")], collar=0.0)
    assert result["der"] == pytest.approx(0.0)
    assert result["mapping"] == {"Spreker 2": "Anne", "Spreker 1": "Bram"}


def test_missed_false_alarm_and_confusion_add_up_over_reference_speech():
    ref = [(0, 10, "A"), (10, 20, "B")]
    hyp = [(0, 8, "x"), (10, 15, "y"), (15, 20, "x"), (20, 22, "y")]  # 2 s missed, 5 s confused, 2 s false alarm
    result = der(ref, hyp, collar=0.0)
    assert result["missed"] == pytest.approx(2.0)
    assert result["false_alarm"] == pytest.approx(2.0)
    assert result["confusion"] == pytest.approx(5.0)
    assert result["der"] == pytest.approx(9 / 20)


def test_overlap_counts_each_speaker_and_the_mapping_is_optimal_not_greedy():
    # greedy mapping takes x->A (6 s) and leaves y->B (0 s); the optimal one is x->B, y->A (5 + 5 s)
    ref = [(0, 6, "A"), (6, 11, "B")]
    hyp = [(0, 1, "x"), (1, 6, "y"), (6, 11, "x")]
    assert der(ref, hyp, collar=0.0)["der"] == pytest.approx(1 / 11)
    overlapped = [(0, 10, "A"), (5, 10, "B")]  # 15 s of reference speech, one voice heard
    assert der(overlapped, [(0, 10, "x")], collar=0.0)["der"] == pytest.approx(5 / 15)


def test_the_collar_forgives_boundaries():
    ref = [(0, 10, "A"), (10, 20, "B")]
    hyp = [(0, 10.2, "x"), (10.2, 20, "y")]
    assert der(ref, hyp, collar=0.0)["der"] == pytest.approx(0.2 / 20, abs=1e-3)
    assert der(ref, hyp, collar=0.25)["der"] == pytest.approx(0.0)


def test_named_share_and_majority_and_flag_rates():
    ref = [(0, 10, "Anne"), (10, 20, "Bram")]
    assert named_share(ref, [(0, 15, "Anne"), (15, 20, "Bram")]) == pytest.approx(0.75)
    assert majority_label(ref, 8, 20) == ("Bram", pytest.approx(10 / 12))
    assert majority_label(ref, 25, 30)[0] is None
    rates = flag_rates([(True, False), (True, True), (False, True), (False, False), (False, True)])
    assert rates == {"wrong": 3, "wrong_flagged": pytest.approx(2 / 3), "right": 2, "right_flagged": 0.5}


def test_the_speech_time_without_its_name_is_split_by_cause():
    """Anne 0-10 s with the host's "ja" under it at 5-6 s, Bram 10-20 s; the names: Anne to 10.2 s (0.2 s of
    Bram's start under her name), Bram to 15 s, Cees 15-18 s, nothing after."""
    ref = [(0, 10, "Anne"), (5, 6, "Host"), (10, 20, "Bram")]
    named = [(0, 10.2, "Anne"), (10.2, 15, "Bram"), (15, 18, "Cees")]
    loss = named_loss(ref, named)
    assert loss == pytest.approx({"right": 14.8 / 21, "unlabelled": 2 / 21, "overlapped": 1 / 21,
                                  "edges": 0.2 / 21, "wrong": 3 / 21}, abs=1e-3)
    assert loss["right"] == pytest.approx(named_share(ref, named), abs=1e-3)
