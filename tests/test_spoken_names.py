"""pipeline.spoken_names: the Whisper model as the judge of which guest a question was put to. Pure parts with
a judge made of plain functions (no audio); one slow test with real espeak speech and the real model."""

from __future__ import annotations

import difflib

import numpy as np
import pytest

from pipeline import naming, spoken_names
from pipeline.naming import ChapterInfo, PersonInfo, VoiceTurn


def test_the_name_goes_in_the_place_of_an_address():
    found = spoken_names.candidate_texts("En water, wat denk jij?", "Lotte")
    assert "En Lotte, wat denk jij?" in found  # instead of the misheard word, its comma kept
    assert "Lotte, En water, wat denk jij?" == found[0]  # before the line
    assert "En Lotte, water, wat denk jij?" in found  # after a leading "En"
    assert len(found) == len(set(found))
    assert spoken_names.candidate_texts("Wat is jouw ervaring?", "Noor")[:2] == [
        "Noor, Wat is jouw ervaring?", "Noor is jouw ervaring?"]  # no "En": no place after it
    assert all(text.endswith(" d?") for text in spoken_names.candidate_texts("a b c d?", "X"))  # first 3 words


def looks_like(truth: str):
    """A judge that scores a text by how close it is to `truth` (letters), 30 nats for the whole range."""
    def judge(start, end, texts, prompt):
        return [30.0 * difflib.SequenceMatcher(None, text.lower(), truth.lower()).ratio() for text in texts]
    return judge


def test_the_guest_whose_name_fits_best_leads():
    verdict = spoken_names.judge_line(looks_like("En Lotte, wat denk jij?"), 0, 2, "En water, wat denk jij?",
                                      ["Noor Hendriks", "Lotte Mulder"])
    assert verdict is not None and verdict.person == "Lotte Mulder" and verdict.lead >= spoken_names.MIN_LEAD
    assert spoken_names.judge_line(looks_like("En Lotte, wat denk jij?"), 0, 2, "En water, wat denk jij?",
                                   ["Lotte Mulder"]) is None  # one guest: nothing to judge


def test_a_small_lead_is_no_evidence_and_a_large_one_is_capped():
    assert spoken_names.Verdict("A", spoken_names.MIN_LEAD - 0.1).weight == 0.0
    assert spoken_names.Verdict("A", spoken_names.MIN_LEAD).weight == pytest.approx(spoken_names.WEIGHT / 2)
    assert spoken_names.Verdict("A", 100.0).weight == spoken_names.WEIGHT < 1.0  # less than a name spelled
    even = lambda start, end, texts, prompt: [-10.0 for _ in texts]  # noqa: E731
    assert spoken_names.judge_line(even, 0, 2, "En wat laten je?", ["Noor Hendriks", "Lotte Mulder"]) is None


PEOPLE = [PersonInfo("Anne Host", "host"), PersonInfo("Noor Hendriks", "guest"), PersonInfo("Lotte Mulder", "guest")]
PLAN = [ChapterInfo("opening", ("Anne Host",)), ChapterInfo("part", ("Noor Hendriks", "Lotte Mulder")),
        ChapterInfo("closing", ("Anne Host",))]


def part_turns() -> list[VoiceTurn]:
    """Host H (opening, a question at 30-32 s, closing); guest A answers first (32.5-60 s), then B (62-90 s)."""
    return [VoiceTurn(0, 30, "H"), VoiceTurn(30, 32, "H"), VoiceTurn(32.5, 60, "A"), VoiceTurn(60, 61.5, "H"),
            VoiceTurn(62, 90, "B"), VoiceTurn(90, 120, "H")]


def test_the_voice_answering_the_judged_question_gets_the_name():
    """The plan lists Noor first, but the host asked Lotte first ("En Lotte, wat denk jij?" heard as "En wat
    laten je?"): with the judge, the first voice to answer is Lotte; without it, the plan order's coin flip."""
    lines = [naming.Line(0, 30, "Goedenavond en welkom."), naming.Line(30, 32, "En wat laten je?"),
             naming.Line(60, 61.5, "Wat vind jij?"), naming.Line(90, 120, "Dank jullie wel, tot ziens.")]
    judge = looks_like("En Lotte, wat laten je?")
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=judge)
    assert names["A"].name == "Lotte Mulder" and names["B"].name == "Noor Hendriks"
    assert names["A"].confidence < 0.9  # the model's guess of a name it could not spell: never sure
    assert any("Whisper judge" in e for e in names["A"].evidence)
    plain = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {})
    assert plain["A"].name == "Noor Hendriks" and plain["A"].confidence < 0.6


