"""Normalization at import: newlines always; PDF line-break spaces only when asked, and only those."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.text import leftmost_longest, normalize, occurrences, remove_line_break_spaces


def test_newlines_are_normalized_and_nothing_else():
    text = "第一行\r\n第二行\r第三行\n不\u00a0换\u2028行"
    assert normalize(text) == ("第一行\n第二行\n第三行\n不\u00a0换\u2028行", 0)


def test_spaces_are_kept_unless_asked():
    text = "对新征 程上天津工作提出了要求"
    assert normalize(text).text == text


@pytest.mark.seeds
def test_seed_002_loses_its_line_break_spaces_and_keeps_real_ones(seeds):
    text = (seeds / "002_7d61d7b1c701f164.txt").read_text(encoding="utf-8")
    joined, removed = remove_line_break_spaces(text)
    assert removed > 250
    for repaired in ("对新征程上天津工作", "在提升城市治理现代化水平上善作善成", "其中之一", "休闲活动", "一言一行"):
        assert repaired in joined
    for kept in ("以党建引领基层治理创新 推动城市治理", "“牢记嘱托 善作善成”".replace("“", '"').replace("”", '"'),
                 "学在深处 谋在新处 干在实处", "牢记殷殷嘱托 感悟人民情怀"):
        assert kept in joined
    assert '"两\n\n企三新"' in joined  # paragraph breaks are never joined
    assert len(joined) == len(text) - removed


@pytest.mark.seeds
def test_seeds_without_pdf_breaks_are_left_alone(seeds):
    """Their spaces between Chinese characters are real: “奋进新征程 建功新时代”, lists of names."""
    for name in ("000", "001", "003", "004"):
        path = next(seeds.glob(f"{name}_*.txt"))
        text = path.read_text(encoding="utf-8")
        assert remove_line_break_spaces(text) == (text, 0)


_SENTENCES = [
    "全会强调,要在承接北京非首都功能疏解、支持北京“新两翼”建设上下功夫,下好高质量疏解发展“一盘棋”。",
    "坚持载体和项目两手抓,充分发挥滨海新区战略合作功能区作用,加快在建项目进度,争取更多合作项目在津落地。",
    "深刻领悟“两个确立”的决定性意义,坚决做到“两个维护”,扎实推进高质量发展“十项行动”。",
    "市委社会工作部作为新组建的市委职能部门,担负着加强党对社会工作的全面领导的重要职责。",
    "推动京津冀协同发展走深走实,唱好京津“双城记”,奋力谱写中国式现代化天津篇章。",
]
_HEADING = "以党建引领基层治理创新 推动城市治理现代化水平不断提升"


def _as_pdf(paragraph: str, width: int) -> str:
    """What PDF extraction makes of a paragraph printed `width` columns wide (ASCII takes half a column)."""
    out, column = [], 0.0
    for ch in paragraph:
        step = 0.5 if ch < "\x80" else 1.0
        if column + step > width:
            out.append(" ")
            column = 0.0
        out.append(ch)
        column += step
    return "".join(out)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_SENTENCES), min_size=3, max_size=6), min_size=2, max_size=5),
       st.integers(min_value=16, max_value=34))
def test_printed_lines_of_any_width_are_joined_back_exactly(paragraphs, width):
    original = "\n\n".join([_HEADING] + ["".join(p) for p in paragraphs])
    extracted = "\n\n".join([_HEADING] + [_as_pdf("".join(p), width) for p in paragraphs])
    joined, removed = remove_line_break_spaces(extracted)
    assert joined == original
    assert removed == extracted.count(" ") - 1  # all but the heading's own space


@settings(max_examples=200, deadline=None)
@given(st.text("两个维護兩個ab", max_size=40), st.lists(st.text("两个维護兩個ab", min_size=1, max_size=3), min_size=1,
                                                        max_size=3))
def test_occurrences_of_several_forms_are_leftmost_longest_and_never_overlap(text, forms):
    for form in forms:
        assert len(list(occurrences(text, form))) == text.count(form)
    places = [(i, i + len(form), form) for form in forms for i in occurrences(text, form)]
    kept = leftmost_longest(places)
    assert all(text[start:end] == form for start, end, form in kept)
    assert all(a[1] <= b[0] for a, b in zip(kept, kept[1:]))  # in order, not overlapping
    for start, end, form in places:  # a place left out overlaps one kept that starts no later
        if (start, end, form) not in kept:
            assert any(s <= start < e for s, e, _ in kept)
