"""Reading files: every encoding a Chinese corpus comes in, and clear refusals for what is not text."""

from __future__ import annotations

import random

import pytest

from corpus.reading import RefusedFile, decode_bytes, read_text
from corpus.script import s2t
from tests.conftest import DATA

ENCODINGS = DATA / "encodings"
SIMPLIFIED = ("市委常委会召开会议，传达学习全会精神，强调坚定拥护“两个确立”、坚决做到“两个维护”，扎实推进高质量发展"
              "“十项行动”。\n市委组织部、市发展改革委负责同志列席会议。\n")
TRADITIONAL = ("市委常委會召開會議，傳達學習全會精神，強調堅定擁護「兩個確立」、堅決做到「兩個維護」，紮實推進高品質發展"
               "「十項行動」。\n市委組織部、市發展改革委負責同志列席會議。\n")


@pytest.mark.parametrize("name,text,encoding", [
    ("notice.gbk.txt", SIMPLIFIED, "GB18030"),
    ("notice.big5.txt", TRADITIONAL, "Big5"),
    ("notice.utf8-bom.txt", SIMPLIFIED, "UTF-8 with BOM"),
    ("notice.utf16le-bom.txt", SIMPLIFIED, "UTF-16 LE"),
    ("notice.utf16be-bom.txt", TRADITIONAL, "UTF-16 BE"),
    ("headline.gbk.txt", "中共天津市委召开新闻发布会", "GB18030"),
    ("headline.big5.txt", "中共天津市委召開新聞發佈會", "Big5"),
])
def test_each_encoding_reads_as_the_same_text(name, text, encoding):
    decoded = read_text(ENCODINGS / name)
    assert decoded.text == text  # a byte-order mark never becomes part of the text
    assert decoded.encoding == encoding


def test_gb18030_four_byte_characters_and_crlf_are_read_as_they_are():
    assert read_text(ENCODINGS / "notice.gb18030.txt").text.startswith("𠀀村党支部书记")
    assert "😀" in read_text(ENCODINGS / "notice.gb18030.txt").text
    crlf = read_text(ENCODINGS / "notice.crlf.txt").text
    assert "\r\n𠀀村和😀社区" in crlf  # reading keeps line ends; normalization happens at import


@pytest.mark.parametrize("name,why", [
    ("image-named.txt", "binary file"),
    ("report.pdf.txt", "a PDF file"),
    ("empty.txt", "empty"),
])
def test_files_that_are_not_text_are_refused_with_the_file_and_the_reason(name, why):
    with pytest.raises(RefusedFile) as refused:
        read_text(ENCODINGS / name)
    assert why in refused.value.reason
    assert str(refused.value).startswith(str(ENCODINGS / name))


def test_a_missing_file_is_refused_not_raised_as_oserror(tmp_path):
    with pytest.raises(RefusedFile, match="cannot be read"):
        read_text(tmp_path / "nowhere.txt")


def test_random_bytes_are_refused():
    rng = random.Random(5)
    noise = bytes(rng.randrange(1, 256) for _ in range(4000))  # no NUL: not caught early
    with pytest.raises(RefusedFile):
        decode_bytes(noise, "noise.txt")


def test_control_characters_make_a_decodable_file_binary():
    data = ("两个确立" * 50 + "\x01\x02\x03\x04\x05\x06" * 10).encode("utf-8")
    with pytest.raises(RefusedFile, match="control characters"):
        decode_bytes(data, "x.txt")


def test_utf16_without_byte_order_mark_is_recognized():
    assert decode_bytes(SIMPLIFIED.encode("utf-16-le"), "x.txt").text == SIMPLIFIED
    assert decode_bytes(TRADITIONAL.encode("utf-16-be"), "x.txt").text == TRADITIONAL


def test_text_that_only_charset_normalizer_knows_is_read():
    korean = "대한민국은 민주공화국이다. 대한민국의 주권은 국민에게 있고, 모든 권력은 국민으로부터 나온다. " * 3
    decoded = decode_bytes(korean.encode("euc-kr"), "x.txt")  # also valid GB18030, but not plausible Chinese
    assert decoded.text == korean


def _chunks(text: str, size: int, step: int = 211):
    text = text.strip()
    for start in range(0, max(1, len(text) - size), step):
        yield text[start:start + size]


@pytest.mark.seeds
@pytest.mark.parametrize("size", [12, 30, 300, None])
def test_seed_texts_in_gbk_and_big5_are_told_apart(seeds, size):
    """Realistic documents and short pieces of them (12 characters: a headline) decode to the right text."""
    for path in sorted(seeds.glob("*.txt"))[:4]:  # the simplified seeds; Big5 gets their s2t form
        text = path.read_text(encoding="utf-8")
        for piece in ([text] if size is None else list(_chunks(text, size))[:8]):
            simplified = piece.encode("gbk", errors="ignore").decode("gbk")
            assert decode_bytes(simplified.encode("gbk"), path.name).text == simplified
            traditional = s2t(piece).encode("cp950", errors="ignore").decode("cp950")
            assert decode_bytes(traditional.encode("cp950"), path.name).text == traditional
