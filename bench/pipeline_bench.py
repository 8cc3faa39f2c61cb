#!/usr/bin/env python3
"""Benchmark (not a test): the whole pipeline on one recording against bare faster-whisper and a plain ffmpeg
MP3 transcode of the same file, all run in this one script.

The recording: a show from the live-room simulator (showgen/room.py: the Fish Fillets NG Dutch voice actors
and an espeak host in a reverberant room with crowd babble and applause; never the reserved levels), made
once with --seed and --minutes and turned into what a recorder writes: 48 kHz stereo 16-bit FLAC, the two
channels a little apart, each with its own faint pink noise floor. It is kept in --workdir and reused.

Then, each in its own process, timed with os.wait4 (wall, user+system CPU of the process and everything it
waited for, peak RSS of the largest of them):
1. the reference transcode: `ffmpeg -i recording.flac -c:a libmp3lame -b:a 128k out.mp3`;
2. bare faster-whisper: WhisperModel on the embedded model with the transcribe stage's device, compute type
   and threads, transcribe(recording.flac, language, beam_size, vad_filter=True, word_timestamps=True,
   condition_on_previous_text=False) with the same seed, every segment consumed (pipeline/stages/transcribe.py
   uses these settings);
3. `pipeline run` on a fresh episode of that recording (every stage, publish included); per-stage seconds
   come from its report.json;
4. `pipeline run` again with nothing changed, and once more after an editor's correction of one line in
   transcript/corrections.txt.
It prints the ratios against the goals of issue 10: whole pipeline <= 1.3x bare faster-whisper (aim 1.15x),
audio stages (ingest, trim, normalise, encode, tag) <= 2x the transcode, peak RSS <= 1 GB, work/ <= half the
source, MP3 within +-0.5 LU of -16 LUFS and true peak <= -1.0 dBTP (an independent ffmpeg ebur128=peak=true),
a re-run after a correction <= 10 s and with nothing changed <= 2 s.
With --beside it also runs bare faster-whisper once more while a plain transcode of the same file runs beside
it, to see what rendering beside transcription would cost the transcription on this machine.

Run every part at the same nice level (children inherit this script's): `nice -n 5 .venv/bin/python ...`.

Usage: .venv/bin/python bench/pipeline_bench.py [--minutes 20] [--seed 11] [--workdir /tmp/pipeline-bench]
       [--beside] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import ebur128, make_show  # noqa: E402  (the tests' independent measuring)

TARGET, CEILING = -16.0, -1.0
AUDIO_STAGES = ("ingest", "trim", "normalise", "encode", "tag")


# ---------------------------------------------------------------- measuring


def timed(cmd: list[str], log: Path, beside: list[str] | None = None) -> dict:
    """Run `cmd` (and `beside` at the same time, not counted), wait for it; wall seconds, CPU seconds of it and
    its children, peak RSS in MB of the largest of them."""
    with open(log, "w") as out:
        other = subprocess.Popen(beside, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if beside else None
        began = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - began
        if other:
            other.wait()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}; see {log}")
    return {"wall": round(wall, 1), "cpu": round(usage.ru_utime + usage.ru_stime, 1),
            "rss_mb": round(usage.ru_maxrss / 1024)}


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# ---------------------------------------------------------------- the recording and the bare whisper


def make_recording(work: Path, minutes: float, seed: int) -> tuple[Path, dict]:
    """The simulated show as a 48 kHz stereo 16-bit FLAC (made once), and its truth."""
    from showgen import room

    room_file, recording = work / "room.flac", work / "recording.flac"
    if not recording.exists():
        truth = room.simulate(work, minutes=minutes, seed=seed, name=room_file.name)
        noise = "anoisesrc=color=pink:amplitude=0.0015:sample_rate=48000:seed={}"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(room_file), "-f", "lavfi", "-i", noise.format(3),
                        "-f", "lavfi", "-i", noise.format(4), "-filter_complex",
                        "[0:a]aresample=48000:resampler=soxr,asplit=2[l][r];[r]adelay=0.4,volume=0.85[rd];"
                        "[l][1:a]amix=inputs=2:duration=first:normalize=0[lo];"
                        "[rd][2:a]amix=inputs=2:duration=first:normalize=0[ro];"
                        "[lo][ro]join=inputs=2:channel_layout=stereo[out]",
                        "-map", "[out]", "-c:a", "flac", "-sample_fmt", "s16", str(recording)], check=True)
        room_file.unlink()
    else:
        truth = json.loads((work / "room.truth.json").read_text())
    return recording, truth


def bare_whisper(config: Path, recording: Path) -> None:
    """In a child: faster-whisper alone on the recording, with the stage's model, device and settings."""
    import ctranslate2
    from faster_whisper import WhisperModel

    from pipeline import model
    from pipeline.config import load_show

    settings = load_show(config).transcription
    choice = model.choose(settings, config)
    whisper = WhisperModel(str(model.model_path(choice, settings)), device=choice.device,
                           compute_type=choice.compute_type, cpu_threads=settings.cpu_threads,
                           local_files_only=True)
    ctranslate2.set_random_seed(0)
    segments, _ = whisper.transcribe(str(recording), language=settings.language, beam_size=settings.beam_size,
                                     vad_filter=True, word_timestamps=True, condition_on_previous_text=False)
    words = sum(len(s.words or []) for s in segments)
    print(json.dumps({"words": words, "device": choice.device, "compute_type": choice.compute_type}))


