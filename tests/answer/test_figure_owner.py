"""Whose figure is it? A figure asked about one subject is not answered by a sentence giving a
sibling's figure (another company, country or body), in Chinese and in English questions; the
asked subject's own figure still answers (own passages, real jieba and CC-CEDICT)."""

from __future__ import annotations

from dataclasses import replace

from rag.answer.answerability import asked_subjects, figure_owner_problem
from rag.answer.generators import ExtractiveGenerator
from rag.answer.question import analyse
from rag.embeddings import Embedder
from rag.retrieve.crosslingual import QueryExpander
from rag.retrieve.glossary import Glossary

PASSAGE = (
    "欧洲5G设备市场上，华为、诺基亚和爱立信竞争激烈。"
    "华为在欧洲获得了40个合同，其中12个在德国。"
    "爱立信在欧洲获得了35个合同。"
)


def test_a_clause_naming_no_one_belongs_to_the_sentences_subject() -> None:
    # "其中12个在德国" names a place, not a company: its figure is still 华为's.
    sentence = "华为在欧洲获得了40个合同，其中12个在德国。"
    why = figure_owner_problem(analyse("诺基亚在欧洲获得了多少个合同？"), sentence, "", PASSAGE)
    assert why is not None and "华为" in why and "诺基亚" in why


def test_the_asked_subjects_own_figure_answers() -> None:
    own = "爱立信在欧洲获得了35个合同。"
    assert figure_owner_problem(analyse("爱立信在欧洲获得了多少个合同？"), own, "", PASSAGE) is None
    # A figure whose sentence names no one may be the one asked.
    anonymous = "截至年底，累计获得了35个合同。"
    assert figure_owner_problem(analyse("爱立信在欧洲获得了多少个合同？"), anonymous, "", PASSAGE) is None


def test_an_english_question_reads_its_subject_through_the_dictionary() -> None:
    passage = "研发投入强度方面，新加坡为2.2%，国际上最高的以色列、瑞典达到4%。"
    q = analyse("What share of GDP does Singapore spend on R&D?")
    assert any("新加坡" in forms and kind == "place" for forms, kind in asked_subjects(q))
    why = figure_owner_problem(q, "国际上最高的以色列、瑞典达到4%。", "", passage)
    assert why is not None and "以色列" in why and "新加坡" in why
    assert figure_owner_problem(q, "研发投入强度方面，新加坡为2.2%。", "", passage) is None


def test_a_company_mapped_from_english_is_held_to_its_own_figure() -> None:
    # The generator maps "Ericsson" to the corpus's 爱立信 (names.resolve) and adds it as an entity.
    q = replace(analyse("How many contracts did Ericsson win in Europe?"), entities=(("爱立信", "ericsson"),))
    why = figure_owner_problem(q, "华为在欧洲获得了40个合同，其中12个在德国。", "", PASSAGE)
    assert why is not None and "华为" in why
    assert figure_owner_problem(q, "爱立信在欧洲获得了35个合同。", "", PASSAGE) is None


def test_a_body_no_dictionary_maps_owns_no_figure_another_body_is_given() -> None:
    q = analyse("How much did the Polar Science Foundation allocate in its 2022 budget?")
    unnamed = ["Polar Science Foundation"]
    sentence = "美国能源部公布了2022财年462亿美元预算，较2021年上调了23%。"
    why = figure_owner_problem(q, sentence, "", sentence, unnamed)
    assert why is not None and "能源部" in why and "Polar Science Foundation" in why
    # Without a named owner the figure is not ruled out.
    assert figure_owner_problem(q, "2022财年预算为462亿美元。", "", sentence, unnamed) is None


def test_a_when_question_is_not_answered_by_anothers_date() -> None:
    passage = "华为于2019年在德国设立研发中心。爱立信于2015年在德国设立研发中心。"
    q = analyse("爱立信何时在德国设立研发中心？")
    assert q.slot == "date"
    why = figure_owner_problem(q, "华为于2019年在德国设立研发中心。", "", passage)
    assert why is not None and "华为" in why
    assert figure_owner_problem(q, "爱立信于2015年在德国设立研发中心。", "", passage) is None


def test_the_generator_lists_the_bodies_no_dictionary_maps(embedder: Embedder) -> None:
    glossary = Glossary()
    glossary.add("Ministry of Science and Technology", ["科学技术部", "科技部"], "reviewed")
    lexicon = QueryExpander({"科技部", "科技", "科学", "技术", "科学技术", "预算"}, glossary=glossary)
    gen = ExtractiveGenerator(embedder, lexicon=lambda: lexicon)
    asked = "Did the Ministry of Science and Technology or the Polar Science Foundation of Norway fund more?"
    # The ministry maps to 科技部; the foundation maps to nothing (its kind word need not end it).
    assert gen.unmapped_bodies(asked) == ["Polar Science Foundation of Norway"]
    assert gen.unmapped_bodies("科技部的预算是多少？") == []


def test_a_countrys_government_is_its_place_and_an_opener_is_not_the_subject() -> None:
    # jieba reads 日本政府 as one organisation word; the opener 据统计 names no one, so the sentence's
    # subject is read from the clause after it.
    passage = "各国政府都重视基础研究。德国联邦政府设立了专项计划。" + (
        "据统计，2019年法国政府投入约占基础研究经费的40%，剩下的60%来自企业和大学。"
    )
    sentence = "据统计，2019年法国政府投入约占基础研究经费的40%，剩下的60%来自企业和大学。"
    q = analyse("2019年德国政府投入占基础研究经费的比重是多少？")
    assert any(forms == ("德国",) and kind == "place" for forms, kind in asked_subjects(q))
    why = figure_owner_problem(q, sentence, "", passage)
    assert why is not None and "法国" in why and "德国" in why
    assert (
        figure_owner_problem(analyse("2019年法国政府投入占基础研究经费的比重是多少？"), sentence, "", passage)
        is None
    )
