"""The voice library's pure decisions (pipeline/voicelibrary.py and the speakers stage's library hooks):
which prints an episode may use, what is kept, and when a voice is named from the library. Vectors are built
with known cosine similarities, so every threshold is tested on both sides."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline import voicelibrary as vl
from pipeline.stages import speakers

DIM = 256
_AXES = np.linalg.qr(np.random.default_rng(3).standard_normal((DIM, 8)))[0].T  # 8 orthonormal directions


def vec(similarity: float, axis: int = 0, away: int = 7) -> list[float]:
    """A unit vector whose cosine similarity to axis `axis` is `similarity` (the rest along `away`)."""
    return list(similarity * _AXES[axis] + np.sqrt(1 - similarity ** 2) * _AXES[away])


def pr(person: str, episode: str, date: str, vector, seconds: float = 60.0) -> vl.Print:
    return vl.make_print(person, episode, date, "Spreker 1", seconds, vector)


MIKE = pr("Mike Brantjes", "ep1", "2024-06-13", _AXES[0])
ANNE = pr("Anne de Vries", "ep1", "2024-06-13", _AXES[1])


def test_a_close_voice_is_named_and_a_far_one_is_not():
    voices = {"Spreker 1": vec(0.93, 0), "Spreker 2": vec(0.2, 0, 6)}
    found = vl.match(voices, {"Spreker 1": 100, "Spreker 2": 100}, [MIKE, ANNE], ["Mike Brantjes", "Anne de Vries"])
    sure = {m.voice: m.person for m in found if m.sure}
    assert sure == {"Spreker 1": "Mike Brantjes"}
    assert vl.check_lines(found, {}) == []
    assert found[0].evidence.startswith("voice library: ep1 (similarity 0.93")


@pytest.mark.parametrize("similarity,sure,listed", [
    (vl.MATCH + 0.01, True, True), (vl.MATCH - 0.01, False, True), (vl.NEAR - 0.01, None, True),
])
def test_the_match_threshold_decides(similarity, sure, listed):
    found = vl.match({"Spreker 1": vec(similarity)}, {"Spreker 1": 60}, [MIKE], ["Mike Brantjes"])
    if sure is None:
        assert found == []  # too far to mention
    else:
        assert [m.sure for m in found] == [sure]
        assert (vl.check_lines(found, {}) == []) == sure  # not sure: a CHECK line with the pin that fixes it


def test_two_people_sounding_alike_is_not_sure():
    # two library people who sound alike (0.9), and a voice between them: neither leads by MARGIN
    anne = pr("Anne de Vries", "ep1", "2024-06-13", vec(0.9, 0, 1))
    v = list(_AXES[0] + np.array(anne.vector))
    found = vl.match({"Spreker 2": v}, {"Spreker 2": 60}, [MIKE, anne], ["Mike Brantjes", "Anne de Vries"])
    assert found[0].similarity >= vl.MATCH
    assert len(found) == 1 and not found[0].sure
    line = vl.check_lines(found, {"Spreker 2": "listen at 1:00-1:10"})[0]
    assert 'pin [speakers] "Spreker 2" = "' in line and "listen at 1:00-1:10" in line


def test_two_voices_like_one_person_name_neither():
    voices = {"Spreker 1": vec(0.95, 0, 6), "Spreker 3": vec(0.94, 0, 5)}
    found = vl.match(voices, {"Spreker 1": 60, "Spreker 3": 60}, [MIKE], ["Mike Brantjes"])
    assert [m.sure for m in found] == [False, False]
    assert len(vl.check_lines(found, {})) == 2


def test_a_voice_only_like_a_person_named_on_another_voice_is_no_check():
    voices = {"Spreker 1": vec(0.97, 0, 6), "Spreker 2": vec(vl.MATCH - 0.01, 0, 5)}
    found = vl.match(voices, {"Spreker 1": 60, "Spreker 2": 60}, [MIKE], ["Mike Brantjes"])
    assert [(m.voice, m.sure) for m in found] == [("Spreker 1", True), ("Spreker 2", False)]
    assert vl.check_lines(found, {}) == []


def test_a_person_not_in_this_episode_is_proposed_not_named():
    found = vl.match({"Spreker 1": vec(0.95)}, {"Spreker 1": 60}, [MIKE], ["Anne de Vries"])
    assert len(found) == 1 and not found[0].sure and not found[0].listed
    assert "not one of this episode's people" in vl.check_lines(found, {})[0]
    # an episode that lists nobody may be named from anyone in the library
    assert vl.match({"Spreker 1": vec(0.95)}, {"Spreker 1": 60}, [MIKE], [])[0].sure


def test_a_voice_with_little_speech_is_not_looked_up():
    assert vl.match({"Spreker 1": vec(0.99)}, {"Spreker 1": vl.MIN_MATCH_SECONDS - 1}, [MIKE], []) == []


def test_the_closest_of_several_prints_counts():
    old = pr("Mike Brantjes", "ep0", "2023-01-01", _AXES[2])  # his voice long ago
    found = vl.match({"Spreker 1": vec(0.9)}, {"Spreker 1": 60}, [old, MIKE], [])
    assert found[0].sure and found[0].source.episode == "ep1"


def test_only_earlier_episodes_are_used():
    prints = [pr("A", "b-ep", "2024-02-01", _AXES[0]), pr("A", "a-ep", "2024-03-01", _AXES[0]),
              pr("A", "c-ep", "2024-03-01", _AXES[0]), pr("A", "z-ep", "2024-01-01", _AXES[0])]
    assert [p.episode for p in vl.earlier(prints, "c-ep", "2024-03-01")] == ["z-ep", "b-ep", "a-ep"]


def test_updated_replaces_this_episodes_prints_and_keeps_the_latest():
    prints = [pr("Mike", f"ep{i}", f"2024-0{i}-01", _AXES[0]) for i in range(1, 6)]
    new = [pr("Mike", "ep6", "2024-06-01", _AXES[1])]
    changed = vl.updated(prints, "ep6", new)
    assert [p.episode for p in changed["Mike"]] == ["ep2", "ep3", "ep4", "ep5", "ep6"]  # bounded, oldest goes
    assert vl.updated(changed["Mike"], "ep6", new) == {}  # the same again: nothing to write
    assert vl.updated(prints, "ep3", []) == {"Mike": [p for p in prints if p.episode != "ep3"]}  # unpinned
    assert vl.updated([pr("Anne", "ep1", "2024-01-01", _AXES[0])], "ep1", []) == {"Anne": []}  # file goes


def test_files_round_trip_and_other_models_are_left_out(tmp_path):
    changed = vl.updated([], "ep1", [MIKE, ANNE])
    paths = vl.save(tmp_path, changed, "model-a")
    assert sorted(p.name for p in paths) == ["anne-de-vries-34b72783.json", "mike-brantjes-47303fe6.json"]
    data = json.loads((tmp_path / "mike-brantjes-47303fe6.json").read_text())
    assert data["person"] == "Mike Brantjes" and "Safe to delete" in data["about"]
    loaded, problems = vl.load(tmp_path, "model-a")
    assert problems == [] and sorted(loaded, key=lambda p: p.person) == [ANNE, MIKE]
    assert {p.digest for p in loaded} == {MIKE.digest, ANNE.digest}
    assert vl.load(tmp_path, "model-b") == ([], [])
    (tmp_path / "broken.json").write_text("{not json")
    loaded, problems = vl.load(tmp_path, "model-a")
    assert len(loaded) == 2 and len(problems) == 1 and "broken.json" in problems[0]
    vl.save(tmp_path, {"Anne de Vries": []}, "model-a")
    assert not (tmp_path / "anne-de-vries-34b72783.json").exists()


def test_file_names_are_readable_and_unique_per_person():
    assert vl.file_name("Marije Boerlaagh") == "marije-boerlaagh-b14799e0.json"
    assert vl.file_name("Zoë d'Ancona").startswith("zoe-d-ancona-")
    alike = ["José Peters", "Jose Peters", "jose peters", "JOSE PETERS", "José  Peters"]
    names = [vl.file_name(person) for person in alike]
    assert all(name.startswith("jose-peters-") for name in names)
    assert len({name.lower() for name in names}) == len(alike)  # apart also where the file system ignores case
    assert vl.file_name("李") != vl.file_name("王") and vl.file_name("李").startswith("person-")


def test_people_whose_names_read_alike_keep_their_own_prints(tmp_path):
    """Issue: "José Peters" and "Jose Peters" shared one file, so one's voiceprint overwrote the other's."""
    jose_accent = pr("José Peters", "ep1", "2024-06-13", _AXES[2])
    jose_plain = pr("Jose Peters", "ep2", "2024-06-20", _AXES[3])
    vl.save(tmp_path, vl.updated([], "ep1", [jose_accent]), "model-a")
    loaded, _ = vl.load(tmp_path, "model-a")
    vl.save(tmp_path, vl.updated(loaded, "ep2", [jose_plain]), "model-a")
    loaded, problems = vl.load(tmp_path, "model-a")
    assert problems == [] and sorted(loaded, key=lambda p: p.person) == [jose_plain, jose_accent]
    assert len(list(tmp_path.glob("*.json"))) == 2
    vl.save(tmp_path, vl.updated(loaded, "ep2", []), "model-a")  # unpinning one leaves the other
    assert vl.load(tmp_path, "model-a")[0] == [jose_accent]


def test_a_library_written_before_the_hash_is_read_and_renamed_when_a_person_changes(tmp_path):
    (tmp_path / "mike-brantjes.json").write_text(json.dumps(vl.to_json("Mike Brantjes", [MIKE], "model-a")))
    (tmp_path / "anne-de-vries.json").write_text(json.dumps(vl.to_json("Anne de Vries", [ANNE], "model-a")))
    (tmp_path / "jose-peters.json").write_text(json.dumps(vl.to_json("Jose Peters", [ANNE], "model-a")))
    loaded, problems = vl.load(tmp_path, "model-a")
    assert problems == [] and len(loaded) == 3
    later = pr("Mike Brantjes", "ep2", "2024-06-20", _AXES[0])
    jose = pr("José Peters", "ep2", "2024-06-20", _AXES[2])
    vl.save(tmp_path, vl.updated(loaded, "ep2", [later, jose]), "model-a")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "anne-de-vries.json",  # unchanged: kept under its old name, still read
        vl.file_name("José Peters"), "jose-peters.json",  # Jose's old file is not José's: left alone
        "mike-brantjes-47303fe6.json"]
    assert json.loads((tmp_path / "mike-brantjes-47303fe6.json").read_text())["prints"] == vl.to_json(
        "Mike Brantjes", [MIKE, later], "model-a")["prints"]
    loaded, problems = vl.load(tmp_path, "model-a")
    assert problems == [] and sorted((p.person, p.episode) for p in loaded) == [
        ("Anne de Vries", "ep1"), ("Jose Peters", "ep1"), ("José Peters", "ep2"), ("Mike Brantjes", "ep1"),
        ("Mike Brantjes", "ep2")]


# ------------------------------------------------------------------------------------------ the stage's hooks


def _document(talk: dict[str, float], names: dict[str, str]) -> dict:
    return {"voices": {v: {"name": names.get(v, v), "confidence": 0.5, "talk_time": t, "sample": [1.0, 11.0],
                           "pinned": False, "evidence": ["x"]} for v, t in talk.items()}, "turns": []}


def test_pinned_voices_make_prints_and_guessed_names_do_not():
    opts = speakers.Options(people=(("Mike Brantjes", "host"), ("Anne de Vries", "guest")),
                            pinned=(("Spreker 2", "Anne de Vries"), ("Spreker 3", "Anne de Vries")))
    document = _document({"Spreker 1": 200, "Spreker 2": 30, "Spreker 3": 15},
                         {"Spreker 1": "Mike Brantjes", "Spreker 2": "Anne de Vries"})
    centroids = {"Spreker 1": vec(1.0, 0), "Spreker 2": vec(1.0, 1), "Spreker 3": vec(0.9, 1)}
    new, kept = speakers.pinned_prints(document, centroids, opts, "ep2", "2024-07-01")
    assert [(p.person, p.voice, p.seconds) for p in new] == [("Anne de Vries", "Spreker 2, Spreker 3", 45.0)]
    assert kept == ["Anne de Vries (Spreker 2, Spreker 3, 45 s of speech)"]
    short = speakers.Options(pinned=(("Spreker 3", "Anne de Vries"),))
    new, kept = speakers.pinned_prints(document, centroids, short, "ep2", "2024-07-01")
    assert new == [] and "not kept" in kept[0]


def test_library_names_are_marked_in_the_document_and_the_report():
    opts = speakers.Options(people=(("Mike Brantjes", "host"), ("Anne de Vries", "guest")))
    document = _document({"Spreker 1": 200, "Spreker 2": 60}, {"Spreker 1": "Mike Brantjes"})
    centroids = {"Spreker 1": vec(0.95, 0), "Spreker 2": vec(0.3, 0)}
    matches = speakers.library_matches(document, centroids, [MIKE], opts)
    marked = speakers.with_library(document, matches, [])
    mike = marked["voices"]["Spreker 1"]
    assert mike["confidence"] == vl.CONFIDENCE and mike["library"]["episode"] == "ep1"
    assert mike["evidence"][0].startswith("voice library: ep1")
    assert "library" not in marked["voices"]["Spreker 2"]
    result = speakers.outcome(marked, opts)
    assert result.report["speakers"]["library"]["named"] == ["Mike Brantjes (Spreker 1, from ep1)"]
    assert result.figures["from voice library"] == "Mike Brantjes (Spreker 1, from ep1)"


def test_a_pinned_voice_or_person_is_not_looked_up():
    opts = speakers.Options(people=(("Mike Brantjes", "host"),), pinned=(("Spreker 2", "Mike Brantjes"),))
    document = _document({"Spreker 1": 200, "Spreker 2": 60}, {})
    centroids = {"Spreker 1": vec(0.95, 0), "Spreker 2": vec(0.3, 0)}
    assert speakers.library_matches(document, centroids, [MIKE], opts) == []


def test_voice_labels_get_their_own_centroids():
    from pipeline.diarize import Diarization
    from pipeline.timeline import Turn

    centroids = np.array([_AXES[0], _AXES[1], _AXES[2]])
    result = Diarization(turns=(Turn(0.0, 1.0, 0), Turn(1.0, 2.0, 2), Turn(2.0, 3.0, 1)), voices=3,
                         centroids=centroids, scores_by_count={}, chosen_because="")
    labelled = speakers.voice_centroids(result)
    assert list(labelled) == ["Spreker 1", "Spreker 2", "Spreker 3"]  # by first turn, as build_document labels
    assert np.allclose(labelled["Spreker 2"], _AXES[2]) and np.allclose(labelled["Spreker 3"], _AXES[1])
