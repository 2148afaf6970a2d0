"""The OpenAPI 3.1 document, built from the real URL map so it cannot list routes that do not
exist or miss ones that do.

Each API view carries an `Operation` (set by `@documented`) with its summary, query parameters,
request body and response schema names; paths, path parameters, methods and the roles allowed
come from Flask's URL map and the view's access rule. A test checks that every /api/v1 route is
documented, that the document is valid OpenAPI, and that real answers match their schemas.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from flask import Flask

from dashboard.access import access_of

View = TypeVar("View", bound=Callable[..., Any])
ATTRIBUTE = "dialer_openapi"
PREFIX = "/api/v1"


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict[str, Any] = dataclasses.field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Operation:
    summary: str
    query: tuple[Param, ...] = ()
    body: str | None = None
    response: str | None = None
    status: int = 200
    description: str = ""
    # Answers beyond the usual 400/401/403/404 (and 409 for writes with a body): status, meaning.
    errors: tuple[tuple[int, str], ...] = ()
    # The success answer's media type; a stream (text/event-stream) has no JSON schema.
    media_type: str = "application/json"
    # The request body's: multipart/form-data for uploads.
    body_media_type: str = "application/json"


def documented(
    summary: str,
    *,
    query: Sequence[Param] = (),
    body: str | None = None,
    response: str | None = None,
    status: int = 200,
    description: str = "",
    errors: Mapping[int, str] | None = None,
    media_type: str = "application/json",
    body_media_type: str = "application/json",
) -> Callable[[View], View]:
    operation = Operation(
        summary,
        tuple(query),
        body,
        response,
        status,
        description,
        tuple(sorted((errors or {}).items())),
        media_type,
        body_media_type,
    )

    def decorate(view: View) -> View:
        setattr(view, ATTRIBUTE, operation)
        return view

    return decorate


PAGING = (
    Param("limit", "Rows per page, 1-500 (50).", {"type": "integer", "minimum": 1, "maximum": 500}),
    Param("offset", "Rows to skip; take next_offset from the previous page.", {"type": "integer"}),
)


def sort_param(keys: Sequence[str]) -> Param:
    return Param(
        "sort",
        "Sort key; a leading '-' sorts descending.",
        {"type": "string", "enum": [*keys, *(f"-{k}" for k in keys)]},
    )


def schema_of(cls: type) -> dict[str, Any]:
    """JSON Schema of a dataclass's fields, from its type hints."""
    hints = typing.get_type_hints(cls)
    return {
        "type": "object",
        "properties": {f.name: _type_schema(hints[f.name]) for f in dataclasses.fields(cls)},
        "required": [f.name for f in dataclasses.fields(cls)],
    }


def _type_schema(hint: Any) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [_type_schema(arg) for arg in args if arg is not type(None)]
        return {"anyOf": [*inner, {"type": "null"}]} if type(None) in args else {"anyOf": inner}
    if origin in (list, tuple):
        return {"type": "array", "items": _type_schema(args[0]) if args else {}}
    if origin is dict or hint is dict:
        return {"type": "object"}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return {"type": "string", "enum": [m.value for m in hint]}
    simple = {bool: "boolean", int: "integer", float: "number", str: "string"}
    if hint in simple:
        return {"type": simple[hint]}
    if hint is datetime:
        return {"type": "string", "format": "date-time"}
    return {}


def page_schema(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "next_offset": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        },
        "required": ["items", "next_offset"],
    }


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
        kind = {"int": "integer"}.get(converter, "string")
        params.append({"name": name, "in": "path", "required": True, "schema": {"type": kind}})
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), params


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def build_document(app: Flask, schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        operation: Operation | None = getattr(view, ATTRIBUTE, None)
        if operation is None:
            raise LookupError(f"API route {rule.rule} ({rule.endpoint}) is not @documented")
        path, path_params = _path(rule.rule[len(PREFIX) :])
        access = access_of(view)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                rule.endpoint, operation, path_params, access.roles if access else None
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Predictive dialer API",
            "version": "1",
            "description": "Campaigns, trunks, DNC, agents, dispositions, contacts, attempts and "
            "agent state. Authenticate with `Authorization: Bearer TOKEN` (issued by `dialer "
            "user token` or on the Users page), or with a dashboard session plus an "
            "`X-CSRFToken` header on writes. Errors are JSON with `error`, `message` and, for "
            "validation, `problems`.",
        },
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "dialer_session"},
            },
            "schemas": schemas,
        },
    }


def _operation(
    endpoint: str, op: Operation, path_params: list[dict[str, Any]], roles: Any
) -> dict[str, Any]:
    who = "anyone" if roles is None else ", ".join(sorted(str(r) for r in roles))
    result: dict[str, Any] = {
        "operationId": endpoint.replace(".", "_"),
        "summary": op.summary,
        "description": (op.description + "\n\n" if op.description else "") + f"Roles: {who}.",
        "parameters": path_params
        + [
            {"name": p.name, "in": "query", "description": p.description, "schema": p.schema}
            for p in op.query
        ],
        "responses": {
            str(op.status): {
                "description": "OK" if op.status < 300 else "Done",
                **(
                    {"content": {op.media_type: {"schema": _ref(op.response)}}}
                    if op.response
                    else {}
                ),
            },
            "400": _error("Invalid input (problems lists each) or missing CSRF token"),
            "401": _error("Not signed in and no valid bearer token"),
            "403": _error("The user's role may not do this"),
            "404": _error("No such thing"),
        },
        "tags": [endpoint.split(".", maxsplit=1)[0].removeprefix("api_")],
    }
    if roles is None:
        result["security"] = []
    if op.body:
        result["requestBody"] = {
            "required": True,
            "content": {op.body_media_type: {"schema": _ref(op.body)}},
        }
        result["responses"]["409"] = _error("Conflicts with what is stored (e.g. a duplicate)")
    for status, meaning in op.errors:
        result["responses"][str(status)] = _error(meaning)
    return result
