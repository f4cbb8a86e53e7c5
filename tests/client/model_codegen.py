"""Generate the client's wire models and endpoint calls from the Kalshi SDK 3.34.0 digest.

Run ``python -m tests.client.model_codegen`` to rewrite
``src/augury/client/models/wire.py`` and ``src/augury/client/endpoints.py``;
``tests/client/test_models.py`` regenerates both in memory and fails when the committed
files differ, so the generated code never drifts from the digest or from this script.

What is generated: every endpoint of the digest that Augury serves (``SERVED``, checked
against the server's own route table by ``test_models.py``), the request and response
models they reference, and every model those reference in turn. Field rules:

- a field the SDK requires (``must_be_present_and_non_null``) is a required attribute of
  its JSON type; every other field is ``T | None = None``;
- enumerations are plain ``str`` (a value Kalshi adds later must not break a client);
- ``number`` is ``float | int`` (only multipliers and strikes, never money: money is a
  dollar string on the wire and an integer in ``augury.client.units``);
- dates are ``datetime``.
"""

from __future__ import annotations

import json
import keyword
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIGEST = ROOT / "tests" / "fixtures" / "kalshi-python-sync-3.34.0-digest.json"
WIRE = ROOT / "src" / "augury" / "client" / "models" / "wire.py"
ENDPOINTS = ROOT / "src" / "augury" / "client" / "endpoints.py"
PREFIX = "/trade-api/v2"

# Every Kalshi endpoint Augury serves (method, path under /trade-api/v2).
SERVED: tuple[tuple[str, str], ...] = (
    ("GET", "/account/limits"),
    ("GET", "/account/endpoint_costs"),
    ("GET", "/api_keys"),
    ("POST", "/api_keys"),
    ("POST", "/api_keys/generate"),
    ("DELETE", "/api_keys/{api_key}"),
    ("GET", "/events"),
    ("GET", "/events/{event_ticker}"),
    ("GET", "/events/{event_ticker}/metadata"),
    ("GET", "/events/fee_changes"),
    ("GET", "/events/multivariate"),
    ("GET", "/series/fee_changes"),
    ("GET", "/exchange/schedule"),
    ("GET", "/exchange/status"),
    ("GET", "/exchange/user_data_timestamp"),
    ("GET", "/historical/cutoff"),
    ("GET", "/historical/fills"),
    ("GET", "/historical/markets"),
    ("GET", "/historical/markets/{ticker}"),
    ("GET", "/historical/markets/{ticker}/candlesticks"),
    ("GET", "/historical/orders"),
    ("GET", "/historical/positions"),
    ("GET", "/historical/trades"),
    ("GET", "/markets"),
    ("GET", "/markets/candlesticks"),
    ("GET", "/markets/orderbooks"),
    ("GET", "/markets/trades"),
    ("GET", "/markets/{ticker}"),
    ("GET", "/markets/{ticker}/orderbook"),
    ("GET", "/portfolio/balance"),
    ("GET", "/portfolio/deposits"),
    ("GET", "/portfolio/fills"),
    ("GET", "/portfolio/positions"),
    ("GET", "/portfolio/settlements"),
    ("POST", "/portfolio/subaccounts"),
    ("GET", "/portfolio/subaccounts/balances"),
    ("GET", "/portfolio/subaccounts/netting"),
    ("PUT", "/portfolio/subaccounts/netting"),
    ("POST", "/portfolio/subaccounts/transfer"),
    ("GET", "/portfolio/subaccounts/transfers"),
    ("GET", "/portfolio/summary/total_resting_order_value"),
    ("GET", "/portfolio/withdrawals"),
    ("DELETE", "/portfolio/events/orders"),
    ("POST", "/portfolio/events/orders"),
    ("DELETE", "/portfolio/events/orders/batched"),
    ("POST", "/portfolio/events/orders/batched"),
    ("DELETE", "/portfolio/events/orders/{order_id}"),
    ("POST", "/portfolio/events/orders/{order_id}/amend"),
    ("POST", "/portfolio/events/orders/{order_id}/decrease"),
    ("GET", "/portfolio/order_groups"),
    ("POST", "/portfolio/order_groups/create"),
    ("DELETE", "/portfolio/order_groups/{order_group_id}"),
    ("GET", "/portfolio/order_groups/{order_group_id}"),
    ("PUT", "/portfolio/order_groups/{order_group_id}/limit"),
    ("PUT", "/portfolio/order_groups/{order_group_id}/reset"),
    ("PUT", "/portfolio/order_groups/{order_group_id}/trigger"),
    ("GET", "/portfolio/orders"),
    ("GET", "/portfolio/orders/queue_positions"),
    ("GET", "/portfolio/orders/{order_id}"),
    ("GET", "/portfolio/orders/{order_id}/queue_position"),
    ("GET", "/series"),
    ("GET", "/series/{series_ticker}"),
    ("GET", "/series/{series_ticker}/events/{ticker}/candlesticks"),
    ("GET", "/series/{series_ticker}/markets/{ticker}/candlesticks"),
)
# Retired v1 order models, still shipped by the SDK and served by Augury behind a flag.
LEGACY_MODELS = (
    "CreateOrderRequest",
    "CreateOrderResponse",
    "AmendOrderRequest",
    "AmendOrderResponse",
    "BatchCreateOrdersRequest",
    "BatchCreateOrdersResponse",
    "BatchCancelOrdersRequest",
    "BatchCancelOrdersResponse",
)

