"""tag: ID3 tags and cover read by ffprobe and mutagen; chapters in time order for ffprobe."""

from __future__ import annotations

import subprocess

import pytest

from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags
from mutagen.mp3 import MP3

from pipeline.id3order import reorder_chapters_in_file
from tests.helpers import COVER, ffprobe, make_episode, make_show
from tests.stages.audio_path import run_audio_path


@pytest.mark.slow  # the audio path on a ~2-minute show
def test_tags_and_cover_readable(tmp_path, demo_like_recording):
    recording, _ = demo_like_recording
    make_show(tmp_path)
    folder = make_episode(tmp_path, "ep", [recording], '[[people]]\nname = "Anne Host"\nrole = "host"\n')
    run_audio_path(folder)
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
