"""The in-process exchange every API test shares: the real app, no socket, an injected clock.

``running_exchange(data, ...)`` builds ``create_app`` on a data directory, runs its
lifespan (recovery, sequencer, history feed, ticks) on an event loop in an anyio portal
thread, and yields an ``InProcessExchange`` whose calls go through
``httpx.ASGITransport``: the same routing, middleware, authentication and wire encoding
as a server, in the test's own process, with no port and no process start.

The clock is injected (``FakeClock`` by default), so a test moves time with
``exchange.clock.advance(...)`` and every time-dependent answer (auth window, buckets,
candles, expiries, the historical cutoff) is exact. Requests are signed with the app's
own clock. Tests that drive the official SDK pass ``clock=SystemClock()``: the SDK signs
with the wall clock, which the app's auth window must accept.

``sdk(key)`` returns an official ``KalshiClient`` whose urllib3 pool manager is replaced
by the portal: the SDK builds, signs and encodes every request itself, only the socket is
gone. Tests that need a real process (``kill -9``, TLS, real sockets, the CLI) use
``tests.e2e.server_harness.Server`` instead and carry ``@pytest.mark.process``.

A restart is leaving the ``with`` block and entering a new one on the same directory.

Callers that act like a browser or a bearer-token API client (the platform and web tests)
take a ``Browser`` from ``exchange.browser()``: its own peer address and ASGI client on
the same app, its session cookie, CSRF token or token sent as a browser would send them.
``tests.platform.world.serve`` is this harness with the platform tests' catalogue.

Start-up and teardown are bounded. ``start`` waits ``STARTUP_TIMEOUT_S`` for the lifespan
to reach serving, then cancels it and raises ``StartupHung``; ``stop`` waits
``TEARDOWN_TIMEOUT_S`` for the lifespan to finish (clients closed, sequencer drained, store
closed), then cancels it and raises ``ShutdownHung``. A hung start or shutdown fails its
test with a message instead of hanging the suite. The event loop runs on a daemon thread,
which is left behind only when even the cancellation cannot get through (a loop blocked in
synchronous code).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

import anyio
import httpx
import urllib3
from anyio.abc import TaskStatus
from anyio.from_thread import BlockingPortal
from starlette.applications import Starlette
from starlette.types import Message
from urllib3 import BaseHTTPResponse

from augury.api.app import OPERATOR_KEY_FILE, OPERATOR_KEY_ID_FILE, create_app
from augury.api.auth import signing_headers
from augury.api.settings import Settings
from augury.client.signing import UniqueStamps
from augury.runtime.clock import Clock, FakeClock

if TYPE_CHECKING:
    from kalshi_python_sync import KalshiClient

__all__ = [
    "BASE_URL",
    "STARTUP_TIMEOUT_S",
    "TEARDOWN_TIMEOUT_S",
    "V2",
    "WS_PATH",
    "Browser",
    "Credentials",
    "InProcessExchange",
    "InProcessWebSocket",
    "Key",
    "ShutdownHung",
    "StartupHung",
    "WebSocketClosed",
    "WebSocketDenied",
    "running_exchange",
]

BASE_URL = "http://augury.test"
V2 = "/trade-api/v2"
WS_PATH = "/trade-api/ws/v2"
# How long a receive waits for a message that must come (a deadline, not a pause).
RECEIVE_TIMEOUT_S = 15.0
# How long a stop waits for the lifespan to finish (a deadline: a healthy one takes well
# under a second), and then for the cancelled loop to end.
TEARDOWN_TIMEOUT_S = 30.0
# How long a start waits for the lifespan to reach serving (a deadline: recovery of the
# largest store a test builds takes a few seconds).
STARTUP_TIMEOUT_S = 120.0
CANCEL_GRACE_S = 5.0
T = TypeVar("T")


class ShutdownHung(Exception):
    """The app's lifespan did not finish within the teardown deadline."""


