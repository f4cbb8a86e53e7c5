"""Runtime tests build their engine commands with the engine tests' helpers (tests.engine)."""
