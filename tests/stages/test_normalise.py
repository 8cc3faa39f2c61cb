"""normalise + encode: the published MP3 meets the loudness target, measured on the encoded file by ffmpeg."""

from __future__ import annotations

import pytest

from showgen import synth
from showgen.demo_scene import short_show_scene
from pipeline.loudness import leveller_chain, settle_gain
from pipeline.stages.normalise import output_channels
from tests.helpers import ebur128, ffprobe, make_episode, make_show
from tests.stages.audio_path import run_audio_path


@pytest.mark.parametrize("variant", [  # each (but the session's run) renders and encodes a ~2-minute show; one is quick
    pytest.param(v, marks=pytest.mark.slow) for v in ("as recorded", "10 dB too quiet", "6 dB too hot",
                                                      "one speaker 8 dB quieter")] + ["mono 44.1 kHz wav"])
def test_encoded_mp3_on_target_true_peak_safe(tmp_path, render_scene, audio_path_run, variant):
    scene, options = short_show_scene(), {}
    if variant == "10 dB too quiet":
        scene = synth.scaled(scene, level_db=scene.level_db - 10)
    elif variant == "6 dB too hot":
        scene = synth.scaled(scene, level_db=scene.level_db + 6)
    elif variant == "one speaker 8 dB quieter":
        scene = synth.with_voice_gain(scene, "Mike Brantjes", -8)
    elif variant == "mono 44.1 kHz wav":
        options = {"sample_rate": 44100, "channels": 1, "bits": 16}
    if variant == "as recorded":  # demo_like_recording: the session's run of the audio path
        folder = audio_path_run.fresh()
    else:
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


def test_settle_gain_reaches_a_recorder_set_low():
    """A show recorded 10 dB lower gets a pre-gain exactly 10 dB higher (the chain then hears the same show):
    the gain is not capped at the 30 dB a quiet room recording needs anyway."""
    def chain(offset):
        return lambda g: min(-16.0 + 0.5 * (offset + g - 34.0), -16.0 + (offset + g - 34.0))  # compressing above

    as_recorded = settle_gain(chain(0.0), -16.0, first_guess=30.0)
    quieter = settle_gain(chain(-10.0), -16.0, first_guess=40.0)
    assert quieter - as_recorded == pytest.approx(10.0, abs=0.01)
    assert as_recorded == pytest.approx(34.0, abs=0.3)
    assert output_channels("auto", 1) == 1 and output_channels("auto", 2) == 2 and output_channels("mono", 2) == 1


def test_encode_second_pass_only_when_the_mp3_misses_and_says_why():
    from pipeline.media import Loudness
    from pipeline.stages.encode import second_encode

    assert second_encode(Loudness(integrated=-16.4, lra=3.0, true_peak=-1.3), -16.0, -1.0) == []
    (why,) = second_encode(Loudness(integrated=-16.7, lra=3.0, true_peak=-1.5), -16.0, -1.0)
    assert "-0.70 LU from the target" in why
    (why,) = second_encode(Loudness(integrated=-16.0, lra=3.0, true_peak=-0.6), -16.0, -1.0)
    assert "over the ceiling" in why


def test_excerpt_trials_follow_the_measured_slope_and_lower_the_limit_on_overs():
    from pipeline.stages.encode import FIRST_SLOPE, PEAK_SAFETY_DB, lower_limit, next_settings

    safe = -1.0 - PEAK_SAFETY_DB  # the highest true peak an excerpt's MP3 may have
    assert lower_limit(-3.0, safe - 0.01, -1.0) is None
    assert lower_limit(-3.0, safe + 0.5, -1.0) == pytest.approx(-3.6)  # the overshoot, and 0.1 more
    on_aim = {"gain_db": 2.0, "limit_db": -3.5, "integrated": -16.1, "true_peak": safe - 0.1}
    assert next_settings([on_aim], -16.0, -1.0) is None
    quiet = {"gain_db": 1.0, "limit_db": -3.5, "integrated": -16.7, "true_peak": safe - 0.1}
    gain, limit = next_settings([quiet], -16.0, -1.0)
    assert gain == pytest.approx(1.0 + 0.7 / FIRST_SLOPE) and limit == -3.5
    # the limiter let through 0.4 LU of a 1 dB step: the next step is the miss over that slope
    closer = {"gain_db": 2.0, "limit_db": -3.5, "integrated": -16.3, "true_peak": safe - 0.1}
    gain, limit = next_settings([quiet, closer], -16.0, -1.0)
    assert gain == pytest.approx(2.0 + 0.3 / 0.4) and limit == -3.5
    # over the ceiling: the limit comes down and half of that step comes back as gain
    hot = {"gain_db": 2.0, "limit_db": -3.0, "integrated": -16.0, "true_peak": safe + 0.6}
    gain, limit = next_settings([hot], -16.0, -1.0)
    assert limit == pytest.approx(-3.7) and gain == pytest.approx(2.35)


def test_a_gain_inside_the_measured_bracket_is_taken_without_measuring_again():
    from pipeline.stages.encode import PEAK_SAFETY_DB, interpolated, next_settings

    safe = -1.0 - PEAK_SAFETY_DB - 0.1
    probe = {"gain_db": 2.0, "limit_db": -3.0, "integrated": -15.9, "true_peak": safe, "probe": True}
    quiet = {"gain_db": 1.0, "limit_db": -3.0, "integrated": -16.8, "true_peak": safe}
    settings = next_settings([probe, quiet], -16.0, -1.0)
    assert settings == (pytest.approx(1.0 + 0.8 / 0.9, abs=0.005), -3.0)  # on the slope the probe measured
    assert interpolated(1.0, settings, [probe, quiet])
    loud = dict(quiet, integrated=-15.5)  # the gain must come down: outside the bracket, measured again
    assert not interpolated(1.0, next_settings([probe, loud], -16.0, -1.0), [probe, loud])
    hot = dict(quiet, true_peak=safe + 0.5)  # a lower limit: measured again
    assert not interpolated(1.0, next_settings([probe, hot], -16.0, -1.0), [probe, hot])
    assert not interpolated(1.0, settings, [quiet])  # no probe, no bracket
