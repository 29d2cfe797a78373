"""Chassis numbers (VINs, Japanese frame numbers) from a photo of a registration card.

How: OCR the page in sparse-text mode to find the words and their boxes, put them back on
their visual rows, find the row with the chassis number (by its label, "Chassis No." or
"رقم الشاصي", or by a 17-character run), then re-read just that strip several ways with
Tesseract restricted to the characters a VIN can hold. Every reading is a vote; the
check digit (:mod:`catalog.vehicle_ids`) picks between disagreeing readings and repairs
OCR look-alikes (S/5/8, B/8, Z/2, G/6, T/7, D/0, L/1; I/O/Q are never legal). Stops as soon
as a reading passes the check digit, or at the deadline.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from PIL import Image, ImageFilter

from catalog.vehicle_ids import (
    VIN_LENGTH,
    VehicleId,
    check_digit_binding,
    check_digit_ok,
    decode,
    find_vehicle_ids,
    fold,
)
from catalog.wmi import WMI_OVERRIDES, lookup_wmi
from media.errors import EngineFailed, EngineTimeout
from media.ocr import Row, TesseractOcr, Word, binarise, load_image
from media.settings import MediaSettings

log = logging.getLogger(__name__)

VIN_WHITELIST = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789-"
CHASSIS_LABEL = re.compile(r"CHAS+IS|\bVIN\b|FRAME|الشاص|الشاسي|الهيكل", re.IGNORECASE)
ENGINE_LABEL = re.compile(r"ENGINE|\bENG\b|المحرك", re.IGNORECASE)
_LABEL_WORDS = re.compile(r"\b(CHAS+IS|VIN|FRAME|NO|NUMBER|NUM|NR)\b\.?:?", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Z0-9]+")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F]")
_FORBIDDEN = str.maketrans({"I": "1", "O": "0", "Q": "0"})
_CROP_VARIANTS = (("grey", 40), ("binary", 40), ("grey", 30), ("grey", 56), ("sharp", 40), ("binary", 56))
MAX_CROPS_PER_VIEW = 3
# What Tesseract mistakes for what on blurred print (both legal VIN characters, so only the
# check digit can tell). Wider than the typing look-alikes in catalog.vehicle_ids.
OCR_LOOKALIKES = {
    "S": "58",
    "5": "S",
    "8": "BS6",
    "B": "8",
    "Z": "2",
    "2": "Z",
    "G": "6",
    "6": "G8",
    "T": "7",
    "7": "T",
    "D": "0",
    "0": "D",
    "L": "1",
    "1": "L",
    "E": "8",
    "A": "4",
    "4": "A",
}


@dataclass(frozen=True)
class ChassisReading:
    """Candidates best first (normalised VINs / frame numbers) and the page text OCR saw."""

    candidates: list[str]
    text: str
    vehicle: VehicleId | None = None  # the best candidate, decoded
    direct_reads: frozenset[str] = frozenset()  # 17-character readings as OCR produced them
    views: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    timed_out: bool = False

    @property
    def best(self) -> str | None:
        return self.candidates[0] if self.candidates else None


# --------------------------------------------------------------------------- text → candidates
def clean_line(text: str) -> str:
    """Fold to upper-case ASCII digits/letters, drop labels and Arabic: only the value remains."""
    folded = fold(text)
    folded = _ARABIC.sub(" ", folded)
    return _LABEL_WORDS.sub(" ", folded)


def vin_runs(text: str, *, labelled: bool = True) -> list[str]:
    """17-character VIN-shaped strings in one line, also when OCR split them into groups.

    ``"Chassis No.: JTM HV05J 504123456"`` → ``["JTMHV05J504123456"]``. I, O and Q (never
    legal in a VIN) are read as 1, 0, 0. Outside a "Chassis No." line a run must also look
    like a real VIN (known maker, serial ending in digits): dates and names glued together
    pass the check digit one time in eleven.
    """
    tokens = _TOKEN.findall(clean_line(text))
    runs = []
    for i in range(len(tokens)):
        joined = ""
        for token in tokens[i:]:
            joined += token
            if len(joined) >= VIN_LENGTH:
                break
        if len(joined) == VIN_LENGTH:
            vin = _fix_wmi(joined.translate(_FORBIDDEN))
            if _vin_shaped(vin, labelled):
                runs.append(vin)
    return runs


def _fix_wmi(vin: str) -> str:
    """``SUX…`` → ``5UX…``, ``JNL…`` → ``JN1…``: when one look-alike swap turns an unknown maker
    code into one of the shop's curated Gulf-market makers (:data:`catalog.wmi.WMI_OVERRIDES`)."""
    if vin[:3] in WMI_OVERRIDES:
        return vin
    for pos in range(3):
        for alt in OCR_LOOKALIKES.get(vin[pos], ""):
            fixed = vin[:pos] + alt + vin[pos + 1 :]
            if fixed[:3] in WMI_OVERRIDES:
                return fixed
    return vin


