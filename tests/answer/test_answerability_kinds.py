"""What a Chinese question's own words require of an answer (issue #8, refuse4): the place whose
government it names and the kind of organisation it lists, and
quotes held to the best answering sentence."""

from __future__ import annotations

from rag.answer.answerability import (
    government_places,
    names_kind,
    place_problem,
)
from rag.answer.generators import ExtractiveGenerator, ExtractiveParams, GenerationRequest
from rag.answer.question import analyse
from rag.embeddings import Embedder
from rag.text import detect_language, detect_script
from rag.types import Chunk, Hit


def test_the_place_of_a_named_government_must_be_the_passage_s() -> None:
    assert government_places("成都市人民政府和工信部联合发布的行动计划有哪些目标？") == {"成都"}
    assert government_places("江苏省政府去年出台了什么规定？") == {"江苏"}
    assert government_places("国务院办公厅印发了哪些文件？") == frozenset()
    asked = "工信部和杭州市政府共同发布的数字经济行动计划提出了什么目标？"
    other = "工信部 成都市人民政府印发《数字经济行动计划》，提出建设数字经济示范城市。"
    problem = place_problem(asked, other)
    assert problem is not None and "杭州" in problem and "成都" in problem
    assert place_problem(asked, "工信部 杭州市人民政府印发《数字经济行动计划》。") is None
    # A passage naming no place at all is not ruled out: later passages do not repeat the place.
    assert place_problem(asked, "《行动计划》提出建设数字经济示范城市。") is None


def test_a_listed_kind_must_be_named_not_only_announced() -> None:
    q = analyse("首批认定的省级制造业创新中心有哪些？")
    assert not names_kind(q, "到2025年，布局建设若干省级制造业创新中心，突破关键共性技术。")
    assert not names_kind(q, "省级制造业创新中心要坚持市场化运作。")
    assert names_kind(q, "首批认定动力电池创新中心和增材制造创新中心。")
    q = analyse("哪些实验室获得了资助？")
    assert names_kind(q, "之江实验室和鹏城实验室获得了资助。")
    assert not names_kind(q, "多个实验室获得了资助。")


def _request(question: str, texts: list[str]) -> GenerationRequest:
    chunks = [
        Chunk(f"n.txt#{i}", "n.txt", "n.txt", "产业政策汇编", "", t, 0, len(t), 60, i)
        for i, t in enumerate(texts)
    ]
    hits = [Hit(c, 1.0 / r, rank=r) for r, c in enumerate(chunks, 1)]
    return GenerationRequest(
        question, hits, detect_language(question), detect_script(question), asked=question
    )


def test_every_quote_is_held_to_the_best_answering_sentence(embedder: Embedder) -> None:
    """A sentence listing as many items as asked leads only when it matches the question as well as
    an answer must; the share further quotes must reach is taken of the best sentence, not of the
    one quoted first."""
    question = "新能源汽车产业行动方案确定了哪三个重点任务？"
    # The answer runs its tasks together; the weak sentence lists three things (so it used to lead).
    strong = "新能源汽车产业行动方案确定的重点任务是突破电池技术和建设充电网络以及推广公共领域用车。"
    weak = "会议还讨论了人才、土地、资金等问题。"
    request = _request(question, [strong + weak])
    scores = {c.info.sentence(c.j): c.score for c in ExtractiveGenerator(embedder).candidates(request)}
    assert scores[weak] < scores[strong]
    floor = (scores[weak] + scores[strong]) / 2
    params = ExtractiveParams(min_score=floor, keep_ratio=scores[weak] / scores[strong] + 0.01)
    picks, why = ExtractiveGenerator(embedder, params=params).select_with_reason(request)
    assert why is None
    assert [p.info.sentence(p.j) for p in picks] == [strong]
