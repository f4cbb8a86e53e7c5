"""The Augury platform: accounts, sessions, ``pred_`` tokens and the ``/api/*`` JSON API.

A platform user IS an exchange user (same user id, balances, positions and orders as that
user's Kalshi API keys show). Every order and every cash movement goes through the
sequencer as an ordinary journaled command; the platform's own tables (accounts,
sessions, tokens, notes, notifications, webhooks, ...) hold nothing that moves money.
Decision 0040 explains where each piece of data lives and how it stays consistent with
the journal. Every read of exchange state goes through ``platform.reads``.
"""