def _near_miss(text: str) -> bool:
    """A 14-20 character token with digits: a VIN OCR split, merged or misread, worth a re-read."""
    tokens = _TOKEN.findall(clean_line(text))
    return any(14 <= len(t) <= 20 and sum(c.isdigit() for c in t) >= 5 for t in tokens)


def _vin_shaped(vin: str, labelled: bool) -> bool:
    if sum(c.isdigit() for c in vin) < 4 or not any(c.isalpha() for c in vin[:8]):
        return False
    return labelled or (vin[-4:].isdigit() and lookup_wmi(vin).make is not None)


def frame_numbers(text: str) -> list[str]:
    """Japanese frame numbers (``GRJ200-1234567``) in a chassis-number line."""
    return [v.normalized for v in find_vehicle_ids(clean_line(text)) if v.kind == "frame" and v.valid]


# --------------------------------------------------------------------------- evidence and ranking
_CHECK_POSITION = 8


@dataclass
class _Evidence:
    """Every reading seen so far, counted, so disagreeing reads can out-vote each other."""

    vins: Counter = field(default_factory=Counter)
    frames: Counter = field(default_factory=Counter)
    near: set = field(default_factory=set)  # 15-19 character reads, for characters seen in place

    def add(self, text: str, *, chassis_row: bool) -> None:
        self.vins.update(vin_runs(text, labelled=chassis_row))
        tokens = _TOKEN.findall(clean_line(text))
        self.near.update(t.translate(_FORBIDDEN) for t in [*tokens, "".join(tokens)] if 15 <= len(t) <= 19)
        if chassis_row:
            self.frames.update(frame_numbers(text))

    def seen(self, pos: int, char: str) -> bool:
        """Some reading had ``char`` at ``pos``, counting from the start or (if a character was
        dropped or added) from the end."""
        reads = [*self.vins, *self.near]
        return any(
            (len(r) > pos and r[pos] == char)
            or (len(r) - VIN_LENGTH + pos >= 0 and r[len(r) - VIN_LENGTH + pos] == char)
            for r in reads
        )

    def unseen_swaps(self, original: str, repaired: str) -> int:
        return sum(
            a != b and not self.seen(i, b) for i, (a, b) in enumerate(zip(original, repaired, strict=True))
        )

    def confident(self) -> bool:
        """A reading passes the check digit: no need to look further."""
        return any(check_digit_ok(v) for v in self.vins)

    def consensus(self) -> str | None:
        """Majority character at each position over all 17-character readings."""
        if not self.vins:
            return None
        columns = zip(*(vin for vin, votes in self.vins.items() for _ in range(votes)), strict=True)
        return "".join(Counter(col).most_common(1)[0][0] for col in columns)

    def support(self, vin: str) -> int:
        """How many read characters agree with ``vin``, over all readings."""
        return sum(
            votes * sum(a == b for a, b in zip(vin, read, strict=True)) for read, votes in self.vins.items()
        )

    def ranked(self) -> list[str]:
        """Readings passing the check digit, then check-digit repairs, then the rest, then frames.

        Within a group the reading most read characters agree with comes first.
        """
        keys: dict[str, tuple] = {}
        consensus = self.consensus()
        readings = list(self.vins) + ([consensus] if consensus and consensus not in self.vins else [])
        for vin in readings:
            if check_digit_ok(vin):
                keys[vin] = (0, not _serial_digits(vin), 0, 0, -self.support(vin))
        if not keys:
            for vin in readings:
                for repaired, flips in ocr_repairs(vin):
                    unseen = self.unseen_swaps(vin, repaired)
                    key = (1, not _serial_digits(repaired), unseen, flips, -self.support(repaired))
                    keys[repaired] = min(keys.get(repaired, key), key)
        for vin in readings:
            keys.setdefault(vin, (2, not _serial_digits(vin), 0, 0, -self.support(vin)))
        for frame, votes in self.frames.items():
            keys.setdefault(frame, (3, 0, 0, 0, -votes))
        return sorted(keys, key=lambda k: (keys[k], k))


