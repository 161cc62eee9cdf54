"""Generators: the factory, the extractive composer over the real seeds, LLM backends failing cleanly."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import pytest

from rag.answer.citations import (
    answer_sentence_spans,
    asks_for_quantity,
    display_quote,
    markers_in,
    passage_sentence_spans,
    quantities,
    strip_markers,
)
from rag.answer.generators import (
    GENERATORS,
    ExtractiveGenerator,
    GenerationRequest,
    Generator,
    LlamaCppGenerator,
    OpenAIGenerator,
    fit_context,
    get_generator,
)
from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import BackendError, UnknownComponent
from rag.text import detect_language, detect_script, to_simplified
from rag.types import Hit


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens there once the socket is closed


def _request(assistant: Assistant, question: str, k: int = 6) -> GenerationRequest:
    hits = assistant.search(question, k)
    return GenerationRequest(question, hits, detect_language(question), detect_script(question))


def test_factory_names(seed_assistant: Assistant) -> None:
    s = seed_assistant.settings
    for name in GENERATORS:
        gen = get_generator(name, settings=s, embedder=seed_assistant.embedder)
        assert isinstance(gen, Generator) and gen.name == name
    assert not get_generator("extractive", settings=s, embedder=seed_assistant.embedder).generative


def test_unknown_generator_lists_the_valid_names(seed_assistant: Assistant) -> None:
    with pytest.raises(UnknownComponent) as err:
        get_generator("gpt-17", settings=seed_assistant.settings, embedder=seed_assistant.embedder)
    assert all(name in str(err.value) for name in GENERATORS)


@pytest.mark.parametrize(
    "question",
    [
        "2021年我国基础研究经费达到多少？",
        "根據SIA統計，2021年中國市場集成電路銷售額佔全球銷售額的比重是多少？",
        "What were global semiconductor sales in 2021, according to SIA?",
    ],
)
def test_extractive_answer_is_made_of_verbatim_quotes(seed_assistant: Assistant, question: str) -> None:
    gen = ExtractiveGenerator(seed_assistant.embedder)
    request = _request(seed_assistant, question)
    picks = gen.select(request)
    assert 1 <= len(picks) <= gen.params.max_sentences
    text = "".join(gen.stream(request))
    assert text == gen.answer_text(request)
    quoted = {display_quote(p.info.sentence(p.j)) for p in picks}
    if asks_for_quantity(question):  # every quote states a figure, not only a date
        assert all(quantities(p.info.sentence(p.j)) for p in picks)
    for p in picks:  # each pick is a sentence of its passage, verbatim
        assert p.info.sentence(p.j) in request.hits[p.n - 1].chunk.text
        assert p.info.spans[p.j] in passage_sentence_spans(request.hits[p.n - 1].chunk.text)
    sentences = [text[s:e] for s, e in answer_sentence_spans(text)]
    assert len(sentences) == len(picks) + 1  # the lead-in, then one sentence per quote
    cited = {(p.n, *p.also) for p in picks}  # a quote cites every passage stating it
    for sentence in sentences[1:]:
        marks = tuple(markers_in(sentence))
        assert marks in cited and all(1 <= n <= len(request.hits) for n in marks)
        body = to_simplified(strip_markers(sentence))  # shown in the question's script
        assert any(q.rstrip("。；;，,") in body or body.rstrip("。") in q for q in map(to_simplified, quoted))
    if request.language == "en":
        assert text.startswith("The documents are in Chinese")
        assert all(s.startswith("According to 《") for s in sentences[1:])
    elif request.script == "traditional":
        assert text.startswith("根據檢索到的文件：")
        assert detect_script(text) == "traditional"  # Traditional in, Traditional out
    else:
        assert text.startswith("根据检索到的文档：")
        assert detect_script(text) == "simplified"


def test_extractive_streams_in_several_pieces(seed_assistant: Assistant) -> None:
    gen = ExtractiveGenerator(seed_assistant.embedder)
    pieces = list(gen.stream(_request(seed_assistant, "2021年我国基础研究经费达到多少？")))
    assert len(pieces) > 2 and all(pieces)


def test_extractive_gives_nothing_for_another_year(seed_assistant: Assistant) -> None:
    """The seeds report 2021 figures (and targets for 2025 and 2030); nothing answers for 2012."""
    gen = ExtractiveGenerator(seed_assistant.embedder)
    assert gen.answer_text(_request(seed_assistant, "2012年我国基础研究经费达到多少？")) == ""


def test_a_table_rows_year_is_read_from_its_header_row(seed_assistant: Assistant) -> None:
    """The blueprint's indicator table: a row gives its figures under the header row's year columns
    (2027, 2032), in the chunk holding the header and in the later chunk whose section carries it."""
    gen = ExtractiveGenerator(seed_assistant.embedder)
    for question, row in [
        ("藍圖要求2032年本地研發總開支相對本地生產總值的比率達到多少？", "1.1 | 本地研發總開支"),
        ("香港藍圖提出2027年每千名勞動人口中創科從業人員要達到多少？", "3.2 | 每千名勞動人口中創科從業人員"),
    ]:
        assert row in gen.answer_text(_request(seed_assistant, question)), question
    assert (
        gen.answer_text(_request(seed_assistant, "藍圖要求2040年每千名勞動人口中創科從業人員達到多少？"))
        == ""
    )


def test_openai_generator_raises_backend_error_when_unreachable(seed_assistant: Assistant) -> None:
    settings = Settings(generator="openai", llm_base_url=closed_port_url(), llm_timeout=5, _env_file=None)
    gen = OpenAIGenerator(settings)
    with pytest.raises(BackendError) as err:
        list(gen.stream(_request(seed_assistant, "2021年我国基础研究经费达到多少？", k=2)))
    assert "127.0.0.1" in str(err.value)


def test_llamacpp_generator_explains_what_is_missing(tmp_path: Path, seed_assistant: Assistant) -> None:
    request = _request(seed_assistant, "2021年我国基础研究经费达到多少？", k=2)
    with pytest.raises(BackendError, match="make local-llm"):
        list(LlamaCppGenerator(Settings(llm_model_path=None, _env_file=None)).stream(request))
    with pytest.raises(BackendError, match="make local-llm"):
        list(
            LlamaCppGenerator(Settings(llm_model_path=tmp_path / "none.gguf", _env_file=None)).stream(request)
        )


def test_fit_context_keeps_leading_passages_within_the_budget(seed_assistant: Assistant) -> None:
    hits = seed_assistant.search("2021年我国基础研究经费达到多少？", 6)
    assert fit_context("q", hits, 100_000) == hits
    assert fit_context("q", hits, 10) == hits[:1]  # never empty
    some = fit_context("q", hits, 900)
    assert 1 <= len(some) < len(hits) and some == hits[: len(some)]


def test_an_english_question_scores_sentences_by_its_chinese_translations(seed_assistant: Assistant) -> None:
    question = "What were global semiconductor sales in 2021, according to SIA?"
    request = _request(seed_assistant, question)
    expander = seed_assistant.retriever.expander
    assert expander is not None
    plain = ExtractiveGenerator(seed_assistant.embedder).candidates(request)
    gen = ExtractiveGenerator(seed_assistant.embedder, translate=expander.expand)
    translated = gen.candidates(request)
    assert max(p.keyword for p in translated) > max(p.keyword for p in plain)
    assert all(p.translated == pytest.approx(p.keyword * gen.params.translated_weight) for p in translated)
    assert not any(p.translated for p in plain)
    # A Chinese question keeps its own tokens.
    zh = _request(seed_assistant, "2021年我国基础研究经费达到多少？")
    assert not any(p.translated for p in gen.candidates(zh))
    # The refusal floor was calibrated without the translations: they rank, they do not answer.
    without = max(p.score - p.translated for p in translated)
    gen.params.min_score_en = without + 0.01
    assert max(p.score for p in translated) > gen.params.min_score_en
    assert gen.select(request) == []


def _chunk(ordinal: int, section: str, text: str, source: str = "doc.txt") -> Hit:
    from rag.types import Chunk

    c = Chunk(f"{source}#{ordinal}", source, source, "快报", section, text, 0, len(text), 10, ordinal)
    return Hit(c, 1.0)


def test_section_context_is_the_chunk_before_and_the_retrieved_rest_of_the_section() -> None:
    from rag.answer.generators import section_context

    lead = _chunk(3, "创新政策 > 供应链报告", "3、关键矿物和原材料（评估部门：美国国防部）")
    same = _chunk(9, "创新政策 > 供应链报告", "报告由国防部牵头。")
    other = _chunk(5, "创新政策 > 其他报告", "德国企业支持了 30%。")
    elsewhere = _chunk(4, "创新政策 > 供应链报告", "另一份文件。", source="other.txt")
    passage = _chunk(4, "创新政策 > 供应链报告", "国外供应来源包括 84 个不同的国家。")
    hits = [passage, lead, same, other, elsewhere]
    got = section_context(passage, hits)
    assert "美国国防部" in got and "报告由国防部牵头" in got
    assert "德国" not in got and "另一份文件" not in got


def test_a_name_may_be_in_the_section_but_a_place_must_be_in_the_passage() -> None:
    from rag.answer.generators.extractive import _named_nearby_problem
    from rag.answer.question import analyse

    body = replace(analyse("How many countries?"), entities=(("五角大楼", "国防部"),))
    place = replace(analyse("How many countries?"), entities=(("德国", "德意志"),))
    before, passage = "评估部门：美国国防部；德国企业支持了 30%", "国外供应来源包括 84 个不同的国家。"
    assert _named_nearby_problem(body, before, passage) is None
    assert _named_nearby_problem(body, "", passage) is not None
    assert _named_nearby_problem(place, before, passage) is not None  # Germany is only in the chunk before


def test_english_figure_questions_over_the_seeds(seed_assistant: Assistant) -> None:
    """The body an English question names heads the chunk before the answer (国防部), an identifier
    (S.1260) ties a low-scoring sentence to the question; a place only a neighbouring chunk names,
    or an identifier the documents do not write, still gets a refusal."""
    pentagon = seed_assistant.ask(
        "The Pentagon's critical-minerals assessment found foreign supply coming from how many countries?"
    )
    assert not pentagon.refused and "84 (84 个)" in pentagon.answer
    tally = seed_assistant.ask("What was the final tally when the Senate passed S.1260?")
    assert not tally.refused and "68 (68 票)" in tally.answer
    assert seed_assistant.ask("What was the final tally when the Senate passed S.1261?").refused
    germany = seed_assistant.ask(
        "What share of basic-research funding did enterprises provide in Germany, according to Wang Yifang?"
    )
    assert germany.refused


def test_a_figure_sentence_continuing_the_one_before_is_chosen(seed_assistant: Assistant) -> None:
    """ "国际上最高的以色列、瑞典达到 4%。" names neither R&D nor GDP: the sentence before it does
    ("2020年中国的研发经费是 GDP 的 2.4%"), and an English question's translated words found only there
    count at a discount, so the sentence with the asked figure is quoted and 4% is stated in English."""
    from rag.answer.generators.extractive import _previous_overlap

    weights = {"研发": 2.0, "最高": 2.0, "gdp": 3.0}
    tokens = list(weights)
    assert _previous_overlap(weights, tokens, "国际上最高的以色列", "研发经费是gdp的2.4%") == 5 / 7
    assert _previous_overlap(weights, tokens, "研发最高gdp", "研发经费是gdp的2.4%") == 0.0
    ans = seed_assistant.ask(
        "According to Wang Yifang, which countries have the highest R&D spending relative to GDP, "
        "and at what level?"
    )
    line = next(x for x in ans.answer.splitlines() if "以色列" in x)
    assert "4%" in line.split(" — “")[0]  # stated in English before the quote


def test_leads_may_name_the_author_but_not_the_chamber() -> None:
    from rag.answer.generators.extractive import _named_nearby_problem
    from rag.answer.question import analyse

    author = replace(analyse("How much?"), entities=(("智库信息技术和创新基金会", "itif"),))
    chamber = replace(analyse("How much did the Senate bill give?"), entities=())
    leads, passage = "参议院通过；美国智库信息技术和创新基金会（ITIF）发布报告", "报告估计专利将增长 75%。"
    assert _named_nearby_problem(author, "", passage, leads) is None
    assert _named_nearby_problem(author, "", passage) is not None
    assert chamber.bodies and _named_nearby_problem(chamber, "", passage, leads) is not None


def test_a_report_named_only_in_its_sections_opening_is_answered(seed_assistant: Assistant) -> None:
    # The passage listing the lenders never names ITIF; the opening of its report does.
    question = "Which state banks does the ITIF report say finance Chinese firms' expansion abroad?"
    answer = seed_assistant.ask(question)
    assert answer.citations, answer.refusal_reason
    cited = " ".join(c.quote for c in answer.citations)
    assert "中国进出口银行" in cited


def test_words_naming_the_document_do_not_rank_a_sentence_about_another(seed_assistant: Assistant) -> None:
    """白皮书 names 《2020中国硬科技创新白皮书》 (its title, not its passage): the definition leads, not
    a sentence citing 《中国医疗器械白皮书》; the title's share ranks but is left out of the floor."""
    question = "白皮书里新材料指的是什么？"
    request = _request(seed_assistant, question)
    gen = ExtractiveGenerator(seed_assistant.embedder)
    picks = gen.select(request)
    assert picks and picks[0].info.sentence(picks[0].j).startswith("新材料是指")
    assert all("医疗器械白皮书" not in p.info.sentence(p.j) for p in picks)
    # Only a passage whose title writes 白皮书 gets the share.
    assert all(bool(c.titled) == ("白皮书" in c.info.chunk.title) for c in gen.candidates(request))
    # Off, the other white paper's sentence leads (the share is what moves it).
    gen.params.title_weight = 0.0
    assert "医疗器械白皮书" in gen.select(request)[0].info.sentence(gen.select(request)[0].j)
    # The refusal floor is held to the score without the title's share.
    gen.params.title_weight = 1.0
    best = max(c.score - c.titled for c in gen.candidates(request))
    gen.params.min_score = best + 0.01
    assert max(c.score for c in gen.candidates(request)) > gen.params.min_score
    assert gen.select(request) == []


@pytest.mark.parametrize(
    ("line", "note"),
    [
        ("数据来源：联合国教科文组织（UNESCO）统计研究所", True),
        ("参考资料：亿欧智库《灯塔工厂白皮书》\n近年来，国际政治经济充满不确定性。", True),
        ("表 5 建设弹性的关键矿物和原材料供应链的政策建议", True),
        ("表1 半导体供应链5个基本环节及评估", True),
        ("收入来源包括竞争性课题、市场化服务收入以及财政资金后补助等。", False),
        ("表明中国在高端科技领域理论研究中仍有大量功课需要补足。", False),
    ],
)
def test_source_notes_and_captions_are_no_statements(line: str, note: bool) -> None:
    from rag.answer.generators.extractive import _NOTE

    assert bool(_NOTE.match(line)) is note