def test_a_small_lead_leaves_a_check_and_lines_with_a_name_are_not_judged():
    lines = [naming.Line(30, 32, "En wat laten je?")]
    asked = []

    def barely(start, end, texts, prompt):  # in the question at 30-32 s, Lotte's candidates a little ahead
        asked.append(texts[0])
        return [-10.0 + (spoken_names.MIN_LEAD if "Lotte" in text and start < 32 < end else 0.0) for text in texts]

    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=barely)
    assert names["A"].name == "Lotte Mulder" and names["A"].confidence < 0.6
    asked.clear()
    spelled = [naming.Line(30, 32, "En Lotte, wat denk jij?"), naming.Line(60, 61.5, "Dank je Noor en Lotte.")]
    naming.name_voices(part_turns(), spelled, PEOPLE, PLAN, {}, judge=barely)
    assert not any("denk" in text or "Dank" in text for text in asked)  # names in the text: its rules decide


def test_a_lead_short_of_halfway_to_a_full_one_leaves_a_check():
    """A judged line decides a name without a CHECK only with a lead of at least 5 nats (halfway from MIN_LEAD
    to FULL_LEAD): on a simulated show a lead near 4.5 nats named the wrong guest at 0.81, unflagged."""
    def leading(lead: float):
        def judge(start, end, texts, prompt):
            return [-10.0 + (lead if "Lotte" in text and start < 32 < end else 0.0) for text in texts]
        return judge

    lines = [naming.Line(30, 32, "En wat laten je?")]
    weak = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=leading(4.5))
    fair = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=leading(6.0))
    assert weak["A"].name == fair["A"].name == "Lotte Mulder"
    assert weak["A"].confidence < 0.6 <= fair["A"].confidence < 0.9, (weak["A"], fair["A"])
    # the guest left over is as doubtful as the name that left it over
    assert weak["B"].name == fair["B"].name == "Noor Hendriks"
    assert weak["B"].confidence < 0.6 <= fair["B"].confidence, (weak["B"], fair["B"])
    assert "left over by a doubtful judged name" in weak["B"].evidence


def test_one_question_heard_with_the_full_lead_makes_the_judge_sure():
    """One judged line with the judge's full lead (FULL_LEAD nats, weight WEIGHT), answered by the voice: on seeds
    1-50 of the benchmark (three levels) 16 such names were all right, yet each was a CHECK (its evidence, 0.6,
    under JUDGED_SURE). A lead short of the full one still needs JUDGED_SURE of evidence; weak lines added up
    never do (`test_weak_judged_lines_added_up_are_still_a_check`)."""
    full, short = spoken_names.Verdict("L", spoken_names.FULL_LEAD).weight, \
        spoken_names.Verdict("L", spoken_names.FULL_LEAD - 1).weight
    clear, weak = spoken_names.Verdict("L", naming.JUDGED_LEAD).weight, \
        spoken_names.Verdict("L", naming.JUDGED_LEAD - 0.5).weight
    assert naming.judge_sure(full, "Lotte", {"Lotte": full})  # one line, heard fully
    assert not naming.judge_sure(short, "Lotte", {"Lotte": short})  # one line, a little less
    assert not naming.judge_sure(full, "Lotte", {"Noor": full})  # the full line asked someone else
    assert naming.judge_sure(naming.JUDGED_SURE, "Lotte", {"Lotte": clear})  # more evidence, one clear line
    assert not naming.judge_sure(naming.JUDGED_SURE, "Lotte", {"Lotte": weak})


def test_weak_judged_lines_added_up_are_still_a_check():
    """Two questions, each heard by the judge with a lead of 3 nats for Lotte, both answered by A: together
    more than JUDGED_SURE, but no one line asked Lotte clearly (JUDGED_LEAD): a CHECK."""
    turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 32, "H"), VoiceTurn(32.5, 45, "A"), VoiceTurn(45, 47, "H"),
             VoiceTurn(47.5, 60, "A"), VoiceTurn(60, 61.5, "H"), VoiceTurn(62, 90, "B"), VoiceTurn(90, 120, "H")]
    lines = [naming.Line(30, 32, "En wat laten je?"), naming.Line(45, 47, "En wat vind je?")]

    def leads(first: float, second: float):
        def judge(start, end, texts, prompt):
            lead = first if start < 32 < end else second if start < 47 < end else 0.0
            return [-10.0 + (lead if "Lotte" in text else 0.0) for text in texts]
        return judge

    weak = naming.name_voices(turns, lines, PEOPLE, PLAN, {}, judge=leads(3.0, 3.0))
    clear = naming.name_voices(turns, lines, PEOPLE, PLAN, {}, judge=leads(6.0, 3.0))
    assert weak["A"].name == clear["A"].name == "Lotte Mulder"
    support = float(weak["A"].evidence[-1].rsplit(" ", 1)[-1])
    assert support >= naming.JUDGED_SURE, weak["A"]
    assert weak["A"].confidence < 0.6 <= clear["A"].confidence, (weak["A"], clear["A"])


