"""Configuration from the environment (or explicit arguments in tests); nothing is read at import time."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

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
    rate_limit_auth_failures: str = Field(
        default="10/minute",
        description="Per client address, failed authentications (bad token or admin session) on any route; empty: none.",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where rate-limit counts live, as a `limits` storage URI: memory:// (per process) or "
        "redis://host:6379/0 (shared by every process).",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; empty: none, the connection's address is the client's.",
    )
    public_base_url: str | None = Field(
        default=None,
        description="scheme://host[:port] the site is served at, used for every absolute link in responses "
        "(never the request's Host header); https also makes the admin cookies Secure.",
    )
    workers: int = Field(default=1, ge=1, le=64, description="Worker processes of `firmas serve`.")
    log_level: str = Field(default="info", description="debug, info, warning or error.")
    log_format: str = Field(default="text", description="text (one readable line) or json (one JSON object a line).")
    max_header_bytes: int = Field(
        default=32 * 1024, ge=1024, description="Largest request line plus headers; larger: 431 and the connection closed."
    )
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Time a client has to send the request line and headers; then the connection closes."
    )
    graceful_shutdown_seconds: int = Field(
        default=30, ge=1, description="On SIGTERM, how long requests in flight may take to finish."
    )

    @field_validator("database_url")
    @classmethod
    def use_psycopg3_driver(cls, url: str) -> str:
        """Accept plain postgresql:// URLs and point them at the psycopg 3 driver we ship."""
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("rate_limit_writes", "rate_limit_reads", "rate_limit_auth_failures")
    @classmethod
    def parse_as_rate_limit(cls, value: str) -> str:
        """Refuse at start-up a limit the limiter could not read, rather than at the first request."""
        if value.strip():
            try:
                parse_many(value)
            except ValueError as exc:
                raise ValueError(f"not a rate limit such as '60/minute': {value!r}") from exc
        return value.strip()

    @field_validator("rate_limit_storage")
    @classmethod
    def known_limit_storage(cls, uri: str) -> str:
        scheme = uri.split("://", 1)[0].removeprefix("async+")
        if scheme not in ("memory", "redis", "rediss", "redis+sentinel", "redis+cluster", "memcached"):
            raise ValueError(f"not a rate-limit storage such as memory:// or redis://host:6379/0: {uri!r}")
        return uri

    @field_validator("public_base_url")
    @classmethod
    def origin_only(cls, url: str | None) -> str | None:
        """Only an origin: a path prefix would also have to be routed, which the app does not do."""
        if not url:
            return None
        parsed = urlsplit(url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.path.strip("/") or parsed.query:
            raise ValueError(f"PUBLIC_BASE_URL must be scheme://host[:port], such as https://firmas.example.org: {url!r}")
        return f"{parsed.scheme}://{parsed.netloc}"

    @field_validator("trusted_proxies")
    @classmethod
    def addresses_or_networks(cls, value: str) -> str:
        for item in _split(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"TRUSTED_PROXIES: not an address or network: {item!r}") from exc
        return ",".join(_split(value))

    @field_validator("log_level")
    @classmethod
    def known_level(cls, level: str) -> str:
        if level.lower() not in ("debug", "info", "warning", "error", "critical"):
            raise ValueError(f"LOG_LEVEL must be debug, info, warning or error: {level!r}")
        return level.lower()

    @field_validator("log_format")
    @classmethod
    def known_format(cls, value: str) -> str:
        if value.lower() not in ("text", "json"):
            raise ValueError(f"LOG_FORMAT must be text or json: {value!r}")
        return value.lower()

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _split(self.trusted_proxies)

    @property
    def https(self) -> bool:
        """The site is served over https (so cookies are Secure whatever the request's scheme says)."""
        return bool(self.public_base_url and self.public_base_url.startswith("https://"))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file for sqlite:///path URLs (None for in-memory or other engines)."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[-1]
        return Path(path) if path and path != ":memory:" else None


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
