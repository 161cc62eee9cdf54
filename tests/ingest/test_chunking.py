import re

import pytest

from rag.ingest.chunking import chunk_document, packed_chunks
from rag.ingest.cleaning import Block, CleanedDocument, clean
from rag.ingest.loaders import load_path
from rag.ingest.offsets import MappedText
from rag.text import count_tokens
from rag.types import Document
from tests.conftest import SEED_FILES, SEEDS


def _doc(text: str) -> Document:
    return Document(doc_id="d", source="t.txt", text=text, title="T")


def _blocks(original: str, spec: list[tuple[str, int]]) -> CleanedDocument:
    """Blocks for each regex-found line; kind by prefix '#'."""
    blocks = []
    mt = MappedText.of(original)
    for m in re.finditer(r"[^\n]+", original):
        line = mt.slice(*m.span())
        level = next((lv for prefix, lv in spec if line.text.startswith(prefix)), 0)
        if level:
            blocks.append(Block("heading", line.sub(r"^#+\s*", ""), level))
        else:
            blocks.append(Block("paragraph", line))
    return CleanedDocument("T", blocks)


def test_chunks_respect_budget_and_never_cut_sentences():
    sentences = [f"第{i}句话讲的是科技创新政策的第{i}个要点，内容较长以便测试。" for i in range(60)]
    original = "# 总则\n" + "".join(sentences) + "\n"
    doc = _doc(original)
    chunks = chunk_document(doc, _blocks(original, [("#", 1)]), chunk_tokens=80, overlap_sentences=1)
    assert len(chunks) > 3
    for c in chunks:
        assert c.tokens <= 80
        body = c.text.split("\n")[-1]
        # every chunk starts and ends on a sentence boundary
        assert body.endswith("。")
        assert body.startswith("第")
        assert c.section == "总则"


def test_overlap_repeats_last_sentence():
    sentences = [f"句子{i}说明了一个独立的事实。" for i in range(40)]
    original = "".join(sentences)
    doc = _doc(original)
    chunks = chunk_document(doc, _blocks(original, []), chunk_tokens=60, overlap_sentences=1)
    for a, b in zip(chunks, chunks[1:], strict=False):
        last = re.findall(r"句子\d+说明了一个独立的事实。", a.text)[-1]
        assert b.text.startswith(last)


def test_offsets_point_into_original():
    original = "# 标题\n前言。第一段说明研发投入。\n\n第二段说明专利数量。"
    doc = _doc(original)
    chunks = chunk_document(doc, _blocks(original, [("#", 1)]), chunk_tokens=300)
    assert len(chunks) == 1
    c = chunks[0]
    assert original[c.start : c.end].replace("\n", "").replace("# ", "") == c.text.replace("\n", "")


def test_oversized_sentence_is_hard_split():
    original = "".join(chr(0x4E00 + i) for i in range(3000)) + "。"
    doc = _doc(original)
    chunks = chunk_document(doc, _blocks(original, []), chunk_tokens=100, overlap_sentences=0)
    assert len(chunks) > 1
    assert all(c.tokens <= 100 for c in chunks)
    assert "".join(c.text for c in chunks) == original


def test_chunk_ids_are_stable_and_ordered():
    original = "".join(f"事实{i}。" for i in range(200))
    doc = _doc(original)
    a = chunk_document(doc, _blocks(original, []), chunk_tokens=50)
    b = chunk_document(doc, _blocks(original, []), chunk_tokens=50)
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b] == [f"t.txt#{i}" for i in range(len(a))]


def test_exact_duplicate_chunks_are_dropped():
    para = "这是一段会重复出现的内容。" * 3
    original = f"# A\n{para}\n# B\n{para}\n"
    doc = _doc(original)
    chunks = chunk_document(doc, _blocks(original, [("#", 1)]), chunk_tokens=30)
    texts = ["".join(c.text.split()) for c in chunks]
    assert len(texts) == len(set(texts))


def test_table_stays_whole_when_it_fits():
    original = "表1\n地区 | 时间 | 文件\n广州 | 2021 | 揭榜挂帅\n深圳 | 2022 | 十条措施\n后文。"
    doc = _doc(original)
    mt = MappedText.of(original)
    table = mt.slice(original.index("地区"), original.index("\n后文"))
    cleaned = CleanedDocument(
        "T",
        [
            Block("paragraph", mt.slice(0, 2)),
            Block("table", table),
            Block("paragraph", mt.slice(len(original) - 3, len(original))),
        ],
    )
    chunks = chunk_document(doc, cleaned, chunk_tokens=200)
    assert any("广州 | 2021 | 揭榜挂帅\n深圳 | 2022 | 十条措施" in c.text for c in chunks)


@pytest.mark.parametrize("name", SEED_FILES)
def test_real_seeds_chunk_within_budget_with_true_offsets(name):
    doc = load_path(SEEDS / name, SEEDS)
    packed = packed_chunks(doc, clean(doc), chunk_tokens=350, overlap_sentences=1)
    assert packed
    for c, measured in packed:
        # a line break kept for a list item or table row costs no budget (chunks end where they would
        # without it): the budget holds exactly for the packed text, which differs only in those breaks
        assert count_tokens(measured) <= 350
        assert c.tokens == count_tokens(c.text) and c.text.count("\n") >= measured.count("\n")
        assert 0 <= c.start < c.end <= len(doc.text)
        # the chunk's first and last visible characters sit at its span's edges in the original
        first = c.text.lstrip()[0]
        assert doc.text[c.start] == first or not first.isalnum()


