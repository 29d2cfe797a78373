"""How long the review queue and the analytics page take on a month of conversations.

Generates conversations with tests/insights/generator.py (the same shapes the real assistant
records), writes them to an ``events`` table on SQLite, then times what a page request does:
reading the conversations of the window, computing every marker, and building every analytics
table. Prints the figures with the machine's load average.

    .venv/bin/python -m benchmarks.review_benchmark --conversations 3000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from insights.markers import marker_counts, review_all
from insights.report import TABLES, build_table
from insights.store import TrackerStore
from shopkernel.tracker_store import EVENTS
from tests.insights.generator import generate

KEYS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=3000)
    args = parser.parse_args()
    generated = generate(n=args.conversations, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'tracker.db'}"
        engine = sa.create_engine(url)
        EVENTS.create(engine)
        with engine.begin() as conn:
            conn.execute(EVENTS.insert(), [{k: r[k] for k in KEYS} for r in generated.rows])
        engine.dispose()
        store = TrackerStore.from_url(url)
        started = time.perf_counter()
        conversations = store.conversations()
        read = time.perf_counter()
        items = review_all(conversations, now=time.time())
        marker_counts(items)
        marked = time.perf_counter()
        for name in TABLES:
            build_table(name, conversations, generated.leads, "day")
        tabled = time.perf_counter()
        store.dispose()
    print(f"{len(conversations)} conversations, {len(generated.rows):,} events (SQLite)")
    print(f"read + parse {read - started:.2f} s · markers {marked - read:.2f} s · "
          f"all analytics tables {tabled - marked:.2f} s · total {tabled - started:.2f} s")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
