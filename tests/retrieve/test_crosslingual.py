"""Cross-lingual query expansion: English questions become Chinese BM25 tokens of the corpus."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from rag.retrieve.crosslingual import (
    QueryExpander,
    american_spelling,
    load_inverted,
    parse_cedict,
    word_variants,
)
from rag.retrieve.hybrid import HybridRetriever
from rag.text import keyword_tokens


@pytest.fixture(scope="module")
def expander(seed_assistant) -> QueryExpander:
    return QueryExpander.from_index(seed_assistant.index)


def _squash(s: str) -> str:
    return "".join(s.split())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("semiconductor", ["半导体"]),
        ("patent", ["专利"]),
        ("integrated circuits", ["集成电路"]),  # phrase, plural folded
        ("research and development", ["研发"]),
        ("R&D spending", ["研发"]),
        ("Hong Kong", ["香港"]),
        ("Guangdong", ["广东"]),
        ("Shenzhen", ["深圳"]),
        ("GDP", ["生产总值"]),
        ("AI", ["人工智能"]),
        ("chips", ["芯片"]),
    ],
)
def test_typical_terms_translate_into_corpus_words(expander, query, expected):
    tokens = expander.expand(query)
    assert set(expected) <= set(tokens), tokens
    assert all(t in expander.vocab for t in tokens)


def test_a_compound_jieba_does_not_know_becomes_its_corpus_pieces(expander):
    # 基础研究 is one CC-CEDICT-style term but jieba indexes it as 基础 + 研究.
    pieces = keyword_tokens("基础研究")
    assert "基础研究" not in expander.vocab
    assert set(pieces) <= set(expander.expand("basic research"))


def test_unknown_and_function_words_yield_nothing(expander):
    assert expander.expand("zyxwvut qwertyuiop") == []
    assert expander.expand("what is the of and to") == []


def test_numbers_and_acronyms_pass_through_only_when_in_the_corpus(expander):
    tokens = expander.expand("In 2019 it reached 59.5%, with 5G and EDA")
    assert {"2019", "59.5%", "5g", "eda"} <= set(tokens)
    assert "1234567" not in expander.expand("1234567")
    # A plain English word stays out even when some English text put it in the vocabulary.
    assert "research" in expander.vocab and "research" not in expander.expand("research")


def test_a_capitalised_name_reaches_the_acronym_the_corpus_writes(expander):
    # 004 writes 知识与创新共同体（KIC） and then KIC alone
    tokens = expander.expand("How many Knowledge and Innovation Communities does it run?")
    assert "kic" in tokens and "共同体" in tokens
    assert "kic" not in expander.expand("How much knowledge and innovation do communities need?")
    # initials the corpus never writes add nothing
    assert "mst" not in expander.expand("What did the Ministry of Science and Technology say?")


def test_lowercase_us_is_a_pronoun_not_the_united_states(expander):
    assert "美国" in expander.expand("US policy")
    assert "美国" not in expander.expand("tell us")


def test_english_question_finds_its_passage_by_expanded_keywords_alone(seed_assistant):
    question = "How many people worked directly in China's integrated circuit industry in 2020?"
    hits = seed_assistant.search(question, 5, "keyword")
    assert hits and all(h.keyword_rank is not None for h in hits)
    assert any("54.1万人" in _squash(h.chunk.text) for h in hits)


def test_chinese_queries_do_not_use_the_expander(seed_assistant):
    with_exp = seed_assistant.retriever
    assert with_exp.expander is not None
    without = HybridRetriever(with_exp.index, with_exp.embedder, with_exp.params)
    for q in ("研发经费投入强度", "廣東晶片進口依賴"):
        a, b = with_exp.search(q, 10), without.search(q, 10)
        assert [h.chunk.chunk_id for h in a] == [h.chunk.chunk_id for h in b]


def test_the_expander_is_built_once_per_index(seed_assistant):
    assert seed_assistant.retriever.expander is seed_assistant.retriever.expander


def test_parser_rules_on_a_tiny_dictionary(tmp_path: Path):
    lines = [
        "#! a comment",
        "半導體 半导体 [ban4 dao3 ti3] /semiconductor/",
        "人工智能 人工智能 [ren2 gong1 zhi4 neng2] /artificial intelligence (AI)/",
        "深圳 深圳 [Shen1 zhen4] /Shenzhen subprovincial city in Guangdong, special economic zone/",
        "西安 西安 [Xi1 an1] /Xi'an, sub-provincial city and capital of Shaanxi 陝西省|陕西省[Shan3 xi1 Sheng3]/",
        "陝西 陕西 [Shan3 xi1] /Shaanxi province (Shensi) in northwest China, capital Xi'an 西安[Xi1 an1]/",
        "三亞 三亚 [San1 ya4] /Sanya, prefecture-level city, Hainan/",
        "王府井 王府井 [Wang2 fu3 jing3] /Wangfujing, a famous shopping street in Beijing/",
        "港元 港元 [Gang3 yuan2] /Hong Kong dollar/",
        "晶片 晶片 [jing1 pian4] /(Tw) (computing) chip; wafer/",
        "研究 研究 [yan2 jiu1] /research/CL:項|项[xiang4]/to look into/",
        "台灣 台湾 [Tai2 wan1] /variant of 臺灣|台湾[Tai2 wan1]/",
    ]
    path = tmp_path / "mini.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    inv = parse_cedict(path)
    assert inv["semiconductor"] == {"半导体": 1.0}
    assert inv["ai"]["人工智能"] == 1.0 and inv["artificial intelligence"]["人工智能"] == 1.0
    assert inv["shenzhen"]["深圳"] == 1.0  # a place name followed by what kind of place it is
    assert "hong kong" not in inv  # "Hong Kong dollar" is a currency, not Hong Kong
    # "Name, <kind of> city …": the name is the place, not a word of the province whose capital it is
    assert inv["xi'an"]["西安"] == 1.0 and inv["xi'an"]["西安"] > inv["xi'an"].get("陕西", 0.0)
    assert inv["sanya"]["三亚"] == 1.0
    assert inv.get("wangfujing", {}).get("王府井", 0.0) < 1.0  # a street named so is no place kind
    assert inv["chip"]["晶片"] == 1.0 and "tw" not in inv  # ";" synonyms; "(Tw)" is a label
    assert "look into" in inv and "cl" not in inv and "xiang4" not in inv
    assert not any("台湾" in v for v in inv.values())  # cross-references are skipped


def test_the_real_dictionary_loads_with_the_expected_entries():
    inv = load_inverted()
    assert "集成电路" in inv["integrated circuit"]
    assert "研发" in inv["research and development"]
    assert inv["semiconductor"]["半导体"] == 1.0


def test_a_number_is_never_translated_through_a_gloss_that_dates_something(expander):
    # CC-CEDICT glosses carry years ("US president 2017-2021"); a year in a question is the year.
    assert expander.expand("2021") in ([], ["2021"])
    assert not any(t not in ("2021", "2017") for t in expander.expand("2017 and 2021"))


@pytest.mark.parametrize(
    ("query", "lemma_word", "description_word"),
    [
        # "students" is only ever a word inside longer glosses (招生 "to recruit students"); the
        # lemma "student" is an exact gloss of 学生 and must win.
        ("students", "学生", None),
        # "industries" alone meets 低端人口 only inside a description; "industry" is 产业.
        ("industries", "产业", "低端"),
    ],
)
def test_inflected_words_are_scored_together_with_their_lemma(expander, query, lemma_word, description_word):
    tokens = expander.expand(query)
    assert lemma_word in tokens
    if description_word is not None:
        assert description_word not in tokens


def test_a_noun_reaches_the_verb_its_gloss_is_written_for():
    from rag.retrieve.crosslingual import derived_variants

    assert "produce" in derived_variants("production")
    assert "regulate" in derived_variants("regulation")
    assert derived_variants("investment") == ["invest"]
    assert derived_variants("nation") == [] and derived_variants("comment") == []  # too short to be derived


def test_derived_verbs_replace_fragments_of_longer_glosses(seed_assistant):
    import copy

    expander = copy.copy(seed_assistant.retriever.expander)
    question = "Where is the production of wafers concentrated?"
    expander._memo, expander.derived = {}, False
    assert "生产" not in expander.expand(question)  # only 年产 "annual production" and the like
    expander._memo, expander.derived = {}, True
    assert "生产" in expander.expand(question)  # "to produce"


@pytest.mark.parametrize(
    "query", ["Which Chinese universities file the most patents?", "How does China fund labs?"]
)
def test_china_and_chinese_reach_both_names_the_documents_use(expander, query):
    """CC-CEDICT read backwards makes 'Chinese' 中资/人民币 (Chinese-funded, renminbi); the documents
    write China as 中国 and, speaking of their own country, 我国."""
    concept = next(c for c in expander.analyse(query).concepts if "中国" in c)
    assert set(concept) == {"中国", "我国"}
    assert "人民币" not in expander.expand(query)


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("What did China become thanks to the international division of labour?", "世界工厂"),
        ("What kind of industrial cluster structure does China risk losing?", "良性发展的产业集群结构"),
    ],
)
def test_an_english_question_about_china_finds_a_passage_that_says_woguo(seed_assistant, query, needle):
    """These passages never write 中国, only 我国: the keyword side finds them through the glossary
    (they ranked 8th and 7th on the keyword side when 'China' reached only 中国/中华)."""
    from rag.text import to_simplified

    hits = seed_assistant.retriever.search(query, 3, mode="keyword")
    assert any(needle in to_simplified(h.chunk.text) for h in hits), [h.chunk.chunk_id for h in hits]


# British spellings reach CC-CEDICT's American glosses (rag.retrieve.crosslingual).


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("centre", "center"),
        ("centres", "centers"),
        ("programme", "program"),
        ("organisations", "organizations"),
        ("digitalisation", "digitalization"),
        ("authorise", "authorize"),
        ("defence", "defense"),
        ("labour", "labor"),
        ("analyse", "analyze"),
        ("catalogue", "catalog"),
        ("metre", "meter"),
    ],
)
def test_british_spellings_are_tried_the_american_way(british, american):
    assert american_spelling(british) == american


@pytest.mark.parametrize("word", ["four", "hour", "tour", "science", "more", "score", "rise", "centre-left"])
def test_other_words_are_left_alone_or_only_gain_forms_no_gloss_uses(word):
    variant = american_spelling(word)
    assert variant == word or variant not in load_inverted()


def test_a_british_plural_finds_the_american_gloss():
    forms = word_variants("centres")
    assert "center" in forms and forms[0] == "centres"
    inverted = load_inverted()
    assert "中心" in inverted["center"] and not inverted.get("centre", {}).get("中心")


def test_a_british_question_expands_like_an_american_one(seed_assistant):
    from rag.retrieve.crosslingual import QueryExpander

    expander = QueryExpander.from_index(seed_assistant.index)
    british = expander.expand("technology transfer centres")
    assert "中心" in british
    assert set(expander.expand("technology transfer centers")) <= set(british)


def test_an_irregular_past_is_looked_up_through_its_lemma():
    from rag.retrieve.crosslingual import word_variants

    assert "choose" in word_variants("chose") and "make" in word_variants("made")
    assert word_variants("led") == ["led"]  # LED is a word of its own


def test_the_measure_of_a_how_question_is_its_frame_not_a_term(expander):
    from rag.retrieve.crosslingual import without_asked_measure

    assert without_asked_measure(["how", "much", "higher", "would", "sales"])[2] == "how"
    assert without_asked_measure(["large", "grants"]) == ["large", "grants"]  # not after "how"
    # "how large are individual grants": 大型/强大 would reward any sentence about something large.
    concepts = expander.analyse("How large are individual grants?").concepts
    assert not any(t in ("大型", "强大") for c in concepts for t in c), concepts
    assert any("资助" in c for c in concepts)


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("In what year did the US roll out the plan?", "推出"),  # phrasal verb: "out" is a stop word
        ("the emergency money for chips and telecom equipment", "电信"),  # not 中国电信 (a company)
        ("manufacturing innovation institutes", "研究所"),  # not "to institute" (建设)
        ("the programme", "计划"),  # not 应用程序 (a software program)
        ("when did the legislature adopt the regulations", "人大"),
    ],
)
def test_policy_vocabulary_reaches_the_policy_sense(expander, query, word):
    assert word in expander.expand(query)
