"""Numbered items asked by their number, items' own content, and "哪几" read as a which-question."""

from __future__ import annotations

from rag.answer.generators import ExtractiveGenerator, GenerationRequest, asked_items, item_label
from rag.answer.generators.extractive import _asks_figure
from rag.assistant import Assistant
from rag.text import detect_language, detect_script


def _request(assistant: Assistant, question: str, k: int = 6) -> GenerationRequest:
    hits = assistant.search(question, k)
    return GenerationRequest(question, hits, detect_language(question), detect_script(question))


def test_item_labels_are_read_with_their_number() -> None:
    assert item_label("策略一：完善創科生態圈，促進上中下游相互發展。") == ("策略", 1)
    assert item_label("方向十二、加强合作") == ("方向", 12)
    assert item_label("措施3. 设立基金") == ("措施", 3)
    assert item_label("第一，加强基础研究。") is None  # an ordinal, no noun: "第一條高鐵" asks for no item
    assert item_label("藍圖八大策略") is None


def test_a_question_names_an_item_only_by_the_passages_label_noun() -> None:
    assert asked_items("藍圖的策略一以甚麼為目標？", {"策略"}) == {("策略", 1)}
    assert asked_items("方向二和方向三分别是什么？", {"方向"}) == {("方向", 2), ("方向", 3)}
    assert asked_items("藍圖的策略一以甚麼為目標？", {"方向"}) == set()
    assert asked_items("策略一级指标有哪些？", {"策略"}) == set()  # 一级 is a level, not item one


def test_which_several_asks_for_items_not_a_count() -> None:
    assert not _asks_figure("文件主张以哪几个体系为基准来完善技术创新规划？")
    assert _asks_figure("文件提出了几个体系？")
    assert _asks_figure("投入了多少资金？")


def test_an_item_asked_by_its_number_is_answered_by_that_item(seed_assistant: Assistant) -> None:
    """The blueprint's eight strategies share every word but their number: the asked one answers."""
    gen = ExtractiveGenerator(seed_assistant.embedder)
    for question, own, others in [
        ("藍圖策略三的目標是甚麼？", "策略三：", ("策略一：", "策略四：", "策略五：")),
        ("香港創科藍圖的策略六提出了哪些建議？", "策略六：", ("策略四：", "策略七：", "策略八：")),
    ]:
        text = gen.answer_text(_request(seed_assistant, question))
        assert own in text, question
        assert not any(o in text for o in others), (question, text)


def test_a_question_about_one_items_content_is_not_answered_by_the_item_list(
    seed_assistant: Assistant,
) -> None:
    """ "一、四大重点领域及其直接措施" numbers four areas, each with its measures under it: a question
    about one area's measures quotes what is said under that area, not the four area lines."""
    gen = ExtractiveGenerator(seed_assistant.embedder)
    text = gen.answer_text(
        _request(seed_assistant, "澳大利亚为了用人工智能解决国家挑战，打算采取哪些直接措施？")
    )
    assert "解决国家挑战" in text
    assert "开发和采用人工智能，转变澳大利亚的商务" not in text


def test_which_several_systems_is_answered_by_the_sentence_naming_them(seed_assistant: Assistant) -> None:
    gen = ExtractiveGenerator(seed_assistant.embedder)
    text = gen.answer_text(_request(seed_assistant, "硬科技顶层设计要以哪几个体系作为基准？"))
    assert "实验发展研究应用创新体系为基准" in text


def test_an_ordinal_follow_up_is_answered_by_that_item_of_the_list(seed_assistant: Assistant) -> None:
    """ "第三個呢？" after a question about the blueprint's first direction asks for 方向三 (its line
    opens "方向三：…"; another line opens with two labels, "策略二：方向二：…", and heads 方向二)."""
    history = [{"role": "user", "content": "香港創科藍圖的第一個發展方向是甚麼？"}]
    first = seed_assistant.ask(history[0]["content"])
    history.append({"role": "assistant", "content": first.answer})
    for ordinal, own, others in [
        ("第三個呢？", "方向三", ("方向一", "方向四")),
        ("第二個呢？", "方向二", ("方向一", "方向三")),
    ]:
        ans = seed_assistant.ask(ordinal, history=history)
        assert own in ans.answer, (ordinal, ans.answer)
        assert not any(o in ans.answer for o in others), (ordinal, ans.answer)
