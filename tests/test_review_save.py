"""The review studio's saves (pipeline/review/save.py) without a server: episode.toml keeps every comment and
its layout after many saves, the pipeline's own loader reads back exactly what was saved, a transcript line
changes only its stretch of corrections.txt; and `pipeline review` on a port in use is one line, exit 2."""

from __future__ import annotations

import json
import wave

import pytest

from pipeline import fsutil
from pipeline.config import load_episode
from showgen.demo_scene import episode_plan_toml
from pipeline.engine import load_context
from pipeline.review import save
from tests.helpers import make_episode, make_show

COMMENTS = ["# Top: written by the producer before the first run.", "# Before the people.",
            "# Inside the second chapter."]


@pytest.fixture
def episode(tmp_path):
    show = tmp_path / "show"
    make_show(show)
    recording = tmp_path / "recording.wav"
    with wave.open(str(recording), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(b"\0\0" * 16000)
    plan = episode_plan_toml().replace("[[people]]", COMMENTS[1] + "\n[[people]]", 1)
    plan = plan.replace('title = "Marije en Mike', COMMENTS[2] + '\ntitle = "Marije en Mike', 1)
    plan = plan.replace('title = "Opening"', 'title = "Opening"  # the inline comment stays too', 1)
    folder = make_episode(show, "aflevering", [recording], COMMENTS[0] + "\n" + plan)
    # what earlier stages wrote, as far as the saves read it: lengths, chapter starts, the voices found
    fsutil.write_json(folder / "report.json", {"audio": {"duration": 600.0}})
    fsutil.write_json(folder / "work" / "trim.json", {"start": 20.0, "end": 640.0, "source_duration": 700.0})
    fsutil.write_json(folder / "work" / "chapters.json", [{"start": s, "end": e} for s, e in
                                                        ((0.0, 100.0), (100.0, 300.0), (300.0, 500.0), (500.0, 600.0))])
    fsutil.write_json(folder / "work" / "speakers.json", {"voices": {f"Spreker {i}": {"name": f"Spreker {i}"}
                                                                      for i in (1, 2, 3)}, "turns": []})
    return folder


def test_many_saves_keep_every_comment_and_read_back_exactly(episode):
    people = [p.name for p in load_episode(episode).people]
    for round_ in range(12):
        ctx = load_context(episode)
        save.set_chapter_start(ctx, 2, {"start": 100.0 + round_ + 0.25})
        save.set_chapter_start(load_context(episode), 3, {"start": 300.0 + round_})
        save.set_voice(load_context(episode), f"Spreker {round_ % 3 + 1}", {"name": people[round_ % len(people)]})
        save.set_trim(load_context(episode), {"start": 10.0 + round_, "end": None if round_ % 2 else 650.5})
    text = (episode / "episode.toml").read_text(encoding="utf-8")
    for comment in COMMENTS:
        assert text.count(comment) == 1
    assert 'title = "Opening"  # the inline comment stays too' in text
    loaded = load_episode(episode)
    assert [c.start for c in loaded.chapters] == [None, 111.25, 311.0, None]
    assert loaded.speakers == {"Spreker 1": people[9 % 5], "Spreker 2": people[10 % 5], "Spreker 3": people[11 % 5]}
    assert (loaded.trim.start, loaded.trim.end) == (21.0, None)
    # unpinning and clearing remove the keys, and the empty tables with them
    for i in (1, 2, 3):
        save.set_voice(load_context(episode), f"Spreker {i}", {"name": None})
    save.set_trim(load_context(episode), {"start": None, "end": None})
    save.set_chapter_start(load_context(episode), 2, {"start": None})
    text = (episode / "episode.toml").read_text(encoding="utf-8")
    assert "[speakers]" not in text and "[trim]" not in text and 'start = "00:01:41.250"' not in text
    assert all(text.count(comment) == 1 for comment in COMMENTS)


@pytest.mark.parametrize("n, body, status", [
    (2, {"start": 600.0}, 422),  # the end of the published audio
    (2, {"start": 300.0}, 422),  # not before chapter 3
    (1, {"start": 5.0}, 422),  # chapter 1 starts at 0
    (2, {"start": float("inf")}, 400),
    (2, {"start": True}, 400),
    (2, {}, 400),
    (5, {"start": 10.0}, 404),
])
def test_bad_chapter_starts_write_nothing(episode, n, body, status):
    before = (episode / "episode.toml").read_bytes()
    with pytest.raises(save.ReviewError) as refused:
        save.set_chapter_start(load_context(episode), n, body)
    assert refused.value.status == status and "\n" not in str(refused.value)
    assert (episode / "episode.toml").read_bytes() == before
    assert not (episode / "review").exists()


def test_a_transcript_line_lands_in_its_block_and_nowhere_else(episode):
    from pipeline import transcript_corrections as corr
    from pipeline import transcript_formats as fmt
    from pipeline.transcript import Segment, Transcript, Word

    def segment(i, start, text, said=None):
        tokens = (said or text).split()
        words = tuple(Word(round(start + k * 0.4, 3), round(start + k * 0.4 + 0.3, 3), " " + t, 0.9)
                      for k, t in enumerate(tokens))
        return Segment(i, start, words[-1].end, " " + text, words, "Presentator")

    long_text = ("Goedenavond allemaal en welkom bij Burger Centraal. Vanavond praten we over de K-Buurt "
                 "in Amsterdam Zuidoost en over vertrouwen tussen ambtenaar en inwoner.")
    transcript = Transcript("nl", 60.0, (
        segment(0, 1.0, long_text),
        segment(1, 30.0, "Hallo, wereld.", said="Hallo wereld"),  # the text's punctuation, not the words'
    ))
    paths = load_context(episode).paths
    fsutil.write_text(paths.transcript_file("json"), fmt.podcast_json(transcript))
    transcript.save(paths.transcript)
    original = corr.render(transcript, "Testaflevering").replace("\n\n", "\n\n# een notitie\n", 1)
    fsutil.write_text(paths.corrections, original)
    cues = json.loads(paths.transcript_file("json").read_text(encoding="utf-8"))["segments"]
    assert len(cues) > 2 and cues[0]["body"] != long_text  # the long segment is cut into several cues
    n = next(n for n, cue in enumerate(cues, start=1) if "K-Buurt" in cue["body"])
    assert n > 1
    save.set_transcript_line(load_context(episode), n, {"text": cues[n - 1]["body"].replace("K-Buurt", "Kbuurt")})
    save.set_transcript_line(load_context(episode), len(cues), {"text": "Hallo, Den Haag."})
    text = paths.corrections.read_text(encoding="utf-8")
    assert text == original.replace("de K-Buurt", "de Kbuurt").replace("Hallo, wereld.", "Hallo, Den Haag.")
    found = corr.corrections(corr.parse(text, "c"), corr.base_of(transcript, corr.render(transcript, "Testaflevering"),
                                                                 "a"), transcript)
    result = corr.apply(transcript, corr.place(transcript, found))
    assert [s.text.strip() for s in result.segments] == [long_text.replace("K-Buurt", "Kbuurt"), "Hallo, Den Haag."]


def test_review_on_a_port_in_use_is_one_line_and_exit_2(episode):
    import socket

    from tests.helpers import run_cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_cli("review", episode, "--port", str(taken.getsockname()[1]))
    assert result.returncode == 2 and "cannot listen on 127.0.0.1:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "token" not in result.stdout


def test_confirming_a_voice_pins_the_name_it_was_given(episode):
    fsutil.write_json(episode / "work" / "speakers.json", {"turns": [], "voices": {
        "Spreker 1": {"name": "Spreker 1"}, "Spreker 2": {"name": "Mike Brantjes", "confidence": 0.56}}})
    before = (episode / "episode.toml").read_text(encoding="utf-8")
    with pytest.raises(save.ReviewError, match="no person's name to confirm") as refused:
        save.confirm_voice(load_context(episode), "Spreker 1", {})
    assert refused.value.status == 422
    with pytest.raises(save.ReviewError) as missing:
        save.confirm_voice(load_context(episode), "Spreker 9", {})
    assert missing.value.status == 404
    assert (episode / "episode.toml").read_text(encoding="utf-8") == before  # refused: nothing written
    save.confirm_voice(load_context(episode), "Spreker 2", {})
    assert load_episode(episode).speakers == {"Spreker 2": "Mike Brantjes"}