class StartupHung(Exception):
    """The app's lifespan did not reach serving within the start-up deadline."""


class Key(NamedTuple):
    """An API key: its id and its private key in PEM."""

    key_id: str
    pem: str


class Credentials(Protocol):
    """Anything that carries an API key id and its private key (a ``Key``, a test user)."""

    @property
    def key_id(self) -> str: ...

    @property
    def pem(self) -> str: ...


class InProcessExchange:
    """Synchronous, signed calls on an app running in a portal thread.

    ``start``/``stop`` run and end the app's lifespan; ``restart`` is both, on the same
    data directory and clock (SDK clients made before it keep working, as a real client's
    reconnect would). Plain calls come from ``peer`` to ``base_url`` (httpx's own
    defaults, 127.0.0.1 to ``BASE_URL``, unless given).
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        base_url: str = BASE_URL,
        peer: tuple[str, int] | None = None,
        teardown_timeout_s: float = TEARDOWN_TIMEOUT_S,
        startup_timeout_s: float = STARTUP_TIMEOUT_S,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.base_url = base_url
        self._peer = peer
        self._teardown_timeout_s = teardown_timeout_s
        self._startup_timeout_s = startup_timeout_s
        self._stamps: dict[str, UniqueStamps] = {}  # key id -> its write and handshake stamps
        self._running: _Running | None = None
        self._client: httpx.AsyncClient | None = None  # plain calls: from peer, unsigned or signed
        self._browsers = 0
        self.operator = Key("", "")

    def start(self) -> None:
        """Build the app and run its lifespan up to serving (recovery included).

        Raises ``StartupHung`` when that takes longer than the start-up deadline.
        """
        assert self._running is None, "already running"
        portal, thread = _start_loop()
        begun: Future[tuple[Starlette, anyio.Event, Future[None]]] = Future()

        def begin() -> None:
            try:
                app = create_app(self.settings, self.clock)
                stop = portal.call(anyio.Event)
                lifespan, _ = portal.start_task(_lifespan, app, stop)
            except BaseException as exc:
                begun.set_exception(exc)
            else:
                begun.set_result((app, stop, lifespan))

        # On its own thread, as ``stop`` does: a start-up that never reports ready (a
        # recovery or store open that blocks) would otherwise block the test forever.
        threading.Thread(target=begin, name="inprocess-start", daemon=True).start()
        try:
            app, stop, lifespan = begun.result(timeout=self._startup_timeout_s)
        except BaseException as exc:
            hung = isinstance(exc, TimeoutError) and not begun.done()
            ended = _end_loop(portal, thread, cancel=True, grace_s=CANCEL_GRACE_S)
            if not hung:
                raise
            left = "" if ended else "; the loop is blocked and its thread is left behind"
            raise StartupHung(
                f"the in-process exchange on {self.settings.data_dir} did not start within "
                f"{self._startup_timeout_s:g} s (app build, recovery, sequencer start){left}"
            ) from None
        self._running = _Running(portal, thread, app, stop, lifespan, [])
        self._client = self.client_for(self._peer)
        data = self.settings.data_dir
        self.operator = Key(
            (data / OPERATOR_KEY_ID_FILE).read_text().strip(),
            (data / OPERATOR_KEY_FILE).read_text(),
        )

    def stop(self) -> None:
        """End the lifespan: the sequencer drains and the store closes, as on SIGINT.

        Raises ``ShutdownHung`` when that takes longer than the teardown deadline.
        """
        running, self._running, self._client = self._running, None, None
        if running is None:
            return

        async def close_clients() -> None:
            try:
                for client in running.clients:
                    await client.aclose()
            finally:
                running.stop.set()

        def shut_down() -> None:
            try:
                running.portal.call(close_clients)
                running.lifespan.result()
            except BaseException as exc:
                shut.set_exception(exc)
            else:
                shut.set_result(None)

        # On its own thread: a call into a loop that is blocked would block this one too.
        shut: Future[None] = Future()
        threading.Thread(target=shut_down, name="inprocess-stop", daemon=True).start()
        hung = False
        try:
            # The lifespan's own exception (a failed shutdown) is raised here, as before.
            shut.result(timeout=self._teardown_timeout_s)
        except TimeoutError:
            if shut.done():  # the shutdown itself raised TimeoutError
                raise
            hung = True
            running.lifespan.cancel()
        finally:
            # Cancel what the lifespan left (a WebSocket session a test did not close).
            ended = _end_loop(running.portal, running.thread, cancel=True, grace_s=CANCEL_GRACE_S)
        if hung or not ended:
            stuck = (
                f"its lifespan did not finish within {self._teardown_timeout_s:g} s "
                "(sequencer drain, history feed, store close)"
                if hung
                else "its lifespan finished but its event loop did not stop"
            )
            left = "" if ended else "; the loop is blocked and its thread is left behind"
            raise ShutdownHung(
                f"the in-process exchange on {self.settings.data_dir} hung in shutdown: "
                f"{stuck}{left}"
            )

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def app(self) -> Starlette:
        """The running app (its ``state`` holds the context, runtime and platform)."""
        assert self._running is not None, "not running"
        return self._running.app

    @property
    def portal(self) -> BlockingPortal:
        """The portal into the app's event loop (``portal.call(fn, ...)`` runs ``fn`` there)."""
        assert self._running is not None, "not running"
        return self._running.portal

    def client_for(self, peer: tuple[str, int] | None) -> httpx.AsyncClient:
        """A new ASGI client on the app whose requests come from ``peer``; closed on stop."""
        assert self._running is not None, "not running"
        transport = (
            httpx.ASGITransport(app=self._running.app)
            if peer is None
            else httpx.ASGITransport(app=self._running.app, client=peer)
        )
        client = httpx.AsyncClient(transport=transport, base_url=self.base_url)
        self._running.clients.append(client)
        return client

    def sync_transport(self) -> httpx.BaseTransport:
        """A synchronous httpx transport into the app (for ``httpx.Client`` and clients on it)."""
        return _PortalTransport(self.portal, httpx.ASGITransport(app=self.app))

    def browser(self, address: str | None = None) -> Browser:
        """A new caller, from its own peer address (10.0.0.N unless given)."""
        self._browsers += 1
        return Browser(self, address or f"10.0.{self._browsers // 250}.{self._browsers % 250}")

    @property
    def data(self) -> Path:
        return self.settings.data_dir

    @property
    def fake_clock(self) -> FakeClock:
        """The app's clock, for tests that move time (the default clock is a FakeClock)."""
        assert isinstance(self.clock, FakeClock), "this exchange runs on another clock"
        return self.clock

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one unsigned request (``kwargs`` as for ``httpx.AsyncClient.request``)."""
        assert self._client is not None, "not running"
        call = functools.partial(self._client.request, method, path, **kwargs)
        response: httpx.Response = self.portal.call(call)
        return response

    def call(
        self,
        method: str,
        path: str,
        key: Credentials | None = None,
        body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Send a request signed with ``key`` (unsigned when None) at the app's time."""
        headers: dict[str, str] = {}
        if key is not None:
            ts_ms = self._stamp(key, self.clock.now_ns() // 1_000_000, method)
            # Kalshi signs the path without its query string.
            headers = signing_headers(key.pem, key.key_id, method, path.split("?")[0], ts_ms)
        content = None
        if body is not None:
            content = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return self.request(method, path, content=content, headers=headers, params=params)

    def ok(
        self,
        method: str,
        path: str,
        key: Credentials | None = None,
        body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """``call``, asserting a 2xx answer; return the decoded JSON body (None if empty)."""
        response = self.call(method, path, key, body, params)
        assert 200 <= response.status_code < 300, (method, path, response.text)
        return response.json() if response.content else None

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """An operator call under ``/admin/v1``; must succeed."""
        return self.ok(method, f"/admin/v1{path}", self.operator, body)

    def user(self, name: str, deposit: str = "1000", key_type: str = "rsa") -> Key:
        """Create a user with ``deposit`` dollars and a generated key."""
        self.admin("POST", "/users", {"name": name, "deposit": deposit})
        key = self.admin("POST", "/keys/generate", {"user": name, "type": key_type})
        return Key(key["api_key_id"], key["private_key"])

    def order(
        self,
        key: Credentials,
        ticker: str,
        side: str,
        price: str,
        count: str,
        tif: str = "good_till_canceled",
        **extra: Any,
    ) -> httpx.Response:
        """Place a V2 order (``side`` "bid" or "ask", ``price`` in dollars)."""
        body = {
            "ticker": ticker,
            "side": side,
            "price": price,
            "count": count,
            "time_in_force": tif,
            "self_trade_prevention_type": "taker_at_cross",
            **extra,
        }
        return self.call("POST", f"{V2}/portfolio/events/orders", key, body)

    def state(self) -> tuple[int, str]:
        """The journal position and the state digest (equal before and after = no change)."""
        report = self.admin("GET", "/state")
        return report["last_seq"], report["state_digest"]

    def _stamp(self, key: Credentials, now_ms: int, method: str) -> int:
        """The signing time: the clock's, or one past this key's last write or handshake.

        The server refuses a repeated signed write or handshake as a replay (decision 0020),
        and Ed25519 signs deterministically; the fake clock stands still, so two orders on one
        path would otherwise be the same signed request.
        """
        if method in ("GET", "HEAD", "OPTIONS"):
            return now_ms
        return self._stamps.setdefault(key.key_id, UniqueStamps()).next(now_ms)

    def websocket(self, key: Credentials | None = None, path: str = WS_PATH) -> InProcessWebSocket:
        """Open a WebSocket session (signed with ``key``; anonymous when None)."""
        headers: dict[str, str] = {}
        if key is not None:
            ts_ms = self._stamp(key, self.clock.now_ns() // 1_000_000, "WS")
            headers = signing_headers(key.pem, key.key_id, "GET", path, ts_ms)
        return InProcessWebSocket(self.portal, self.app, path, headers)

    def on_loop(self, fn: Callable[[Starlette], T]) -> T:
        """Run ``fn(app)`` on the app's event loop (to read server state between calls)."""
        app = self.app
        return self.portal.call(lambda: fn(app))

    def sdk(self, key: Credentials) -> KalshiClient:
        """An official SDK client for ``key`` whose requests reach this app in-process."""
        from kalshi_python_sync import Configuration, KalshiClient

        config = Configuration(host=f"{BASE_URL}{V2}")
        config.api_key_id = key.key_id
        config.private_key_pem = key.pem
        client = KalshiClient(config)
        # The SDK's RESTClientObject sends through its pool manager; everything above
        # urllib3's network hop (URL, query, signing, JSON) stays the SDK's own code.
        client.rest_client.pool_manager = _PortalPool(self)
        return client


class _Running(NamedTuple):
    """One run of the app: its loop, the lifespan task and every client made on it."""

    portal: BlockingPortal
    thread: threading.Thread
    app: Starlette
    stop: anyio.Event  # set on the loop to end the lifespan
    lifespan: Future[None]
    clients: list[httpx.AsyncClient]


def _start_loop() -> tuple[BlockingPortal, threading.Thread]:
    """An event loop on a daemon thread and a portal into it.

    anyio's ``start_blocking_portal`` joins its thread without a deadline on exit; this one
    is ended by ``_end_loop``, which does not wait forever.
    """
    ready: Future[BlockingPortal] = Future()

    async def serve_portal() -> None:
        async with BlockingPortal() as portal:
            ready.set_result(portal)
            await portal.sleep_until_stopped()

    def run() -> None:
        try:
            anyio.run(serve_portal)
        except BaseException as exc:  # surfaced to start() when the loop never came up
            if not ready.done():
                ready.set_exception(exc)
            raise

    thread = threading.Thread(target=run, name="inprocess-exchange", daemon=True)
    thread.start()
    return ready.result(), thread


def _end_loop(
    portal: BlockingPortal, thread: threading.Thread, *, cancel: bool, grace_s: float
) -> bool:
    """Stop the portal (cancelling its tasks when ``cancel``); True when the loop ended.

    The stop is asked for from a helper thread: a portal call waits for the loop to pick it
    up, and a blocked loop never does.
    """

    def ask() -> None:
        # RuntimeError: the portal already stopped; CancelledError: the call was cancelled.
        with contextlib.suppress(RuntimeError, CancelledError):
            portal.call(portal.stop, cancel)

    threading.Thread(target=ask, name="inprocess-end-loop", daemon=True).start()
    thread.join(grace_s)
    return not thread.is_alive()


async def _lifespan(
    app: Starlette, stop: anyio.Event, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
) -> None:
    """Run the app's lifespan in one task (it must end in the task it began) until ``stop``."""
    async with app.router.lifespan_context(app):
        task_status.started()
        await stop.wait()


class _PortalTransport(httpx.BaseTransport):
    """httpx's synchronous transport interface over the ASGI transport, through the portal.

    The response is read on the loop and handed back whole (no streaming).
    """

    def __init__(self, portal: BlockingPortal, asgi: httpx.ASGITransport) -> None:
        self._portal = portal
        self._asgi = asgi

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._asgi.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        response: httpx.Response = self._portal.call(send)
        return response


class _PortalPool(urllib3.PoolManager):
    """urllib3's ``PoolManager`` with its network hop replaced by the portal.

    urllib3 still encodes the request (``request`` builds the URL and body and calls
    ``urlopen``); ``urlopen`` hands it to the app and wraps the answer in an
    ``HTTPResponse``, already read and decoded.
    """

    def __init__(self, exchange: InProcessExchange) -> None:
        super().__init__()
        self.exchange = exchange

    # The signature is PoolManager.urlopen's own, which urllib3's stubs declare incompatible
    # with the RequestMethods.urlopen it overrides; the ignore covers that mismatch only.
    def urlopen(  # type: ignore[override]
        self, method: str, url: str, redirect: bool = True, **kw: Any
    ) -> BaseHTTPResponse:
        response = self.exchange.request(
            method, url, content=kw.get("body"), headers=kw.get("headers")
        )
        headers = {k: v for k, v in response.headers.items() if k != "content-encoding"}
        return urllib3.HTTPResponse(
            # A stream, not bytes: urllib3 reads an empty bytes body back as None.
            body=io.BytesIO(response.content),
            headers=headers,
            status=response.status_code,
            reason=response.reason_phrase,
            decode_content=False,
            request_method=method,
            request_url=url,
        )


class Browser:
    """One caller: its own peer address, and a session cookie and CSRF token or a token.

    The session is sent by hand on every call (the client's cookie jar is cleared first),
    with the CSRF token on writes, as a browser's page script would send them.
    """

    def __init__(self, exchange: InProcessExchange, address: str) -> None:
        self.exchange = exchange
        self.address = address
        self.session: str | None = None
        self.csrf: str | None = None
        self.token: str | None = None
        self.user: dict[str, Any] = {}
        self.client = exchange.client_for((address, 1234))

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        csrf: bool = True,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if self.session is not None:
            sent["Cookie"] = f"augury_session={self.session}"
            if csrf and self.csrf and method not in ("GET", "HEAD"):
                sent.setdefault("X-CSRF-Token", self.csrf)
        if body is not None:
            kwargs["content"] = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        self.client.cookies.clear()  # the session is sent by hand, as set above
        call = functools.partial(self.client.request, method, path, headers=sent, **kwargs)
        response: httpx.Response = self.exchange.portal.call(call)
        cookie = response.cookies.get("augury_session")
        if cookie:
            self.session = cookie
        return response

    def register(
        self, email: str, password: str = "correct horse battery", **extra: Any
    ) -> dict[str, Any]:
        response = self.call(
            "POST", "/api/auth/register", {"email": email, "password": password, **extra}
        )
        assert response.status_code == 201, response.text
        user: dict[str, Any] = response.json()["user"]
        return user

    def login(self, email: str, password: str = "correct horse battery") -> httpx.Response:
        response = self.call("POST", "/api/auth/login", {"email": email, "password": password})
        if response.status_code == 200:
            self.csrf = response.json()["csrfToken"]
            self.user = response.json()["user"]
        return response

    def signup(self, email: str, dollars: int = 0, **extra: Any) -> dict[str, Any]:
        """Register, log in, and have the operator fund the account."""
        self.register(email, **extra)
        assert self.login(email).status_code == 200
        if dollars:
            self.exchange.admin(
                "POST", f"/users/{self.user['id']}/deposit", {"amount": str(dollars)}
            )
        return self.user

    def new_token(self, scopes: list[str] | None = None) -> str:
        response = self.call(
            "POST", "/api/me/tokens", {"name": "test", "scopes": scopes or ["read", "write"]}
        )
        assert response.status_code == 201, response.text
        secret: str = response.json()["secret"]
        return secret


class WebSocketClosed(Exception):
    """The server closed the WebSocket (or refused it with ``code``)."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"closed with code {code} {reason}".strip())
        self.code = code
        self.reason = reason


class WebSocketDenied(Exception):
    """The server answered the upgrade with an HTTP error (denial response)."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"denied with {status}: {body!r}")
        self.status = status
        self.body = body


async def _queues() -> tuple[asyncio.Queue[Message], asyncio.Queue[Message]]:
    return asyncio.Queue(), asyncio.Queue()


async def _get(queue: asyncio.Queue[Message], timeout_s: float) -> Message:
    async with asyncio.timeout(timeout_s):
        return await queue.get()


class InProcessWebSocket:
    """One WebSocket session with the app: ASGI messages over two queues on its loop.

    The app runs the connection as it would under any ASGI server (without uvicorn's raw
    frame writer, so the endpoint sends through plain ASGI messages). Every message the
    client receives is kept in ``log``; ``barrier()`` sends ``list_subscriptions`` and
    returns what arrived before its reply: the server answers in order with what it had
    already queued for the connection, so the barrier is a reliable "caught up" point.
    ``close()`` (or leaving a ``with`` block) returns once the server has finished the
    connection (its hub forgot it); after the server closed it, ``close()`` only waits.
    """

    def __init__(
        self, portal: BlockingPortal, app: Starlette, path: str, headers: dict[str, str]
    ) -> None:
        self._portal = portal
        self._to_app, self._from_app = portal.call(_queues)
        scope: dict[str, Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "scheme": "ws",
            "http_version": "1.1",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("augury.test", 80),
            "subprotocols": [],
            "extensions": {"websocket.http.response": {}},
        }
        self._done = portal.start_task_soon(app, scope, self._to_app.get, self._from_app.put)
        self._ids = itertools.count(1)
        self.log: list[dict[str, Any]] = []
        self._put({"type": "websocket.connect"})
        first = self._next(RECEIVE_TIMEOUT_S)
        if first["type"] == "websocket.http.response.start":
            body = self._next(RECEIVE_TIMEOUT_S).get("body", b"")
            raise WebSocketDenied(first["status"], body)
        if first["type"] == "websocket.close":
            raise WebSocketClosed(first.get("code", 1000), first.get("reason") or "")
        assert first["type"] == "websocket.accept", first

    def _put(self, message: Message) -> None:
        self._portal.call(self._to_app.put_nowait, message)

    def _next(self, timeout_s: float) -> Message:
        return self._portal.call(_get, self._from_app, timeout_s)

    def send_text(self, text: str) -> None:
        self._put({"type": "websocket.receive", "text": text})

    def send(self, cmd: str, params: dict[str, Any] | None = None) -> int:
        """Send a command with the next id; return the id."""
        cmd_id = next(self._ids)
        body: dict[str, Any] = {"id": cmd_id, "cmd": cmd}
        if params is not None:
            body["params"] = params
        self.send_text(json.dumps(body))
        return cmd_id

    def recv(self, timeout_s: float = RECEIVE_TIMEOUT_S) -> dict[str, Any]:
        """The next message (raises ``WebSocketClosed`` when the server closed instead)."""
        message = self._next(timeout_s)
        if message["type"] == "websocket.close":
            raise WebSocketClosed(message.get("code", 1000), message.get("reason") or "")
        assert message["type"] == "websocket.send", message
        decoded: dict[str, Any] = json.loads(message.get("text") or message["bytes"])
        self.log.append(decoded)
        return decoded

    def until(self, cmd_id: int, reply_type: str | None = None) -> list[dict[str, Any]]:
        """Receive until a message with ``id == cmd_id`` (and the type); return all."""
        got = []
        while True:
            message = self.recv()
            got.append(message)
            if message.get("id") == cmd_id and reply_type in (None, message.get("type")):
                return got

    def barrier(self) -> list[dict[str, Any]]:
        """Every message that arrived before a fresh ``list_subscriptions`` reply."""
        return self.until(self.send("list_subscriptions"), "ok")[:-1]

    def command(self, cmd: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Send a command; return everything up to a barrier after it."""
        self.send(cmd, params)
        return self.barrier()

    def error(self, cmd: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command expected to fail; return its error ``msg``."""
        replies = self.until(self.send(cmd, params))
        assert replies[-1]["type"] == "error", replies
        msg: dict[str, Any] = replies[-1]["msg"]
        return msg

    def close(self) -> None:
        """Leave, and wait until the server has finished the connection."""
        self._put({"type": "websocket.disconnect", "code": 1000})
        self._done.result(timeout=RECEIVE_TIMEOUT_S)

    def __enter__(self) -> InProcessWebSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def running_exchange(
    data: Path,
    *,
    clock: Clock | None = None,
    catalog: dict[str, Any] | None = None,
    base_url: str = BASE_URL,
    peer: tuple[str, int] | None = None,
    teardown_timeout_s: float = TEARDOWN_TIMEOUT_S,
    startup_timeout_s: float = STARTUP_TIMEOUT_S,
    **settings: Any,
) -> Iterator[InProcessExchange]:
    """Run the app on ``data`` (lifespan included) until the block ends.

    Args:
        data: the data directory (created if missing; a restart reuses it).
        clock: the app's clock; a fresh ``FakeClock`` when None.
        catalog: loaded through ``POST /admin/v1/catalog`` before the block runs.
        base_url: the origin plain calls are sent to (browsers' calls too).
        peer: the address plain calls come from; httpx's default (127.0.0.1) when None.
        teardown_timeout_s: how long leaving the block waits for the lifespan to end.
        startup_timeout_s: how long entering it waits for the lifespan to start serving.
        settings: further ``Settings`` fields (``rate_limits=False``, ``db_url=...``).
    """
    exchange = InProcessExchange(
        Settings(data_dir=data, **settings),
        clock if clock is not None else FakeClock(),
        base_url=base_url,
        peer=peer,
        teardown_timeout_s=teardown_timeout_s,
        startup_timeout_s=startup_timeout_s,
    )
    exchange.start()
    try:
        if catalog is not None:
            exchange.admin("POST", "/catalog", catalog)
        yield exchange
    finally:
        exchange.stop()
