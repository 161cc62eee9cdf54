"""Near-miss questions (issue #8, nearmiss6): what the question states or names must hold where the
answer is given — a figure it states, the scope (China or the world) it asks about, what a count
counts, the body whose figure it asks for, a one-word company name."""

from __future__ import annotations

from rag.answer.answerability import (
    asked_scope,
    body_forms,
    body_near_problem,
    counted_forms_zh,
    counted_head_zh,
    counted_problem,
    scope_conflict,
)
from rag.answer.citations import PassageCache, mentions_year
from rag.answer.generators import ExtractiveGenerator, GenerationRequest, Pick
from rag.answer.names import single_names
from rag.answer.question import analyse
from rag.retrieve.crosslingual import QueryExpander
from rag.retrieve.glossary import Glossary
from rag.text import detect_language, detect_script
from rag.types import Chunk, Hit


def test_a_clause_about_the_world_does_not_give_chinas_figure() -> None:
    gap = analyse("到2035年中国人工智能人才缺口有多大？")
    assert gap.wants_figure and asked_scope(gap) == "home"
    problem = scope_conflict(gap, "预计到2035年，全球人工智能人才缺口将达到500万。")
    assert problem is not None and "global" in problem
    assert scope_conflict(gap, "预计到2035年，我国人工智能人才缺口将达到500万。") is None
    # The world named in passing, in a clause stating no figure, does not own the figure.
    assert scope_conflict(gap, "为应对全球人才竞争，报告估计缺口将达到500万。") is None
    # The other way round: a global figure is not answered by China's.
    world = analyse("How large is the worldwide market for industrial robots?")
    assert asked_scope(world) == "world"
    assert scope_conflict(world, "2021年，中国工业机器人市场规模达到75亿美元。") is not None
    assert scope_conflict(world, "2021年全球工业机器人市场规模达到175亿美元。") is None
    # A question naming both scopes ("China's share of the global market") asks about neither alone.
    assert asked_scope(analyse("中国占全球工业机器人市场的比重是多少？")) is None


def test_a_count_counts_what_the_question_counts() -> None:
    assert counted_head_zh("这项计划一共资助了多少个量子计算项目？") == "项目"
    assert counted_head_zh("新区目前有几所研究型大学？") == "大学"
    assert counted_head_zh("一共收到多少件？") == ""
    forms = counted_forms_zh("该法案预计每年多产生多少项发明专利？")
    assert "专利" in forms
    problem = counted_problem(forms, "法案整合了此前的40多项提案。")
    assert problem is not None and "专利" in problem
    assert counted_problem(forms, "报告估计每年可多产生600余项专利。") is None


def test_a_bodys_figure_is_given_where_the_body_is_named() -> None:
    bodies = body_forms([("能源部", "department of energy"), ("新加坡",), ("三星", "samsung")])
    assert bodies == [("能源部", "department of energy")]
    problem = body_near_problem(bodies, "评估报告的主要发现\n\n3 | 为中小企业提供中试平台")
    assert problem is not None and "能源部" in problem
    assert body_near_problem(bodies, "能源部目前资助7家制造业创新研究所。") is None


def test_one_word_company_names_become_constraints() -> None:
    lexicon = QueryExpander({"三星", "华为", "中资", "人民币", "数字"}, glossary=Glossary())
    names = single_names(
        "How much would Samsung gain if Chinese and Digital firms lost Huawei's share?", lexicon
    )
    assert ("三星", "samsung") in names and ("华为", "huawei") in names
    # Words the dictionary turns into common words (Chinese → 中资) or the question's first word are not names.
    assert all("中资" not in forms and "数字" not in forms for forms in names)
    assert single_names("Samsung spent how much?", lexicon) == []


def _request(question: str, texts: list[str]) -> GenerationRequest:
    chunks = [
        Chunk(f"m.txt#{i}", "m.txt", "m.txt", "制造业发展报告", "", t, 0, len(t), 60, i)
        for i, t in enumerate(texts)
    ]
    hits = [Hit(c, 1.0 / r, rank=r) for r, c in enumerate(chunks, 1)]
    return GenerationRequest(question, hits, detect_language(question), detect_script(question))


def test_a_global_figure_is_not_answered_by_named_countries() -> None:
    """nearmiss8: asked for the world, a clause naming a country (or a province) gives that place's
    figure; one naming the world, or no place at all, may still give the world's."""
    world = analyse("2021年全世界量子计算领域的融资额是多少？")
    assert asked_scope(world) == "world"
    problem = scope_conflict(world, "2021年，德国量子计算融资达到12亿美元，日本达到8亿美元。")
    assert problem is not None and "德国" in problem and "global" in problem
    assert scope_conflict(world, "2021年，全球量子计算融资达到32亿美元，其中德国12亿美元。") is None
    assert scope_conflict(world, "据统计，2021年量子计算领域融资达到32亿美元。") is None
    # Asked for China, another country's clause is the owner rule's business, not the scope rule's.
    home = analyse("我国量子计算领域2021年的融资额是多少？")
    assert scope_conflict(home, "2021年，德国量子计算融资达到12亿美元。") is None


def test_a_sentence_naming_its_own_years_is_not_dated_by_its_title() -> None:
    """nearmiss8: a report titled with its year (《2023数字经济蓝皮书》) quotes older figures; a
    sentence naming its own years is read without the title, one naming none keeps it."""
    text = "全球储能电池出货量从2016年的5GWh增长到2019年的25GWh。今年储能电池出货量将再翻一番。"
    chunk = Chunk("y.txt#0", "y", "y.txt", "2023数字经济蓝皮书", "", text, 0, len(text), 40)
    info = PassageCache().get(chunk)
    older, undated = Pick(1, info, 0, 1.0), Pick(1, info, 1, 1.0)
    assert not mentions_year(ExtractiveGenerator._year_scope(older), "2023")
    assert mentions_year(ExtractiveGenerator._year_scope(older), "2019")
    assert mentions_year(ExtractiveGenerator._year_scope(undated), "2023")
