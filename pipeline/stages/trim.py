"""trim: find where the show starts and ends inside the room recording.

Reads:  the source files (work/ingest.json lists them with their lengths), decoded to 16 kHz mono block by
        block (media.speech_blocks: the source timeline, parts joined), the [trim] overrides of episode.toml
Writes: work/trim.json: {"start", "end"}: the cut points in seconds of the source timeline (pad included);
        work/trim-evidence.json: the same with the first and last show words and the evidence.

How: speech activity (Silero VAD) gives speech regions; each gets its level. The show is the largest run of
foreground speech (speech within `FOREGROUND_DB` of the show's speech level) whose pauses are short, or filled
by applause; chatter, a sound check or a far-away conversation before or after fall outside it. Crowd babble
that runs into the show (people hush as the host begins) is cut off too: the show starts where speech at the
show's level becomes sustained, walked back to the first word (`sustained_start`; evidence "crowd_before_show"),
past a sound check a few seconds before it (a short burst of talk, then seconds without any; also when the
crowd is too quiet to be heard as speech and the run opens with the sound check: `sound_check_first`; also after a
shorter pause when the burst's words, heard by the Whisper model, are counting and testing: `past_sound_check`). When
the run opens with a crowd, the show's talk is what stands CROWD_MARGIN out of the crowd's own level (a crowd
only 10 dB under the presenters reaches their level in many frames). Chatter after the closing applause,
quieter than the show, is cut off the same way (evidence "chatter_after_show"), also when its loudest moments come
near the show's level but it is steady as a crowd is (`chatter_after`).
Cut points are the first and last show word plus a short natural pad, never inside speech. Overrides win, to
the millisecond. A detected start that may be wrong (the show's opening sounds like a crowd, or the crowd cut
off was nearly as loud as the show, or its first words are followed by a pause) gets a CHECK line with the fix
(`doubts`).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import numpy as np

from pipeline import analysis, fsutil, media, model
from pipeline.audiocues import runs
from pipeline.engine import Context, Outcome
from pipeline.errors import ConfigError, InputError
from pipeline.speechwav import RATE, SpeechWav
from pipeline.timefmt import clock
from pipeline.timeline import Interval

NAME = "trim"
FRAME = 0.05  # seconds per energy frame
FOREGROUND_DB = 14.0  # speech this far below the show's speech level still counts as the show
MAX_PAUSE = 4.0  # a quiet stretch longer than this between two talk regions separates them (applause is not quiet)
QUIET_SMOOTH = 0.5  # seconds over which the level is averaged to tell a quiet stretch ...
QUIET_MARGIN = 3.0  # ... that stays under the foreground threshold plus this (talk at the threshold is background)
MAX_GAP = 40.0  # gaps longer than this always separate
ABSORB_GAP = 60.0  # a neighbouring run this close, with substantial talk, is part of the show too
ABSORB_SPEECH = 20.0  # seconds of talk that make a neighbouring run "substantial" (a sound check has less)
MIN_SHOW_SPEECH = 5.0  # seconds of speech a run needs to be taken for the show


@dataclass(frozen=True)
class Options:
    start: float | None
    end: float | None
    pad: float
    # the Whisper model that listens to a short burst of talk before a pause at the show's start (is it a sound
    # check?): kind, name, device, compute type (as the transcribe stage's), and the language; empty: none
    check_model: tuple[str, str, str, str] = ()
    language: str = "nl"


def options(ctx: Context) -> Options:
    choice = model.choose(ctx.show.transcription, ctx.show.file)
    return Options(start=ctx.episode.trim.start, end=ctx.episode.trim.end, pad=ctx.show.audio.pad,
                   check_model=(choice.kind, choice.name, choice.device, choice.compute_type),
                   language=ctx.show.transcription.language)


def inputs(ctx: Context, opts: Options) -> list[Path]:
    return [*(Path(p) for p in ctx.episode.sources), ctx.paths.ingest_info]


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.trim, ctx.paths.trim_evidence]


def check(ctx: Context, opts: Options) -> None:
    """Overrides must lie inside the recording (checked before anything runs)."""
    if opts.start is None and opts.end is None:
        return
    duration = sum(i.duration for i in media.probe_sources(list(ctx.episode.sources)))
    for key, value in (("start", opts.start), ("end", opts.end)):
        if value is not None and value > duration:
            raise ConfigError(ctx.episode.file, f"trim.{key}",
                              f"{clock(value)} is past the end of the recording ({clock(duration)})")


# ---------------------------------------------------------------- the decision (pure)


@dataclass(frozen=True)
class ShowSpan:
    first_word: float
    last_word: float
    evidence: dict


def longest_quiet(energy: np.ndarray, threshold: float, frame: float = FRAME) -> float:
    """Seconds of the longest stretch whose level, averaged over QUIET_SMOOTH seconds, stays under `threshold`
    (plus QUIET_MARGIN): applause and music are not quiet, the short pauses of a quiet guest that the speech
    detector missed do not add up to one long one, and chatter hovering about the threshold does not break a
    long one. Pure."""
    width = max(1, int(round(QUIET_SMOOTH / frame)))
    if len(energy) == 0:
        return 0.0
    smooth = np.convolve(energy, np.ones(width) / width, mode="same") if len(energy) >= width else energy
    return max((end - start for start, end in runs(smooth < threshold + QUIET_MARGIN)), default=0) * frame


def region_levels(regions: list[Interval], energy: np.ndarray, frame: float = FRAME) -> list[float]:
    """Loudness of each region: the 75th percentile of its frame levels (robust to pauses inside it)."""
    levels = []
    for region in regions:
        part = energy[int(region.start / frame): max(int(region.end / frame), int(region.start / frame) + 1)]
        levels.append(float(np.percentile(part, 75)) if len(part) else -120.0)
    return levels


def find_show(regions: list[Interval], energy: np.ndarray, frame: float = FRAME) -> ShowSpan:
    """Choose the show among the speech regions (see the module docstring). Raises ValueError if no speech."""
    if not regions:
        raise ValueError("no speech found in the recording")
    levels = region_levels(regions, energy, frame)
    durations = np.array([r.duration for r in regions])
    order = np.argsort(levels)[::-1]
    # The show's speech level: the level above which half of all speech time lies (the dominant talk).
    cumulative = np.cumsum(durations[order])
    speech_level = levels[order[int(np.searchsorted(cumulative, cumulative[-1] / 2))]]
    noise_floor = float(np.percentile(energy, 10)) if len(energy) else -120.0
    threshold = max(speech_level - FOREGROUND_DB, noise_floor + 6.0)
    foreground = [r for r, level in zip(regions, levels) if level >= threshold]
    background = [r for r, level in zip(regions, levels) if level < threshold]

    runs: list[list[Interval]] = []
    for region in foreground:
        if runs:
            gap_start, gap_end = runs[-1][-1].end, region.start
            gap_energy = energy[int(gap_start / frame): int(gap_end / frame)]
            if gap_end - gap_start <= MAX_GAP and longest_quiet(gap_energy, threshold, frame) <= MAX_PAUSE:
                runs[-1].append(region)
                continue
        runs.append([region])
    speech_of = [sum(r.duration for r in run) for run in runs]
    best = int(np.argmax(speech_of))
    if speech_of[best] < MIN_SHOW_SPEECH:
        raise ValueError(f"only {speech_of[best]:.1f} s of continuous talk found; is this the right recording?")
    first, last = best, best  # a show interrupted by a long break: take in substantial neighbours
    while first > 0 and speech_of[first - 1] >= ABSORB_SPEECH and \
            runs[first][0].start - runs[first - 1][-1].end <= ABSORB_GAP:
        first -= 1
    while last + 1 < len(runs) and speech_of[last + 1] >= ABSORB_SPEECH and \
            runs[last + 1][0].start - runs[last][-1].end <= ABSORB_GAP:
        last += 1
    show = [region for run in runs[first:last + 1] for region in run]
    level_of = dict(zip(regions, levels))
    talk_ends = chatter_after(show, [level_of[r] for r in show], speech_level, energy, frame)
    chatter = None
    if talk_ends < len(show):
        chatter = {"start": round(show[talk_ends].start, 2), "end": round(show[-1].end, 2),
                   "level_db": round(_level(energy, show[talk_ends].start, show[-1].end, frame), 1)}
        show = show[:talk_ends]
    crowd_until = sustained_start(energy, show[0].start, show[-1].end, speech_level, frame)
    crowd = None
    if crowd_until is not None and crowd_until > show[0].start + 1.0:
        crowd = {"start": round(show[0].start, 2), "end": round(crowd_until, 2),
                 "level_db": round(_level(energy, show[0].start, crowd_until, frame), 1),
                 "median_db": round(float(np.median(energy[int(show[0].start / frame):int(crowd_until / frame)])), 1)}
        show = [Interval(max(r.start, crowd_until), r.end) for r in show if r.end > crowd_until]
    check_until = sound_check_first(show) if crowd is None else None
    if check_until is not None:
        sound_check = {"start": round(show[0].start, 2), "end": round(check_until, 2)}
        show = [r for r in show if r.start >= check_until]
    left_out = [{"start": round(run[0].start, 2), "end": round(run[-1].end, 2),
                 "speech_seconds": round(s, 1)} for i, (run, s) in enumerate(zip(runs, speech_of))
                if not first <= i <= last]
    evidence = {
        "method": "Silero VAD speech regions + level per region + the longest run of foreground speech",
        "speech_regions": len(regions),
        "speech_level_db": round(speech_level, 1),
        "noise_floor_db": round(noise_floor, 1),
        "foreground_threshold_db": round(threshold, 1),
        "background_regions": len(background),
        "show_speech_seconds": round(sum(speech_of[first:last + 1]), 1),
        "left_out": left_out,
        "opening_dips": round(dips(energy[int(show[0].start / frame):int((show[0].start + CROWD_PROBE) / frame)]), 3),
    }
    opening = energy[int(show[0].start / frame):int((show[0].start + CHECK_TALK + CHECK_GAP) / frame)]
    loud = opening >= speech_level - ONSET_DB
    pause = opening_pause(loud, frame)
    if pause is not None:
        resumes = int(round((pause[0] + pause[1]) / frame))
        then = show[0].start + (resumes + int(np.argmax(loud[resumes:]))) * frame  # its first loud frame
        evidence["pause_in_opening"] = {"after": round(pause[0], 2), "seconds": pause[1], "then": round(then, 3)}
    if crowd is not None:
        evidence["crowd_before_show"] = crowd  # in the run, but below the show's level until it began
    if check_until is not None:
        evidence["sound_check_before_show"] = sound_check  # in the run: a short burst, then seconds of no speech
    if chatter is not None:
        evidence["chatter_after_show"] = chatter  # in the run (applause filled the pause), below the show's level
    return ShowSpan(first_word=show[0].start, last_word=show[-1].end, evidence=evidence)


ONSET_DB = 7.0  # the show's own speech reaches within this of the show's speech level ...
ONSET_BLOCK = 5.0  # ... in at least ONSET_SHARE of the frames of each of the next ONSET_BLOCKS blocks of
ONSET_BLOCKS = 3  # ONSET_BLOCK seconds (the host's opening; a sound check is followed by seconds of crowd)
ONSET_SHARE = 0.35  # presenters measured 0.52-0.78 per block, crowd babble 0-0.1
ONSET_FIRST = 1.0  # ... and in the first this many seconds too (a crowd peak just before the host is no start)
CROWD_DB = 6.0  # talk before that onset is crowd when its level stays this far below the show's ...
CROWD_DIPS = 0.15  # ... and it is steady: many voices at once leave few dips (share of frames 10 dB under its
#                    level: crowd babble 0-3 %, one person talking 30-47 %, measured on the simulated shows)
CROWD_PROBE = 10.0  # seconds at the start of the run that tell the crowd's level, when the run opens with one
CROWD_MARGIN = 4.0  # the show's talk counts from this far above the crowd's median level (a crowd only 10 dB
#                     under the presenters reaches within ONSET_DB of them in up to half its frames)
BACKTRACK_DB = 10.0  # from the onset back to the first word: frames within this of the show level ...
BACKTRACK_DIP = 0.3  # ... with dips no longer than this (seconds) ...
BACKTRACK_MAX = 1.0  # ... and at most this far back (a soft first syllable)
CHECK_GAP = 3.0  # seconds without talk at the show's level right after a short burst of it ...
CHECK_TALK = 8.0  # ... that lasted less than this: a sound check a few seconds before the show, not its start
CHECK_WINDOW = 1.0  # seconds ahead of a frame that tell whether someone talks there
CHECK_PAUSE = 1.5  # a pause this long in the show's first CHECK_TALK seconds is a CHECK: perhaps a sound check


def _level(energy: np.ndarray, start: float, end: float, frame: float) -> float:
    part = energy[int(start / frame): max(int(end / frame), int(start / frame) + 1)]
    return float(np.percentile(part, 75)) if len(part) else -120.0


def sustained_start(energy: np.ndarray, start: float, end: float, speech_level: float,
                    frame: float = FRAME) -> float | None:
    """Where the show's own talk begins inside [start, end): the first frame from which speech at the show's
    level is sustained (a sound check or a loud laugh in the crowd is not), walked back to the first word
    (the crowd is still hushing under it). None when the talk before it is not clearly quieter than the show
    and steadier than one person talking (crowd babble is 10 to 20 dB below the presenters and has hardly
    any pauses; a quiet presenter has). Pure."""
    first, last = int(start / frame), min(len(energy), int(end / frame))
    crowd = opening_crowd_level(energy[first:last], speech_level, frame)
    onset_level, first_word_level = speech_level - ONSET_DB, speech_level - BACKTRACK_DB
    if crowd is not None:  # the show's talk is what stands out of the crowd
        onset_level = max(onset_level, crowd + CROWD_MARGIN)
        first_word_level = max(first_word_level, crowd + CROWD_MARGIN)
    loud = (energy[first:last] >= onset_level).astype(float)
    n = max(1, int(round(ONSET_BLOCK / frame)))
    if len(loud) == 0:
        return None
    sustained = np.all([ahead_share(loud, n, k * n) >= ONSET_SHARE for k in range(ONSET_BLOCKS)], axis=0)
    sustained &= ahead_share(loud, max(1, int(round(ONSET_FIRST / frame)))) >= ONSET_SHARE  # it starts there
    found = np.flatnonzero(sustained & (loud > 0))
    if len(found) == 0:
        return None
    onset = first + int(found[0]) + _after_sound_check(loud[found[0]:], frame)
    i, quiet, limit = onset, 0, max(first, onset - int(BACKTRACK_MAX / frame))
    begin = onset
    while i > limit:
        i -= 1
        if energy[i] >= first_word_level:
            quiet, begin = 0, i
        else:
            quiet += 1
            if quiet * frame > BACKTRACK_DIP:
                break
    at = begin * frame
    before = energy[first:begin]
    if at - start < 1.0 or float(np.median(before)) > speech_level - CROWD_DB:
        return None  # the median: a sound check in the crowd does not lift it
    if dips(before) >= CROWD_DIPS:
        return None  # someone talking with pauses (a quiet presenter), not a crowd
    return at


def ahead_share(loud: np.ndarray, size: int, offset: int = 0) -> np.ndarray:
    """For every frame: the share of loud frames (1) among the `size` frames that begin `offset` frames after it
    (past the end counts as not loud). Pure."""
    total = np.concatenate([[0.0], np.cumsum(loud)])
    begin = np.minimum(np.arange(len(loud)) + offset, len(loud))
    return (total[np.minimum(begin + size, len(loud))] - total[begin]) / size


def dips(energy: np.ndarray) -> float:
    """The share of frames 10 dB under the 75th percentile: one person talking pauses (30-47 %), many voices at
    once hardly (crowd babble 0-3 %, measured on the simulated shows). Pure."""
    return float(np.mean(energy < np.percentile(energy, 75) - 10.0)) if len(energy) else 1.0


def opening_crowd_level(energy: np.ndarray, speech_level: float, frame: float = FRAME) -> float | None:
    """The median level of the crowd when the frames `energy` open with one (its first CROWD_PROBE seconds
    steady and CROWD_DB under the show's level; a sound check in them moves the median little), else None.
    Pure."""
    probe = energy[:int(CROWD_PROBE / frame)]
    if len(probe) < int(CROWD_PROBE / frame):
        return None
    level = float(np.median(probe))
    if level > speech_level - CROWD_DB or dips(probe) >= CROWD_DIPS:
        return None
    return level


def _talking(loud: np.ndarray, frame: float) -> np.ndarray:
    """Frames where someone talks: at least ONSET_SHARE of the frames of the next CHECK_WINDOW seconds reach the
    show's level (a lone crowd peak in a pause is no talk). Pure."""
    return ahead_share(loud, max(1, int(round(CHECK_WINDOW / frame)))) >= ONSET_SHARE


def _after_sound_check(loud: np.ndarray, frame: float) -> int:
    """Frames from the start of `loud` (1 where a frame reaches the show's level) to the show's own start:
    0, or past a sound check (a burst of talk shorter than CHECK_TALK followed by CHECK_GAP without talk at the
    show's level, `_talking`; a presenter's opening has no such silence). Pure."""
    gap, burst = int(round(CHECK_GAP / frame)), int(round(CHECK_TALK / frame))
    talking = _talking(loud, frame)
    quiet = 0
    for i in range(min(len(loud), burst + gap)):
        quiet = quiet + 1 if not talking[i] else 0
        if quiet >= gap and i + 1 - quiet < burst:
            rest = np.flatnonzero(talking[i + 1:])
            if not len(rest):
                return 0
            return i + 1 + int(rest[0]) + int(np.argmax(loud[i + 1 + int(rest[0]):] > 0))  # its first loud frame
    return 0


def opening_pause(loud: np.ndarray, frame: float = FRAME) -> tuple[float, float] | None:
    """(where, how long) in seconds from the start of `loud` (1 where a frame of the show's first seconds reaches
    the show's level): the longest stretch without talk (`_talking`) that begins within the first CHECK_TALK
    seconds and has talk after it, when it lasts CHECK_PAUSE or more; else None. A pause that long so early,
    though shorter than a sound check's CHECK_GAP, may still end one (show 109 of the benchmark: 3.1 s between
    the check and the host). Pure."""
    talking = _talking(loud, frame)
    pauses = [(start, end - start) for start, end in runs(~talking)
              if start > 0 and end < len(talking) and start * frame < CHECK_TALK]  # talk before and after
    start, length = max(pauses, key=lambda pause: pause[1], default=(0, 0))
    if length * frame < CHECK_PAUSE:
        return None
    return round(start * frame, 2), round(length * frame, 2)


def sound_check_first(show: list[Interval]) -> float | None:
    """Where the show's talk begins when its run opens with a sound check that no crowd rule cut off (the crowd
    too quiet to be heard as speech): speech regions lasting less than CHECK_TALK, then CHECK_GAP seconds or
    more without any detected speech. None otherwise. Pure."""
    for previous, region in zip(show, show[1:]):
        if previous.end - show[0].start >= CHECK_TALK:
            return None
        if region.start - previous.end >= CHECK_GAP:
            return region.start
    return None


def chatter_after(show: list[Interval], levels: list[float], speech_level: float,
                  energy: np.ndarray | None = None, frame: float = FRAME) -> int:
    """How many of the show's regions are the show's talk: all, or those before a tail of talk that stays
    CROWD_DB under the show's level and begins more than MAX_PAUSE after the last talk at the show's level
    (chatter in the room after the closing applause); with the frames' `energy`, also those before the regions
    after the show's last pause longer than MAX_PAUSE (applause filled it) when these are steady as a crowd is
    (`dips` under CROWD_DIPS), their frames' median level CROWD_DB under the show's, and they hold less speech
    than the regions before them. (Shows 224 and 226 of the judgement benchmark at -10 and +6 dB: a crowd's
    loudest regions came within 6 dB of the show's level and 14-18 s of chatter stayed in; their median was 7-8
    dB under it and they had no dips, a presenter's closing words after applause 2-5 dB and 24-27 %.) Pure."""
    talk_ends = len(show)
    while talk_ends > 1 and levels[talk_ends - 1] < speech_level - CROWD_DB:
        talk_ends -= 1
    if talk_ends < len(show) and show[talk_ends].start - show[talk_ends - 1].end > MAX_PAUSE:
        return talk_ends
    pauses = [i for i in range(1, len(show)) if show[i].start - show[i - 1].end > MAX_PAUSE]
    if energy is None or not pauses:
        return len(show)
    tail = pauses[-1]
    frames = energy[int(show[tail].start / frame): max(int(show[-1].end / frame), int(show[tail].start / frame) + 1)]
    steady = dips(frames) < CROWD_DIPS and float(np.median(frames)) < speech_level - CROWD_DB
    if steady and sum(r.duration for r in show[tail:]) < sum(r.duration for r in show[:tail]):
        return tail
    return len(show)


def cut_points(span: ShowSpan, regions: list[Interval], pad: float, duration: float,
               start_override: float | None, end_override: float | None) -> tuple[float, float]:
    """Cut points with `pad` seconds of room around the show, moved out of any other speech; overrides win."""
    start = max(0.0, span.first_word - pad)
    end = min(duration, span.last_word + pad)
    for region in regions:  # never cut inside speech: a cut that falls in a region moves out of it
        if region.start < start < region.end and region.end <= span.first_word:
            start = min(region.end + 0.05, span.first_word)
        if region.start < end < region.end and region.start >= span.last_word:
            end = max(region.start - 0.05, span.last_word)
    if start_override is not None:
        start = start_override
    if end_override is not None:
        end = end_override
    if end <= start:
        raise ValueError(f"the show would end ({clock(end)}) before it starts ({clock(start)})")
    return round(start, 3), round(end, 3)


CHECK_CROWD_DB = 1.5  # a crowd whose median is less than CROWD_DB plus this under the show: say so (its onset is
#                       a close call; the benchmark's closest crowds measured 6.9 and 7.6 dB under)


# Words of a sound check ("Een, twee. Test, test.", which Whisper writes "1, 2, 1, 2"), Dutch and English
SOUND_CHECK_WORDS = frozenset({"een", "één", "eén", "twee", "drie", "vier", "vijf", "1", "2", "3", "4", "5", "one",
                               "two", "three", "four", "five", "test", "testen", "testing", "check", "checken",
                               "soundcheck", "sound", "geluid", "mic", "microfoon", "hallo"})
SOUND_CHECK_SHARE = 0.6  # ... at least this share of the words heard (and two of them)


def is_sound_check(heard: str) -> bool:
    """Whether the words heard in a short burst of talk are a sound check: at least two words, and
    SOUND_CHECK_SHARE of them counting or testing ("1, 2, 1, 2, test"; not "Een mooie avond"). Pure."""
    words = re.findall(r"\w+", heard.lower())
    counted = sum(word in SOUND_CHECK_WORDS for word in words)
    return counted >= 2 and counted >= SOUND_CHECK_SHARE * len(words)


def past_sound_check(span: ShowSpan, heard: str) -> ShowSpan:
    """The show's span once the words of its opening burst were heard (`heard`; find_show found the burst
    followed by a pause, evidence "pause_in_opening"): a sound check (`is_sound_check`) is cut off, the show
    starts where the talk resumes after the pause, and the evidence says what was heard ("sound_check_heard");
    anything else stays the show's start, with what was heard in the pause's evidence (its CHECK line quotes
    it). A pause shorter than CHECK_GAP after a sound check was kept before: 3.1 s between the check and the
    host measured 2.7 s without talk on show 109 of the judgement benchmark, 7.4 s of sound check and pause
    kept at every level. Pure."""
    pause = span.evidence.get("pause_in_opening")
    if not pause:
        return span
    heard = " ".join(heard.split())
    if not is_sound_check(heard):
        return replace(span, evidence={**span.evidence, "pause_in_opening": {**pause, "heard": heard}})
    evidence = {key: value for key, value in span.evidence.items() if key != "pause_in_opening"}
    evidence["sound_check_heard"] = {"start": round(span.first_word, 2),
                                     "end": round(span.first_word + pause["after"], 2), "heard": heard}
    return replace(span, first_word=pause["then"], evidence=evidence)


def doubts(span: ShowSpan) -> list[str]:
    """CHECK lines for a detected start that may be wrong: the show's first seconds sound like a crowd (steady, no
    pauses: the crowd was not told apart from the show), its first words are followed by a pause (perhaps a
    sound check: `opening_pause`), or the crowd cut off before it was nearly as loud as the show. Pure."""
    evidence, lines = span.evidence, []
    at = clock(span.first_word)
    if evidence.get("opening_dips", 1.0) < CROWD_DIPS:
        lines.append(f"[trim] the show's first {CROWD_PROBE:.0f} s from {at} sound like many voices at once (a crowd), "
                     f"not one person talking; listen there and, if the show begins later, set [trim] start = "
                     f'"HH:MM:SS.mmm" in episode.toml')
    pause = evidence.get("pause_in_opening")
    if pause:
        heard = f" (heard: \"{pause['heard']}\")" if pause.get("heard") else ""
        lines.append(f"[trim] the show opens at {at} with {pause['after']:.1f} s of talk{heard}, then "
                     f"{pause['seconds']:.1f} s without: perhaps a sound check; listen there and, if the show begins "
                     f'after the pause, set [trim] start = "HH:MM:SS.mmm" in episode.toml')
    crowd = evidence.get("crowd_before_show")
    margin = evidence["speech_level_db"] - crowd["median_db"] if crowd else float("inf")
    if margin < CROWD_DB + CHECK_CROWD_DB:
        lines.append(f"[trim] the crowd before the show is only {margin:.0f} dB quieter than the show, so its start "
                     f'({at}) is a close call; listen there and, if it is wrong, set [trim] start = "HH:MM:SS.mmm" '
                     f"in episode.toml")
    return lines


def cut_warnings(start: float, end: float, regions: list[Interval], start_set: bool,
                 end_set: bool) -> list[str]:
    """A cut set by hand that falls inside speech: say where, so the producer can check it (pure)."""
    warnings = []
    for key, cut, is_set in (("start", start, start_set), ("end", end, end_set)):
        inside = [r for r in regions if r.start + 0.05 < cut < r.end - 0.05] if is_set else []
        if inside:
            region = inside[0]
            warnings.append(f"[trim] {key} = \"{clock(cut)}\" cuts into speech that runs from {clock(region.start)} "
                            f"to {clock(region.end)}; listen there (a time like \"1:12\" means 1 min 12 s)")
    return warnings


# ---------------------------------------------------------------- the stage


class Decoding:
    """The recording decoded block by block as ffmpeg goes (blocks()): the level of every frame and the number
    of samples are gathered on the way. InputError (one line, what to do) when it does not decode fully."""

    def __init__(self, sources: list[Path], expected: float):
        self.sources, self.expected = sources, expected
        self.levels: list[np.ndarray] = []
        self.samples = 0

    def blocks(self) -> Iterator[np.ndarray]:
        names = ", ".join(p.name for p in self.sources)
        try:
            for block in media.speech_blocks(self.sources, analysis.BLOCK):
                self.levels.append(analysis.energy_db(block, FRAME))  # BLOCK is a whole number of frames
                self.samples += len(block)
                yield block
        except media.MediaError as exc:
            raise InputError(f"{names}: could not be decoded ({exc}). The file may be corrupt or truncated; copy "
                             "it again from the recorder.") from None
        if self.samples / RATE < self.expected - max(0.5, 0.01 * self.expected):
            raise InputError(f"{names}: only {self.samples / RATE:.1f} s of the {self.expected:.1f} s the file "
                             "header promises could be read; the file is truncated or corrupt. Copy it again from "
                             "the recorder.")


HEARD_AT_DB = -20.0  # dBFS RMS the burst is brought to before Whisper hears it


def heard_in(ctx: Context, opts: Options, start: float, end: float) -> str:
    """What the Whisper model hears from `start` to `end` s of the recording (decoded from the sources at
    16 kHz mono): one greedy pass, no fallback, at most a sentence; "" without a model."""
    if not opts.check_model or end <= start:
        return ""
    info = fsutil.read_json(ctx.paths.ingest_info)
    parts = [(Path(p), s["duration"]) for p, s in zip(ctx.episode.sources, info["sources"])]
    args, graph = media.span_inputs(parts, [(start, end - start)])
    with tempfile.TemporaryDirectory(dir=ctx.paths.work) as scratch:
        clip = Path(scratch) / "opening.wav"
        media.ffmpeg([*args, "-filter_complex", f"{graph};[src]{media.SPEECH_FILTER}[px]", "-map", "[px]",
                      "-c:a", "pcm_s16le", str(clip)], what="decoding the show's first words")
        with SpeechWav(clip) as wav:
            audio = wav.read(0.0, wav.duration)
    # at one level whatever the recording's (as the transcribe stage hears the normalised show)
    rms = float(np.sqrt(np.mean(np.square(audio)))) if len(audio) else 0.0
    audio = np.clip(audio * (10 ** (HEARD_AT_DB / 20) / rms), -1.0, 1.0) if rms > 0 else audio
    whisper = model.load(model.ModelChoice(*opts.check_model), ctx.show.transcription)
    segments, _info = whisper.transcribe(audio, language=opts.language, beam_size=1, temperature=0.0,
                                         without_timestamps=True, max_new_tokens=40,
                                         condition_on_previous_text=False, vad_filter=False)
    return " ".join(segment.text for segment in segments)


def run(ctx: Context, opts: Options) -> Outcome:
    # one pass over the recording, decoded beside the VAD: speech regions (also to check cut points set by
    # hand) and the level of every frame
    decoding = Decoding([Path(p) for p in ctx.episode.sources], fsutil.read_json(ctx.paths.ingest_info)["duration"])
    regions = analysis.speech_regions_in_blocks(decoding.blocks())
    energy = np.concatenate(decoding.levels) if decoding.levels else np.zeros(0, dtype=np.float32)
    duration = decoding.samples / RATE
    need_detection = opts.start is None or opts.end is None
    span = None
    if need_detection:
        try:
            span = find_show(regions, energy)
        except ValueError as exc:
            raise ConfigError(ctx.episode.file, "trim",
                              f"could not find the show: {exc}. Set [trim] start and end by hand.") from None
    if span is not None and opts.start is None and "pause_in_opening" in span.evidence:
        burst = span.first_word, span.first_word + span.evidence["pause_in_opening"]["after"]
        # (the pause is found a little early: `_talking` looks CHECK_WINDOW ahead)
        span = past_sound_check(span, heard_in(ctx, opts, max(0.0, burst[0] - 0.2), burst[1] + CHECK_WINDOW))
    if span is None:
        span = ShowSpan(first_word=opts.start or 0.0, last_word=opts.end or duration,
                        evidence={"method": "both cut points set in episode.toml [trim]"})
    for key, value in (("start", opts.start), ("end", opts.end)):
        if value is not None and value > duration:
            raise ConfigError(ctx.episode.file, f"trim.{key}",
                              f"{clock(value)} is past the end of the recording ({clock(duration)})")
    try:
        start, end = cut_points(span, regions, opts.pad, duration, opts.start, opts.end)
    except ValueError as exc:
        raise ConfigError(ctx.episode.file, "trim", str(exc)) from None
    result = {
        "start": start,
        "end": end,
        "source_duration": round(duration, 3),
        "first_word": round(span.first_word, 3),
        "last_word": round(span.last_word, 3),
        "start_from": "episode.toml [trim] start" if opts.start is not None else "detected",
        "end_from": "episode.toml [trim] end" if opts.end is not None else "detected",
        "evidence": span.evidence,
    }
    warnings = cut_warnings(start, end, regions, opts.start is not None, opts.end is not None)
    if opts.start is None:
        warnings += doubts(span)
    fsutil.write_json(ctx.paths.trim_evidence, result)
    fsutil.write_json(ctx.paths.trim, {"start": start, "end": end})
    return Outcome(report={"trim": result}, warnings=warnings,
                   figures={"start": clock(start), "end": clock(end), "length": f"{(end - start) / 60:.1f} min"})
