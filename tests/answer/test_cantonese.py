"""Written Cantonese questions are analysed as Standard Written Chinese (rag/answer/cantonese.py)."""

from __future__ import annotations

import pytest

from rag.answer.cantonese import is_cantonese, question_script, standard_written
from rag.assistant import Assistant


@pytest.mark.parametrize(
    ("cantonese", "standard"),
    [
        ("呢個基金喺邊度設立？", "這個基金在哪裡設立？"),
        ("政府撥咗幾多錢？", "政府撥了多少錢？"),
        ("點解佢哋唔再投資？", "為什麼它們不再投資？"),
        ("由邊個負責審批？", "由誰負責審批？"),
        ("邊個部門負責審批？", "哪個部門負責審批？"),
        ("邊間大學參與咗？", "哪間大學參與了？"),
        ("法案想喺邊兩個領域發力？", "法案想在哪兩個領域發力？"),
        ("咁日本又有咩計劃㗎？", "那日本又有什麼計劃？"),
        ("咁嗰段時間每年投資幾多？", "那段時間每年投資多少？"),  # one 那, not 那那
        ("咁同上一屆比係升定跌？", "那同上一屆比是升還是跌？"),  # 定: "or" in an alternative question
        ("呢啲措施係咪有效？", "這些措施是不是有效？"),
        ("兩者嘅關係係點樣？", "兩者的關係是怎樣？"),
        ("香港啲大學有冇參與？", "香港的大學有沒有參與？"),
    ],
)
def test_function_words_become_standard(cantonese: str, standard: str) -> None:
    assert standard_written(cantonese) == standard


@pytest.mark.parametrize(
    "mandarin",
    [
        "邊緣計算的關係是什麼？",  # 邊 (edge) and 係 (關係) in a standard question stay
        "周邊國家的研發投入是多少？",
        "那日本呢？",
        "边缘计算有什么发展？",
        "How much did the CHIPS Act allocate?",
    ],
)
def test_standard_questions_are_untouched(mandarin: str) -> None:
    assert not is_cantonese(mandarin)
    assert standard_written(mandarin) == mandarin


def test_simplified_cantonese_stays_simplified() -> None:
    assert standard_written("呢个计划喺边度推行？") == "这个计划在哪里推行？"


def test_a_cantonese_question_gets_the_answer_of_its_standard_form(seed_assistant: Assistant) -> None:
    cantonese = "香港本地研發總開支佔本地生產總值嘅比率而家係幾多？"
    standard = "香港本地研發總開支佔本地生產總值的比率現在是多少？"
    ours, theirs = seed_assistant.ask(cantonese), seed_assistant.ask(standard)
    assert not ours.refused
    assert ours.question == cantonese  # echoed as written
    assert ours.standalone == standard  # analysed and retrieved in standard form
    assert ours.answer == theirs.answer
    assert [c.chunk_id for c in ours.citations] == [c.chunk_id for c in theirs.citations]


def test_search_reads_cantonese_like_its_standard_form(seed_assistant: Assistant) -> None:
    cantonese = [h.chunk.chunk_id for h in seed_assistant.search("香港嘅創科藍圖有咩發展方向？", 5)]
    standard = [h.chunk.chunk_id for h in seed_assistant.search("香港的創科藍圖有什麼發展方向？", 5)]
    assert cantonese == standard


def test_a_cantonese_question_without_script_signal_is_answered_in_traditional() -> None:
    assert question_script("咁新加坡又推出咗咩法例？") == "traditional"  # no character only one script has
    assert question_script("呢个计划喺边度推行？") == "simplified"  # written in Simplified: stays
    assert question_script("那新加坡呢？") == "simplified"  # not Cantonese: the usual rule
