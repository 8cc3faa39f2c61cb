"""showgen.voices: reading the Fish Fillets subtitles, and keeping the acceptance levels out.

The game tree here is generated (a few Lua lines in the game's format and ffmpeg tones as .ogg), so these
tests run without the voice packages.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from showgen import voices

ISSUE_9_ACCEPTANCE = {"start", "library", "briefcase", "electromagnet", "kitchen", "key", "keys", "turtle"}

LUA = '''
dialogId("1st-m-cotobylo", "font_small", "What was that?")
dialogStr("Wat was dat?")


dialogId("1st-v-netusim", "font_big", "I have no idea.")
dialogStr("Ik heb geen \\"idee\\".")

dialogId("vit-hs-klid2", "font_statue", "There is no imminent danger.")
dialogStr("Er is geen direct gevaar.")
'''


def make_game(root, levels, language="nl"):
    for level in levels:
        (root / "script" / level).mkdir(parents=True, exist_ok=True)
        (root / "script" / level / f"dialogs_{language}.lua").write_text(LUA, encoding="utf-8")
        sound = root / "sound" / level / language
        sound.mkdir(parents=True)
        for line_id, freq in (("1st-m-cotobylo", 300), ("1st-v-netusim", 150), ("vit-hs-klid2", 500)):
            subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                            f"anullsrc=r=22050:cl=mono:d=0.3[s];sine=f={freq}:d=1:r=22050[t];[s][t]concat=v=0:a=1",
                            "-c:a", "libvorbis", str(sound / f"{line_id}.ogg")], check=True)
    return root


def test_the_reserved_levels_are_the_acceptance_set_of_issue_9():
    assert voices.RESERVED_LEVELS == ISSUE_9_ACCEPTANCE


def test_parse_dialogs_gives_id_speaker_and_both_texts():
    assert voices.parse_dialogs(LUA) == [
        ("1st-m-cotobylo", "font_small", "What was that?", "Wat was dat?"),
        ("1st-v-netusim", "font_big", "I have no idea.", 'Ik heb geen "idee".'),
        ("vit-hs-klid2", "font_statue", "There is no imminent danger.", "Er is geen direct gevaar."),
    ]


def test_reserved_levels_are_never_read(tmp_path):
    root = make_game(tmp_path, ["city", "kitchen", "turtle"])
    lines = voices.dutch_lines(root)
    assert {line.level for line in lines} == {"city"}
    assert [(line.id, line.speaker, line.text) for line in lines] == [
        ("1st-m-cotobylo", "font_small", "Wat was dat?"), ("1st-v-netusim", "font_big", 'Ik heb geen "idee".')]
    assert voices.levels(root) == ["city"]
    with pytest.raises(ValueError, match="reserved"):
        voices.dutch_lines(root, only=["city", "kitchen"])
    reserved_line = voices.VoiceLine("key", "x", "font_small", "", "", root / "sound" / "kitchen" / "nl" / "x.ogg")
    with pytest.raises(ValueError, match="reserved"):
        voices.load_clip(reserved_line, 16000, cache=tmp_path / "cache")


def test_czech_lines_are_other_people_and_keep_the_reserved_levels_out(tmp_path):
    root = make_game(tmp_path, ["city", "kitchen"])
    make_game(tmp_path, ["city", "kitchen", "bathroom"], language="cs")
    czech = voices.lines("cs", root)
    assert {line.level for line in czech} == {"bathroom", "city"}
    assert {line.voice for line in czech} == {"cs:font_small", "cs:font_big"}
    assert all(line.ogg.parent.name == "cs" for line in czech)
    assert {line.voice for line in voices.dutch_lines(root)} == {"nl:font_small", "nl:font_big"}
    assert voices.levels(root, "cs") == ["bathroom", "city"]
    with pytest.raises(ValueError, match="reserved"):
        voices.lines("cs", root, only=["kitchen"])


def test_load_clip_trims_silence_and_shifts_pitch(tmp_path):
    root = make_game(tmp_path / "game", ["city"])
    line = voices.dutch_lines(root)[0]  # 0.3 s silence then 1 s of 300 Hz
    plain = voices.load_clip(line, 16000, cache=tmp_path / "cache")
    higher = voices.load_clip(line, 16000, shift=1.2, cache=tmp_path / "cache")
    assert abs(len(plain) / 16000 - 1.0) < 0.06
    assert abs(len(higher) / 16000 - 1.0) < 0.08  # tempo restored

    def peak_hz(audio):
        spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
        return np.argmax(spectrum) * 16000 / len(audio)

    assert abs(peak_hz(plain) - 300) < 5 and abs(peak_hz(higher) - 360) < 8


def test_missing_packages_name_the_fetch_script(tmp_path):
    with pytest.raises(voices.VoicesMissing, match="scripts/fetch_voices.sh"):
        voices.game_root(tmp_path)
