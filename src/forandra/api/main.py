"""The REST API: one NinjaAPI at /api/, its OpenAPI description at /api/openapi.json and the
interactive documentation (Swagger UI, served from our own static files) at /api/docs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from . import problems
from .auth import AUTH, THROTTLES
from .routes import ideas, maturity, municipalities, plans, scanning

DESCRIPTION = """\
Förändra's data for the municipality's own systems: maturity rounds and scores, waves and
signals, ideas, plans, decisions and check-ins, with the same permissions as the pages.

Send a personal API token (made on your profile page, under API tokens) as
`Authorization: Bearer <token>`. Lists take `limit` (1–200, default 50) and `offset` and answer
`{"items": [...], "count": n}`. Errors are problem details (`application/problem+json`).
"""


class ForandraApi(NinjaAPI):
    """NinjaAPI with short operation ids and problem responses in its description."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problems.document(schema)
        return schema


api = ForandraApi(
    title="Förändra API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # Without deep links an operation's summary holds no link inside its button (nested
    # controls confuse screen readers).
    docs=Swagger(settings={"deepLinking": False}),
    auth=AUTH,
    throttle=THROTTLES,
)
problems.register(api)
api.add_router("", municipalities.router)
api.add_router("", maturity.router)
api.add_router("", scanning.router)
api.add_router("", ideas.router)
api.add_router("", plans.router)

__all__ = ["_", "api"]