def test_a_host_turn_without_words_is_judged_by_the_name_alone():
    """Whisper dropped "Lotte, wat denk jij?" (30-32 s) altogether: the judge hears the name in the turn."""
    asked = []

    def judge(start, end, texts, prompt):
        asked.append((start, end, tuple(texts)))
        heard = "Lotte," if 30 <= start < 32 else "Dank u."
        return [30.0 * difflib.SequenceMatcher(None, text, heard).ratio() for text in texts]

    lines = [naming.Line(0, 30, "Goedenavond en welkom."), naming.Line(90, 120, "Dank jullie wel, tot ziens.")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=judge)
    assert names["A"].name == "Lotte Mulder" and names["B"].name == "Noor Hendriks"
    assert (30, 32, ("Noor,", "En Noor,", "Lotte,", "En Lotte,")) in asked


@pytest.mark.slow
def test_the_real_model_hears_which_guest_the_espeak_host_asked(tmp_path):
    """espeak host lines with the name in the address place; the transcript as if Whisper had dropped or
    misheard the name. The real Whisper base (the embedded model, as the stage loads it) must still hear the
    guest that espeak said, and for a turn without any words too."""
    import soundfile

    from pipeline import model
    from pipeline.config import TranscriptionSettings
    from pipeline.speechwav import SpeechWav
    from showgen.demo_scene import HOST
    from showgen.synth import speak

    asked = [("Mike, kun je dat uitleggen?", "kun je dat uitleggen?", "Mike Brantjes"),
             ("Noor, wat is jouw ervaring?", "Wat is jou ervaring?", "Noor Hendriks"),
             ("Mike, hoe zie jij dat?", "", "Mike Brantjes"),  # Whisper wrote nothing at all
             ("Noor, herken je dat?", "Nou, herken je dat?", "Noor Hendriks")]
    pieces, times, at = [], [], 0.5
    for said, _, _ in asked:
        audio = speak(said, HOST, 16000)
        pieces += [np.zeros(int(0.5 * 16000), np.float32) if not pieces else np.zeros(16000, np.float32), audio]
        times.append((at, at + len(audio) / 16000))
        at += len(audio) / 16000 + 1.0
    path = tmp_path / "speech.flac"
    soundfile.write(path, np.concatenate(pieces + [np.zeros(8000, np.float32)]), 16000, subtype="PCM_16")
    settings = TranscriptionSettings(device="cpu")
    choice = model.choose(settings, tmp_path / "config.toml")
    guests = ["Mike Brantjes", "Noor Hendriks"]
    with SpeechWav(path) as wav:
        judge = spoken_names.WhisperJudge(lambda: model.load(choice, settings), wav, "nl")
        for (said, heard, person), (start, end) in zip(asked, times):
            verdict = spoken_names.judge_line(judge, start - spoken_names.LEAD_IN, end + spoken_names.TAIL,
                                              heard, guests)
            assert verdict is not None and verdict.person == person, (said, heard, verdict)
    assert judge.lines == len(asked)


