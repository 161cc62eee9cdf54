"""Which part of a multi-part question a quote answers (``rag.answer.parts``), and the chain's
per-part answers over the seeds."""

from __future__ import annotations

from rag.answer.citations import strip_markers
from rag.answer.parts import own_groups, parallel_topic, says
from rag.assistant import Assistant


def test_own_words_are_those_no_other_part_has() -> None:
    own = own_groups(
        ["报告如何评价中国的研发税收优惠？", "外资安全审查又如何评价？"], translate=lambda _w: []
    )
    first = {t for g in own[0] for t in g}
    second = {t for g in own[1] for t in g}
    assert {"税收", "优惠"} <= first and "评价" not in first  # 评价 is both parts' word
    assert {"外资", "审查"} <= second and "评价" not in second
    assert not says(own[1], "知识产权盗窃 | 有害 | （利于中国企业的）研发税收优惠 | 中性")


def test_parallel_part_is_asked_with_the_part_befores_words_for_its_own_name() -> None:
    topic = parallel_topic(
        "how many does Germany run?", "How many supercomputers in the top list does the US run?"
    )
    assert topic is not None and "supercomputers" in topic and "US" not in topic
    # Another ask, or no name of its own: not parallel (an ordinary follow-up).
    assert parallel_topic("why does Germany run them?", "How many supercomputers does the US run?") is None
    assert parallel_topic("how many does it run?", "How many supercomputers does the US run?") is None
    assert parallel_topic("哪些国家呢？", "美国有多少台？") is None


def test_each_share_is_quoted_under_the_part_naming_its_country(seed_assistant: Assistant) -> None:
    """Both countries' battery shares sit in one passage: each part is answered by the sentence
    about its own country, whichever part's retrieval found it."""
    ans = seed_assistant.ask(
        "How much of the world's battery production capacity does China hold, and how much does the US hold?"
    )
    assert ans.parts is not None and len(ans.parts) == 2
    assert all(p["answered"] for p in ans.parts), ans.parts
    text = strip_markers(ans.answer)
    assert "75%" in text and "10%" in text
