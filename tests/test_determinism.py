"""The same recording gives byte-identical work files on every run.

Trim decides from the recording decoded to 16 kHz (media.speech_blocks); Whisper, the speaker encoder and the
chapter search see work/speech.flac; a least-significant
bit of random dither in them (soxr converting to 16 bits dithers with a seed of its own) changed the demo's
transcript and moved its speaker naming from 88 % to 61 % between two runs on one machine. So the audio stages
are run twice here, on a 16-bit source (the case where that dither happened), and the files compared by hash.
"""

from __future__ import annotations

import hashlib

from showgen.demo_scene import short_show_scene
from pipeline import media
from pipeline.engine import Engine, load_context
from pipeline.stages import ingest, normalise, trim
from tests.helpers import make_episode, make_show


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_audio_stages_write_the_same_bytes_every_run(tmp_path, render_scene):
    recording, _ = render_scene(short_show_scene(), "short-16bit.wav", sample_rate=44100, channels=2, bits=16)
    digests = []
    for attempt in ("first", "second"):
        make_show(tmp_path / attempt)
        folder = make_episode(tmp_path / attempt, "ep", [recording])
        engine = Engine(load_context(folder), [ingest, trim, normalise])
        engine.check()
        assert {r.status for r in engine.run()} == {"done"}
        work = folder / "work"
        digests.append({name: sha256(work / name) for name in ("trim-evidence.json", "speech.flac")})
        digests[-1]["decoded"] = hashlib.sha256(b"".join(b.tobytes() for b in media.speech_blocks([recording], 16000))).hexdigest()
    assert digests[0] == digests[1]
