"""What the internet reaches through the production nginx file, and what it does not.

Only Meta's webhook (GET verification, signed POSTs), the public API and the console pages
pass; Rasa's HTTP API, the REST channel, metrics/readiness and the action servers never do,
whatever the method or spelling of the path. Oversize and trickled bodies are cut by nginx.
"""

from __future__ import annotations

import socket
import time

import httpx
import pytest

pytestmark = pytest.mark.security

PASSES = [
    ("GET", "/webhooks/whatsapp/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=x", "rasa"),
    ("POST", "/webhooks/whatsapp/webhook", "rasa"),
    ("GET", "/api/v1/parts?q=brake+pads", "web"),
    ("POST", "/api/v1/leads", "web"),
    ("GET", "/console/leads", "web"),
    ("POST", "/console/login", "web"),
]

BLOCKED = [
    ("POST", "/webhooks/rest/webhook"),  # the REST channel: `sender` is whatever the caller says
    ("GET", "/webhooks/rest/"),
    ("GET", "/conversations/971501234567/tracker"),
    ("POST", "/conversations/971501234567/tracker/events"),
    ("PUT", "/conversations/971501234567/tracker/events"),
    ("POST", "/conversations/971501234567/trigger_intent"),
    ("POST", "/conversations/971501234567/messages"),
    ("GET", "/conversations/971501234567/story"),
    ("POST", "/model/parse"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
    ("GET", "/status"),
    ("GET", "/version"),
    ("GET", "/domain"),
    ("GET", "/"),
    ("GET", "/webhooks/ops/metrics"),
    ("GET", "/webhooks/ops/ready"),
    ("GET", "/webhooks/ops/health"),
    ("GET", "/webhooks/whatsapp/"),  # the channel's own health route
    ("GET", "/webhooks/whatsapp/webhook/../../conversations/x/tracker"),
    ("GET", "/webhooks/whatsapp/webhook%2F..%2F..%2Fconversations%2Fx%2Ftracker"),
    ("GET", "/webhooks//rest/webhook"),
    ("GET", "/WEBHOOKS/REST/WEBHOOK"),
    ("POST", "/webhook"),  # the action server's route
    ("GET", "/health"),
    ("GET", "/metrics"),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
    ("GET", "/api"),
]


@pytest.mark.parametrize(("method", "path", "role"), PASSES)
def test_public_routes_reach_their_service(edge, method, path, role):
    edge.forget()
    response = httpx.request(method, edge.public + path, content=b"{}" if method == "POST" else None)
    assert response.status_code == 200, response.text
    assert response.json()["role"] == role


@pytest.mark.parametrize(("method", "path"), BLOCKED)
def test_private_routes_are_not_reachable_from_outside(edge, method, path):
    edge.forget()
    with socket.create_connection(("127.0.0.1", int(edge.public.rsplit(":", 1)[1]))) as sock:
        body = b"{}"  # raw request: no client-side normalisation of the path
        sock.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: shop.example\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n".encode()
            + body
        )
        status_line = sock.makefile("rb").readline().decode()
    status = int(status_line.split()[1])
    assert status in (301, 400, 403, 404, 405), status_line  # 301: /api → /api/ (nginx), no upstream
    assert edge.rasa.hits == [] and edge.actions.hits == [] and edge.web.hits == []


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_webhook_takes_only_get_and_post(edge, method):
    edge.forget()
    response = httpx.request(method, edge.public + "/webhooks/whatsapp/webhook", content=b"{}")
    assert response.status_code == 403 and edge.rasa.hits == []


def test_console_is_reached_only_under_its_own_path(edge):
    edge.forget()
    assert httpx.get(edge.public + "/console").json()["role"] == "web"
    assert httpx.get(edge.public + "/consolexyz").status_code == 404
    assert edge.web.hits == [("GET", "/console")]


def test_action_servers_are_only_on_the_internal_listener(edge):
    edge.forget()
    assert httpx.post(edge.public + "/webhook", json={"next_action": "action_search"}).status_code == 404
    assert edge.actions.hits == []
    assert httpx.post(edge.internal + "/webhook", json={}).json()["role"] == "actions"
    assert edge.internal.startswith("http://127.0.0.1:")  # rendered on the loopback


def test_request_bodies_pass_from_memory_not_from_a_temporary_file(edge):
    """A long conversation's tracker (Rasa → action server) and a batched webhook (Meta → Rasa)
    reach their server whole, from nginx's memory: a body written to a temporary file was sent
    on in a second write and waited 44 ms for TCP's delayed acknowledgement on every call."""
    edge.forget()
    events = [{"event": "user", "text": "abi fa7mat patrol 2015"}] * 4000
    tracker = {"next_action": "action_search_parts", "sender_id": "9715012345", "tracker": {"events": events}}
    assert httpx.post(edge.internal + "/webhook", json=tracker).json()["role"] == "actions"
    webhook = b'{"object":"whatsapp_business_account","entry":[' + b" " * 600_000 + b"]}"
    assert httpx.post(edge.public + "/webhooks/whatsapp/webhook", content=webhook).status_code == 200
    assert edge.actions.hits == [("POST", "/webhook")]
    assert edge.rasa.hits == [("POST", "/webhooks/whatsapp/webhook")]
    assert "buffered to a temporary file" not in edge.error_log()


def test_oversize_webhook_body_is_refused_before_rasa(edge):
    edge.forget()
    response = httpx.post(edge.public + "/webhooks/whatsapp/webhook", content=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413 and edge.rasa.hits == []


@pytest.mark.slow
def test_trickled_body_is_cut_off(edge):
    """A client that sends 10 bytes and then stalls holds nothing for long (slowloris)."""
    edge.forget()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", int(edge.public.rsplit(":", 1)[1])), timeout=30) as sock:
        sock.sendall(
            b"POST /webhooks/whatsapp/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789"
        )
        answer = sock.recv(1024)  # nginx closes (408 or a bare close) after client_body_timeout
    assert time.monotonic() - started < 20
    assert answer == b"" or b"408" in answer.split(b"\r\n")[0]
    assert edge.rasa.hits == []


def test_api_is_rate_limited_per_client(edge):
    from concurrent.futures import ThreadPoolExecutor

    with httpx.Client() as client, ThreadPoolExecutor(30) as pool:
        statuses = list(
            pool.map(lambda _: client.get(edge.public + "/api/v1/parts?q=x").status_code, range(150))
        )
    assert statuses.count(429) > 0 and statuses.count(200) >= 40
