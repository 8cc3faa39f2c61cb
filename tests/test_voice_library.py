"""The show's voice library on real audio: a voice pinned in one episode names that person in a later one.

Two espeak-ng shows from the repo's generator (showgen.synth, the demo's voices and lines), each an episode of
one show: the host with Marije in the first, the host (saying other lines) with Jornt in the second. Espeak
voices sound alike to the speaker model: the host's print measured 0.987 to the host of the second show and
0.883 to Jornt (0.936 to Mike, too close to the host for a sure name, so Mike is not the guest here). The
speakers stage runs through the engine on the rendered audio with a transcript of the truth's words (as
tests/stages/test_speakers.py does: Whisper is tested elsewhere). Which voice label is the host is read from the
truth (the label whose turns cover most of the host's utterances), not from the pipeline. Checked: the print
kept beside config.toml, the later episode's host named from it (speakers.json, report.json, `pipeline
status`), a re-run with nothing changed skips the stage in both episodes, `pipeline clean --all` leaves the
library alone, and unpinning in the first episode removes its print and makes only the later episode stale.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.engine import Engine, load_context
from pipeline.stages import speakers
from showgen.demo_scene import CLOSING, HANDOVER, HOST, JORNT, MARIJE, OPENING, PART_1, PART_2
from showgen.synth import Applause, Chatter, Pause, Say, Scene
from tests.helpers import make_show, put_speech, run_cli
from tests.stages.test_speakers import transcript_from_truth

pytestmark = pytest.mark.slow

LINES = [e for e in (*OPENING, *PART_1, *HANDOVER, *PART_2, *CLOSING) if isinstance(e, Say)]


def two_person_scene(guest, host_half: int) -> Scene:
    """The host's even (0) or odd (1) lines and all of `guest`'s, in the demo's order, between chatter and
    applause."""
    host_lines = [e for e in LINES if e.voice == HOST][host_half::2]
    said = [e for e in LINES if e in host_lines or e.voice == guest]
    said[0] = replace(said[0], chapter="Opening")
    return Scene(events=(Chatter(6.0, seed=51 + host_half), Pause(1.0), *said, Applause(3.0, pause=0.3, seed=53)))


def people(guest) -> str:
    return (f'[[people]]\nname = "{HOST.name}"\nrole = "host"\n[[people]]\nname = "{guest.name}"\n')


def episode(show: Path, slug: str, date: str, number: int, wav: Path, truth: dict, body: str) -> Path:
    folder = show / "episodes" / slug
    (folder / "work").mkdir(parents=True)
    (folder / wav.name).write_bytes(wav.read_bytes())
    (folder / "episode.toml").write_text(
        f'title = "Aflevering {number}"\ndate = {date}\nnumber = {number}\ndescription = "Test."\n'
        f'source = "{wav.name}"\n' + body, encoding="utf-8")
    put_speech(wav, folder)
    transcript_from_truth(truth).save(folder / "work" / "transcript.raw.json")
    return folder


def run_speakers(folder: Path) -> str:
    engine = Engine(load_context(folder), [speakers])
    engine.check()
    [result] = engine.run()
    return result.status


def stale_reason(folder: Path) -> str | None:
    engine = Engine(load_context(folder), [speakers])
    return engine.stale_reason(speakers)


def host_label(truth: dict, document: dict) -> str:
    """The voice label whose turns overlap the host's utterances most (from the truth)."""
    overlap: dict[str, float] = {}
    for u in truth["utterances"]:
        if u["speaker"] != HOST.name:
            continue
        for t in document["turns"]:
            overlap[t["voice"]] = overlap.get(t["voice"], 0.0) + max(0.0, min(u["end"], t["end"]) - max(u["start"], t["start"]))
    return max(overlap, key=overlap.__getitem__)


def test_a_pinned_host_is_named_from_the_library_in_a_later_episode(render_scene, tmp_path, monkeypatch):
    first_wav, first_truth = render_scene(two_person_scene(MARIJE, 0), "library-1.wav", sample_rate=16000,
                                          channels=1, bits=16)
    later_wav, later_truth = render_scene(two_person_scene(JORNT, 1), "library-2.wav", sample_rate=16000,
                                          channels=1, bits=16)
    show = make_show(tmp_path).parent

    # episode 1: find the host's voice label, pin it (as `pipeline review` does), run again
    first = episode(show, "2024-06-13-aflevering-1", "2024-06-13", 1, first_wav, first_truth, people(MARIJE))
    assert run_speakers(first) == "done"
    label = host_label(first_truth, json.loads((first / "work" / "speakers.json").read_text()))
    toml = first / "episode.toml"
    toml.write_text(toml.read_text() + f'\n[speakers]\n"{label}" = "{HOST.name}"\n')
    assert run_speakers(first) == "done"
    library = show / "voices" / "presentator-ae778bd2.json"  # the name and a hash of "Presentator"
    kept = json.loads(library.read_text())
    assert kept["person"] == HOST.name
    assert [(p["episode"], p["voice"]) for p in kept["prints"]] == [("2024-06-13-aflevering-1", label)]
    assert kept["prints"][0]["seconds"] >= 20 and len(kept["prints"][0]["vector"]) == 256
    assert sorted(p.name for p in (show / "voices").iterdir()) == [library.name]  # guesses are not kept

    # episode 2, a week later, no pins: the host is named from the library
    later = episode(show, "2024-06-20-aflevering-2", "2024-06-20", 2, later_wav, later_truth, people(JORNT))
    assert run_speakers(later) == "done"
    document = json.loads((later / "work" / "speakers.json").read_text())
    host = host_label(later_truth, document)
    voice = document["voices"][host]
    assert voice["name"] == HOST.name and not voice["pinned"]
    assert voice["confidence"] >= 0.9
    assert voice["evidence"][0].startswith("voice library: 2024-06-13-aflevering-1")
    assert [v for v, info in document["voices"].items() if info.get("library")] == [host]
    report = json.loads((later / "report.json").read_text())
    assert report["speakers"]["library"]["named"] == [f"{HOST.name} ({host}, from 2024-06-13-aflevering-1)"]
    assert not [w for w in report["warnings"] if "voice library" in w]  # the guest only sounds a bit like him
    monkeypatch.setenv("COLUMNS", "250")  # the status table wraps its cells to the terminal's width
    status = run_cli("status", later)
    assert status.returncode == 0 and "from voice library" in status.stdout and HOST.name in status.stdout

    # nothing changed: neither episode runs the stage again (an episode's own print does not make it stale)
    assert run_speakers(later) == "skipped"
    assert run_speakers(first) == "skipped"

    # `pipeline clean --all` never touches the show's library
    before = library.read_bytes()
    assert run_cli("clean", "--all", first).returncode == 0
    assert library.read_bytes() == before

    # unpinning in episode 1 removes its print; the later episode is stale because of it, episode 1 is not
    # (apart from its own pin edit)
    toml.write_text(toml.read_text().replace(f'"{label}" = "{HOST.name}"', ""))
    (first / "work").mkdir(exist_ok=True)  # clean --all removed work/: give the stage its inputs again
    put_speech(first_wav, first)
    transcript_from_truth(first_truth).save(first / "work" / "transcript.raw.json")
    assert run_speakers(first) == "done"
    assert not library.exists()
    assert stale_reason(later).startswith("options changed: library")
