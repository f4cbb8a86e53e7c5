"""The seed integration API: a small Kalshi-like REST and WebSocket surface under ``/seed/v1``.

Its contract is ``docs/seed-api.md``. It authenticates with the platform's ``pred_`` bearer
tokens and trades on the same exchange as the Kalshi API: every order is an ordinary
``PlaceOrder`` through the sequencer (journaled before it is answered). Modules:
``settings`` (its limits), ``wire`` (objects and errors), ``limits`` (rolling windows),
``rest`` (the REST endpoints), ``ws`` (the WebSocket endpoint and its fan-out).
"""
