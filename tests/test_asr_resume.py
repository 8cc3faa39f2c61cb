"""The resume log (pipeline/asr/resume.py): torn lines, foreign headers, no duplicates."""

from __future__ import annotations

import json

from pipeline.asr.resume import SegmentLog, parse

HEADER = {"format": 1, "input_sha256": "abc", "options": {"beam_size": 5, "names": ("Marije Boerlaagh",)}}


def segment(start: float, end: float, text: str) -> dict:
    return {"start": start, "end": end, "text": text, "words": []}


def write_two_windows(path):
    log = SegmentLog(path, HEADER)
    assert log.open() == []
    log.start_window(0, 0.0, 10.0)
    log.add_segment(0, segment(0.5, 4.0, "een"))
    log.add_segment(0, segment(4.5, 9.0, "twee"))
    log.finish_window(0)
    log.start_window(1, 10.0, 20.0)
    log.add_segment(1, segment(10.5, 14.0, "drie"))
    log.close()


def test_reopen_continues_after_the_last_segment(tmp_path):
    path = tmp_path / "segments.jsonl"
    write_two_windows(path)
    log = SegmentLog(path, HEADER)
    windows = log.open()
    assert [w.done for w in windows] == [True, False]
    assert windows[1].resume_at == 14.0
    assert [s["text"] for w in windows for s in w.segments] == ["een", "twee", "drie"]
    log.add_segment(1, segment(14.5, 19.0, "vier"))
    log.finish_window(1)
    log.close()
    windows = SegmentLog(path, HEADER).open()
    assert [s["text"] for w in windows for s in w.segments] == ["een", "twee", "drie", "vier"]


def test_torn_last_line_is_cut_off(tmp_path):
    path = tmp_path / "segments.jsonl"
    write_two_windows(path)
    with open(path, "a") as handle:
        handle.write('{"kind": "segment", "window": 1, "segment": {"start": 14.5, "en')
    log = SegmentLog(path, HEADER)
    windows = log.open()
    assert windows[1].resume_at == 14.0
    log.add_segment(1, segment(14.5, 19.0, "vier"))
    log.close()
    lines = path.read_text().splitlines()
    assert all(json.loads(line) for line in lines)  # every line is whole again
    assert sum(1 for line in lines if '"vier"' in line) == 1


def test_complete_line_without_newline_is_kept(tmp_path):
    path = tmp_path / "segments.jsonl"
    write_two_windows(path)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    log = SegmentLog(path, HEADER)
    assert log.open()[1].resume_at == 14.0
    log.finish_window(1)
    log.close()
    assert parse(path.read_text().splitlines(), HEADER)[0][1].done


def test_other_header_starts_afresh(tmp_path):
    path = tmp_path / "segments.jsonl"
    write_two_windows(path)
    other = {**HEADER, "input_sha256": "def"}
    assert SegmentLog(path, other).open() == []
    assert [json.loads(line) for line in path.read_text().splitlines()] == [
        {"kind": "header", **json.loads(json.dumps(other))}]


def test_damage_in_the_middle_starts_afresh(tmp_path):
    path = tmp_path / "segments.jsonl"
    write_two_windows(path)
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:20]
    path.write_text("\n".join(lines) + "\n")
    assert SegmentLog(path, HEADER).open() == []


def test_out_of_order_windows_are_rejected():
    lines = [json.dumps({"kind": "header", **HEADER}),
             json.dumps({"kind": "window", "index": 0, "start": 0.0, "end": 10.0}),
             json.dumps({"kind": "window", "index": 1, "start": 10.0, "end": 20.0})]
    assert parse(lines, HEADER) is None  # window 0 never finished
