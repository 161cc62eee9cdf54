"""The answer chain (LangChain LCEL): question (+ history) → condense → retrieve → gate →
generate (streamed) → verify → ``Answer``.

The pipeline is a real runnable: ``RunnablePassthrough.assign`` steps add the standalone
question and the retrieved hits (through ``LangChainRetriever``) to a state dict, then a
``RunnableGenerator`` streams the generator's text deltas and finally yields the verified
``Answer``. Deltas concatenate to the final answer text whenever verification leaves the text
unchanged (always for ``extractive``); when an LLM cites a passage that does not exist, the
marker is removed from the final text, and when nothing it says is supported the final text is
a refusal.

Two refusal points: a gate before generation, the same for every generator (retrieval evidence
too weak, a year the question asks about in no retrieved passage, or no retrieved sentence that
answers well enough by the extractive generator's calibrated scores: the generator is never
called), and one after verification (no cited sentence is supported, or the LLM said so).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda, RunnablePassthrough

from rag.answer.cantonese import question_script, standard_written
from rag.answer.citations import (
    OriginalLocator,
    PassageCache,
    Thresholds,
    asked_years,
    closest_citations,
    fold,
    mentions_year,
    verify,
)
from rag.answer.dialogue import (
    answer_pointer,
    carried_topic,
    condense_follow_up,
    condense_part,
    content_of,
    dangling_reference,
    dated_by_answer,
    follow_up_terms,
    on_topic,
)
from rag.answer.generators import (
    GENERATORS,
    PROMPT_OVERHEAD_TOKENS,
    ExtractiveGenerator,
    ExtractiveParams,
    GenerationRequest,
    Generator,
    GeneratorFactory,
    evidence_rows,
    fit_context,
)
from rag.answer.parts import PartResult, assign, own_groups, parallel_topic
from rag.answer.prompts import (
    ask_in_full_message,
    condense_messages,
    is_refusal,
    keyword_messages,
    refusal_message,
    translation_messages,
    variant,
)
from rag.answer.question import (
    analyse,
    bare_ask,
    counted_phrase_en,
    is_follow_up,
    is_question,
    own_words_en,
    split_parts,
)
from rag.answer.tables import with_table_rows
from rag.config import Settings
from rag.embeddings import Embedder
from rag.errors import BackendError, InvalidQuestion, UnknownComponent
from rag.retrieve.documents import DocumentChunks
from rag.retrieve.hybrid import HybridRetriever, LangChainRetriever, document_to_hit
from rag.retrieve.sections import SectionLeads
from rag.store.base import Store
from rag.text import detect_language, has_cjk, keyword_tokens, to_simplified
from rag.types import Answer, Hit


class Components(Protocol):
    """What the chain needs from its owner (the ``Assistant``): read live, since ingest swaps the
    index in. A protocol, so the chain never imports the façade that imports it."""

    settings: Settings

    @property
    def embedder(self) -> Embedder: ...

    @property
    def index(self) -> Store: ...

    @property
    def retriever(self) -> HybridRetriever: ...


MAX_K = 20

# --- history and follow-ups --------------------------------------------------------------

Turn = tuple[str, str]  # (role, text), role "user" | "assistant"


def normalise_history(history: Sequence[Any] | None) -> list[Turn]:
    """Accept OpenAI-style ``{"role", "content"}`` dicts, ``{"question", "answer"}`` pairs or tuples."""
    out: list[Turn] = []
    for item in history or []:
        if isinstance(item, dict):
            if "role" in item:
                role = "user" if item["role"] in ("user", "human") else "assistant"
                out.append((role, str(item.get("content") or "")))
            else:
                if item.get("question"):
                    out.append(("user", str(item["question"])))
                if item.get("answer"):
                    out.append(("assistant", str(item["answer"])))
        elif isinstance(item, list | tuple) and len(item) == 2:
            out.append((str(item[0]), str(item[1])))
    # A user turn is analysed like the question (its topic is carried into the follow-up).
    return [(r, standard_written(t) if r == "user" else t) for r, t in out if t.strip()]


def heuristic_condense(question: str, history: Sequence[Turn], about: str | None = None) -> str:
    """Without an LLM: a follow-up becomes a standalone question carrying the previous user
    question's topic (its 《title》 or its terms without the words that ask), with a leading
    pronoun (它/其/这些/it) replaced by it; the previous answer is not used. Standalone questions
    pass. ``about``: the topic to carry when the caller found a better one (see ``AnswerChain``)."""
    return condense_follow_up(question, list(history), about)


_PLURAL_BACK_EN = re.compile(r"\b(?:they|them|their|these|those)\b", re.I)
_TIME_UNIT_EN = re.compile(r"\b(?:year|month|week|day|hour|minute|second)s?$", re.I)
_NEAR = 8  # characters between a figure and the noun it counts ("15 条具体举措")

_MISSING_PART = {
    "zh-Hans": "文件未提及：{part}",
    "zh-Hant": "文件未提及：{part}",
    "en": "The documents do not answer: {part}",
}


# --- the evidence gate -------------------------------------------------------------------


@dataclass
class Evidence:
    best_cosine: float
    keyword_coverage: float
    missing_years: list[str]

    def describe(self) -> str:
        return f"best cosine {self.best_cosine:.2f}, keyword coverage {self.keyword_coverage:.2f}" + (
            f", years not in any passage: {', '.join(self.missing_years)}" if self.missing_years else ""
        )


def assess_evidence(question: str, hits: Sequence[Hit], top: int = 3) -> Evidence:
    """How well the retrieved passages could answer: the best dense cosine, the share of the
    question's keywords (length-weighted, t2s-folded) found in the top passages, and the years the
    question names that no passage mentions."""
    best = max((h.dense_score for h in hits if h.dense_score is not None), default=0.0)
    tokens = list(dict.fromkeys(keyword_tokens(question)))
    text = "".join(
        "".join(fold(f"{h.chunk.title}{h.chunk.section}{h.chunk.text}").split()) for h in hits[:top]
    )
    total = sum(len(t) for t in tokens)
    coverage = sum(len(t) for t in tokens if t in text) / total if total else 0.0
    all_text = "\n".join(f"{h.chunk.title} {h.chunk.section} {h.chunk.text}" for h in hits)
    missing = [y for y in asked_years(question) if not mentions_year(all_text, y)]
    return Evidence(float(best), coverage, missing)


def _in_documents(picks: list[Any], sources: set[str]) -> tuple[list[Any], str | None]:
    """A later part that leans on the one before ("and how many patents is it expected to yield?")
    asks about the subject that part was answered from: only quotes from the same document part
    (document and top-level section) answer it (a global patent count from another report does
    not). No restriction without sources."""
    if not sources or not picks:
        return picks, None
    kept = [p for p in picks if _document_part(p) in sources]
    return (kept, None) if kept else ([], "the passages that answer the part before do not say")


def _document_part(pick: Any) -> str:
    """The document and its top-level section a quote comes from: a newsletter's items are its
    sections, each about its own subject."""
    chunk = pick.info.chunk
    return f"{chunk.source}#{(chunk.section or '').split('>')[0].split('›')[0].strip()}"


def own_years(evidence: Evidence, question: str, standalone: str) -> Evidence:
    """A rewritten follow-up is refused for a missing year only when the user asked that year (or
    asked nothing but "是多少？"): a year carried from the previous turn dated its event ("released in
    June 2021"), it does not constrain the new question (the extractive selection reads it so too)."""
    if standalone == question or bare_ask(question):
        return evidence
    own = set(asked_years(question))
    return replace(evidence, missing_years=[y for y in evidence.missing_years if y in own])


# --- the chain ---------------------------------------------------------------------------

# A prompt too long for the model: servers say so, or (llama.cpp's server, which fails after the
# stream has started) send nothing at all, which langchain-openai reports as "no generation chunks".
_CONTEXT_ERROR = re.compile(
    r"context (?:window|length)|maximum context|too many tokens|exceeds? |no generation chunks", re.I
)


def _rejected(checked: Any) -> str:
    """What verification rejected, for the warning that explains a replaced LLM answer."""
    return "; ".join(f"{x.text[:80]!r} ({', '.join(x.reasons) or 'refusal'})" for x in checked.sentences)


class AnswerChain:
    """Built once per ``Assistant``; holds the generators, the per-chunk sentence cache and the
    original-file locator so nothing is rebuilt per question."""

    def __init__(self, assistant: Components) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.passages = PassageCache()
        # A retrieved passage's document, read from the store (section lead-ins, table rows cut apart).
        self.documents = DocumentChunks(lambda: self.assistant.retriever.index)
        self.locator = OriginalLocator(self.settings.corpus_dir)
        self._factory: GeneratorFactory | None = None
        self.runnable: Runnable = self._build()

    # components -------------------------------------------------------------------------

    @property
    def factory(self) -> GeneratorFactory:
        if self._factory is None:
            s = self.settings
            params = ExtractiveParams(
                max_sentences=s.extractive_max_sentences,
                min_score=s.extractive_min_score,
                min_score_en=s.extractive_min_score_en,
                year_ratio=s.extractive_year_ratio,
                synonym_cosine=s.extractive_synonym_cosine,
                figure_clause_en=s.extractive_figure_clause_en,
                match_script=s.extractive_match_script,
            )
            self._factory = GeneratorFactory(
                s,
                self.assistant.embedder,
                self.passages,
                params,
                translate=self._translate,
                lexicon=lambda: self.assistant.retriever.expander,
                leads=SectionLeads(self.documents),
            )
        return self._factory

    def _translate(self, question: str) -> list[str]:
        """An English question's Chinese search terms (the retriever's dictionary expansion)."""
        expander = self.assistant.retriever.expander
        return expander.expand(question) if expander is not None else []

    @property
    def thresholds(self) -> Thresholds:
        s = self.settings
        return Thresholds(
            lexical=s.support_threshold, cosine=s.support_cosine_threshold, auto_cite=s.auto_cite
        )

    def _build(self) -> Runnable:
        prepare = RunnablePassthrough.assign(
            standalone=RunnableLambda(self._condense, name="condense")
        ) | RunnablePassthrough.assign(hits=RunnableLambda(self._retrieve, name="retrieve"))
        return (prepare | RunnableGenerator(self._respond, name="generate_and_verify")).with_config(
            run_name="answer_chain"
        )

    # public API -------------------------------------------------------------------------

    def answer(
        self,
        question: str,
        *,
        k: int | None = None,
        generator: str | None = None,
        history: list[dict] | None = None,
    ) -> Answer:
        final: Answer | None = None
        for item in self.stream(question, k=k, generator=generator, history=history):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        *,
        k: int | None = None,
        generator: str | None = None,
        history: list[dict] | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas as they are generated, then the final verified ``Answer``.

        Validation happens here, eagerly, so a bad request raises before anything is streamed."""
        state = self._validate(question, k, generator, history)
        return self._iterate(state)

    def _iterate(self, state: dict[str, Any]) -> Iterator[str | Answer]:
        for item in self.runnable.stream(state):
            if isinstance(item, Answer) and item.standalone is None:
                item.standalone = state["flags"].get("standalone", item.question)
            yield item

    # steps ------------------------------------------------------------------------------

    def _validate(self, question: Any, k: int | None, generator: str | None, history: Any) -> dict[str, Any]:
        if not isinstance(question, str) or not question.strip():
            raise InvalidQuestion("the question is empty")
        question = question.strip()
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestion(
                f"the question is longer than {self.settings.max_question_chars} characters"
            )
        k = self.settings.answer_k if k is None else k
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise InvalidQuestion(f"k must be between 1 and {MAX_K}, got {k!r}")
        name = (generator or self.settings.generator).strip().lower()
        if name in ("llama-cpp", "llama_cpp"):
            name = "llamacpp"
        if name not in GENERATORS:
            raise UnknownComponent(f"unknown generator {name!r}; valid generators: {', '.join(GENERATORS)}")
        return {
            "question": standard_written(question),  # what is analysed and retrieved
            "asked": question,  # what the user wrote: echoed, and its language and script answered in
            "history": normalise_history(history),
            "k": k,
            "generator": name,
            "warnings": [],
            "timings": {},
            "flags": {},  # mutable across steps (the state dict itself is copied between steps)
        }

    def _condense(self, state: dict[str, Any]) -> str:
        standalone = self._standalone(state)
        state["flags"]["standalone"] = standalone
        return standalone

    def _standalone(self, state: dict[str, Any]) -> str:
        question, history = state["question"], state["history"]
        if not history:
            return question
        t0 = time.perf_counter()
        try:
            gen = self.factory.get(state["generator"])
            if gen.generative:
                try:
                    rewritten = gen.complete(condense_messages(question, history)).strip()  # type: ignore[attr-defined]
                    line = rewritten.splitlines()[0].strip().strip('"“”') if rewritten else ""
                    if line and len(line) <= self.settings.max_question_chars:
                        return line
                except BackendError as exc:
                    state["flags"]["backend_error"] = exc
                    state["warnings"].append(f"could not rewrite the follow-up with the LLM ({exc})")
            return heuristic_condense(question, history, self._topic_across_languages(question, history))
        finally:
            state["timings"]["condense"] = (time.perf_counter() - t0) * 1000

    @staticmethod
    def _asked(state: dict[str, Any]) -> str:
        """The user's own question, a year it points at in the previous answer written out
        (``dialogue.dated_by_answer``): that year is asked as if typed."""
        question, history = state["question"], state["history"]
        previous = next((t for r, t in reversed(history) if r == "user"), "")
        if not previous:
            return question
        answer = next((t for r, t in reversed(history) if r == "assistant"), "")
        return dated_by_answer(question, previous, answer)

    def _new_terms(self, state: dict[str, Any]) -> dict[str, tuple[tuple[str, ...], ...]]:
        """What a rewritten follow-up names that the previous question did not (``follow_up_terms``):
        the answering sentence must say it (``required``), with a figure where one is asked
        (``counted``). Nothing for a standalone question."""
        question, history = state["question"], state["history"]
        previous = next((t for r, t in reversed(history) if r == "user"), "")
        if not previous or state["standalone"] == question or not is_question(previous):
            return {}
        expander = self.assistant.retriever.expander
        required, counted = follow_up_terms(
            question,
            previous,
            idf=expander.idf if expander is not None else (lambda _t: 0.0),
            wants_figure=analyse(question).wants_figure,
            translate=expander.expand if expander is not None else None,
        )
        return {"required": required, "counted": counted}

    def _on_topic(self, state: dict[str, Any], hits: list[Hit]) -> list[Hit]:
        """A rewritten follow-up is answered from the passages about the topic it carries
        (``dialogue.on_topic``); its own words and slot then choose the sentence. A follow-up
        pointing at the previous answer itself is scoped by that answer instead."""
        question, history = state["question"], state["history"]
        previous = next((t for r, t in reversed(history) if r == "user"), "")
        if not previous or state["standalone"] == question or not is_question(previous):
            return hits
        if answer_pointer(question):
            return hits
        expander = self.assistant.retriever.expander
        return on_topic(
            state["standalone"],
            question,
            hits,
            idf=expander.idf if expander is not None else (lambda _t: 1.0),
            translate=expander.expand if expander is not None else None,
        )

    def _topic_across_languages(self, question: str, history: Sequence[Turn]) -> str | None:
        """A follow-up in another language than the previous question ("它还提出设立什么基金？"
        after an English question) cannot carry that question's words: their Chinese would only
        come from a translation. The heading of the passage the previous question retrieves first
        names the same topic in the documents' words. None when the languages agree."""
        previous = next((t for r, t in reversed(history) if r == "user"), "")
        if not previous or detect_language(previous) == detect_language(question):
            return None
        if not is_question(previous):
            return None  # a greeting has no topic
        if not is_follow_up(question):
            return None
        if detect_language(previous) == "zh":
            # An English follow-up of a Chinese question: the Chinese topic is in the documents'
            # own words already (a heading such as "二、报告提出的建议" names no topic). Its subject,
            # not what it asked ("…计划里，低碳技术标准化要做些什么" carries the plan, not 低碳技术标准化).
            # "they"/"those" point at the things it asked about (its four directions): all of it.
            if _PLURAL_BACK_EN.search(question):
                return content_of(previous) or None
            return carried_topic(previous, question) or content_of(previous) or None
        hits = self._search(previous, 1)
        if not hits:
            return None
        chunk = hits[0].chunk
        heading = (chunk.section or "").split(">")[-1].strip() or (chunk.title or "").strip()
        return heading or None

    def _llm_keywords(self, state: dict[str, Any]) -> list[str]:
        """Chinese keywords for an English question from the LLM generator (when one is chosen and
        ``llm_rewrite_queries`` is on); the dictionary expansion runs either way."""
        question = state["standalone"]
        if not self.settings.llm_rewrite_queries or detect_language(question) != "en":
            return []
        if state["flags"].get("backend_error") is not None:
            return []
        gen = self.factory.get(state["generator"])
        if not gen.generative:
            return []
        t0 = time.perf_counter()
        try:
            text = gen.complete(keyword_messages(question), max_tokens=48)  # type: ignore[attr-defined]
        except BackendError as exc:
            state["flags"]["backend_error"] = exc
            state["warnings"].append(f"could not rewrite the question into Chinese keywords ({exc})")
            return []
        finally:
            state["timings"]["rewrite"] = (time.perf_counter() - t0) * 1000
        line = next((ln for ln in text.splitlines() if has_cjk(ln)), "")
        return [w for w in re.split(r"[\s,，、;；]+", line) if has_cjk(w)][:12]

    def _retrieve(self, state: dict[str, Any]) -> list[Hit]:
        keywords = self._llm_keywords(state)
        t0 = time.perf_counter()
        retriever = LangChainRetriever(retriever=self.assistant.retriever, k=state["k"], keywords=keywords)
        docs = retriever.invoke(state["standalone"])
        index = self.assistant.index
        hits = [document_to_hit(d, index) for d in docs]
        hits = with_table_rows(state["standalone"], hits, self.documents)
        for rank, h in enumerate(hits, 1):
            h.rank = rank
        state["timings"]["retrieve"] = (time.perf_counter() - t0) * 1000
        return hits

    def _respond(self, inputs: Iterator[dict[str, Any]]) -> Iterator[str | Answer]:
        state: dict[str, Any] = {}
        for part in inputs:
            state.update(part)
        question: str = state["question"]
        hits: list[Hit] = state["hits"]
        timings: dict[str, float] = state["timings"]
        warnings: list[str] = state["warnings"]
        language, script = detect_language(state["asked"]), question_script(state["asked"])
        name: str = state["generator"]

        s = self.settings
        pointer = None if state["history"] else dangling_reference(question)
        if pointer is not None:
            timings.setdefault("generate", 0.0)
            why = f"the question leans on an earlier turn ({pointer!r}) and there is none"
            ans = self._refusal_answer(state, language, script, name, why)
            ans.answer = ask_in_full_message(language, script, pointer)
            yield ans.answer
            yield ans
            return
        # The user's own words are split (a rewritten follow-up carries a topic that is no part).
        parts = split_parts(question if name == "extractive" else state["standalone"])
        if len(parts) > 1 and name == "extractive":
            # Each part is retrieved and gated on its own: the whole question's evidence says little.
            yield from self._answer_parts(
                state,
                parts,
                language,
                script,
                self.factory.get("extractive"),
                time.perf_counter(),
            )
            return
        # The user's own words, with a year pointed at ("that year") as the previous answer gave it.
        asked = self._asked(state)
        evidence = own_years(assess_evidence(state["standalone"], hits), asked, state["standalone"])
        floor = s.refuse_below if language == "zh" else s.refuse_below_en
        weak = evidence.best_cosine < floor and evidence.keyword_coverage < s.refuse_keyword_below
        if not hits or weak or (s.refuse_missing_year and evidence.missing_years):
            timings.setdefault("generate", 0.0)
            reason = "no passages" if not hits else evidence.describe()
            yield from self._refuse(state, language, script, name, f"retrieval evidence too weak ({reason})")
            return

        topical = self._on_topic(state, hits)
        if not topical:
            timings.setdefault("generate", 0.0)
            yield from self._refuse(
                state, language, script, name, "no retrieved passage is about the topic carried from before"
            )
            return
        hits = topical
        t0 = time.perf_counter()
        # The same calibrated test for every generator: if no retrieved sentence answers well
        # enough (or none mentions the year asked about), an LLM would only answer beside the
        # question ("2019 launches?" → a SpaceX fact), so it is not called.
        extractive = self.factory.get("extractive")
        assert isinstance(extractive, ExtractiveGenerator)
        gate_hits = hits
        picks, why = extractive.select_with_reason(
            GenerationRequest(
                state["standalone"], hits, language, script, asked=asked, **self._new_terms(state)
            )
        )
        if not picks:
            timings["generate"] = (time.perf_counter() - t0) * 1000
            yield from self._refuse(state, language, script, name, why or "no passage sentence answers")
            return
        pieces: list[str] = []
        used = name
        gen: Generator = self.factory.get(name)
        if state["flags"].get("backend_error") is not None and gen.generative:
            warnings.append(f"generator {name!r} unavailable; fell back to extractive")
            gen, used = self.factory.get("extractive"), "extractive"
        if gen.generative:
            budget = s.llm_context - s.llm_max_tokens - PROMPT_OVERHEAD_TOKENS
            fitted = fit_context(state["standalone"], hits, budget)
            if len(fitted) < len(hits):
                warnings.append(
                    f"gave the LLM {len(fitted)} of {len(hits)} passages to fit llm_context={s.llm_context} tokens"
                )
                hits = state["hits"] = fitted
        after_overflow = False
        while True:
            request = GenerationRequest(state["standalone"], hits, language, script)
            try:
                # The extractive answer is the gate's selection: scoring every sentence twice
                # (embedding the question, tagging places) would double its latency.
                same = gen is extractive and hits is gate_hits
                for piece in extractive.stream(request, picks) if same else gen.stream(request):
                    pieces.append(piece)
                    yield piece
                break
            except BackendError as exc:
                if not gen.generative:
                    raise
                if not pieces and len(hits) > 1 and _CONTEXT_ERROR.search(str(exc)):
                    # Our token estimate is cl100k's; the model's own tokenizer may count more.
                    hits = state["hits"] = hits[: len(hits) // 2]
                    warnings.append(f"the LLM context overflowed; retried with {len(hits)} passages")
                    after_overflow = True
                    continue
                if after_overflow and not pieces and "connection" in str(exc).lower():
                    # A server that aborted the previous stream leaves a dead pooled connection.
                    after_overflow = False
                    continue
                warnings.append(f"{exc}; fell back to the extractive generator")
                gen, used, pieces = self.factory.get("extractive"), "extractive", []
        timings["generate"] = (time.perf_counter() - t0) * 1000
        text = "".join(pieces).strip()

        if not text:
            timings.setdefault("verify", 0.0)
            ans = self._refusal_answer(state, language, script, used, "the generator returned nothing")
            yield ans.answer  # nothing was streamed: the refusal is the whole text
            yield ans
            return
        t0 = time.perf_counter()
        checked = self._verify(text, hits)
        warnings.extend(checked.warnings)
        said_no = gen.generative and is_refusal(checked.text)
        if gen.generative and (said_no or not checked.any_supported):
            # The gate found sentences that answer: an LLM answer with nothing verifiable (or a
            # refusal the extractive path would not make) gives way to the extractive answer.
            translated = (
                self._translated_instead(state, gate_hits, picks, gen, checked) if language == "en" else None
            )
            if translated is not None:
                checked, hits, said_no = translated, gate_hits, False
            else:
                fallback = self._extractive_instead(state, gate_hits, picks, language, script, checked)
                if fallback is not None:
                    checked, hits, used, said_no = fallback, gate_hits, "extractive", False
        elif gen.generative and any(not x.supported for x in checked.sentences):
            checked = self._supported_only(checked, hits, warnings)
        timings["verify"] = (time.perf_counter() - t0) * 1000
        if said_no or not checked.any_supported:
            why = (
                "the generator said the documents do not contain the answer"
                if said_no
                else "no sentence of the generated answer is supported by the cited passages"
            )
            ans = self._refusal_answer(state, language, script, used, why)
            ans.sentences = checked.sentences  # kept: they show what was rejected and why
            yield ans
            return
        yield Answer(
            question=state["asked"],
            language=language,
            answer=checked.text,
            refused=False,
            generator=used,
            citations=checked.citations,
            sentences=checked.sentences,
            warnings=warnings,
            timings_ms=self._timings(timings),
            passages=hits,
        )

    # LLM answers that do not verify ------------------------------------------------------

    def _verify(self, text: str, hits: Sequence[Hit]) -> Any:
        return verify(
            text,
            hits,
            embedder=self.assistant.embedder,
            passages=self.passages,
            locator=self.locator,
            thresholds=self.thresholds,
        )

    def _supported_only(self, checked: Any, hits: Sequence[Hit], warnings: list[str]) -> Any:
        """An LLM answer whose text keeps only its supported sentences; ``sentences`` keeps every
        verdict (what was dropped, and why), citations only name passages a kept sentence cites."""
        kept = [x for x in checked.sentences if x.supported]
        dropped = [x for x in checked.sentences if not x.supported]
        warnings.append(
            f"dropped {len(dropped)} unsupported sentence(s) of the LLM answer: "
            + "; ".join(f"{x.text[:80]!r} ({', '.join(x.reasons)})" for x in dropped)
        )
        text = ""
        for x in kept:
            piece = x.text.strip()
            text += piece if not text or re.match(r"[\u3400-\u9fff]", piece[:1]) else " " + piece
        cited = {n for x in kept for n in x.citations}
        return dataclasses.replace(
            checked, text=text, citations=[c for c in checked.citations if c.n in cited]
        )

    def _translated_instead(
        self, state: dict[str, Any], hits: Sequence[Hit], picks: Sequence[Any], gen: Generator, rejected: Any
    ) -> Any | None:
        """English for an English question whose LLM answer did not verify: the LLM translates the
        sentences the gate chose (they answer the question) and the translation is verified like any
        answer; None when the LLM fails or nothing of it verifies (then the extractive answer)."""
        evidence = evidence_rows(picks[: self.settings.extractive_max_sentences])
        if not any(has_cjk(sentence) for _, _, sentence in evidence):
            return None  # English evidence: the extractive answer is already English
        try:
            text = gen.complete(translation_messages(evidence)).strip()  # type: ignore[attr-defined]
        except BackendError as exc:
            state["warnings"].append(f"could not translate the evidence ({exc})")
            return None
        checked = self._verify(text, hits) if text else None
        if checked is None or not checked.any_supported or is_refusal(checked.text):
            return None
        if any(not x.supported for x in checked.sentences):
            checked = self._supported_only(checked, hits, state["warnings"])
        state["warnings"].append(
            "the LLM answer had no supported sentence; answered with the LLM's translation of the evidence "
            f"sentences (rejected: {_rejected(rejected)})"
        )
        return checked

    def _extractive_instead(
        self,
        state: dict[str, Any],
        hits: Sequence[Hit],
        picks: Sequence[Any],
        language: str,
        script: str,
        rejected: Any,
    ) -> Any | None:
        """The verified extractive answer from the gate's picks, replacing an LLM answer of
        which nothing survived verification; None when it does not verify either."""
        extractive = self.factory.get("extractive")
        assert isinstance(extractive, ExtractiveGenerator)
        request = GenerationRequest(state["standalone"], list(hits), language, script)
        text = extractive.compose(request, picks).strip()
        if not text:
            return None
        checked = self._verify(text, hits)
        if not checked.any_supported:
            return None
        state["warnings"].append(
            f"the LLM answer had no supported sentence; answered extractively (rejected: {_rejected(rejected)})"
        )
        return checked

    # multi-part questions ----------------------------------------------------------------

    def _answer_parts(
        self,
        state: dict[str, Any],
        parts: list[str],
        language: str,
        script: str,
        extractive: ExtractiveGenerator,
        t0: float,
    ) -> Iterator[str | Answer]:
        """Each part is retrieved and answered on its own, with its own quotes and citations; a
        part nothing answers is named missing. A part that leans on the one before ("杭州排第几？",
        "which chain is it meant to complete?") is read as a follow-up of it (the first part as a
        follow-up of the conversation); a part that names its own subject is asked as it is, so
        one part's topic or year does not constrain another."""
        merged: list[Hit] = []
        number: dict[str, int] = {}
        results: list[tuple[str, list[Any], str | None]] = []
        queries: list[str] = []
        previous: list[Turn] = list(state["history"])
        sources: set[str] = set()  # the documents the parts so far were answered from
        found: list[PartResult] = []
        for i, part in enumerate(parts):
            about = self._topic_across_languages(part, previous) if previous else None
            if i == 0:  # the first part follows the conversation
                query = heuristic_condense(part, previous, about) if previous else part
            elif parallel := parallel_topic(part, parts[i - 1]):  # the same ask about another name
                query = f"{part} ({parallel})"
            else:  # a later part follows the part before it (its subject, not its whole question)
                query = condense_part(part, previous[-1][1], about)
            previous = [("user", query)]
            queries.append(query)
            hits = self._search(query, state["k"])
            picks, why = extractive.select_with_reason(
                GenerationRequest(query, hits, language, script, asked=part)
            )
            picks, unsaid = self._saying_the_part(part, picks)
            picks, elsewhere = _in_documents(picks, sources if i and query != part else set())
            why = why or unsaid or elsewhere
            sources = {_document_part(p) for p in picks} or sources
            found.append(PartResult(part, query, [(p, hits[p.n - 1]) for p in picks], why))
        # A quote answers the part whose own words it says (the US sentence the US part, the China
        # sentence the China part), whichever part's retrieval found it.
        own = own_groups(parts, self._translate)
        expander = self.assistant.retriever.expander
        vocab = expander.vocab if expander is not None else set()
        strict = [
            detect_language(part) == "zh" and bool(groups) and all(t in vocab for g in groups for t in g)
            for part, groups in zip(parts, own, strict=True)
        ]
        asked = [analyse(part) for part in parts]
        wants = [a.wants_figure for a in asked]
        slots = [a.slot for a in asked]
        for r in assign(found, own, strict=strict, wants_figure=wants, slots=slots):
            renumbered = []
            for p, h in r.picks:
                if h.chunk.chunk_id not in number:
                    merged.append(h)
                    number[h.chunk.chunk_id] = len(merged)
                renumbered.append(replace(p, n=number[h.chunk.chunk_id]))
            results.append((r.part, renumbered, r.why))
        for h in state["hits"]:  # the whole question's passages stay visible as context
            if h.chunk.chunk_id not in number and len(merged) < max(state["k"], len(number)):
                merged.append(h)
                number[h.chunk.chunk_id] = len(merged)
        for rank, h in enumerate(merged, 1):
            h.rank = rank
        state["hits"] = merged or state["hits"]
        name = state["generator"]
        timings = state["timings"]
        if not any(picks for _, picks, _ in results):
            timings["generate"] = (time.perf_counter() - t0) * 1000
            why = "; ".join(f"{part} — {w}" for part, _, w in results)
            refusal = self._refusal_answer(state, language, script, name, f"no part is answered ({why})")
            refusal.parts = [
                {"question": part, "answered": False, "citations": [], "missing": w, "standalone": query}
                for (part, _, w), query in zip(results, queries, strict=True)
            ]
            yield refusal.answer
            yield refusal
            return
        request = GenerationRequest(state["standalone"], merged, language, script)
        # A sentence that answers two parts is quoted once (the parts both cite it).
        quoted = list({(p.n, p.j): p for _, picks, _ in results for p in picks}.values())
        text = extractive.compose(request, quoted)
        timings["generate"] = (time.perf_counter() - t0) * 1000
        t1 = time.perf_counter()
        checked = self._verify(text, merged)
        timings["verify"] = (time.perf_counter() - t1) * 1000
        state["warnings"].extend(checked.warnings)
        if not checked.any_supported:
            yield from self._refuse(state, language, script, name, "no quoted sentence is supported")
            return
        note = _MISSING_PART[variant(language, script)]
        missing = [note.format(part=part) for part, picks, _ in results if not picks]
        final = checked.text + ("\n" + "\n".join(missing) if missing else "")
        step = 16
        for i in range(0, len(final), step):
            yield final[i : i + step]
        yield Answer(
            question=state["asked"],
            language=language,
            answer=final,
            refused=False,
            generator="extractive",
            citations=checked.citations,
            sentences=checked.sentences,
            warnings=state["warnings"],
            timings_ms=self._timings(timings),
            passages=merged,
            parts=[
                {
                    "question": part,
                    "answered": bool(picks),
                    "citations": sorted({p.n for p in picks}),
                    "missing": why if not picks else None,
                    "standalone": query,
                }
                for (part, picks, why), query in zip(results, queries, strict=True)
            ],
        )

    def _saying_the_part(self, part: str, picks: list[Any]) -> tuple[list[Any], str | None]:
        """An English part asking for a figure must be answered by a sentence stating it about what
        the part itself names: one of its own words (jobs, platform, nationwide…, in the documents'
        Chinese) in the sentence or its heading, and for "how many X" the counted X within a few
        characters of a figure ("15 条具体举措", "资助 12 项", "9 家制造业创新研究所"). A later part leans on the topic of the
        one before, and the figure of a sentence about that topic (the programme's budget for "how
        many jobs") is not its answer. The quotes that do, and why the part is missing when none does."""
        if detect_language(part) != "en" or not picks or not analyse(part).wants_figure:
            return picks, None
        own = [w for w in own_words_en(part) if not _TIME_UNIT_EN.search(w)]  # 年 is no word to look for
        terms = [t for t in self._translate(" ".join(own)) if has_cjk(t) and len(t) >= 2] if own else []
        counted = counted_phrase_en(part)
        if _TIME_UNIT_EN.search(counted):
            counted = ""  # "for how many years?" counts a unit of time: the slot's own check reads it
        units = [re.escape(t) for t in self._translate(counted) if has_cjk(t)] if counted else []
        near = (
            re.compile(
                rf"\d[^。；;]{{0,{_NEAR}}}(?:{'|'.join(units)})|(?:{'|'.join(units)})[^。；;]{{0,{_NEAR}}}\d"
            )
            if units
            else None
        )
        kept = []
        for p in picks:
            sentence = to_simplified(p.info.sentence(p.j))
            context = f"{p.info.chunk.title}\n{p.info.chunk.section}\n{sentence}"
            if terms and not any(t in context for t in terms):
                continue
            if near is not None and not near.search(sentence):
                continue
            kept.append(p)
        if kept:
            return kept, None
        return [], f"no quoted sentence gives the figure for {' '.join(own_words_en(part)) or part}"

    def _search(self, query: str, k: int) -> list[Hit]:
        retriever = LangChainRetriever(retriever=self.assistant.retriever, k=k)
        index = self.assistant.index
        hits = [document_to_hit(d, index) for d in retriever.invoke(query)]
        hits = with_table_rows(query, hits, self.documents)
        for rank, h in enumerate(hits, 1):
            h.rank = rank
        return hits

    # refusals ---------------------------------------------------------------------------

    def _refuse(
        self, state: dict[str, Any], language: str, script: str, name: str, why: str
    ) -> Iterator[str | Answer]:
        ans = self._refusal_answer(state, language, script, name, why)
        yield ans.answer
        yield ans

    def _refusal_answer(
        self, state: dict[str, Any], language: str, script: str, name: str, why: str
    ) -> Answer:
        t0 = time.perf_counter()
        hits: list[Hit] = state["hits"]
        citations = closest_citations(
            state["standalone"], hits, passages=self.passages, locator=self.locator, embedder=None
        )
        state["timings"]["verify"] = state["timings"].get("verify", 0.0) + (time.perf_counter() - t0) * 1000
        state["warnings"].append(f"refused: {why}")
        return Answer(
            question=state["asked"],
            language=language,
            answer=refusal_message(language, script),
            refused=True,
            generator=name,
            citations=[],  # a refusal cites nothing; the closest passages are suggestions
            sentences=[],
            warnings=state["warnings"],
            timings_ms=self._timings(state["timings"]),
            passages=hits,
            refusal_reason=why,
            suggestions=citations,
        )

    @staticmethod
    def _timings(t: dict[str, float]) -> dict[str, float]:
        out = {k: float(t.get(k, 0.0)) for k in ("retrieve", "generate", "verify")}
        out.update({k: float(v) for k, v in t.items() if k not in out})
        return out
