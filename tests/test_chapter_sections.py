"""One rule puts a transcript line under a chapter: the editors' Markdown (editor stage), the text transcript
(transcripts stage) and the episode page (publish) agree, line by line, also for lines that start just before
or just after a chapter's cut (where Whisper's timing and the chapter's snap to a pause disagree a little)."""

from __future__ import annotations

import json
import re

from pipeline import transcript_formats as formats
from pipeline.publish.model import Chapter
from pipeline.publish.pages import Heading, transcript_blocks
from pipeline.stages import editor
from pipeline.transcript import Segment, Transcript, Word, chapter_of

CHAPTERS = (("Opening", 0.0), ("Deel een", 20.0), ("Deel twee", 40.0), ("Afsluiting", 60.0))
# (speaker, start, end, one unique word): around each cut, lines from well before to just after it
LINES = [("A", 1.0, 5.0, "alfa"), ("A", 18.2, 19.0, "bravo"), ("B", 19.7, 22.0, "charlie"),
         ("B", 25.0, 30.0, "delta"), ("C", 39.0, 39.45, "echo"), ("C", 39.6, 43.0, "foxtrot"),
         ("A", 50.0, 59.0, "golf"), ("A", 59.6, 61.0, "hotel"), ("A", 60.2, 63.0, "india")]


def transcript() -> Transcript:
    segments = tuple(Segment(i, start, end, f" {word}.", (Word(start, end, f" {word}.", 0.9),), speaker=who)
                     for i, (who, start, end, word) in enumerate(LINES))
    return Transcript("nl", 70.0, segments)


def placed(text: str, heading: re.Pattern) -> dict[str, str]:
    """word -> the title of the last heading above it, read from rendered text."""
    where, title = {}, None
    for line in text.splitlines():
        if match := heading.match(line):
            title = match.group(1)
            continue
        for _, _, _, word in LINES:
            if re.search(rf"\b{word}\b", line):
                where[word] = title
    return where


def test_the_markdown_the_text_file_and_the_page_put_every_line_under_the_same_chapter():
    tr = transcript()
    opts = editor.Options(title="T", date="2024-06-13", venue=None, people=(), chapter_titles=())
    markdown = editor.markdown(opts, editor.sections(tr, CHAPTERS))
    in_markdown = placed(markdown, re.compile(r"^## (.+) \[\d\d:\d\d\]$"))

    text = formats.plain_text(tr, "T", [formats.Heading(t, s) for t, s in CHAPTERS])
    in_text = placed(text, re.compile(r"^## \d\d:\d\d (.+)$"))

    page_segments = json.loads(formats.podcast_json(tr))["segments"]  # what the page is built from
    in_page, title = {}, None
    for block in transcript_blocks(page_segments, tuple(Chapter(s, t) for t, s in CHAPTERS)):
        if isinstance(block, Heading):
            title = block.title
        else:
            for line in block.lines:
                for word in re.findall(r"\w+", line.text):
                    in_page[word] = title

    starts = [s for _, s in CHAPTERS]
    rule = {word: CHAPTERS[chapter_of(start, starts)][0] for _, start, _, word in LINES}
    assert in_markdown == in_text == in_page == rule
    # the rule itself: a line belongs to the chapter it starts in, with half a second for Whisper's timing
    assert rule["bravo"] == "Opening" and rule["charlie"] == "Deel een"  # 1.8 s / 0.3 s before the cut
    assert rule["echo"] == "Deel een" and rule["foxtrot"] == "Deel twee"
    assert rule["golf"] == "Deel twee" and rule["hotel"] == rule["india"] == "Afsluiting"
