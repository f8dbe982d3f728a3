"""Suggestion quality on the gold set (tests/data/suggestions): floors under the measured figures,
so that a change to the rules that loses slogans or institutions is noticed."""

from __future__ import annotations

import pytest

from bench.eval_suggestions import GOLD, Workbench, gold_texts, load_gold, rules_alone, transfer


@pytest.fixture
def bench(seeds, tmp_path):
    workbench = Workbench(seeds, tmp_path, load_gold())
    yield workbench
    workbench.close()


def test_the_gold_spans_are_where_they_say(seeds):
    for name, rows in gold_texts(GOLD).items():
        text = (seeds / name).read_text(encoding="utf-8")
        assert [text[row["start"]:row["end"]] for row in rows] == [row["text"] for row in rows]


def test_rules_alone_find_nine_slogans_in_ten_and_nearly_every_institution(bench):
    scores = rules_alone(bench, each=False)["all rules"]
    slogans, institutions = scores["SLOGAN"], scores["INSTITUTION"]
    assert slogans.recall >= 0.9 and slogans.precision >= 0.85, slogans
    assert institutions.recall >= 0.95 and institutions.precision >= 0.95, institutions


def test_a_lexicon_learned_on_one_document_helps_on_the_other(bench):
    scores = transfer(bench)
    simplified = scores["000_725508e95bc2f6c7.txt"]["SLOGAN"]
    assert simplified.recall >= 0.93, simplified  # 新发展理念, learned where it is written 新發展理念
    traditional = scores["004_d3cc0861f9f12531.txt"]["SLOGAN"]
    assert traditional.recall == 1.0, traditional
