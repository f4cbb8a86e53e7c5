"""``/api/openapi.json``: the platform's OpenAPI 3.1 document, generated from the code.

Paths, methods, parameters, auth levels and statuses come from the ``Endpoint``
declarations the dispatcher serves; request and response schemas come from the same
msgspec Structs that decode and encode the bodies (``msgspec.json.schema_components``).
Nothing is written by hand, so the document cannot drift from the server.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from augury.platform.routing import Endpoint

__all__ = ["document"]

_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted: waiting for the operator",
    400: "Invalid request",
    401: "Not signed in, or a bad token",
    402: "Insufficient funds",
    403: "Forbidden: missing scope or CSRF token, suspended account, or a disabled feature",
    404: "Not found (or not yours)",
    405: "Method not allowed",
    409: "Conflict with the current state (e.g. market not open, order already cancelled)",
    413: "Request body too large",
    429: "Too many requests (see Retry-After)",
}
_SECURITY = {
    "public": [{}, {"bearer": []}, {"session": []}],
    "read": [{"bearer": ["read"]}, {"session": []}],
    "write": [{"bearer": ["write"]}, {"session": []}],
    "session": [{"session": []}],
}


def _operation_id(endpoint: Endpoint) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", endpoint.path.lower().removeprefix("/api/")).strip("_")
    return f"{endpoint.method.lower()}_{words}"


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"error": {"type": "string"}},
        "required": ["error"],
    }


def document(endpoints: list[Endpoint]) -> dict[str, Any]:
    """Return the OpenAPI document for ``endpoints``."""
    structs: list[Any] = []
    for endpoint in endpoints:
        for shape in (endpoint.body, endpoint.response):
            if shape is not None and shape not in structs:
                structs.append(shape)
    refs, components = msgspec.json.schema_components(
        structs, ref_template="#/components/schemas/{name}"
    )
    ref_of = dict(zip(structs, refs, strict=True))
    components["Error"] = _error_schema()
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint, ref_of)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Augury platform API",
            "version": "1",
            "description": (
                "Accounts, trading, portfolio and account endpoints for people who trade "
                'through a website. Errors are {"error": "..."}. Auth: '
                "'Authorization: Bearer pred_...' or the session cookie (state changes "
                "with the cookie need the X-CSRF-Token header). 60 requests per minute "
                "per token, session or anonymous address."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "pred_<40>"},
                "session": {"type": "apiKey", "in": "cookie", "name": "augury_session"},
            },
        },
    }


def _operation(endpoint: Endpoint, ref_of: dict[Any, Any]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", endpoint.path)
    ]
    parameters += [
        {
            "name": q.name,
            "in": "query",
            "required": False,
            "description": q.description,
            "schema": q.schema,
        }
        for q in endpoint.query
    ]
    operation: dict[str, Any] = {
        "operationId": _operation_id(endpoint),
        "summary": endpoint.summary,
        "tags": [endpoint.path.removeprefix("/api/").split("/")[0]],
        "security": _SECURITY[endpoint.auth],
        "parameters": parameters,
        "responses": {},
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref_of[endpoint.body]}},
        }
    elif endpoint.multipart:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
        }
    for status in endpoint.statuses or (200,):
        response: dict[str, Any] = {"description": _REASONS.get(status, "")}
        if status < 300:
            if endpoint.response is not None:
                response["content"] = {"application/json": {"schema": ref_of[endpoint.response]}}
            elif endpoint.media_type != "application/json":
                response["content"] = {endpoint.media_type: {"schema": {"type": "string"}}}
        else:
            response["content"] = {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
            }
        operation["responses"][str(status)] = response
    return operation
