"""VINs and Japanese frame numbers: find them in messages, check them, decode them offline.

Customers answer "what car?" with the chassis number from their Mulkiya: a 17-character
VIN (``JTMHV05J504123456``) or a Japanese frame number (``GRJ200-1234567``). This module
turns what they typed (any case, spaces, dashes, Arabic digits, OCR slips) into a
:class:`VehicleId` the conversation can use: make, model and year when they are certain,
and a specific problem when the number cannot be right. Nothing here touches the network;
:mod:`catalog.chassis_lookup` adds the optional online lookup.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from catalog.frame_codes import FrameCodeTable, default_table
from catalog.vehicle_messages import friendly_problem
from catalog.wmi import lookup_wmi

__all__ = [
    "VehicleId",
    "decode",
    "decode_vin",
    "decode_frame",
    "find_vehicle_ids",
    "repair_lookalikes",
    "friendly_problem",
    "check_digit",
    "check_digit_ok",
    "check_digit_binding",
    "model_years",
    "VIN_ALPHABET",
    "VIN_LENGTH",
    "fold",
    "compact",
]

VIN_LENGTH = 17
VIN_ALPHABET = frozenset("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
FORBIDDEN = {"I": "1", "O": "0", "Q": "0"}
# Characters people and OCR confuse that are both legal in a VIN: only the check digit can tell.
LOOKALIKES = {"S": "5", "5": "S", "B": "8", "8": "B", "Z": "2", "2": "Z", "G": "6", "6": "G"}
_TRANSLIT = dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
        strict=True,
    )
)
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 1980 + index, repeating every 30 years
NORTH_AMERICA = frozenset("12345")
BINDING_REGIONS = NORTH_AMERICA | {"L"}  # where the check digit is compulsory
MAX_LOOKALIKE_FLIPS = 2
NEAR_VIN_LENGTHS = (12, 22)  # outside this, "wrong length" would be the wrong explanation

_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2212")  # phones autocorrect "-" to these
_SEPARATORS = re.compile(r"[\s\-._/]+")
_FRAME_CODE = r"[A-Z]{1,5}\d{1,3}[A-Z]{0,2}"
_FRAME_RE = re.compile(rf"^({_FRAME_CODE})([-\s]?)(\d{{5,8}})$")
_FRAME_CODE_ONLY = re.compile(rf"^{_FRAME_CODE}$")
_FRAME_LOOSE = re.compile(rf"^({_FRAME_CODE})[-\s]+([0-9A-Z]{{1,10}})$")

PROBLEMS = ("length", "forbidden_letters", "check_digit", "format")
WARN_CHECK_DIGIT = "check digit does not match (not binding outside North America/China)"
WARN_NO_YEAR = "model year is not encoded reliably outside North America/China: ask the customer"
WARN_UNKNOWN_FRAME = "frame code not in the frame-code table: ask make and model"


@dataclass(frozen=True)
class VehicleId:
    """One VIN or frame number as understood: what it says for sure, and what is wrong with it."""

    kind: str  # "vin" | "frame"
    raw: str  # as the customer typed it
    normalized: str  # VIN: upper case, no separators; frame: "GRJ200-1234567"
    valid: bool
    problem: str | None  # None | "length" | "forbidden_letters" | "check_digit" | "format"
    make: str | None  # canonical catalog make ("Toyota", "Mercedes-Benz")
    model: str | None  # canonical catalog model when known ("Land Cruiser")
    year: int | None  # only when unambiguous
    year_candidates: tuple[int, ...]  # newest first
    engine: str | None = None
    country: str | None = None
    warnings: tuple[str, ...] = ()
    repaired_from: str | None = None  # the normalised text before look-alike repair
    chassis_code: str | None = None  # frame model code ("GRJ200"), for the shop's EPC look-up
    notes: tuple[str, ...] = field(default=(), compare=False)  # e.g. "uncertain" frame-table rows
    suggestions: tuple[str, ...] = ()  # readings that pass the check digit, to offer "did you mean"

    def as_dict(self) -> dict:
        """JSON-safe form for slots and ``customer_vehicles.decoded``."""
        data = asdict(self)
        for key in ("year_candidates", "warnings", "notes", "suggestions"):
            data[key] = list(data[key])
        return data

    def customer_vehicle_fields(self) -> dict:
        """Column values for a ``customer_vehicles`` row (``CustomerVehicle(customer_id=..., **these)``)."""
        return {
            "vin": self.normalized if self.kind == "vin" else None,
            "frame_number": self.normalized if self.kind == "frame" else None,
            "make": self.make,
            "model": self.model,
            "year": self.year,
            "engine": self.engine,
            "decoded": self.as_dict(),
        }


# --------------------------------------------------------------------------- characters
def fold_char(ch: str) -> str:
    """One character → one character: Arabic/fullwidth digits to ASCII, ASCII letters upper-cased."""
    if ch in _DASHES:
        return "-"
    if ch.isdigit() and not ch.isascii():
        try:
            return str(unicodedata.decimal(ch))
        except ValueError:
            return ch
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) == 1:
        ch = folded
    return ch.upper() if ch.isascii() else ch


def fold(text: str) -> str:
    """Length-preserving fold, so positions found in the folded text point into the original."""
    return "".join(fold_char(c) for c in text or "")


def compact(text: str) -> str:
    """``jtm hv05-j50.4123456`` → ``JTMHV05J504123456``."""
    return _SEPARATORS.sub("", fold(text).strip())


# --------------------------------------------------------------------------- check digit and year
def check_digit(vin: str) -> str:
    """The position-9 character a 17-character VIN should carry (``0``-``9`` or ``X``)."""
    if len(vin) != VIN_LENGTH or any(c not in VIN_ALPHABET for c in vin):
        raise ValueError(f"not a 17-character VIN alphabet string: {vin!r}")
    total = sum((_TRANSLIT[c] if c.isalpha() else int(c)) * w for c, w in zip(vin, _WEIGHTS, strict=True))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def check_digit_ok(vin: str) -> bool:
    try:
        return check_digit(vin) == vin[8]
    except ValueError:
        return False


def check_digit_binding(vin: str) -> bool:
    """North-American (WMI 1-5) and Chinese (L) VINs must carry a correct check digit."""
    return bool(vin) and vin[0] in BINDING_REGIONS


def model_years(vin: str, this_year: int | None = None) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Model-year candidates (newest first) from position 10, with warnings.

    North America: position 7 digit → 1980-2009, letter → 2010-2039 (49 CFR 565).
    China: the VIN standard dates from 1999, so the older cycle is dropped.
    Elsewhere position 10 is often filler, so no year is claimed.
    """
    this_year = this_year or date.today().year
    code, region = vin[9], vin[0]
    if region not in BINDING_REGIONS and region != "K":
        return (), (WARN_NO_YEAR,)
    if code not in YEAR_CODES:
        return (), (f"position 10 ({code!r}) is not a model-year code",)
    base = 1980 + YEAR_CODES.index(code)
    years = [y for y in (base, base + 30, base + 60) if y <= this_year + 1]
    if region in NORTH_AMERICA:
        years = [y for y in years if (y < 2010) == vin[6].isdigit()]
    elif region == "L":
        years = [y for y in years if y >= 1999]
    return tuple(sorted(years, reverse=True)), ()


