"""Augury's HTTP/1.1 protocol: uvicorn's httptools protocol with bounded heads and time.

``augury serve`` runs uvicorn with ``http=http_protocol(guard)``, a subclass of uvicorn's
``HttpToolsProtocol`` bound to one :class:`ConnectionGuard` per server. Uvicorn + httptools
alone bound neither the size of a request head nor the time a client may take to send
it: httptools concatenates a header value piece by piece (quadratic in its length, so a
60 MB header trickled in small reads stalled the event loop for seconds), and a
connection that sends nothing, or one byte every few seconds, is never closed. This
protocol adds, before the application sees anything (docs/decisions/0018):

Sizes (answered with a JSON error body and ``Connection: close``; the value is never echoed)
    - request head (request line + headers) over ``head_bytes_max`` -> 431;
    - request target over ``url_bytes_max`` -> 414;
    - one header name or value over ``header_bytes_max``, or more than ``headers_max``
      header lines -> 431.
    The head is counted as bytes arrive, before httptools is fed them, so the parser never
    holds more than ``head_bytes_max`` of one head. (Bytes of a pipelined head that arrive
    in the same read as the end of the previous request are counted from the next read:
    the bound is then ``head_bytes_max`` plus one read.)

Time (one deadline per phase of a request; the connection is closed when it passes)
    - *idle*: no byte of a request yet, on a new connection or after a response:
      ``idle_timeout_s`` (uvicorn's keep-alive timer, also armed on a new connection);
    - *head*: from a head's first byte to its end: ``head_timeout_s`` -> 408;
    - *body*: from the end of the head to the end of the body: ``body_timeout_s`` -> 408.
    While the application works on a complete request no deadline runs (the sequencer's
    queue is bounded; a slow response is the server's own doing, not the client's).

Connections
    The server holds at most ``connections_max`` connections (HTTP and WebSocket),
    lowered to fit the process's file-descriptor limit. When a new connection would pass
    it, the connection that has kept the server *waiting* longest (idle, or sending a
    head or a body) is closed to make room; if none is waiting (every connection is being
    served or is a WebSocket), the newcomer is refused with 503. So idle, partial-head
    and slow-body sockets can never lock out a client that sends a request promptly.

Counters
    :class:`ConnectionGuard` counts what it refused in plain integer attributes
    (``refused``, ``evicted``, ``idle_closed``, ``head_timeouts``, ``body_timeouts``,
    ``heads_too_large``), for ``/metrics`` and the soak benchmark to read.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from enum import IntEnum
from typing import Any, ClassVar, Final

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from augury.api.limits import ServerLimits
from augury.api.schemas.codec import encode
from augury.api.schemas.errors import error_envelope

__all__ = [
    "FD_RESERVE",
    "ConnectionGuard",
    "HttpProtocol",
    "http_protocol",
    "raise_fd_limit",
]

log = logging.getLogger(__name__)

# Descriptors kept back from the connection cap for everything else the server opens:
# the journal and history databases, snapshot forks, log files, the resolver.
FD_RESERVE: Final = 128
_FD_SOFT_TARGET: Final = 65_536

_STATUS_TEXT: Final = {
    408: b"Request Timeout",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
    503: b"Service Unavailable",
}


def raise_fd_limit() -> int:
    """Raise this process's soft open-file limit towards its hard limit; return the soft one.

    A server's connections are file descriptors; the common default soft limit of 1,024
    would let a thousand idle sockets exhaust them. Raising the soft limit needs no
    privilege. It stops at the hard limit (and at 65,536 when the hard limit is unbounded).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = _FD_SOFT_TARGET if hard == resource.RLIM_INFINITY else min(hard, _FD_SOFT_TARGET)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.warning("could not raise the open-file limit from %d", soft)
    return _FD_SOFT_TARGET if soft == resource.RLIM_INFINITY else soft


class _Phase(IntEnum):
    IDLE = 0  # no byte of the next request yet
    HEAD = 1  # reading a request head
    BODY = 2  # head complete, reading the body
    BUSY = 3  # request complete; the application is answering it


