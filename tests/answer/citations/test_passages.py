"""Passage sentences (wrapped lines, list items, table rows, headings) and their location in the original seed files."""

from __future__ import annotations

from rag.answer.citations import (
    OriginalLocator,
    display_quote,
    passage_sentence_spans,
    passage_structure,
)
from rag.assistant import Assistant


def test_wrapped_lines_are_joined_into_sentences() -> None:
    text = "一、硬科技发展现状\n每一轮科技革命都会重构全球版图，重塑全球经济结构。自从进入21世纪，全球科学技术\n不断迭代，重大科研成果不断改变着人们的生活与工作。"
    pieces = [text[s:e] for s, e in passage_sentence_spans(text)]
    assert pieces[0] == "一、硬科技发展现状"
    assert pieces[2].startswith("自从进入21世纪") and pieces[2].endswith("生活与工作。")
    assert (
        display_quote(pieces[2])
        == "自从进入21世纪，全球科学技术不断迭代，重大科研成果不断改变着人们的生活与工作。"
    )


def _strip_ws(s: str) -> str:
    return "".join(s.split())


def _fold(s: str) -> str:
    import unicodedata

    table = dict.fromkeys(map(ord, "‚‛“”‘’\"'"), '"') | dict.fromkeys(map(ord, "－–—"), "-")
    # Table cells: the cleaner writes " | " where the original has tabs.
    return unicodedata.normalize("NFKC", _strip_ws(s)).translate(table).replace("|", "")


def _covered(needle: str, hay: str) -> float:
    """Share of the needle's characters found, in order, in hay."""
    from difflib import SequenceMatcher

    blocks = SequenceMatcher(None, needle, hay, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(needle)


def test_quotes_map_back_to_the_original_seed_files(seed_assistant: Assistant) -> None:
    """Every sentence of every chunk is found in its original file: the span's text equals the
    quote up to whitespace and the cleaner's character normalisations, or, where the cleaner
    deleted page furniture inside the sentence (or repaired an OCR character, 干瓦→千瓦), holds it
    in order with matching ends."""
    settings = seed_assistant.settings
    locator = OriginalLocator(settings.corpus_dir)
    originals: dict[str, str] = {}
    exact = total = 0
    index = seed_assistant.index
    all_chunks = [c for d in index.documents() for c in index.get_chunks(d.ids).values()]
    assert len(all_chunks) == len(index)
    for chunk in all_chunks:
        original = originals.setdefault(
            chunk.source, (settings.corpus_dir / chunk.source).read_text(encoding="utf-8")
        )
        for s, e in passage_sentence_spans(chunk.text):
            quote = chunk.text[s:e]
            start, end = locator.locate(chunk, quote)
            assert chunk.start <= start < end <= chunk.end
            span, q = _fold(original[start:end]), _fold(quote)
            total += 1
            if span == q:
                exact += 1
            else:
                assert span[0] == q[0] and span[-1] == q[-1], (quote, original[start:end])
                assert _covered(q, span) > 0.95, (quote, original[start:end])
    assert total > 1000
    assert exact / total > 0.9


def test_list_items_and_table_rows_are_sentences_of_their_own() -> None:
    """Lines of a list (no end marks, a labelled lead-in above them) and rows of a table are
    items: each is its own sentence with its lead-in line beside it, not one run-on sentence."""
    text = (
        "B. 創科形勢與香港優勢、機遇與挑戰\n"
        "國際科技創新發展的形勢正在發生深刻變化\n"
        "各國競爭加速科技水平躍升並且持續加快\n"
        "大國對科技產業的支持越見積極和具體\n"
        "表 3 大容量电池供应链的基本环节及评估\n"
        "材料精炼 | 美国的材料精炼和加工能力不足\n"
        "电池制造 | 美国电池产能占全球市场份额不到十分之一\n"
    )
    spans, leads, _, _ = passage_structure(text)
    pieces = [text[s:e] for s, e in spans]
    lead_of = {
        text[s:e]: "\n".join(text[ls:le] for ls, le in ld) for (s, e), ld in zip(spans, leads, strict=True)
    }
    for item in ("各國競爭加速科技水平躍升並且持續加快", "大國對科技產業的支持越見積極和具體"):
        assert item in pieces
        assert lead_of[item] == "B. 創科形勢與香港優勢、機遇與挑戰"
    for row in (
        "材料精炼 | 美国的材料精炼和加工能力不足",
        "电池制造 | 美国电池产能占全球市场份额不到十分之一",
    ):
        assert row in pieces
        assert lead_of[row] == "表 3 大容量电池供应链的基本环节及评估"
    assert passage_sentence_spans(text) == spans


def test_a_heading_still_joins_its_first_sentence_and_prose_is_no_list() -> None:
    """Two lines are no list: a long open heading stays with the sentence after it (the scoring
    context it always had), and sentences ending in 。 are never items."""
    text = "三、芯片和开放式无线电接入网 5G 紧急拨款\n该条款致力于提升美国在半导体和 5G 两大领域的竞争力。\n第二句话。"
    spans, leads, runs, headers = passage_structure(text)
    assert [text[s:e] for s, e in spans] == [
        "三、芯片和开放式无线电接入网 5G 紧急拨款\n该条款致力于提升美国在半导体和 5G 两大领域的竞争力。",
        "第二句话。",
    ]
    assert leads == [(), ()] and runs == [None, None] and headers == [False, False]


def test_a_table_header_with_year_columns_heads_every_row_and_is_no_item() -> None:
    """The header row (labels and year columns) is part of every row's lead-in, past the group
    labels between rows, and is never an item of its own: the column a figure sits in says its year."""
    text = (
        "「藍圖」訂下 8 大相關發展願景績效指標：\n"
        "發展願景 | 2016 (2014年數字) | 2022 (2020年數字) | 2027 (2025年數字) | 2032 (2030年數字)\n"
        "1. 研發\n"
        "1.1 | 本地研發總開支相對本地生產總值的比率 | 0.74% | 0.99% | 1.3% | 2%\n"
        "1.2 | 人均本地研發總開支 | 2,306 港元 | 3,575 港元 | 5,000 港元 | 9,000 港元\n"
        "2. 初創企業\n"
        "2.1 | 在共享工作空間的初創企業數目 | 2,800 | 3,985 | 5,000 | 7,000\n"
    )
    st = passage_structure(text)
    by_text = {text[s:e]: k for k, (s, e) in enumerate(st.spans)}
    header = "發展願景 | 2016 (2014年數字) | 2022 (2020年數字) | 2027 (2025年數字) | 2032 (2030年數字)"
    assert st.headers[by_text[header]]
    caption = "「藍圖」訂下 8 大相關發展願景績效指標："

    def lead(row: str) -> list[str]:
        return [text[a:b] for a, b in st.leads[by_text[row]]]

    row12 = "1.2 | 人均本地研發總開支 | 2,306 港元 | 3,575 港元 | 5,000 港元 | 9,000 港元"
    row21 = "2.1 | 在共享工作空間的初創企業數目 | 2,800 | 3,985 | 5,000 | 7,000"
    assert lead(row12) == [caption, header, "1. 研發"]
    assert lead(row21) == [caption, header, "2. 初創企業"]  # its own group, not the rows above it
    assert not st.headers[by_text[row12]] and st.runs[by_text[row12]] == st.runs[by_text[row21]]
    # a first row with figures is data, not a header
    data = "表 1 指标\n广州 | 2021 | 120 亿元\n深圳 | 2022 | 150 亿元\n"
    assert passage_structure(data).headers == [False, False, False]
