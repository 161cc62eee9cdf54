"""Names an English question asks about: whole names, mapped to the corpus or reported absent."""

from __future__ import annotations

from rag.answer.names import (
    Name,
    common_acronym_places,
    literal_words,
    named_in_question_zh,
    names_in_passage,
    question_names,
    resolve,
    unknown_names_zh,
)
from rag.assistant import Assistant
from rag.retrieve.crosslingual import QueryExpander
from rag.retrieve.glossary import Glossary
from rag.text import keyword_tokens


def _texts(question: str) -> list[str]:
    return [n.text for n in question_names(question)]


def test_whole_names_and_acronyms_not_generic_words():
    assert _texts("Which grants did the Wellcome Trust Fund give to ESA last year?") == [
        "Wellcome Trust Fund",
        "ESA",
    ]
    # A sentence's first word, single capitalised words and common acronyms are not names.
    assert _texts("Market rules: what did the AI plan say about R&D in the US?") == []
    # A possessive ends a name; a code with digits is not an acronym; titles are left to title rules.
    assert _texts("What did Norway's Polar Research Council request for FY2023 under the Ocean Act?") == [
        "Polar Research Council"
    ]
    assert _texts("Per the White House review, how much went to DARPA and the UN?") == [
        "White House",
        "DARPA",
        "UN",
    ]


def _lexicon() -> QueryExpander:
    glossary = Glossary()
    glossary.add("Ministry of Science and Technology", ["科学技术部", "科技部"], "reviewed")
    vocab = {"科技部", "科技", "科学", "技术", "科学技术", "数字", "预算", "nsf"}
    return QueryExpander(vocab, glossary=glossary)


def test_a_mapped_name_becomes_a_constraint_with_its_corpus_forms():
    r = resolve(Name("Ministry of Science and Technology", False), _lexicon())
    assert r.known and "科技部" in r.forms and r.forms[-1] == "ministry of science and technology"
    assert not r.absent


def test_an_acronym_the_corpus_writes_is_known():
    assert resolve(Name("NSF", True), _lexicon()).known


def test_a_body_the_corpus_never_names_is_absent():
    assert resolve(Name("Gates Foundation", False), _lexicon()).absent
    assert resolve(Name("NOAA", True), _lexicon()).absent
    # Two letters are too ambiguous to call absent; a descriptive name without a body kind is not judged.
    assert not resolve(Name("UN", True), _lexicon()).absent
    assert not resolve(Name("Silver Lake Valley", False), _lexicon()).absent


def test_literal_words_of_a_body_name_exclude_its_kind():
    assert literal_words(Name("Digital Agency", False)) == ["digital"]
    assert literal_words(Name("Bank of Finland", False)) == ["bank", "finland"]


def test_a_leading_preposition_is_not_part_of_a_name():
    assert _texts("Besides the Gates Foundation, which donors fund the Polar Research Council?") == [
        "Gates Foundation",
        "Polar Research Council",
    ]
    assert _texts("Apart from NASA, who runs Mars missions?") == ["NASA"]


def test_identifiers_are_bill_and_order_numbers_not_years() -> None:
    from rag.answer.names import identifiers, shares_identifier

    assert identifiers("What was the final tally when the Senate passed S.1260?") == ["S.1260"]
    assert identifiers("What did EO 14017 direct? And H.R. 4346?") == ["14017", "H.R.4346"]
    assert identifiers("The FY2022 budget of the top-10 firms in 2021, post-2008, RIE2025") == []
    assert shares_identifier("passed S.1260?", "《2021 年美国创新与竞争法案》（S.1260），旨在")
    assert not shares_identifier("passed S.1261?", "（S.1260）")
    assert not shares_identifier("in 2021?", "2021 年")


def _places_lexicon() -> QueryExpander:
    glossary = Glossary()
    pairs = (("UK", "英国"), ("Britain", "英国"), ("EU", "欧盟"), ("AI", "人工智能"), ("US", "美国"))
    for english, chinese in pairs:
        glossary.add(english, [chinese], "reviewed")
    # The vocabulary an index of these sentences would hold.
    corpus = (
        "英国、美国和欧盟的人工智能计划。深圳、北京排名靠前。广东省印发规划。澳大利亚公布人工智能行动计划。"
    )
    return QueryExpander(set(keyword_tokens(corpus)), glossary=glossary)


