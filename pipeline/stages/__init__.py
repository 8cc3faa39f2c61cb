"""The stages in the order they run. Each module follows the contract documented in pipeline/engine.py.

Planned order: ingest, trim, normalise, encode, transcribe, speakers, chapters, transcripts, editor, tag,
publish. Stages whose work is still in progress are not listed yet.
"""

from __future__ import annotations

from types import ModuleType


def all_stages() -> list[ModuleType]:
    from pipeline.stages import encode, ingest, normalise, publish, tag, transcribe, transcripts, trim
    from pipeline.stages import chapters, editor, speakers

    return [ingest, trim, normalise, encode, transcribe, speakers, chapters, transcripts, editor, tag, publish]
