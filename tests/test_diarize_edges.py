"""Where a voice's turn begins and ends (pipeline.diarize.changes_at_pauses, with_tails, level_db): pure
decisions on levels and turns, no audio."""

import numpy as np
import pytest

from pipeline import diarize
from pipeline.timeline import Turn

HOP = 0.01


def levels(seconds: float, loud: float = -20.0) -> np.ndarray:
    return np.full(int(round(seconds / HOP)), loud)


def test_a_change_of_voice_moves_to_the_pause_near_it():
    level = levels(20.0)
    level[1225:1235] = -50.0  # a pause 0.25-0.35 s after the change the windows found
    turns = [Turn(5.0, 12.0, 0), Turn(12.0, 18.0, 1)]
    moved = diarize.changes_at_pauses(turns, level, reach=0.4)
    assert moved[0].end == moved[1].start
    assert 12.25 <= moved[1].start < 12.35
    assert (moved[0].start, moved[1].end, moved[0].voice, moved[1].voice) == (5.0, 18.0, 0, 1)


def test_a_pause_beyond_reach_is_not_used():
    level = levels(20.0)
    level[1260:1280] = -50.0  # 0.6 s after the change: a pause inside the next sentence, not the change
    turns = [Turn(5.0, 12.0, 0), Turn(12.0, 18.0, 1)]
    moved = diarize.changes_at_pauses(turns, level, reach=0.4)
    assert moved == turns  # the level is even within reach: the change stays


def test_only_changes_of_voice_inside_speech_move():
    level = levels(20.0)
    level[1190:1200] = -50.0
    level[1590:1600] = -50.0
    same_voice = [Turn(5.0, 12.2, 0), Turn(12.2, 15.0, 0)]
    assert diarize.changes_at_pauses(same_voice, level) == same_voice
    across_a_gap = [Turn(5.0, 11.0, 0), Turn(12.0, 15.0, 1), Turn(15.6, 18.0, 0)]
    assert diarize.changes_at_pauses(across_a_gap, level) == across_a_gap


def test_no_turn_becomes_shorter_than_the_shortest():
    level = levels(20.0)
    level[1000:1010] = -50.0  # right at the start of the short turn before the change
    turns = [Turn(9.95, 10.25, 0), Turn(10.25, 14.0, 1)]
    moved = diarize.changes_at_pauses(turns, level, reach=0.4, shortest=0.2)
    assert moved[0].end - moved[0].start >= 0.2 - 1e-9
    assert moved[0].end == moved[1].start


def test_a_turn_ends_where_its_voice_has_faded():
    level = levels(20.0, loud=-50.0)
    level[500:1000] = -20.0  # speech 5-10 s
    level[1000:1015] = -35.0  # the fading voice: 15 dB down, for 0.15 s
    turns = [Turn(5.0, 10.0, 0), Turn(12.0, 15.0, 1)]
    level[1200:1500] = -20.0
    tails = diarize.with_tails(turns, level, tail=0.3, drop=22.0, duration=20.0)
    assert tails[0] == Turn(5.0, 10.15, 0)
    assert tails[1] == Turn(12.0, 15.0, 1)  # silence right after: nothing to carry on


def test_a_tail_stops_at_its_limit_at_the_next_turn_and_at_the_end_of_the_audio():
    level = levels(10.0)  # loud everywhere: only the limits stop the tails
    turns = [Turn(1.0, 3.0, 0), Turn(3.1, 5.0, 1), Turn(6.0, 9.9, 0)]
    tails = diarize.with_tails(turns, level, tail=0.3, drop=22.0, duration=10.0)
    assert tails[0].end == pytest.approx(3.1)  # the next turn begins
    assert tails[1].end == pytest.approx(5.3)  # the limit
    assert tails[2].end == pytest.approx(10.0)  # the audio ends
    assert [(t.start, t.voice) for t in tails] == [(t.start, t.voice) for t in turns]
    assert diarize.with_tails(turns, level, tail=0.0, drop=22.0, duration=10.0) == turns


def test_the_level_is_smoothed_so_one_quiet_hop_is_no_pause():
    power = np.full(100, 1e-2)  # -20 dB
    power[30] = 1e-8  # one hop at -80 dB
    power[60:65] = 1e-8  # a pause of 50 ms
    level = diarize.level_db(power)
    assert level[30] > level[62] + 30.0
    assert int(np.argmin(level)) == 62
    assert diarize.level_db(np.full(3, 1e-2)).tolist() == pytest.approx([-20.0] * 3)


def test_only_speech_as_loud_as_the_words_counts_beyond_them():
    from pipeline.timeline import Interval

    level = levels(60.0, loud=-60.0)
    level[1000:3000] = -20.0  # the words' speech, 10-30 s
    level[3500:4500] = -22.0  # 35-45 s: more of the show, the transcript lost it
    level[200:800] = -34.0  # 2-8 s: a crowd, 14 dB under the speakers
    words = [Interval(10.0, 30.0)]
    activity = [Interval(2.0, 8.0), Interval(12.0, 20.0), Interval(35.0, 45.0)]
    assert diarize.as_loud(activity, words, level, drop=8.0) == [Interval(12.0, 20.0), Interval(35.0, 45.0)]
    assert diarize.as_loud(activity, [], level, drop=8.0) == []
    assert diarize.as_loud([], words, level, drop=8.0) == []
