"""ingest: probe and validate the source recording(s), join a multi-file take, make master and proxy.

Reads:  the source files named in episode.toml (never modified, moved or re-encoded in place)
Writes: work/master.wav (full quality: the source rate and channels, joined in order),
        work/proxy.wav (16 kHz mono, same timeline: for analysis), work/ingest.json (what was found, and how
        much louder the master measures than the proxy)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import fsutil, media
from pipeline.engine import Context, Outcome
from pipeline.errors import InputError

NAME = "ingest"
VERSION = 2
PROXY_RATE = 16000


@dataclass(frozen=True)
class Options:
    sources: tuple[str, ...]


def options(ctx: Context) -> Options:
    return Options(sources=tuple(str(p) for p in ctx.episode.sources))


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [Path(p) for p in opts.sources]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.master, ctx.paths.proxy, ctx.paths.ingest_info]


def probe_sources(sources: list[Path]) -> list[media.AudioInfo]:
    """Probe every source; InputError naming the file for anything that is not usable audio."""
    infos = []
    for path in sources:
        try:
            infos.append(media.probe(path))
        except media.MediaError as exc:
            raise InputError(f"{exc}. Check the file named in episode.toml `source`.") from None
    return infos


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
    infos = probe_sources([Path(p) for p in opts.sources])
    if len(infos) > 1:
        check_parts_match(infos)


def master_format(infos: list[media.AudioInfo]) -> tuple[int, int, str]:
    """Sample rate, channels (at most 2) and PCM codec of the master: no quality lost, no needless size."""
    first = infos[0]
    codec = "pcm_s24le" if max(i.bits for i in infos) > 16 else "pcm_s16le"
    return first.sample_rate, min(first.channels, 2), codec


def run(ctx: Context, opts: Options) -> Outcome:
    sources = [Path(p) for p in opts.sources]
    infos = probe_sources(sources)
    if len(infos) > 1:
        check_parts_match(infos)
    rate, channels, codec = master_format(infos)
    expected = sum(i.duration for i in infos)

    args: list[str] = []
    for path in sources:
        args += ["-i", str(path)]
    joined = "".join(f"[{i}:a:0]" for i in range(len(sources)))
    layout = "mono" if channels == 1 else "stereo"
    graph = (f"{joined}concat=n={len(sources)}:v=0:a=1,aformat=channel_layouts={layout},asplit=3[m][p][l];"
             # osf=flt: soxr converts to s16 with random dither; float out, then s16, is the same every run
             f"[p]aresample={PROXY_RATE}:resampler=soxr:osf=flt,aformat=sample_fmts=s16:channel_layouts=mono[px];"
             f"[l]ebur128=framelog=verbose[lo]")
    task = ctx.progress("Inlezen", expected)
    with fsutil.atomic_path(ctx.paths.master) as master, fsutil.atomic_path(ctx.paths.proxy) as proxy:
        try:
            stderr = media.ffmpeg([*args, "-filter_complex", graph,
                                   "-map", "[m]", "-c:a", codec, "-ar", str(rate), "-rf64", "auto", str(master),
                                   "-map", "[px]", "-c:a", "pcm_s16le", str(proxy), "-map", "[lo]", "-f", "null",
                                   "-"], on_progress=task.update, what="reading the recording")
        except media.MediaError as exc:
            raise InputError(f"{', '.join(p.name for p in sources)}: could not be decoded ({exc}). "
                             "The file may be corrupt or truncated; copy it again from the recorder.") from None
        finally:
            task.close()
        try:
            decoded = media.probe(master).duration
        except media.MediaError:
            decoded = 0.0
        if decoded < expected - max(0.5, 0.01 * expected):
            raise InputError(f"{', '.join(p.name for p in sources)}: only {decoded:.1f} s of the "
                             f"{expected:.1f} s the file header promises could be read; the file is truncated or corrupt. "
                             "Copy it again from the recorder.")
    # How much louder the full-quality master measures than the mono 16 kHz proxy: the stages that decide on the
    # proxy (normalise) use it to speak about the master.
    master_level = media.parse_ebur128_summaries(stderr)[-1].integrated
    proxy_level = media.measure_loudness(ctx.paths.proxy, true_peak=False).integrated
    offset = master_level - proxy_level if master_level > -70 and proxy_level > -70 else 0.0
    info = {
        "proxy_offset_db": round(offset, 2),
        "sources": [{"path": str(i.path), "codec": i.codec, "sample_rate": i.sample_rate, "channels": i.channels,
                     "duration": round(i.duration, 3), "bits": i.bits} for i in infos],
        "duration": round(decoded, 3),
        "master": {"sample_rate": rate, "channels": channels, "codec": codec},
    }
    fsutil.write_json(ctx.paths.ingest_info, info)
    return Outcome(report={"source": info},
                   figures={"duration": f"{decoded / 60:.1f} min", "files": str(len(sources)),
                            "format": f"{rate} Hz {channels} ch"})
