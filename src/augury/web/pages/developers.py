"""The developer reference, rendered from data the server itself serves or checks against.

- ``/developers/api``: the platform API, from the OpenAPI document that ``/api/openapi.json``
  serves (generated from the endpoint declarations and their msgspec Structs); request
  and response fields are read from its component schemas.
- ``/developers/kalshi``: the Kalshi Trade API v2, from the vendored machine-readable
  digest of the official SDK 3.34.0 (``web/reference``: the same file the wire-schema
  tests check the API against; ``tests/web/test_developers.py`` checks the copies are
  identical), each operation marked by whether this server routes it (matched against the
  app's own route table).

Examples are generated from the same data: a ``curl`` line for platform endpoints and the
SDK call (its function name) for Kalshi endpoints, with this server's address.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, compile_path

from augury.platform.app import ENDPOINTS
from augury.platform.openapi import document
from augury.web.pages.common import render

__all__ = ["kalshi_digest", "routes"]

DIGEST = Path(__file__).resolve().parents[1] / "reference" / "kalshi-python-sync-3.34.0-digest.json"


@functools.cache
def kalshi_digest() -> dict[str, Any]:
    """The vendored digest of the official Kalshi SDK (endpoints, models, enums)."""
    data: dict[str, Any] = json.loads(DIGEST.read_text(encoding="utf-8"))
    return data


@functools.cache
def platform_document() -> dict[str, Any]:
    return document(ENDPOINTS)


def _schema_fields(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, str]]:
    ref = schema.get("$ref", "")
    if ref:
        schema = components.get(ref.rsplit("/", 1)[-1], {})
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        fields.append(
            {"name": name, "type": _type_of(prop), "required": "yes" if name in required else ""}
        )
    return fields


def _type_of(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " | ".join(_type_of(p) for p in prop["anyOf"])
    if "enum" in prop:
        return " | ".join(json.dumps(v) for v in prop["enum"])
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list[{_type_of(prop.get('items', {}))}]"
    limits = [f"{k} {prop[k]}" for k in ("minimum", "maximum", "maxLength") if k in prop]
    return str(kind) + (f" ({', '.join(limits)})" if limits else "")


def _platform_operations(base: str) -> list[dict[str, Any]]:
    doc = platform_document()
    components = doc.get("components", {}).get("schemas", {})
    out = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            body: dict[str, Any] = op.get("requestBody", {}).get("content", {})
            first_body: dict[str, Any] = next(iter(body.values()), {})
            body_schema: dict[str, Any] = first_body.get("schema", {})
            ok: dict[str, Any] = next(
                (op["responses"][c] for c in ("200", "201") if c in op["responses"]), {}
            )
            ok_content: dict[str, Any] = ok.get("content", {})
            first_ok: dict[str, Any] = next(iter(ok_content.values()), {})
            ok_schema: dict[str, Any] = first_ok.get("schema", {})
            auth = "public" if {} in op.get("security", []) else "signed in"
            example = f"curl -s {base}{path}"
            if method != "get":
                example = (
                    f"curl -s -X {method.upper()} {base}{path} \\\n"
                    '  -H "Authorization: Bearer pred_..." -H "Content-Type: application/json"'
                    + (" \\\n  -d '{...}'" if body_schema else "")
                )
            elif auth != "public":
                example += ' \\\n  -H "Authorization: Bearer pred_..."'
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "auth": auth,
                    "params": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "about": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _schema_fields(body_schema, components) if body_schema else [],
                    "body_name": body_schema.get("$ref", "").rsplit("/", 1)[-1],
                    "reply": _schema_fields(ok_schema, components) if ok_schema else [],
                    "reply_name": ok_schema.get("$ref", "").rsplit("/", 1)[-1],
                    "statuses": sorted(op["responses"]),
                    "example": example,
                    "anchor": op.get("operationId", ""),
                }
            )
    return out


def _routed(app_routes: list[BaseRoute]) -> list[tuple[re.Pattern[str], set[str]]]:
    found: list[tuple[re.Pattern[str], set[str]]] = []
    for route in app_routes:
        if isinstance(route, Mount) and route.path == "/trade-api/v2":
            for inner in route.routes:
                if isinstance(inner, Route):
                    found.append((compile_path(route.path + inner.path)[0], inner.methods or set()))
        elif isinstance(route, Route) and route.path.startswith("/trade-api/v2"):
            found.append((compile_path(route.path)[0], route.methods or set()))
    return found


def _kalshi_operations(request: Request) -> list[dict[str, Any]]:
    digest = kalshi_digest()
    models = digest["models"]
    routed = _routed(list(request.app.routes))
    out = []
    for endpoint in digest["endpoints"]:
        concrete = re.sub(r"\{[^}]+\}", "X1", endpoint["path"])
        served = any(
            regex.match(concrete) and endpoint["method"] in methods for regex, methods in routed
        )
        body = endpoint.get("body") or {}
        body_model = str(body.get("model", "")).removeprefix("model:")
        reply_model = next(
            (str(v) for k, v in endpoint["responses"].items() if k.startswith("2") and v), ""
        )
        out.append(
            {
                **endpoint,
                "served": served,
                "group": endpoint["path"].removeprefix("/trade-api/v2/").split("/")[0],
                "body_model": body_model,
                "body_fields": models.get(body_model, {}).get("fields", []),
                "reply_model": reply_model,
                "reply_fields": models.get(reply_model, {}).get("fields", []),
            }
        )
    return out


async def developers_page(request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    kalshi = _kalshi_operations(request)
    return await render(
        request,
        "pages/developers.html",
        {
            "base": base,
            "platform_count": len(_platform_operations(base)),
            "kalshi_count": len(kalshi),
            "kalshi_served": sum(1 for op in kalshi if op["served"]),
        },
    )


async def platform_reference(request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    return await render(
        request,
        "pages/developers_api.html",
        {
            "base": base,
            "operations": _platform_operations(base),
            "info": platform_document()["info"],
        },
    )


async def kalshi_reference(request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    operations = _kalshi_operations(request)
    groups: dict[str, list[dict[str, Any]]] = {}
    for op in operations:
        groups.setdefault(op["group"], []).append(op)
    return await render(
        request,
        "pages/developers_kalshi.html",
        {"base": base, "groups": groups, "about": kalshi_digest().get("_about", "")},
    )


routes = [
    Route("/developers", developers_page, methods=["GET"]),
    Route("/developers/api", platform_reference, methods=["GET"]),
    Route("/developers/kalshi", kalshi_reference, methods=["GET"]),
]
