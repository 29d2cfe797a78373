"""How long vehicle identification costs per customer message, and what the lookup adds.

    .venv/bin/python benchmarks/vehicle_ids_benchmark.py

Times (median of repeated runs, in microseconds per call): ``decode`` of valid VINs,
of VINs needing look-alike repair, of frame numbers; ``find_vehicle_ids`` over typical
English/Arabic messages with and without a number; and the chassis lookup against a
local fake vPIC server: first call over HTTP, a cache hit from SQLite, and a call while
the circuit breaker is open. Everything is local: no network.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable

from catalog.chassis_lookup import ChassisLookupClient, LookupSettings
from catalog.schema import metadata
from catalog.vehicle_ids import decode, find_vehicle_ids
from shopkernel.db import make_engine, make_session_factory
from tests.fakes.vpic import FakeVpicServer

VALID = [
    "1HGCM82633A004352",
    "JTMHV05J504123456",
    "4T1BF1FK6CU012345",
    "WDB4632481X123456",
    "KMHD841C9MU012345",
    "1GNSKBKC2FR012345",
    "SALGS2EF1DA012345",
    "JN8AY2NC5H9012345",
]
REPAIR = ["1HGCM82633AOO4352", "4T1BF1FKGCU012345", "1HGCMB2633A004352", "1HGCM82633A00435O"]
FRAMES = ["GRJ200-1234567", "grj200 1234567", "GRJ2001234567", "ZRE142-1234567"]
MESSAGES = [
    "my chassis is JTMHV05J504123456, need oil filter",
    "رقم الشاصي GRJ200-1234567 ابي فحمات قدام",
    "need brake pads for camry 2015, part 04465-60320, call +971 50 123 4567",
    "السلام عليكم عندكم فلتر زيت لاندكروزر ٢٠١٨؟",
]


def per_call_us(fn: Callable[[], object], items: int, repeat: int = 7, number: int = 50) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - started) / (number * items) * 1e6)
    return statistics.median(runs)


def main() -> None:
    print("vehicle identification (median µs per call)")
    for label, items in (("valid VIN", VALID), ("look-alike repair", REPAIR), ("frame number", FRAMES)):
        cost = per_call_us(lambda items=items: [decode(v) for v in items], len(items))
        print(f"  decode, {label:<21}{cost:9.1f}")
    scan = per_call_us(lambda: [find_vehicle_ids(m) for m in MESSAGES], len(MESSAGES))
    print(f"  find_vehicle_ids, message    {scan:9.1f}")

    with tempfile.TemporaryDirectory() as tmp, FakeVpicServer() as fake:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        metadata.create_all(engine)
        settings = LookupSettings(base_url=fake.base_url, retries=0, breaker_failures=1)
        client = ChassisLookupClient(settings, make_session_factory(engine))
        started = time.perf_counter()
        client.lookup(VALID[0])
        first = (time.perf_counter() - started) * 1e6
        cached = per_call_us(lambda: client.lookup(VALID[0]), 1, number=20)
        fake.script("500")
        client.lookup(VALID[2])  # opens the breaker
        open_ = per_call_us(lambda: client.lookup(VALID[4]), 1, number=200)
        print("chassis lookup (µs per call, local fake vPIC, SQLite cache)")
        print(f"  first lookup over HTTP       {first:9.1f}")
        print(f"  cache hit                    {cached:9.1f}")
        print(f"  breaker open (no request)    {open_:9.1f}")
        print(f"  requests reaching the fake   {fake.count:9d}")
        client.close()
        engine.dispose()


if __name__ == "__main__":
    main()