def _serial_digits(vin: str) -> bool:
    """Positions 14-17 are digits for nearly every maker (compulsory in North America)."""
    return vin[13:].isdigit()


def ocr_repairs(vin: str) -> list[tuple[str, int]]:
    """Readings of ``vin`` with OCR look-alikes swapped that pass the check digit, with the swap count.

    Position 9 (the check digit itself) can only be a digit or X, so a letter there is always
    swapped. Up to two other swaps where the check digit is compulsory (North America,
    China); elsewhere a failing VIN may be genuine, so only one.
    """
    forced = [vin]
    if vin[_CHECK_POSITION] not in "0123456789X":
        alts = OCR_LOOKALIKES.get(vin[_CHECK_POSITION], "")
        forced = [vin[:8] + alt + vin[9:] for alt in alts if alt.isdigit()]
    max_flips = 2 if check_digit_binding(vin) else 1
    found: dict[str, int] = {}
    for base in forced:
        base_flips = int(base != vin)
        positions = [i for i, c in enumerate(base) if c in OCR_LOOKALIKES and i != _CHECK_POSITION]
        for flips in range(max_flips + 1):
            for chosen in itertools.combinations(positions, flips):
                for swaps in itertools.product(*(OCR_LOOKALIKES[base[i]] for i in chosen)):
                    chars = list(base)
                    for pos, alt in zip(chosen, swaps, strict=True):
                        chars[pos] = alt
                    reading = "".join(chars)
                    if check_digit_ok(reading):
                        found.setdefault(reading, base_flips + flips)
    return sorted(found.items(), key=lambda item: item[1])


# --------------------------------------------------------------------------- image → readings
def _value_words(row: Row) -> list[Word]:
    """The words of a row that can be part of the number: after the label, not Arabic."""
    words = list(row.words)
    label_end = max((i for i, w in enumerate(words) if CHASSIS_LABEL.search(w.text)), default=-1)
    if label_end >= 0:
        words = words[label_end + 1 :]
        while words and (_LABEL_WORDS.fullmatch(words[0].text.upper()) or words[0].text in {":", "."}):
            words.pop(0)
    return [w for w in words if not _ARABIC.search(w.text) and any(c.isalnum() for c in w.text)]


