"""Every model Augury serves, walked against the required fields of the reference contract.

No hand list: the walk starts from the routes the app actually serves, looks each one up
in the contract files (the assembled OpenAPI 3.28, the legacy v1 orders OpenAPI and the
SDK 3.34 digest), takes its success response model, and follows every nested model
reference. For each model reached, the wire Struct of the same name must exist and must
always encode every key the contract requires (OpenAPI ``required``; the digest's
``must_be_present_and_non_null``): a field with no default. A client whose models are
generated from any of those files then parses every object Augury returns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from starlette.routing import Mount, Route

from augury.api import schemas as S
from augury.api.app import create_app
from augury.api.routes.unserved import UNSERVED
from augury.api.settings import Settings

REFERENCE = Path("/work/shared/reference")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PREFIX = "/trade-api/v2"


def _reference(name: str) -> Path:
    # The OpenAPI files are read from the shared reference when present, else from the
    # copies in tests/fixtures (a clone tests against them on its own).
    for root in (FIXTURES, REFERENCE):
        if (root / name).exists():
            return root / name
    pytest.skip(f"{name} is not available")


def _template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def served_routes(tmp_path: Path) -> set[tuple[str, str]]:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, Mount):
                walk(list(route.routes or []), prefix + route.path)
            elif isinstance(route, Route):
                for method in route.methods or ():
                    found.add((method, _template(prefix + route.path)))

    walk(list(app.routes), "")
    # Endpoints answered 501 (augury.api.routes.unserved) serve no model.
    refused = {(method, _template(PREFIX + path)) for method, path, _ in UNSERVED}
    return found - refused


def _structs() -> dict[str, type[msgspec.Struct]]:
    out = {}
    for name in S.__all__:
        obj = getattr(S, name)
        if isinstance(obj, type) and issubclass(obj, msgspec.Struct):
            out[name] = obj
    return out


STRUCTS = _structs()


def _schema_ref(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    for key in ("allOf", "oneOf", "anyOf"):
        for part in node.get(key, []):
            found = _schema_ref(part)
            if found is not None:
                return found
    if node.get("type") == "array":
        return _schema_ref(node.get("items"))
    return None


class OpenApi:
    def __init__(self, path: Path) -> None:
        self.doc = yaml.safe_load(path.read_text())
        self.schemas: dict[str, Any] = self.doc["components"]["schemas"]

    def success_models(self, served: set[tuple[str, str]]) -> Iterator[tuple[str, str, str]]:
        for path, item in self.doc["paths"].items():
            for method, op in item.items():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                if (method.upper(), _template(PREFIX + path)) not in served:
                    continue
                for status, response in op["responses"].items():
                    if not str(status).startswith("2"):
                        continue
                    schema = response.get("content", {}).get("application/json", {}).get("schema")
                    model = _schema_ref(schema)
                    if model is not None and self.is_object(model):
                        yield f"{method.upper()} {path}", status, model

    def required(self, model: str) -> tuple[set[str], set[str]]:
        """(required keys, referenced models) of a component schema."""
        schema = self.schemas[model]
        required = set(schema.get("required", []))
        refs = set()
        for prop in schema.get("properties", {}).values():
            found = _schema_ref(prop)
            if found is not None and self.is_object(found):
                refs.add(found)
        return required, refs

    def is_object(self, model: str) -> bool:
        """A model with keys (enums, scalars, tuples and empty objects have none)."""
        schema = self.schemas.get(model, {})
        return bool(schema.get("properties") or schema.get("required"))


def _always_encoded(cls: type[msgspec.Struct]) -> set[str]:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return {f.encode_name for f in info.fields if f.required}


def _check(model: str, required: set[str], where: str, problems: list[str]) -> None:
    cls = STRUCTS.get(model)
    if cls is None:
        problems.append(f"{where}: no wire Struct named {model}")
        return
    missing = sorted(required - _always_encoded(cls))
    if missing:
        problems.append(f"{where}: {model} does not always send {missing}")


@pytest.mark.parametrize(
    "spec_file",
    ["kalshi-openapi-3.28.0-assembled.yaml", "kalshi-openapi-legacy-v1-orders-assembled.yaml"],
)
def test_served_models_carry_every_openapi_required_key(tmp_path: Path, spec_file: str) -> None:
    spec = OpenApi(_reference(spec_file))
    served = served_routes(tmp_path)
    roots = list(spec.success_models(served))
    assert len(roots) > 5, "the walk found too few served endpoints to mean anything"
    problems: list[str] = []
    seen: set[str] = set()
    queue = [(model, endpoint) for endpoint, _status, model in roots]
    while queue:
        model, via = queue.pop()
        if model in seen:
            continue
        seen.add(model)
        required, refs = spec.required(model)
        _check(model, required, via, problems)
        queue += [(ref, f"{via} > {model}") for ref in sorted(refs)]
    assert problems == []


def test_served_models_carry_every_sdk_required_key(tmp_path: Path) -> None:
    digest = json.loads((FIXTURES / "kalshi-python-sync-3.34.0-digest.json").read_text())
    served = served_routes(tmp_path)
    models = digest["models"]
    roots = []
    for endpoint in digest["endpoints"]:
        if (endpoint["method"], _template(endpoint["path"])) not in served:
            continue
        for status, model in endpoint["responses"].items():
            if status.startswith("2") and model in models:
                roots.append((model, f"{endpoint['method']} {endpoint['path']}"))
    assert len(roots) > 30
    problems: list[str] = []
    seen: set[str] = set()
    while roots:
        model, via = roots.pop()
        if model in seen:
            continue
        seen.add(model)
        fields = models[model]["fields"]
        required = {f["json_key"] for f in fields if f["must_be_present_and_non_null"]}
        _check(model, required, via, problems)
        for f in fields:
            for ref in re.findall(r"model:(\w+)", f["type"]):
                roots.append((ref, f"{via} > {model}"))
    assert problems == []
