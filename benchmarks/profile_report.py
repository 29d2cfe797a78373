"""Summarise a py-spy raw profile (``--format raw``): inclusive share of samples per function.

    .venv/bin/python benchmarks/profile_report.py results/profiles/default-20-0.txt
    .venv/bin/python benchmarks/profile_report.py PROFILE --match rasa/ --top 40
    .venv/bin/python benchmarks/profile_report.py PROFILE --thread MainThread --idle

Each function counts once per sampled stack (inclusive time), so nested frames add up to more
than 100 %. Idle samples (the event loop waiting in ``select``/``epoll``) are left out unless
``--idle``: the shares are then of the time the process was busy.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

IDLE = (
    "select (selectors.py",
    "epoll",
    "_run_once (asyncio/base_events.py",
    "wait (threading.py",
    "_worker (concurrent/futures/thread.py",  # a pool thread waiting for work
)


def short(frame: str) -> str:
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    where = where.split("site-packages/")[-1].split("/python3.10/")[-1]
    return f"{where}:{name}"


def read(path: Path, thread: str | None, idle: bool) -> tuple[collections.Counter[str], int]:
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if thread and thread not in frames[0]:
            continue
        if not idle and any(k in frames[-1] for k in IDLE):
            continue
        n = int(count)
        total += n
        for frame in {short(f) for f in frames[1:] or frames}:
            inclusive[frame] += n
    return inclusive, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--match", action="append", default=[], help="keep frames containing this")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--thread", help="only stacks of this thread (name or id as py-spy prints it)")
    parser.add_argument("--idle", action="store_true", help="count idle samples too")
    args = parser.parse_args()
    inclusive, total = read(args.profile, args.thread, args.idle)
    print(f"{total} samples ({'with' if args.idle else 'without'} idle), inclusive share:")
    shown = 0
    for frame, count in inclusive.most_common():
        if args.match and not any(m in frame for m in args.match):
            continue
        print(f"  {100 * count / max(total, 1):5.1f}%  {frame}")
        shown += 1
        if shown >= args.top:
            break


if __name__ == "__main__":
    main()
