"""transcribe: what is said, when, in Dutch (faster-whisper, the embedded Whisper base by default).

Reads:  work/speech.flac (16 kHz mono, published timeline), [transcription] settings, the people's names.
Writes: work/segments.jsonl (resume log, appended as segments are produced; pipeline/asr/resume.py),
        work/transcript.raw.json (pipeline.transcript.Transcript, speaker "unknown", after the guards).

The audio goes to Whisper in windows of about `window` seconds cut in pauses (pipeline/asr/windows.py), so
memory stays flat however long the show is, and every finished segment is on disk at once: after an
interrupt the next run continues after the last saved segment. Whisper runs with word timestamps, its VAD
filter, `beam_size` from the config and condition_on_previous_text off (no repetition loops carried from one
30-second chunk to the next). Then the guards (pipeline/asr/guards.py) and the name check
(pipeline/asr/names.py) run, and each reports what it changed.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline import fingerprint, fsutil, model
from pipeline.asr import guards, names
from pipeline.asr.resume import LOG_FORMAT, SegmentLog
from pipeline.asr.windows import find_cut
from pipeline.engine import Context, Outcome
from pipeline.errors import ConfigError
from pipeline.speechwav import SpeechWav
from pipeline.transcript import Segment, Transcript, Word

NAME = "transcribe"
HINT_PAD = 0.3  # seconds of audio around a clip decoded again with the names as a prompt
HINT_CONTEXT = 3  # words of context each side of a name candidate in that clip
MIN_TAIL = 0.1  # seconds: a rest of the audio shorter than this is not worth a window
RANDOM_SEED = 0


@dataclass(frozen=True)
class Options:
    model_kind: str  # embedded | folder | named
    model: str
    device: str
    compute_type: str
    language: str
    beam_size: int
    window: float
    names: tuple[str, ...]  # the people's names used as hints; empty when use_names is false
    faster_whisper: str  # library version: a new one may hear differently


def options(ctx: Context) -> Options:
    settings = ctx.show.transcription
    from faster_whisper.tokenizer import _LANGUAGE_CODES
    from faster_whisper.version import __version__ as fw_version

    if settings.language not in _LANGUAGE_CODES:
        raise ConfigError(ctx.show.file, "transcription.language",
                          f"expected a Whisper language code such as \"nl\" or \"en\", got {settings.language!r}")
    choice = model.choose(settings, ctx.show.file)
    people = tuple(p.name for p in ctx.episode.people) if settings.use_names else ()
    return Options(model_kind=choice.kind, model=choice.name, device=choice.device,
                   compute_type=choice.compute_type, language=settings.language, beam_size=settings.beam_size,
                   window=settings.window, names=people, faster_whisper=fw_version)


def _choice(opts: Options) -> model.ModelChoice:
    return model.ModelChoice(opts.model_kind, opts.model, opts.device, opts.compute_type)


def check(ctx: Context, opts: Options) -> None:
    """Before any stage runs: the model must be on this machine (a named one in the local cache)."""
    try:
        if opts.model_kind == "embedded":
            model.embedded_sources()
        elif opts.model_kind == "named":
            model.named_model_dir(opts.model)
    except model.ModelError as exc:
        raise ConfigError(ctx.show.file, "transcription.model", str(exc)) from None


def inputs(ctx: Context, opts: Options) -> list[Path]:
    files = [ctx.paths.speech]
    if opts.model_kind == "folder":
        files += [Path(opts.model) / "model.bin", Path(opts.model) / "config.json"]
    return files


def outputs(ctx: Context, opts: Options) -> list[Path]:
    return [ctx.paths.raw_transcript]


# ---------------------------------------------------------------- whisper output <-> plain dicts


def segment_dict(segment, offset: float, lo: float, hi: float) -> dict:
    """A faster-whisper Segment as a plain dict on the published timeline, times kept inside [lo, hi]."""
    def at(t: float) -> float:
        return round(min(hi, max(lo, offset + t)), 3)

    words = [{"start": at(w.start), "end": at(w.end), "text": w.word, "probability": round(w.probability, 4)}
             for w in (segment.words or [])]
    return {"start": at(segment.start), "end": at(segment.end), "text": segment.text,
            "avg_logprob": round(segment.avg_logprob, 4), "no_speech_prob": round(segment.no_speech_prob, 4),
            "words": words}


def to_segments(raw: list[dict]) -> list[Segment]:
    ordered = sorted(raw, key=lambda s: (s["start"], s["end"]))
    return [Segment(id=i, start=s["start"], end=s["end"], text=s["text"],
                    words=tuple(Word(**w) for w in s["words"]), avg_logprob=s["avg_logprob"],
                    no_speech_prob=s["no_speech_prob"]) for i, s in enumerate(ordered)]


# ---------------------------------------------------------------- the run


class _Whisper:
    """The model, loaded on first use (a fully resumed run never loads it).

    Where Whisper's output is poor it falls back to sampling at rising temperatures. ctranslate2 seeds its
    sampler once per worker thread, at the thread's first sample (`set_random_seed` reaches only threads that
    have not sampled yet), so a model that has already sampled would transcribe the next window differently
    than a run resumed at that window. A call that may sample after one that may have sampled therefore gets a
    model loaded anew (0.3-0.5 s), and every window comes out the same in one go and after a resume."""

    def __init__(self, opts: Options, ctx: Context):
        self.opts, self.ctx, self._model, self._sampled = opts, ctx, None, False

    def get(self):
        if self._model is None:
            self._model = model.load(_choice(self.opts), self.ctx.show.transcription)
        return self._model

    def transcribe(self, audio, **extra):
        """Segments of `audio` (lazy), the same for the same audio in any call of the run (see the class)."""
        import ctranslate2

        sampling = extra.get("temperature") != 0.0  # faster-whisper's default: fall back to sampling
        if sampling and self._sampled:
            self._model = None  # dropped before the new one loads: one model in memory at a time
        whisper = self.get()
        ctranslate2.set_random_seed(RANDOM_SEED)
        self._sampled = self._sampled or sampling
        segments, _info = whisper.transcribe(
            audio, language=self.opts.language, beam_size=self.opts.beam_size, word_timestamps=True,
            condition_on_previous_text=False, **({"vad_filter": True} | extra))
        return segments


def run(ctx: Context, opts: Options) -> Outcome:
    log = ctx.logger(NAME)
    whisper = _Whisper(opts, ctx)
    header = {"format": LOG_FORMAT, "code": fingerprint.digest(__name__),  # a log of older code is not resumed
              "input_sha256": fsutil.sha256_file(ctx.paths.speech),
              "options": asdict(opts)}
    seglog = SegmentLog(ctx.paths.segments_log, header)
    with SpeechWav(ctx.paths.speech) as wav:
        windows = seglog.open()
        raw = [s for w in windows for s in w.segments]
        resumed = sum(1 for w in windows if w.done)
        if windows:
            log.info("resuming after %.1f s of %.1f s (%d windows done)", windows[-1].resume_at, wav.duration,
                     resumed)
        task = ctx.progress("Transcriberen", wav.duration)
        if windows:
            task.update(windows[-1].resume_at if not windows[-1].done else windows[-1].end)
        began, heard, transcribed = time.monotonic(), 0.0, 0

        def transcribe_span(index: int, start: float, end: float) -> None:
            nonlocal heard
            audio = wav.read(start, end)
            for segment in whisper.transcribe(audio):
                entry = segment_dict(segment, start, start, end)
                seglog.add_segment(index, entry)
                raw.append(entry)
                task.update(entry["end"])
            heard += end - start
            seglog.finish_window(index)
            task.update(end)

        try:
            if windows and not windows[-1].done:
                last = windows[-1]
                if last.end - last.resume_at > MIN_TAIL:
                    transcribe_span(last.index, last.resume_at, last.end)
                    transcribed += 1
                else:
                    seglog.finish_window(last.index)
            position, index = (windows[-1].end, len(windows)) if windows else (0.0, 0)
            while wav.duration - position > MIN_TAIL:
                end = find_cut(wav, position, opts.window)
                seglog.start_window(index, position, end)
                transcribe_span(index, position, end)
                transcribed += 1
                position, index = end, index + 1
        finally:
            seglog.close()
            task.close()
        kept, guard_report = guards.apply_guards(to_segments(raw))
        kept, name_report = _check_names(kept, opts, wav, whisper)
        seconds = time.monotonic() - began  # model loading, windows and the name check

    kept = [s.with_(id=i) for i, s in enumerate(kept)]
    rtf = round(seconds / heard, 3) if heard else None
    meta = {
        "input_sha256": header["input_sha256"],
        "guards": guard_report.to_dict(),
        "names": name_report,
        "options": {"beam_size": opts.beam_size, "language": opts.language, "vad_filter": True,
                    "word_timestamps": True, "condition_on_previous_text": False, "window": opts.window,
                    "device": opts.device, "compute_type": opts.compute_type,
                    "faster_whisper": opts.faster_whisper},
        "windows": {"total": index, "resumed": resumed, "transcribed": transcribed},
        "real_time_factor": rtf,
        "seconds": round(seconds, 1),
    }
    transcript = Transcript(language=opts.language, duration=round(wav.duration, 3), segments=tuple(kept),
                            model=_choice(opts).describe(), meta=meta)
    transcript.save(ctx.paths.raw_transcript)
    section = transcript.summary()
    warnings = []
    if not kept:
        warnings.append("no speech was recognised in work/speech.flac; is the right recording in episode.toml?")
    removed = sum(guard_report.removed.values())
    if kept and removed > 0.1 * (len(kept) + removed):
        warnings.append(f"the guards removed {removed} of {len(kept) + removed} segments; check "
                        f"report.json transcript.guards.examples for real speech among them")
    return Outcome(report={"transcript": section},
                   figures={"words": str(transcript.word_count),
                            "rtf": f"{rtf:.2f}" if rtf is not None else "resumed"},
                   warnings=warnings)


def _check_names(segments: list[Segment], opts: Options, wav: SpeechWav,
                 whisper: _Whisper) -> tuple[list[Segment], dict]:
    """Spell the people's names where the unhinted transcript sounds like them (pipeline/asr/names.py).

    An unsure candidate is checked by decoding a short clip around it (HINT_CONTEXT words each side) with the
    names as the prompt; candidates whose clips overlap share one decode.
    """
    report = {"hints": bool(opts.names), "corrected": 0, "confirmed": 0, "rejected": 0, "echoes_dropped": 0,
              "second_passes": 0, "seconds": 0.0}
    if not opts.names:
        return segments, report
    began = time.monotonic()
    prompt = ", ".join(opts.names) + "."
    result = []
    for segment in segments:
        candidates = names.find_candidates([w.text for w in segment.words], opts.names)
        if not candidates:
            result.append(segment)
            continue
        words = segment.words
        hinted: list[Word] = []
        for first, last in _clips([c for c in candidates if not c.sure], len(words)):
            start, end = max(0.0, words[first].start - HINT_PAD), min(wav.duration, words[last - 1].end + HINT_PAD)
            audio = wav.read(start, end)
            budget = min(200, 3 * (last - first) + 20)  # with the prompt (<= 224 tokens) under Whisper's 448
            for part in whisper.transcribe(audio, vad_filter=False, initial_prompt=prompt, temperature=0.0,
                                           max_new_tokens=budget):
                hinted += [Word(start + w.start, start + w.end, w.word, w.probability) for w in (part.words or [])]
            report["second_passes"] += 1
        if hinted:
            places = [(words[c.first].start, words[c.last - 1].end) for c in candidates]
            report["echoes_dropped"] += names.echoes(hinted, opts.names, places)
        # replace from the last span backwards so earlier indices stay valid
        for cand in sorted(candidates, key=lambda c: -c.first):
            if cand.sure:
                report["corrected"] += 1
            elif names.hinted_has_name(hinted, cand.form, words[cand.first].start, words[cand.last - 1].end):
                report["confirmed"] += 1
            else:
                report["rejected"] += 1
                continue
            words = names.spell(words, cand)
        if words is not segment.words:
            segment = segment.with_(words=words, text="".join(w.text for w in words))
        result.append(segment)
    report["seconds"] = round(time.monotonic() - began, 1)
    return result, report


def _clips(candidates: list[names.Candidate], count: int) -> list[tuple[int, int]]:
    """Word ranges to decode again: each candidate with HINT_CONTEXT words around it, overlaps merged."""
    ranges = sorted((max(0, c.first - HINT_CONTEXT), min(count, c.last + HINT_CONTEXT)) for c in candidates)
    merged: list[tuple[int, int]] = []
    for first, last in ranges:
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged
