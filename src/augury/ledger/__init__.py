"""Augury ledger layer."""
