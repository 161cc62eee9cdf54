"""Bilingual question answering with verified citations over Chinese S&T policy documents.

The flow runs one way: load → clean → chunk → embed/index → retrieve → generate → cite.
Each step is one module; see README.md for the map.
"""

__version__ = "0.1.0"
