"""The demo exchange: ``augury demo`` serves a lively, realistic Kalshi-compatible market.

Modules, from the world to the wiring:

- ``truth``: latent values (prices, rates, temperatures...) and the fair probability of
  each strike; ``schedule``: when events happen and their ticker date codes;
- ``series`` and ``listing``: the demo's series, and how they become events and markets in
  Kalshi's shape;
- ``view``, ``maker``, ``agents`` and ``roster``: the simulated traders, all ordinary users
  trading through the sequencer;
- ``runner``: one round at a time (lifecycle, then agents); ``welcome``: the demo user and
  the banner; ``serve``: the server's startup hook; ``clock``: ``--speed``.

The demo is a client of the engine: its randomness (``random.Random(seed)``) and floats
decide which commands to send; the journal records only the commands.
"""

from augury.demo.runner import DemoConfig, DemoRunner

__all__ = ["DemoConfig", "DemoRunner"]
