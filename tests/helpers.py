"""Test helpers: an episode folder around a recording, running the CLI, and independent measurements.

The measurements call ffmpeg/ffprobe directly and parse their output here, so tests do not grade the pipeline
with the pipeline's own measuring code.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COVER = ROOT / "assets" / "cover.png"


def make_show(folder: Path, extra: str = "") -> Path:
    """A show config.toml in `folder` with the project's cover art; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(COVER, folder / "cover.png")
    config = folder / "config.toml"
    config.write_text(textwrap.dedent("""
        [show]
        title = "Testshow"
        description = "Een show om mee te testen."
        author = "Testredactie"
        owner_name = "Testredactie"
        owner_email = "test@example.org"
        image = "cover.png"
        base_url = "https://podcast.example.org/"
        copyright = "© 2024 Test"
        [paths]
        episodes = "episodes"
        feed = "feed"
        """) + extra, encoding="utf-8")
    return config


def make_episode(show_dir: Path, slug: str, sources: list[Path], body: str = "", copy: bool = True) -> Path:
    """An episode folder under show_dir/episodes with the recording(s) copied in and an episode.toml."""
    folder = show_dir / "episodes" / slug
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for source in sources:
        if copy:
            shutil.copy(source, folder / source.name)
        names.append(source.name)
    source_line = f'source = "{names[0]}"' if len(names) == 1 else f"source = {json.dumps(names)}"
    (folder / "episode.toml").write_text(textwrap.dedent("""
        title = "Testaflevering"
        date = 2024-06-13
        number = 1
        description = "Een aflevering om mee te testen."
        """) + source_line + "\n" + textwrap.dedent(body), encoding="utf-8")
    return folder


@dataclass
class Pristine:
    """A show the real pipeline ran on once, and a copy of it as the pipeline left it.

    Made once per session (the runs cost 15-60 s each); every test that writes takes `fresh()` first, so tests
    share the run yet stay independent of their order."""

    show: Path
    folder: Path  # the episode folder inside `show`
    pristine: Path

    @classmethod
    def keep(cls, show: Path, folder: Path) -> "Pristine":
        pristine = show.with_name(show.name + "-pristine")
        shutil.copytree(show, pristine, symlinks=True, copy_function=shutil.copy2)
        return cls(show, folder, pristine)

    def fresh(self) -> Path:
        """Put the show back as the pipeline left it, at the same path with the same mtimes (the engine's records
        name config.toml by its absolute path and cache hashes by mtime: nothing counts as changed)."""
        shutil.rmtree(self.show)
        shutil.copytree(self.pristine, self.show, symlinks=True, copy_function=shutil.copy2)
        return self.folder


def put_speech(wav: Path, episode: Path) -> Path:
    """A 16 kHz mono 16-bit WAV written where normalise leaves the speech copy: work/speech.flac (lossless)."""
    import soundfile

    samples, rate = soundfile.read(str(wav), dtype="int16")
    target = episode / "work" / "speech.flac"
    target.parent.mkdir(exist_ok=True)
    soundfile.write(str(target), samples, rate, subtype="PCM_16", format="FLAC")
    return target


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd)


def ebur128(path: Path) -> dict:
    """Integrated loudness (LUFS), loudness range (LU) and true peak (dBTP) by ffmpeg's ebur128 filter."""
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-i", str(path), "-af",
                           "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True, check=True)
    summary = proc.stderr[proc.stderr.rfind("Summary:"):]
    number = r"(-?[\d.]+|-inf)"
    return {"I": float(re.search(rf"I:\s+{number} LUFS", summary).group(1)),
            "LRA": float(re.search(rf"LRA:\s+{number} LU", summary).group(1)),
            "TP": float(re.search(rf"Peak:\s+{number} dBFS", summary).group(1))}


def ffprobe(path: Path, *flags: str) -> dict:
    proc = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", *flags, str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def duration(path: Path) -> float:
    return float(ffprobe(path, "-show_format")["format"]["duration"])


def words_of(text: str) -> list[str]:
    """Lower-case words without punctuation, for comparing transcripts."""
    return re.sub(r"[^\w\s]|_", " ", text.lower()).split()


def wer(reference: list[str], hypothesis: list[str]) -> float:
    """Word error rate: word-level edit distance / reference length."""
    if not reference:
        return 0.0 if not hypothesis else 1.0
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
        previous = current
    return previous[-1] / len(reference)


def stop_process(process: subprocess.Popen) -> None:
    """Terminate a server or browser the test started, and kill it when it does not stop within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
