"""The connection cap's choice, without sockets: evict the longest-waiting, else refuse.

``ConnectionGuard.make_room`` is what keeps a full server serving (see
``test_transport_connections`` for the same against the real server): past
``connections_max`` it closes the connection that has waited longest for its client, and
refuses the newcomer only when no other connection is waiting. The cap itself leaves
``FD_RESERVE`` descriptors of the process's limit for everything else.
"""

from __future__ import annotations

from augury.api.http_protocol import FD_RESERVE, ConnectionGuard
from augury.api.limits import ServerLimits


class _Conn:
    def __init__(self) -> None:
        self.evicted = False

    def evict(self) -> None:
        self.evicted = True


def test_the_cap_evicts_the_longest_waiting_connection_and_refuses_when_none_waits() -> None:
    guard = ConnectionGuard(ServerLimits(connections_max=2), fd_limit=10_000)
    first, second, newcomer = _Conn(), _Conn(), _Conn()
    guard.waiting.update({first: None, second: None})  # type: ignore[dict-item]
    guard.waiting[newcomer] = None  # type: ignore[index]
    assert guard.make_room(newcomer, 3)  # type: ignore[arg-type]
    assert first.evicted
    assert not second.evicted
    assert guard.evicted == 1
    lonely = ConnectionGuard(ServerLimits(connections_max=2), fd_limit=10_000)
    lonely.waiting[newcomer] = None  # type: ignore[index]
    assert not lonely.make_room(newcomer, 3)  # type: ignore[arg-type]
    assert lonely.refused == 1
    assert ConnectionGuard(ServerLimits(), fd_limit=1024).connections_max == 1024 - FD_RESERVE
