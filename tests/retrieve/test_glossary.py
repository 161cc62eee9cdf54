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
