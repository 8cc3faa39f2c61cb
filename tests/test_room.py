"""showgen.room: simulated live shows, checked against the audio with ffmpeg (not with the simulator's own code).

The voices here come from a generated game tree in the Fish Fillets layout (two espeak-ng "actors" per
language speaking short lines, stored as .ogg with dialogs_nl.lua and dialogs_cs.lua), so the test needs no
downloaded package; the benchmark (bench/judgement_bench.py) uses the real recordings.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from pipeline.config import load_episode
from showgen import room

pytestmark = pytest.mark.slow  # renders two 3-minute shows

LINES = {"nl": ("Wat is dit voor raar schip?", "Ik heb geen idee.", "Ja.", "Kijk eens naar die kast daar.",
                "We moeten hier weg zien te komen.", "Hm.", "Dat lukt ons nooit zonder hulp."),
         "cs": ("Co je to za divnou lod?", "Nemam tuseni.", "Ano.", "Podivej se na tu skrin.",
                "Musime se odsud dostat.", "Hm.", "Bez pomoci to nezvladneme.")}


@pytest.fixture(scope="module")
def game(tmp_path_factory):
    cache = tmp_path_factory.mktemp("voices")
    root = cache / "root/usr/share/games/fillets-ng"
    for level_no in range(8):
        level = f"level{level_no}"
        (root / "script" / level).mkdir(parents=True)
        for language, texts in LINES.items():
            (root / "sound" / level / language).mkdir(parents=True)
            lua = []
            for i, text in enumerate(texts):
                font, voice = (("font_small", f"{language}+klatt4"), ("font_big", f"{language}+klatt2"))[i % 2]
                line_id = f"l{level_no}-{i}"
                lua.append(f'dialogId("{line_id}", "{font}", "x")\ndialogStr("{text}")\n')
                wav = subprocess.run(["espeak-ng", "-v", voice, "-p", str(40 + 5 * level_no), "--stdout", text],
                                     capture_output=True, check=True).stdout
                subprocess.run(["ffmpeg", "-loglevel", "error", "-i", "pipe:0", "-ar", "22050", "-c:a", "libvorbis",
                                str(root / "sound" / level / language / f"{line_id}.ogg")], input=wav, check=True)
            (root / "script" / level / f"dialogs_{language}.lua").write_text("\n".join(lua), encoding="utf-8")
    return cache


def rms_db(path, start, end):
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-ss", str(start), "-t", str(end - start), "-i",
                           str(path), "-af", "astats=measure_perchannel=none", "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    return float(re.findall(r"RMS level dB:\s*(-?[\d.]+|-inf)", proc.stderr)[-1])


@pytest.fixture(scope="module")
def shows(game, tmp_path_factory):
    folder = tmp_path_factory.mktemp("shows")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BURGER_VOICES", str(game))
        plain = room.simulate(folder / "plain", minutes=3, seed=4)
        quiet = room.simulate(folder / "quiet", minutes=3, seed=4, level_db=-10)
    return folder, plain, quiet


def test_a_show_has_five_people_chapters_and_turns_of_1_to_60_seconds(shows):
    folder, truth, _ = shows
    assert 170 < truth["duration"] < 260  # the last answer of a part may run over (turns up to 60 s)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                            str(folder / "plain" / "show.flac")], capture_output=True, text=True, check=True)
    assert abs(float(probe.stdout) - truth["duration"]) < 0.05
    people = {n: s for n, s in truth["speakers"].items() if s["role"] in ("host", "guest")}
    assert len(people) == 5 and len({(s["source"], s["shift"]) for s in people.values()}) == 5
    guests = [s["source"] for s in people.values() if s["role"] == "guest"]  # one language's two actors a part
    assert {guests[0][:3], guests[2][:3]} == {"nl:", "cs:"} and guests[0][:3] == guests[1][:3]
    gains = [s["gain_db"] for s in people.values()]
    assert max(gains) - min(gains) == pytest.approx(10.0)
    assert [c["title"] for c in truth["chapters"]][0] == "Opening" and len(truth["chapters"]) == 4
    starts = [c["start"] for c in truth["chapters"]]
    assert starts == sorted(starts) and starts[0] == truth["show_start"]
    spoken = {u["speaker"] for u in truth["utterances"]}
    assert spoken == set(people)  # the technician's sound check is not show speech
    turns, previous = [], None
    for u in (u for u in truth["utterances"] if not u["backchannel"]):
        if previous and u["speaker"] == previous["speaker"] and u["start"] - previous["end"] < 1.0:
            turns[-1][1] = u["end"]
        else:
            turns.append([u["start"], u["end"]])
        previous = u
    assert all(0.3 < end - start < 62 for start, end in turns)
    overlaps = [b for a, b in zip(truth["utterances"], truth["utterances"][1:]) if b["start"] < a["end"]]
    assert overlaps  # turn edges and backchannels overlap
    episode = load_episode(folder / "plain")
    assert [p.name for p in episode.people] == list(people)
    assert list(episode.chapters[1].people) == list(people)[1:3]


def test_babble_and_sound_check_come_before_the_show_below_its_level(shows):
    folder, truth, _ = shows
    chatter = next(e for e in truth["events"] if e["kind"] == "chatter")
    check = next(e for e in truth["events"] if e["kind"] == "soundcheck")
    assert 20 <= chatter["end"] - chatter["start"] <= 31
    assert truth["show_start"] < chatter["end"] < truth["show_start"] + 2.1  # the crowd hushes as the host begins
    assert chatter["start"] < check["start"] < check["end"] < chatter["end"]
    path = folder / "plain" / "show.flac"
    host = next(u for u in truth["utterances"] if u["speaker"] == next(iter(truth["speakers"])))
    below = rms_db(path, host["start"], host["end"]) - rms_db(path, chatter["start"] + 2, check["start"] - 0.5)
    assert 8 < below < 22


def test_the_same_seed_at_minus_10_db_is_the_same_show_10_db_lower(shows):
    folder, plain, quiet = shows
    assert quiet["utterances"] == plain["utterances"] and quiet["chapters"] == plain["chapters"]
    u = max(plain["utterances"], key=lambda u: u["end"] - u["start"])
    drop = rms_db(folder / "plain" / "show.flac", u["start"], u["end"]) - \
        rms_db(folder / "quiet" / "show.flac", u["start"], u["end"])
    assert drop == pytest.approx(10.0, abs=0.3)