# --- line structure: list items and table rows keep their own lines (issue #8 quotes) ----------

_LIST_DOC = (
    "# 藍圖要點\n"
    "\n"
    "A. 藍圖願景：發展香港成為國際創新科技中心\n"
    "\n"
    "- 發展多元經濟\n"
    "- 創造優質職位\n"
    " - 提升生活質素\n"
    "- 貢獻國家所需\n"
    "\n"
    "正文第一句說明背景。正文第二句說明結論。\n"
)


def test_list_items_keep_their_lines_in_the_chunk():
    """The cleaner keeps a list's items on their own lines; the chunk must too (not 發展多元經濟創造…)."""
    doc = _doc(_LIST_DOC)
    chunks = chunk_document(doc, clean(doc), chunk_tokens=300)
    text = "\n".join(c.text for c in chunks)
    assert "發展多元經濟\n創造優質職位\n提升生活質素\n貢獻國家所需" in text
    # sentences of one paragraph line still share that line
    assert "正文第一句說明背景。正文第二句說明結論。" in text
    for c in chunks:  # offsets stay exact: the chunk's span holds every line of it, in order
        span = "".join(doc.text[c.start : c.end].split())  # the cleaner tidies spaces (A. 藍圖 → A.藍圖)
        assert doc.text[c.start] == c.text[0] and doc.text[c.end - 1] == c.text[-1]
        pos = 0
        for line in c.text.split("\n"):
            pos = span.find("".join(line.split()), pos)
            assert pos >= 0, line
            pos += len(line)


def test_rows_of_a_table_split_over_chunks_keep_their_lines():
    """A table too big for one unit is packed row by row: each row stays on its own line."""
    rows = [f"第{i}項\t本項目的指標說明文字第{i}條，內容較長以便超出預算" for i in range(30)]
    original = "表一 指標\n" + "\n".join(rows) + "\n"
    doc = _doc(original)
    chunks = chunk_document(doc, clean(doc), chunk_tokens=120, overlap_sentences=0)
    assert len(chunks) > 2
    for c in chunks:
        body = [line for line in c.text.split("\n") if " | " in line]
        assert body and all(
            re.fullmatch(r"第\d+項 \| 本項目的指標說明文字第\d+條，內容較長以便超出預算", r) for r in body
        )


def test_a_tables_header_row_heads_the_rows_of_its_later_chunks():
    """A table cut across chunks: a later chunk's rows are read under the header row (its year
    columns), which their section carries; the stored text is still the file's own rows."""
    rows = [f"{i}.1\t第{i}項指標的說明文字，內容較長以便超出預算\t{i}.5\t{i}.9" for i in range(1, 30)]
    original = "# 參考指標\n指標\t2027\t2032\n" + "\n".join(rows) + "\n"
    doc = _doc(original)
    chunks = chunk_document(doc, clean(doc), chunk_tokens=120, overlap_sentences=0)
    assert len(chunks) > 2
    assert "2032" not in chunks[0].section and "指標 | 2027 | 2032" in chunks[0].text
    for c in chunks[1:]:
        assert c.section.endswith("參考指標 > 指標 | 2027 | 2032"), c.section
        assert "2027 | 2032" not in c.text
        assert original[c.start : c.end].split("\n")[0].split("\t")[0] in c.text


def test_hard_wrapped_pdf_prose_is_still_one_line():
    """PDF text wrapped mid-sentence (spacer blank lines between) is re-joined by the cleaner and
    stays one line in the chunk: only lines the cleaner kept are kept."""
    wraps = [
        (
            f"第{i}段说明科技创新政策的投入结构与产出效率，其中研发",
            f"经费第{i}次超过预期并带动专利数量增长了百分之{i + 10}左右。",
        )
        for i in range(12)
    ]
    paras = [a + b for a, b in wraps]
    lines = [line for pair in wraps for line in pair]
    original = "\n\n".join(lines) + "\n"
    doc = _doc(original)
    chunks = chunk_document(doc, clean(doc), chunk_tokens=350)
    text = "\n".join(c.text for c in chunks)
    assert all(p in text for p in paras)


def test_kept_line_breaks_cost_no_budget():
    """A list's chunks end where they would if its items were glued (the old chunk text): each chunk's
    items fit the budget glued, and the next item would not (a line break per item would otherwise
    push items into the next chunk and move recall@1). Only the text changes."""
    items = [f"- 第{i}项措施支持企业研发投入" for i in range(40)]
    doc = _doc("\n".join(items) + "\n")
    for budget in (70, 105, 140):
        chunks = chunk_document(doc, clean(doc), chunk_tokens=budget, overlap_sentences=0)
        assert len(chunks) > 2
        for c, nxt in zip(chunks, chunks[1:], strict=False):
            lines = c.text.split("\n")
            assert len(lines) > 1 and all(line.startswith("第") for line in lines)
            assert (
                count_tokens("".join(lines))
                <= budget
                < count_tokens("".join(lines) + nxt.text.split("\n")[0])
            )
