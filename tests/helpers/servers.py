"""Start the real action server and Rasa server as subprocesses, for end-to-end tests.

Reusable by any end-to-end test (the assistant's REST tests, the WhatsApp channel's webhook
tests)::

    catalog_url = build_sample_catalog(tmp_path / "catalog.db", rows=3000)
    with AssistantStack(tmp_path, catalog_url) as stack:     # free ports, temp tracker store
        replies = stack.send("alice", "hi")
        slots = stack.tracker("alice")["slots"]

Each process gets its own log file under the temp folder; a start-up failure raises
:class:`ServerStartError` with the end of that log.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
RASA = str(Path(sys.executable).with_name("rasa"))


class ServerStartError(RuntimeError):
    """A server did not become ready; the message holds the end of its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_sample_catalog(path: Path, rows: int = 3000) -> str:
    """A SQLite catalog at ``path`` loaded from the deterministic sample generator; returns its URL.

    Built once per size and version of the catalog code (``.cache/catalogs``), then copied: the
    same 3 000-row catalog used to be generated and imported by every end-to-end module.
    """
    template = _catalog_template(rows)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def _catalog_template(rows: int) -> Path:
    import fcntl
    import hashlib

    digest = hashlib.sha256(str(rows).encode())
    for source in sorted((ROOT / "catalog").rglob("*.py")):  # schema, migrations, generator, importer
        digest.update(source.relative_to(ROOT).as_posix().encode() + b"\0" + source.read_bytes())
    cache = ROOT / ".cache" / "catalogs"
    template = cache / f"sample-{rows}-{digest.hexdigest()[:12]}.db"
    if template.exists():
        return template
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers build it once
        if not template.exists():
            building = template.with_suffix(f".{os.getpid()}.building")
            _import_sample(building, rows)
            building.replace(template)
    return template


def _import_sample(path: Path, rows: int) -> None:
    from catalog.importer import import_catalog
    from catalog.migrate import upgrade_database
    from catalog.sample import write_sample
    from shopkernel.db import make_engine

    url = f"sqlite:///{path}"
    upgrade_database(url)
    csv_path = write_sample(path.with_suffix(".csv"), rows)
    engine = make_engine(url)
    try:
        import_catalog(engine, csv_path)
    finally:
        engine.dispose()
        csv_path.unlink(missing_ok=True)


def base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONDONTWRITEBYTECODE="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        # this checkout's code, even when the shared virtualenv has another one installed editable
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    )
    env.pop("OPENAI_API_KEY", None)  # end-to-end tests never reach a real model provider
    env.update(extra or {})
    return env


def trained_model() -> Path:
    """The assistant's model for the current data (``E2E_MODEL`` overrides it).

    Trained here if missing; when another process (another pytest worker, ``python -m ops.model``)
    is training it, this waits on the training's lock instead of training twice (ops/model.py).
    """
    from ops.model import ensure_model

    return Path(os.environ["E2E_MODEL"]) if os.environ.get("E2E_MODEL") else ensure_model(quiet=True)


