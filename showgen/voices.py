"""Real recorded human voices for simulated shows: the Fish Fillets NG voice-over (Debian, GPL-2), Dutch and Czech.

`scripts/fetch_voices.sh` puts the packages in a cache outside git (never at pipeline run time). The game's
subtitles say who speaks each line: `script/<level>/dialogs_nl.lua` holds, per line,

    dialogId("1st-m-cotobylo", "font_small", "What was that?")     -- id, the speaker's font, the English text
    dialogStr("Wat was dat?")                                       -- the Dutch text

and the recording is `sound/<level>/nl/<id>.ogg`. The Dutch voice-over has two actors: the small fish
("font_small") and the big fish ("font_big"); lines of other characters have no Dutch recording. The Czech
voice-over (`fillets-ng-data-cs`: `dialogs_cs.lua`, `sound/<level>/cs/`) has the same layout and two other
actors for the two fish, so the four voices of LANGUAGES x ACTORS are four distinct people (the voice encoder
measures their centroids at most 0.75 alike; the Czech characters other than the fish sound like the Czech
actors again, 0.8-0.9, and are not used).

RESERVED_LEVELS are the acceptance set of issue 9: `lines()` never returns them (in any language) and refuses
to be asked for them, so no test, tuning or benchmark can hear those lines.

    lines = dutch_lines()                              # every usable line, in level and script order
    audio = load_clip(lines[0], 44100, shift=1.08)     # float32 mono, silence trimmed, voice shifted up
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RESERVED_LEVELS = frozenset({"start", "library", "briefcase", "electromagnet", "kitchen", "key", "keys", "turtle"})
ACTORS = ("font_small", "font_big")  # the two voices of each language's voice-over
LANGUAGES = ("nl", "cs")  # Dutch (fillets-ng-data-nl) and Czech (fillets-ng-data-cs): other actors
GAME_DATA = Path("root/usr/share/games/fillets-ng")
CLIP_CACHE_VERSION = "1"

_STRING = r'"((?:[^"\\]|\\.)*)"'
_DIALOG = re.compile(rf"dialogId\(\s*{_STRING}\s*,\s*{_STRING}\s*,\s*{_STRING}\s*\)\s*dialogStr\(\s*{_STRING}\s*\)")


class VoicesMissing(RuntimeError):
    """The voice packages are not unpacked in the cache."""


@dataclass(frozen=True)
class VoiceLine:
    level: str
    id: str
    speaker: str  # the subtitle font: "font_small" or "font_big"
    text: str  # in `language`
    english: str
    ogg: Path
    language: str = "nl"

    @property
    def voice(self) -> str:
        """The person speaking: language and actor, e.g. "cs:font_big"."""
        return f"{self.language}:{self.speaker}"


def cache_dir() -> Path:
    return Path(os.environ.get("BURGER_VOICES") or Path.home() / ".cache" / "burger-pipeline" / "voices")


def game_root(cache: Path | None = None) -> Path:
    """The unpacked game data folder; raises VoicesMissing with the command that fetches it."""
    root = (cache or cache_dir()) / GAME_DATA
    if not (root / "script").is_dir() or not (root / "sound").is_dir():
        raise VoicesMissing(f"the Fish Fillets voices are not in {root}; run: bash scripts/fetch_voices.sh")
    return root


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_dialogs(lua: str) -> list[tuple[str, str, str, str]]:
    """(id, font, english, dutch) of every dialogId/dialogStr pair in a dialogs_<lang>.lua text. Pure."""
    return [tuple(_unescape(g) for g in m.groups()) for m in _DIALOG.finditer(lua)]  # type: ignore[misc]


def levels(root: Path | None = None, language: str = "nl") -> list[str]:
    """The levels that have dialogue in `language`, without the reserved ones, sorted."""
    root = root or game_root()
    return sorted(p.parent.name for p in (root / "script").glob(f"*/dialogs_{language}.lua")
                  if p.parent.name not in RESERVED_LEVELS)


def dutch_lines(root: Path | None = None, only: list[str] | None = None,
                speakers: tuple[str, ...] = ACTORS) -> list[VoiceLine]:
    """Every Dutch line with a recording, by `speakers`, in level and script order (reserved levels never)."""
    return lines("nl", root, only, speakers)


def lines(language: str = "nl", root: Path | None = None, only: list[str] | None = None,
          speakers: tuple[str, ...] = ACTORS) -> list[VoiceLine]:
    """Every line in `language` with a recording, by `speakers`, in level and script order (reserved levels
    never). `only` limits the levels; asking for a reserved level raises ValueError."""
    root = root or game_root()
    if only is not None:
        reserved = sorted(set(only) & RESERVED_LEVELS)
        if reserved:
            raise ValueError(f"levels {', '.join(reserved)} are reserved for acceptance and never read")
    result = []
    for level in (only if only is not None else levels(root, language)):
        script = root / "script" / level / f"dialogs_{language}.lua"
        if not script.is_file():
            continue
        for line_id, font, english, text in parse_dialogs(script.read_text(encoding="utf-8", errors="replace")):
            ogg = root / "sound" / level / language / f"{line_id}.ogg"
            if font in speakers and ogg.is_file():
                result.append(VoiceLine(level, line_id, font, text, english, ogg, language))
    return result


def trim_silence(audio: np.ndarray, sample_rate: int, below_peak_db: float = 40.0) -> np.ndarray:
    """Cut leading and trailing 10 ms frames whose RMS is more than `below_peak_db` under the loudest frame. Pure."""
    frame = max(1, sample_rate // 100)
    n = len(audio) // frame
    if n == 0:
        return audio
    rms = np.sqrt(np.mean(audio[:n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(20 * np.log10(rms / rms.max()) > -below_peak_db)
    return audio[loud[0] * frame:(loud[-1] + 1) * frame]


def load_clip(line: VoiceLine, sample_rate: int, shift: float = 1.0, cache: Path | None = None) -> np.ndarray:
    """The line as float32 mono at `sample_rate`, leading/trailing silence trimmed.

    `shift` != 1 plays the recording `shift` times faster and restores its tempo (ffmpeg asetrate + atempo):
    pitch and formants move together, as in a smaller (>1) or larger (<1) vocal tract. Cached as .npy.
    """
    if line.level in RESERVED_LEVELS:
        raise ValueError(f"level {line.level} is reserved for acceptance")
    cache = (cache or cache_dir()) / "clips"
    key = hashlib.sha256(repr((CLIP_CACHE_VERSION, str(line.ogg), sample_rate, round(shift, 4))).encode()).hexdigest()
    path = cache / f"{key[:24]}.npy"
    if path.is_file():
        try:
            return np.load(path)
        except (OSError, ValueError):
            pass
    chain = "" if shift == 1.0 else f"asetrate={round(22050 * shift)},aresample=22050,atempo={1 / shift:.5f},"
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(line.ogg),
                           "-af", f"{chain}aresample={sample_rate}", "-ac", "1", "-ar", str(sample_rate),
                           "-f", "f32le", "pipe:1"], capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg could not decode {line.ogg}: {proc.stderr.decode(errors='replace')[-300:]}")
    audio = trim_silence(np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32), sample_rate)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(tmp, audio)
    os.replace(tmp, path)
    return audio
