"""Processes of this machine as Linux's /proc shows them: parents and CPU time.

Used by benchmarks (the CPU a server and its workers spent) and tests (uvicorn's workers are
children of one process) without a dependency for two fields of ``/proc/<pid>/stat``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessStat:
    parent: int
    cpu_s: float  # user + system


def process_table() -> dict[int, ProcessStat]:
    """Every process readable now, by pid (processes that end while being read are left out)."""
    ticks = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            table[int(entry.name)] = ProcessStat(int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    return table


def children(pid: int, table: dict[int, ProcessStat] | None = None) -> list[int]:
    """Direct children of ``pid``."""
    table = process_table() if table is None else table
    return [child for child, stat in table.items() if stat.parent == pid]


def tree_cpu_seconds(root: int) -> float:
    """CPU time of ``root`` and all its descendants (e.g. uvicorn and its workers)."""
    table = process_table()
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += table[pid].cpu_s if pid in table else 0.0
        todo += children(pid, table)
    return total
