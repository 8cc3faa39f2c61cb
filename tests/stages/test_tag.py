"""tag: ID3 tags and cover read by ffprobe and mutagen; chapters in time order for ffprobe."""

from __future__ import annotations

import subprocess

import pytest

from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags
from mutagen.mp3 import MP3

from pipeline.id3order import reorder_chapters_in_file
from tests.helpers import COVER, ffprobe
from tests.stages.audio_path import run_audio_path


def test_tags_and_cover_readable(audio_path_run):
    folder = audio_path_run.fresh()
    with open(folder / "episode.toml", "a", encoding="utf-8") as plan:
        plan.write('[[people]]\nname = "Anne Host"\nrole = "host"\n')
    # a person added after the audio was made: only the tags are written again
    assert run_audio_path(folder) == {"ingest": "skipped", "trim": "skipped", "normalise": "skipped",
                                      "encode": "skipped", "tag": "done"}
    mp3 = folder / "ep.mp3"
    probe = ffprobe(mp3, "-show_format", "-show_streams")
    tags = probe["format"]["tags"]
    assert tags["title"] == "Testaflevering" and tags["album"] == "Testshow" and tags["artist"] == "Anne Host"
    assert tags["genre"] == "Podcast" and tags["track"] == "1" and tags["date"] == "2024-06-13"
    pictures = [s for s in probe["streams"] if s.get("disposition", {}).get("attached_pic")]
    assert pictures and pictures[0]["codec_name"] == "png"
    id3 = ID3(mp3)
    assert id3.getall("APIC")[0].data == COVER.read_bytes()
    assert id3.getall("PCST") and str(id3["TDES"]) == "Een aflevering om mee te testen."
    assert MP3(mp3).info.length > 60


def test_chapter_frames_listed_in_time_order(tmp_path):
    mp3 = tmp_path / "c.mp3"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=30", "-c:a", "libmp3lame",
                    str(mp3)], check=True)
    # titles of very different lengths: mutagen orders frames by size (mutagen#506), i.e. not by time
    titles = ["Een heel lange titel voor de opening van de show", "Kort", "Middellange titel", "X"]
    starts = [0, 7000, 15000, 22000]
    tags = ID3()
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=[f"ch{i}" for i in range(4)], sub_frames=[TIT2(text="toc")]))
    for i, (title, start) in enumerate(zip(titles, starts)):
        end = starts[i + 1] if i + 1 < 4 else 30000
        tags.add(CHAP(element_id=f"ch{i}", start_time=start, end_time=end, sub_frames=[TIT2(text=title)]))
    tags.save(mp3, v2_version=4)
    unordered = [c["tags"]["title"] for c in ffprobe(mp3, "-show_chapters")["chapters"]]
    assert unordered != titles  # the bug is real on this input
    reorder_chapters_in_file(mp3)
    chapters = ffprobe(mp3, "-show_chapters")["chapters"]
    assert [c["tags"]["title"] for c in chapters] == titles
    assert [round(float(c["start_time"]) * 1000) for c in chapters] == starts
    assert [f.element_id for f in ID3(mp3).getall("CHAP")] and MP3(mp3).info.length > 29


def test_audio_digest_ignores_id3_tags_at_both_ends_and_sees_the_audio(tmp_path):
    """The engine recognises encode's MP3 after tagging by its audio frames: tags written by ffmpeg and mutagen
    (ID3v2 at the start, ID3v1 at the end) leave the digest alone, copy_audio drops them, a changed audio
    byte changes it."""
    from mutagen.id3 import ID3v1SaveOptions

    from pipeline.id3order import audio_sha256, copy_audio, tag_length

    bare, tagged = tmp_path / "bare.mp3", tmp_path / "tagged.mp3"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=5", "-c:a", "libmp3lame",
                    "-id3v2_version", "0", str(bare)], check=True)
    tagged.write_bytes(bare.read_bytes())
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Een titel"))
    tags.save(tagged, v2_version=4, v1=ID3v1SaveOptions.CREATE)
    data = tagged.read_bytes()
    assert data[:3] == b"ID3" and data[-128:-125] == b"TAG"  # both tags are there
    assert tag_length(data[:10]) == len(data) - len(bare.read_bytes()) - 128
    assert audio_sha256(tagged) == audio_sha256(bare)
    copy_audio(tagged, tmp_path / "copy.mp3")
    assert (tmp_path / "copy.mp3").read_bytes() == bare.read_bytes()
    changed = bytearray(bare.read_bytes())
    changed[len(changed) // 2] ^= 1
    (tmp_path / "changed.mp3").write_bytes(bytes(changed))
    assert audio_sha256(tmp_path / "changed.mp3") != audio_sha256(bare)
    assert tag_length(b"RIFF\0\0\0\0\0\0") == 0
