"""Citation markers, number normalisation and sentence verification, with adversarial answers,
plus quote location in the real seed files."""

from __future__ import annotations

import pytest

from rag.answer.citations import (
    OriginalLocator,
    PassageCache,
    Thresholds,
    add_marker,
    answer_sentence_spans,
    asked_years,
    asks_for_quantity,
    clean_markers,
    display_quote,
    figures,
    is_connective,
    marker_numbers,
    markers_in,
    missing_figures,
    passage_sentence_spans,
    passage_structure,
    quantities,
    strip_markers,
    verify,
)
from rag.assistant import Assistant
from rag.types import Chunk, Hit

# --- markers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("增长 [1]。", [1]),
        ("增长[1][2]。", [1, 2]),
        ("grew [1, 3].", [1, 3]),
        ("grew [1,3].", [1, 3]),
        ("增长【2】。", [2]),
        ("增长［３］。", [3]),
        ("增长[１]。", [1]),
        ("见 [2-4]。", [2, 3, 4]),
        ("见 [1、2]。", [1, 2]),
        ("见 [ID:5]。", [5]),
        ("第二段[2] 第一段[1]", [2, 1]),
    ],
)
def test_markers_are_parsed(text: str, expected: list[int]) -> None:
    assert markers_in(text) == expected


def test_years_in_brackets_are_not_markers() -> None:
    assert markers_in("the [2021] plan and the [2019-2021] period") == []
    text, warnings = clean_markers("the [2021] plan", 3)
    assert text == "the [2021] plan" and warnings == []


def test_marker_numbers() -> None:
    assert marker_numbers("1, 2") == [1, 2]
    assert marker_numbers("3-1") == [3, 1]  # a reversed range only names its ends
    assert marker_numbers("１－２") == [1, 2]


def test_invalid_marker_is_removed_and_reported() -> None:
    text, warnings = clean_markers("销售额为 1925 亿美元 [9]。占比 34.6%[1, 7]。增长【2】。", 6)
    assert text == "销售额为 1925 亿美元。占比 34.6%[1]。增长【2】。"
    assert len(warnings) == 1 and "[9]" in warnings[0] and "[7]" in warnings[0] and "6" in warnings[0]


def test_valid_markers_stay_as_written() -> None:
    src = "A [1][2]. B 【3】. C [1, 2]."
    assert clean_markers(src, 3) == (src, [])


def test_strip_markers() -> None:
    assert strip_markers("增长 26.2% [1]【2】。") == "增长 26.2%。"


# --- answer sentences -------------------------------------------------------------------


def test_marker_after_the_full_stop_belongs_to_the_sentence_before() -> None:
    text = "2021年销售额达5559亿美元。[1] 同比增长26.2%[2]。It rose 5% [1]. [3] Fine [2]."
    pieces = [text[s:e] for s, e in answer_sentence_spans(text)]
    assert pieces == [
        "2021年销售额达5559亿美元。[1]",
        "同比增长26.2%[2]。",
        "It rose 5% [1]. [3]",
        "Fine [2].",
    ]


def test_no_sentence_ends_inside_a_title_or_quote() -> None:
    text = "According to 《成果點量化？》, “增长较快！” [1].\n“未闭合的引号。下一句[2]。"
    pieces = [text[s:e] for s, e in answer_sentence_spans(text)]
    assert pieces == ["According to 《成果點量化？》, “增长较快！” [1].", "“未闭合的引号。", "下一句[2]。"]


def test_a_dangling_period_joins_its_sentence() -> None:
    text = "According to 《报告》, “增长较快” [1].\nAccording to 《报告》, “占比 16%” [2]."
    pieces = [text[s:e] for s, e in answer_sentence_spans(text)]
    assert pieces == ["According to 《报告》, “增长较快” [1].", "According to 《报告》, “占比 16%” [2]."]


# --- numbers ----------------------------------------------------------------------------


def _lits(text: str) -> list[str]:
    return [f.literal for f in figures(text)]


