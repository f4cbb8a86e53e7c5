"""Fixtures of the browser tests: one server and one browser for the ``tests/web`` package.

Package scope, not session: Playwright's sync API keeps an event loop running in the
main thread while it is open, and later packages (e.g. ``tests/ws``) call
``asyncio.run``, which refuses to run inside a running loop.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.site import Site, chromium_path, running_site


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with running_site(tmp_path_factory.mktemp("web-site") / "data") as running:
        yield running


@pytest.fixture
def fresh(site: Site) -> Iterator[Site]:
    """The shared site; the browser contexts a test opened are closed after it."""
    yield site
    site.close_contexts()
