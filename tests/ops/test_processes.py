"""ops.processes: children and CPU time of a process tree, from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from ops.processes import children, tree_cpu_seconds


def test_a_busy_child_is_found_and_its_cpu_counted():
    busy = (
        "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ntime.sleep(30)"
    )
    child = subprocess.Popen([sys.executable, "-c", busy])  # noqa: S603
    try:
        deadline = time.monotonic() + 20
        while tree_cpu_seconds(os.getpid()) - time.process_time() < 0.25 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert child.pid in children(os.getpid())
        assert tree_cpu_seconds(child.pid) >= 0.25  # the child's own burn, counted once
        assert tree_cpu_seconds(os.getpid()) >= time.process_time() + 0.25
    finally:
        child.kill()
        child.wait()