@dataclass
class ManagedProcess:
    """A subprocess with a log file, stopped by its own pid only."""

    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    ready_url: str
    timeout_s: float = float(os.environ.get("TEST_SERVER_START_TIMEOUT", "240"))  # busy machines: raise it
    process: subprocess.Popen | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        try:
            self._wait_ready()
        except BaseException:  # also a pytest timeout or Ctrl-C while waiting: no orphan server
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerStartError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                if httpx.get(self.ready_url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise ServerStartError(f"{self.name} not ready after {self.timeout_s:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_action_server(workdir: Path, env: Mapping[str, str], port: int | None = None) -> ManagedProcess:
    port = port or free_port()
    return ManagedProcess(
        name="action server",
        args=[PYTHON, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        env=base_env(env),
        log_path=workdir / "actions.log",
        ready_url=f"http://127.0.0.1:{port}/health",
    ).start()


def write_endpoints(workdir: Path, action_url: str) -> Path:
    """Endpoints for a test: the given action server, a SQLite tracker store in ``workdir``."""
    from ops.endpoints import write_endpoints as render

    return render(
        workdir / "endpoints.yml",
        {"ACTION_ENDPOINT_URL": action_url, "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.db'}"},
        root=workdir,
    )


def start_rasa_server(
    workdir: Path,
    model: Path,
    endpoints: Path,
    credentials: Path | None = None,
    env: Mapping[str, str] | None = None,
    port: int | None = None,
    extra_args: list[str] | None = None,
    timeout_s: float = 240.0,
) -> ManagedProcess:
    """``extra_args`` go to ``rasa run`` as given, e.g. ``["--auth-token", token]``."""
    port = port or free_port()
    if credentials is None:  # REST only: the test needs no other channel's secrets
        credentials = workdir / "credentials.yml"
        credentials.write_text("rest:\n", encoding="utf-8")
    args = [
        RASA, "run", "--enable-api", "--model", str(model), "--port", str(port),
        "--endpoints", str(endpoints), "--credentials", str(credentials), *(extra_args or []),
    ]  # fmt: skip
    token = args[args.index("--auth-token") + 1] if "--auth-token" in args else ""
    return ManagedProcess(
        name="rasa server",
        args=args,
        env=base_env(env),
        log_path=workdir / "rasa.log",
        ready_url=f"http://127.0.0.1:{port}/status" + (f"?token={token}" if token else ""),
        timeout_s=timeout_s,
    ).start()


@dataclass
class AssistantStack:
    """Action server + Rasa server (SQLite tracker store) on free ports.

    ``credentials`` defaults to a REST-only file; pass the project's credentials.yml (or your
    own) to test another channel, with its settings in ``extra_env``.
    """

    workdir: Path
    catalog_url: str
    model: Path | None = None
    credentials: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    action_env: dict[str, str] = field(default_factory=dict)  # the action server's only (OpenAI)
    rasa_args: list[str] = field(default_factory=list)
    rasa_port: int | None = None  # known before start: the action server may need Rasa's URL
    start_timeout: float = 240.0  # seconds for Rasa to load the model (longer on a busy machine)
    actions: ManagedProcess | None = None
    rasa: ManagedProcess | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.catalog_url,
            "LEAD_SPOOL_PATH": str(self.workdir / "spool" / "leads.jsonl"),
            **self.extra_env,
        }

    @property
    def rasa_url(self) -> str:
        assert self.rasa is not None
        return self.rasa.ready_url.rsplit("/", 1)[0]

    def __enter__(self) -> AssistantStack:
        model = self.model or trained_model()
        self.actions = start_action_server(self.workdir, {**self.env, **self.action_env})
        action_url = self.actions.ready_url.replace("/health", "/webhook")
        try:
            endpoints = write_endpoints(self.workdir, action_url)
            self.rasa = start_rasa_server(
                self.workdir, model, endpoints, self.credentials, self.env, port=self.rasa_port,
                extra_args=self.rasa_args, timeout_s=self.start_timeout,
            )  # fmt: skip
        except BaseException:
            self.actions.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in (self.rasa, self.actions):
            if proc is not None:
                proc.stop()

    def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict]:
        """One customer message through the REST channel; the bot's replies."""
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = httpx.get(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=30)
        response.raise_for_status()
        return response.json()

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name} ---\n{p.log_tail()}" for p in (self.actions, self.rasa) if p is not None
        )


@dataclass
class RunningStack:
    """Servers started elsewhere (e.g. kept running while iterating on a test set); same API."""

    rasa_url: str
    catalog_url: str

    @classmethod
    def from_file(cls, path: Path) -> RunningStack:
        import json

        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(rasa_url=data["rasa_url"], catalog_url=data["catalog_url"])

    send = AssistantStack.send
    tracker = AssistantStack.tracker

    def logs(self) -> str:
        return "(servers started outside the test)"