class ConnectionGuard:
    """What the connections of one server share: the limits, the waiting set, counters."""

    def __init__(self, limits: ServerLimits, fd_limit: int | None = None) -> None:
        self.limits = limits
        fds = fd_limit if fd_limit is not None else resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        self.connections_max = max(1, min(limits.connections_max, fds - FD_RESERVE))
        # Connections waiting on their client, oldest first (dicts keep insertion order;
        # a connection is re-inserted at the end each time it starts waiting again).
        self.waiting: dict[HttpProtocol, None] = {}
        self.refused = 0
        self.evicted = 0
        self.idle_closed = 0
        self.head_timeouts = 0
        self.body_timeouts = 0
        self.heads_too_large = 0

    def make_room(self, newcomer: HttpProtocol, connections: int) -> bool:
        """Return False when ``newcomer`` must be refused; evict someone if needed."""
        if connections <= self.connections_max:
            return True
        oldest = next(iter(self.waiting), None)
        if oldest is None or oldest is newcomer:
            self.refused += 1
            return False
        self.evicted += 1
        oldest.evict()
        return True


def _error_response(status: int, code: str, message: str) -> bytes:
    body = encode(error_envelope(code, message))
    head = (
        b"HTTP/1.1 %d %b\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
        b"connection: close\r\n\r\n" % (status, _STATUS_TEXT[status], len(body))
    )
    return head + body


