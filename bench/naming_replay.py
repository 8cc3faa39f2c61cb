"""Naming replayed in memory on a judgement bench folder: no voiceprints, no transcription, seconds.

For every show of `bench/judgement_bench.py --work FOLDER` (after a full run there), takes the stored voice turns
(work/speakers.json) and transcript, names the voices again with the current pipeline.naming
(speakers.build_document, pure; the parts' starts from the chapter search, speakers.part_starts, which reads
the levels of work/speech.flac; the voices' likeness, and the voices that sound like one person or like two
people, as stored) and grades them against the simulator's truth:
the share of speech time named right per show and level, the level gap, and the CHECK calibration of the names
(voices with >= 2 s of speech).
The figures equal the benchmark's when the stored turns are the current code's (the voices do not change).

    python bench/naming_replay.py /tmp/n2/bench3 [show-3 ...] [-v] [--judge=CACHE_DIR]

--judge: with the Whisper judge of the speakers stage (pipeline.spoken_names; the model scores the host's
questions against work/speech.flac), its scores kept in CACHE_DIR/<show>.json so that later replays take
seconds again.
"""
import json
import sys
import tomllib
from pathlib import Path
import numpy as np
from pipeline import audiocues, model, spoken_names
from pipeline.chaptering import ChapterCue
from pipeline.config import TranscriptionSettings
from pipeline.speechwav import SpeechWav
from pipeline.stages import speakers
from pipeline.timeline import Turn
from pipeline.transcript import Transcript
from showgen.metrics import named_share

args = [a for a in sys.argv[1:] if not a.startswith("-")]
root = Path(args[0]) / "episodes"
verbose = "-v" in sys.argv
only = args[1:]
cache_dir = next((Path(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--judge=")), None)
settings = TranscriptionSettings()
whisper = []


def load():
    if not whisper:
        whisper.append(model.load(model.choose(settings, Path(args[0]) / "config.toml"), settings))
    return whisper[0]


def cached_judge(folder):
    """The stage's judge, with its scores kept on disk between replays."""
    file = cache_dir / f"{folder.name}.json"
    known = json.loads(file.read_text()) if file.exists() else {}
    wav = SpeechWav(folder / "work" / "speech.flac")
    judge = spoken_names.WhisperJudge(load, wav, "nl")

    def ask(start, end, texts, prompt):
        key = (round(start, 3), round(end, 3), list(texts), prompt)
        k = json.dumps(key)
        if k not in known:
            known[k] = judge(start, end, texts, prompt)
        return known[k]

    def save():
        cache_dir.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(known))
    return ask, save


rows = {}
flag_right = flag_wrong = n_right = n_wrong = sure_wrong = 0
for folder in sorted(root.iterdir()):
    if only and not any(folder.name.startswith(o) for o in only):
        continue
    work = folder / "work"
    truth = json.loads((folder / "show.truth.json").read_text())
    ep = tomllib.loads((folder / "episode.toml").read_text())
    doc = json.loads((work / "speakers.json").read_text())
    offset = float(json.loads((work / "trim-evidence.json").read_text())["start"])
    tr = Transcript.load(work / "transcript.raw.json")
    turns = tuple(Turn(t["start"], t["end"], t["voice"]) for t in doc["turns"])
    opts = speakers.Options(people=tuple((p["name"], p["role"]) for p in ep["people"]),
                            chapters=tuple(ChapterCue(tuple(c["people"]), tuple(c.get("keywords", ())),
                                                      c.get("start"), c.get("approx")) for c in ep["chapters"]))
    judge = save = None
    if cache_dir is not None:
        judge, save = cached_judge(folder)
    pair = doc.get("one_person")  # the stage's diarization found them; labels are by first turn, as here
    one_person = None if not pair else (int(pair[0].split()[-1]) - 1, int(pair[1].split()[-1]) - 1, pair[2])
    starts = speakers.part_starts(tr, opts, turns, *audiocues.measure(work / "speech.flac"))
    new = speakers.one_person_doubt(speakers.build_document(turns, tr, opts, judge, one_person, starts,
                                                            doc.get("voice_similarity")), one_person)
    new = speakers.two_people_doubt(new, [tuple(x) for x in doc.get("two_people", [])])  # as stored
    new = speakers.split_in_two(new, [tuple(x) for x in doc.get("cut_in_two", [])])
    if save is not None:
        save()
    out = speakers.outcome(new, opts)
    reference = [(u["start"], u["end"], u["speaker"]) for u in truth["utterances"]]
    hyp = [(t["start"] + offset, t["end"] + offset, new["voices"][t["voice"]]["name"]) for t in new["turns"]]
    share = named_share(reference, hyp)
    rows[folder.name] = share
    # per voice truth
    heard = {}
    for t in new["turns"]:
        s, e = t["start"] + offset, t["end"] + offset
        for rs, re_, p in reference:
            o = min(e, re_) - max(s, rs)
            if o > 0:
                heard.setdefault(t["voice"], {}).setdefault(p, 0.0)
                heard[t["voice"]][p] += o
    print(f"{folder.name}: named {100*share:.0f}%")
    for v, info in new["voices"].items():
        best = max(heard.get(v, {"?": 1}), key=heard.get(v, {"?": 1}).get)
        flagged = any(w.startswith(f"{v} ") for w in out.warnings)
        ok = info["name"] == best
        if info["talk_time"] >= 2.0:
            if ok: n_right += 1; flag_right += flagged
            else: n_wrong += 1; flag_wrong += flagged; sure_wrong += info["confidence"] >= 0.9
        mark = "  " if ok else "XX"
        print(f"  {mark} {v}: {info['name']} ({info['confidence']:.2f}{' CHECK' if flagged else ''}) truth {best} "
              f"talk {info['talk_time']}  " + (" | ".join(info["evidence"]) if verbose or not ok else ""))
levels = {}
for name, s in rows.items():
    lvl = name.rsplit("-", 1)[1] if not name.endswith("-10db") else "-10db"
    levels.setdefault(lvl, []).append(s)
print({k: f"{100*np.mean(v):.1f}" for k, v in levels.items()}, f"mean {100*np.mean(list(rows.values())):.1f}")
shows = {}
for name, s in rows.items():
    shows.setdefault(name.split("-")[1], []).append(s)
gaps = [100*(max(v)-min(v)) for v in shows.values() if len(v) == 3]
if gaps: print(f"level gap mean {np.mean(gaps):.0f} worst {max(gaps):.0f}")
print(f"names: wrong {n_wrong} flagged {flag_wrong}; right {n_right} flagged {flag_right} "
      f"({100 * flag_right / max(1, n_right):.0f}%); sure wrong {sure_wrong}")
