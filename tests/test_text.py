import pytest

from rag.text import (
    count_tokens,
    detect_language,
    detect_script,
    has_cjk,
    in_script,
    keyword_tokens,
    place_names,
    sentence_spans,
    split_sentences,
    to_simplified,
)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("广东对芯片进口的依赖程度如何？", "zh"),
        ("內地晶片自給率只有多少？", "zh"),
        ("What is 卡脖子?", "en"),
        ("USICA法案中的CHIPS基金有多少？", "zh"),
        ("How much did DOE request for FY2022?", "en"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_detect_script():
    assert detect_script("兩會焦點：內地要發展科技創新") == "traditional"
    assert detect_script("关键核心技术攻关") == "simplified"
    assert detect_script("What about chips?") == "english"


def test_folding_is_for_matching_only():
    assert to_simplified("晶片與科學法") == "晶片与科学法"
    assert to_simplified("plain English") == "plain English"
    assert has_cjk("R&D 投入") and not has_cjk("R&D")


def test_hong_kong_and_taiwan_shenme_reads_like_shenme():
    """甚麼 (HK/TW) folds to 什么, not to t2s's 甚么, so it is a stop word like any question word."""
    assert to_simplified("藍圖的目標是甚麼？") == to_simplified("藍圖的目標是什麼？") == "蓝图的目标是什么？"
    assert keyword_tokens("藍圖有甚麼目標？") == keyword_tokens("蓝图有什么目标？")


def test_keyword_tokens_fold_traditional_and_drop_stopwords():
    trad = keyword_tokens("香港創新科技發展藍圖的目標是什麼？")
    simp = keyword_tokens("香港创新科技发展蓝图的目标是什么？")
    assert trad == simp
    assert "的" not in trad and "？" not in trad
    assert "蓝图" in trad


def test_keyword_tokens_with_a_memo_are_the_same_tokens_and_reuse_repeated_runs():
    texts = [
        "美国《芯片与科学法案》计划投入527亿美元，R&D 经费占GDP的3.1%。",
        "R&D 经费占GDP的3.1%。日本的數據中心集中於東京和大阪（Tokyo/Osaka）……",
        "The CHIPS Act: US$52.7 billion; 美国《芯片与科学法案》计划投入527亿美元，",
    ]
    memo: dict[str, list[str]] = {}
    assert [keyword_tokens(t, memo) for t in texts] == [keyword_tokens(t) for t in texts]
    assert any("美国" in cut for cut in memo.values())
    runs = len(memo)
    keyword_tokens(texts[0], memo)
    assert len(memo) == runs  # a repeated text is cut from the memo alone


def test_sentence_spans_split_chinese_and_english_ends():
    text = "我国R&D经费达2.19%。美国为3.1%！\n表1 广州\nIt was 5.5 percent. Next? 好的……然后"
    assert split_sentences(text) == [
        "我国R&D经费达2.19%。",
        "美国为3.1%！",
        "表1 广州",
        "It was 5.5 percent.",
        "Next?",
        "好的……",
        "然后",
    ]
    for s, e in sentence_spans(text):
        assert text[s:e].strip() == text[s:e]


def test_decimal_points_do_not_end_sentences():
    assert split_sentences("占比为34.6%，位居第一。") == ["占比为34.6%，位居第一。"]


def test_closing_quotes_stay_with_their_sentence():
    assert split_sentences("他说：“要从0到1。”然后呢？") == ["他说：“要从0到1。”", "然后呢？"]


def test_count_tokens_works_offline():
    assert count_tokens("关键核心技术") > 0
    assert count_tokens("") == 0


def test_place_names_are_specific_and_folded() -> None:
    assert place_names("2018年深圳全社會研發經費是多少？") == {"深圳"}
    assert place_names("2018年底，廣州全社會研發經費達600.17億元") == {"广州"}
    assert place_names("2022年中國基礎研究經費達到多少億元？") == set()  # 中国 is too broad to contrast
    assert place_names("What did Shenzhen spend?") == set()


def test_in_script_converts_characters_only() -> None:
    assert in_script("销售额为 1925 亿美元", "traditional") == "銷售額爲 1925 億美元"
    assert in_script("銷售額為 1925 億美元", "simplified") == "销售额为 1925 亿美元"
    assert in_script("34.6% of sales", "english") == "34.6% of sales"