_SCALARS = {
    "string": "str",
    "uuid": "str",
    "integer": "int",
    "boolean": "bool",
    "date-time": "datetime",
    "number | integer": "float | int",
    "object<string,any>": "dict[str, Any]",
}


def _type(spec: str, wanted: set[str]) -> tuple[str, bool]:
    """Return (python type, nullable) for a digest type string, noting referenced models."""
    nullable = spec.endswith(" | null")
    base = spec.removesuffix(" | null")
    return _base(base, wanted), nullable


def _base(base: str, wanted: set[str]) -> str:
    if base in _SCALARS:
        return _SCALARS[base]
    if base.startswith("enum:"):
        return "str"
    if base.startswith("model:"):
        name = base.removeprefix("model:")
        wanted.add(name)
        return name
    if base.startswith("array<") and base.endswith(">"):
        return f"list[{_base(base[6:-1], wanted)}]"
    match = re.fullmatch(r"object<string,(.+)>", base)
    if match:
        return f"dict[str, {_base(match.group(1), wanted)}]"
    raise ValueError(f"unknown digest type {base!r}")


def _attr(json_key: str) -> str:
    return json_key + "_" if keyword.iskeyword(json_key) else json_key


def _model(name: str, spec: dict[str, object], wanted: set[str]) -> str:
    fields = spec["fields"]
    assert isinstance(fields, list)
    required: list[str] = []
    optional: list[str] = []
    for field in fields:
        key = field["json_key"]
        py, _nullable = _type(field["type"], wanted)
        attr = _attr(key)
        rename = f" = msgspec.field(name={key!r})" if attr != key else ""
        if field["must_be_present_and_non_null"]:
            required.append(f"    {attr}: {py}{rename}")
        else:
            default = f" = msgspec.field(default=None, name={key!r})" if attr != key else " = None"
            optional.append(f"    {attr}: {py} | None{default}")
    body = required + optional or ["    pass"]
    return f"class {name}(_Wire):\n" + "\n".join(body) + "\n"


def _endpoints(digest: dict[str, object]) -> list[dict[str, object]]:
    endpoints = digest["endpoints"]
    assert isinstance(endpoints, list)
    by_key = {(e["method"], e["path"].removeprefix(PREFIX)): e for e in endpoints}
    return [by_key[key] for key in SERVED]


def _success(endpoint: dict[str, object]) -> tuple[int, str | None]:
    responses = endpoint["responses"]
    assert isinstance(responses, dict)
    for status in ("200", "201", "204"):
        if status in responses:
            return int(status), responses[status]
    raise ValueError(endpoint["path"])


def generate_wire(digest: dict[str, object]) -> str:
    """Return the source of ``models/wire.py``."""
    models = digest["models"]
    assert isinstance(models, dict)
    wanted: set[str] = set(LEGACY_MODELS)
    for endpoint in _endpoints(digest):
        _status, response = _success(endpoint)
        if response:
            wanted.add(response)
        body = endpoint["body"]
        if isinstance(body, dict):
            wanted.add(str(body["model"]).removeprefix("model:").removesuffix(" | null"))
    done: dict[str, str] = {}
    while wanted - set(done):
        for name in sorted(wanted - set(done)):
            if name not in models:
                done[name] = ""
                continue
            done[name] = _model(name, models[name], wanted)
    names = sorted(n for n in done if done[n])
    header = '''"""Kalshi wire models (msgspec Structs), GENERATED from the SDK 3.34.0 digest.

Do not edit by hand: ``python -m tests.client.model_codegen`` rewrites this file and
``tests/client/test_models.py`` fails when it drifts. Field names are Kalshi's JSON keys.
Required fields are the ones the official SDK refuses to see missing; every other field is
optional. Unknown keys in a response are ignored, so a newer server never breaks a decode.
Dollar and count strings stay strings here; ``augury.client.units`` turns them into
integers (centi-cents, centi-contracts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

'''
    exports = "__all__ = [\n" + "".join(f'    "{n}",\n' for n in names) + "]\n\n\n"
    base = (
        "class _Wire(msgspec.Struct, kw_only=True, omit_defaults=True):\n"
        '    """Base of every wire model: keyword-only, ``None`` fields omitted when sent."""\n'
    )
    return header + exports + base + "".join("\n\n" + done[n] for n in names)


