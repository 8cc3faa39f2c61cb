"""ingest: probe and validate the source recording(s): the parts of one take, their lengths and format.

Reads:  the source files named in episode.toml (never modified, moved or re-encoded in place)
Writes: work/ingest.json (the parts and their lengths, the format the show is rendered from)

No copy of the audio is kept: trim and normalise read the sources through the 16 kHz fold-down
(media.SPEECH_FILTER), the encode stage streams the show from them at full quality. A body that does not
decode is found by the first stage that decodes it (trim), with the same one-line message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import fsutil, media
from pipeline.engine import Context, Outcome
from pipeline.errors import InputError

NAME = "ingest"


@dataclass(frozen=True)
class Options:
    sources: tuple[str, ...]


def options(ctx: Context) -> Options:
    return Options(sources=tuple(str(p) for p in ctx.episode.sources))


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [Path(p) for p in opts.sources]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.ingest_info]


def check_parts_match(infos: list[media.AudioInfo]) -> None:
    """A multi-file take must be one recording: same sample rate and channel count in every part."""
    first = infos[0]
    for info in infos[1:]:
        if (info.sample_rate, info.channels) != (first.sample_rate, first.channels):
            raise InputError(
                f"{info.path.name} does not match {first.path.name}: {info.sample_rate} Hz / {info.channels} ch "
                f"vs {first.sample_rate} Hz / {first.channels} ch. The parts of one take must come from the "
                "same recorder settings; list only the parts of one take in `source`.")


def check(ctx: Context, opts: Options) -> None:
    infos = media.probe_sources([Path(p) for p in opts.sources])
    if len(infos) > 1:
        check_parts_match(infos)


def source_format(infos: list[media.AudioInfo]) -> tuple[int, int]:
    """Sample rate and channels (at most 2) the show is rendered from."""
    return infos[0].sample_rate, min(infos[0].channels, 2)


def run(ctx: Context, opts: Options) -> Outcome:
    sources = [Path(p) for p in opts.sources]
    infos = media.probe_sources(sources)
    if len(infos) > 1:
        check_parts_match(infos)
    rate, channels = source_format(infos)
    duration = sum(i.duration for i in infos)
    info = {
        "sources": [{"path": str(i.path), "codec": i.codec, "sample_rate": i.sample_rate, "channels": i.channels,
                     "duration": round(i.duration, 6), "bits": i.bits} for i in infos],
        "duration": round(duration, 3),
        "render_from": {"sample_rate": rate, "channels": channels},
    }
    fsutil.write_json(ctx.paths.ingest_info, info)
    ctx.paths.proxy.unlink(missing_ok=True)  # the 16 kHz copy older versions kept: read from the source now
    return Outcome(report={"source": info},
                   figures={"duration": f"{duration / 60:.1f} min", "files": str(len(sources)),
                            "format": f"{rate} Hz {channels} ch"})