def test_a_common_acronym_naming_a_country_or_union_is_a_place_to_keep():
    lex = _places_lexicon()
    assert common_acronym_places("How much will the EU's new fund give to AI start-ups?", lex) == [("欧盟",)]
    assert common_acronym_places("Which office did the UK open for AI?", lex) == [("英国",)]
    # An acronym the glossary maps to a common word (AI → 人工智能) asks about no place.
    assert common_acronym_places("What AI budget was set?", lex) == []
    # A currency's prefix names the currency of a figure, not a place the passage must name.
    assert common_acronym_places("How is the US$1.1 billion for ARPA-C divided?", lex) == []
    assert common_acronym_places("How much of the US$1.1 billion does the US give?", lex) == [("美国",)]


def test_a_chinese_name_the_corpus_never_writes_is_unknown():
    lex = _places_lexicon()
    shown = "深圳在指数中排名第二，北京第一。"
    assert unknown_names_zh("乌鲁木齐在创新指数里排第几？", lex, shown) == ["乌鲁木齐"]
    # Known places, another name of one (澳洲 = 澳大利亚), and a government (广东省政府 → 广东省) are not.
    assert unknown_names_zh("深圳在创新指数里排第几？", lex, shown) == []
    assert unknown_names_zh("澳洲的人工智能计划投入多少？", lex, shown) == []
    assert unknown_names_zh("廣東省政府的規劃在哪一天印發？", lex, shown) == []
    # jieba tags 段时间 (那段时间, "that period") a name; a span of time names no one.
    assert unknown_names_zh("那段时间铁路每年投资多少？", lex, shown) == []
    # "the two countries", "each country": no one in particular
    assert unknown_names_zh("美日两国的芯片投资有何不同？", lex, shown) == []


def test_a_phrase_with_two_dictionary_senses_gives_each_as_a_form():
    """CC-CEDICT gives Peking University as 北京大学 and as 北大: each is a form the passage may
    write, never the two run together (北京大学北大, which no passage writes)."""
    lexicon = QueryExpander({"北京大学", "北大", "大学", "研制"}, glossary=Glossary())
    r = resolve(Name("Peking University", False), lexicon)
    assert r.known and "北京大学" in r.forms and "北大" in r.forms
    assert "北京大学北大" not in r.forms
    assert set(lexicon.senses("peking university")) == {"北京大学", "北大"}


def test_a_verb_with_its_complement_is_no_unknown_name():
    """jieba's dictionary tags 卡住 and 拉进来 as person names; a question worded with them names no
    one the corpus must write, while a person the corpus never writes still is one."""
    lexicon = QueryExpander({"企业", "技术", "研发"}, glossary=Glossary())
    shown = "企业的关键技术受制于人。政府吸引企业投资研发。"
    assert unknown_names_zh("企业的关键技术为什么总被卡住？", lexicon, shown) == []
    assert unknown_names_zh("政府怎样把企业拉进来投研发？", lexicon, shown) == []
    assert unknown_names_zh("王贻芳对企业研发有何评价？", lexicon, shown) == ["王贻芳"]


def test_a_chinese_question_names_whom_it_asks_about_not_who_says_it() -> None:
    assert named_in_question_zh("华为2021年的研发投入是多少？") == ["华为"]
    assert named_in_question_zh("张江科学城有多少家芯片企业？") == ["张江"]  # 科学城 is a kind
    # who says it (X认为, X说, 在X看来) is a source, not the subject; 《titles》 are read elsewhere
    assert named_in_question_zh("王贻芳说企业的研发投入占多少？") == []
    assert named_in_question_zh("在廖兵看来，最关键的是什么？") == []
    assert "韩国" not in named_in_question_zh("《韩国研发计划》的预算是多少？")
    # kinds of place, and the generic 中国/全球, name no one in particular
    assert named_in_question_zh("发达国家和中国的研发强度各是多少？") == []


def test_a_passage_names_a_body_with_or_without_its_country() -> None:
    assert names_in_passage(["美国国防部"], "报告称，国防部评估了283种材料")
    assert names_in_passage(["华为"], "华为获得了91个5G商用合同")
    assert not names_in_passage(["华为"], "我国基础研究经费2021年达1696亿元")
    assert not names_in_passage(["张江"], "上海已拥有人工智能核心企业1100多家")


def test_a_chinese_question_about_a_named_firm_is_answered_only_from_passages_naming_it(
    seed_assistant: Assistant,
) -> None:
    """The corpus gives Huawei's yearly research funding for academia, and elsewhere the R&D budgets
    of countries: only the passage naming 华为 answers a question about 华为."""
    ans = seed_assistant.ask("华为每年的研发经费规模有多大？")
    assert not ans.refused and ans.citations, ans.answer
    texts = {h.chunk.chunk_id: h.chunk.text for h in ans.passages}
    assert all("华为" in texts[c.chunk_id] for c in ans.citations), ans.answer
