"""The speakers stage: diarization on generated multi-voice speech, naming from evidence, pins, label().

Audio tests render espeak-ng shows with showgen.synth (ground truth: who said what when) at 16 kHz mono, use
them as work/speech.flac, and give the stage a transcript whose words are the truth's words spread over each
utterance (the stage only takes speech regions and names from it; Whisper itself is tested elsewhere). The
diarization error rate is computed here, independently of the pipeline's code, frame by frame with the usual
0.25 s collar and the best one-to-one mapping of voices to people.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import diarize, fsutil, naming, timeline
from pipeline.engine import Engine, load_context
from pipeline.stages import speakers
from pipeline.transcript import Segment, Transcript, Word
from showgen import metrics
from showgen.demo_scene import episode_plan_toml, short_show_scene
from tests.helpers import make_episode, make_show, put_speech

PEOPLE = episode_plan_toml()



# ------------------------------------------------------------------------------------------ measuring


def der(truth: dict, turns: list[dict]) -> float:
    """The diarization error rate of speakers.json turns against the truth (showgen.metrics, collar 0.25 s)."""
    return metrics.der(metrics.truth_spans(truth), metrics.voice_spans(turns))["der"]


def named_share(truth: dict, document: dict) -> float:
    """Share of the truth's speech time on which the voice speaking carries the right person's name."""
    return metrics.named_share(metrics.truth_spans(truth), metrics.named_spans(document))


def transcript_from_truth(truth: dict, per_segment: int = 2) -> Transcript:
    """Words of the truth spread evenly over each utterance; `per_segment` utterances per segment, so some
    segments hold a change of speaker, as Whisper's do."""
    words = []
    for u in truth["utterances"]:
        tokens = u["text"].split()
        size = (u["end"] - u["start"]) / len(tokens)
        words.append([Word(round(u["start"] + i * size, 3), round(u["start"] + (i + 1) * size - 0.02, 3),
                           " " + tok) for i, tok in enumerate(tokens)])
    segments = []
    for i in range(0, len(words), per_segment):
        group = [w for ws in words[i:i + per_segment] for w in ws]
        segments.append(Segment(len(segments), group[0].start, group[-1].end,
                                "".join(w.text for w in group).strip(), tuple(group)))
    return Transcript(language="nl", duration=truth["duration"], segments=tuple(segments), model="truth")


def speakers_episode(tmp_path: Path, wav: Path, truth: dict, body: str = "") -> Path:
    show = make_show(tmp_path / "show").parent
    folder = make_episode(show, "ep", [wav], PEOPLE + body)
    put_speech(wav, folder)
    transcript_from_truth(truth).save(folder / "work" / "transcript.raw.json")
    return folder


def run_speakers(folder: Path) -> dict:
    engine = Engine(load_context(folder), [speakers])
    engine.check()
    assert [r.status for r in engine.run()] == ["done"]
    return fsutil.read_json(folder / "work" / "speakers.json")


# ------------------------------------------------------------------------------------------ audio


# The demo's voices told apart and named on the real Whisper transcript (not one built from the truth), the
# speakers.json interface and whole turns: tests/test_demo_end_to_end.py, with der() and named_share() above.


@pytest.mark.slow
def test_pinned_mapping_always_wins(render_scene, tmp_path):
    wav, truth = render_scene(short_show_scene(), "short-16k.wav", sample_rate=16000, channels=1, bits=16)
    folder = speakers_episode(tmp_path, wav, truth, '\n[speakers]\n"Spreker 1" = "Steven Blok"\n')
    document = run_speakers(folder)
    assert document["voices"]["Spreker 1"]["name"] == "Steven Blok"
    assert document["voices"]["Spreker 1"]["pinned"] is True
    assert all(info["name"] != "Steven Blok" for v, info in document["voices"].items() if v != "Spreker 1")
    labelled = timeline.label(Transcript.load(folder / "work" / "transcript.raw.json"), document)
    spreker_1 = [t for t in document["turns"] if t["voice"] == "Spreker 1"]
    for segment in labelled.segments:
        middle = (segment.start + segment.end) / 2
        if any(t["start"] <= middle <= t["end"] for t in spreker_1):
            assert segment.speaker == "Steven Blok"


def test_a_pin_that_is_not_a_voice_label_is_refused(tmp_path):
    show = make_show(tmp_path / "show").parent
    wav = tmp_path / "x.wav"
    wav.write_bytes(b"RIFF")
    folder = make_episode(show, "ep", [wav], PEOPLE + '\n[speakers]\n"Marije" = "Marije Boerlaagh"\n')
    engine = Engine(load_context(folder), [speakers])
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match="speakers.Marije"):
        engine.check()


# ------------------------------------------------------------------------------------------ pure: label()


def _words(*spec: tuple[float, float, str]) -> tuple[Word, ...]:
    return tuple(Word(s, e, " " + t) for s, e, t in spec)


