"""The answer chain end to end over the five seeds with the real embedder (extractive generator),
plus validation, refusal, streaming, follow-ups and the fallback from a dead LLM endpoint."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from langchain_core.runnables import Runnable

from rag.answer.chain import AnswerChain, heuristic_condense, is_follow_up, normalise_history
from rag.answer.citations import markers_in, strip_markers
from rag.answer.prompts import REFUSAL, ZH_HANS, ZH_HANT
from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import InvalidQuestion, UnknownComponent
from rag.text import detect_script
from rag.types import Answer


def _fold_ws(s: str) -> str:
    return "".join(s.split())


def check_citations(answer: Answer, assistant: Assistant) -> None:
    """Every quote is verbatim in its chunk and its span maps back into the original file."""
    settings = assistant.settings
    for c in answer.citations:
        hit = answer.passages[c.n - 1]
        assert hit.chunk.chunk_id == c.chunk_id and c.source == hit.chunk.source
        assert c.quote and c.quote in hit.chunk.text
        assert hit.chunk.start <= c.start < c.end <= hit.chunk.end
        original = (settings.corpus_dir / c.source).read_text(encoding="utf-8")[c.start : c.end]
        # Same first and last characters, and no more than a little page furniture in between.
        q, o = _fold_ws(c.quote), _fold_ws(original)
        assert q[0] == o[0] and q[-1] == o[-1]
        assert len(o) <= 1.5 * len(q) + 10


def collect(stream) -> tuple[list[str], Answer]:  # noqa: ANN001
    items = list(stream)
    assert isinstance(items[-1], Answer)
    assert all(isinstance(x, str) for x in items[:-1])
    return items[:-1], items[-1]


def test_chain_is_a_langchain_runnable(seed_assistant: Assistant) -> None:
    chain = seed_assistant.chain
    assert isinstance(chain, AnswerChain) and isinstance(chain.runnable, Runnable)
    names = str(chain.runnable.get_graph().nodes)
    assert "condense" in names and "retrieve" in names and "generate_and_verify" in names


def test_simplified_question(seed_assistant: Assistant) -> None:
    deltas, ans = collect(
        seed_assistant.stream("2021年我国基础研究经费达到多少？占全社会研发经费的比例如何？")
    )
    assert not ans.refused and ans.generator == "extractive" and ans.language == "zh"
    assert "".join(deltas) == ans.answer and len(deltas) > 1
    assert "1696" in ans.answer and ans.answer.startswith("根据检索到的文档：")
    assert any(s.supported and s.citations for s in ans.sentences)
    assert all(s.supported for s in ans.sentences)
    assert len(ans.passages) == seed_assistant.settings.answer_k
    assert set(ans.timings_ms) >= {"retrieve", "generate", "verify"}
    check_citations(ans, seed_assistant)
    cited = {n for s in ans.sentences for n in s.citations}
    assert cited == {c.n for c in ans.citations}


def test_traditional_question_gets_traditional_answer_and_verbatim_quotes(
    seed_assistant: Assistant,
) -> None:
    ans = seed_assistant.ask("根據SIA統計，2021年中國市場集成電路銷售額佔全球銷售額的比重是多少？")
    assert not ans.refused and ans.language == "zh"
    assert ans.answer.startswith("根據檢索到的文件：")
    assert detect_script(ans.answer) == "traditional"  # the quoted sentences too, for the reader
    assert "34.6%" in ans.answer
    assert all(s.supported for s in ans.sentences if s.citations)  # support is judged script-blind
    check_citations(ans, seed_assistant)
    for c in ans.citations:  # the citation quote itself stays verbatim Simplified, as in the source
        assert c.quote in ans.passages[c.n - 1].chunk.text
        assert detect_script(c.quote) == "simplified"


def test_english_question_over_chinese_passages(seed_assistant: Assistant) -> None:
    ans = seed_assistant.ask(
        "What proportion of global semiconductor sales did the Chinese market account for in 2021?"
    )
    assert not ans.refused and ans.language == "en"
    assert ans.answer.startswith("The documents are in Chinese")
    body = [s for s in ans.sentences if s.citations]
    assert body and all(s.text.startswith("According to 《") and s.supported for s in body)
    assert "34.6%" in ans.answer
    check_citations(ans, seed_assistant)


@pytest.mark.parametrize(
    ("question", "refusal"),
    [
        ("如何做红烧肉？", REFUSAL[ZH_HANS]),
        ("What is the weather in Paris tomorrow?", REFUSAL["en"]),
        ("2019年中國共進行了多少次航天發射？", REFUSAL[ZH_HANT]),  # the seeds give 2018's count only
        # the seeds give the 2025 target of 《中国制造2025》, not one for 2020
        ("《中国制造2025》为2020年设定的芯片自给率目标是多少？", REFUSAL[ZH_HANS]),
        ("2018年深圳全社會研發經費是多少？", REFUSAL[ZH_HANT]),  # the seeds give Guangzhou's, not Shenzhen's
    ],
)
def test_unanswerable_questions_are_refused(seed_assistant: Assistant, question: str, refusal: str) -> None:
    deltas, ans = collect(seed_assistant.stream(question))
    assert ans.refused and ans.answer == refusal
    assert "".join(deltas) == ans.answer
    assert any(w.startswith("refused:") for w in ans.warnings)
    assert len(ans.citations) <= 3  # the closest passages, still with verified quotes
    check_citations(ans, seed_assistant)


def test_validation(seed_assistant: Assistant) -> None:
    for bad in ("", "   ", "问" * (seed_assistant.settings.max_question_chars + 1)):
        with pytest.raises(InvalidQuestion):
            seed_assistant.ask(bad)
    for k in (0, 21, -1):
        with pytest.raises(InvalidQuestion):
            seed_assistant.ask("基础研究经费", k=k)
    with pytest.raises(UnknownComponent, match="extractive"):
        seed_assistant.stream("基础研究经费", generator="gpt-17")  # raised before anything streams


def test_k_sets_the_number_of_passages(seed_assistant: Assistant) -> None:
    ans = seed_assistant.ask("2021年我国基础研究经费达到多少？", k=2)
    assert len(ans.passages) == 2
    assert all(1 <= n <= 2 for s in ans.sentences for n in s.citations)


def test_dead_llm_endpoint_falls_back_to_extractive(seed_assistant: Assistant) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = seed_assistant.settings.model_copy(
        update={"generator": "openai", "llm_base_url": f"http://127.0.0.1:{port}/v1", "llm_timeout": 5.0}
    )
    assistant = Assistant(settings, embedder=seed_assistant.embedder)
    deltas, ans = collect(assistant.stream("2021年我国基础研究经费达到多少？"))
    assert ans.generator == "extractive" and not ans.refused
    assert any("fell back" in w and "openai" in w for w in ans.warnings)
    assert "".join(deltas) == ans.answer
    # With history, the condense step fails first; generation then skips the dead backend at once.
    ans2 = assistant.ask(
        "那占比呢？", history=[{"role": "user", "content": "2021年我国基础研究经费达到多少？"}]
    )
    assert ans2.generator == "extractive"
    assert any("rewrite" in w for w in ans2.warnings) and any("fell back" in w for w in ans2.warnings)


def test_settings_choose_the_generator(seed_assistant: Assistant) -> None:
    s = Settings(
        index_dir=seed_assistant.settings.index_dir,
        corpus_dir=seed_assistant.settings.corpus_dir,
        _env_file=None,
    )
    assert s.generator == "extractive"


# --- follow-ups --------------------------------------------------------------------------


def test_history_formats() -> None:
    assert normalise_history([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]) == [
        ("user", "a"),
        ("assistant", "b"),
    ]
    assert normalise_history([{"question": "a", "answer": "b"}]) == [("user", "a"), ("assistant", "b")]
    assert normalise_history([("user", "a")]) == [("user", "a")]
    assert normalise_history(None) == []


def test_follow_up_detection() -> None:
    assert is_follow_up("那2020年呢？")
    assert is_follow_up("它的占比是多少？")
    assert is_follow_up("What about South Korea?")
    assert not is_follow_up("2021年我国基础研究经费达到多少？占全社会研发经费的比例如何？")
    assert not is_follow_up("What share of global wafer capacity does mainland China hold?")


def test_heuristic_condense_adds_the_previous_key_terms() -> None:
    history = [("user", "2021年我国基础研究经费达到多少？"), ("assistant", "1696亿元[1]。")]
    out = heuristic_condense("那占全社会研发经费的比例呢？", history)
    # An ellipsis is asked as the previous question about the new subject; the answer is not used.
    assert "占全社会研发经费的比例" in out and "基础" in out and "1696" not in out
    out = heuristic_condense("它占全社会研发经费的比例是多少？", history)
    assert out.startswith("2021年我国基础研究经费") and out.endswith("占全社会研发经费的比例是多少？")
    history_t = [("user", "台灣省晶圓產能在全球佔比多少？")]
    assert "晶圓" in heuristic_condense("那韓國呢？", history_t)  # terms keep the asker's script
    standalone = "What share of global wafer capacity does mainland China hold?"
    assert heuristic_condense(standalone, history) == standalone


def test_follow_up_through_the_chain(seed_assistant: Assistant) -> None:
    history = [
        {"role": "user", "content": "2021年我国基础研究经费达到多少？"},
        {"role": "assistant", "content": "1696 亿元人民币[1]。"},
    ]
    ans = seed_assistant.ask("它占全社会研发经费的比例呢？", history=history)
    assert not ans.refused
    assert "condense" in ans.timings_ms
    assert any("6%" in strip_markers(s.text) for s in ans.sentences if markers_in(s.text))


def test_a_follow_up_without_its_conversation_asks_for_the_subject(seed_assistant: Assistant) -> None:
    """Alone, "它占…的比例呢？" names nothing to look up: the user is asked to say what it is about,
    nothing is cited, and the closest passages are offered as suggestions. With the turn it leans
    on, the same words are answered (``test_follow_up_through_the_chain``)."""
    ans = seed_assistant.ask("它占全社会研发经费的比例呢？")
    assert ans.refused and ans.citations == []
    assert "“它”" in ans.answer and "问完整" in ans.answer
    assert "earlier turn" in (ans.refusal_reason or "")
    assert ans.suggestions
    en = seed_assistant.ask("How much did they spend?")
    assert en.refused and '"they"' in en.answer


def test_follow_up_that_names_nothing_answers_the_new_slot(seed_assistant: Assistant) -> None:
    """No pronoun, but nothing of its own named: it is about the last topic, and the answer is
    the figure it asks for (the seeds give 8326亿元 for science and technology spending in 2018)."""
    history = [
        {"role": "user", "content": "2018年国家财政科技拨款达到多少？"},
        {"role": "assistant", "content": "9518亿元[1]。"},
    ]
    ans = seed_assistant.ask("科学技术支出又是多少？", history=history)
    assert not ans.refused, ans.refusal_reason
    assert any("8326" in strip_markers(s.text) for s in ans.sentences if s.supported)
    check_citations(ans, seed_assistant)


def test_parts_follow_the_part_before_not_the_whole_question(seed_assistant: Assistant) -> None:
    """Each part is answered with its own quote: the second part leans on the first (its share of
    the 2018 appropriation); a third part names its own year and place, and the first part's year
    (2018) must not constrain it."""
    ans = seed_assistant.ask(
        "2018年国家财政科技拨款达到多少？其中科学技术支出占比多少？广东定下的2025年设计业目标是多少？"
    )
    assert ans.parts is not None and len(ans.parts) == 3
    assert all(p["answered"] for p in ans.parts), ans.parts
    text = strip_markers(ans.answer)
    assert "9518" in text and "87.5%" in text and "2000" in text
    by_part = [set(p["citations"]) for p in ans.parts]
    cited = {n: strip_markers(s.text) for s in ans.sentences for n in markers_in(s.text)}
    assert any("2000" in cited.get(n, "") for n in by_part[2])
    check_citations(ans, seed_assistant)


# --- the LLM path through a scripted OpenAI-compatible endpoint ----------------------------
# The real langchain-openai client, HTTP and SSE streaming, against a tiny local server whose
# replies are written per test from the prompt it receives (it reads the numbered passages, so
# the citations it makes up are deliberate). The llama.cpp end-to-end run lives in test_llm_server.py.


Script = Callable[[list[dict]], str]  # messages → reply text


def passage_number(messages: list[dict], needle: str) -> int:
    """The [n] of the first passage in the prompt that contains ``needle``."""
    prompt = messages[-1]["content"]
    for m in re.finditer(r"^\[(\d+)\] 《", prompt, re.M):
        end = prompt.find("\n\n[", m.end())
        if needle in prompt[m.end() : end if end > 0 else len(prompt)]:
            return int(m.group(1))
    raise AssertionError(f"no passage contains {needle!r}")


@contextmanager
def scripted_llm(script: Script, status: int = 200) -> Iterator[tuple[str, list[dict]]]:
    requests: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append(body)
            if status != 200:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "model exploded", "type": "server_error"}}')
                return
            text = script(body["messages"])
            base = {"id": "x", "created": 0, "model": body.get("model", "m")}
            if not body.get("stream"):
                msg = {"role": "assistant", "content": text}
                out = {
                    **base,
                    "object": "chat.completion",
                    "choices": [{"index": 0, "message": msg, "finish_reason": "stop"}],
                }
                data = json.dumps(out).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            pieces = [text[i : i + 7] for i in range(0, len(text), 7)]
            for i, piece in enumerate(pieces):
                delta = {"content": piece} if i else {"role": "assistant", "content": piece}
                chunk = {
                    **base,
                    "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            end = {
                **base,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            }
            self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", requests
    finally:
        server.shutdown()
        server.server_close()


def llm_assistant(seed_assistant: Assistant, base_url: str) -> Assistant:
    settings = seed_assistant.settings.model_copy(
        update={"generator": "openai", "llm_base_url": base_url, "llm_model": "scripted", "llm_timeout": 30.0}
    )
    return Assistant(settings, embedder=seed_assistant.embedder)


QUESTION = "2021年我国基础研究经费达到多少？"


def test_llm_answer_is_streamed_parsed_and_checked(seed_assistant: Assistant) -> None:
    def script(messages: list[dict]) -> str:
        n = passage_number(messages, "1696")
        return (
            f"2021年我国基础研究经费达到1696亿元人民币[{n}]。"
            f"其中企业投入占比为48.3%[{n}]。"  # a made-up figure
            "基础研究经费年均增幅达14.6%[9]。"  # a passage that does not exist
            "这说明我国非常重视基础研究。"  # uncited
        )

    with scripted_llm(script) as (url, requests):
        deltas, ans = collect(llm_assistant(seed_assistant, url).stream(QUESTION))
    assert requests[0]["stream"] is True and requests[0]["model"] == "scripted"
    assert requests[0]["max_tokens"] == seed_assistant.settings.llm_max_tokens
    assert "max_completion_tokens" not in requests[0] and requests[0]["temperature"] == 0
    assert requests[0]["messages"][0]["role"] == "system" and "[1]" in requests[0]["messages"][1]["content"]
    assert ans.generator == "openai" and not ans.refused and len(deltas) > 5
    raw = "".join(deltas)
    n = ans.sentences[0].citations[0]
    # [9] names no passage: removed, and the verifier found the passage that does say 14.6%.
    assert "[9]" in raw and "[9]" not in ans.answer
    assert any("[9]" in w for w in ans.warnings)
    assert [s.supported for s in ans.sentences] == [True, False, True, False]
    # the unsupported and the uncited sentence are dropped from the text (their verdicts are kept)
    assert ans.answer == ans.sentences[0].text + ans.sentences[2].text
    assert "48.3%" not in ans.answer and "非常重视" not in ans.answer
    assert any("dropped 2 unsupported sentence(s)" in w for w in ans.warnings)
    assert any("48.3%" in r for r in ans.sentences[1].reasons)
    assert ans.sentences[2].reasons == ["citation added by the verifier"]
    assert ans.sentences[3].reasons == ["uncited"]  # no passage says it
    assert [c.n for c in ans.citations] == [n]
    check_citations(ans, seed_assistant)


def test_llm_answer_with_nothing_supported_gives_the_extractive_answer(seed_assistant: Assistant) -> None:
    """The gate found sentences that answer: an LLM answer of which nothing verifies is replaced
    by the extractive answer (never a refusal the extractive path would not make)."""

    def script(messages: list[dict]) -> str:
        return "2021年我国基础研究经费达到2.5万亿元[1]。占比为31%[2]。"

    with scripted_llm(script) as (url, _):
        ans = llm_assistant(seed_assistant, url).ask(QUESTION)
    extractive = seed_assistant.ask(QUESTION)
    assert not ans.refused and ans.generator == "extractive" and ans.answer == extractive.answer
    assert ans.sentences and all(s.supported for s in ans.sentences if s.citations)
    assert "2.5万亿" not in ans.answer and "1696" in ans.answer
    rejected = next(w for w in ans.warnings if "answered extractively" in w)
    assert "2.5万亿元" in rejected and "not in the cited passage" in rejected
    assert not any("fell back" in w for w in ans.warnings)  # the backend worked


def test_llm_refusal_in_its_own_words(seed_assistant: Assistant) -> None:
    """An LLM's own-words refusal stands only when the extractive path refuses too."""
    refusing = lambda m: "The passages do not contain this information."  # noqa: E731
    # The seeds give China's basic research funding in 2021, not Japan's: the extractive path refuses.
    question = "What was Japan's basic research funding in 2021?"
    with scripted_llm(refusing) as (url, _):
        ans = llm_assistant(seed_assistant, url).ask(question)
    assert seed_assistant.ask(question).refused
    assert ans.refused and ans.answer == REFUSAL["en"]

    question = "What were global semiconductor sales in 2021, according to SIA?"
    with scripted_llm(refusing) as (url, _):
        ans = llm_assistant(seed_assistant, url).ask(question)
    extractive = seed_assistant.ask(question)
    assert not extractive.refused
    assert not ans.refused and ans.answer == extractive.answer and ans.generator == "extractive"
    assert any("answered extractively" in w for w in ans.warnings)


