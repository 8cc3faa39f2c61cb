"""The stages in the order they run. Each module follows the contract documented in pipeline/engine.py."""

from __future__ import annotations

from types import ModuleType


def all_stages() -> list[ModuleType]:
    from pipeline.stages import encode, ingest, normalise, tag, trim
    from pipeline.stages import publish

    return [ingest, trim, normalise, encode, tag, publish]
