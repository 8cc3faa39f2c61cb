"""Where every file of an episode lives. One place, so stages, report and publishing agree on names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EpisodePaths:
    root: Path
    slug: str

    @classmethod
    def for_dir(cls, root: Path) -> "EpisodePaths":
        root = Path(root).resolve()
        return cls(root=root, slug=root.name)

    # --- the producer's files (never written by stages) ---
    @property
    def episode_file(self) -> Path:
        return self.root / "episode.toml"

    # --- work files (regenerable) ---
    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def manifest(self) -> Path:
        return self.work / "manifest.json"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def master(self) -> Path:
        """Full-quality joined source, on the source timeline (ingest)."""
        return self.work / "master.wav"

    @property
    def proxy(self) -> Path:
        """16 kHz mono analysis copy of the master, same timeline (ingest)."""
        return self.work / "proxy.wav"

    @property
    def ingest_info(self) -> Path:
        return self.work / "ingest.json"

    @property
    def trim(self) -> Path:
        """Chosen show start/end on the source timeline and the evidence (trim)."""
        return self.work / "trim.json"

    @property
    def normalised(self) -> Path:
        """Trimmed, levelled, loudness-normalised audio on the published timeline (normalise)."""
        return self.work / "normalised.wav"

    @property
    def speech(self) -> Path:
        """16 kHz mono copy of `normalised`, for transcription and speaker analysis (normalise)."""
        return self.work / "speech.wav"

    @property
    def loudness(self) -> Path:
        return self.work / "loudness.json"

    @property
    def encoded(self) -> Path:
        """The MP3 before tagging (encode). Tagging copies it, so a metadata edit never re-encodes."""
        return self.work / "encoded.mp3"

    @property
    def segments_log(self) -> Path:
        """Transcribed segments appended as they are produced, for resuming (transcribe)."""
        return self.work / "segments.jsonl"

    @property
    def speakers(self) -> Path:
        """Who speaks when: voice turns and the names given to voices (speakers)."""
        return self.work / "speakers.json"

    @property
    def chapters_work(self) -> Path:
        """Chapter boundaries with confidence and evidence (chapters)."""
        return self.work / "chapters.json"

    # --- published outputs of the episode ---
    @property
    def audio(self) -> Path:
        return self.root / f"{self.slug}.mp3"

    @property
    def report(self) -> Path:
        return self.root / "report.json"

    @property
    def transcript_dir(self) -> Path:
        return self.root / "transcript"

    @property
    def transcript(self) -> Path:
        """The internal word-level transcript: the single source of every transcript format."""
        return self.transcript_dir / "transcript.words.json"

    @property
    def corrections(self) -> Path:
        """The editors' file: corrected text per segment. Never written by a run once it exists."""
        return self.transcript_dir / "corrections.toml"

    @property
    def chapters_json(self) -> Path:
        """Podcasting 2.0 JSON chapters."""
        return self.root / "chapters.json"

    @property
    def editor_dir(self) -> Path:
        return self.root / "editor"

    def rel(self, path: Path) -> str:
        """A path relative to the episode folder, as report.json lists outputs."""
        return Path(path).resolve().relative_to(self.root).as_posix()
