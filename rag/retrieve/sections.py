"""Section lead-ins: where a document introduces what a passage's section is about.

A report's opening chunk names its author once ("5月10日，美国智库信息技术和创新基金会（ITIF）发布…")
and every later chunk under that heading says only "报告声称…". A question naming the body ("according
to the ITIF report") is answered by such a later chunk, which never names it. The lead-in of each
section enclosing the chunk (the first chunk written under that heading, read from the store, not
from what retrieval happened to return) holds the names the passage inherits.
"""

from __future__ import annotations

from rag.retrieve.documents import DocumentChunks
from rag.types import Chunk

SEP = " > "


def section_paths(section: str) -> list[str]:
    """Every heading path enclosing a section, outermost first ("A > B" → ["A", "A > B"])."""
    parts = [p for p in section.split(SEP) if p]
    return [SEP.join(parts[: i + 1]) for i in range(len(parts))]


def lead_ordinals(sections: list[str], ordinal: int) -> list[int]:
    """The ordinals of the first chunk under each heading enclosing chunk ``ordinal`` (its own
    heading included), when that chunk comes before it: the lead-ins it inherits names from."""
    if not 0 <= ordinal < len(sections):
        return []
    found: list[int] = []
    for path in section_paths(sections[ordinal]):
        first = next(
            (i for i in range(ordinal) if sections[i] == path or sections[i].startswith(path + SEP)), None
        )
        if first is not None and first not in found:
            found.append(first)
    return found


class SectionLeads:
    """The lead-in text of the sections enclosing a chunk, read from the store."""

    def __init__(self, documents: DocumentChunks) -> None:
        self._documents = documents

    def __call__(self, chunk: Chunk) -> str:
        doc = self._documents.current(chunk)
        if doc is None:
            return ""
        sections = [c.section for c in doc]
        return "\n".join(doc[i].text for i in lead_ordinals(sections, chunk.ordinal))
