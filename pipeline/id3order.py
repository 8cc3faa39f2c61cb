"""Put the CHAP frames of an ID3v2.4 tag in time order, in place.

mutagen writes frames ordered by size (mutagen#506), so CHAP frames can come out of time order and readers
that list them as stored (ffprobe, some apps) show the chapters shuffled. This rewrites the tag's frames with
the CHAP frames sorted by start time; the tag keeps its size, so only the tag bytes are rewritten.
"""

from __future__ import annotations

import struct
from pathlib import Path


def _syncsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def split_frames(body: bytes) -> tuple[list[bytes], bytes]:
    """Frames of an ID3v2.4 tag body (after the 10-byte header), and the padding after them."""
    frames, offset = [], 0
    while offset + 10 <= len(body) and body[offset] != 0:
        size = _syncsafe(body[offset + 4: offset + 8])
        frames.append(body[offset: offset + 10 + size])
        offset += 10 + size
    return frames, body[offset:]


def chap_start_ms(frame: bytes) -> int:
    data = frame[10:]
    element_end = data.index(b"\x00")
    return struct.unpack(">I", data[element_end + 1: element_end + 5])[0]


def reorder_chapters(tag: bytes) -> bytes:
    """The same tag with its CHAP frames in time order, other frames where they were (pure)."""
    if tag[:3] != b"ID3" or tag[3] != 4 or tag[5] & 0x40:  # only v2.4 without an extended header
        return tag
    size = _syncsafe(tag[6:10])
    frames, padding = split_frames(tag[10: 10 + size])
    chap_slots = [i for i, f in enumerate(frames) if f[:4] == b"CHAP"]
    ordered = sorted((frames[i] for i in chap_slots), key=chap_start_ms)
    for slot, frame in zip(chap_slots, ordered):
        frames[slot] = frame
    return tag[:10] + b"".join(frames) + padding + tag[10 + size:]


def reorder_chapters_in_file(path: Path) -> None:
    with open(path, "r+b") as handle:
        header = handle.read(10)
        if header[:3] != b"ID3":
            return
        size = _syncsafe(header[6:10])
        tag = header + handle.read(size)
        fixed = reorder_chapters(tag)
        if fixed != tag:
            handle.seek(0)
            handle.write(fixed)
