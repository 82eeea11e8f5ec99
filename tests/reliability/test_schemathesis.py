"""schemathesis against the app's own OpenAPI document: generated requests (valid and not) to every
operation, with an admin token, never get a 5xx or a response that breaks the documented schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.settings import Settings


class SwappableApp:
    """The ASGI app schemathesis calls; each test points it at an app over the seeded test database.

    why: the schema must be loaded when the module is collected, before any database fixture
    exists (and schemathesis.pytest.from_fixture breaks on this pytest). The OpenAPI document
    needs no database, so an app over an unused in-memory database serves it at load time.
    """

    def __init__(self) -> None:
        self.app = create_app(Settings(database_url="sqlite://"))

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


TARGET = SwappableApp()
schema = schemathesis.openapi.from_asgi("/openapi.json", TARGET)


@pytest.fixture
def live_app(settings: Settings, seeded: sessionmaker[Session]) -> Iterator[None]:
    placeholder = TARGET.app
    TARGET.app = create_app(settings.model_copy(update={"rate_limit_writes": "", "rate_limit_reads": "", "rate_limit_auth_failures": ""}))
    yield
    TARGET.app = placeholder


@schema.parametrize()
@hypothesis_settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case, live_app: None, admin_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
