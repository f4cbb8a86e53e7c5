"""Augury cli layer."""
