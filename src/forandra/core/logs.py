"""Logs: one line per request with a request id, and the formats the LOGGING setting uses.

`RequestLogMiddleware` (first in MIDDLEWARE) gives every request an id: the proxy's
`X-Request-ID` when it is a sane token, a new one otherwise. The id is echoed in the response's
`X-Request-ID` header, shown on the error page, and added to every log record written while the
request runs (`RequestIdFilter`), so a user's report of an error can be found in the logs.

What is logged of a request: method, path, status, duration and the user's id. Never the query
string (it may carry tokens), form data, names or e-mail addresses; path segments that are
secrets (a survey link key, a reset token) are replaced by `[redacted]`.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's request id may look like: nginx's $request_id is 32 hex digits; anything with
# spaces, quotes or control characters (log injection) or longer than 64 is replaced.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# URL arguments whose values are secrets: logged as `[redacted]`.
SECRET_ARGUMENT = re.compile(r"token|key|secret|uidb64|password", re.IGNORECASE)
REDACTED = "[redacted]"

request_id_var: ContextVar[str | None] = ContextVar("forandra_request_id", default=None)
request_logger = logging.getLogger("forandra.requests")


def current_request_id() -> str | None:
    """The id of the request being handled in this thread, if any."""
    return request_id_var.get()


def request_id_from(value: str | None) -> str:
    """The proxy's id when it is a sane token, else a new random one."""
    if value and SANE_REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def loggable_path(request: HttpRequest) -> str:
    """The path without query string, with secret URL arguments replaced."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is None:
        return path
    for name, value in match.kwargs.items():
        if SECRET_ARGUMENT.search(name) and str(value):
            for written in {str(value), quote(str(value))}:
                path = path.replace(f"/{written}/", f"/{REDACTED}/")
                if path.endswith(f"/{written}"):
                    path = path[: -len(written)] + REDACTED
    return path


def user_id_of(request: HttpRequest) -> int | None:
    """The signed-in user's id; looked up only if the request has a session to look in."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    # If nothing has asked who the user is (a health probe, a static file) and there is no
    # session cookie, there is nobody, and no database query is made to learn it.
    if (
        isinstance(user, SimpleLazyObject)
        and getattr(user, "_wrapped", None) is empty
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    ):
        return None
    if not user.is_authenticated:
        return None
    pk = user.pk
    return pk if isinstance(pk, int) else None


class RequestLogMiddleware:
    """One log line per request; the request id in a header, on the request and in the logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000)
            response[REQUEST_ID_HEADER] = request_id
            self.log(request, response, duration_ms)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def log(request: HttpRequest, response: HttpResponseBase, duration_ms: int) -> None:
        status = response.status_code
        level = logging.WARNING if status >= 500 else logging.INFO
        if not request_logger.isEnabledFor(level):
            return
        path = loggable_path(request)
        user_id = user_id_of(request)
        request_logger.log(
            level,
            "%s %s %s %sms user=%s",
            request.method,
            path,
            status,
            duration_ms,
            user_id if user_id is not None else "-",
            extra={
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )


class RequestIdFilter(logging.Filter):
    """Adds the current request's id (or None) to every record a handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """`time level logger message request_id=...`, one line (a traceback follows an error)."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record)} {record.levelname} {record.name} {record.getMessage()}"
        request_id = getattr(record, "request_id", None)
        if request_id:
            line += f" request_id={request_id}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        elif record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line (`LOG_FORMAT=json`), for a log collector.

    Only known fields are written: Django passes the request object along with its error
    records, and its text includes the query string.
    """

    FIELDS = ("method", "path", "status", "duration_ms", "user_id", "status_code")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, str | int | float | bool):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def axes_client_str(
    username: str | None,
    ip_address: str | None,
    user_agent: str | None,
    path_info: str | tuple[str, ...] | None,
    request: HttpRequest | None,
) -> str:
    """How django-axes names a client in its log lines (AXES_CLIENT_STR_CALLABLE): by the path
    only. The user name and address of failed logins stay in its access attempts (admin)."""
    if isinstance(path_info, tuple | list):
        path_info = path_info[0] if path_info else None
    return f'{{path_info: "{path_info or ""}"}}'
