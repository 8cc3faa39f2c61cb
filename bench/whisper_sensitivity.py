#!/usr/bin/env python3
"""Benchmark (not a test): how far Whisper's words move when the speech copy changes by next to nothing, and what
its fallback to sampling does to the words on real Dutch voices.

Reads episodes of a judgement benchmark work folder (bench/judgement_bench.py --work DIR: each episode has
work/speech.flac, work/trim.json and the simulator's show.truth.json) and decodes each speech copy with the
embedded model as the transcribe stage does (nl, beam 5, word timestamps, VAD, no previous-text conditioning):

  sensitivity (first episode only): the speech copy 0.01 dB and 0.1 dB louder, quantised to 16 bits 10 dB down
      and brought back (a recording made 10 dB quieter), and starting 32 ms later (a trim 32 ms apart), each
      decoded at temperature 0 (deterministic) and compared word for word with the copy as it is (difflib's
      ratio: 1.0 = the same words);
  temperatures (every episode): word error rate on the lines of the Dutch speakers (the Dutch actors and the
      espeak host; the Czech actors have no Dutch words to get right), for faster-whisper's default ladder
      (0.0, 0.2, ... 1.0: sampling where the decode at 0 looks poor), temperature 0 only, and 0.0-0.4.

Usage: .venv/bin/python bench/whisper_sensitivity.py /tmp/s30/w190/episodes/show-190-* [--skip-sensitivity]
About 40-60 s of Whisper per decode of a 3-minute show on 2 cores: 5 decodes for the sensitivity, 3 per episode.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import wer, words_of  # noqa: E402  (the tests' own measuring)

TEMPERATURES = {"default ladder": {}, "0 only": {"temperature": 0.0}, "0.0-0.4": {"temperature": [0.0, 0.2, 0.4]}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("episodes", type=Path, nargs="+", help="episode folders of a judgement benchmark work folder")
    parser.add_argument("--skip-sensitivity", action="store_true")
    args = parser.parse_args()

    import ctranslate2
    import soundfile

    from pipeline import model
    from pipeline.config import TranscriptionSettings

    settings = TranscriptionSettings()
    choice = model.choose(settings, ROOT / "config.toml")  # the defaults: the embedded model (a file named in errors)

    def decode(audio: np.ndarray, **options) -> list:
        whisper = model.load(choice, settings)  # a new model: its sampler seeded afresh (stages/transcribe.py)
        ctranslate2.set_random_seed(0)
        segments, _ = whisper.transcribe(audio, language="nl", beam_size=5, word_timestamps=True,
                                         condition_on_previous_text=False, vad_filter=True, **options)
        return [w for s in segments for w in (s.words or [])]

    if not args.skip_sensitivity:
        speech, _ = soundfile.read(args.episodes[0] / "work" / "speech.flac", dtype="float32")
        reference = words_of(" ".join(w.word for w in decode(speech, temperature=0.0)))
        quieter = 10 ** (-10 / 20)
        for name, audio in {
            "+0.01 dB": speech * 10 ** (0.01 / 20),
            "+0.1 dB": speech * 10 ** (0.1 / 20),
            "16 bits at -10 dB": (np.round(speech * quieter * 32768) / 32768 / quieter).astype(np.float32),
            "32 ms later start": speech[512:],
        }.items():
            heard = words_of(" ".join(w.word for w in decode(audio, temperature=0.0)))
            ratio = difflib.SequenceMatcher(None, reference, heard).ratio()
            print(f"{args.episodes[0].name}  {name:18s} same words: {ratio:.2f} ({len(heard)} words, "
                  f"{len(reference)} as is)", flush=True)

    errors: dict[str, list[float]] = {name: [] for name in TEMPERATURES}
    for episode in args.episodes:
        truth = json.loads((episode / "show.truth.json").read_text())
        start = json.loads((episode / "work" / "trim.json").read_text())["start"]
        dutch_speakers = {name for name, s in truth["speakers"].items()
                          if s["source"].split(":")[0] in ("nl", "espeak")}
        lines = [u for u in truth["utterances"] if u["speaker"] in dutch_speakers and not u["backchannel"]]
        reference = words_of(" ".join(u["text"] for u in lines))
        speech, _ = soundfile.read(episode / "work" / "speech.flac", dtype="float32")
        for name, options in TEMPERATURES.items():
            heard = [w.word for w in decode(speech, **options)
                     if any(u["start"] - 0.5 <= start + (w.start + w.end) / 2 <= u["end"] + 0.5 for u in lines)]
            errors[name].append(wer(reference, words_of(" ".join(heard))))
            print(f"{episode.name}  {name:15s} WER on the Dutch lines {errors[name][-1]:.3f}", flush=True)
    for name, values in errors.items():
        print(f"{name:15s} mean WER {sum(values) / len(values):.3f} over {len(values)} episodes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
