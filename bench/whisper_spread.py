#!/usr/bin/env python3
"""Benchmark (not a test): how much the transcribe test's word error rates move when the CPU kernels change.

Int8 and float kernels differ between CPUs (instruction sets, thread count, summation order), so Whisper's
beam search can take another path on another machine. This script changes the kernels the way another machine
would, on the audio of tests/stages/test_transcribe.py (the generated 111 s short show, 16 kHz mono), and prints
for each kernel setting the word error rate against the script of
  stage: the transcribe stage (window 30 s, names as hints), as the test runs it
  bare:  faster-whisper on the whole file (vad_filter, word timestamps, beam 5, no previous-text conditioning)
  windows: the same bare call on each window the stage gave Whisper (as the test compares now)
and the spread (max - min) of each and of the differences. The test's margins are taken from this spread.

Usage: .venv/bin/python bench/whisper_spread.py [--settings int8:1,int8:2,float32:1,float32:2] [--work DIR]
About 8 Whisper runs of 111 s audio: 4-8 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import make_episode, make_show, put_speech, wer, words_of  # noqa: E402  (the tests' own measuring)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", default="int8:1,int8:2,float32:1,float32:2",
                        help="comma-separated compute_type:cpu_threads pairs")
    parser.add_argument("--work", type=Path, help="folder for the audio and episodes (default: a temp folder)")
    args = parser.parse_args()

    import ctranslate2
    from faster_whisper import WhisperModel

    from showgen import synth
    from showgen.demo_scene import episode_plan_toml, short_show_scene
    from pipeline.engine import Engine, load_context
    from pipeline.stages import transcribe
    from pipeline.transcript import Transcript

    work = args.work or Path(tempfile.mkdtemp(prefix="whisper-spread-"))
    work.mkdir(parents=True, exist_ok=True)
    speech = work / "short-show-speech.wav"
    truth = synth.render(short_show_scene(), speech, sample_rate=16000, channels=1, bits=16)
    script = words_of(" ".join(u["text"] for u in truth["utterances"]))
    cache = work / "models"
    rows = []
    for setting in args.settings.split(","):
        compute_type, threads = setting.split(":")
        show = work / f"show-{compute_type}-{threads}"
        shutil.rmtree(show, ignore_errors=True)
        make_show(show, extra=f'[transcription]\nwindow = 30\nmodel_cache = "{cache}"\n'
                              f'compute_type = "{compute_type}"\ncpu_threads = {threads}\n')
        episode = make_episode(show, "2024-06-13-test", [speech], body=episode_plan_toml(chapters=False))
        put_speech(speech, episode)
        ctx = load_context(episode)
        Engine(ctx, [transcribe]).run()
        stage = wer(script, words_of(" ".join(s.text for s in Transcript.load(ctx.paths.raw_transcript).segments)))

        whisper = WhisperModel(str(cache / "whisper-base"), device="cpu", compute_type=compute_type,
                               cpu_threads=int(threads))
        ctranslate2.set_random_seed(0)
        segments, _ = whisper.transcribe(str(speech), language="nl", beam_size=5, vad_filter=True,
                                         word_timestamps=True, condition_on_previous_text=False)
        bare = wer(script, words_of(" ".join(s.text for s in segments)))
        entries = [json.loads(line) for line in ctx.paths.segments_log.read_text().splitlines()]
        samples = _samples(speech)
        texts = []
        for entry in (e for e in entries if e["kind"] == "window"):
            ctranslate2.set_random_seed(0)
            part, _ = whisper.transcribe(samples[int(round(entry["start"] * 16000)):int(round(entry["end"] * 16000))],
                                         language="nl", beam_size=5, vad_filter=True, word_timestamps=True,
                                         condition_on_previous_text=False)
            texts += [s.text for s in part]
        windows = wer(script, words_of(" ".join(texts)))
        rows.append({"compute_type": compute_type, "cpu_threads": int(threads), "stage_wer": round(stage, 3),
                     "bare_wer": round(bare, 3), "difference": round(stage - bare, 3),
                     "bare_windows_wer": round(windows, 3), "difference_windows": round(stage - windows, 3)})
        print(json.dumps(rows[-1]), flush=True)
    for key in ("stage_wer", "bare_wer", "difference", "bare_windows_wer", "difference_windows"):
        values = [r[key] for r in rows]
        print(f"{key}: min {min(values):.3f} max {max(values):.3f} spread {max(values) - min(values):.3f}")
    return 0


def _samples(path: Path):
    import wave

    import numpy as np

    with wave.open(str(path), "rb") as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), "<i2").astype(np.float32) / 32768


if __name__ == "__main__":
    raise SystemExit(main())
