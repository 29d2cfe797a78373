"""Registration-card (Mulkiya) photos generated at test time, with a real VIN.

Used by the media tests and by ``benchmarks/ocr_benchmark.py``: a card laid out like a UAE
vehicle registration card (English labels, values, Arabic labels), then "photographed":
placed on a table, rotated a little, blurred, noised and JPEG-compressed.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_TRANSLIT = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
YEAR_CODES = {
    2012: "C",
    2014: "E",
    2016: "G",
    2018: "J",
    2019: "K",
    2020: "L",
    2021: "M",
    2022: "N",
    2023: "P",
}

# (make, model, WMI) pairs as sold in the Gulf.
MAKES = (
    ("Toyota", "Land Cruiser", "JTM"),
    ("Toyota", "Camry", "4T1"),
    ("Nissan", "Patrol", "JN1"),
    ("Nissan", "Altima", "1N4"),
    ("Hyundai", "Tucson", "KMH"),
    ("Kia", "Sportage", "KNA"),
    ("Honda", "Accord", "1HG"),
    ("Mitsubishi", "Pajero", "JMB"),
    ("Mercedes-Benz", "E 300", "WDD"),
    ("BMW", "X5", "5UX"),
    ("Lexus", "LX 570", "JTJ"),
    ("Ford", "F-150", "1FT"),
)


def check_digit(vin: str) -> str:
    """ISO 3779 / 49 CFR 565 check digit for position 9 (see the domain notes, section 1)."""
    total = sum(_TRANSLIT[ch] * w for ch, w in zip(vin.upper(), _WEIGHTS, strict=True))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def make_vin(rng: random.Random, wmi: str = "JTM", year: int = 2016) -> str:
    """A random VIN with a correct check digit, a real WMI and a model-year code."""
    vds = "".join(rng.choice(VIN_ALPHABET) for _ in range(5))
    plant = rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
    serial = "".join(rng.choice("0123456789") for _ in range(6))
    draft = f"{wmi}{vds}0{YEAR_CODES.get(year, 'G')}{plant}{serial}"
    return draft[:8] + check_digit(draft) + draft[9:]


@dataclass(frozen=True)
class Distortion:
    """How badly the card is "photographed"."""

    angle: float = 0.0  # degrees, counter-clockwise
    blur: float = 0.0  # Gaussian radius in pixels at the output size
    noise: float = 0.0  # standard deviation of grey-level noise
    jpeg_quality: int = 85
    width: int = 1280  # output photo width in pixels
    table: bool = True  # card lying on a darker surface, off-centre


def font(size: int, *, bold: bool = False, mono: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSansMono" if mono else "DejaVuSans"
    name += "-Bold.ttf" if bold else ".ttf"
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    raise FileNotFoundError(f"{name} not found; run scripts/system-deps (fonts-dejavu-core)")


def _draw_rtl(draw: ImageDraw.ImageDraw, right_x: int, y: int, text: str, fnt) -> None:
    """Arabic label right-aligned at ``right_x`` (raqm shapes and orders it)."""
    try:
        width = draw.textlength(text, font=fnt, direction="rtl", language="ar")
        draw.text((right_x - width, y), text, font=fnt, fill=(40, 40, 60), direction="rtl", language="ar")
    except (KeyError, ValueError, OSError):  # no raqm: skip the decorative Arabic text
        return


def render_card(
    vin: str,
    *,
    make: str = "Toyota",
    model: str = "Land Cruiser",
    year: int = 2016,
    engine_no: str = "1UR-4452187",
    owner: str = "Ahmed Khalid Al Mansoori",
    spaced_vin: bool = False,
) -> Image.Image:
    """The flat card, 1400 x 880 px, as the scanner would see it."""
    card = Image.new("RGB", (1400, 880), (236, 240, 232))
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, 1399, 130), fill=(196, 214, 200))
    draw.text((40, 22), "UNITED ARAB EMIRATES", font=font(40, bold=True), fill=(20, 60, 40))
    draw.text((40, 76), "Vehicle Registration", font=font(32), fill=(20, 60, 40))
    _draw_rtl(draw, 1360, 22, "الإمارات العربية المتحدة", font(38, bold=True))
    _draw_rtl(draw, 1360, 76, "رخصة تسيير مركبة", font(30))
    shown_vin = f"{vin[:3]} {vin[3:8]} {vin[8:]}" if spaced_vin else vin
    rows = (
        ("Traffic Plate No.", "Dubai  A 48213", "رقم اللوحة"),
        ("Owner", owner, "المالك"),
        ("Nationality", "United Arab Emirates", "الجنسية"),
        ("Reg. Date", "12/03/2024    Exp. Date 11/03/2025", "تاريخ التسجيل"),
        ("Veh. Type", f"{make} {model}".upper(), "نوع المركبة"),
        ("Model", str(year), "الطراز"),
        ("Chassis No.", shown_vin, "رقم الشاصي"),
        ("Engine No.", engine_no, "رقم المحرك"),
        ("Colour", "White", "اللون"),
    )
    label_font, value_font, ar_font = font(28), font(34, bold=True), font(28)
    y = 165
    for label, value, ar_label in rows:
        draw.text((40, y), label, font=label_font, fill=(60, 60, 70))
        draw.text((330, y - 3), value, font=value_font, fill=(10, 10, 10))
        _draw_rtl(draw, 1360, y, ar_label, ar_font)
        y += 76
    draw.rectangle((4, 4, 1395, 875), outline=(120, 140, 120), width=4)
    return card


def photograph(card: Image.Image, dist: Distortion, rng: random.Random) -> bytes:
    """Turn the flat card into a phone-photo-like JPEG."""
    img = card
    if dist.table:
        table = Image.new("RGB", (card.width + 260, card.height + 220), (92, 74, 58))
        table.paste(card, (rng.randint(40, 200), rng.randint(30, 170)))
        img = table
    if dist.angle:
        img = img.rotate(dist.angle, resample=Image.BICUBIC, expand=True, fillcolor=(92, 74, 58))
    scale = dist.width / img.width
    img = img.resize((dist.width, round(img.height * scale)), Image.LANCZOS)
    if dist.blur:
        img = img.filter(ImageFilter.GaussianBlur(dist.blur))
    if dist.noise:
        pixels = np.asarray(img, dtype=np.float32)
        noise = np.random.default_rng(rng.randrange(2**32)).normal(0, dist.noise, pixels.shape[:2])
        img = Image.fromarray(np.clip(pixels + noise[..., None] * 0.5, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=dist.jpeg_quality)
    return out.getvalue()


def card_photo(
    vin: str, dist: Distortion | None = None, *, seed: int = 0, spaced_vin: bool = False, **card_fields
) -> bytes:
    """One registration-card photo as JPEG bytes."""
    return photograph(
        render_card(vin, spaced_vin=spaced_vin, **card_fields), dist or Distortion(), random.Random(seed)
    )


def random_distortion(rng: random.Random, *, sideways: bool = False) -> Distortion:
    """A phone photo of a card on a table: tilted up to 7 degrees, blurred, noisy, compressed."""
    angle = rng.uniform(-7, 7) + (90 if sideways else 0)
    return Distortion(
        angle=angle,
        blur=rng.uniform(0.4, 1.4),
        noise=rng.uniform(10, 40),
        jpeg_quality=rng.randint(40, 85),
        width=rng.randint(1000, 1600) if not sideways else rng.randint(800, 1100),
    )


@dataclass(frozen=True)
class SampleCard:
    """One generated photo and the truth it was made from."""

    vin: str
    make: str
    model: str
    distortion: Distortion
    photo: bytes


def sample_cards(count: int, seed: int = 2024, sideways_every: int = 10) -> list[SampleCard]:
    """``count`` cards with varied makes, VINs and distortions (every ``sideways_every``-th turned 90°)."""
    rng = random.Random(seed)
    cards = []
    for i in range(count):
        make, model, wmi = MAKES[i % len(MAKES)]
        year = rng.choice(sorted(YEAR_CODES))
        vin = make_vin(rng, wmi, year)
        sideways = sideways_every > 0 and i % sideways_every == sideways_every - 1
        dist = random_distortion(rng, sideways=sideways)
        photo = card_photo(vin, dist, seed=seed + i, make=make, model=model, year=year)
        cards.append(SampleCard(vin, make, model, dist, photo))
    return cards
