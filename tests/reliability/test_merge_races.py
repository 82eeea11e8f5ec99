"""Two admins at the same instant: opposite, forked and chained merges, and a merge racing an
import, against a real `firmas serve` on both engines. Each race runs 20 times; the identity
graph never gets a cycle, nothing answers 500, and the stored counts stay equal to a recount.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from app import migrate
from app.db import make_engine, make_session_factory
from app.models import RegionStats
from app.services import tokens
from app.settings import Settings
from tests.conftest import postgres_url_or_skip
from tests.live_counts import live_region_counts
from tests.reliability.servers import free_port, start_server, stop_server

ROUNDS = 20


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Settings, sa.Engine]]:
    if request.param == "sqlite":
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'races.db'}")
    else:
        settings = Settings(database_url=postgres_url_or_skip("firmas_races"))
    migrate.upgrade(settings)
    engine = make_engine(settings)
    yield settings, engine
    engine.dispose()


@pytest.fixture
def admin(database: tuple[Settings, sa.Engine]) -> Iterator[httpx.Client]:
    settings, engine = database
    with make_session_factory(engine)() as session, session.begin():
        _, token = tokens.create(session, name="racer")
    port = free_port()
    process = start_server(settings.database_url, port, RATE_LIMIT_READS="", RATE_LIMIT_WRITES="")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            yield http
    finally:
        stop_server(process)


def three_organizations(http: httpx.Client, round_number: int) -> tuple[int, int, int]:
    names = [f"Fundación Carrera {round_number} {letter}" for letter in ("Alfa", "Beta", "Gamma")]
    content = "statement_title,organization,position,region\n" + "".join(
        f"Carrera {round_number},{name},{position},{region}\n"
        for position, (name, region) in enumerate(zip(names, ("VE-A", "VE-V", "VE-L")), start=1)
    )
    report = http.post("/api/imports", files={"file": ("r.csv", content.encode(), "text/csv")}, data={"suggestions": "false"})
    assert report.status_code == 201, report.text
    statement = http.get(f"/api/statements/{report.json()['report']['statements'][0]['statement_id']}").json()
    assert "lines" in statement, (statement, report.json())
    first, second, third = (line["organization"]["id"] for line in statement["lines"])
    return first, second, third


def at_once(*requests: Callable[[], httpx.Response]) -> list[int]:
    """Send the requests from threads released together; their status codes, in order."""
    barrier, statuses = threading.Barrier(len(requests)), [0] * len(requests)

    def send(index: int, request: Callable[[], httpx.Response]) -> None:
        barrier.wait()
        statuses[index] = request().status_code

    threads = [threading.Thread(target=send, args=(index, request)) for index, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def merge(http: httpx.Client, merged: int, into: int) -> Callable[[], httpx.Response]:
    return lambda: http.post(f"/api/organizations/{merged}/merge", json={"into": into})


def where_is(http: httpx.Client, organization_id: int) -> int:
    """The live organization `organization_id` resolves to, following at most 5 redirects (a
    cycle would never end)."""
    url = f"/api/organizations/{organization_id}"
    for _ in range(5):
        response = http.get(url, follow_redirects=False)
        if response.status_code == 200:
            return response.json()["id"]
        assert response.status_code == 308, response.text
        url = response.headers["location"]
    raise AssertionError(f"organization {organization_id} redirects in a cycle")


def counts_are_live(engine: sa.Engine) -> bool:
    with make_session_factory(engine)() as session:
        stored = {row.region_code: (row.organization_count, row.statement_count) for row in session.scalars(sa.select(RegionStats))}
        return stored == live_region_counts(session.connection())


def test_opposite_merges_give_one_201_and_one_409(database, admin: httpx.Client) -> None:
    for round_number in range(ROUNDS):
        a, b, _ = three_organizations(admin, round_number)
        statuses = at_once(merge(admin, a, b), merge(admin, b, a))
        assert sorted(statuses) == [201, 409], statuses
        assert where_is(admin, a) == where_is(admin, b)
    assert counts_are_live(database[1])


def test_merging_one_organization_into_two_at_once_merges_it_once(database, admin: httpx.Client) -> None:
    for round_number in range(ROUNDS):
        a, b, c = three_organizations(admin, round_number)
        statuses = at_once(merge(admin, a, b), merge(admin, a, c))
        assert sorted(statuses) == [201, 409], statuses
        survivor = where_is(admin, a)
        assert survivor in (b, c)
        other = c if survivor == b else b
        assert where_is(admin, other) == other
        assert len(admin.get(f"/api/organizations/{survivor}").json()["names"]) == 2
    assert counts_are_live(database[1])


def test_chained_merges_at_once_never_make_a_cycle_nor_a_500(database, admin: httpx.Client) -> None:
    for round_number in range(ROUNDS):
        a, b, c = three_organizations(admin, round_number)
        statuses = at_once(merge(admin, a, b), merge(admin, b, c))
        assert set(statuses) <= {201, 409}, statuses
        assert 201 in statuses
        ends = {where_is(admin, a), where_is(admin, b)}
        if statuses == [201, 201]:
            assert ends == {c}  # A into B, then B into C: everything in C
    assert counts_are_live(database[1])


def test_a_merge_racing_an_import_of_a_variant_never_strands_the_new_line(database, admin: httpx.Client) -> None:
    for round_number in range(ROUNDS):
        a, b, _ = three_organizations(admin, round_number)
        variant = f"FUNDACION CARRERA {round_number} ALFA, A.C."  # the same match key as A's name
        content = f'statement_title,organization,region\nVariante {round_number},"{variant}",VE-A\n'.encode()
        statuses = at_once(
            merge(admin, a, b),
            lambda content=content: admin.post("/api/imports", files={"file": ("v.csv", content, "text/csv")},
                                               data={"suggestions": "false"}),  # fmt: skip
        )
        assert statuses[0] in (201, 409) and statuses[1] in (201, 409), statuses
        lines = admin.get(f"/api/statements?q=Variante {round_number}").json()["items"]
        if statuses[1] == 201:
            line = admin.get(f"/api/statements/{lines[0]['id']}").json()["lines"][0]
            owner = admin.get(f"/api/organizations/{line['organization']['id']}", follow_redirects=False)
            assert owner.status_code == 200, "the variant's line names a merged organization"
    assert counts_are_live(database[1])
