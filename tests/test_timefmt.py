import pytest

from pipeline.timefmt import clock, parse_clock, short_clock, srt_stamp, vtt_stamp


@pytest.mark.parametrize("text, seconds", [("00:00:20.125", 20.125), ("01:02:03", 3723.0), ("02:03", 123.0),
                                           ("1:00:00.5", 3600.5), ("00:59.999", 59.999)])
def test_parse_clock(text, seconds):
    assert parse_clock(text) == seconds


@pytest.mark.parametrize("text", ["", "12", "00:61:00", "1:2:3:4", "ten"])
def test_parse_clock_rejects(text):
    with pytest.raises(ValueError, match="expected a time"):
        parse_clock(text)


def test_formats_round_to_milliseconds():
    assert clock(3723.0004) == "01:02:03.000"
    assert vtt_stamp(59.9996) == "00:01:00.000"
    assert srt_stamp(61.5) == "00:01:01,500"
    assert short_clock(0) == "00:00" and short_clock(754.9) == "12:34" and short_clock(3723) == "1:02:03"
    assert parse_clock(clock(1234.567)) == 1234.567
