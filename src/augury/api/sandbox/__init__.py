"""Sandbox controls: faults on demand per API key or user, and time control for markets.

``faults`` (what may go wrong and the per-target state), ``rest`` (the REST middleware),
``ws`` (the WebSocket connection that misbehaves), ``timecontrol`` (close, determine,
settle now, or run a market's schedule faster) and ``admin`` (``/admin/v1/faults`` and the
market verbs). Off unless the operator configures them; see docs/decisions/0050.
"""
