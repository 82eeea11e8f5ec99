"""Two `firmas serve` processes on one PostgreSQL database, rate limits counted in Redis: every
process gives the same answers and enforces the same limits (issue 19).

Skipped, not failed, where PostgreSQL or Redis does not answer.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from app import migrate
from app.services import seed, tokens
from app.settings import Settings
from tests.conftest import postgres_url_or_skip
from tests.reliability.servers import free_port, start_server, stop_server
from tests.test_import_concurrent import fresh_database, import_processes, overlapping_files, registry  # noqa: F401
from tests.web.test_admin_pages import hidden

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_or_skip() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis does not answer at 127.0.0.1:6379")


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[str, str, str, str]]:
    """(url of process A, url of process B, an admin token, the database URL), over a seeded schema."""
    redis_or_skip()
    url = postgres_url_or_skip("firmas_two_processes")
    settings = Settings(database_url=url)
    migrate.upgrade(settings)
    engine = sa.create_engine(settings.database_url)
    with sa.orm.Session(engine) as session, session.begin():
        seed.load(session)
        _, token = tokens.create(session, name="ops-admin")
    engine.dispose()
    # why trusted proxies: each test names its own client in X-Forwarded-For, so counts left in
    # Redis by another run (or the other engine's suite) never meet this one's.
    environment = {"RATE_LIMIT_STORAGE": REDIS_URL, "TRUSTED_PROXIES": "127.0.0.1", "RATE_LIMIT_READS": "5/minute"}
    processes = [start_server(url, port, **environment) for port in (free_port(), free_port())]
    bases = [f"http://127.0.0.1:{process.args[-1]}" for process in processes]
    yield bases[0], bases[1], token, url
    for process in processes:
        stop_server(process)


def client_address() -> dict[str, str]:
    return {"X-Forwarded-For": f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"}


def test_a_limit_exhausted_on_one_process_answers_429_on_the_other(two_servers) -> None:
    a, b, _token, _url = two_servers
    me = client_address()
    assert [httpx.get(f"{a}/api/statements", headers=me).status_code for _ in range(5)] == [200] * 5
    refused = httpx.get(f"{b}/api/statements", headers=me)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert httpx.get(f"{b}/api/statements", headers=client_address()).status_code == 200  # someone else


def test_a_merge_through_one_process_is_seen_by_the_other_s_next_read(two_servers) -> None:
    a, b, token, _url = two_servers
    me, auth = client_address(), {"Authorization": f"Bearer {token}"}
    first, second = httpx.get(f"{b}/api/organizations", params={"limit": 2}, headers=me).json()["items"]
    merged = httpx.post(f"{a}/api/organizations/{first['id']}/merge", json={"into": second["id"]}, headers={**auth, **me})
    assert merged.status_code == 201
    seen = httpx.get(f"{b}/api/organizations/{first['slug']}", headers=me, follow_redirects=False)
    assert seen.status_code == 308
    assert seen.headers["location"].endswith(f"/api/organizations/{second['slug']}")


def test_an_admin_logged_in_on_one_process_acts_on_the_other(two_servers) -> None:
    a, b, token, _url = two_servers
    me, auth = client_address(), {"Authorization": f"Bearer {token}"}
    first, second = httpx.get(f"{a}/api/organizations", params={"limit": 2}, headers=me).json()["items"]
    merge = httpx.post(f"{a}/api/organizations/{first['id']}/merge", json={"into": second["id"]}, headers={**auth, **me}).json()
    with httpx.Client(base_url=a, headers=me) as on_a:
        form = on_a.get("/admin/entrar")
        assert on_a.post("/admin/entrar", data={"token": token, "csrf": hidden(form.text, "csrf")}).status_code == 303
        csrf_from_a = hidden(on_a.get("/admin/fusiones").text, "csrf")
        cookies = on_a.cookies
    with httpx.Client(base_url=b, headers=me, cookies=cookies) as on_b:
        assert on_b.get("/admin/fusiones").status_code == 200
        # A form rendered by one process is accepted by the other: its CSRF value is no process's secret.
        undone = on_b.post(f"/admin/fusiones/{merge['id']}/deshacer", data={"csrf": csrf_from_a})
        assert undone.status_code == 303 and "undone=" in undone.headers["location"]
    assert httpx.get(f"{a}/api/merges/{merge['id']}", headers=me).json()["undone_by"] == "ops-admin"


def test_two_imports_sent_to_both_at_once_equal_one_import_of_both(two_servers, overlapping_files, tmp_path: Path) -> None:
    a, b, token, url = two_servers
    first, second, whole = overlapping_files
    auth = {"Authorization": f"Bearer {token}", **client_address()}
    answers: dict[str, int] = {}

    def send(base: str, path: Path) -> None:
        files = {"file": (path.name, path.read_bytes(), "text/csv")}
        answers[base] = httpx.post(f"{base}/api/imports", files=files, data={"suggestions": "false"}, headers=auth, timeout=300).status_code

    senders = [threading.Thread(target=send, args=pair) for pair in ((a, first), (b, second))]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(300)
    assert answers == {a: 201, b: 201}

    alone = postgres_url_or_skip("firmas_two_processes_alone")
    migrate.upgrade(Settings(database_url=alone))
    with sa.orm.Session(sa.create_engine(Settings(database_url=alone).database_url)) as session, session.begin():
        seed.load(session)
    (single,) = import_processes(alone, whole)
    assert single.wait(timeout=300) == 0
    assert registry(url) == registry(alone)
