"""Augury api layer."""
