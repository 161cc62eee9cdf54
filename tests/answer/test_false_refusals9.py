"""Fresh wordings refused for the wrong reason (issue #8, gd9): the slot an abstract 在哪里 or a
length of time since a start asks, and which question words a refusal may say are missing."""

from rag.answer.answerability import missing_terms
from rag.answer.question import analyse, detect_slot


def test_where_of_an_abstract_noun_asks_a_reason() -> None:
    assert detect_slot("专家认为，要让科研成果“有得转”，症结在哪里？") == "reason"
    assert detect_slot("石墨烯要拿来做芯片，难点在哪儿？") == "reason"
    assert detect_slot("两国的差距在哪里？") == "reason"


def test_where_of_a_site_a_name_or_a_located_verb_stays_a_place() -> None:
    assert detect_slot("公司总部在哪里？") == "place"  # a site noun
    assert detect_slot("中关村在哪里？") == "place"  # a place name
    assert detect_slot("会议在哪里举办？") == "place"  # the ask is followed by a verb of location
    assert detect_slot("基地设在哪里？") == "place"  # 设在: the verb is fused with 在
    assert detect_slot("他在哪里？") == "place"  # a pronoun


def test_years_since_a_start_ask_for_a_length_of_time() -> None:
    # answered by "经过32年的发展" (a duration), not by a count of things
    assert detect_slot("中关村发展到现在有多少年了？") == "duration"
    assert detect_slot("这家实验室成立至今多少年？") == "duration"
    # a length of time ahead stays a count of years; 哪一年成立 stays a date
    assert detect_slot("白皮书认为经济危机大约要再过多少年才会显现？") == "count"
    assert detect_slot("之江实验室是哪一年成立的？") == "date"


def test_a_refusal_does_not_name_fragments_or_function_words() -> None:
    absent = missing_terms(analyse("石墨烯要拿来做芯片，难点在哪儿？"), ["无关的文字"])
    assert "烯要" not in absent and "芯片" in absent
    absent = missing_terms(analyse("城市硬科技指数里“科创板企业数量”这一项的数据是从哪里来的？"), ["无关"])
    assert "一项" not in absent and "科创板" in absent
    absent = missing_terms(analyse("中关村发展到现在有多少年了？"), ["无关"])
    assert "现在" not in absent and "中关村" in absent
    # a name the dictionary lacks is still named as missing
    assert "京张" in missing_terms(analyse("京张高铁全长多少公里"), ["高铁全长"])


def test_when_joining_a_clause_to_another_question_word_does_not_ask_a_date() -> None:
    q = "What talent philosophy does Guangdong follow when it recruits technology envoys from abroad?"
    assert detect_slot(q, "en") != "date"
    assert detect_slot("How big was that joint fund in total when it was set up?", "en") == "amount"
    # "when" opening the question or its own clause still asks a date
    assert detect_slot("When did the programme start?", "en") == "date"
    assert (
        detect_slot("Which two US bodies funded chip research, and when did the plan start?", "en") == "date"
    )


def test_a_bill_number_is_a_name_every_passage_must_write() -> None:
    # S.1260 and S.1261 are different bills: the number is required as written, in either language
    assert ("s.1261",) in analyse("What was the final tally when the Senate passed S.1261?").entities
    assert ("s.1260",) in analyse("S.1260法案在参议院以多少票通过？").entities
    assert analyse("How much will China invest by 2025?").entities == ()  # a year is no identifier