def test_number_normalisation() -> None:
    assert _lits("1,000 亿美元") == ["1000亿"]
    assert _lits("增长 26.2 ％") == ["26.2%"]
    assert _lits("２０２２ 年 4 月") == ["2022", "4"]
    assert _lits("555.9 billion, 3 percent") == ["555.9billion", "3%"]
    assert _lits("（1）第一条 [2]") == []  # an enumerator and a marker are not claims


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("《中国制造2025》为2020年设定的芯片自给率目标是多少？", ["2020"]),  # 2025 names the plan
        ("“十四五”规划和2035年远景目标提出了什么？", ["2035"]),
        ("2019年和2020年的研发经费分别是多少？", ["2019", "2020"]),
        ('What did the "Made in China 2025" plan set for 2020?', ["2020"]),
        ("《中国制造2025》的目标是什么？", []),
    ],
)
def test_asked_years_ignore_titles(question: str, years: list[str]) -> None:
    assert asked_years(question) == years


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("2021年我国基础研究经费达到多少？", True),
        ("廣東電子信息產業集群中，芯片依賴進口的比例有多高？", True),
        ("What share of global IC sales did China account for?", True),
        ("What was Guangdong's integrated-circuit output in 2020?", True),
        ("为什么几乎所有发达国家都重视基础研究？", False),  # 几乎 is not 几
        ("Which three technology areas will Hong Kong focus on?", False),
    ],
)
def test_quantity_questions(question: str, expected: bool) -> None:
    assert asks_for_quantity(question) is expected


def test_circled_list_markers_are_not_figures() -> None:
    assert [f.literal for f in figures("以下 10 个关键技术领域：①人工智能、⑵机器学习、❸自动驾驶")] == ["10"]


def test_dates_and_titles_are_not_quantities() -> None:
    assert quantities("2020年9月，《广东省集成电路行动计划（2021-2025年）》对外发布") == []
    assert [f.literal for f in quantities("2021年全球销售额达到了 5559 亿美元，同比增长 26.2%")] == [
        "5559亿",
        "26.2%",
    ]


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("1,000 亿美元", "达到 1000 亿美元"),
        ("1000亿美元", "达到 1,000 亿美元"),
        ("增长２６．２％", "同比增长 26.2%"),
        ("增长 26.2％", "同比增长 26.2%"),
        ("2022年4月", "2022 年 4 月，广东省科技厅公布"),
        ("US$555.9 billion", "销售额达到了 5559 亿美元"),
        ("US$192.5 billion", "销售额为 1925 亿美元"),
        ("RMB 169.6 billion", "2021 年达 1696 亿元人民币"),
        ("1696亿元", "基础研究经费（单位：亿元）| 1696"),  # a unit in a table header
        ("前年冲破2万亿元", "前年衝破2萬億元"),  # Traditional magnitude words
        ("2 trillion yuan", "前年衝破2萬億元"),
        ("235,000 industrial firms", "23.5 万家工业企业"),  # a magnitude written out in digits
    ],
)
def test_equivalent_figures_are_found(claim: str, passage: str) -> None:
    assert missing_figures(claim, figures(passage)) == []


@pytest.mark.parametrize(
    ("claim", "passage", "missing"),
    [
        ("增长 1.8%", "同比增长 26.2%", ["1.8%"]),
        ("增长 26.2", "同比增长 26.2%", []),  # a bare number only needs the digits
        ("26.2% of sales", "26.2 亿美元", ["26.2%"]),  # a percentage needs a percentage
        ("5559万美元", "5559 亿美元", ["5559万"]),  # the same digits at another magnitude
        ("2020年", "2021 年达 1696 亿元", ["2020"]),
        ("USD 55.59 billion", "5559 亿美元", ["55.59billion"]),
        ("2万元", "前年衝破2萬億元", ["2万"]),  # 萬億 is not 萬
        ("23,500 firms", "23.5 万家工业企业", ["23500"]),  # digits of another value
    ],
)
def test_made_up_figures_are_missing(claim: str, passage: str, missing: list[str]) -> None:
    assert missing_figures(claim, figures(passage)) == missing


def test_connectives() -> None:
    assert is_connective("根据检索到的文档：")
    assert is_connective("Here is what the documents say:")
    assert is_connective("是的。")
    assert not is_connective("中国排名第三。")
    assert not is_connective("China ranks third.")
    assert not is_connective("Yes, 5 of them.")


# --- verification over hand-made passages ------------------------------------------------

P1 = (
    "根据 SIA 统计数据，2021年中国市场集成电路销售额为 1925 亿美元，同比增长 27.1%，"
    "仍是全球最大的半导体市场，占全球销售额的 34.6%，较上年小幅提升。"
)
P2 = "2021年我国基础研究经费达 1696 亿元人民币，占全社会研发经费比例连续 3 年超过 6%。"


def _hit(n: int, text: str, title: str = "报告") -> Hit:
    chunk = Chunk(f"doc.txt#{n}", "d", "doc.txt", title, "现状", text, 0, len(text), 50, n)
    return Hit(chunk=chunk, score=1.0, rank=n, dense_score=0.5)


HITS = [_hit(1, P1), _hit(2, P2)]


