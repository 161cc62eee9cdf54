"""The prompts and our own wording: numbered context, citation and refusal rules, language/script."""

from __future__ import annotations

import pytest

from rag.answer.citations import markers_in
from rag.answer.prompts import (
    EN,
    REFUSAL,
    ZH_HANS,
    ZH_HANT,
    answer_messages,
    answer_prompt,
    condense_messages,
    english_frame,
    extractive_lead,
    format_context,
    is_refusal,
    refusal_message,
    variant,
)
from rag.text import detect_language, detect_script
from rag.types import Chunk, Hit


def _hit(n: int, text: str, section: str = "") -> Hit:
    chunk = Chunk(f"a.txt#{n}", "d", "a.txt", f"标题{n}", section, text, 0, len(text), 10, n)
    return Hit(chunk=chunk, score=1.0)


HITS = [_hit(1, "基础研究经费达 1696 亿元。", "现状 > 投入"), _hit(2, "芯片自给率 2025 年达到 70%。")]


def test_variants() -> None:
    assert variant("zh", "simplified") == ZH_HANS
    assert variant("zh", "traditional") == ZH_HANT
    assert variant("en", "english") == EN


def test_refusal_wording_matches_its_language_and_script() -> None:
    assert detect_language(REFUSAL[EN]) == "en"
    assert detect_script(REFUSAL[ZH_HANS]) == "simplified"
    assert detect_script(REFUSAL[ZH_HANT]) == "traditional"
    assert refusal_message("zh", "traditional") == REFUSAL[ZH_HANT]
    assert refusal_message("en", "english") == REFUSAL[EN]


def test_context_block_is_numbered_with_title_and_section() -> None:
    ctx = format_context(HITS)
    assert ctx.startswith("[1] 《标题1》 — 现状 > 投入\n基础研究经费达 1696 亿元。")
    assert "\n\n[2] 《标题2》\n芯片自给率" in ctx
    assert markers_in(ctx) == [1, 2]


@pytest.mark.parametrize(
    ("language", "script"), [("zh", "simplified"), ("zh", "traditional"), ("en", "english")]
)
def test_answer_prompt_carries_every_rule(language: str, script: str) -> None:
    system, user = answer_messages("问题？", HITS, language, script)
    assert system.type == "system" and user.type == "human"
    assert refusal_message(language, script) in system.content  # the exact refusal wording
    assert "[1]" in system.content  # how to cite
    assert "[1] 《标题1》" in user.content and "问题？" in user.content
    if script == "traditional":
        assert "繁體" in system.content
        assert detect_script(user.content.split("[1]")[0]) == "traditional"
    elif script == "simplified":
        assert "简体" in system.content
    else:
        assert "Answer in English" in system.content


def test_answer_prompt_is_a_langchain_template() -> None:
    prompt = answer_prompt("zh", "simplified")
    assert set(prompt.input_variables) == {"context", "question"}


def test_condense_prompt_keeps_history_and_language() -> None:
    msgs = condense_messages(
        "那2020年呢？", [("user", "2021年基础研究经费是多少？"), ("assistant", "1696亿元[1]。")]
    )
    text = "\n".join(str(m.content) for m in msgs)
    assert "2021年基础研究经费是多少？" in text and "那2020年呢？" in text
    assert "Traditional stays Traditional" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (REFUSAL[ZH_HANS], True),
        (REFUSAL[EN] + " [1]", True),
        ("文件中没有提到2022年的数据。", True),
        ("The passages do not contain this information.", True),
        ("基础研究经费达 1696 亿元[1]。", False),
        ("The documents are in Chinese; the relevant passages, quoted verbatim:\nAccording to …", False),
        ("", False),
    ],
)
def test_is_refusal(text: str, expected: bool) -> None:
    assert is_refusal(text) is expected


def test_extractive_framing() -> None:
    assert detect_script(extractive_lead("zh", "traditional")) == "traditional"
    assert extractive_lead("zh", "simplified").endswith("：")
    assert extractive_lead("en", "english").endswith(":")
    assert english_frame("报告", "增长较快", 2) == "According to 《报告》, “增长较快” [2]."


def test_translation_prompt_numbers_every_evidence_line_and_has_no_refusal_option() -> None:
    from rag.answer.prompts import translation_messages

    evidence = [
        (1, "快报", "2022财年为该基金拨款 US$24 billion 。"),
        (3, "白皮书", "中国独角兽企业已达到227家。"),
    ]
    system, user = translation_messages(evidence)
    assert "[1] 《快报》: 2022财年为该基金拨款 US$24 billion 。" in user.content
    assert "[3] 《白皮书》: 中国独角兽企业已达到227家。" in user.content
    assert "do not contain" not in system.content  # the gate has already decided the question is answerable
    assert "exactly as written" in system.content
