"""normalise + encode: the published MP3 meets the loudness target, measured on the encoded file by ffmpeg."""

from __future__ import annotations

import pytest

from pipeline import synth
from pipeline.demo_scene import short_show_scene
from pipeline.stages.normalise import leveller_chain, output_channels, settle_gain
from tests.helpers import ebur128, ffprobe, make_episode, make_show
from tests.stages.audio_path import run_audio_path


@pytest.mark.parametrize("variant", [  # each renders and encodes a ~2-minute show: one stays in the quick set
    pytest.param(v, marks=pytest.mark.slow) for v in ("as recorded", "10 dB too quiet", "6 dB too hot",
                                                      "one speaker 8 dB quieter")] + ["mono 44.1 kHz wav"])
def test_encoded_mp3_on_target_true_peak_safe(tmp_path, render_scene, variant):
    scene, options = short_show_scene(), {}
    if variant == "10 dB too quiet":
        scene = synth.scaled(scene, level_db=scene.level_db - 10)
    elif variant == "6 dB too hot":
        scene = synth.scaled(scene, level_db=scene.level_db + 6)
    elif variant == "one speaker 8 dB quieter":
        scene = synth.with_voice_gain(scene, "Mike Brantjes", -8)
    elif variant == "mono 44.1 kHz wav":
        options = {"sample_rate": 44100, "channels": 1, "bits": 16}
    name = "rec.wav" if options else "rec.flac"
    recording, _ = render_scene(scene, f"{variant.replace(' ', '-')}-{name}", **options)
    make_show(tmp_path)
    folder = make_episode(tmp_path, "ep", [recording])
    run_audio_path(folder)
    mp3 = folder / "ep.mp3"
    measured = ebur128(mp3)
    assert measured["I"] == pytest.approx(-16.0, abs=0.5), measured  # acceptance +-1 LU, aim +-0.5
    assert measured["TP"] <= -1.0, measured
    stream = ffprobe(mp3, "-show_streams", "-select_streams", "a")["streams"][0]
    assert int(stream["sample_rate"]) == 44100
    assert stream["channels"] == (1 if variant.startswith("mono") else 2)
    assert stream["codec_name"] == "mp3" and abs(int(stream["bit_rate"]) - 128000) < 2000


def test_decisions():
    assert "acompressor" in leveller_chain(8.0, -16.0, True)
    assert "acompressor" not in leveller_chain(8.0, -16.0, False)
    assert "volume=8.00dB" in leveller_chain(8.0, -16.0, True)


def test_settle_gain_converges_through_a_compressing_chain():
    # a chain whose loudness grows half as fast as its input above -20 (like a 2:1 compressor)
    def level_at(gain):
        raw = -26.0 + gain
        return raw if raw < -20 else -20 + (raw + 20) / 2
    gain = settle_gain(level_at, -16.0, first_guess=10.0)
    assert abs(level_at(gain) + 16.0) <= 0.2
    assert settle_gain(lambda g: -26.0 + g, -16.0, first_guess=10.0) == 10.0  # linear: first guess stands
    assert output_channels("auto", 1) == 1 and output_channels("auto", 2) == 2 and output_channels("mono", 2) == 1


def test_encode_corrections_follow_what_the_limiter_lets_through():
    from pipeline.media import Loudness
    from pipeline.stages.encode import Fix, gain_slope, refined_fix

    on_target = Loudness(integrated=-16.1, lra=3.0, true_peak=-1.5, threshold=-26)
    assert refined_fix(Fix(0.8, -4.0), on_target, -16.0, -1.0) is None
    quiet = Loudness(integrated=-16.6, lra=3.0, true_peak=-1.9, threshold=-26)
    attempts = [{"gain_db": 0.8, "limit_db": -4.4, "integrated": -17.0},
                {"gain_db": 1.8, "limit_db": -4.4, "integrated": -16.6}]
    slope = gain_slope(attempts)
    assert slope == pytest.approx(0.4)
    assert refined_fix(Fix(1.8, -4.4), quiet, -16.0, -1.0, slope).gain_db == pytest.approx(3.3)
    over = Loudness(integrated=-16.0, lra=3.0, true_peak=-0.4, threshold=-26)
    fix = refined_fix(Fix(1.0, -3.0), over, -16.0, -1.0)
    assert fix.limit_db == pytest.approx(-3.9) and fix.gain_db == pytest.approx(1.0)
