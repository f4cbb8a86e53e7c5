"""Error bodies of every shape become typed errors; the host table and URL resolution."""

from __future__ import annotations

import pytest

from augury.client import errors as e
from augury.client.hosts import DEMO, LOCAL, PROD, resolve


@pytest.mark.parametrize(
    ("status", "body", "kind", "code", "message", "details"),
    [
        (
            409,
            b'{"error":{"code":"order_already_exists","message":"order already exists"}}',
            e.ConflictError,
            "order_already_exists",
            "order already exists",
            None,
        ),
        (
            401,
            b'{"error":{"code":"authentication_error","details":"INCORRECT_API_KEY_SIGNATURE"}}',
            e.UnauthorizedError,
            "authentication_error",
            None,
            "INCORRECT_API_KEY_SIGNATURE",
        ),
        (
            400,
            b'{"code":"invalid_content_type","message":"bad"}',
            e.BadRequestError,
            "invalid_content_type",
            "bad",
            None,
        ),
        (
            429,
            b'{"error": "too many requests"}',
            e.RateLimitedError,
            None,
            "too many requests",
            None,
        ),
        (503, b'{"msg":"down"}', e.ServerError, None, "down", None),
        (502, b"<html>bad gateway</html>", e.ServerError, None, "<html>bad gateway</html>", None),
        (403, b"[]", e.ForbiddenError, None, None, None),
        (404, b'{"error":{"code":"not_found"}}', e.NotFoundError, "not_found", None, None),
        (422, b"{}", e.UnprocessableError, None, None, None),
        (418, b"{}", e.ApiError, None, None, None),
    ],
)
def test_error_bodies(
    status: int,
    body: bytes,
    kind: type[e.ApiError],
    code: str | None,
    message: str | None,
    details: str | None,
) -> None:
    error = e.error_from_response(status, body)
    assert type(error) is kind
    assert (error.status, error.code, error.message, error.details) == (
        status,
        code,
        message,
        details,
    )
    assert error.body == body


def test_retry_after_is_read_on_429_only_in_seconds_form() -> None:
    error = e.error_from_response(429, b"{}", "7")
    assert isinstance(error, e.RateLimitedError)
    assert error.retry_after_s == 7.0
    dated = e.error_from_response(429, b"{}", "Wed, 21 Oct 2026 07:28:00 GMT")
    assert isinstance(dated, e.RateLimitedError)
    assert dated.retry_after_s is None


def test_named_hosts_are_kalshi_and_local() -> None:
    assert resolve("prod") is PROD
    assert PROD.rest_url == "https://external-api.kalshi.com/trade-api/v2"
    assert PROD.ws_url == "wss://external-api-ws.kalshi.com/trade-api/ws/v2"
    assert resolve("DEMO") is DEMO
    assert DEMO.rest_url == "https://external-api.demo.kalshi.co/trade-api/v2"
    assert DEMO.ws_url == "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2"
    assert resolve("local") is LOCAL


@pytest.mark.parametrize(
    ("spec", "rest", "ws"),
    [
        (
            "http://127.0.0.1:9000",
            "http://127.0.0.1:9000/trade-api/v2",
            "ws://127.0.0.1:9000/trade-api/ws/v2",
        ),
        (
            "https://x.example/trade-api/v2/",
            "https://x.example/trade-api/v2",
            "wss://x.example/trade-api/ws/v2",
        ),
        ("http://h:1/base", "http://h:1/base/trade-api/v2", "ws://h:1/base/trade-api/ws/v2"),
    ],
)
def test_urls_resolve_to_rest_and_ws(spec: str, rest: str, ws: str) -> None:
    host = resolve(spec)
    assert (host.rest_url, host.ws_url) == (rest, ws)


@pytest.mark.parametrize("spec", ["ftp://x", "staging", "http://", ""])
def test_bad_hosts_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="host must be"):
        resolve(spec)
