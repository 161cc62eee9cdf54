"""What a follow-up (or a later part of a multi-part question) carries from the question before
it: the subject, not what was asked about it; a place it carries must be named by the answering
passage or the chunk that passage continues. Wordings are our own (no gold item)."""

from __future__ import annotations

from rag.answer.dialogue import (
    about_places,
    carried_places,
    carried_topic,
    condense_follow_up,
    content_of,
    place_aliases,
    preceding_text,
)
from rag.assistant import Assistant
from rag.types import Chunk, Hit


def test_the_subject_is_carried_without_what_was_asked_about_it() -> None:
    previous = "东莞智能制造行动计划希望制造业到2030年达到什么水平？"
    # 希望 is the predicate; 行动计划 is one word (a plan), not the verb 计划 "plans to".
    assert carried_topic(previous) == "东莞智能制造行动计划"
    out = condense_follow_up("它对中小企业有什么扶持？", [("user", previous)])
    assert out == "东莞智能制造行动计划对中小企业有什么扶持？"
    assert "2030" not in out  # the previous question's year qualified what it asked, not the plan
    # A subject too short to name anything ("报告用"): the whole question without its asking words.
    assert carried_topic("报告用什么词取代了「数字鸿沟」？") == "报告用词取代了「数字鸿沟」"
    assert content_of("报告用什么词取代了「数字鸿沟」？") == "报告用词取代了「数字鸿沟」"


def test_a_carried_place_must_be_named_under_one_of_its_names() -> None:
    assert carried_places("日本氢能战略 计划建多少座加氢站？", "计划建多少座加氢站？") == {"日本"}
    # A follow-up naming its own place asks about that place; nothing carried, nothing required.
    assert carried_places("日本氢能战略 韩国计划建多少座加氢站？", "韩国计划建多少座加氢站？") == set()
    assert carried_places("多少座加氢站？", "多少座加氢站？") == set()
    assert "澳大利亚" in place_aliases("澳洲")
    assert "上海" in place_aliases("上海市")
    assert about_places(frozenset({"澳洲"}), "澳大利亚政府公布了行动计划")
    assert not about_places(frozenset({"日本"}), "美国企业计划发射数千颗卫星")


def _hit(source: str, ordinal: int, text: str) -> Hit:
    chunk = Chunk(
        chunk_id=f"{source}#{ordinal}",
        doc_id=source,
        source=source,
        title="",
        section="",
        text=text,
        start=0,
        end=len(text),
        tokens=len(text),
        ordinal=ordinal,
    )
    return Hit(chunk=chunk, score=1.0)


def test_a_passage_continues_the_chunk_before_it_when_that_was_retrieved() -> None:
    first = _hit("a.txt", 3, "《海南自贸港数字经济规划》印发。")
    second = _hit("a.txt", 4, "《规划》提出建设三个数据中心。")
    other = _hit("b.txt", 3, "别的文件。")
    assert preceding_text(second, [second, other, first]) == first.chunk.text
    assert preceding_text(second, [second, other]) == ""  # not retrieved: nothing is read into it
    assert preceding_text(first, [first, second]) == ""


def test_a_follow_up_about_a_carried_country_is_not_answered_from_another_country(
    seed_assistant: Assistant,
) -> None:
    """The seeds count satellites only for SpaceX: after a question about Japan's strategy, "how many
    satellites" is about Japan, and the SpaceX figure is no answer; after a question about SpaceX it is."""
    japan = [{"role": "user", "content": "日本通信战略除了基站还要发展什么？"}]
    ans = seed_assistant.ask("打算发射多少颗低轨卫星？", history=japan)
    assert ans.standalone.startswith("日本通信战略")
    assert ans.refused and ans.citations == [], ans.answer
    spacex = [{"role": "user", "content": "SpaceX是哪一年开始发射星链卫星的？"}]
    ans = seed_assistant.ask("计划发射多少颗卫星？", history=spacex)
    assert not ans.refused, ans.refusal_reason
    assert "万颗" in ans.answer or "700" in ans.answer


def test_a_carried_place_is_found_under_its_other_name(seed_assistant: Assistant) -> None:
    """澳洲 in the previous question, 澳大利亚 in the passage: the follow-up is answered."""
    history = [{"role": "user", "content": "澳洲的人工智能行动计划由哪个部门公布？"}]
    ans = seed_assistant.ask("它在国防方面有什么直接措施？", history=history)
    assert ans.standalone == "澳洲的人工智能行动计划在国防方面有什么直接措施？"
    assert not ans.refused, ans.refusal_reason
    assert "国防" in ans.answer
