"""British spellings reach CC-CEDICT's American glosses (rag.retrieve.crosslingual)."""

from __future__ import annotations

import pytest

from rag.retrieve.crosslingual import american_spelling, load_inverted, word_variants


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
