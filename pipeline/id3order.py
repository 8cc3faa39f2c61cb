"""Put the CHAP frames of an ID3v2.4 tag in time order, in place; and where an MP3's audio lies behind its tags.

mutagen writes frames ordered by size (mutagen#506), so CHAP frames can come out of time order and readers
that list them as stored (ffprobe, some apps) show the chapters shuffled. This rewrites the tag's frames with
the CHAP frames sorted by start time; the tag keeps its size, so only the tag bytes are rewritten.

The encode stage writes the episode's MP3 untagged and the tag stage writes the tags into it: `audio_sha256`
(the audio frames only, whatever tags are around them) is how encode's output is recognised after tagging, and
`copy_audio` is where tagging starts from, so tagging twice gives the same file as tagging once.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

ID3V1_SIZE = 128


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


def tag_length(header: bytes) -> int:
    """Bytes of the ID3v2 tag that starts with these 10 header bytes, footer included; 0 when it is no tag
    (pure)."""
    if len(header) < 10 or header[:3] != b"ID3":
        return 0
    return 10 + _syncsafe(header[6:10]) + (10 if header[5] & 0x10 else 0)


def _span(handle, size: int) -> tuple[int, int]:
    """(first, end) byte offsets of the audio in an open MP3 of `size` bytes: after the ID3v2 tags at the
    start, before an ID3v1 tag at the end."""
    first = 0
    while first < size:
        handle.seek(first)
        length = tag_length(handle.read(10))
        if not length:
            break
        first += length
    handle.seek(max(0, size - ID3V1_SIZE))
    end = size - ID3V1_SIZE if handle.read(3) == b"TAG" and size - ID3V1_SIZE >= first else size
    return min(first, size), end


def audio_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of an MP3's audio frames, without the ID3 tags around them."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        first, end = _span(handle, Path(path).stat().st_size)
        handle.seek(first)
        while first < end and (block := handle.read(min(chunk, end - first))):
            digest.update(block)
            first += len(block)
    return digest.hexdigest()


def copy_audio(source: Path, target: Path, chunk: int = 1 << 20) -> None:
    """Write the audio frames of the MP3 `source` to `target`, without its ID3 tags."""
    with open(source, "rb") as handle, open(target, "wb") as out:
        first, end = _span(handle, Path(source).stat().st_size)
        handle.seek(first)
        while first < end and (block := handle.read(min(chunk, end - first))):
            out.write(block)
            first += len(block)
