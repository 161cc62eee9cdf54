"""Loaders: every supported format from a tiny real file, encodings, and the refusal messages."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from rag.errors import DocumentError
from rag.ingest.loaders import (
    SUPPORTED_SUFFIXES,
    decode_bytes,
    front_matter,
    iter_files,
    load_path,
    source_name,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# Real sentences from the seeds (001 l.23-25 simplified, 000 l.26 traditional).
SIMPLIFIED = (
    "关键核心技术是国之重器，对破解“卡脖子”难题、推动经济高质量发展、保障国家安全具有十分重要的意义。"
)
TRADITIONAL = "內地經常指要發展科技創新，「強化國家戰略科技力量」這個目標，中央更加是多番強調。"

FRONT_MATTER_MD = """---
title: "【兩會焦點】內地要發展科技創新　成果點量化？"
date: "2021-03-04"
author: "眾新聞中國組"
url: "https://www.hkcnews.com/article/38781"
tags:
  - "創新科技"
  - "晶片"
---

# 另一個標題

內地經常指要發展科技創新。
"""


def minimal_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A valid PDF written by hand: Helvetica text, one content stream per page."""
    page_ids = [4 + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for pid, lines in zip(page_ids, pages, strict=True):
        content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {pid + 1} 0 R >>".encode()
        )
        objs.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream".encode())
    if title:
        objs.append(f"<< /Title ({title}) >>".encode())
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{k} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for o in offsets:
        out.write(f"{o:010d} 00000 n \n".encode())
    info = f" /Info {len(objs)} 0 R" if title else ""
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"} == SUPPORTED_SUFFIXES


