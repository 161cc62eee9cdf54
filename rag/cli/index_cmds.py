"""Placeholder: commands registered here later."""