# ---------------------------------------------------------------- main


def correct_one_line(corrections: Path) -> str:
    """An editor's correction (docs/editing-transcripts.md): the first word under the first `[time]` line
    replaced; returns the new text line."""
    lines = corrections.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines[:-1]):
        if re.match(r"^\[[\d:.]+\]", line) and lines[i + 1].strip() and not lines[i + 1].startswith("#"):
            lines[i + 1] = "Gecorrigeerd " + lines[i + 1].split(" ", 1)[-1]
            corrections.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return lines[i + 1]
    raise SystemExit(f"no transcript block found in {corrections}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/pipeline-bench"))
    parser.add_argument("--beside", action="store_true", help="also: bare whisper with a transcode beside it")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--bare-child", nargs=2, type=Path, help=argparse.SUPPRESS)  # config, recording
    args = parser.parse_args()
    if args.bare_child:
        bare_whisper(*args.bare_child)
        return 0

    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    recording, truth = make_recording(work, args.minutes, args.seed)
    length = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                                   "default=nw=1:nk=1", str(recording)], capture_output=True, text=True,
                                  check=True).stdout)
    from showgen import room

    show = work / "show"
    shutil.rmtree(show, ignore_errors=True)
    config = make_show(show)
    episode = show / "episodes" / "bench"
    episode.mkdir(parents=True)
    (episode / "episode.toml").write_text(room.episode_toml(truth, str(recording)), encoding="utf-8")
    me = [sys.executable, str(Path(__file__).resolve())]
    load_before = os.getloadavg()[0]
    print(f"recording: {recording} ({length / 60:.1f} min, {recording.stat().st_size / 1e6:.1f} MB, "
          f"48 kHz stereo FLAC, seed {args.seed}); load before: {load_before:.2f}", flush=True)

    transcode = [shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-y", "-i", str(recording), "-c:a",
                 "libmp3lame", "-b:a", "128k", str(work / "reference.mp3")]
    results = {"transcode": timed(transcode, work / "transcode.log")}
    print(f"transcode: {results['transcode']}", flush=True)
    results["bare"] = timed([*me, "--bare-child", str(config), str(recording)], work / "bare.log")
    bare_info = json.loads((work / "bare.log").read_text().strip().splitlines()[-1])
    print(f"bare faster-whisper: {results['bare']} {bare_info}", flush=True)
    results["pipeline"] = timed([sys.executable, "-m", "pipeline", "run", str(episode)], work / "run.log")
    print(f"pipeline run: {results['pipeline']}", flush=True)
    report = json.loads((episode / "report.json").read_text())
    stages = {name: entry["seconds"] for name, entry in report["stages"].items()}
    work_bytes = folder_size(episode / "work")
    mp3 = ebur128(episode / "bench.mp3")
    results["rerun"] = timed([sys.executable, "-m", "pipeline", "run", str(episode)], work / "rerun.log")
    rerun_ran = [n for n, e in json.loads((episode / "report.json").read_text())["stages"].items()
                 if e["status"] == "done"]
    corrected = correct_one_line(episode / "transcript" / "corrections.txt")
    results["corrected"] = timed([sys.executable, "-m", "pipeline", "run", str(episode)], work / "corrected.log")
    corrected_ran = [n for n, e in json.loads((episode / "report.json").read_text())["stages"].items()
                     if e["status"] == "done"]
    if args.beside:
        results["bare_beside_transcode"] = timed([*me, "--bare-child", str(config), str(recording)],
                                                 work / "bare-beside.log", beside=transcode)
        print(f"bare faster-whisper beside a transcode: {results['bare_beside_transcode']}", flush=True)

    bare, whole, ref = results["bare"], results["pipeline"], results["transcode"]
    audio = sum(stages.get(n, 0.0) for n in AUDIO_STAGES)
    rows = [
        ("recording", f"{length / 60:.1f} min simulated live show (seed {args.seed}), 48 kHz stereo FLAC, "
                      f"{recording.stat().st_size / 1e6:.1f} MB", ""),
        ("bare faster-whisper", f"{bare['wall']:.1f} s wall, {bare['cpu']:.1f} s CPU, {bare['rss_mb']} MB peak "
                                f"RSS ({bare_info['device']}/{bare_info['compute_type']})", ""),
        ("plain ffmpeg MP3 transcode", f"{ref['wall']:.1f} s wall, {ref['cpu']:.1f} s CPU", ""),
        ("whole pipeline", f"{whole['wall']:.1f} s wall, {whole['cpu']:.1f} s CPU", ""),
        ("whole / bare faster-whisper, wall", f"{whole['wall'] / bare['wall']:.2f}x", "<= 1.3x (aim 1.15x)"),
        ("whole / bare faster-whisper, CPU", f"{whole['cpu'] / bare['cpu']:.2f}x", ""),
        ("transcribe stage / bare faster-whisper, wall", f"{stages.get('transcribe', 0) / bare['wall']:.2f}x", ""),
        ("audio stages (ingest..tag) / transcode, wall", f"{audio:.1f} s = {audio / ref['wall']:.2f}x",
         "<= 2x"),
        ("peak RSS, pipeline (largest process)", f"{whole['rss_mb']} MB", "<= 1024 MB"),
        ("work/ after the run / source", f"{work_bytes / 1e6:.1f} MB = "
                                         f"{work_bytes / recording.stat().st_size:.2f}x", "<= 0.5x"),
        ("MP3 loudness (ebur128)", f"{mp3['I']:.2f} LUFS ({mp3['I'] - TARGET:+.2f} LU)", "+-0.5 LU"),
        ("MP3 true peak (ebur128 peak=true)", f"{mp3['TP']:.2f} dBTP", f"<= {CEILING} dBTP"),
        ("re-run, nothing changed", f"{results['rerun']['wall']:.1f} s wall, {results['rerun']['cpu']:.1f} s CPU "
                                    f"(ran: {', '.join(rerun_ran) or 'nothing'})", "<= 2 s"),
        ("re-run after one corrected line", f"{results['corrected']['wall']:.1f} s wall, "
                                            f"{results['corrected']['cpu']:.1f} s CPU "
                                            f"(ran: {', '.join(corrected_ran)})", "<= 10 s"),
    ]
    if "bare_beside_transcode" in results:
        beside = results["bare_beside_transcode"]
        rows.append(("bare faster-whisper with a transcode beside it",
                     f"{beside['wall']:.1f} s = {beside['wall'] / bare['wall']:.2f}x alone", ""))
    rows.append(("machine load (1-minute average) before / after", f"{load_before:.1f} / {os.getloadavg()[0]:.1f} "
                 f"on {os.cpu_count()} cores", ""))
    print("\nper stage (report.json, seconds): " + ", ".join(f"{n} {s:.1f}" for n, s in stages.items()))
    print(f"the correction: {corrected}")
    print("\n| measure | result | goal |\n|---|---|---|")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "stages": stages, "work_bytes": work_bytes,
                                         "source_bytes": recording.stat().st_size, "mp3": mp3,
                                         "rerun_ran": rerun_ran, "corrected_ran": corrected_ran}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
