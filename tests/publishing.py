"""Test helpers for publishing: a show config and produced episode folders, as the stages leave them.

An episode gets a real MP3 (ffmpeg: a tone with a pause, 12 s, mono 64 kbps), Podcasting 2.0 JSON transcript
with three speakers, WebVTT, SRT and plain text transcripts, Podcasting 2.0 chapters (0, 5, 9 s), a
report.json whose "outputs" list them, the way the engine writes it, and the tag stage's record of the MP3 in
work/manifest.json (publishing puts only the MP3 that record describes on the site). The recording itself is not there
(publishing does not need it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COVER = ROOT / "assets" / "cover.png"
BASE_URL = "https://podcast.example.nl/burger/"

SEGMENTS = [
    # (speaker, start, end, text)
    ("Presentator", 0.0, 2.0, "Welkom bij Burger Centraal."),
    ("Presentator", 2.0, 4.6, "Vandaag praten we over vertrouwen."),
    ("Marije Boerlaagh", 5.0, 7.0, "In de K-Buurt schreven bewoners de verordening."),
    ("Mike Brantjes", 7.0, 8.8, "En de ambtenaren reageerden daarop."),
    ("Presentator", 9.0, 11.5, "Dank jullie wel, tot de volgende keer."),
]
CHAPTERS = [(0.0, "Opening"), (5.0, "Marije en Mike: de K-Buurt schrijft de participatieverordening"),
            (9.0, "Afsluiting")]
MP3_SECONDS = 12.0


def make_mp3(path: Path, seconds: float = MP3_SECONDS) -> Path:
    """A real MP3: a 330 Hz tone with a one-second pause in the middle (ffmpeg, libmp3lame)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}",
         "-af", "volume=enable='between(t,5,6)':volume=0", "-ac", "1", "-ar", "44100", "-c:a", "libmp3lame",
         "-b:a", "64k", str(path)],
        check=True)
    return path


def make_show(folder: Path, base_url: str = BASE_URL, extra: str = "", cover: Path = COVER) -> Path:
    """config.toml in `folder` (episodes/ and feed/ beside it) with the project's cover art; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / cover.name
    if not target.exists():
        shutil.copy(cover, target)
    (folder / "episodes").mkdir(exist_ok=True)
    config = folder / "config.toml"
    config.write_text(textwrap.dedent(f"""
        [show]
        title = "Burger Centraal"
        description = "De live podcast van Ambtenaar van Nu over vertrouwen tussen ambtenaar en burger."
        author = "Ambtenaar van Nu"
        owner_name = "Ambtenaar van Nu"
        owner_email = "podcast@example.nl"
        image = "{cover.name}"
        base_url = "{base_url}"
        copyright = "© 2024 Ambtenaar van Nu"
        category = "Government"
    """) + textwrap.dedent(extra) + textwrap.dedent("""
        [paths]
        episodes = "episodes"
        feed = "feed"
    """), encoding="utf-8")
    return config


def record_tagged(folder: Path) -> None:
    """Record the episode's MP3 as the tag stage does when it has written it: its outcome names the file as the
    "audio" output and its outputs hold the file's SHA-256 (the engine's Manifest writes the file)."""
    from pipeline.engine import Manifest
    from pipeline.layout import EpisodePaths

    paths = EpisodePaths.for_dir(folder)
    manifest = Manifest(paths.root, paths.manifest)
    key = manifest.key(paths.audio)
    manifest.stages["tag"] = {"outcome": {"outputs": {"audio": key}}, "outputs": {key: manifest.digest(paths.audio)}}
    paths.work.mkdir(exist_ok=True)
    manifest.save()


def _vtt(segments) -> str:
    def stamp(t):
        return f"00:00:{int(t):02d}.{int(round(t % 1 * 1000)):03d}"
    cues = [f"{stamp(s)} --> {stamp(e)}\n<v {who}>{text}" for who, s, e, text in segments]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def _srt(segments) -> str:
    def stamp(t):
        return f"00:00:{int(t):02d},{int(round(t % 1 * 1000)):03d}"
    return "\n".join(f"{i}\n{stamp(s)} --> {stamp(e)}\n{who}: {text}\n"
                     for i, (who, s, e, text) in enumerate(segments, 1))


def make_episode(show_dir: Path, slug: str = "2024-06-13-burger-centraal", date: str = "2024-06-13",
                 number: int | None = 1, title: str = "Burger Centraal: vertrouwen tussen ambtenaar en burger",
                 extra: str = "", transcripts: bool = True, chapters: bool = True, report: bool = True,
                 mp3: Path | None = None) -> Path:
    """A produced episode folder under show_dir/episodes; returns the folder."""
    folder = show_dir / "episodes" / slug
    folder.mkdir(parents=True, exist_ok=True)
    number_line = f"number = {number}\nseason = 1\n" if number is not None else ""
    (folder / "episode.toml").write_text(
        f'title = "{title}"\ndate = {date}\n{number_line}source = "recording.flac"\n'
        'description = """\nLive opgenomen bij EMMA aan de Wijnhaven 88 in Den Haag.\n\n'
        'Over vertrouwen tussen ambtenaar en burger."""\n' + textwrap.dedent(extra) + textwrap.dedent("""
        [[people]]
        name = "Presentator"
        role = "host"
        about = "presentator van Burger Centraal"

        [[people]]
        name = "Marije Boerlaagh"
        role = "guest"
        about = "gebiedsmakelaar, gemeente Amsterdam"
        href = "https://example.nl/marije"

        [[people]]
        name = "Mike Brantjes"
        role = "guest"
        about = "Hart voor de K-Buurt, Amsterdam Zuidoost"
        img = "https://example.nl/mike.jpg"

        [location]
        name = "EMMA, Wijnhaven 88, Den Haag"
        geo = "geo:52.0775,4.3176"
        osm = "W123456789"
        """), encoding="utf-8")
    audio = folder / f"{slug}.mp3"
    if mp3 is not None:
        shutil.copy(mp3, audio)
    else:
        make_mp3(audio)
    outputs: dict = {"audio": audio.name}
    if transcripts:
        tdir = folder / "transcript"
        tdir.mkdir(exist_ok=True)
        (tdir / f"{slug}.json").write_text(json.dumps({"version": "1.0.0", "segments": [
            {"speaker": who, "startTime": s, "endTime": e, "body": text} for who, s, e, text in SEGMENTS]}),
            encoding="utf-8")
        (tdir / f"{slug}.vtt").write_text(_vtt(SEGMENTS), encoding="utf-8")
        (tdir / f"{slug}.srt").write_text(_srt(SEGMENTS), encoding="utf-8")
        (tdir / f"{slug}.txt").write_text("\n".join(f"{who}: {text}" for who, _, _, text in SEGMENTS) + "\n",
                                          encoding="utf-8")
        outputs["transcripts"] = {fmt: f"transcript/{slug}.{fmt}" for fmt in ("vtt", "srt", "json", "txt")}
    if chapters:
        (folder / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": [
            {"startTime": start, "title": name} for start, name in CHAPTERS]}), encoding="utf-8")
        outputs["chapters"] = "chapters.json"
    if report:
        (folder / "report.json").write_text(json.dumps({
            "episode": slug, "outputs": outputs,
            "audio": {"duration": MP3_SECONDS, "bytes": audio.stat().st_size, "bitrate": 64},
            "chapters": [{"title": name, "start": start, "confidence": 1.0, "evidence": []}
                         for start, name in CHAPTERS]}), encoding="utf-8")
        record_tagged(folder)
    return folder
