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
        deadline = time.monotonic() + 60  # a busy machine may take a while to give it the CPU
        while tree_cpu_seconds(child.pid) < 0.25 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tree_cpu_seconds(child.pid) >= 0.25  # the child's own burn
        assert child.pid in children(os.getpid())
        # the parent's tree counts it as well (other children of a test worker only add to it)
        mine = time.process_time()  # read first: this process's count only grows
        assert tree_cpu_seconds(os.getpid()) >= mine + 0.2
    finally:
        child.kill()
        child.wait()
