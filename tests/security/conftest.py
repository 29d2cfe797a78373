"""The production nginx file (deploy/nginx.conf) booted in front of local stand-in servers.

The stand-ins answer every method and path with who they are, so a test sees exactly which
requests nginx lets through to Rasa, the action servers or the web service. Skips when nginx
is not installed (scripts/system-deps installs it; CI has it).
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ops.cluster import Proc, free_port
from ops.nginx import NGINX, Layout, command, test_config, write_local

# The channel on a real server with the fake Graph API, and a small real catalog: the same
# fixtures as tests/connector and tests/catalog.
from tests.catalog.conftest import catalog, session  # noqa: F401, E402
from tests.connector.conftest import bot, fake_graph, settings, sqlite_url  # noqa: F401, E402


@dataclass
class StandIn:
    """An HTTP server that records every request it receives."""

    role: str
    hits: list[tuple[str, str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def address(self) -> str:
        assert self.server is not None
        return f"127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> StandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                stand_in.hits.append((self.command, self.path))
                body = json.dumps({"role": stand_in.role, "path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Edge:
    public: str  # what the internet reaches
    internal: str  # the action servers' listener (loopback / compose network only)
    rasa: StandIn
    actions: StandIn
    web: StandIn
    workdir: Path

    def forget(self) -> None:
        for stand_in in (self.rasa, self.actions, self.web):
            stand_in.hits.clear()

    def error_log(self) -> str:
        return (self.workdir / "logs" / "nginx-error.log").read_text(errors="replace")


@pytest.fixture(scope="package")
def edge(tmp_path_factory) -> Iterator[Edge]:
    if not Path(NGINX).exists() and not shutil.which("nginx"):
        pytest.skip("nginx is not installed (scripts/system-deps installs it)")
    rasa, actions, web = StandIn("rasa").start(), StandIn("actions").start(), StandIn("web").start()
    public, internal = free_port(), free_port()
    workdir = tmp_path_factory.mktemp("edge")
    layout = Layout(
        f"127.0.0.1:{public}", f"127.0.0.1:{internal}", [rasa.address], [actions.address], [web.address]
    )
    conf = write_local(workdir / "nginx", layout)
    test_config(conf)
    proc = Proc(
        "nginx", command(conf), {}, workdir / "nginx.log", f"http://127.0.0.1:{internal}/nginx-health"
    )
    proc.launch().wait_ready(30)
    try:
        yield Edge(
            f"http://127.0.0.1:{public}",
            f"http://127.0.0.1:{internal}",
            rasa,
            actions,
            web,
            workdir / "nginx",
        )
    finally:
        proc.stop()
        for stand_in in (rasa, actions, web):
            stand_in.stop()