@pytest.mark.slow
def test_the_real_model_hears_a_name_whisper_left_out_of_the_line(tmp_path):
    """Show 150 at -10 dB: "Bram, wat moet er anders?" was written "wat moeder anders.", the line starting 0.63 s
    after the name began. espeak says the name, pauses 0.35 s (a comma), then the rest; the line starts where
    the rest does. The judge's window reaches back LEAD_IN before the line: far enough to hear the whole name,
    and the real model hears each guest with a full lead (with 0.6 s it heard Mike in "Noor, ...")."""
    import soundfile

    from pipeline import model
    from pipeline.config import TranscriptionSettings
    from pipeline.speechwav import SpeechWav
    from showgen.demo_scene import HOST
    from showgen.synth import speak

    sr, pause = 16000, 0.35
    asked = [("Mike,", "wat moet er anders?", "wat moeder anders.", "Mike Brantjes"),
             ("Noor,", "wat moet er anders?", "wat moeder anders.", "Noor Hendriks"),
             ("Noor,", "hoe begon het voor jou?", "hoe begon het voor jou?", "Noor Hendriks"),
             ("Mike,", "hoe begon het voor jou?", "hoe begon het voor jou?", "Mike Brantjes")]
    pieces, lines, at = [np.zeros(sr, np.float32)], [], 1.0
    for name, rest, _, _ in asked:
        said, after = speak(name, HOST, sr), speak(rest, HOST, sr)
        start = at + len(said) / sr + pause
        lines.append((start, start + len(after) / sr))
        pieces += [said, np.zeros(int(pause * sr), np.float32), after, np.zeros(int(1.5 * sr), np.float32)]
        at = start + len(after) / sr + 1.5
    path = tmp_path / "speech.flac"
    soundfile.write(path, np.concatenate(pieces), sr, subtype="PCM_16")
    settings = TranscriptionSettings(device="cpu")
    choice = model.choose(settings, tmp_path / "config.toml")
    with SpeechWav(path) as wav:
        judge = spoken_names.WhisperJudge(lambda: model.load(choice, settings), wav, "nl")
        for (_, _, heard, person), (start, end) in zip(asked, lines):
            verdict = spoken_names.judge_line(judge, start - spoken_names.LEAD_IN, end + spoken_names.TAIL, heard,
                                              ["Mike Brantjes", "Noor Hendriks"])
            assert verdict is not None and verdict.person == person and verdict.lead >= spoken_names.FULL_LEAD, \
                (heard, person, verdict)


def test_a_question_heard_as_the_hosts_own_name_is_still_judged():
    """"Daan, hoe zie jij dat?" heard as "Anne, hoe zie jij dat?" (Anne is the host): the host does not ask
    herself, so the judge is asked which guest it was."""
    lines = [naming.Line(0, 30, "Goedenavond en welkom."), naming.Line(30, 32, "Anne, hoe zie jij dat?")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=looks_like("Lotte, hoe zie jij dat?"))
    assert names["A"].name == "Lotte Mulder"


def test_a_question_whisper_cut_in_two_is_judged_whole():
    """"Lotte, wat is jouw ervaring?" heard as "Oh," and "wat is jouw vari?": judged as one line, so the name
    in the audio of the first piece counts (the second piece alone has no name in its audio)."""
    seen = []

    def judge(start, end, texts, prompt):
        seen.append(texts[0])
        return [30.0 * difflib.SequenceMatcher(None, text, "Lotte, wat is jouw vari?").ratio() for text in texts]

    lines = [naming.Line(28.6, 30, "Oh,"), naming.Line(30.1, 32, "wat is jouw vari?")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=judge)
    assert names["A"].name == "Lotte Mulder"  # not the plan's order (Noor first)
    assert any(text.endswith("Oh, wat is jouw vari?") for text in seen)
    assert not any(text.endswith(", wat is jouw vari?") and "Oh" not in text for text in seen)


def test_a_question_the_voices_cut_in_two_is_read_whole():
    """Show 36 of the benchmark: the guest's voice began a word early, and "Nieke, voelbeblond het voor jou."
    (for "Mike, hoe begon het voor jou?") reached the naming as "Nieke, voelbeblond het voor" (the host) and
    "jou." (the guest): neither piece was a question, and the two guests of the part were a coin flip."""
    lines = [naming.Line(28.6, 30.9, "Loet, hoe begon het voor"), naming.Line(30.9, 31.2, "jou.")]
    heard = naming.addresses(lines, part_turns(), [p.name for p in PEOPLE],
                             [(0.0, 100.0, ("Noor Hendriks", "Lotte Mulder"))], ["H"])
    assert [(a.kind, a.person) for a in heard] == [("address", "Lotte Mulder")]


def test_an_introduction_cut_off_by_a_comma_is_not_joined_to_the_question_after_it():
    """"We gaan verder met logen Hendriks," then "En wat een mooie, latente, ei." (for "En Lotte, wat denk
    jij?"): two sentences (the second starts with a capital). Joined, the surname in the introduction had kept
    the question from the judge (show 6 of the 20-show benchmark, as recorded: a coin flip at 0.56)."""
    seen = []

    def judge(start, end, texts, prompt):
        seen.append(texts[0])
        return [30.0 * difflib.SequenceMatcher(None, text, "En Lotte, wat een mooie, latente, ei.").ratio()
                for text in texts]

    lines = [naming.Line(27.0, 29.0, "We gaan verder met logen Hendriks,"),
             naming.Line(29.1, 32.0, "En wat een mooie, latente, ei.")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=judge)
    assert names["A"].name == "Lotte Mulder"
    assert not any("Hendriks" in text for text in seen)


