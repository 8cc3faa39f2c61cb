"""tag: the published MP3: the encoded audio with ID3v2.4 tags, cover art and chapters.

Reads:  <slug>.mp3 (as the encode stage left it, or tagged by an earlier run: only its audio frames are used),
        the show's cover image, work/chapters.json (when the chapters stage has run)
Writes: <slug>.mp3 with the tags (the audio frames copied with the new tag in front, then renamed over the old
        file: a crash leaves the file as it was), and chapters.json (Podcasting 2.0 JSON chapters) when there
        are chapters: both carry the chapter titles of episode.toml as they are now

Tags: title, show (album), host/artist, date, episode number, description, genre Podcast, language,
copyright, cover (APIC), the podcast frames Apple reads (PCST, TDES, TGID, WFED, TCAT), and chapters as
CHAP frames with TIT2 (and WXXX for a chapter link) under a CTOC with TOP_LEVEL|ORDERED, in time order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from mutagen.id3 import (APIC, CHAP, COMM, CTOC, ID3, PCST, TALB, TCAT, TCON, TCOP, TDES, TDRC, TGID, TIT2,
                         TLAN, TPE1, TPE2, TPOS, TRCK, WFED, WXXX, CTOCFlags)
from mutagen.mp3 import MP3

from pipeline import fsutil, id3order, identity
from pipeline.chapter import Chapter, current, report_section, write_podcasting_json
from pipeline.engine import Context, Outcome

NAME = "tag"


@dataclass(frozen=True)
class Options:
    title: str
    show: str
    artist: str
    album_artist: str
    date: str
    number: int | None
    season: int | None
    description: str
    copyright: str
    language: str
    category: str
    feed_url: str
    guid: str
    chapter_titles: tuple[str, ...]
    chapter_urls: tuple[str | None, ...]
    chapter_images: tuple[str | None, ...]


def options(ctx: Context) -> Options:
    show, episode = ctx.show.show, ctx.episode
    hosts = [p.name for p in episode.hosts] or [h.name for h in show.hosts] or [show.author]
    return Options(
        title=episode.title, show=show.title, artist=", ".join(hosts), album_artist=show.author,
        date=episode.date.isoformat(), number=episode.number, season=episode.season,
        description=episode.description, copyright=show.copyright, language=show.language,
        category=show.category, feed_url=identity.feed_url(ctx.show),
        guid=identity.episode_guid(ctx.show, ctx.episode),  # the feed's item guid: apps match the file to it
        chapter_titles=tuple(c.title for c in episode.chapters),
        chapter_urls=tuple(c.url for c in episode.chapters),
        chapter_images=tuple(c.img for c in episode.chapters),
    )


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.audio, ctx.show.show.image, ctx.paths.chapters_work]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    # an episode without [[chapters]] has an empty work/chapters.json and publishes no chapter file
    with_chapters = [ctx.paths.chapters_json] if opts.chapter_titles and ctx.paths.chapters_work.exists() else []
    return [ctx.paths.audio, *with_chapters]


ISO639_2 = {"nl": "dut", "en": "eng", "de": "ger", "fr": "fre", "fy": "fry"}


def chapter_marks(chapters: list[Chapter], duration: float) -> list[Chapter]:
    """The chapters as ID3 marks: each ending where the next begins, the last at the end of the audio (pure)."""
    marks = []
    for i, chapter in enumerate(chapters):
        end = chapters[i + 1].start if i + 1 < len(chapters) else duration
        marks.append(replace(chapter, end=max(end, chapter.start)))
    return marks


def build_tags(opts: Options, cover: bytes, cover_mime: str, marks: list[Chapter]) -> ID3:
    lang = ISO639_2.get(opts.language, "und")
    tags = ID3()
    tags.add(TIT2(encoding=3, text=opts.title))
    tags.add(TALB(encoding=3, text=opts.show))
    tags.add(TPE1(encoding=3, text=opts.artist))
    tags.add(TPE2(encoding=3, text=opts.album_artist))
    tags.add(TDRC(encoding=3, text=opts.date))
    if opts.number is not None:
        tags.add(TRCK(encoding=3, text=str(opts.number)))
    if opts.season is not None:
        tags.add(TPOS(encoding=3, text=str(opts.season)))
    tags.add(TCON(encoding=3, text="Podcast"))
    tags.add(TLAN(encoding=3, text=lang))
    tags.add(TCOP(encoding=3, text=opts.copyright))
    tags.add(COMM(encoding=3, lang=lang, desc="", text=opts.description))
    tags.add(TDES(encoding=3, text=opts.description))
    tags.add(TCAT(encoding=3, text=opts.category))
    tags.add(TGID(encoding=3, text=opts.guid))
    tags.add(WFED(encoding=3, url=opts.feed_url))
    tags.add(PCST(value=1))
    tags.add(APIC(encoding=3, mime=cover_mime, type=3, desc="Cover", data=cover))
    if marks:
        ids = [f"ch{i:02d}" for i in range(len(marks))]
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                      sub_frames=[TIT2(encoding=3, text="Hoofdstukken")]))
        for element_id, mark in zip(ids, marks):
            sub = [TIT2(encoding=3, text=mark.title)]
            if mark.url:
                sub.append(WXXX(encoding=3, desc="chapter url", url=mark.url))
            tags.add(CHAP(element_id=element_id, start_time=int(round(mark.start * 1000)),
                          end_time=int(round(mark.end * 1000)), start_offset=0xFFFFFFFF,
                          end_offset=0xFFFFFFFF, sub_frames=sub))
    return tags


def run(ctx: Context, opts: Options) -> Outcome:
    image = ctx.show.show.image
    cover_mime = "image/png" if image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    duration = MP3(ctx.paths.audio).info.length
    # detected starts with the current titles of episode.toml
    resolved = current(ctx.episode.chapters, ctx.paths.chapters_work)
    marks = chapter_marks(resolved, duration)
    with fsutil.atomic_path(ctx.paths.audio) as tmp:
        id3order.copy_audio(ctx.paths.audio, tmp)  # without the old tags: tagging again gives the same file
        build_tags(opts, image.read_bytes(), cover_mime, marks).save(tmp, v2_version=4)
        id3order.reorder_chapters_in_file(tmp)
    info = MP3(ctx.paths.audio).info
    audio = {"duration": round(info.length, 3), "bytes": ctx.paths.audio.stat().st_size,
             "bitrate": info.bitrate // 1000, "sample_rate": info.sample_rate, "channels": info.channels}
    report, named = {"audio": audio}, {"audio": ctx.paths.audio}
    if resolved:  # the chapters stage leaves titles out of its work, so the published chapter files are made here
        write_podcasting_json(ctx.paths.chapters_json, resolved)
        report["chapters"] = report_section(resolved)
        named["chapters"] = ctx.paths.chapters_json
    else:  # the plan lost its chapters since an earlier run: its chapter file must not be published
        ctx.paths.chapters_json.unlink(missing_ok=True)
    return Outcome(report=report, outputs=named,
                   figures={"size": f"{audio['bytes'] / 1e6:.1f} MB", "chapters": str(len(marks))})
