"""Retrieve: a question → ranked passages (dense + keyword, cross-lingual expansion, fusion)."""
