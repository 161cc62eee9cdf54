"""Names an English question asks about: whole names, mapped to the corpus or reported absent."""

from __future__ import annotations

from rag.answer.names import Name, literal_words, question_names, resolve
from rag.retrieve.crosslingual import QueryExpander
from rag.retrieve.glossary import Glossary


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
