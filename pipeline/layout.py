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
    def proxy(self) -> Path:
        """The 16 kHz analysis copy of the source that older versions kept (ingest removes it: the stages read the
        source through media.SPEECH_FILTER now)."""
        return self.work / "proxy.flac"

    @property
    def ingest_info(self) -> Path:
        return self.work / "ingest.json"

    @property
    def trim(self) -> Path:
        """Chosen show start/end on the source timeline and the evidence (trim)."""
        return self.work / "trim.json"

    @property
    def trim_evidence(self) -> Path:
        """How the cut points were found (trim). Kept apart so an unchanged cut never re-runs normalise."""
        return self.work / "trim-evidence.json"

    @property
    def speech(self) -> Path:
        """16 kHz mono, levelled show on the published timeline, for transcription and speakers, lossless FLAC
        (normalise)."""
        return self.work / "speech.flac"

    @property
    def loudness(self) -> Path:
        return self.work / "loudness.json"

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

    # --- transcription (helper T): transcribe + transcripts stages ---
    @property
    def transcript(self) -> Path:
        """The internal word-level transcript, corrected and labelled: the source of every transcript format."""
        return self.transcript_dir / f"{self.slug}.words.json"

    @property
    def raw_transcript(self) -> Path:
        """What Whisper heard, after the guards, speaker "unknown" (transcribe)."""
        return self.work / "transcript.raw.json"

    def transcript_file(self, kind: str) -> Path:
        """transcript/<slug>.<kind>: kind is vtt, srt, json (Podcasting 2.0), txt or words.json."""
        return self.transcript_dir / f"{self.slug}.{kind}"

    @property
    def corrections(self) -> Path:
        """The editors' file (docs/editing-transcripts.md). A run writes it only while nobody has edited it."""
        return self.transcript_dir / "corrections.txt"

    @property
    def corrections_base(self) -> Path:
        """What corrections.txt said when the pipeline wrote it, to tell an editor's change from a new run's."""
        return self.transcript_dir / ".corrections.base.json"
    # --- end of transcription paths ---

    @property
    def chapters_json(self) -> Path:
        """Podcasting 2.0 JSON chapters."""
        return self.root / "chapters.json"

    @property
    def editor_dir(self) -> Path:
        return self.root / "editor"

    # --- editors' transcript (helper S): editor stage ---
    @property
    def editor_docx(self) -> Path:
        """The editors' transcript as a Word document (editor)."""
        return self.editor_dir / f"{self.slug}.docx"

    @property
    def editor_md(self) -> Path:
        """The editors' transcript as Markdown (editor)."""
        return self.editor_dir / f"{self.slug}.md"
    # --- end of editor paths ---

    def rel(self, path: Path) -> str:
        """A path relative to the episode folder, as report.json lists outputs."""
        return Path(path).resolve().relative_to(self.root).as_posix()


def show_manifest(config_file: Path) -> Path:
    """The records of the show-level stages (the feed): work/manifest.json beside config.toml."""
    return Path(config_file).resolve().parent / "work" / "manifest.json"


def voice_library(config_file: Path) -> Path:
    """The show's voice library (pipeline/voicelibrary.py): voices/ beside config.toml, one file per person.
    Never removed by `pipeline clean`; safe to delete by hand."""
    return Path(config_file).resolve().parent / "voices"
