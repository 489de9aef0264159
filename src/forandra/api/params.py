"""What endpoints take: path parameters with their shapes, pagination, and a JSON body read
only after the permission check (see `body`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar, overload

import pydantic
from django.db.models import Model as DjangoModel
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from ninja.pagination import LimitOffsetPagination

from .problems import ProblemError, invalid, validation_errors

# The largest page a list returns, and how far into a list one may start.
PAGE_SIZE = 50
PAGE_MAX = 200
OFFSET_MAX = 1_000_000

# Identifiers in paths are bounded and shaped, so nothing odd reaches the database (a number
# beyond 64 bits, or a NUL character that PostgreSQL refuses).
ID_MAX = 2**53
MunicipalityCode = Annotated[str, Path(pattern=r"^[0-9]{4}$", examples=["2404"])]
RegionCode = Annotated[str, Path(pattern=r"^[0-9]{2}$", examples=["24"])]
Id = Annotated[int, Path(ge=1, le=ID_MAX)]
Number = Annotated[int, Path(ge=1, le=100_000)]
LinkKey = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{20,64}$")]

# Text in a request body: no NUL characters (PostgreSQL cannot store them).
NO_NUL = r"^[^\x00]*$"


def text(max_length: int, min_length: int = 0) -> Any:
    """A body field of free text, at most `max_length` characters."""
    return Field(..., min_length=min_length, max_length=max_length, pattern=NO_NUL)


class Pages(LimitOffsetPagination):
    """`limit` (1–200, default 50) and `offset`; the answer has `items` and `count`."""

    class Input(Schema):
        limit: int = Field(PAGE_SIZE, ge=1, le=PAGE_MAX)
        offset: int = Field(0, ge=0, le=OFFSET_MAX)


Row = TypeVar("Row", bound=DjangoModel)
Out = TypeVar("Out")


class Mapped(Sequence[Out], Generic[Row, Out]):
    """A queryset seen through a conversion, for `paginate`: counted in the database, and only
    the rows of the page asked for are read and converted."""

    def __init__(self, rows: QuerySet[Row], convert: Callable[[Row], Out]) -> None:
        self.rows = rows
        self.convert = convert

    def __len__(self) -> int:
        return self.rows.count()

    @overload
    def __getitem__(self, index: int) -> Out: ...

    @overload
    def __getitem__(self, index: slice) -> list[Out]: ...

    def __getitem__(self, index: int | slice) -> Out | list[Out]:
        if isinstance(index, slice):
            return [self.convert(row) for row in self.rows[index]]
        return self.convert(self.rows[index])


Model = TypeVar("Model", bound=pydantic.BaseModel)


def body(request: HttpRequest, model: type[Model]) -> Model:
    """The request's JSON body as `model`; 400 when it is not JSON, 422 when it does not fit.

    Endpoints that write read their body through this after checking permissions, so a caller
    who may not write learns nothing about the expected input; `with_body(model)` documents it.
    """
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise ProblemError(400, "bad-request", _("Send the body as JSON (application/json)."))
    try:
        return model.model_validate_json(request.body or b"")
    except pydantic.ValidationError as error:
        items = error.errors(include_url=False)
        if any(item.get("type") == "json_invalid" for item in items):
            raise ProblemError(400, "bad-request", _("The body is not valid JSON.")) from None
        raise invalid(validation_errors(items)) from None


def with_body(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """`openapi_extra` documenting a JSON body of `model` (flat: no nested models)."""
    schema = model.model_json_schema()
    assert "$defs" not in schema, f"{model.__name__} must be flat"
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    }
