"""简/繁: detection, the t2s view and its offset map (code points; UTF-16 lengths may differ)."""

from __future__ import annotations

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.script import convert_with_map, detect_script, t2s, to_simplified
from db.models import Script


@pytest.mark.seeds
def test_seeds_are_told_apart(seeds):
    scripts = {p.name[:3]: detect_script(p.read_text(encoding="utf-8")) for p in sorted(seeds.glob("*.txt"))}
    assert scripts == {"000": Script.SIMPLIFIED, "001": Script.SIMPLIFIED, "002": Script.SIMPLIFIED,
                       "003": Script.SIMPLIFIED, "004": Script.TRADITIONAL}


@pytest.mark.parametrize("text,script", [
    ("中國共產黨天津市委員會", Script.TRADITIONAL),
    ("中国共产党天津市委员会", Script.SIMPLIFIED),
    ("会议指出，要用好「兩個確立」这一提法，推动各项工作落实落细。", Script.SIMPLIFIED),  # a quoted phrase
    ("2024-03-01 16:13:19", Script.SIMPLIFIED),  # nothing to go by
])
def test_short_texts(text, script):
    assert detect_script(text) is script


@pytest.mark.seeds
def test_the_traditional_seed_keeps_its_length_under_t2s(seeds):
    text = (seeds / "004_d3cc0861f9f12531.txt").read_text(encoding="utf-8")
    converted = to_simplified(text)
    assert converted.is_identity and converted.text == t2s(text)
    assert "两个确立" in converted.text and "十项行动" in converted.text
    at = text.index("王力軍")
    assert converted.text[converted.to_view(at):converted.to_view(at + 3)] == "王力军"


def test_utf16_length_changes_but_code_point_offsets_do_not():
    converted = to_simplified("二噁英排放")
    assert converted.text == "二𫫇英排放"
    assert len(converted.text) == 5 and len(converted.text.encode("utf-16-le")) // 2 == 6
    assert [converted.to_view(i) for i in range(6)] == [0, 1, 2, 3, 4, 5]
    assert converted.to_source(3) == 3


def test_offsets_out_of_range_are_refused():
    converted = to_simplified("中國")
    with pytest.raises(ValueError):
        converted.to_view(3)


# tw2sp rewrites words (記憶體 → 内存, 滑鼠 → 鼠标): a real conversion that changes lengths, to exercise the map.
_TW2SP = opencc.OpenCC("tw2sp").convert
_PIECES = ["記憶體", "滑鼠", "軟體", "程式", "二噁英", "資料庫", "兩個確立", "十項行動", "黨組書記", "的", "和",
           "𠀀", "😀", "，", "。", "\n", " ", "abc", "2024", "\u00a0", "\u2028"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_offset_map_is_monotone_and_keeps_unconverted_characters_in_place(pieces):
    text = "".join(pieces)
    converted = convert_with_map(text, _TW2SP)
    assert converted.text == _TW2SP(text)
    views = [converted.to_view(i) for i in range(len(text) + 1)]
    sources = [converted.to_source(v) for v in range(len(converted.text) + 1)]
    assert views[0] == 0 and views[-1] == len(converted.text) and views == sorted(views)
    assert sources[0] == 0 and sources[-1] == len(text) and sources == sorted(sources)
    for i, ch in enumerate(text):
        if not ("\u2e80" <= ch <= "\u9fff" or ch >= "\U00020000"):
            # characters no conversion touches sit at the mapped place, and map back to themselves
            assert converted.text[views[i]] == ch
            assert converted.to_source(views[i]) == i


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_each_piece_maps_onto_its_own_conversion(pieces):
    """Pieces separated by a character nobody converts land exactly on their converted form."""
    text = "\n".join(pieces)
    converted = convert_with_map(text, _TW2SP)
    at = 0
    for piece in pieces:
        start, end = converted.to_view(at), converted.to_view(at + len(piece))
        assert converted.text[start:end] == _TW2SP(piece)
        at += len(piece) + 1


def test_changed_characters_are_counted_by_position_including_astral_ones():
    from corpus.script import _changed

    assert _changed("两个確立𠀀", "两个确立𠀀") == 1
    assert _changed("國務院😀", "国务院😁") == 3
    assert _changed("两个", "两个确立") == 2  # lengths differ: the extra characters count
    assert _changed("", "") == 0


def test_a_conversion_of_equal_length_that_moves_other_characters_takes_the_careful_path():
    from corpus.script import _differ_only_in_cjk

    assert _differ_only_in_cjk("两個確立𠀀，abc", "两个确立𠀁，abc")  # only CJK changed: one to one
    assert not _differ_only_in_cjk("甲a", "a乙")  # same length, but 'a' moved
    assert not _differ_only_in_cjk("a😀", "a😁")  # emoji are not CJK
    moved = convert_with_map("前甲a后", lambda s: s.replace("甲a", "a乙"))
    assert moved.text == "前a乙后" and moved.to_view(3) == 3 and moved.to_source(0) == 0
