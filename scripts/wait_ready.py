"""Wait until every URL given answers 200 (used by ./scripts/run); exit 1 after a timeout."""

from __future__ import annotations

import sys
import time
import urllib.request


def wait_ready(urls: list[str], timeout_s: float = 180.0) -> bool:
    deadline = time.monotonic() + timeout_s
    pending = list(urls)
    while pending and time.monotonic() < deadline:
        url = pending[0]
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    pending.pop(0)
                    continue
        except OSError:
            pass
        time.sleep(0.5)
    for url in pending:
        print(f"not ready after {timeout_s:.0f} s: {url} (see var/logs/)", file=sys.stderr)
    return not pending


if __name__ == "__main__":
    sys.exit(0 if wait_ready(sys.argv[1:]) else 1)
