"""Issue 9 decisions, pure: the running order as a prior for voices, no more voices than people, one person
is one voice. Hand-built turns and embeddings; the benchmark (bench/judgement_bench.py) measures them on audio."""

from __future__ import annotations

import numpy as np

from pipeline import diarize, naming
from pipeline.naming import ChapterInfo, PersonInfo, VoiceTurn

PEOPLE = [PersonInfo("Anne Host", "host"), PersonInfo("Marije Boer", "guest"), PersonInfo("Mike Bos", "guest"),
          PersonInfo("Jornt Zuil", "guest"), PersonInfo("Steven Blok", "guest")]
PLAN = [ChapterInfo("chapter 1", ("Anne Host",)), ChapterInfo("chapter 2", ("Marije Boer", "Mike Bos")),
        ChapterInfo("chapter 3", ("Jornt Zuil", "Steven Blok")), ChapterInfo("chapter 4", ("Anne Host",))]


def show_turns(mixed: str = "M") -> list[VoiceTurn]:
    """Host H opens (0-30 s), hands over (120-130 s) and closes (220-250 s); part 1 (30-120 s): A and M;
    part 2 (130-220 s): C and again M (two similar guests of different parts that the clustering joined
    into one voice M). The host asks a question after every answer."""
    turns = [VoiceTurn(0, 30, "H")]
    for start in range(30, 120, 15):
        turns += [VoiceTurn(start, start + 5, "A"), VoiceTurn(start + 5, start + 12, mixed),
                  VoiceTurn(start + 12, start + 15, "H")]
    turns.append(VoiceTurn(120, 130, "H"))
    for start in range(130, 220, 15):
        turns += [VoiceTurn(start, start + 6, "C"), VoiceTurn(start + 6, start + 11, mixed),
                  VoiceTurn(start + 11, start + 15, "H")]
    turns.append(VoiceTurn(220, 250, "H"))
    return turns


def test_part_borders_keep_each_guest_voice_in_one_part():
    borders = naming.part_bounds(show_turns(), ["A", "M", "C"], [2, 2])
    assert borders is not None and len(borders) == 1
    assert 117 <= borders[0] <= 133
    assert naming.part_bounds(show_turns(), ["A"], [2, 2]) is None  # fewer voices than parts


def test_a_voice_heard_in_two_parts_is_split_into_two_guests():
    turns = show_turns()
    names = naming.name_voices(turns, [], PEOPLE, PLAN, {})
    assert names["H"].name == "Anne Host"
    split = naming.split_mixed_voices(turns, names, PEOPLE, PLAN, lambda i: f"new {i}")
    assert split is not None
    new = [t for t in split if t.voice == "new 0"]
    kept = [t for t in split if t.voice == "M"]
    assert new and all(t.start >= 117 for t in new) and all(t.end <= 133 for t in kept)
    assert sum(t.end - t.start for t in split) == sum(t.end - t.start for t in turns)  # no speech lost
    renamed = naming.name_voices(split, [], PEOPLE, PLAN, {})
    part_1 = {renamed["A"].name, renamed["M"].name}
    part_2 = {renamed["C"].name, renamed["new 0"].name}
    assert part_1 == {"Marije Boer", "Mike Bos"} and part_2 == {"Jornt Zuil", "Steven Blok"}


def test_the_hosts_voice_split_in_two_is_named_the_host_twice():
    turns = [VoiceTurn(t.start, t.end, "H2") if t.voice == "H" and int(t.start) % 2 == 1 else t
             for t in show_turns()]  # every other host turn in a second voice, opening and closing too
    turns = [VoiceTurn(0, 15, "H"), VoiceTurn(15, 30, "H2")] + \
        [t for t in turns if 30 <= t.start < 220] + [VoiceTurn(220, 235, "H"), VoiceTurn(235, 250, "H2")]
    names = naming.name_voices(turns, [], PEOPLE, PLAN, {})
    assert names["H"].name == names["H2"].name == "Anne Host"
    assert "split in two" in " ".join(names["H"].evidence + names["H2"].evidence)
    assert names["A"].name != "Anne Host" and names["M"].name != "Anne Host"


def test_no_split_when_every_guest_already_has_a_voice_or_the_voice_is_pinned():
    turns = show_turns()
    turns += [VoiceTurn(t.start, t.end, "D") for t in turns if t.voice == "M" and t.start > 130]
    turns = [t for t in turns if not (t.voice == "M" and t.start > 130)]
    names = naming.name_voices(turns, [], PEOPLE, PLAN, {})
    assert naming.split_mixed_voices(turns, names, PEOPLE, PLAN, lambda i: f"new {i}") is None
    pinned = naming.name_voices(show_turns(), [], PEOPLE, PLAN, {"M": "Mike Bos"})
    assert naming.split_mixed_voices(show_turns(), pinned, PEOPLE, PLAN, lambda i: f"new {i}") is None


def test_one_person_is_not_split_into_two_voices():
    rng = np.random.default_rng(3)
    a, b = np.eye(256)[0], np.eye(256)[1]
    regions = [diarize.Span(float(i * 3), float(i * 3 + 2.5)) for i in range(40)]
    windows = diarize.windows(regions, 120.0, 1.6, 0.8)
    voice = [0 if (w.start // 30) % 2 == 0 else 1 for w in windows]
    embeddings = np.stack([(a if v == 0 else b) + 0.04 * rng.standard_normal(256) for v in voice])
    result = diarize.diarize(regions, windows, embeddings, listed=5, max_voices=5)
    assert result.voices == 2
    assert "sounded the same" in result.chosen_because
    assert diarize.closest_pair(result.centroids) < diarize.SAME_VOICE