def _strip(words: Iterable[Word], image: Image.Image, target_height: int, variant: str) -> Image.Image:
    """Crop the words' box with a margin and scale it so text is ``target_height`` px tall."""
    words = list(words)
    height = sorted(w.height for w in words)[len(words) // 2]
    left = max(0, min(w.left for w in words) - height)
    right = min(image.width, max(w.right for w in words) + height)
    top = max(0, min(w.top for w in words) - height // 2)
    bottom = min(image.height, max(w.bottom for w in words) + height // 2)
    crop = image.crop((left, top, right, bottom))
    scale = target_height / max(1, height)
    crop = crop.resize((max(1, round(crop.width * scale)), max(1, round(crop.height * scale))), Image.BICUBIC)
    if variant == "binary":
        return binarise(crop)
    if variant == "sharp":
        return crop.filter(ImageFilter.UnsharpMask(radius=2, percent=160, threshold=2))
    return crop


def _number_rows(rows: list[Row]) -> list[tuple[Row, bool]]:
    """Rows that may hold the chassis number, labelled rows first; engine-number rows never."""
    picked = []
    for row in rows:
        text = row.text
        if ENGINE_LABEL.search(text):
            continue
        labelled = bool(CHASSIS_LABEL.search(text))
        if labelled or vin_runs(text, labelled=False) or _near_miss(text):
            picked.append((row, labelled))
    return sorted(picked, key=lambda item: not item[1])[:MAX_CROPS_PER_VIEW]


def _read_view(ocr: TesseractOcr, image: Image.Image, deadline: float, evidence: _Evidence) -> list[Row]:
    rows = ocr.rows(image, deadline)
    for row in rows:
        if not ENGINE_LABEL.search(row.text):
            evidence.add(row.text, chassis_row=bool(CHASSIS_LABEL.search(row.text)))
    for row, labelled in _number_rows(rows):
        words = _value_words(row)
        if not words:
            continue
        for variant, height in _CROP_VARIANTS:
            if evidence.confident():
                return rows
            try:
                text = ocr.line_text(_strip(words, image, height, variant), deadline, VIN_WHITELIST)
            except EngineFailed as exc:  # Tesseract 5.3 can crash (SIGFPE) on a rare crop: try the next
                log.warning("line re-read %s/%d failed: %s", variant, height, exc)
                continue
            evidence.add(text, chassis_row=labelled)
    return rows


def read_chassis_numbers(
    image_bytes: bytes,
    *,
    ocr: TesseractOcr | None = None,
    timeout_s: float | None = None,
) -> ChassisReading:
    """OCR a registration-card photo and return its chassis-number candidates, best first.

    Raises :class:`media.errors.CorruptMedia` for undecodable images,
    :class:`media.errors.EngineUnavailable` without Tesseract and
    :class:`media.errors.EngineTimeout` when not even one page view could be read in time.
    """
    ocr = ocr or TesseractOcr(MediaSettings())
    ocr.require()
    started = time.monotonic()
    deadline = started + (timeout_s or ocr.settings.ocr_timeout_s)
    gray = load_image(image_bytes)
    evidence = _Evidence()
    views: list[str] = []
    texts: list[str] = []
    failures: list[EngineFailed] = []
    timed_out = False
    try:
        for name, image in ocr.page_views(gray, deadline):
            try:
                rows = _read_view(ocr, image, deadline, evidence)
            except EngineFailed as exc:
                log.warning("page view %s failed: %s", name, exc)
                failures.append(exc)
                continue
            views.append(name)
            texts.append("\n".join(r.text for r in rows))
            if evidence.vins or evidence.frames:
                break  # the page reads this way up; more views would only add noise
    except EngineTimeout:
        timed_out = True
        if not views and not evidence.vins:
            raise
    if failures and not views:
        raise failures[0]
    candidates = evidence.ranked()
    vehicle = decode(candidates[0]) if candidates else None
    elapsed = time.monotonic() - started
    log.info(
        "chassis photo: %d candidate(s) from views %s in %.2fs%s",
        len(candidates),
        views,
        elapsed,
        " (timed out)" if timed_out else "",
    )
    return ChassisReading(
        candidates, "\n\n".join(texts), vehicle, frozenset(evidence.vins), views, elapsed, timed_out
    )