# --------------------------------------------------------------------------- look-alike repair
def _force_legal(vin: str) -> str:
    return "".join(FORBIDDEN.get(c, c) for c in vin)


def _reading_penalty(reading: str, changes: int) -> tuple[int, int]:
    """Fewer changes first; then prefer serial positions 12-17 that are digits."""
    return changes, sum(not c.isdigit() for c in reading[11:])


def _plausible(reading: str) -> bool:
    """North-American VINs end in digits (positions 14-17), so a letter there is a misreading."""
    return reading[0] not in NORTH_AMERICA or reading[13:].isdigit()


def repair_lookalikes(candidate: str) -> list[str]:
    """Readings of ``candidate`` that are well-formed VINs with a matching check digit, best first.

    I/O/Q are never legal, so they always become 1/0/0; then up to two of the S/5, B/8,
    Z/2, G/6 characters are swapped and the check digit decides. Empty when no reading
    passes. One change in eleven passes the check digit by chance, hence the cap.
    """
    text = compact(candidate)
    if len(text) != VIN_LENGTH:
        return []
    forced = _force_legal(text)
    if any(c not in VIN_ALPHABET for c in forced):
        return []
    forced_changes = _count_changes(text, forced)
    positions = [i for i, c in enumerate(forced) if c in LOOKALIKES]
    found: dict[str, tuple[int, int]] = {}
    for flips in range(MAX_LOOKALIKE_FLIPS + 1):
        for chosen in itertools.combinations(positions, flips):
            chars = list(forced)
            for pos in chosen:
                chars[pos] = LOOKALIKES[chars[pos]]
            reading = "".join(chars)
            if check_digit_ok(reading) and _plausible(reading):
                found[reading] = _reading_penalty(reading, forced_changes + flips)
    return sorted(found, key=lambda r: (found[r], r))


