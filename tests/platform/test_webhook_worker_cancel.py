"""The webhook worker stops when cancelled, even as a wake-up arrives at the same moment.

On Python 3.11, ``asyncio.wait_for`` returns the inner result instead of raising when the
cancel and the inner completion land in the same loop iteration, so a worker idling in
``wait_for(event.wait())`` kept running after ``Platform.stop`` cancelled it, and the
server's shutdown waited forever (seen as a hung in-process restart). The sequence below is
exactly that race: the wake is set, then the task cancelled, before the loop runs again.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import cast

import httpx

from augury.platform.service import Platform
from augury.platform.webhooks import WebhookWorker


class _IdleWorker(WebhookWorker):
    """A worker with nothing to deliver, counting its rounds."""

    rounds = 0
    delivered: asyncio.Event

    async def deliver_due(self, client: httpx.AsyncClient) -> int:
        self.rounds += 1
        self.delivered.set()
        return 0


async def _cancel_while_woken() -> tuple[bool, int]:
    platform = cast(Platform, SimpleNamespace(settings=SimpleNamespace(webhook_timeout_s=1.0)))
    worker = _IdleWorker(platform)
    worker.delivered = asyncio.Event()
    task = asyncio.get_running_loop().create_task(worker.run())
    await worker.delivered.wait()  # the first round ran; the worker now idles on its event
    for _ in range(3):
        await asyncio.sleep(0)
    worker.wake.set()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    if not done:
        task.cancel()
    return task in done and task.cancelled(), worker.rounds


def test_a_cancel_that_meets_a_wake_up_still_stops_the_worker() -> None:
    stopped, rounds = asyncio.run(_cancel_while_woken())
    assert stopped
    assert rounds == 1  # no second delivery round after the cancel
