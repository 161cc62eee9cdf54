"""The bilingual glossary: the reviewed file, a user file, pairs mined from the corpus, and how the
query expander uses them before CC-CEDICT."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.retrieve.crosslingual import QueryExpander
from rag.retrieve.glossary import (
    DATA_FILE,
    GlossaryFileError,
    key_words,
    load_glossary,
    mine_glossary,
    mine_pairs,
    parse_glossary,
)


@pytest.fixture(scope="module")
def expander(seed_assistant) -> QueryExpander:
    return QueryExpander.from_index(seed_assistant.index)


def test_the_reviewed_file_parses_and_covers_the_policy_vocabulary():
    g = parse_glossary(DATA_FILE.read_text(encoding="utf-8"), "reviewed")
    for zh in ("卡脖子", "揭榜挂帅", "硬科技", "专精特新", "新型举国体制", "产学研", "自给率"):
        assert zh in g.english_of, zh
    assert g.lookup(key_words("Innovation and Competition Act"))[0].chinese == ("创新与竞争法案",)
    assert "自给率" in g.lookup(key_words("self-sufficiency rate"))[0].chinese


def test_an_acronym_matches_only_when_capitalised():
    g = parse_glossary("ACT\t疗法\nact|bill\t法案\n", "user")
    assert [e.chinese for e in g.lookup(["act"], "ACT")] == [("疗法",), ("法案",)]
    assert [e.chinese for e in g.lookup(["act"], "act")] == [("法案",)]


def test_a_malformed_line_names_file_and_line(tmp_path: Path):
    with pytest.raises(GlossaryFileError, match=r"mine.tsv:2"):
        bad = tmp_path / "mine.tsv"
        bad.write_text("# ok\nonly one column\n", encoding="utf-8")
        load_glossary(bad)
    with pytest.raises(GlossaryFileError, match="does not exist"):
        load_glossary(tmp_path / "none.tsv")


def test_a_user_file_comes_first(tmp_path: Path):
    user = tmp_path / "mine.tsv"
    user.write_text("chips\t集成电路\nHarbour Fund\t海港基金\n", encoding="utf-8")
    g = load_glossary(user)
    assert g.lookup(["chips"])[0].chinese == ("集成电路",) and g.lookup(["chips"])[0].source == "user"
    assert g.lookup(key_words("Harbour Fund"))
    assert g.lookup(key_words("chokepoint"))  # the packaged entries are still there


def test_pairs_the_corpus_states_are_mined():
    text = (
        "特点。美国国家科学基金会（NSF）提出；《2021年美国创新与竞争法案》（S.1260）。"
        "会基础研究经费投入占研发（R&D）。美國的「晶片與科學法」(CHIPS and Science Act)。Horizon Europe（地平线欧洲）"
    )
    pairs = dict(mine_pairs([text]))
    assert pairs["NSF"].endswith("国家科学基金会")
    # the clause before a name is cut at a word no name writes, wherever it stands in the run
    assert dict(mine_pairs(["重点通过对知识与创新共同体（KIC）的支持"]))["KIC"] == "知识与创新共同体"
    assert dict(mine_pairs(["主要包括免疫检查点抑制剂（ICB）"]))["ICB"] == "免疫检查点抑制剂"
    assert pairs["S.1260"].endswith("创新与竞争法案")
    assert pairs["CHIPS and Science Act"] == "晶片與科學法"
    assert pairs["Horizon Europe"] == "地平线欧洲"
    assert mine_glossary([text]).lookup(["nsf"], "NSF")[0].chinese[0].endswith("国家科学基金会")
    # a common acronym the reviewed glossary knows is not re-learned from a clause
    mined = mine_glossary([text], parse_glossary("R&D\t研发\n", "reviewed"))
    assert not mined.lookup(key_words("R&D")) and mined.lookup(["nsf"], "NSF")


def test_expander_prefers_glossary_phrases_over_word_by_word(expander):
    tokens = set(
        expander.expand("What does the Innovation and Competition Act say about the self-sufficiency rate?")
    )
    assert {"法案", "自给率"} <= tokens
    assert not tokens & {"举措", "动作", "不言而喻"}, tokens  # CC-CEDICT's word-by-word readings


def test_a_known_phrase_the_corpus_lacks_does_not_fall_back_to_word_glosses(expander):
    assert not set(expander.expand("the White House")) & {"蛋白", "房子"}


def test_corpus_codes_and_mined_names_reach_bm25(expander):
    tokens = set(expander.expand("What did S.1260 say about O-RAN?"))
    assert "s.1260" in tokens
    assert {"无线电", "接入网"} & tokens, tokens


def test_pinyin_names_find_their_chinese_form(expander):
    assert "王贻芳" in expander.expand("According to Wang Yifang, what was the R&D intensity?")
    assert "张江" in expander.expand("When did Shanghai launch its Focus on Zhangjiang strategy?")


def test_confidence_counts_the_words_placed(expander):
    assert expander.analyse("chokepoint technologies").confidence == 1.0
    assert expander.analyse("zyxwvut chokepoint").confidence == 0.5


def test_policy_words_map_to_the_policy_register_not_the_everyday_one(expander):
    """CC-CEDICT reads "grants" as 发放, "start-ups" as 启动, "review" as 回顾 and "makers" as 力量;
    the reviewed glossary gives the words the documents use."""
    tokens = set(expander.expand("How many grants went to start-ups after the supply chain review?"))
    assert {"资助", "审查"} <= tokens and {"初创", "初创企业"} & tokens, tokens
    assert not tokens & {"发放", "启动", "回顾"}, tokens
    tokens = set(expander.expand("Which battery makers hold the largest manufacturing capacity?"))
    assert "产能" in tokens and {"厂商", "制造商"} & tokens, tokens


def test_a_gapped_form_lets_modifiers_stand_inside_it():
    """ "installed … capacity" is 装机容量 whatever the question puts between its words; the modifiers
    are left to be translated on their own, and the form without them is an ordinary key."""
    g = parse_glossary("installed … capacity|generating capacity\t装机容量\n", "user")
    assert g.lookup(key_words("installed capacity"))[0].chinese == ("装机容量",)
    assert g.english_of["装机容量"] == "installed capacity"  # the display form has no gap mark

    def modifier(w: str) -> bool:
        return w not in {"in", "the", "of", "and", "or"}

    def variants(w: str) -> list[str]:
        return [w, w.removesuffix("ies") + "y"] if w.endswith("ies") else [w]

    def match(text: str):
        return g.lookup_gapped(key_words(text), 0, modifier, variants)

    entries, n_before, after = match("installed solar PV capacity")
    assert entries[0].chinese == ("装机容量",) and n_before == 1 and list(after) == [3]
    assert list(match("installed wind and solar capacities")[2]) == [4]  # "and" between modifiers
    assert match("installed in the capacity") is None  # a gap holds modifiers, not a clause
    assert match("installed and solar capacity") is None  # nor starts with a conjunction
    assert match("installed a b c d capacity") is None  # at most MAX_GAP words
    assert g.gapped.get("generating") is None  # an unmarked form takes no gap


def test_the_expander_translates_a_gapped_term_and_its_modifiers_apart(expander):
    """The phrase split across "installed solar PV capacity": 装机容量 for "installed … capacity",
    光伏 for "solar PV", and neither 设置/装置 ("installed") nor 产能 ("capacity") nor 终端 ("end")."""
    exp = expander.analyse("How much installed solar PV capacity did China have at the end of 2019?")
    concepts = [set(c) for c in exp.concepts]
    assert (
        any("装机容量" in c for c in concepts) and {"光伏"} in concepts and any("年底" in c for c in concepts)
    ), concepts
    tokens = set(exp.tokens)
    assert not tokens & {"设置", "装置", "产能", "终端", "终点"}, tokens
    assert exp.confidence == 1.0


def test_only_a_marked_form_takes_a_gap(seed_assistant):
    """ "open competition" (揭榜挂帅) is reviewed without a gap: "open market competition" is not it."""
    glossary = load_glossary().merged(parse_glossary("installed … capacity\t装机容量\n", "user"))
    expander = QueryExpander.from_index(seed_assistant.index, glossary=glossary)
    assert "揭榜挂帅" not in expander.expand("Is there open market competition?")
    assert "装机容量" in expander.expand("What is the installed wind capacity?")


def test_glossary_keys_may_start_or_end_with_a_stop_word(expander):
    """The glossary's keys are explicit, so a form that begins or ends with a stop word is matched
    whole ("entity list": "list" is a question-frame word; "apply for"; "end of")."""
    assert "实体清单" in expander.analyse("Which firms are on the entity list?").glossary_terms
    assert "申请" in expander.analyse("Who can apply for the scheme?").glossary_terms
    assert "年底" in expander.expand("by the end of 2025")


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("PV", "光伏"),
        ("grid-connected capacity", "并网"),
        ("How much power generation came from renewables?", "发电"),
        ("energy storage", "储能"),
        ("the tape-out of a chip", "流片"),
        ("advanced packaging", "封装"),
        ("third-generation semiconductors", "第三代"),
        ("computing power", "算力"),
        ("medical devices", "医疗器械"),
        ("clinical trials", "临床试验"),
        ("launch vehicles", "运载火箭"),
        ("per capita R&D expenditure", "人均"),
        ("labour force", "劳动"),
        ("population ageing", "老龄化"),
        ("growth rate", "增长率"),
        ("maker spaces", "众创"),
        ("co-working spaces", "共享"),
        ("private equity", "私募"),
        ("critical minerals", "关键"),
        ("state of the art", "先进"),
        ("patent applications", "专利申请"),
        ("citations of papers", "引用"),
        ("fiscal appropriation", "财政"),
        ("satisfaction rate", "满意率"),
    ],
)
def test_domain_terms_of_the_documents_reach_their_chinese(expander, query, word):
    """The documents' energy, chip, health, statistics and funding vocabulary, written the way an
    analyst would in English: CC-CEDICT reads "PV" as nothing, "wind energy" as 弯曲 + 东风,
    "critical" as 临界, "maker spaces" as 空间 alone, "patent applications" as 应用程序."""
    assert word in expander.expand(query), expander.analyse(query).concepts


def test_a_capitalised_display_form_labels_only_its_own_term():
    """English answers name a Chinese term by the first form of its entry when that form is
    capitalised (rag.answer.english.named_terms): "R&D personnel" must not label 研究人员
    (researchers), nor may a Latin form label itself ("GPU (GPU)")."""
    from rag.answer.english import named_terms

    assert named_terms("的R&D研究人员数（人年/万人）") == []
    assert named_terms("万名就业人员中研发人员数") == ["R&D personnel (研发人员)"]
    assert not [t for t in named_terms("GPU、FPGA等各种人工智能芯片") if t.startswith("GPU")]