def test_a_question_in_the_same_line_as_the_introduction_is_judged_alone():
    """"We beginnen met Noor Hendriks en Lotte Mulder. Lothar, latisjal en varing." (show 13 of the 20-show
    benchmark: Whisper put the introduction and "Lotte, wat is jouw ervaring?" in one line): the question is
    judged, over the line's last seconds, without the introduction."""
    seen = []

    def judge(start, end, texts, prompt):  # the audio of the question says Lotte; elsewhere nothing to go by
        seen.append(texts[0])
        if start < 26.9:
            return [0.0 for _ in texts]
        return [30.0 * difflib.SequenceMatcher(None, text, "Lotte, latisjal en varing.").ratio() for text in texts]

    lines = [naming.Line(24.0, 30.0, "We beginnen met Noor Hendriks en Lotte Mulder. Lothar, latisjal en varing.")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=judge)
    assert names["A"].name == "Lotte Mulder"  # not the plan's order (Noor first)
    assert "Noor, Lothar, latisjal en varing." in seen and not any(t.startswith("We beginnen") for t in seen)


def test_the_wordless_rest_of_a_host_turn_is_judged():
    """Whisper kept "Goed." of the host's turn and dropped the question after it: the stretch without words
    is judged over its last seconds, like a turn with no words at all."""
    seen = []

    def judge(start, end, texts, prompt):
        seen.append((start, end))
        names = [t.split(",")[0].split()[-1] for t in texts]
        return [9.0 if name == "Lotte" and start >= 28.5 else 0.0 for name in names]

    turns = [VoiceTurn(0, 25, "H"), VoiceTurn(25, 32, "H"), VoiceTurn(32.5, 60, "A"), VoiceTurn(60, 61.5, "H"),
             VoiceTurn(62, 90, "B"), VoiceTurn(90, 120, "H")]
    lines = [naming.Line(0, 24, "Goedenavond en welkom."), naming.Line(25.0, 26.0, "Goed.")]
    names = naming.name_voices(turns, lines, PEOPLE, PLAN, {}, judge=judge)
    assert names["A"].name == "Lotte Mulder"
    assert (29.0, 32.0) in seen



def test_a_host_turn_handing_over_is_judged_when_whisper_ran_its_question_into_the_answer():
    """Show 220 of the judgement benchmark at -10 dB: "Fatima, hoe zie jij dat?" (the host's turn, 2 s) and the
    start of Fatima's answer came out as one line, "Het is niet zo'n ondercapitast.": no question mark, no
    "jij", and the guest's voice began before the line ended, so no rule on the line judged it. The running
    order named Fatima's voice after Steven (68 % named right at every level). The host's turn that hands
    over to a guest is judged over its last seconds; the real model heard Fatima with a lead of 14 nats."""
    seen = []

    def judge(start, end, texts, prompt):
        seen.append((start, end))
        names = [t.split(",")[0].split()[-1] for t in texts]
        return [9.0 if name == "Lotte" and 29.9 <= start and end <= 32.1 else 0.0 for name in names]

    lines = [naming.Line(0, 29.5, "Goedenavond en welkom."), naming.Line(30.1, 33.4, "Het is niet zo'n ondercapitast."),
             naming.Line(90, 120, "Dank jullie wel, tot ziens.")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=judge)
    assert (30, 32) in seen
    assert names["A"].name == "Lotte Mulder" and names["B"].name == "Noor Hendriks"
    # a turn whose words name a guest, or thank everyone, is left to the rules on the text
    named = [*lines[:1], naming.Line(30.1, 33.4, "Het is niet zo'n Noor Hendriks."), lines[-1]]
    seen.clear()
    naming.name_voices(part_turns(), named, PEOPLE, PLAN, {}, judge=judge)
    assert (30, 32) not in seen


def test_a_host_question_written_as_one_stretched_word_is_judged_as_a_turn_without_words():
    """Whisper ran "Lotte, wat denk jij?" (30-32.5 s) into a guest's line and gave the host's turn one word,
    "hij", stretched over 2.5 s (show 113 at +6 dB of the judgement benchmark): the turn is judged as one
    without words."""
    asked = []

    def judge(start, end, texts, prompt):
        asked.append((start, end, tuple(texts)))
        heard = "Lotte," if 30 <= start < 32 else "Dank u."
        return [30.0 * difflib.SequenceMatcher(None, text, heard).ratio() for text in texts]

    turns = [VoiceTurn(0, 30, "H"), VoiceTurn(30, 32.5, "H"), *part_turns()[2:]]
    lines = [naming.Line(0, 29.5, "Goedenavond en welkom."), naming.Line(30, 32.5, "hij"),
             naming.Line(32.5, 36, "overig door met haar de sterk wereld gezet."),
             naming.Line(90, 120, "Dank jullie wel, tot ziens.")]
    names = naming.name_voices(turns, lines, PEOPLE, PLAN, {}, judge=judge)
    assert (30, 32.5, ("Noor,", "En Noor,", "Lotte,", "En Lotte,")) in asked
    assert names["A"].name == "Lotte Mulder"


