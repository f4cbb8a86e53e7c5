"""Augury domain layer."""