def _verify(answer: str, embedder=None, auto_cite: bool = False):  # noqa: ANN001, ANN202
    th = Thresholds(auto_cite=auto_cite)
    return verify(answer, HITS, embedder=embedder, passages=PassageCache(), locator=None, thresholds=th)


def test_a_faithful_answer_is_supported() -> None:
    v = _verify(
        "2021年中国市场集成电路销售额为1925亿美元，占全球销售额的34.6%[1]。基础研究经费达1696亿元【2】。"
    )
    assert [s.supported for s in v.sentences] == [True, True]
    assert [s.citations for s in v.sentences] == [[1], [2]]
    assert v.any_supported and v.warnings == []
    assert [c.n for c in v.citations] == [1, 2]
    assert v.citations[0].quote in P1 and v.citations[1].quote == P2


def test_a_made_up_number_is_unsupported_whatever_the_similarity() -> None:
    v = _verify("2021年中国市场集成电路销售额为1925亿美元，占全球销售额的36.4%[1]。")
    (s,) = v.sentences
    assert not s.supported and s.score > 0.8
    assert any("36.4%" in r for r in s.reasons)
    assert not v.any_supported


def test_a_wrong_citation_is_unsupported() -> None:
    v = _verify("我国基础研究经费占全社会研发经费比例连续 3 年超过 6%[1]。")
    assert not v.sentences[0].supported
    assert any("weak support" in r or "not in the cited" in r for r in v.sentences[0].reasons)


def test_an_out_of_range_citation_is_removed_and_the_sentence_is_uncited() -> None:
    v = _verify("基础研究经费达1696亿元[7]。")
    assert v.text == "基础研究经费达1696亿元。"
    assert any("[7]" in w for w in v.warnings)
    assert v.sentences[0].citations == [] and not v.sentences[0].supported
    assert v.sentences[0].reasons == ["uncited"]


def test_uncited_factual_sentences_are_flagged_and_connectives_are_not() -> None:
    v = _verify("根据文档：\n基础研究经费达1696亿元[2]。中国的芯片自给率在2025年将达到70%。")
    assert [s.supported for s in v.sentences] == [True, True, False]
    assert v.sentences[0].reasons == ["no claim (connective)"]
    assert v.sentences[2].reasons == ["uncited"]
    assert any("1 of 3" in w for w in v.warnings)


def test_auto_cite_adds_a_checked_citation_to_a_supported_claim() -> None:
    v = _verify(
        "基础研究经费达1696亿元[7]。芯片销售额为1925亿美元。中国的芯片自给率将达到70%。", auto_cite=True
    )
    assert v.text == "基础研究经费达1696亿元[2]。芯片销售额为1925亿美元[1]。中国的芯片自给率将达到70%。"
    assert [s.citations for s in v.sentences] == [[2], [1], []]
    assert [s.supported for s in v.sentences] == [True, True, False]
    assert v.sentences[0].reasons == ["citation added by the verifier"]
    assert any("added citations to 2" in w for w in v.warnings) and any("[7]" in w for w in v.warnings)
    made_up = _verify("基础研究经费达1800亿元。", auto_cite=True)  # no passage has the figure
    assert made_up.sentences[0].citations == [] and made_up.sentences[0].reasons == ["uncited"]


def test_add_marker() -> None:
    assert add_marker("2021年达到1696亿元。", 2) == "2021年达到1696亿元[2]。"
    assert add_marker("It grew 34.6%.", 1) == "It grew 34.6% [1]."
    assert add_marker("他说“增长很快。”", 3) == "他说“增长很快[3]。”"
    assert add_marker("no end mark", 1) == "no end mark [1]"


def test_multi_citation_and_full_width_markers() -> None:
    v = _verify("2021年销售额为1925亿美元，基础研究经费达1696亿元[1, 2]。占比34.6%［１］。")
    assert [s.citations for s in v.sentences] == [[1, 2], [1]]
    assert all(s.supported for s in v.sentences)


def test_traditional_sentence_against_simplified_passage() -> None:
    v = _verify("2021年中國市場集成電路銷售額為1925億美元，佔全球銷售額的34.6%[1]。")
    assert v.sentences[0].supported


def test_cross_lingual_sentence_uses_the_embedder(embedder) -> None:  # noqa: ANN001
    good = _verify(
        "In 2021 China's IC market sales were US$192.5 billion, 34.6% of global sales [1].", embedder
    )
    assert good.sentences[0].supported, good.sentences[0].reasons
    bad = _verify("In 2021 China's IC market sales were US$200 billion [1].", embedder)
    assert not bad.sentences[0].supported
    assert any("200" in r for r in bad.sentences[0].reasons)


# --- passages and quotes ----------------------------------------------------------------


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