def test_a_question_run_into_the_introduction_is_judged_after_the_last_name():
    """"We beginnen met Noor Hendriks en Lotte Mulder. Lotte, wat moet er anders?" written as one sentence,
    the question misheard (show 108 of the judgement benchmark): the words after the last name are the
    question, judged over the line's last seconds."""
    asked = []

    def judge(start, end, texts, prompt):
        asked.append((start, end, tuple(texts)))
        heard = "Lotte, loter matmotoranders." if 28.5 <= start < 40 else "Dank u."  # the question's audio
        return [30.0 * difflib.SequenceMatcher(None, text, heard).ratio() for text in texts]

    lines = [naming.Line(0, 25, "Goedenavond en welkom."),
             naming.Line(26, 32, "We beginnen met Noor Hendriks en Lotte Mulder, loter matmotoranders."),
             naming.Line(90, 120, "Dank jullie wel, tot ziens.")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=judge)
    assert any(start == 29 and "Lotte, loter matmotoranders." in texts for start, _, texts in asked), asked
    assert names["A"].name == "Lotte Mulder" and names["B"].name == "Noor Hendriks"
    assert naming._after_last_name("We beginnen met Noor Hendriks en Lotte Mulder.", ["Noor Hendriks"]) \
        == "en Lotte Mulder."  # only the people given count as names
    assert naming._after_last_name("Goedenavond allemaal.", ["Noor Hendriks", "Lotte Mulder"]) is None
    # show 137: "... met Noor Hendriks en Lotte Mulder." heard as "... met nog een kendrieks en watermulder.":
    # the last surname run into the word before it still ends the introduction, nothing is left to judge
    assert naming._after_last_name("We gaan verder met nog een kendrieks en watermulder.",
                                   ["Noor Hendriks", "Lotte Mulder"]) == "."
    # show 141: "... met Marije Boerlaagh en Noor Hendriks." as "... met maarijen boelendag en mongendricks."
    assert naming._after_last_name("We beginnen met maarijen boelendag en mongendricks.",
                                   ["Marije Boerlaagh", "Noor Hendriks"]) == "."


def test_the_hosts_last_line_before_a_guest_answers_is_judged_whatever_whisper_wrote():
    """Show 141 of the judgement benchmark: "Noor, wat moet er anders?" written "Mogen wat moeter anders." (no
    question mark, no "je", no comma): not a question by its text, but the host's last line before a guest
    speaks hands over to that guest, so the judge is asked (here it hears Lotte, whom the plan lists second)."""
    lines = [naming.Line(0, 25, "Goedenavond en welkom."), naming.Line(30, 32, "Mogen wat moeter anders.")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=looks_like("Lotte wat moeter anders."))
    assert names["A"].name == "Lotte Mulder" and names["B"].name == "Noor Hendriks"
    assert naming._hands_over(lines[1], part_turns(), ["H"]) and not naming._hands_over(lines[0], part_turns(), ["H"])


def test_the_second_half_of_a_judged_question_is_not_judged_again():
    """Show 158 of the judgement benchmark at +6 dB: "Fatima, kun je dat uitleggen?" came out as "Wat is dat?" and,
    0.2 s later, "Dat lung de kreeze."; the judge heard Fatima in the first (the name's place) and Kees at the
    start of the second, where no name was said, and the answering voice took Kees's name. A line starting
    within naming.SENTENCE_GAP of a judged line is that line's tail."""
    asked = []

    def judge(start, end, texts, prompt):
        asked.append(texts[0])
        # the question's audio, read as the line or by the name alone (the turn handing over), is Lotte's
        wanted = "Lotte" if "Wat is dat" in texts[0] or len(texts[0].split()) == 1 else "Noor"
        lead = spoken_names.FULL_LEAD if wanted == "Lotte" else 3 * spoken_names.FULL_LEAD
        return [-20.0 + (lead if text.startswith(wanted) else 0.0) for text in texts]

    lines = [naming.Line(0, 25, "Goedenavond en welkom."), naming.Line(30, 31.0, "Wat is dat?"),
             naming.Line(31.2, 31.9, "Dat lung de kreeze.")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=judge)
    assert names["A"].name == "Lotte Mulder", names["A"]
    assert not any("lung" in text for text in asked)