class _Refusal(Exception):
    """Raised inside a parser callback to stop parsing a head that broke a limit."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with size limits, deadlines and the connection cap."""

    guard: ClassVar[ConnectionGuard]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._phase = _Phase.IDLE
        self._head_bytes = 0
        self._headers = 0
        self._deadline: asyncio.TimerHandle | None = None
        self._refusal: _Refusal | None = None

    # --- the connection --------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        guard = self.guard
        guard.waiting[self] = None
        if not guard.make_room(self, len(self.connections)):
            transport.write(_error_response(503, "service_unavailable", "server is full"))
            transport.close()
            return
        # uvicorn arms its keep-alive timer only after a response; a new connection that
        # never sends a byte gets the same deadline.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        self.guard.waiting.pop(self, None)
        super().connection_lost(exc)

    def evict(self) -> None:
        """Close this waiting connection to make room for a new one."""
        self._cancel_deadline()
        self.guard.waiting.pop(self, None)
        if self._phase is _Phase.BODY:
            self._abandon_request()
        self.transport.close()

    def timeout_keep_alive_handler(self) -> None:
        if not self.transport.is_closing():
            self.guard.idle_closed += 1
        super().timeout_keep_alive_handler()

    def handle_websocket_upgrade(self) -> None:
        # From here the WebSocket protocol owns the transport and its own keep-alive.
        self._cancel_deadline()
        self.guard.waiting.pop(self, None)
        self._phase = _Phase.BUSY
        super().handle_websocket_upgrade()
        # This protocol object is done with; uvicorn never calls its connection_lost, so
        # break the parser <-> protocol cycle here, or the pair (and what it holds) waits
        # for a full garbage collection.
        self.parser = None  # type: ignore[assignment]

    # --- bytes in --------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        if self._phase <= _Phase.HEAD:
            room = self.guard.limits.head_bytes_max - self._head_bytes
            if len(data) > room:
                # Feed only what fits: if the head has not ended within it, it is too big.
                if not self._feed(data[:room]):
                    return
                if self._phase <= _Phase.HEAD:
                    limit = self.guard.limits.head_bytes_max
                    self._refuse(
                        _Refusal(
                            431,
                            "request_header_fields_too_large",
                            f"the request head exceeds {limit} bytes",
                        )
                    )
                    return
                data = data[room:]
            else:
                self._head_bytes += len(data)
        if self._feed(data):
            self._arm_deadline()

    def _feed(self, data: bytes) -> bool:
        """Feed the parser; return False when the connection is done with (closed, upgraded)."""
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return False
        except httptools.HttpParserError:
            refusal, self._refusal = self._refusal, None
            if refusal is not None:
                # Dropped from self first: the exception's traceback holds a frame that
                # holds self, a cycle only a full garbage collection would free.
                refusal.__traceback__ = None
                self._refuse(refusal)
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return False
        return not self.transport.is_closing()

    def _refuse(self, refusal: _Refusal) -> None:
        self.guard.heads_too_large += 1
        self._cancel_deadline()
        self.transport.write(_error_response(refusal.status, refusal.code, refusal.message))
        self.transport.close()

    # --- parser callbacks ------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._headers = 0
        self._set_phase(_Phase.HEAD)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        limit = self.guard.limits.url_bytes_max
        if len(self.url) > limit:
            message = f"the request target exceeds {limit} bytes"
            self._refusal = _Refusal(414, "uri_too_long", message)
            raise self._refusal

    def on_header(self, name: bytes, value: bytes) -> None:
        limits = self.guard.limits
        self._headers += 1
        if self._headers > limits.headers_max:
            self._refusal = _Refusal(
                431, "request_header_fields_too_large", f"more than {limits.headers_max} headers"
            )
            raise self._refusal
        if len(value) > limits.header_bytes_max or len(name) > limits.header_bytes_max:
            self._refusal = _Refusal(
                431,
                "request_header_fields_too_large",
                f"a header is longer than {limits.header_bytes_max} bytes",
            )
            raise self._refusal
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._cancel_deadline()
        self._set_phase(_Phase.BODY)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._cancel_deadline()
        self._head_bytes = 0
        self._set_phase(_Phase.BUSY)
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if (
            self._phase is _Phase.BUSY
            and self.cycle.response_complete
            and not self.transport.is_closing()
        ):
            self._set_phase(_Phase.IDLE)

    # --- deadlines -------------------------------------------------------------------

    def _set_phase(self, phase: _Phase) -> None:
        self._phase = phase
        waiting = self.guard.waiting
        if phase is _Phase.BUSY:
            waiting.pop(self, None)
        elif phase is _Phase.IDLE:
            waiting.pop(self, None)
            waiting[self] = None  # waiting again, so now the youngest
        elif self not in waiting:
            waiting[self] = None

    def _arm_deadline(self) -> None:
        # Armed once a read leaves a head or body unfinished; a request that arrives in
        # one read (the usual case) never arms one.
        if self._deadline is not None:
            return
        limits = self.guard.limits
        if self._phase is _Phase.HEAD:
            self._deadline = self.loop.call_later(limits.head_timeout_s, self._head_late)
        elif self._phase is _Phase.BODY:
            self._deadline = self.loop.call_later(limits.body_timeout_s, self._body_late)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_late(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        self.guard.head_timeouts += 1
        message = f"the request head took longer than {self.guard.limits.head_timeout_s:g} s"
        self.transport.write(_error_response(408, "request_timeout", message))
        self.transport.close()

    def _body_late(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        self.guard.body_timeouts += 1
        started = self._abandon_request()
        if not started:
            message = f"the request body took longer than {self.guard.limits.body_timeout_s:g} s"
            self.transport.write(_error_response(408, "request_timeout", message))
        self.transport.close()

    def _abandon_request(self) -> bool:
        """Tell the application its client is gone; return whether a response had started."""
        cycle: RequestResponseCycle | None = self.cycle
        if cycle is None:
            return False
        started = cycle.response_started
        # The application sees ``http.disconnect`` and its later sends are dropped.
        cycle.disconnected = True
        cycle.message_event.set()
        return started


def http_protocol(guard: ConnectionGuard) -> type[HttpProtocol]:
    """Return the protocol class uvicorn should build for each connection of one server."""

    class BoundHttpProtocol(HttpProtocol):
        pass

    BoundHttpProtocol.guard = guard
    return BoundHttpProtocol
