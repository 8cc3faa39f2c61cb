"""The stages in the order they run. Each module follows the contract documented in pipeline/engine.py.

The order: ingest, trim, normalise, encode, transcribe, speakers, chapters, transcripts, editor, tag, publish
(this episode's part of the site), then feed (a show-level stage: feed.xml and the show page).
"""

from __future__ import annotations

from types import ModuleType


def all_stages() -> list[ModuleType]:
    from pipeline.stages import encode, ingest, normalise, publish, tag, transcribe, transcripts, trim
    from pipeline.stages import chapters, editor, feed, speakers

    return [ingest, trim, normalise, encode, transcribe, speakers, chapters, transcripts, editor, tag, publish, feed]
