"""The evaluation metrics on hand-made cases whose right answer is worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eval import metrics as M
from rag.text import detect_language, detect_script
from rag.types import Answer, Chunk, Citation, Hit, Sentence

# --- relevance ---------------------------------------------------------------------------


def test_normalize_for_match_drops_whitespace_and_folds_width() -> None:
    assert M.normalize_for_match("同比增长 26.2％\n\n 以上") == "同比增长26.2%以上"
    assert M.normalize_for_match("ＡＢＣ　１２") == "ABC12"
    # A table row as the file has it (tabs) and as the cleaner indexes it (" | ") is one row.
    assert M.is_relevant("獨角獸企業數目 | 0 間 | 12 間 | 18 間", ["獨角獸企業數目\t0 間\t12 間"])


def test_relevant_across_reflowed_line_breaks() -> None:
    chunk = "全球半导体销售额达到了\n\n5559 亿美元并创季度新高，同比增长 26.2%。"
    assert M.is_relevant(chunk, ["售额达到了 5559 亿美元并创季度新高"])
    assert M.is_relevant(chunk, ["nothing", "同比增长26.2％"])
    assert not M.is_relevant(chunk, ["5560 亿美元"])


def test_relevance_folds_nothing_else() -> None:
    # Traditional vs Simplified, or a rewritten quote mark, is a real difference: not matched.
    assert not M.is_relevant("中国市场集成电路", ["中國市場集成電路"])
    assert not M.is_relevant("“卡脖子”", ["‚卡脖子‛"])


def test_relevance_flags_and_unanswerable() -> None:
    texts = ["alpha beta", "gamma", "beta  gamma"]
    assert M.relevance_flags(texts, ["betagamma"]) == [False, False, True]
    assert M.relevance_flags(texts, []) == [False, False, False]
    assert M.relevance_flags(texts, ["  "]) == [False, False, False]  # blank evidence never matches


# --- ranking -----------------------------------------------------------------------------


def test_recall_mrr() -> None:
    flags = [False, False, True, False, True]
    assert [M.recall_at_k(flags, k) for k in (1, 2, 3, 10)] == [0.0, 0.0, 1.0, 1.0]
    assert M.reciprocal_rank(flags) == pytest.approx(1 / 3)
    assert M.reciprocal_rank([False] * 10 + [True]) == 0.0  # beyond the cut-off
    assert M.reciprocal_rank([]) == 0.0


def test_ndcg_by_hand() -> None:
    # relevant at ranks 1 and 3, two evidence strings: (1 + 1/2) / (1 + 1/log2 3)
    assert M.ndcg_at_k([True, False, True], 2) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert M.ndcg_at_k([True], 1) == 1.0
    assert M.ndcg_at_k([False, True], 1) == pytest.approx(1 / math.log2(3))
    assert M.ndcg_at_k([False] * 10, 2) == 0.0
    assert M.ndcg_at_k([], 0) == 0.0


def test_ndcg_stays_in_range_when_overlapping_chunks_repeat_one_evidence() -> None:
    # one evidence string, found in three overlapping chunks at ranks 2-4: ideal holds 3 hits
    score = M.ndcg_at_k([False, True, True, True], 1)
    ideal = sum(1 / math.log2(i + 2) for i in range(3))
    got = sum(1 / math.log2(i + 2) for i in (1, 2, 3))
    assert score == pytest.approx(got / ideal)
    assert 0 < score < 1
    assert M.ndcg_at_k([True, True, True], 1) == pytest.approx(1.0)


def test_aggregate_ranking_and_curve() -> None:
    rows = [([True], 1), ([False, True], 1), ([False] * 10, 1), ([False] * 5 + [True], 2)]
    agg = M.aggregate_ranking(rows)
    assert agg["n"] == 4
    assert agg["recall@1"] == 0.25
    assert agg["recall@5"] == 0.5
    assert agg["recall@10"] == 0.75
    assert agg["mrr@10"] == pytest.approx((1 + 0.5 + 0 + 1 / 6) / 4)
    assert agg["recall_curve"] == [0.25, 0.5, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75, 0.75, 0.75]
    assert M.aggregate_ranking([])["recall@5"] is None


def test_grouped_by_lang_and_script() -> None:
    recs = [
        {"lang": "zh", "script": "simplified", "x": 1.0},
        {"lang": "zh", "script": "traditional", "x": 0.0},
        {"lang": "en", "script": "english", "x": 1.0},
    ]
    out = M.grouped(recs, lambda rows: {"n": len(rows), "mean": M.mean(r["x"] for r in rows)})
    assert out["all"] == {"n": 3, "mean": pytest.approx(2 / 3)}
    assert out["by_lang"]["zh"] == {"n": 2, "mean": 0.5}
    assert out["by_script"]["traditional"]["mean"] == 0.0


# --- numbers -----------------------------------------------------------------------------


def test_normalize_numbers() -> None:
    assert M.normalize_numbers("１９２５ 和 ３４．６％") == "1925 和 34.6%"
    assert M.normalize_numbers("1，925") == "1，925"  # a full-width comma is punctuation, kept
    assert M.normalize_numbers("1,925,000 元") == "1925000 元"
    assert M.normalize_numbers("5 559 亿") == "5559 亿"
    assert M.normalize_numbers("2萬億元、3億") == "2万亿元、3亿"
    assert M.normalize_numbers("2,3 家") == "2,3 家"  # not a thousands separator


def test_figures_skip_dates_and_keep_units() -> None:
    assert M.figures("2021 年 5 月，销售额 5559 亿美元，同比增长 26.2％") == [(5559.0, "亿"), (26.2, "%")]
    assert M.figures("HK$4 billion (40億元)") == [(4.0, "billion"), (40.0, "亿")]


def test_key_figure_prefers_source_units_over_english_gloss() -> None:
    assert M.key_figure("HK$4 billion (40億元), set up in 2018.") == (40.0, "亿")
    assert M.key_figure("2021年达1696亿元，超过6%") == (1696.0, "亿")
    assert M.key_figure("Only 30%.") == (30.0, "%")
    assert M.key_figure("no figure") is None
    assert M.key_figure("204 GW (2.04亿千瓦), about 10.2%") == (2.04, "亿")
    assert M.key_figure("Five (①–⑤): manufacturing capacity, incentives …") == (5.0, "")


@pytest.mark.parametrize(
    ("reference", "answer", "ok"),
    [
        ("5559亿美元 (US$555.9 billion)", "全球销售额达到了 5559 亿美元 [1]", True),
        ("34.6%", "占全球销售额的 ３４.６％ [2]", True),
        ("1925亿美元", "销售额为 1,925 亿美元", True),
        ("2萬億元", "研发投入突破 2 万亿元", True),
        ("16%", "占比 116%", False),  # a different number that merely contains it
        ("16%", "占比 16", False),  # the unit matters
        ("54.1万", "54.1 万人", True),
        ("5559亿", "", False),
        ("8800万元", "首期投入资金八千八百万元[1]", True),  # Chinese numerals are figures
        ("HK$4 billion (40億元)", "The fund is HK$4 billion [1].", True),  # same value, English units
        ("30%", "自给率为百分之三十", True),
        ("30%", "30亿", False),  # a percentage only matches a percentage
        ("Five.", "并就此提出了5个方面政策建议[1]", True),  # a count spelled out in the reference
        ("Five.", "It makes five areas of recommendations [1].", True),
        ("Five.", "It makes six areas of recommendations [1].", False),
        ("1个", "one of the measures [1]", False),  # "one" is no count, [1] a citation
        ("3项", "三项措施 [3]", True),
        # power and energy in SI prefixes are read in the documents' kW and kWh
        ("204 GW (2.04亿千瓦)", "204 million kW (2.04亿千瓦) [1]", True),
        ("204 GW (2.04亿千瓦)", "204 kW [1]", False),
        ("93GWh。", "93 million kWh [1]", True),
        ("93GWh。", "有93Gwh的动力电池退役 [1]", True),
    ],
)
def test_key_fact_match(reference: str, answer: str, ok: bool) -> None:
    assert M.key_fact_match(reference, answer) is ok


# --- answers -----------------------------------------------------------------------------


def _chunk(cid: str, text: str) -> Chunk:
    return Chunk(cid, "d", "s.txt", "", "", text, 0, len(text), 0)


def _answer(text: str, *, refused: bool = False) -> Answer:
    """Two passages; [1] holds the gold evidence, [2] does not; sentence 2 (citing [2]) is supported."""
    p1 = _chunk("s.txt#1", "2021 年中国市场集成电路销售额为 1925 亿美元，占全球销售额的 34.6%。")
    p2 = _chunk("s.txt#2", "韩国和台湾省晶圆产能在全球占比分别为 23%、21%。")
    return Answer(
        question="q",
        language="zh",
        answer=text,
        refused=refused,
        generator="test",
        citations=[
            Citation(1, "s.txt#1", "s.txt", "", "", "占全球销售额的 34.6%", 0, 1),
            Citation(2, "s.txt#2", "s.txt", "", "", "分别为 23%、21%", 0, 1),
            Citation(3, "s.txt#9", "s.txt", "", "", "不在段落里", 0, 1),  # falls back to the quote
        ],
        sentences=[
            Sentence("中国市场占全球 34.6%[1]。", [1], False, 0.2),
            Sentence("韩国 23%[2][3]。", [2, 3], True, 0.9),
            Sentence("无引用的一句。", [], False, 0.0),
        ],
        passages=[Hit(p1, 1.0, 1), Hit(p2, 0.5, 2)],
    )


def _score(answer: Answer, **kw: object) -> M.AnswerScore:
    args: dict = {
        "evidence": ["占全球销售额的 34.6%"],
        "answerable": True,
        "item_type": "number",
        "lang": "zh",
        "script": "simplified",
        "reference": "34.6%（1925億美元）",
        "detect_language": detect_language,
        "detect_script": detect_script,
    }
    args.update(kw)
    return M.score_answer(answer, **args)


def test_score_answer_strict_and_combined_citations() -> None:
    s = _score(_answer("中国市场集成电路销售额占全球销售额的 34.6%[1]。韩国晶圆产能占 23%[2][3]。"))
    assert (s.citations, s.citations_gold, s.citations_combined) == (3, 1, 3)
    assert s.cites_gold
    assert (s.sentences, s.sentences_supported) == (3, 1)
    assert s.key_fact is True
    assert s.lang_match and s.declared_language_match and s.script_match


def test_score_answer_without_verifier_and_wrong_script() -> None:
    s = _score(_answer("中國市場集成電路銷售額佔全球銷售額的 34.6%[1]。"), verified=False)
    assert (s.citations_gold, s.citations_combined) == (1, 1)  # no verifier: combined = strict
    assert s.sentences_supported is None
    assert s.lang_match and s.script_match is False


def test_score_answer_refusal_and_unanswerable() -> None:
    refused = _score(_answer("资料中没有相关信息。", refused=True))
    assert refused.refused and refused.citations == 0 and not refused.cites_gold
    assert refused.key_fact is False and refused.sentences == 0
    una = _score(_answer("Not in the documents."), answerable=False, evidence=[], item_type="unanswerable")
    assert una.citations == 0 and una.key_fact is None
    assert una.lang_match is False  # an English reply to a Chinese question ...
    assert una.declared_language_match is True  # ... that the system labelled "zh"


def test_key_fact_in_english_reads_only_the_english_part() -> None:
    en = {"lang": "en", "reference": "US$24 billion (240亿美元)", "script": "english"}
    said = _score(_answer("According to 《t》: US$24 billion (240亿美元) — “拨款240亿美元” [1]."), **en)
    assert said.key_fact is True and said.key_fact_english is True
    quoted = _score(_answer("According to 《t》, “为芯片基金拨款240亿美元” [1]."), **en)
    assert quoted.key_fact is True and quoted.key_fact_english is False  # only in the Chinese quote
    assert _score(_answer("占全球销售额的 34.6%[1]。")).key_fact_english is None  # a Chinese item
    rows = [
        ({"answerable": True, "type": "number", "lang": "en"}, said.to_dict()),
        ({"answerable": True, "type": "number", "lang": "en"}, quoted.to_dict()),
    ]
    assert M.aggregate_answers(rows)["key_fact_in_english"] == 0.5


def test_aggregate_answers() -> None:
    def row(answerable: bool, typ: str, lang: str, **score: object) -> tuple[dict, dict]:
        base = {
            "refused": False,
            "citations": 0,
            "citations_gold": 0,
            "citations_combined": 0,
            "cites_gold": False,
            "sentences": 0,
            "sentences_supported": 0,
            "key_fact": None,
            "lang_match": True,
            "declared_language_match": True,
            "script_match": None,
        }
        base.update(score)
        return {"answerable": answerable, "type": typ, "lang": lang}, base

    rows = [
        row(True, "number", "zh", citations=2, citations_gold=1, citations_combined=2, cites_gold=True,
            sentences=2, sentences_supported=2, key_fact=True, script_match=True),
        row(True, "fact", "en", citations=2, citations_gold=0, citations_combined=1, sentences=2,
            sentences_supported=1, lang_match=False, declared_language_match=False),
        row(True, "number", "zh", refused=True, key_fact=False, script_match=False),
        row(False, "unanswerable", "en", refused=True),
        row(False, "unanswerable", "zh", citations=0, sentences=1, sentences_supported=0, script_match=True),
    ]  # fmt: skip
    agg = M.aggregate_answers(rows)
    assert agg["citation_precision_strict"] == 0.25
    assert agg["citation_precision_combined"] == 0.75
    assert agg["citation_recall"] == pytest.approx(1 / 3)
    assert agg["refusal_accuracy"] == 0.5
    assert agg["false_refusal_rate"] == pytest.approx(1 / 3)
    assert agg["key_fact_match"] == 0.5
    assert agg["key_fact_in_english"] is None  # no English number item
    assert agg["language_match"] == 0.8
    assert agg["declared_language_match"] == 0.8
    assert agg["script_match_zh"] == pytest.approx(2 / 3)
    assert agg["supported_sentences"] == 0.6
    empty = M.aggregate_answers([])
    assert empty["citation_recall"] is None and empty["n"] == 0


# --- latency -----------------------------------------------------------------------------


def test_percentile_matches_numpy() -> None:
    values = [12.0, 3.0, 7.5, 100.0, 42.0, 8.0, 9.0]
    for q in (0, 50, 90, 95, 100):
        assert M.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert M.percentile([], 50) is None
    lat = M.latency_summary({"retrieve": [1.0, 3.0], "verify": []})
    assert lat["retrieve"] == {"n": 2, "p50": 2.0, "p95": pytest.approx(2.9), "mean": 2.0}
    assert lat["verify"]["p50"] is None


# --- blind set: follow-ups and multi-part questions ---------------------------------------


def test_followup_right() -> None:
    ok = {"refused": False, "cites_gold": True, "key_fact": None}
    assert M.followup_right(ok, answerable=True, item_type="fact")
    assert not M.followup_right({**ok, "key_fact": False}, answerable=True, item_type="number")
    assert not M.followup_right({**ok, "cites_gold": False}, answerable=True, item_type="fact")
    assert M.followup_right({**ok, "refused": True}, answerable=False, item_type="unanswerable")
    assert not M.followup_right(ok, answerable=False, item_type="unanswerable")


def test_score_parts() -> None:
    answer = _answer("中国市场占全球 34.6%[1]。")
    parts = [
        {"question": "中国市场占比多少？", "evidence": ["占全球销售额的 34.6%"]},
        {"question": "欧洲占比多少？", "unanswerable": True, "missing": "没有欧洲"},
    ]
    assert M.score_parts(answer, parts) == [True, False]  # the second part was not named missing
    answer.parts = [
        {"question": "中国市场占比多少？", "answered": True, "citations": [1]},
        {"question": "欧洲占比多少？", "answered": False, "citations": []},
    ]
    assert M.score_parts(answer, parts) == [True, True]
    answer.parts[0]["citations"] = [2]  # the part's own citation misses its evidence
    assert M.score_parts(answer, parts) == [False, True]
    refused = _answer("无法回答", refused=True)
    assert M.score_parts(refused, parts) == [False, True]


def test_cells_of_a_table_row_are_separate_figures() -> None:
    """A space joins thousands groups ("35 450 人"), never two decimal cells of a row ("84.04 80.80")."""
    assert M.figures("35 450 人") == [(35450.0, "")]
    assert [v for v, _ in M.figures("北京 84.04 80.80")] == [84.04, 80.8]
