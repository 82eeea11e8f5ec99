"""Log lines of the service: plain text for `make run`, one JSON object a line with LOG_FORMAT=json.

Every line made while a request is served carries its request id (a context variable set by
api.observe), so the request's own line and, say, the audit line of a merge it made share it.
Structured fields go in a record's `fields` (`logger.info("...", extra=logs.extra(key=value))`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from typing import Any

import orjson

from app.settings import Settings

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def extra(**fields: Any) -> dict[str, Any]:
    """`extra=` for a structured line, stamped with the current request's id when there is one."""
    current = request_id.get()
    return {"fields": {**fields, "request_id": current} if current else fields}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = dict(getattr(record, "fields", None) or {})
    current = request_id.get()
    if current and "request_id" not in fields:
        fields["request_id"] = current
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = _fields(record)
        return text + "".join(f" {key}={value}" for key, value in fields.items()) if fields else text


def config(settings: Settings) -> dict[str, Any]:
    """A logging.config.dictConfig for the app and uvicorn (given to uvicorn, which applies it in
    every worker). uvicorn's access log is off: api.observe writes one line per request instead."""
    formatter = "json" if settings.log_format == "json" else "text"
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}, "text": {"()": TextFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": formatter, "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"level": level},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"level": "WARNING", "propagate": False},
        },
    }
