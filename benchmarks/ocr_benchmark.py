"""How often a chassis number is read right from a registration-card photo, and how fast.

Generates 30 registration-card photos (tests/media/cards.py: real VINs with correct check
digits, makes sold in the Gulf, tilt, blur, noise, JPEG compression, every tenth photo taken
sideways) and reads each through the real pipeline (Tesseract + check-digit repair).

    .venv/bin/python benchmarks/ocr_benchmark.py [--count 30] [--seed 2024] [--verbose]

"raw" = the best reading passed the check digit as read (no look-alike swapped);
"after repair" = the first candidate offered to the customer is the true VIN.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from media.chassis_photo import read_chassis_numbers
from media.ocr import TesseractOcr
from media.settings import MediaSettings
from tests.media.cards import sample_cards


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    ocr = TesseractOcr(MediaSettings.from_env())
    if not ocr.available():
        print("tesseract not installed: run scripts/system-deps", file=sys.stderr)
        return 2
    cards = sample_cards(args.count, args.seed)
    raw_ok = repaired_ok = 0
    times = []
    for i, card in enumerate(cards):
        started = time.perf_counter()
        reading = read_chassis_numbers(card.photo, ocr=ocr)
        times.append(time.perf_counter() - started)
        right = reading.best == card.vin
        raw = right and card.vin in reading.direct_reads
        raw_ok += raw
        repaired_ok += right
        if args.verbose or not right:
            d = card.distortion
            print(
                f"{i:2d} {card.make:<13} {card.vin} {'OK ' if right else 'BAD'} read={reading.best} "
                f"angle={d.angle:+.1f} blur={d.blur:.1f} q={d.jpeg_quality} w={d.width} "
                f"views={reading.views} {times[-1]:.2f}s"
            )
    n = len(cards)
    print(f"cards: {n}")
    print(f"read exactly right before repair: {raw_ok}/{n} = {100 * raw_ok / n:.0f} %")
    print(f"read exactly right after check-digit repair: {repaired_ok}/{n} = {100 * repaired_ok / n:.0f} %")
    print(
        f"time per image: median {statistics.median(times):.2f} s, mean {statistics.mean(times):.2f} s, "
        f"max {max(times):.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
