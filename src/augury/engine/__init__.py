"""Augury engine layer."""