def _query_param(param: dict[str, object], wanted: set[str]) -> tuple[str, str, str]:
    name = str(param["name"])
    py, _nullable = _type(str(param["type"]), wanted)
    if py.startswith("list["):
        py = "Sequence[str]"
    multi = "multi" in str(param.get("collection_format", ""))
    return name, py, "multi" if multi else "one"


def _function(endpoint: dict[str, object]) -> str:
    wanted: set[str] = set()
    method = str(endpoint["method"])
    path = str(endpoint["path"]).removeprefix(PREFIX)
    status, response = _success(endpoint)
    path_params = [str(p["name"]) for p in endpoint["path_params"]]  # type: ignore[attr-defined]
    args = [f"{p}: str" for p in path_params]
    body = endpoint["body"]
    if isinstance(body, dict):
        model = str(body["model"]).removeprefix("model:").removesuffix(" | null")
        model_py = f"wire.{model}" if model[:1].isupper() else "dict[str, Any]"
        if body.get("required"):
            args.append(f"body: {model_py}")
        else:
            args.append(f"body: {model_py} | None = None")
    query = [_query_param(q, wanted) for q in endpoint["query"]]  # type: ignore[attr-defined]
    params: list[dict[str, object]] = endpoint["query"]  # type: ignore[assignment]
    required_q = [q for q, p in zip(query, params, strict=True) if p["required"]]
    optional_q = [q for q in query if q not in required_q]
    kw = [f"{n}: {t}" for n, t, _ in required_q]
    kw += [f"{n}: {t} | None = None" for n, t, _ in optional_q]
    if kw:
        args.append("*")
        args += kw
    result = "None" if response is None or response == "object" else f"wire.{response}"
    decode = "None" if result == "None" else result
    lines = [f"def {endpoint['sdk_function']}({', '.join(args)}) -> Call[{result}]:"]
    lines.append(f'    """{endpoint["summary"]}: ``{method} {path}``."""')
    query_items = ", ".join(f'("{n}", {n}, "{how}")' for n, _t, how in query)
    path_map = "{" + ", ".join(f'"{p}": {p}' for p in path_params) + "}"
    body_arg = "body" if isinstance(body, dict) else "None"
    lines.append(
        f'    return make_call("{method}", "{path}", {decode}, {status}, path={path_map}, '
        f"query=({query_items}{',' if len(query) == 1 else ''}), body={body_arg}, "
        f"signed={endpoint['signed']})"
    )
    return "\n".join(lines) + "\n"


def generate_endpoints(digest: dict[str, object]) -> str:
    """Return the source of ``endpoints.py``."""
    functions = [_function(e) for e in _endpoints(digest)]
    names = sorted(str(e["sdk_function"]) for e in _endpoints(digest))
    header = '''"""One function per Kalshi endpoint Augury serves, GENERATED from the SDK digest.

Do not edit by hand (``python -m tests.client.model_codegen``). Each function takes the
endpoint's path parameters, body and query parameters (names as in the official SDK) and
returns a :class:`~augury.client.call.Call` describing the request and the model its
success response decodes into; ``Client.send`` / ``AsyncClient.send`` execute it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from augury.client.call import Call, make_call
from augury.client.models import wire

'''
    exports = "__all__ = [\n" + "".join(f'    "{n}",\n' for n in names) + "]\n"
    return header + exports + "".join("\n\n" + f for f in functions)


def formatted(source: str, name: str) -> str:
    """Return ``source`` as ``ruff format`` lays it out (so the files pass ``make check``)."""
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "format", "--stdin-filename", name, "-"],
        input=source.encode(),
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout.decode()


def generated() -> dict[Path, str]:
    """Return the generated files' paths and formatted contents."""
    digest = json.loads(DIGEST.read_text())
    return {
        WIRE: formatted(generate_wire(digest), str(WIRE)),
        ENDPOINTS: formatted(generate_endpoints(digest), str(ENDPOINTS)),
    }


def main() -> None:
    for path, text in generated().items():
        path.write_text(text)


if __name__ == "__main__":
    main()