def test_the_rest_of_a_thank_you_is_not_judged():
    """Show 160 at +6 dB: "Dank jullie wel, Mike en Bram." came out as "Dank jullie wel!" and, 0.48 s later,
    "Mika, inderdaam!"; the judge heard Bram in "Mika, Bram!" with the full lead. A line right after a thank-you
    in the same voice is the thank-you's tail; a question after a pause is still judged."""
    asked = []

    def judge(start, end, texts, prompt):
        asked.append(texts[0])
        return [-20.0 + (3 * spoken_names.FULL_LEAD if "Noor" in text else 0.0) for text in texts]

    thanks = [naming.Line(0, 25, "Goedenavond en welkom."), naming.Line(30, 30.9, "Dank jullie wel!"),
              naming.Line(31.3, 32, "Mika, inderdaam!")]
    naming.name_voices(part_turns(), thanks, PEOPLE, PLAN, {}, judge=judge)
    assert not any("inderdaam" in text for text in asked)
    # show 161 at -10 dB: "Dank jullie wel, Jornt en Bram." as "Dank jullie wel, Joren Tenderam.": what follows
    # the name heard in a thank-you is no question either
    naming.name_voices(part_turns(), [thanks[0], naming.Line(30, 32, "Dank jullie wel, Noor Tenderam.")], PEOPLE,
                       PLAN, {}, judge=judge)
    assert not any("Tenderam" in text for text in asked)
    later = [*thanks[:2], naming.Line(31.3 + naming.SENTENCE_GAP, 32, "Mika, inderdaam!")]
    naming.name_voices(part_turns(), later, PEOPLE, PLAN, {}, judge=judge)
    assert any("inderdaam" in text for text in asked)


def test_an_introduction_ending_in_a_misheard_last_name_asks_no_one():
    """Show 160 at +6 dB: "We gaan verder met Mike Brantjes en Bram de Graaf." as "... met Nico, Brantjes en
    Brandtraf."; "en Brandtraf." after the last name heard (Brantjes) was judged as a question and heard as Bram
    with the full lead. With one guest of the part not named in it, "en" and a word or two is that guest's name.
    When both are named, what follows is a question run into the introduction (judged, as before)."""
    parts = [(0.0, 200.0, ["Mike Brantjes", "Bram de Graaf"])]
    misheard = naming.Line(10, 13.5, "Leran, Werder met Nico, Brantjes en Brandtraf.")
    assert naming._rest_of_list(misheard.text, "en Brandtraf.", misheard, parts)
    run_on = naming.Line(10, 13.5, "We beginnen met Mike Brantjes en wat een Graaf en K-Latengrij.")
    assert not naming._rest_of_list(run_on.text, "en K-Latengrij.", run_on, parts)
    assert not naming._rest_of_list(misheard.text, "en Brandtraf, wat denk jij?", misheard, parts)


def test_a_long_garbled_line_handing_over_is_judged_by_its_last_clause():
    """Show 153 at +6 dB: the thank-you, the introduction and "Bram, wat moet er anders?" came out as one line of
    26 words ending "... de raar, wat moet er anders." (too long to be a question to one person). The host's
    long line right before a guest speaks ends with the question to them: its last clause is judged, over the
    line's last seconds."""
    asked = []

    def hears_lotte(start, end, texts, prompt):
        asked.append((start, end, texts[0]))
        return looks_like("Lotte, wat moet er anders.")(start, end, texts, prompt)

    garbled = "Dan weer wilt je dan wel dan heel en toe, de straks eigenlijk met in de zicht en het raar, de raar, " \
              "wat moet er anders."
    lines = [naming.Line(0, 20, "Goedenavond en welkom."), naming.Line(24, 32, garbled)]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=hears_lotte)
    assert names["A"].name == "Lotte Mulder" and names["B"].name == "Noor Hendriks"
    assert (32 - spoken_names.QUESTION_SECONDS, "Noor, wat moet er anders.") in [(s, t) for s, _, t in asked]
    assert not any("Dan weer" in text for _, _, text in asked)
    # not handing over (a guest does not speak right after it): a long line is no question to judge
    asked.clear()
    naming.name_voices(part_turns(), [naming.Line(0, 20, "Goedenavond."), naming.Line(40, 50, garbled)], PEOPLE,
                       PLAN, {}, judge=hears_lotte)
    assert not any("anders" in text for _, _, text in asked)


