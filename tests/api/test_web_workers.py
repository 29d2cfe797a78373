"""``WEB_WORKERS``: ``python -m webservice`` serves the API from several uvicorn processes."""

from __future__ import annotations

import os
import re
import sys
import time

import httpx
import pytest

from ops.cluster import Proc, free_port
from ops.processes import children
from webservice.settings import WebSettings

pytestmark = pytest.mark.slow


def _started_workers(proc: Proc, expected: int, timeout_s: float) -> set[str]:
    """Process ids of the workers that finished their start-up, as uvicorn logs them."""
    deadline = time.monotonic() + timeout_s
    while True:
        log = proc.log_path.read_text()
        started = set(re.findall(r"Started server process \[(\d+)\]", log))
        if (len(started) >= expected and log.count("Application startup complete") >= expected) or (
            time.monotonic() > deadline
        ):
            return started
        time.sleep(0.2)


def test_web_workers_setting_is_read_and_bounded():
    assert WebSettings.from_env({}).workers == 1
    assert WebSettings.from_env({"WEB_WORKERS": "2"}).workers == 2
    with pytest.raises(ValueError, match="WEB_WORKERS"):
        WebSettings.from_env({"WEB_WORKERS": "0"})


def test_two_workers_serve_the_parts_api(api_db, tmp_path):
    if not api_db.startswith("sqlite"):
        pytest.skip("one database is enough to show the processes")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": api_db, "SHOP_API_PORT": str(port), "WEB_WORKERS": "2"}
    env.pop("REDIS_URL", None)
    proc = Proc("web", [sys.executable, "-m", "webservice"], env, tmp_path / "web.log",
                f"http://127.0.0.1:{port}/readyz")  # fmt: skip
    proc.launch()
    try:
        proc.wait_ready(120)
        started = _started_workers(proc, expected=2, timeout_s=60)  # ready = the first one is
        assert len(started) == 2, proc.log_tail()
        assert started <= {str(pid) for pid in children(proc.popen.pid)}  # both alive, children of one
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            answers = [
                http.get("/api/v1/parts", params={"q": "brake pads land cruiser 2015"}) for _ in range(6)
            ]
        assert all(r.status_code == 200 for r in answers), [r.text[:200] for r in answers]
        assert answers[0].json()["items"], "the search found nothing"
        assert "without REDIS_URL" in proc.log_path.read_text()  # the operator is told limits are per worker
    finally:
        proc.stop()
