"""Shared fixtures: real databases (SQLite always, PostgreSQL when reachable).

PostgreSQL tests create a throwaway database per test session, so parallel runs
never collide. Set TEST_POSTGRES_URL to point elsewhere; set REQUIRE_POSTGRES=1
(as .ci/run does) to turn "PostgreSQL not reachable" from a skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from catalog.schema import metadata
from shopkernel.db import make_engine, make_session_factory

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _require(kind: str) -> bool:
    return os.environ.get(f"REQUIRE_{kind.upper()}", "") in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the session."""
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "absent"
        msg = f"PostgreSQL not reachable at {PG_ADMIN_URL} ({type(exc).__name__}); set TEST_POSTGRES_URL"
        if _require("postgres"):
            pytest.fail(msg)
        pytest.skip(msg)
    name = f"partsbot_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database URL, once per backend: the same test runs on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.db'}"
        return
    url = request.getfixturevalue("postgres_server_url")
    _reset_postgres_schema(url)
    yield url
    _reset_postgres_schema(url)


def _reset_postgres_schema(url: str) -> None:
    """Drop every table (ours, alembic_version, the connector's and the rephraser's own)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def engine(database_url):
    """An engine on an empty database with the schema created."""
    eng = make_engine(database_url)
    metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a reachable Redis (db 15), or skip/fail as for PostgreSQL."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        msg = f"Redis not reachable at {REDIS_URL} ({type(exc).__name__}); set TEST_REDIS_URL"
        if _require("redis"):
            pytest.fail(msg)
        pytest.skip(msg)
    return REDIS_URL


@pytest.fixture(scope="session")
def assistant_graph():
    """The fake Graph API (Meta) the shared stack's WhatsApp channel sends to."""
    from tests.helpers.shared_stack import shared_graph

    with shared_graph() as graph:
        yield graph


@pytest.fixture(scope="session")
def assistant_stack(tmp_path_factory, assistant_graph):
    """ONE Rasa server + action server for every end-to-end conversation of the session.

    REST, WhatsApp (to ``assistant_graph``) with the media pipeline, the ops channel
    (tests/helpers/shared_stack.py). ``TEST_ASSISTANT_STACK=<json file>``: servers already running.
    """
    from tests.helpers.servers import RunningStack
    from tests.helpers.shared_stack import shared_stack

    if os.environ.get("TEST_ASSISTANT_STACK"):  # servers already running (a JSON file says where)
        yield RunningStack.from_file(Path(os.environ["TEST_ASSISTANT_STACK"]))
        return
    with shared_stack(tmp_path_factory.mktemp("assistant-stack"), assistant_graph) as stack:
        yield stack


@pytest.fixture(scope="session")
def live_openai():
    """The fake OpenAI server the live stack's rephraser calls (unscripted calls answer 500)."""
    from tests.fakes.openai_server import FakeOpenAIServer
    from tests.helpers.live_stack import OPENAI_KEY

    with FakeOpenAIServer(api_key=OPENAI_KEY) as fake:
        yield fake


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory, live_openai):
    """ONE assistant for the console's live tests, the sales journey, the Rasa client and the
    rephraser end to end.

    WhatsApp (fake Graph API) with the media pipeline, REST, a Rasa ``--auth-token`` and the GPT
    rephraser against ``live_openai`` (tests/helpers/live_stack.py). Its tests run on one worker
    (``LIVE_GROUP``), module after module.
    """
    from tests.helpers.live_stack import LiveStack

    workdir = tmp_path_factory.mktemp("live-stack")
    with LiveStack(workdir, media=True, openai_base_url=live_openai.base_url) as running:
        yield running


# -- parallel runs (pytest-xdist, ``-n 2 --dist loadgroup`` in scripts/test) ---------------------------
# Each worker is its own session: its own PostgreSQL database (postgres_server_url), tmp dirs and
# servers on free ports. A module stays on one worker (its module fixtures are built once), every
# test of the shared assistant stack goes to one worker (the stack starts once), and the slowest
# groups are handed out first (scripts/test passes --no-loadscope-reorder, without which
# pytest-xdist starts the groups with the most tests first: the fault suite started ~170 s late)
# so that the run does not end waiting on one long module.
SLOW_FIRST = ("tests/faults/", "live-stack", "assistant-stack", "tests/browser/", "tests/media/")
LIVE_GROUP = "live-stack"  # every test of the session's live stack (one start for them all)
WHOLE_PACKAGES = ("tests/faults/",)  # package-scoped fixtures (the fault suite's cluster)


def _group(item: pytest.Item) -> str:
    if "assistant_stack" in getattr(item, "fixturenames", ()):
        from tests.helpers.shared_stack import GROUP

        return GROUP
    if "live_stack" in getattr(item, "fixturenames", ()):
        return LIVE_GROUP
    marker = item.get_closest_marker("xdist_group")
    if marker is not None:
        return str(marker.args[0] if marker.args else marker.kwargs.get("name", "default"))
    module = item.nodeid.split("::", 1)[0]
    return next((package for package in WHOLE_PACKAGES if module.startswith(package)), module)


def _rank(group: str, item: pytest.Item) -> int:
    for rank, prefix in enumerate(SLOW_FIRST):
        if group.startswith(prefix):
            return rank
    slow = item.get_closest_marker("rasa") or item.get_closest_marker("slow")
    return len(SLOW_FIRST) + (0 if slow else 1)


MAX_PARAM_ID = 40


def _stable_ids(items: list[pytest.Item]) -> None:
    """Long parameter ids (signatures, random bytes, message ids made at import) differ between
    pytest-xdist workers, which then refuse to run; such an id becomes its position instead."""
    seen: dict[str, int] = {}
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None:
            continue
        base = item.nodeid.split("[", 1)[0]
        seen[base] = seen.get(base, -1) + 1
        if len(callspec.id) > MAX_PARAM_ID:
            item._nodeid = f"{base}[#{seen[base]}]"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group tests for pytest-xdist (before it reads the groups) and put the slow groups first."""
    _stable_ids(items)
    groups = {item.nodeid: _group(item) for item in items}
    from tests.helpers.shared_stack import GROUP

    for item in items:
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(groups[item.nodeid]))
        if groups[item.nodeid] in (GROUP, LIVE_GROUP) and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(1800))  # the first one starts the servers on a busy machine
    ranks: dict[str, int] = {}
    for item in items:
        group = groups[item.nodeid]
        ranks[group] = min(ranks.get(group, 99), _rank(group, item))
    position = {id(item): n for n, item in enumerate(items)}
    items.sort(key=lambda item: (ranks[groups[item.nodeid]], position[id(item)]))