def test_the_answers_first_word_left_in_the_hosts_turn_is_not_judged_again():
    """Show 128 of the judgement benchmark: "Aan, wat is jouw ervaring?" (for "Daan, ...") was spelled as an
    address to Daan; "Wel,", the answer's first word, stayed 0.08 s long in the host's turn right after it, and
    the judge, hearing that line, leant to Marije: the answering voice took her name. A line starting within
    naming.SENTENCE_GAP of a question whose name is spelled is that question's tail: the text decides."""
    asked = []

    def leans_to_noor(start, end, texts, prompt):
        asked.append(texts[0])
        return [-10.0 + (3 * spoken_names.FULL_LEAD if text.startswith("Noor") else 0.0) for text in texts]

    lines = [naming.Line(30, 31.9, "Lot, wat is jouw ervaring?"), naming.Line(31.9, 31.98, "Wel,"),
             naming.Line(60, 61.5, "Wat vind jij?")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=leans_to_noor)
    assert names["A"].name == "Lotte Mulder", names["A"]
    assert not any(text.endswith("Wel,") for text in asked)
    assert any(text.endswith("Wat vind jij?") for text in asked)  # a question of its own is still judged


def test_a_question_answered_only_after_seconds_more_of_the_host_s_voice_leaves_a_check():
    """Show 177 of the judgement benchmark: "En Kees, wat denk jij?" was judged Kees with the full lead, but
    Kees's answer went into the host's voice (6.5 s); the next voice, Mike's, took Kees's name without a CHECK
    (at -10 dB the judge also heard "Kees" at the end of that answer, right before Mike's voice). Answered at
    once, the same question makes the judge sure."""
    def judge(start, end, texts, prompt):  # Lotte, clearly, in the question before 32 s and in a line at 37-38.4 s
        heard = (start < 32.0 and end > 29.0) or start < 38.0 < end
        return [-10.0 + (spoken_names.FULL_LEAD if heard and "Lotte" in text else 0.0) for text in texts]

    def turns(host_goes_on: float) -> list[VoiceTurn]:
        return [VoiceTurn(0, 30, "H"), VoiceTurn(30, 32 + host_goes_on, "H"), VoiceTurn(32.5 + host_goes_on, 60, "A"),
                VoiceTurn(60, 61.5, "H"), VoiceTurn(62, 90, "B"), VoiceTurn(90, 120, "H")]

    lines = [naming.Line(0, 30, "Goedenavond en welkom."), naming.Line(30, 32, "En wat laten je?"),
             naming.Line(90, 120, "Dank jullie wel, tot ziens.")]
    at_once = naming.name_voices(turns(0.0), lines, PEOPLE, PLAN, {}, judge=judge)
    late = naming.name_voices(turns(6.5), lines, PEOPLE, PLAN, {}, judge=judge)
    assert at_once["A"].name == late["A"].name == "Lotte Mulder"
    assert at_once["A"].confidence > naming.DOUBTFUL == late["A"].confidence
    # the same question heard again in the host's voice right before A speaks (the end of Lotte's answer)
    again = [*lines, naming.Line(37.0, 38.4, "En wat laten je?")]
    assert naming.name_voices(turns(6.5), again, PEOPLE, PLAN, {}, judge=judge)["A"].confidence == naming.DOUBTFUL
    assert naming.late_answer(turns(6.5), naming.Address("address", "Lotte Mulder", "H", 32.0)) == (32.0, 39.0)
    assert naming.late_answer(turns(0.0), naming.Address("address", "Lotte Mulder", "H", 32.0)) is None


def test_a_turn_handing_over_is_judged_by_the_name_alone_also_where_its_line_is_judged():
    """Show 272 at +6 dB of the judgement benchmark: the judge read the host's line before Jornt's answer as a
    question to Noor (who never answered); the same turn's last seconds by the name alone, as Jornt (64 -> 90 %).
    Whisper's words change between levels, the turn's audio does not: both are judged, and the clearer counts
    more."""
    asked = []

    def judge(start, end, texts, prompt):
        asked.append(tuple(texts))
        alone = len(texts[0].split()) == 1  # "Lotte," / "En Lotte,": the turn by the name alone
        wanted, lead = ("Lotte", spoken_names.FULL_LEAD) if alone else ("Noor", 3.0)
        return [-20.0 + (lead if wanted in text else 0.0) for text in texts]

    lines = [naming.Line(0, 25, "Goedenavond en welkom."), naming.Line(30, 32, "Wat vind jij het aardad?"),
             naming.Line(90, 120, "Dank jullie wel, tot ziens.")]
    names = naming.name_voices(part_turns(), lines, PEOPLE, PLAN, {}, judge=judge)
    assert any("Lotte," in texts for texts in asked) and any("Lotte, Wat vind jij het aardad?" in t for t in asked)
    assert names["A"].name == "Lotte Mulder", names["A"]
