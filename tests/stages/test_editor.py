"""The editor stage: the editors' transcript as .docx (read back with python-docx, converted by LibreOffice)
and Markdown, with one heading per chapter and the speaker turns in order."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import docx
import pytest

from pipeline import fsutil
from pipeline.engine import Engine, load_context
from pipeline.stages import editor
from pipeline.transcript import Segment, Transcript, Word
from tests.helpers import make_episode, make_show

BODY = textwrap.dedent("""
    [[people]]
    name = "Presentator"
    role = "host"
    about = "presentator van Burger Centraal"
    [[people]]
    name = "Marije Boerlaagh"
    about = "gebiedsmakelaar, gemeente Amsterdam"
    [[chapters]]
    title = "Opening"
    people = ["Presentator"]
    [[chapters]]
    title = "Marije aan het woord"
    people = ["Marije Boerlaagh"]
    [location]
    name = "EMMA, Wijnhaven 88, Den Haag"
    """)

LINES = [  # (start, end, text, voice)
    (0.5, 2.0, "Goedenavond allemaal.", "Spreker 1"), (2.2, 4.0, "Welkom bij Burger Centraal.", "Spreker 1"),
    (5.0, 7.0, "Marije, wat doe jij?", "Spreker 1"), (7.5, 9.0, "Ik werk in Zuidoost.", "Spreker 2"),
    (9.2, 11.0, "Ik luister naar bewoners .", "Spreker 2"), (11.5, 12.5, "Mooi.", "Spreker 1"),
]


def _segment(i: int, start: float, end: float, text: str) -> Segment:
    tokens = text.split()
    size = (end - start) / len(tokens)
    words = tuple(Word(start + k * size, start + (k + 1) * size, " " + t) for k, t in enumerate(tokens))
    return Segment(i, start, end, text, words)


@pytest.fixture
def episode(tmp_path: Path) -> Path:
    show = make_show(tmp_path / "show").parent
    source = tmp_path / "recording.wav"
    source.write_bytes(b"RIFF")
    folder = make_episode(show, "2024-06-13-test", [source], BODY)
    work = folder / "work"
    work.mkdir()
    Transcript("nl", 13.0, tuple(_segment(i, s, e, t) for i, (s, e, t, _) in enumerate(LINES))).save(
        work / "transcript.raw.json")
    fsutil.write_json(work / "speakers.json", {
        "version": 1, "turns": [{"start": s, "end": e, "voice": v} for s, e, _, v in LINES],
        "voices": {"Spreker 1": {"name": "Presentator"}, "Spreker 2": {"name": "Marije Boerlaagh"}}})
    fsutil.write_json(work / "chapters.json", [
        {"index": 0, "title": "Opening", "start": 0.0, "end": 5.0, "confidence": 1.0, "evidence": []},
        {"index": 1, "title": "Marije aan het woord", "start": 5.0, "end": 13.0, "confidence": 1.0, "evidence": []}])
    return folder


def run_editor(folder: Path) -> dict:
    engine = Engine(load_context(folder), [editor])
    engine.check()
    assert [r.status for r in engine.run()] == ["done"]
    return fsutil.read_json(folder / "report.json")


def test_docx_has_the_episode_a_heading_per_chapter_and_the_turns_in_order(episode):
    report = run_editor(episode)
    assert report["outputs"]["editor"] == {"docx": "editor/2024-06-13-test.docx", "md": "editor/2024-06-13-test.md"}
    document = docx.Document(str(episode / "editor" / "2024-06-13-test.docx"))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "Testaflevering")
    assert paragraphs[1][1] == "13 juni 2024 · EMMA, Wijnhaven 88, Den Haag"
    assert ("List Bullet", "Marije Boerlaagh (gast, gebiedsmakelaar, gemeente Amsterdam)") in paragraphs
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == ["Opening [00:00]", "Marije aan het woord [00:05]"]
    body = [text for style, text in paragraphs[paragraphs.index(("Heading 1", headings[0])):]
            if style == "Normal"]
    assert body == [
        "Presentator [00:00] Goedenavond allemaal. Welkom bij Burger Centraal.",
        "Presentator [00:05] Marije, wat doe jij?",
        "Marije Boerlaagh [00:07] Ik werk in Zuidoost. Ik luister naar bewoners.",
        "Presentator [00:11] Mooi.",
    ]
    first_turn = next(p for p in document.paragraphs if p.text.startswith("Presentator ["))
    assert first_turn.runs[0].bold and first_turn.runs[0].text == "Presentator"


def test_markdown_matches(episode):
    run_editor(episode)
    text = (episode / "editor" / "2024-06-13-test.md").read_text(encoding="utf-8")
    assert text.startswith("# Testaflevering\n\n*13 juni 2024 · EMMA, Wijnhaven 88, Den Haag*\n")
    assert text.count("\n## ") == 2
    assert text.index("## Opening [00:00]") < text.index("**Presentator** [00:00] Goedenavond allemaal.") \
        < text.index("## Marije aan het woord [00:05]") < text.index("**Marije Boerlaagh** [00:07] Ik werk")


def test_the_labelled_transcript_of_the_transcripts_stage_wins(episode):
    words = Transcript("nl", 13.0, (Segment(0, 0.5, 2.0, "Verbeterd door de redactie.", speaker="Mike Brantjes"),))
    words.save(episode / "transcript" / "2024-06-13-test.words.json")
    run_editor(episode)
    text = (episode / "editor" / "2024-06-13-test.md").read_text(encoding="utf-8")
    assert "**Mike Brantjes** [00:00] Verbeterd door de redactie." in text
    assert "Goedenavond" not in text


def test_without_chapters_one_section_and_a_warning(episode):
    (episode / "work" / "chapters.json").unlink()
    report = run_editor(episode)
    document = docx.Document(str(episode / "editor" / "2024-06-13-test.docx"))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["Gesprek [00:00]"]
    assert any("no chapter headings" in w for w in report["warnings"])


def test_libreoffice_converts_the_docx_to_pdf(episode, tmp_path):
    assert shutil.which("soffice"), "LibreOffice is missing: run scripts/install.sh (libreoffice-writer-nogui)"
    run_editor(episode)
    out = tmp_path / "pdf"
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(out),
                           str(episode / "editor" / "2024-06-13-test.docx")],
                          capture_output=True, text=True, timeout=180)
    pdf = out / "2024-06-13-test.pdf"
    assert proc.returncode == 0 and pdf.is_file(), proc.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000


def test_sections_merge_a_speakers_segments_and_split_long_turns():
    segments = tuple(Segment(i, i * 10.0, i * 10.0 + 9, f"Zin {i} .", speaker="A") for i in range(12))
    parts = editor.sections(Transcript("nl", 120.0, segments), [("Deel", 0.0)], paragraph_seconds=60.0)
    assert [(t.speaker, t.start) for t in parts[0].turns] == [("A", 0.0), ("A", 60.0)]
    assert parts[0].turns[0].text == "Zin 0. Zin 1. Zin 2. Zin 3. Zin 4. Zin 5."
