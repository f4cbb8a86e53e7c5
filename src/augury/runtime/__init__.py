"""Augury runtime layer."""
