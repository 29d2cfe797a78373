"""Image bytes to text with Tesseract, tried several ways until the caller is satisfied.

Why the ``tesseract`` binary through :mod:`subprocess` rather than pytesseract: the project can
only have pytesseract < 0.3.10 (rasa pins ``packaging<21``), which writes every image to a temp
file and cannot pass an environment. Calling the binary directly lets us feed the image on
stdin, run each call with ``OMP_THREAD_LIMIT=1`` (Tesseract's OpenMP threads otherwise fight over
the two cores the server has) and kill it cleanly when its share of the time budget runs out.

Photos of registration cards are tilted, blurred, noisy and sometimes sideways, so
:meth:`TesseractOcr.read` runs a short list of attempts (plain grey, deskewed, binarised, then
re-oriented via Tesseract's orientation detection or 90/180/270 turns) and stops as soon as the
caller's ``accept`` function likes the text, or when the deadline passes.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from media.errors import CorruptMedia, EngineFailed, EngineTimeout, EngineUnavailable
from media.limits import IMAGE_MAX_PIXELS
from media.settings import MediaSettings

log = logging.getLogger(__name__)

TARGET_LONG_SIDE = 2200  # px: card text then lands at the 20-40 px line height Tesseract likes
MIN_CALL_BUDGET_S = 0.5
ADAPTIVE_OFFSET = 12  # grey levels darker than the neighbourhood that count as ink
_QUARTER_TURNS = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}
_OSD_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_OSD_CONFIDENCE = re.compile(r"Orientation confidence:\s*([\d.]+)")


@dataclass(frozen=True)
class Word:
    """One word Tesseract found, with its box in the image it was given."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def middle(self) -> float:
        return self.top + self.height / 2


@dataclass(frozen=True)
class Row:
    """Words on one visual line, left to right (a label, its value and the Arabic label)."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def group_rows(words: list[Word]) -> list[Row]:
    """Cluster words into visual lines by vertical overlap; top to bottom.

    Sparse-text mode (psm 11) returns the labels of a form before its values; putting each
    word back on its visual line keeps "Chassis No." next to its number.
    """
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.middle):
        if rows:
            last = rows[-1]
            mid = sum(w.middle for w in last) / len(last)
            height = sorted(w.height for w in last)[len(last) // 2]
            if abs(word.middle - mid) <= 0.5 * max(height, word.height):
                last.append(word)
                continue
        rows.append([word])
    return [Row(tuple(sorted(r, key=lambda w: w.left))) for r in rows]


def load_image(data: bytes) -> Image.Image:
    """Decode, refuse decompression bombs, apply the phone's EXIF rotation, return greyscale."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > IMAGE_MAX_PIXELS:
                raise CorruptMedia(f"image is {probe.width}x{probe.height} px, over {IMAGE_MAX_PIXELS} px")
            probe.verify()
        img = Image.open(io.BytesIO(data))
        img.load()
    except CorruptMedia:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise CorruptMedia(f"image cannot be decoded: {exc}") from exc
    img = ImageOps.exif_transpose(img)
    return img.convert("L")


def normalise_size(gray: Image.Image, long_side: int = TARGET_LONG_SIDE) -> Image.Image:
    """Scale so the long side is about ``long_side`` px (upscales thumbnails, shrinks 12 MP photos)."""
    scale = long_side / max(gray.size)
    if 0.9 < scale < 1.1:
        return gray
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    return gray.resize(size, Image.LANCZOS if scale < 1 else Image.BICUBIC)


def binarise(gray: Image.Image) -> Image.Image:
    """Adaptive threshold: ink is what is clearly darker than its neighbourhood.

    A global threshold turns the table the card lies on, or a shadow, into solid black;
    comparing each pixel with the mean of a window about two text lines high does not.
    """
    smooth = np.asarray(gray.filter(ImageFilter.MedianFilter(3)), dtype=np.int16)
    radius = max(8, round(max(gray.size) / 120))
    local = np.asarray(gray.filter(ImageFilter.BoxBlur(radius)), dtype=np.int16)
    ink = smooth < local - ADAPTIVE_OFFSET
    return Image.fromarray(np.where(ink, 0, 255).astype(np.uint8))


def estimate_skew(gray: Image.Image, max_angle: float = 8.0) -> float:
    """Small tilt in degrees (counter-clockwise) that maximises the row-profile variance of ink."""
    ink = Image.fromarray(255 - np.asarray(binarise(normalise_size(gray, 1000))))

    def score(angle: float) -> float:
        rotated = np.asarray(ink.rotate(angle, resample=Image.NEAREST, expand=False), dtype=np.float32)
        return float(np.var(rotated.sum(axis=1)))

    coarse = max(np.arange(-max_angle, max_angle + 0.01, 1.0), key=score)
    fine = max(np.arange(coarse - 0.75, coarse + 0.76, 0.25), key=score)
    return -float(fine)  # the page is tilted by the opposite of the correcting rotation