def test_llm_rewrites_the_follow_up(seed_assistant: Assistant) -> None:
    def script(messages: list[dict]) -> str:
        if "standalone" in messages[0]["content"].lower():
            return "2021年我国基础研究经费占全社会研发经费的比例是多少？"
        n = passage_number(messages, "1696")
        return f"占全社会研发经费比例连续 3 年超过 6%[{n}]。"

    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "1696亿元[1]。"}]
    with scripted_llm(script) as (url, requests):
        ans = llm_assistant(seed_assistant, url).ask("那占比呢？", history=history)
    assert (
        "那占比呢？" in requests[0]["messages"][-1]["content"]
        and QUESTION in requests[0]["messages"][-1]["content"]
    )
    assert "2021年我国基础研究经费占全社会研发经费的比例是多少？" in requests[1]["messages"][-1]["content"]
    assert not ans.refused and all(s.supported for s in ans.sentences)


def test_llm_server_error_falls_back(seed_assistant: Assistant) -> None:
    with scripted_llm(lambda m: "", status=500) as (url, _):
        ans = llm_assistant(seed_assistant, url).ask(QUESTION)
    assert ans.generator == "extractive" and not ans.refused
    assert any("fell back" in w and "500" in w for w in ans.warnings)


def test_small_llm_context_trims_the_passages(seed_assistant: Assistant) -> None:
    def script(messages: list[dict]) -> str:
        return f"基础研究经费达 1696 亿元人民币[{passage_number(messages, '1696')}]。"

    with scripted_llm(script) as (url, requests):
        assistant = llm_assistant(seed_assistant, url)
        assistant.settings = assistant.settings.model_copy(
            update={"llm_context": 1400, "llm_max_tokens": 256}
        )
        ans = assistant.ask(QUESTION)
    assert len(ans.passages) < seed_assistant.settings.answer_k
    assert any("to fit llm_context" in w for w in ans.warnings)
    assert requests[0]["messages"][-1]["content"].count("\n\n[") == len(ans.passages) - 1


def test_an_english_figure_question_is_answered_from_the_clause_stating_its_figure(
    seed_assistant: Assistant,
) -> None:
    """The embedder rates the English question against its Chinese answer far below the English floor;
    the figure clause writes the asked year and most of the question's translated words."""
    ans = seed_assistant.ask("What was China's basic research funding in 2021?")
    assert not ans.refused and "RMB 169.6 billion" in ans.answer
    assert "1696 亿元" in ans.citations[0].quote
