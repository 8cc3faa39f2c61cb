"""ingest: probe and validate the source recording(s), join a multi-file take into a 16 kHz analysis proxy.

Reads:  the source files named in episode.toml (never modified, moved or re-encoded in place)
Writes: work/proxy.flac (16 kHz mono, the joined timeline: for analysis), work/ingest.json (the parts and their
        lengths, the format the show is rendered from)

No full-quality copy is kept: the encode stage streams the show from the sources themselves (one decode).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import fsutil, media
from pipeline.engine import Context, Outcome
from pipeline.errors import InputError
from pipeline.speechwav import RATE as SPEECH_RATE

NAME = "ingest"


@dataclass(frozen=True)
class Options:
    sources: tuple[str, ...]


def options(ctx: Context) -> Options:
    return Options(sources=tuple(str(p) for p in ctx.episode.sources))


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [Path(p) for p in opts.sources]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.proxy, ctx.paths.ingest_info]


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
    expected = sum(i.duration for i in infos)

    args: list[str] = []
    for path in sources:
        args += ["-i", str(path)]
    joined = "".join(f"[{i}:a:0]" for i in range(len(sources)))
    task = ctx.progress("Inlezen", expected)
    with fsutil.atomic_path(ctx.paths.proxy) as proxy:
        try:
            # osf=flt: soxr converts to s16 with random dither; float out, then s16, is the same every run
            media.ffmpeg([*args, "-filter_complex",
                          f"{joined}concat=n={len(sources)}:v=0:a=1,aresample={SPEECH_RATE}:resampler=soxr:osf=flt,"
                          f"aformat=sample_fmts=s16:channel_layouts=mono[px]",
                          "-map", "[px]", "-c:a", "flac", str(proxy)],
                         on_progress=task.update, what="reading the recording")
        except media.MediaError as exc:
            raise InputError(f"{', '.join(p.name for p in sources)}: could not be decoded ({exc}). "
                             "The file may be corrupt or truncated; copy it again from the recorder.") from None
        finally:
            task.close()
        try:
            decoded = media.probe(proxy).duration
        except media.MediaError:
            decoded = 0.0
        if decoded < expected - max(0.5, 0.01 * expected):
            raise InputError(f"{', '.join(p.name for p in sources)}: only {decoded:.1f} s of the "
                             f"{expected:.1f} s the file header promises could be read; the file is truncated or corrupt. "
                             "Copy it again from the recorder.")
    info = {
        "sources": [{"path": str(i.path), "codec": i.codec, "sample_rate": i.sample_rate, "channels": i.channels,
                     "duration": round(i.duration, 6), "bits": i.bits} for i in infos],
        "duration": round(decoded, 3),
        "render_from": {"sample_rate": rate, "channels": channels},
    }
    fsutil.write_json(ctx.paths.ingest_info, info)
    return Outcome(report={"source": info},
                   figures={"duration": f"{decoded / 60:.1f} min", "files": str(len(sources)),
                            "format": f"{rate} Hz {channels} ch"})
