from rag.ingest.offsets import MappedText


def test_identity_map_points_at_itself():
    mt = MappedText.of("科技创新")
    assert mt.origin == (0, 1, 2, 3)
    assert mt.span(1, 3) == (1, 3)


def test_deletion_keeps_origins_of_kept_characters():
    original = "高\n\n质量发展"
    mt = MappedText.of(original).sub(r"\n+", "")
    assert mt.text == "高质量发展"
    for i, ch in enumerate(mt.text):
        assert original[mt.origin[i]] == ch


def test_same_length_replacement_is_positional():
    original = "增长10.4％，达到"
    mt = MappedText.of(original).sub("％", "%")
    assert mt.text == "增长10.4%，达到"
    assert mt.origin == tuple(range(len(original)))


def test_subsequence_replacement_aligns_each_character():
    original = "2021 年 5 月 28 日"
    mt = MappedText.of(original).sub(r"(\d)\s+(?=[年月日])|(?<=[年月])\s+(?=\d)", lambda m: m.group(1) or "")
    assert mt.text == "2021年5月28日"
    assert "".join(original[o] for o in mt.origin) == mt.text


def test_insertion_maps_to_start_of_replaced_span():
    mt = MappedText.of("a<br>b").sub("<br>", "\n")
    assert mt.text == "a\nb"
    assert mt.origin == (0, 1, 5)


def test_span_maps_back_to_original_range():
    original = "前言\n\n  我国研发经费\n\n 投入强度达2.19%。"
    mt = MappedText.of(original).sub(r"\s+", "")
    s = mt.text.index("2.19%")
    start, end = mt.span(s, s + len("2.19%"))
    assert original[start:end] == "2.19%"
    whole = mt.span(0, len(mt))
    assert whole == (0, len(original))


def test_delete_spans_and_slice():
    mt = MappedText.of("---\ntitle: x\n---\n正文").delete_spans([(0, 17)])
    assert mt.text == "正文"
    assert mt.origin == (17, 18)
    assert mt.slice(1, 2).text == "文"


def test_length_mismatch_is_rejected():
    import pytest

    with pytest.raises(ValueError):
        MappedText("ab", (0,))


def test_delete_spans_handles_overlapping_unsorted_and_out_of_range_spans():
    mt = MappedText.of("0123456789")
    out = mt.delete_spans([(7, 12), (1, 3), (2, 4), (-3, 1), (5, 5)])
    assert out.text == "456"
    assert [out.span(i, i + 1)[0] for i in range(len(out))] == [4, 5, 6]