def rotate(gray: Image.Image, angle: float) -> Image.Image:
    """Rotate counter-clockwise by ``angle`` degrees, filling the corners with white."""
    if angle % 90 == 0:
        quarter = int(angle) % 360
        return gray.transpose(_QUARTER_TURNS[quarter]) if quarter else gray
    return gray.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)


class TesseractOcr:
    """The Tesseract engine: page views, word boxes, single-line re-reads, all under a deadline."""

    def __init__(self, settings: MediaSettings) -> None:
        self.settings = settings

    def available(self) -> bool:
        """True when the tesseract binary is on PATH (installed by scripts/system-deps)."""
        return shutil.which(self.settings.tesseract_cmd) is not None

    def require(self) -> None:
        if not self.available():
            raise EngineUnavailable(f"{self.settings.tesseract_cmd!r} not found; run scripts/system-deps")

    def page_views(self, gray: Image.Image, deadline: float) -> Iterator[tuple[str, Image.Image]]:
        """The page as Tesseract should see it: deskewed first, then turned a quarter/half turn.

        Each view is built lazily, so a photo read at the first view costs one deskew only.
        """
        base = ImageOps.autocontrast(normalise_size(gray), cutoff=1)
        yield self._deskewed("upright", base)
        turn = self.osd_rotation(base, deadline)
        for angle in [turn] if turn else [90, 270, 180]:
            yield self._deskewed(f"turn{angle}", rotate(base, -angle))

    @staticmethod
    def _deskewed(name: str, image: Image.Image) -> tuple[str, Image.Image]:
        skew = estimate_skew(image)
        if abs(skew) < 0.5:
            return name, image
        return f"{name}{skew:+.2f}", rotate(image, -skew)

    def rows(self, image: Image.Image, deadline: float) -> list[Row]:
        """Words with boxes (sparse-text mode, so form fields are all found), grouped into rows."""
        args = ["-l", self.settings.ocr_languages, "--oem", "1", "--psm", "11", "--dpi", "300", "tsv"]
        return group_rows(parse_tsv(self._run(image, args, deadline)))

    def line_text(self, image: Image.Image, deadline: float, whitelist: str | None = None) -> str:
        """Re-read one cropped line (psm 7), optionally restricted to ``whitelist`` characters."""
        args = ["-l", self.settings.ocr_languages, "--oem", "1", "--psm", "7", "--dpi", "300"]
        if whitelist:
            args += ["-c", f"tessedit_char_whitelist={whitelist}"]
        return self._run(image, args, deadline).strip()

    def osd_rotation(self, image: Image.Image, deadline: float) -> int:
        """Clockwise degrees Tesseract's orientation detection says the page needs; 0 if unsure."""
        try:
            out = self._run(image, ["--psm", "0"], deadline)
        except (EngineFailed, EngineTimeout) as exc:
            log.debug("orientation detection failed: %s", exc)
            return 0
        rotate_m, conf_m = _OSD_ROTATE.search(out), _OSD_CONFIDENCE.search(out)
        if not rotate_m or not conf_m or float(conf_m.group(1)) < 1.5:
            return 0
        return int(rotate_m.group(1)) % 360

    def _run(self, image: Image.Image, args: list[str], deadline: float) -> str:
        """One tesseract call with the image on stdin, killed when the deadline passes."""
        budget = deadline - time.monotonic()
        if budget < MIN_CALL_BUDGET_S:
            raise EngineTimeout("OCR time budget spent")
        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=1)
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            proc = subprocess.run(
                [self.settings.tesseract_cmd, "stdin", "stdout", *args],
                input=buf.getvalue(),
                capture_output=True,
                timeout=budget,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise EngineTimeout(f"tesseract killed after {budget:.1f}s") from exc
        except OSError as exc:
            raise EngineUnavailable(f"tesseract cannot run: {exc}") from exc
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise EngineFailed(f"tesseract exit {proc.returncode}: {err[-1] if err else ''}")
        return proc.stdout.decode("utf-8", "replace")


def parse_tsv(tsv: str) -> list[Word]:
    """Tesseract's TSV output → words (level 5 rows with text)."""
    words = []
    for line in tsv.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) != 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        words.append(Word(cols[11].strip(), left, top, width, height, float(cols[10])))
    return words