def _describe_changes(before: str, after: str) -> str:
    pairs = enumerate(zip(before, after, strict=True))
    diffs = [f"{a}→{b} at position {i + 1}" for i, (a, b) in pairs if a != b]
    return "read " + ", ".join(diffs)


# --------------------------------------------------------------------------- VINs
def decode_vin(text: str, raw: str | None = None, this_year: int | None = None) -> VehicleId:
    """Validate, repair and decode one VIN-shaped string (see the module rules)."""
    raw = text if raw is None else raw
    vin = compact(text)
    if not vin.isalnum() or not vin.isascii() or not NEAR_VIN_LENGTHS[0] <= len(vin) <= NEAR_VIN_LENGTHS[1]:
        return _vin_id(raw, vin, problem="format")  # too far from 17 to call it a mistyped VIN
    if len(vin) != VIN_LENGTH:
        info = lookup_wmi(vin)
        return _vin_id(raw, vin, problem="length", make=info.make, country=info.country)
    reading = _choose_reading(vin)
    info = lookup_wmi(reading.normalized)
    years, year_warnings = model_years(_force_legal(reading.normalized), this_year)
    return _vin_id(
        raw,
        reading.normalized,
        problem=reading.problem,
        make=info.make,
        country=info.country,
        year=years[0] if len(years) == 1 else None,
        year_candidates=years,
        warnings=reading.warnings + year_warnings,
        repaired_from=reading.repaired_from,
        suggestions=reading.suggestions,
    )


def _vin_id(raw: str, normalized: str, problem: str | None, **fields) -> VehicleId:
    defaults = {"make": None, "model": None, "year": None, "year_candidates": ()}
    return VehicleId(
        kind="vin",
        raw=raw,
        normalized=normalized,
        valid=problem is None,
        problem=problem,
        **{**defaults, **fields},
    )


@dataclass(frozen=True)
class _Reading:
    normalized: str
    repaired_from: str | None = None
    warnings: tuple[str, ...] = ()
    problem: str | None = None
    suggestions: tuple[str, ...] = ()


def _choose_reading(vin: str) -> _Reading:
    """Pick the reading to keep, and what to warn about or suggest."""
    if check_digit_ok(vin):
        return _Reading(vin)
    forced = _force_legal(vin)
    has_forbidden = forced != vin
    if check_digit_ok(forced):
        return _Reading(forced, vin, (_describe_changes(vin, forced),))
    # A single look-alike swap passes the check digit by chance 1 time in 11, so a swap is
    # applied only where the typed character cannot be right (a letter as the check digit or
    # in the numeric serial); other passing readings are only suggested to the customer.
    readings = [r for r in repair_lookalikes(vin) if _count_changes(forced, r) <= 1]
    sure = [r for r in readings if _swaps_are_certain(forced, r)]
    if len(sure) == 1:
        return _Reading(sure[0], vin, (_describe_changes(vin, sure[0]),))
    if not check_digit_binding(forced):
        # Outside NA/China the check digit is often not computed: only undo impossible letters.
        if has_forbidden:
            return _Reading(forced, vin, (_describe_changes(vin, forced), WARN_CHECK_DIGIT))
        return _Reading(vin, warnings=(WARN_CHECK_DIGIT,))
    problem = "forbidden_letters" if has_forbidden else "check_digit"
    return _Reading(vin, problem=problem, suggestions=tuple(readings[:3]))