DOC = {"version": 1,
       "turns": [{"start": 0.0, "end": 2.0, "voice": "Spreker 1"}, {"start": 2.2, "end": 5.0, "voice": "Spreker 2"}],
       "voices": {"Spreker 1": {"name": "Presentator"}, "Spreker 2": {"name": "Spreker 2"}}}


def test_label_splits_a_segment_where_the_voice_changes():
    words = _words((0.1, 0.5, "Marije,"), (0.6, 1.0, "wat"), (1.1, 1.8, "doe je?"), (2.3, 2.8, "Ik"),
                   (2.9, 3.5, "werk."))
    transcript = Transcript("nl", 5.0, (Segment(7, 0.1, 3.5, "Marije, wat doe je? Ik werk.", words),))
    labelled = timeline.label(transcript, DOC)
    assert [(s.id, s.speaker, s.text, s.start, s.end) for s in labelled.segments] == [
        (0, "Presentator", "Marije, wat doe je?", 0.1, 1.8), (1, "Spreker 2", "Ik werk.", 2.3, 3.5)]


def test_label_keeps_corrected_segments_whole_and_handles_segments_without_words():
    words = _words((0.1, 1.5, "lang"), (2.3, 2.6, "kort"))
    corrected = Segment(0, 0.1, 2.6, "Lang, kort (door een redacteur verbeterd).", words, corrected=True)
    bare = Segment(1, 3.0, 4.0, "Zonder woorden.")
    labelled = timeline.label(Transcript("nl", 5.0, (corrected, bare)), DOC)
    assert [(s.speaker, s.text) for s in labelled.segments] == [
        ("Presentator", corrected.text), ("Spreker 2", "Zonder woorden.")]


def test_label_without_turns_changes_nothing():
    transcript = Transcript("nl", 1.0, (Segment(0, 0.0, 1.0, "Hallo.", _words((0.0, 1.0, "Hallo."))),))
    assert timeline.label(transcript, {"version": 1, "turns": [], "voices": {}}) == transcript


# ------------------------------------------------------------------------------------------ pure: naming


def _turns(*spec: tuple[float, float, str]) -> list[timeline.Turn]:
    return [timeline.Turn(s, e, v) for s, e, v in spec]


PLAN = [naming.ChapterInfo("Opening", ("Host",)), naming.ChapterInfo("Deel 1", ("Anna", "Bram")),
        naming.ChapterInfo("Deel 2", ("Cees",)), naming.ChapterInfo("Afsluiting", ("Host",))]
CAST = [naming.PersonInfo("Host", "host"), naming.PersonInfo("Anna", "guest"), naming.PersonInfo("Bram", "guest"),
        naming.PersonInfo("Cees", "guest")]
SHOW = _turns((0, 60, "A"), (60, 70, "A"), (70, 130, "B"), (130, 140, "A"), (140, 200, "C"), (200, 210, "A"),
              (210, 300, "D"), (300, 310, "A"), (310, 330, "E"), (330, 390, "A"))


def test_host_opens_hands_over_and_closes_and_guests_follow_the_plan():
    lines = [timeline.Line(60, 70, "Anna, wat doe jij precies?"), timeline.Line(130, 140, "Bram, en jij?")]
    names = naming.name_voices(SHOW, lines, CAST, PLAN, {})
    assert {v: n.name for v, n in names.items()} == {"A": "Host", "B": "Anna", "C": "Bram", "D": "Cees", "E": "E"}
    assert names["B"].confidence >= speakers.LOW_CONFIDENCE and names["A"].confidence >= speakers.LOW_CONFIDENCE


def test_being_addressed_by_name_beats_the_plan_order():
    lines = [timeline.Line(60, 70, "Bram, wat doe jij precies?"), timeline.Line(130, 140, "Anna, en jij?")]
    names = naming.name_voices(SHOW, lines, CAST, PLAN, {})
    assert (names["B"].name, names["C"].name) == ("Bram", "Anna")


def test_without_names_two_guests_get_low_confidence():
    names = naming.name_voices(SHOW, [], CAST, PLAN, {})
    assert names["B"].confidence < speakers.LOW_CONFIDENCE


def test_pinned_names_win_over_evidence():
    names = naming.name_voices(SHOW, [], CAST, PLAN, {"A": "Cees", "D": "Host"})
    assert (names["A"].name, names["A"].pinned, names["D"].name) == ("Cees", True, "Host")
    assert "Cees" not in [n.name for v, n in names.items() if v != "A"]


def test_self_introduction_names_the_speaker():
    scores = naming.address_evidence([timeline.Line(70, 75, "Goedenavond, ik ben Anna.")], SHOW, ["Anna", "Bram"])
    assert scores[("B", "Anna")] == 2.0


def test_low_confidence_and_unnamed_voices_are_warnings():
    document = {"voices": {
        "Spreker 1": {"name": "Host", "confidence": 0.9, "talk_time": 100.0, "sample": [1, 11], "pinned": False},
        "Spreker 2": {"name": "Anna", "confidence": 0.5, "talk_time": 50.0, "sample": [61, 71], "pinned": False},
        "Spreker 3": {"name": "Spreker 3", "confidence": 0.0, "talk_time": 20.0, "sample": [200, 210],
                      "pinned": False}}}
    warnings = speakers.outcome(document, speakers.Options(pinned=(("Spreker 9", "Host"),))).warnings
    assert len(warnings) == 3
    assert "Spreker 2" in warnings[0] and "01:01-01:11" in warnings[0]
    assert "Spreker 3" in warnings[1] and "Spreker 9" in warnings[2]


