"""The server error page (handler500): it shows the request id a user can quote."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import get_token
from django.template import loader

from .logs import current_request_id


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without context processors: they read the database, which may be what failed."""
    request_id = getattr(request, "request_id", None) or current_request_id() or ""
    try:
        template = loader.get_template("500.html")
        body = template.render(
            {"request": request, "request_id": request_id, "csrf_token": get_token(request)}
        )
    except Exception:
        # The error page itself failed (a template error, a missing static manifest): plain text.
        return HttpResponseServerError(
            f"500 {request_id}\n".encode(), content_type="text/plain; charset=utf-8"
        )
    return HttpResponseServerError(body)
