"""Time formats: the producer's "HH:MM:SS(.mmm)", chapter list "MM:SS", WebVTT/SRT stamps, Dutch dates.
Pure functions."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")

_CLOCK = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d(?:\.\d{1,3})?)$")


def parse_clock(text: str) -> float:
    """Parse "HH:MM:SS", "HH:MM:SS.mmm", "MM:SS" or "MM:SS.mmm" into seconds (millisecond precision).

    Raises ValueError with the expected form when the text does not match.
    """
    match = _CLOCK.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f'expected a time like "01:02:03.500" or "02:03", got {text!r}')
    hours = int(match.group(1) or 0)
    seconds = hours * 3600 + int(match.group(2)) * 60 + float(match.group(3))
    return round(seconds, 3)


def _split_ms(seconds: float) -> tuple[int, int, int, int]:
    total_ms = int(round(max(0.0, seconds) * 1000))
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return hours, minutes, secs, ms


def clock(seconds: float) -> str:
    """Seconds as "HH:MM:SS.mmm" (the form the producer writes in episode.toml)."""
    h, m, s, ms = _split_ms(seconds)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def vtt_stamp(seconds: float) -> str:
    """Seconds as a WebVTT timestamp "HH:MM:SS.mmm"."""
    return clock(seconds)


def srt_stamp(seconds: float) -> str:
    """Seconds as an SRT timestamp "HH:MM:SS,mmm"."""
    h, m, s, ms = _split_ms(seconds)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def short_clock(seconds: float) -> str:
    """Seconds as "MM:SS", or "H:MM:SS" from one hour on: the form podcast apps read in show notes."""
    h, m, s, _ = _split_ms(int(seconds))
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def dutch_date(date: dt.date) -> str:
    """"13 juni 2024"."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"
