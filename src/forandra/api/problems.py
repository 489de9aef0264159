"""Errors as problem details (RFC 9457, `application/problem+json`).

Every refusal of the API has the same shape: `type` (a URN naming the kind of problem), `title`
(the kind, in words), `status`, `detail` (this occurrence, in words) and, for invalid input,
`errors` (field -> messages). Ninja's own errors and what services raise (Http404,
PermissionDenied, ValidationError, a plan or survey in the wrong state) are turned into one here;
the OpenAPI description documents them for every operation (see `document`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from forandra.maturity.services import SurveyRefusedError
from forandra.plans.services import PlanStateError

if TYPE_CHECKING:
    from ninja import NinjaAPI

MEDIA_TYPE = "application/problem+json"
URN = "urn:forandra:problem:"


class ProblemOut(Schema):
    """A problem detail (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = None


class ProblemError(Exception):
    """A refusal to answer with a problem detail; raise it from an endpoint."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers or {})


def _titles() -> dict[str, str]:
    return {
        "bad-request": _("The request could not be read"),
        "unauthenticated": _("Authentication required"),
        "forbidden": _("Not allowed"),
        "read-only-token": _("The token may only read"),
        "not-found": _("Not found"),
        "method-not-allowed": _("Method not allowed"),
        "conflict": _("Not possible in the current state"),
        "results-hidden": _("Too few responses to show results"),
        "survey-refused": _("The response cannot be taken"),
        "validation": _("Invalid input"),
        "throttled": _("Too many requests"),
    }


def response(problem: ProblemError) -> HttpResponse:
    """The HTTP response for a problem."""
    body: dict[str, Any] = {
        "type": URN + problem.kind,
        "title": _titles().get(problem.kind, problem.kind),
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors:
        body["errors"] = problem.errors
    result = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=problem.status, content_type=MEDIA_TYPE
    )
    for name, value in problem.headers.items():
        result[name] = value
    return result


def _field(location: Iterable[Any]) -> str:
    """A field's name from a pydantic location: ("body", "answers", "q1") -> "answers.q1";
    query and path parameters keep their own name."""
    parts = [str(part) for part in location]
    if len(parts) > 1 and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_errors(items: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Pydantic-style error items as field -> messages."""
    errors: dict[str, list[str]] = {}
    for item in items:
        errors.setdefault(_field(item.get("loc", ())), []).append(str(item.get("msg", "")))
    return errors


def invalid(errors: dict[str, list[str]]) -> ProblemError:
    return ProblemError(
        422, "validation", _("Some values are missing or invalid; see errors."), errors=errors
    )


def form_invalid(form: Form) -> ProblemError:
    """A Django form's errors as a 422 problem (non-field errors under "body")."""
    return invalid(
        {
            ("body" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in form.errors.items()
        }
    )


def from_exception(exc: Exception) -> ProblemError | None:
    """The problem an exception stands for, or None for a real failure (a server error)."""
    if isinstance(exc, ProblemError):
        return exc
    if isinstance(exc, NinjaValidationError):
        return invalid(validation_errors(exc.errors))
    if isinstance(exc, AuthenticationError):
        detail = exc.message if exc.message != "Unauthorized" else ""
        return ProblemError(
            401,
            "unauthenticated",
            detail or _("Send a personal API token as “Authorization: Bearer <token>”."),
            headers={"WWW-Authenticate": 'Bearer realm="forandra"'},
        )
    if isinstance(exc, Throttled):
        return ProblemError(429, "throttled", _("Too many requests; wait a moment and try again."))
    if isinstance(exc, HttpError):
        kinds = {400: "bad-request", 403: "forbidden", 404: "not-found", 409: "conflict"}
        return ProblemError(exc.status_code, kinds.get(exc.status_code, "bad-request"), str(exc))
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return ProblemError(404, "not-found", _("There is nothing here, or nothing you may see."))
    if isinstance(exc, PermissionDenied):
        return ProblemError(403, "forbidden", _("You may not do this here."))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {
                ("body" if field == "__all__" else field): [str(m) for m in messages]
                for field, messages in exc.message_dict.items()
            }
            return invalid(errors)
        return ProblemError(422, "validation", " ".join(str(m) for m in exc.messages))
    if isinstance(exc, SurveyRefusedError):
        return ProblemError(409, "survey-refused", str(exc))
    if isinstance(exc, PlanStateError):
        return ProblemError(409, "conflict", str(exc))
    return None


def register(api: NinjaAPI) -> None:
    """Answer every known kind of error with a problem detail; anything else is a server error
    and goes to Django's handler (logged with the request id)."""

    def handle(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        problem = from_exception(exc) if isinstance(exc, Exception) else None
        if problem is None:
            raise exc
        return response(problem)

    for kind in (
        ProblemError,
        NinjaValidationError,
        HttpError,
        Http404,
        ObjectDoesNotExist,
        PermissionDenied,
        DjangoValidationError,
        SurveyRefusedError,
        PlanStateError,
    ):
        api.add_exception_handler(kind, handle)


# --- The OpenAPI description ----------------------------------------------------------------------


def _described(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemOut"}}},
    }


COMMON = {
    "404": "Not found, or not yours to see.",
    "422": "Invalid input; `errors` names each field.",
    "429": "Too many requests; see `Retry-After`.",
}
SECURED = {
    "401": "No valid token or session: missing, unknown, expired or revoked.",
    "403": "Not allowed for this user, or a read-only token asked to write.",
}
WITH_BODY = {"400": "The body is not JSON."}


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the problem responses of every operation, as `application/problem+json`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ProblemOut"] = ProblemOut.model_json_schema()
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            extra = dict(COMMON)
            if operation.get("security"):
                extra |= SECURED
            if operation.get("requestBody"):
                extra |= WITH_BODY
            for status, description in extra.items():
                responses.setdefault(status, _described(description))
            for status, described in responses.items():
                if int(status) >= 400:
                    content: dict[str, Any] = described.get("content") or {}
                    first: dict[str, Any] = next(iter(content.values()), {})
                    schema_of = first.get("schema") or {"$ref": "#/components/schemas/ProblemOut"}
                    described["content"] = {MEDIA_TYPE: {"schema": schema_of}}
    return schema
