"""Section lead-ins read from the real seed index: what a later chunk of a report inherits from its opening."""

from __future__ import annotations

from rag.assistant import Assistant
from rag.retrieve.documents import DocumentChunks
from rag.retrieve.sections import SectionLeads, lead_ordinals, section_paths


def test_section_paths_are_every_enclosing_heading() -> None:
    assert section_paths("A > B > C") == ["A", "A > B", "A > B > C"]
    assert section_paths("") == []


def test_lead_ordinals_are_the_first_chunk_under_each_enclosing_heading() -> None:
    sections = ["T", "A", "A > x", "A > y", "A > y", "B > z"]
    assert lead_ordinals(sections, 4) == [1, 3]  # A opens at 1, "A > y" at 3
    assert lead_ordinals(sections, 1) == []  # the opening chunk has nothing before it
    assert lead_ordinals(sections, 5) == []  # B opens with this chunk
    assert lead_ordinals(sections, 9) == []


def _chunk_with(assistant: Assistant, text: str):
    store = assistant.retriever.index
    for record in store.documents():
        for chunk in store.get_chunks(record.ids).values():
            if text in chunk.text:
                return chunk
    raise AssertionError(f"no seed chunk holds {text!r}")


def test_a_later_chunk_of_a_report_inherits_its_authors_name(seed_assistant: Assistant) -> None:
    leads = SectionLeads(DocumentChunks(lambda: seed_assistant.retriever.index))
    later = _chunk_with(seed_assistant, "如果爱立信和诺基亚拥有华为和中兴的电信设备销售份额")
    assert "ITIF" not in later.text
    assert "ITIF" in leads(later)  # the report's opening: 美国智库信息技术和创新基金会（ITIF）发布…
    opening = _chunk_with(seed_assistant, "美国智库信息技术和创新基金会（ITIF）发布")
    assert opening.text not in leads(opening)  # a chunk is not its own lead-in
