"""N Rasa servers, M action servers and the web service on one machine, behind nginx.

    nginx public (:5005)  /webhooks/whatsapp/webhook ─► rasa-1 … rasa-N  (127.0.0.1:5101…)
                          /api/, /console            ─► web            (127.0.0.1:8000)
    nginx internal (:5055) ◄── ACTION_ENDPOINT_URL ──┘
                          ─► actions-1 … actions-M  (127.0.0.1:5151…)

nginx runs deploy/nginx.conf, the production file, rendered for these ports (ops/nginx.py):
what is tested here is what a shop runs. Same commands and environment variables as
scripts/run and production (``rasa run --auth-token``; the action server via
``python -m ops.action_server``); the Rasa endpoints come from :mod:`ops.endpoints`. Used by
deploy/run_cluster.py (with restarts), the fault suite, the load benchmark and tests/security.
Processes are stopped by their own pid only.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
RASA = str(Path(sys.executable).with_name("rasa"))
DEFAULT_CREDENTIALS = ROOT / "deploy" / "credentials.yml"


class ClusterError(RuntimeError):
    """A process did not start or become ready; the message holds the end of its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Proc:
    """One child process, its log file and the URL that says it is ready."""

    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    ready_url: str
    popen: subprocess.Popen | None = None
    restarts: int = 0
    ready_below: int = 201  # HTTP status under which the process counts as ready
    started_at: float = 0.0  # monotonic clock at the last launch
    ready_after_s: float = 0.0  # launch to ready, for start-up benchmarks

    def launch(self) -> Proc:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.started_at = time.monotonic()
            self.popen = subprocess.Popen(  # noqa: S603 - fixed argv
                self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self, timeout_s: float = 300.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.alive:
                code = self.popen.returncode if self.popen else None
                raise ClusterError(f"{self.name} exited ({code}):\n{self.log_tail()}")
            try:
                if httpx.get(self.ready_url, timeout=2).status_code < self.ready_below:
                    self.ready_after_s = time.monotonic() - self.started_at
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise ClusterError(f"{self.name} not ready after {timeout_s:.0f} s:\n{self.log_tail()}")

    def signal(self, sig: int) -> None:
        if self.alive:
            self.popen.send_signal(sig)  # type: ignore[union-attr]

    def stop(self, timeout_s: float = 20.0) -> None:
        if not self.alive:
            return
        self.popen.terminate()  # type: ignore[union-attr]
        try:
            self.popen.wait(timeout=timeout_s)  # type: ignore[union-attr]
        except subprocess.TimeoutExpired:
            self.popen.kill()  # type: ignore[union-attr]
            self.popen.wait(timeout=10)  # type: ignore[union-attr]

    def kill(self) -> None:
        """SIGKILL: a crash, no clean-up."""
        if self.alive:
            self.popen.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
            self.popen.wait(timeout=10)  # type: ignore[union-attr]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class ClusterSpec:
    """How many of each, where, and with which environment (ports 0 = pick free ones)."""

    model: Path
    workdir: Path
    rasa_instances: int = 2
    action_servers: int = 1
    front_port: int = 5005
    action_port: int = 5055
    rasa_base_port: int = 5101
    action_base_port: int = 5151
    credentials: Path = DEFAULT_CREDENTIALS
    env: dict[str, str] = field(default_factory=dict)
    web_port: int | None = None  # run `python -m webservice` here (0 = a free port); None = no web service


@dataclass
class Cluster:
    spec: ClusterSpec
    procs: dict[str, Proc] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._ports: dict[str, int] = {}
        s = self.spec
        self.front_port = s.front_port or free_port()
        self.action_port = s.action_port or free_port()
        self.rasa_ports = [
            s.rasa_base_port + i if s.rasa_base_port else free_port() for i in range(s.rasa_instances)
        ]
        self.action_ports = [
            s.action_base_port + i if s.action_base_port else free_port() for i in range(s.action_servers)
        ]
        self.web_port = None if s.web_port is None else (s.web_port or free_port())
        self.env = self._base_env()
        self.auth_token = self.env["RASA_AUTH_TOKEN"]
        self.endpoints = self._write_endpoints()
        self._define()

    # -- URLs -------------------------------------------------------------------------

    @property
    def front_url(self) -> str:
        return f"http://127.0.0.1:{self.front_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def rasa_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[index]}"

    def rasa_names(self) -> list[str]:
        return [f"rasa-{i + 1}" for i in range(self.spec.rasa_instances)]

    def action_names(self) -> list[str]:
        return [f"actions-{i + 1}" for i in range(self.spec.action_servers)]

    # -- set-up -----------------------------------------------------------------------

    def _base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            PYTHONDONTWRITEBYTECODE="1",
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        # `rasa` runs from .venv/bin and adds the working directory to sys.path only late
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        env.update(self.spec.env)
        # One TensorFlow thread per Rasa process: measured better on 2 cores (docs/production.md)
        env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
        env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
        env["ACTION_ENDPOINT_URL"] = f"{self.action_url}/webhook"
        env["RASA_URL"] = self.rasa_url(0)
        # Rasa's HTTP API always needs a token here (callers read RASA_AUTH_TOKEN)
        env["RASA_AUTH_TOKEN"] = env.get("RASA_AUTH_TOKEN") or secrets.token_urlsafe(24)
        return env

    def _write_endpoints(self) -> Path:
        from ops.endpoints import write_endpoints

        return write_endpoints(self.spec.workdir / "endpoints.yml", self.env)

    def _define(self) -> None:
        s, logs = self.spec, self.spec.workdir / "logs"
        for name, port in zip(self.action_names(), self.action_ports, strict=True):
            env = {**self.env, "SANIC_HOST": "127.0.0.1"}
            self.procs[name] = Proc(
                name,
                [PYTHON, "-m", "ops.action_server", "--actions", "actions", "--port", str(port)],
                env, logs / f"{name}.log", f"http://127.0.0.1:{port}/health",
            )  # fmt: skip
        for name, port in zip(self.rasa_names(), self.rasa_ports, strict=True):
            args = [
                RASA, "run", "--enable-api", "--auth-token", self.auth_token, "--interface", "127.0.0.1",
                "--model", str(s.model), "--port", str(port),
                "--endpoints", str(self.endpoints), "--credentials", str(s.credentials),
            ]  # fmt: skip
            self.procs[name] = Proc(
                name, args, self.env, logs / f"{name}.log", f"http://127.0.0.1:{port}/webhooks/ops/health"
            )
        if self.web_port is not None:
            env = {**self.env, "SHOP_API_HOST": "127.0.0.1", "SHOP_API_PORT": str(self.web_port)}
            self.procs["web"] = Proc(
                "web", [PYTHON, "-m", "webservice"], env, logs / "web.log",
                f"http://127.0.0.1:{self.web_port}/console", ready_below=500,
            )  # fmt: skip
        self.procs["nginx"] = self._nginx()

    def _nginx(self) -> Proc:
        from ops.nginx import Layout, command, test_config, write_local

        local = "127.0.0.1:{}".format
        layout = Layout(
            public_listen=local(self.front_port),
            action_listen=local(self.action_port),
            rasa=[local(p) for p in self.rasa_ports],
            actions=[local(p) for p in self.action_ports],
            web=[local(self.web_port)] if self.web_port is not None else [],
        )
        conf = write_local(self.spec.workdir / "nginx", layout)
        test_config(conf)
        return Proc(
            "nginx", command(conf), self.env, self.spec.workdir / "logs" / "nginx.log",
            f"{self.action_url}/nginx-health",
        )  # fmt: skip

    # -- control ----------------------------------------------------------------------

    def start(self, timeout_s: float = 300.0) -> Cluster:
        """Launch everything at once, then wait until each answers (Rasa loads in parallel)."""
        try:
            for proc in self.procs.values():
                proc.launch()
            for proc in self.procs.values():
                proc.wait_ready(timeout_s)
        except BaseException:
            self.stop()
            raise
        return self

    def restart(self, name: str, timeout_s: float = 300.0, kill: bool = False) -> None:
        proc = self.procs[name]
        proc.kill() if kill else proc.stop()
        proc.restarts += 1
        proc.launch().wait_ready(timeout_s)

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            proc.stop()

    def logs(self, lines: int = 30) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log_tail(lines)}" for p in self.procs.values())

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
