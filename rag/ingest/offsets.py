"""Text that remembers where each character came from in the original file.

Cleaning rewrites text many times; citations must still point at ``[start, end)`` in the
original. ``MappedText`` carries, for every character of the current text, its offset in the
original, and every edit goes through ``sub`` so the map can never drift from the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

Replacement = str | Callable[[re.Match[str]], str]


def _align(old: str, new: str, base: list[int]) -> list[int]:
    """Origins for ``new`` replacing ``old`` (whose origins are ``base``).

    Same length: position by position (``％``→``%``). ``new`` a subsequence of ``old``
    (deletions, the common case): each kept character keeps its own origin. Otherwise every
    new character points at the start of the replaced span.
    """
    if len(new) == len(old):
        return list(base)
    out: list[int] = []
    j = 0
    for ch in new:
        while j < len(old) and old[j] != ch:
            j += 1
        if j == len(old):
            break
        out.append(base[j])
        j += 1
    if len(out) == len(new):
        return out
    anchor = base[0] if base else 0
    return [anchor] * len(new)


@dataclass(frozen=True)
class MappedText:
    text: str
    origin: tuple[int, ...]  # origin[i] = offset in the original of text[i]

    @classmethod
    def of(cls, original: str) -> MappedText:
        return cls(original, tuple(range(len(original))))

    def __post_init__(self) -> None:
        if len(self.text) != len(self.origin):
            raise ValueError("text and origin map differ in length")

    def __len__(self) -> int:
        return len(self.text)

    def sub(self, pattern: str | re.Pattern[str], repl: Replacement, flags: int = 0) -> MappedText:
        """``re.sub`` that keeps the origin map in step."""
        rx = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        pieces: list[str] = []
        origin: list[int] = []
        pos = 0
        for m in rx.finditer(self.text):
            s, e = m.span()
            pieces.append(self.text[pos:s])
            origin.extend(self.origin[pos:s])
            new = repl(m) if callable(repl) else m.expand(repl)
            if new:
                base = list(self.origin[s:e]) or [self.origin[s - 1] + 1 if s else 0]
                pieces.append(new)
                origin.extend(_align(m.group(0), new, base))
            pos = e
        if pos == 0 and not pieces:
            return self
        pieces.append(self.text[pos:])
        origin.extend(self.origin[pos:])
        return MappedText("".join(pieces), tuple(origin))

    def delete_spans(self, spans: list[tuple[int, int]]) -> MappedText:
        """Remove current-text spans (sorted or not, may overlap)."""
        if not spans:
            return self
        n = len(self.text)
        merged: list[list[int]] = []
        for s, e in sorted((max(s, 0), min(e, n)) for s, e in spans):
            if e <= s:
                continue
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        pieces: list[str] = []
        origin: list[int] = []
        pos = 0
        for s, e in merged:
            pieces.append(self.text[pos:s])
            origin.extend(self.origin[pos:s])
            pos = e
        pieces.append(self.text[pos:])
        origin.extend(self.origin[pos:])
        return MappedText("".join(pieces), tuple(origin))

    def slice(self, start: int, end: int) -> MappedText:
        return MappedText(self.text[start:end], self.origin[start:end])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` covered by current-text ``[start, end)``."""
        if end <= start or not self.origin:
            o = self.origin[min(start, len(self.origin) - 1)] if self.origin else 0
            return o, o
        return self.origin[start], self.origin[end - 1] + 1
