#!/usr/bin/env python3
"""Draw the default cover art of the show: assets/cover.png (3000 x 3000 px RGB PNG, Apple's recommended size).

The design: two overlapping circles (the civil servant and the citizen; where they overlap, trust), a row of
waveform bars (it is audio, recorded live), the title "Burger Centraal" and "live podcast van Ambtenaar van Nu".
Flat colours keep the PNG small. Everything is drawn at twice the size and scaled down, which smooths the edges.

Reads: the DejaVu fonts (Debian package fonts-dejavu-core). Writes: assets/cover.png (or the path given).
Run again after changing the design: `.venv/bin/python scripts/make_cover.py`.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

SIZE = 3000
SCALE = 2  # draw at 2x, then downsample: anti-aliased shapes
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts")]

NAVY = (17, 34, 64)
TEAL = (42, 157, 143)
ORANGE = (244, 132, 95)
GOLD = (248, 201, 90)
CREAM = (250, 244, 232)
SOFT = (176, 196, 222)
RED = (230, 57, 70)


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), size)
    sys.exit(f"font {name} not found; install it with: apt-get install fonts-dejavu-core")


def circle_mask(size: int, cx: float, cy: float, r: float) -> Image.Image:
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
    return mask


def centred_text(draw: ImageDraw.ImageDraw, y: float, text: str, face: ImageFont.FreeTypeFont, fill, size: int,
                 spacing: float = 0.0) -> float:
    """Draw `text` centred horizontally with its top at y (optional letter spacing); return its bottom."""
    widths = [draw.textlength(ch, font=face) for ch in text]
    total = sum(widths) + spacing * (len(text) - 1)
    x = (size - total) / 2
    top, bottom = face.getbbox(text)[1], face.getbbox(text)[3]
    for ch, w in zip(text, widths):
        draw.text((x, y - top), ch, font=face, fill=fill)
        x += w + spacing
    return y + (bottom - top)


def draw_cover() -> Image.Image:
    s = SIZE * SCALE
    u = s / 100  # one design unit: 1% of the width
    image = Image.new("RGB", (s, s), NAVY)
    draw = ImageDraw.Draw(image)

    # A thin cream frame.
    draw.rectangle((3 * u, 3 * u, 97 * u, 97 * u), outline=CREAM, width=int(0.5 * u))

    # Two circles that overlap: civil servant (teal) and citizen (orange); the overlap (gold) is trust.
    r, cy = 18 * u, 31 * u
    left, right = circle_mask(s, 37 * u, cy, r), circle_mask(s, 63 * u, cy, r)
    image.paste(TEAL, mask=left)
    image.paste(ORANGE, mask=right)
    image.paste(GOLD, mask=ImageChops.multiply(left, right))

    # Waveform bars across the overlap: it is sound, recorded live.
    bars, width, gap = 21, 1.6 * u, 1.1 * u
    x = (s - (bars * width + (bars - 1) * gap)) / 2
    for i in range(bars):
        t = i / (bars - 1)
        height = (3 + 12 * abs(math.sin(i * 1.7)) * math.sin(math.pi * t)) * u
        draw.rounded_rectangle((x, cy - height / 2, x + width, cy + height / 2), radius=width / 2, fill=NAVY)
        x += width + gap

    # "LIVE" badge, top left.
    badge = font("DejaVuSans-Bold.ttf", int(3.2 * u))
    draw.rounded_rectangle((7 * u, 7 * u, 24 * u, 13 * u), radius=3 * u, fill=RED)
    draw.ellipse((9 * u, 9 * u, 11 * u, 11 * u), fill=CREAM)
    draw.text((12.2 * u, 10 * u), "LIVE", font=badge, fill=CREAM, anchor="lm")

    # Title and subtitle.
    title = font("DejaVuSans-Bold.ttf", int(12.5 * u))
    y = centred_text(draw, 54 * u, "BURGER", title, CREAM, s, spacing=0.6 * u)
    y = centred_text(draw, y + 3 * u, "CENTRAAL", title, GOLD, s, spacing=0.6 * u)
    draw.rectangle((38 * u, y + 3.2 * u, 62 * u, y + 3.8 * u), fill=SOFT)
    subtitle = font("DejaVuSans.ttf", int(4.1 * u))
    y = centred_text(draw, y + 6.5 * u, "live podcast van", subtitle, SOFT, s)
    centred_text(draw, y + 1.6 * u, "Ambtenaar van Nu", font("DejaVuSans-Bold.ttf", int(4.6 * u)), CREAM, s)

    return image.resize((SIZE, SIZE), Image.LANCZOS)


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "assets/cover.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    # 256 colours are plenty for flat shapes; stored as RGB (Apple wants RGB, not an indexed palette).
    cover = draw_cover().quantize(colors=256, method=Image.Quantize.MEDIANCUT).convert("RGB")
    tmp = target.with_name(f".{target.name}.part")
    cover.save(tmp, "PNG", optimize=True)
    tmp.replace(target)
    print(f"{target}: {cover.width}x{cover.height} px, {target.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
