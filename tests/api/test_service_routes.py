"""Readiness, metrics, request ids, the audit log line, and links that never follow the Host header."""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.models import Merge
from app.settings import Settings

CSV = (
    "statement_title,statement_date,statement_url,organization,position\n"
    "Metricas,2025-02-03,https://example.org/metricas,Organización de las Métricas,1\n"
    "Metricas,2025-02-03,https://example.org/metricas,Otra Organización Medida,2\n"
)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def samples(client: TestClient) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics, read by prometheus_client's own parser."""
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


# --- readiness -------------------------------------------------------------------------------------


def test_readyz_answers_200_when_the_database_is_at_the_code_s_schema(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_readyz_answers_503_on_a_database_not_migrated() -> None:
    empty = Settings(database_url=f"sqlite:///{tempfile.mkdtemp()}/empty.db")
    with TestClient(create_app(empty)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "firmas db upgrade" in response.json()["detail"]


# --- metrics ---------------------------------------------------------------------------------------


def test_metrics_count_requests_by_route_template_and_status(seeded_client: TestClient) -> None:
    before = samples(seeded_client)
    seeded_client.get("/api/statements")
    seeded_client.get("/api/organizations/aqui-cabemos-todos")
    seeded_client.get("/api/organizations/no-such-organization")
    after = samples(seeded_client)
    route = "/api/organizations/{id_or_slug}"
    counted = "firmas_http_requests_total"
    assert value(after, counted, method="GET", route="/api/statements", status="200") - value(
        before, counted, method="GET", route="/api/statements", status="200"
    ) == 1
    assert value(after, counted, method="GET", route=route, status="404") - value(before, counted, method="GET", route=route, status="404") == 1
    timed = "firmas_http_request_duration_seconds_count"
    assert value(after, timed, method="GET", route=route) - value(before, timed, method="GET", route=route) == 2
    assert not any("no-such-organization" in str(key) for key in after)  # templates, never raw paths


def test_metrics_count_committed_imports_rows_and_admin_actions(seeded_client: TestClient, admin_token: str) -> None:
    before = samples(seeded_client)
    files = {"file": ("metricas.csv", CSV.encode(), "text/csv")}
    assert seeded_client.post("/api/imports", files=files, data={"dry_run": "true"}, headers=auth(admin_token)).status_code == 200
    assert seeded_client.post("/api/imports", files=files, headers=auth(admin_token)).status_code == 201
    first, second = seeded_client.get("/api/organizations", params={"limit": 2}).json()["items"]
    merged = seeded_client.post(f"/api/organizations/{first['id']}/merge", json={"into": second["id"]}, headers=auth(admin_token))
    assert merged.status_code == 201
    assert seeded_client.post(f"/api/merges/{merged.json()['id']}/undo", headers=auth(admin_token)).status_code == 200
    after = samples(seeded_client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("firmas_imports_total", status="dry_run") == 1
    assert grew("firmas_imports_total", status="applied") == 1
    assert grew("firmas_import_rows_total", kind="read") == 2  # the dry run's rows are not counted
    assert grew("firmas_import_rows_total", kind="lines_added") == 2
    assert grew("firmas_admin_actions_total", action="organization.merge") == 1
    assert grew("firmas_admin_actions_total", action="organization.unmerge") == 1
    assert value(after, "firmas_db_connections_open") >= 1


def test_a_rolled_back_merge_is_not_counted(seeded_client: TestClient, admin_token: str) -> None:
    before = samples(seeded_client)
    first = seeded_client.get("/api/organizations", params={"limit": 1}).json()["items"][0]
    refused = seeded_client.post(f"/api/organizations/{first['id']}/merge", json={"into": first["id"]}, headers=auth(admin_token))
    assert refused.status_code in (409, 422)
    after = samples(seeded_client)
    name = "firmas_admin_actions_total"
    assert value(after, name, action="organization.merge") == value(before, name, action="organization.merge")


# --- logs ------------------------------------------------------------------------------------------


def test_admin_actions_are_logged_with_the_token_name_never_the_token(
    seeded_client: TestClient, admin_token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    first, second = seeded_client.get("/api/organizations", params={"limit": 2}).json()["items"]
    response = seeded_client.post(
        f"/api/organizations/{first['id']}/merge", json={"into": second["id"]},
        headers={**auth(admin_token), "X-Request-ID": "merge-42"},
    )  # fmt: skip
    assert response.headers["x-request-id"] == "merge-42"
    (line,) = [record for record in caplog.records if record.name == "firmas.audit"]
    assert line.fields["actor"] == "test-admin" and line.fields["action"] == "organization.merge"
    assert line.fields["request_id"] == "merge-42"
    assert admin_token not in caplog.text


# --- absolute links --------------------------------------------------------------------------------


def test_links_use_public_base_url_whatever_the_host_header_says(settings: Settings, seeded: sessionmaker[Session]) -> None:
    public = settings.model_copy(update={"public_base_url": "https://firmas.example.org"})
    with TestClient(create_app(public)) as client:
        response = client.get("/api/organizations", params={"limit": 1}, headers={"Host": "evil.example"})
        manifest = client.get("/api/reconcile", headers={"Host": "evil.example"}).text
    body = response.json()
    assert body["next"].startswith("https://firmas.example.org/api/organizations?")
    assert body["items"][0]["url"].startswith("https://firmas.example.org/api/organizations/")
    assert response.headers["link"].startswith("<https://firmas.example.org/")
    assert "evil.example" not in response.text + response.headers["link"] + manifest


def test_without_public_base_url_public_answers_vary_by_host(seeded_client: TestClient) -> None:
    response = seeded_client.get("/api/organizations", params={"limit": 1}, headers={"Host": "evil.example"})
    assert "public" in response.headers["cache-control"]
    assert "host" in {part.strip().lower() for part in response.headers["vary"].split(",")}


def test_public_base_url_is_an_origin_only() -> None:
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        Settings(public_base_url="https://firmas.example.org/registry")


# --- read after write ------------------------------------------------------------------------------


def test_a_write_is_committed_before_its_answer_is_sent(settings: Settings, seeded: sessionmaker[Session], admin_token: str) -> None:
    """When the first byte of a 201 leaves, another connection (another process) already sees the
    merge: FastAPI's default ran the session's commit after the answer was sent."""
    app = create_app(settings)
    with TestClient(app) as client:
        first, second = client.get("/api/organizations", params={"limit": 2}).json()["items"]
    body = json.dumps({"into": second["id"]}).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": f"/api/organizations/{first['id']}/merge", "raw_path": b"", "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                    (b"authorization", f"Bearer {admin_token}".encode()), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }  # fmt: skip
    seen_at_start: list[int] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            with seeded() as other:
                seen_at_start.append(other.scalar(select(func.count()).select_from(Merge)))
            assert message["status"] == 201

    asyncio.run(app(scope, receive, send))
    assert seen_at_start == [1]
