"""Configuration from the environment (or explicit arguments in tests); nothing is read at import time."""

from __future__ import annotations

from pathlib import Path

from limits import parse_many
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/firmas.db"


class Settings(BaseSettings):
    """Every setting can be given as an environment variable of the same name (upper case)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; sqlite:///path or postgresql://user@host/db.",
    )
    default_page_size: int = Field(default=50, ge=1, le=1000)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    read_threads: int = Field(default=8, ge=1, le=64, description="Threads per process for list reads (see api.deps).")
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1, description="Largest JSON or form request body; files get max_upload_bytes."
    )
    rate_limit_writes: str = Field(
        default="60/minute",
        description="Per client address, for POST/PUT/PATCH/DELETE, in `limits` notation ('60/minute'); empty: none.",
    )
    rate_limit_reads: str = Field(
        default="600/minute", description="Per client address, for GET requests under /api/; empty: none."
    )
    public_base_url: str | None = Field(
        default=None, description="Absolute base URL for links in responses; default: the request's."
    )

    @field_validator("database_url")
    @classmethod
    def use_psycopg3_driver(cls, url: str) -> str:
        """Accept plain postgresql:// URLs and point them at the psycopg 3 driver we ship."""
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("rate_limit_writes", "rate_limit_reads")
    @classmethod
    def parse_as_rate_limit(cls, value: str) -> str:
        """Refuse at start-up a limit the limiter could not read, rather than at the first request."""
        if value.strip():
            try:
                parse_many(value)
            except ValueError as exc:
                raise ValueError(f"not a rate limit such as '60/minute': {value!r}") from exc
        return value.strip()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file for sqlite:///path URLs (None for in-memory or other engines)."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[-1]
        return Path(path) if path and path != ":memory:" else None
