"""Password hashing: argon2id (argon2-cffi), always off the event loop.

One verify costs about 240 ms of CPU at argon2-cffi's defaults (ECOSYSTEM.md), so hashing
and verifying run on a small pool of their own threads and never on the loop. The pool's
queue is bounded: beyond ``MAX_WAITING`` hashes in flight a request is refused with 429
at once instead of queueing (a flood of logins cannot build an unbounded backlog; login
throttling in ``platform.limits`` stops repeated guesses before they reach here).

An unknown email is verified against a dummy hash, so a login takes as long whether or not
the account exists.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from augury.platform.http import PlatformError
from augury.platform.settings import PlatformSettings

__all__ = ["MAX_WAITING", "Passwords"]

MAX_WAITING = 32


class Passwords:
    """argon2id hashing and verification on a bounded thread pool."""

    def __init__(self, settings: PlatformSettings) -> None:
        self.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")
        self._waiting = 0
        self._dummy = self.hasher.hash("augury-dummy-password-for-unknown-emails")

    async def _run(self, fn: object, *args: str) -> object:
        if self._waiting >= MAX_WAITING:
            raise PlatformError(429, "the server is busy; try again", {"Retry-After": "1"})
        self._waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)  # type: ignore[arg-type]
        finally:
            self._waiting -= 1

    async def hash(self, password: str) -> str:
        """Return the argon2id hash of ``password``."""
        result = await self._run(self.hasher.hash, password)
        assert isinstance(result, str)
        return result

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """Return whether ``password`` matches ``stored_hash`` (None: an unknown account)."""
        result = await self._run(self._verify, stored_hash or self._dummy, password)
        return bool(result) and stored_hash is not None

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Return whether a hash was made with other parameters than today's."""
        return self.hasher.check_needs_rehash(stored_hash)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