def _swaps_are_certain(before: str, after: str) -> bool:
    """Letter → digit at position 9 (check digit) or 13-17 (serial, numeric in practice)."""
    return all(
        a.isalpha() and b.isdigit() and (i == 8 or i >= 12)
        for i, (a, b) in enumerate(zip(before, after, strict=True))
        if a != b
    )


def _count_changes(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


# --------------------------------------------------------------------------- frame numbers
def decode_frame(
    text: str, raw: str | None = None, frame_codes: FrameCodeTable | None = None, this_year: int | None = None
) -> VehicleId | None:
    """``GRJ200-1234567`` / ``grj200 1234567`` / ``GRJ2001234567`` → a frame :class:`VehicleId`.

    Returns None when the text is not frame-shaped at all. A dashless number is only
    accepted when its code is in the table (otherwise it could be a part number).
    """
    raw = text if raw is None else raw
    table = frame_codes or default_table()
    upper = re.sub(r"\s*-\s*", "-", " ".join(fold(text).split()))
    parsed = _split_frame(upper, table)
    if parsed is None:
        loose = _FRAME_LOOSE.match(upper)
        if not loose:
            # A bare model code ("GRJ200") still names the vehicle; only the serial is missing.
            if _FRAME_CODE_ONLY.match(upper) and table.match(upper):
                return _frame_id(raw, upper, upper, table, this_year, problem="format")
            return None
        code, serial = loose.groups()
        repaired = _repair_serial(serial)
        if repaired is None:
            return _frame_id(raw, f"{code}-{serial}", code, table, this_year, problem="format")
        vid = _frame_id(raw, f"{code}-{repaired}", code, table, this_year)
        return replace(vid, repaired_from=f"{code}-{serial}") if repaired != serial else vid
    code, serial = parsed
    return _frame_id(raw, f"{code}-{serial}", code, table, this_year)


def _split_frame(upper: str, table: FrameCodeTable) -> tuple[str, str] | None:
    match = _FRAME_RE.match(upper)
    if match and (match.group(2) or table.get(match.group(1))):
        return match.group(1), match.group(3)
    return table.split_dashless(upper) if " " not in upper and "-" not in upper else None


def _repair_serial(serial: str) -> str | None:
    """Serials are all digits: O/I/S/B/Z/G typed in one are look-alikes."""
    swapped = "".join(FORBIDDEN.get(c) or (LOOKALIKES.get(c) if c.isalpha() else None) or c for c in serial)
    return swapped if swapped.isdigit() and 5 <= len(swapped) <= 8 else None


def _frame_id(
    raw: str,
    normalized: str,
    code: str,
    table: FrameCodeTable,
    this_year: int | None,
    problem: str | None = None,
) -> VehicleId:
    row = table.match(code)
    years = row.years(until=(this_year or date.today().year) + 1) if row else ()
    warnings = () if row or problem else (WARN_UNKNOWN_FRAME,)
    return VehicleId(
        kind="frame",
        raw=raw,
        normalized=normalized,
        valid=problem is None,
        problem=problem,
        make=row.make if row else None,
        model=row.model if row else None,
        year=years[0] if len(years) == 1 else None,
        year_candidates=years,
        engine=row.engine if row else None,
        country="Japan" if row else None,
        warnings=warnings,
        chassis_code=code,
        notes=(row.note,) if row and row.note else (),
    )


# --------------------------------------------------------------------------- public entry points
def decode(
    text: str, *, frame_codes: FrameCodeTable | None = None, this_year: int | None = None
) -> VehicleId:
    """Decode one candidate string (a VIN or a frame number) as the customer typed it."""
    if not isinstance(text, str):
        raise TypeError(f"decode() needs a string, got {type(text).__name__}")
    squeezed = compact(text)
    if len(squeezed) != VIN_LENGTH:
        frame = decode_frame(text, raw=text, frame_codes=frame_codes, this_year=this_year)
        if frame is not None:
            return frame
    return decode_vin(text, raw=text, this_year=this_year)


# --------------------------------------------------------------------------- free text
_TOKEN = re.compile(r"[A-Z0-9]+")
_JOIN_GAP = re.compile(r"[ \-.]{1,2}")
_FRAME_IN_TEXT = re.compile(rf"(?<![A-Z0-9])({_FRAME_CODE})(\s*-\s*|\s)(\d{{5,8}})(?![A-Z0-9])")
_MAX_JOINED_TOKENS = 8


def find_vehicle_ids(
    text: str, *, frame_codes: FrameCodeTable | None = None, this_year: int | None = None
) -> list[VehicleId]:
    """VINs and frame numbers in a message (English, Arabic, OCR output), best first.

    Best = valid with a known make, then valid, then numbers with a problem the
    customer can fix (wrong length, impossible letters, check digit). Part numbers,
    phone numbers and years are not frame numbers: a frame code starts with letters.
    """
    if not isinstance(text, str):
        raise TypeError(f"find_vehicle_ids() needs a string, got {type(text).__name__}")
    table = frame_codes or default_table()
    folded = fold(text)
    found: list[tuple[int, VehicleId]] = []
    taken: list[tuple[int, int]] = []
    for start, end in _vin_spans(folded):
        vid = decode(text[start:end], frame_codes=table, this_year=this_year)
        if vid.kind == "vin":
            found.append((start, vid))
            taken.append((start, end))
    for start, end in _frame_spans(folded, table, taken):
        found.append((start, decode_frame(text[start:end], frame_codes=table, this_year=this_year)))
    return _rank(found)


def _rank(found: list[tuple[int, VehicleId]]) -> list[VehicleId]:
    def key(item: tuple[int, VehicleId]) -> tuple[int, int]:
        pos, vid = item
        return (0 if vid.valid and vid.make else 1 if vid.valid else 2), pos

    seen: set[str] = set()
    ranked = []
    for _, vid in sorted(found, key=key):
        if vid.normalized not in seen:
            seen.add(vid.normalized)
            ranked.append(vid)
    return ranked


def _vin_spans(folded: str) -> list[tuple[int, int]]:
    """Spans of VIN candidates: one 17-char token, a VIN typed in groups, or a near-miss length."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(folded)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        span = _vin_window(folded, tokens, i)
        if span is not None:
            spans.append((tokens[i][0], tokens[span][1]))
            i = span + 1
            continue
        i += 1
    return spans


def _vin_window(folded: str, tokens: list[tuple[int, int]], i: int) -> int | None:
    """Index of the last token of a VIN candidate starting at token ``i``, or None."""
    joined = ""
    for j in range(i, min(i + _MAX_JOINED_TOKENS, len(tokens))):
        if j > i and not _JOIN_GAP.fullmatch(folded[tokens[j - 1][1] : tokens[j][0]]):
            break
        joined += folded[tokens[j][0] : tokens[j][1]]
        if len(joined) > VIN_LENGTH:
            break
        if len(joined) == VIN_LENGTH and _vin_like(joined, grouped=j > i):
            return j
    single = folded[tokens[i][0] : tokens[i][1]]
    return i if len(single) in (15, 16, 18, 19) and _near_miss_vin(single) else None


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in _force_legal(text))


def _vin_like(text: str, grouped: bool) -> bool:
    if _digits(text) < 4 or not any(c.isalpha() for c in text):
        return False
    if not grouped:
        return True
    # Typed in groups: only trust it when it reads like a real VIN, not a run of words.
    forced = _force_legal(text)
    return bool(lookup_wmi(forced).make) and (check_digit_ok(forced) or not check_digit_binding(forced))


def _near_miss_vin(text: str) -> bool:
    """A 15/16/18/19-char token from a known maker: a VIN with a character missing or extra."""
    return _digits(text) >= 5 and bool(lookup_wmi(text).make)


def _frame_spans(folded: str, table: FrameCodeTable, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = []
    for m in _FRAME_IN_TEXT.finditer(folded):
        code, sep, serial = m.groups()
        known = table.match(code) is not None
        if "-" not in sep and not known:
            continue  # "V6 20000 km": a space alone is not enough for an unknown code
        if not known and len(serial) < 6:
            continue  # 5-5 digit groups are the shape of Japanese part numbers
        spans.append((m.start(), m.end()))
    for m in _TOKEN.finditer(folded):
        if table.split_dashless(m.group()):
            spans.append((m.start(), m.end()))
    return [s for s in spans if not any(s[0] < e and b < s[1] for b, e in taken)]