def test_source_name_relative_and_outside(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    f = tmp_path / "sub" / "a.txt"
    f.write_text("x", encoding="utf-8")
    assert source_name(f, tmp_path) == "sub/a.txt"
    assert source_name(f, tmp_path / "elsewhere") == "a.txt"


def test_seed_loads_unchanged_with_stable_ids() -> None:
    path = SEEDS / "001_6339d00eea488fd2.txt"
    doc = load_path(path, SEEDS)
    raw = path.read_bytes()
    assert doc.text == raw.decode("utf-8")  # the original, never altered
    assert doc.source == "001_6339d00eea488fd2.txt"
    assert doc.doc_id == hashlib.sha1(b"001_6339d00eea488fd2.txt").hexdigest()[:16]
    assert doc.content_hash == hashlib.sha256(raw).hexdigest()
    assert load_path(path, SEEDS).doc_id == doc.doc_id
    assert doc.skip_spans == []
    assert doc.title == "001_6339d00eea488fd2"  # no front matter, no H1: the file stem


def test_seed_000_front_matter_becomes_metadata() -> None:
    doc = load_path(SEEDS / "000_d56512941d572a28.txt", SEEDS)
    assert doc.title == "【兩會焦點】內地要發展科技創新\u3000成果點量化？"
    assert doc.metadata["date"] == "2021-03-04"
    assert doc.metadata["author"] == "眾新聞中國組"
    assert "中國製造2025" in doc.metadata["tags"]
    (start, end) = doc.skip_spans[0]
    assert start == 0 and doc.text[:end].rstrip().endswith("---")
    assert "title:" in doc.text[start:end] and "# 【兩會焦點】" not in doc.text[start:end]


def test_front_matter_md(tmp_path: Path) -> None:
    f = tmp_path / "news.md"
    f.write_text(FRONT_MATTER_MD, encoding="utf-8")
    doc = load_path(f, tmp_path)
    assert doc.title == "【兩會焦點】內地要發展科技創新　成果點量化？"  # front matter beats the H1
    assert doc.metadata["tags"] == ["創新科技", "晶片"]
    assert doc.metadata["url"] == "https://www.hkcnews.com/article/38781"
    s, e = doc.skip_spans[0]
    assert doc.text[s:e].startswith("---\ntitle:") and doc.text[e:].startswith("\n# 另一個標題")


def test_front_matter_needs_a_mapping() -> None:
    assert front_matter("---\njust a line\n---\nbody") is None
    assert front_matter("no front matter\n---\n") is None
    span, meta = front_matter("---\ndate: 2021-03-04\n---\nbody")  # type: ignore[misc]
    assert meta == {"date": "2021-03-04"} and span == (0, 25)


def test_title_falls_back_to_h1_then_stem(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("intro\n\n# 科技政策与咨询快报\n\n正文。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("正文。\n", encoding="utf-8")
    assert load_path(tmp_path / "a.md", tmp_path).title == "科技政策与咨询快报"
    assert load_path(tmp_path / "b.txt", tmp_path).title == "b"


@pytest.mark.parametrize(("encoding", "text"), [("gb18030", SIMPLIFIED), ("big5", TRADITIONAL)])
def test_legacy_chinese_encodings(tmp_path: Path, encoding: str, text: str) -> None:
    f = tmp_path / f"{encoding}.txt"
    f.write_bytes((text + "\n" + text + "\n").encode(encoding))
    doc = load_path(f, tmp_path)
    assert doc.text == text + "\n" + text + "\n"
    assert doc.metadata["encoding"] == encoding


def test_utf8_bom_is_decoded_away(tmp_path: Path) -> None:
    f = tmp_path / "bom.md"
    f.write_bytes(b"\xef\xbb\xbf# \xe6\xa0\x87\xe9\xa2\x98\n\nbody\n")
    doc = load_path(f, tmp_path)
    assert doc.text == "# 标题\n\nbody\n" and doc.title == "标题"
    assert doc.metadata["encoding"] == "utf-8-sig"


def test_utf16_with_bom() -> None:
    text, enc = decode_bytes(TRADITIONAL.encode("utf-16"))
    assert text == TRADITIONAL and enc == "utf-16"


def test_stray_bad_byte_and_western_legacy_text() -> None:
    raw = (SIMPLIFIED * 20).encode()
    text, enc = decode_bytes(raw[:300] + b"\xff" + raw[300:])
    assert (
        enc.startswith("utf-8")
        and text.count("\ufffd") == 1
        and text.replace("\ufffd", "") == SIMPLIFIED * 20
    )
    text, enc = decode_bytes(
        ("Caf\xe9 policy notes on research funding and innovation. " * 20).encode("latin-1")
    )
    assert enc == "cp1252" and text.startswith("Café policy notes on")


def test_binary_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "image.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    with pytest.raises(DocumentError, match=r"image\.txt.*binary"):
        load_path(f, tmp_path)


def test_control_character_soup_is_refused() -> None:
    with pytest.raises(DocumentError, match="binary"):
        decode_bytes(bytes(range(1, 32)) * 50, "junk.txt")


def test_empty_and_front_matter_only_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "meta.md").write_text('---\ntitle: "x"\n---\n\n', encoding="utf-8")
    for name in ("empty.txt", "blank.md"):
        with pytest.raises(DocumentError, match=rf"{name}.*empty"):
            load_path(tmp_path / name, tmp_path)
    with pytest.raises(DocumentError, match=r"meta\.md.*no text"):
        load_path(tmp_path / "meta.md", tmp_path)


def test_unsupported_and_missing(tmp_path: Path) -> None:
    f = tmp_path / "sheet.xlsx"
    f.write_bytes(b"PK\x03\x04")
    with pytest.raises(DocumentError, match=r"sheet\.xlsx.*unsupported"):
        load_path(f, tmp_path)
    with pytest.raises(DocumentError, match=r"nope\.txt.*cannot read"):
        load_path(tmp_path / "nope.txt", tmp_path)


def test_html(tmp_path: Path) -> None:
    html = (
        "<html><head><title>香港創新科技發展藍圖</title><style>p{}</style><script>var x=1;</script></head>"
        "<body><h1>綱舉目張</h1><p>「藍圖」是香港近半年來<b>大行其道</b>的熱詞。</p>"
        "<ul><li>發展多元經濟</li><li>創造優質職位</li></ul>"
        "<table><tr><td>發展願景</td><td>2022</td></tr><tr><td>獨角獸企業數目</td><td>12 間</td></tr></table>"
        "</body></html>"
    )
    f = tmp_path / "page.html"
    f.write_text(html, encoding="utf-8")
    doc = load_path(f, tmp_path)
    assert doc.title == doc.metadata["title"] == "香港創新科技發展藍圖"  # <title> beats the <h1>
    assert "var x" not in doc.text and "p{}" not in doc.text
    lines = doc.text.splitlines()
    assert "# 綱舉目張" in lines
    assert "「藍圖」是香港近半年來大行其道的熱詞。" in lines  # inline tags do not split lines
    assert "發展多元經濟" in lines and "創造優質職位" in lines
    assert "獨角獸企業數目\t12 間" in lines


def test_pdf(tmp_path: Path) -> None:
    f = tmp_path / "paper.pdf"
    f.write_bytes(
        minimal_pdf([["Key technologies matter.", "Second line."], ["Page two text."]], "Test Paper")
    )
    doc = load_path(f, tmp_path)
    assert doc.text == "Key technologies matter.\nSecond line.\n\nPage two text.\n"
    assert doc.title == doc.metadata["title"] == "Test Paper"
    assert doc.content_hash == hashlib.sha256(f.read_bytes()).hexdigest()


def test_pdf_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf")
    (tmp_path / "blank.pdf").write_bytes(minimal_pdf([[]]))
    with pytest.raises(DocumentError, match=r"broken\.pdf"):
        load_path(tmp_path / "broken.pdf", tmp_path)
    with pytest.raises(DocumentError, match=r"blank\.pdf.*no text layer"):
        load_path(tmp_path / "blank.pdf", tmp_path)


def test_docx(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("香港創新科技發展藍圖", level=1)
    d.add_paragraph("規劃為發展、施政定方向。")
    d.add_paragraph("")
    table = d.add_table(rows=2, cols=2)
    for (r, c), v in {(0, 0): "發展願景", (0, 1): "2022", (1, 0): "獨角獸企業數目", (1, 1): "12 間"}.items():
        table.cell(r, c).text = v
    d.add_paragraph("資料來源：特區政府")
    f = tmp_path / "blueprint.docx"
    d.save(f)
    doc = load_path(f, tmp_path)
    assert (
        doc.text
        == "# 香港創新科技發展藍圖\n規劃為發展、施政定方向。\n發展願景\t2022\n獨角獸企業數目\t12 間\n資料來源：特區政府\n"
    )
    assert doc.title == "香港創新科技發展藍圖"


def test_docx_errors(tmp_path: Path) -> None:
    import docx

    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 not really a zip")
    docx.Document().save(tmp_path / "empty.docx")
    with pytest.raises(DocumentError, match=r"bad\.docx.*cannot read"):
        load_path(tmp_path / "bad.docx", tmp_path)
    with pytest.raises(DocumentError, match=r"empty\.docx.*no text"):
        load_path(tmp_path / "empty.docx", tmp_path)


def test_iter_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/z.md", "a.txt", "b/c.PDF", ".hidden.txt", ".git/x.txt", "notes.xlsx"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    got = iter_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in got] == ["a.txt", "b/c.PDF", "b/z.md"]
    # An explicit file is kept (load_path explains a bad suffix); duplicates collapse.
    assert iter_files([tmp_path / "notes.xlsx", tmp_path / "a.txt", tmp_path]) == [
        tmp_path / "notes.xlsx",
        tmp_path / "a.txt",
        tmp_path / "b" / "c.PDF",
        tmp_path / "b" / "z.md",
    ]
    with pytest.raises(DocumentError, match="no such file"):
        iter_files([tmp_path / "missing"])


def test_iter_files_seeds() -> None:
    assert [p.name for p in iter_files([SEEDS])] == sorted(p.name for p in SEEDS.glob("*.txt"))