# ------------------------------------------------------------------------------------------ pure: diarize


def test_a_short_backchannel_does_not_buy_a_switch():
    import numpy as np

    scores = np.array([[0.9, 0.7]] * 30 + [[0.7, 0.9]] * 3 + [[0.9, 0.7]] * 30 + [[0.7, 0.9]] * 20)
    path, _ = diarize.viterbi(scores, switch_penalty=0.5)
    assert path[:63].tolist() == [0] * 63  # 0.3 s of the other voice: absorbed
    assert path[-15:].tolist() == [1] * 15  # 2 s of the other voice: a real turn


def test_speech_regions_and_windows():
    regions = diarize.speech_regions([(1.0, 1.4), (1.5, 2.0), (5.0, 9.0)], 10.0, join_gap=0.3, pad=0.05)
    assert [(round(r.start, 2), round(r.end, 2)) for r in regions] == [(0.95, 2.05), (4.95, 9.05)]
    wins = diarize.windows(regions, 10.0, 1.6, 0.8)
    assert wins[0].end - wins[0].start == pytest.approx(1.6)
    assert abs((wins[0].start + wins[0].end) / 2 - 1.5) < 1e-6  # a short region gets one centred window
    assert wins[-1].end == pytest.approx(9.05)


def test_change_of_voice_snaps_to_the_sentence_end():
    from pipeline.timeline import snap_changes

    words = [Word(0, 0.3, " Laat"), Word(0.35, 0.6, " u"), Word(0.65, 1.0, " precies."), Word(1.5, 1.7, " Ik"),
             Word(1.75, 2.0, " ben"), Word(2.05, 2.3, " er")]
    assert snap_changes(words, list("AAAABB")) == list("AAABBB")  # one word late
    assert snap_changes(words, list("AABBBB")) == list("AAABBB")  # one word early
    assert snap_changes(words, list("AAAAAA")) == list("AAAAAA")
    far = [Word(0, 0.3, " Ja."), *[Word(1 + i, 1.3 + i, " woord") for i in range(4)]]
    assert snap_changes(far, list("AAABB")) == list("AAABB")  # the sentence end is too far away


def test_a_question_given_to_the_guests_voice_still_points_at_the_guest():
    """Diarization often gives a short question ("Bram, en jij?") to the voice that answers it: that voice is
    Bram (+1), and the question is no evidence against it."""
    turns = _turns((0, 60, "A"), (60, 70, "A"), (70, 130, "B"), (130, 140, "C"), (140, 200, "C"))
    scores = naming.address_evidence([timeline.Line(130, 133, "Bram, en jij?")], turns, ["Anna", "Bram"])
    assert scores == {("C", "Bram"): 1.0}


def test_evidence_names_chapters_by_plan_number():
    names = naming.name_voices(SHOW, [timeline.Line(60, 70, "Anna, wat doe jij precies?")], CAST,
                               [naming.ChapterInfo(f"chapter {i + 1} of the plan", c.people, c.start)
                                for i, c in enumerate(PLAN)], {})
    assert any(e.startswith("100% of its speech in chapter 2 of the plan") for e in names["B"].evidence)


def test_two_voices_that_share_the_host_evidence_leave_the_host_unsure():
    """Opening by one voice, closing and hand-overs by another: the host's name is a guess and says so."""
    split = _turns((0, 60, "A"), (60, 70, "A"), (70, 130, "B"), (130, 140, "H"), (140, 200, "C"), (200, 210, "H"),
                   (210, 300, "D"), (300, 310, "H"), (310, 330, "E"), (330, 390, "H"))
    names = naming.name_voices(split, [], CAST, PLAN, {})
    host = next(n for n in names.values() if n.name == "Host")
    assert host.confidence < speakers.LOW_CONFIDENCE


def test_a_person_without_a_voice_and_a_name_on_two_voices_are_checks():
    voices = {"Spreker 1": {"name": "Presentator", "pinned": False},
              "Spreker 2": {"name": "Presentator", "pinned": False},
              "Spreker 3": {"name": "Marije Boerlaagh", "pinned": False}}
    lines = speakers.unheard_and_shared(voices, ["Presentator", "Marije Boerlaagh", "Steven Blok"])
    assert len(lines) == 2
    assert lines[0].startswith("Steven Blok has no voice of their own") and '"Spreker N" = "Steven Blok"' in lines[0]
    assert lines[1].startswith("'Presentator' was given to 2 voices (Spreker 1, Spreker 2)")
    pinned = {label: {**v, "pinned": True} for label, v in voices.items()}
    assert speakers.unheard_and_shared(pinned, ["Presentator", "Marije Boerlaagh"]) == []  # the producer decided
