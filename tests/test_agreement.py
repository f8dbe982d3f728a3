"""Agreement: published worked examples, hand-computed corpora (arithmetic in the comments), degenerate cases,
a per-character reference implementation, the krippendorff package, and the `agree` command."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.agreement import (AgreementError, Cancelled, Corpus, cohen_kappa, compute, fleiss_kappa,
                                krippendorff_alpha, measure)
from db import annotators, documents, labels, spans
from db.models import Script, Status
from main import main

# ---- published worked examples ---------------------------------------------------------------------------------

# Fleiss (1971) as worked on Wikipedia ("Fleiss' kappa"): 10 subjects, 14 raters, 5 categories; P̄ = 0.378,
# P_e = 0.213, κ = (0.378 − 0.213) / (1 − 0.213) = 0.210.
WIKIPEDIA_FLEISS = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]

# Krippendorff, "Computing Krippendorff's alpha-reliability" (2011), the nominal example: 4 observers, 12 units,
# some values missing (None); α = 0.743.
KRIPPENDORFF_2011 = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
                     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
                     [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
                     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]


def counts_of(reliability: list[list], categories: list) -> np.ndarray:
    """counts[unit, category] from coders × units values (None = missing)."""
    counts = np.zeros((len(reliability[0]), len(categories)))
    for row in reliability:
        for unit, value in enumerate(row):
            if value is not None:
                counts[unit, categories.index(value)] += 1
    return counts


def test_fleiss_kappa_of_the_wikipedia_example():
    assert fleiss_kappa(np.array(WIKIPEDIA_FLEISS)) == pytest.approx(0.20993, abs=1e-5)


def test_cohen_kappa_of_the_wikipedia_example():
    # 50 grant proposals: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    # p_o = 35/50 = 0.7; p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5) / (1 − 0.5) = 0.4
    assert cohen_kappa(np.array([[20, 5], [10, 15]])) == pytest.approx(0.4)


def test_krippendorff_alpha_of_the_2011_worked_example_and_the_package():
    counts = counts_of(KRIPPENDORFF_2011, [1, 2, 3, 4, 5])
    assert krippendorff_alpha(counts) == pytest.approx(0.743, abs=5e-4)
    data = np.array([[np.nan if v is None else v for v in row] for row in KRIPPENDORFF_2011])
    assert krippendorff_alpha(counts) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=6, max_size=6), min_size=2, max_size=4))
def test_krippendorff_alpha_matches_the_package_on_random_tables(rows):
    values = sorted({v for row in rows for v in row})
    if len(values) < 2:
        assert krippendorff_alpha(counts_of(rows, values)) is None
        return
    expected = krippendorff.alpha(reliability_data=np.array(rows, dtype=float), level_of_measurement="nominal")
    assert krippendorff_alpha(counts_of(rows, values)) == pytest.approx(expected)


# ---- a corpus computed by hand ---------------------------------------------------------------------------------

# d1 (20 characters): amy TASK [0,4) SLOGAN [10,14); bob TASK [0,5) SLOGAN [10,14) INSTITUTION [16,18).
# d2 has spans by amy only and d3 by bob only: not compared. d4 (8 characters) has no spans but is done: compared.
DOCUMENTS = [(1, 20, False, "d1"), (2, 10, False, "d2"), (3, 5, False, "d3"), (4, 8, True, "d4")]
SPANS = [(1, "amy", 0, 4, "TASK"), (1, "amy", 10, 14, "SLOGAN"),
         (1, "bob", 0, 5, "TASK"), (1, "bob", 10, 14, "SLOGAN"), (1, "bob", 16, 18, "INSTITUTION"),
         (2, "amy", 2, 4, "TASK"), (3, "bob", 0, 2, "TASK")]


def hand_result(**options):
    return compute(Corpus.from_rows(["amy", "bob"], DOCUMENTS, SPANS), **options)


def test_units_are_documents_everyone_annotated_or_marked_done():
    result = hand_result()
    assert (result.documents, result.characters) == (2, 28)         # d1 + d4 = 20 + 8
    assert result.labels == ("INSTITUTION", "SLOGAN", "TASK")


def test_span_f1_by_hand():
    pair = hand_result().pairs[0]
    # exact: A∩B = {SLOGAN [10,14)}: 2·1 / (2 + 3) = 0.4 (d2's and d3's spans are not counted)
    assert (pair.overall.spans_a, pair.overall.spans_b, pair.overall.exact_matches) == (2, 3, 1)
    assert pair.overall.f1_exact == pytest.approx(0.4)
    # overlap: amy's 2 spans are both overlapped by bob's (P = 2/2); 2 of bob's 3 by amy's (R = 2/3);
    # F1 = 2·1·(2/3) / (1 + 2/3) = 0.8
    assert pair.overall.f1_overlap == pytest.approx(0.8)
    per = pair.per_label
    assert (per["TASK"].f1_exact, per["TASK"].f1_overlap) == (0.0, 1.0)
    assert (per["SLOGAN"].f1_exact, per["SLOGAN"].f1_overlap) == (1.0, 1.0)
    assert (per["INSTITUTION"].f1_exact, per["INSTITUTION"].f1_overlap) == (0.0, 0.0)   # amy has none: 0


def test_cohen_kappa_by_hand():
    pair = hand_result().pairs[0]
    # Characters (amy, bob): (T,T) 4 · (O,T) 1 [char 4] · (S,S) 4 · (O,I) 2 [16, 17] · (O,O) 9 + 8 [d4] = 17.
    # p_o = 25/28; marginals amy T4 O20 S4 I0, bob T5 O17 S4 I2:
    # p_e = (4·5 + 20·17 + 4·4 + 0·2) / 28² = 376/784; κ = (700 − 376) / (784 − 376) = 324/408
    assert pair.overall.kappa == pytest.approx(324 / 408)
    # TASK inside/outside: both 4, bob only 1, neither 23: p_o = 27/28, p_e = (4·5 + 24·23)/784 = 572/784,
    # κ = (756 − 572) / (784 − 572) = 184/212
    assert pair.per_label["TASK"].kappa == pytest.approx(184 / 212)
    assert pair.per_label["SLOGAN"].kappa == pytest.approx(1.0)        # identical: p_o = 1, p_e = 592/784
    # INSTITUTION: amy never inside: p_o = 26/28 = p_e = (0·2 + 28·26)/784 → κ = 0
    assert pair.per_label["INSTITUTION"].kappa == pytest.approx(0.0)


def test_fleiss_kappa_and_krippendorff_alpha_by_hand():
    result = hand_result()
    # N = 28 characters, m = 2. Σ_u Σ_c n_uc² = 25 agreeing · 2² + 3 disagreeing · (1 + 1) = 106.
    # P̄ = (106 − 56) / 56 = 50/56. Totals T 9, O 37, S 8, I 2 of 56: P_e = (81 + 1369 + 64 + 4) / 56² = 1518/3136.
    # κ = (50/56 − 1518/3136) / (1 − 1518/3136) = (2800 − 1518) / (3136 − 1518) = 1282/1618
    assert result.fleiss_kappa == pytest.approx(1282 / 1618)
    # α = 1 − (n − 1)·D_o / D_e with n = 56, D_o = 3 units · (2² − 2)/(2 − 1) = 6, D_e = 56² − 1518 = 1618:
    # α = 1 − 55·6/1618 = 1288/1618
    assert result.krippendorff_alpha == pytest.approx(1288 / 1618)


def test_per_document_table_puts_the_most_disagreeing_first():
    rows = hand_result().per_document
    assert [(r.name, r.characters, r.disagreeing_characters, r.spans) for r in rows] == [
        ("d1", 20, 3, (2, 3)), ("d4", 8, 0, (0, 0))]
    assert rows[0].disagreement == pytest.approx(3 / 20)
    assert rows[0].f1_exact == pytest.approx(0.4)
    # d1 alone: n = 40, D_o = 6, totals T 9, O 21, S 8, I 2: D_e = 1600 − (81 + 441 + 64 + 4) = 1010
    assert rows[0].alpha == pytest.approx(1 - 39 * 6 / 1010)
    assert rows[1].f1_exact is None and rows[1].alpha is None            # nothing marked, only O


def test_one_label_only():
    result = hand_result(label="TASK")
    assert result.labels == ("TASK",)
    pair = result.pairs[0]
    assert pair.overall.kappa == pytest.approx(184 / 212)               # categories are {TASK, O}
    assert list(pair.per_label) == ["TASK"]
    assert (pair.overall.spans_a, pair.overall.spans_b) == (1, 1)
    # Fleiss on {T, O}: Σn² = 27·4 + 1·2 = 110, P̄ = (110 − 56)/56 = 54/56; totals T 9, O 47:
    # P_e = (81 + 2209)/3136 = 2290/3136; κ = (3024 − 2290) / (3136 − 2290) = 734/846
    assert result.fleiss_kappa == pytest.approx(734 / 846)


def test_the_shortest_covering_span_wins_and_ties_go_to_the_label_name_first():
    documents = [(1, 10)]
    spans = [(1, "amy", 0, 10, "TASK"), (1, "amy", 2, 5, "INSTITUTION"),      # nested: INSTITUTION on 2–4
             (1, "amy", 6, 8, "TASK"), (1, "amy", 6, 8, "SLOGAN"),            # same range: SLOGAN < TASK
             (1, "bob", 0, 10, "TASK"), (1, "bob", 6, 8, "SLOGAN")]
    pair = compute(Corpus.from_rows(["amy", "bob"], documents, spans)).pairs[0]
    # amy T T I I I T S S T T, bob T T T T T T S S T T: (T,T) 5, (I,T) 3, (S,S) 2 → p_o = 7/10;
    # p_e = (amy T5 · bob T8 + amy S2 · bob S2) / 100 = 44/100; κ = (0.70 − 0.44) / (1 − 0.44) = 26/56
    assert pair.overall.kappa == pytest.approx(26 / 56)


# ---- degenerate cases ------------------------------------------------------------------------------------------

def test_identical_annotations_agree_perfectly():
    spans = [(1, who, 2, 6, "TASK") for who in ("amy", "bob", "cy")]
    result = compute(Corpus.from_rows(["amy", "bob", "cy"], [(1, 10)], spans))
    assert all(pair.overall.kappa == 1.0 and pair.overall.f1_exact == 1.0 for pair in result.pairs)
    assert result.fleiss_kappa == pytest.approx(1.0)
    assert result.krippendorff_alpha == pytest.approx(1.0)


def test_a_single_category_everywhere_leaves_kappa_and_alpha_undefined():
    # Both annotators cover the whole text with the same label: every character is TASK for both,
    # p_e = 1 and κ = 0/0. Reported as None, not 1: nothing was discriminated.
    spans = [(1, "amy", 0, 5, "TASK"), (1, "bob", 0, 5, "TASK")]
    result = compute(Corpus.from_rows(["amy", "bob"], [(1, 5)], spans))
    assert result.pairs[0].overall.kappa is None
    assert result.fleiss_kappa is None and result.krippendorff_alpha is None
    assert result.pairs[0].overall.f1_exact == 1.0


def test_a_label_nobody_used_is_undefined_and_one_sided_f1_is_zero():
    result = hand_result(label="PERSON")
    pair = result.pairs[0]
    assert (pair.overall.f1_exact, pair.overall.f1_overlap, pair.overall.kappa) == (None, None, None)
    assert result.fleiss_kappa is None and result.krippendorff_alpha is None
    one_sided = compute(Corpus.from_rows(["amy", "bob"], [(1, 10)], [(1, "amy", 0, 2, "TASK"),
                                                                     (1, "bob", 5, 7, "SLOGAN")]))
    assert one_sided.pairs[0].per_label["TASK"].f1_exact == 0.0
    assert one_sided.pairs[0].per_label["TASK"].f1_overlap == 0.0


def test_no_shared_documents_means_nothing_to_measure():
    result = compute(Corpus.from_rows(["amy", "bob"], [(1, 10), (2, 10)],
                                      [(1, "amy", 0, 2, "TASK"), (2, "bob", 0, 2, "TASK")]))
    assert (result.documents, result.characters, result.per_document) == (0, 0, ())
    assert result.pairs[0].overall.f1_exact is None and result.pairs[0].overall.kappa is None
    assert result.fleiss_kappa is None and result.krippendorff_alpha is None


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        compute(Corpus.from_rows(["amy"], [(1, 10)], [(1, "amy", 0, 2, "TASK")]))
    with pytest.raises(ValueError, match="outside"):
        compute(Corpus.from_rows(["amy", "bob"], [(1, 10)], [(1, "amy", 8, 12, "TASK")]))


def test_progress_and_cancel():
    seen = []
    compute(Corpus.from_rows(["amy", "bob"], DOCUMENTS, SPANS), chunk_characters=10,
            progress=lambda done, total: seen.append((done, total)))
    assert seen == [(20, 28), (28, 28)]                      # one run per document here
    with pytest.raises(Cancelled):
        compute(Corpus.from_rows(["amy", "bob"], DOCUMENTS, SPANS), cancel=lambda: True)


# ---- against the definitions, character by character ------------------------------------------------------------

def reference(annotators, documents, span_rows, label=None) -> dict:
    """Every measure straight from its definition, one character at a time, with exact fractions."""
    length = {d: n for d, n, *_ in documents}
    done = {d: bool(rest[0]) if rest else False for d, _, *rest in documents}
    marked = {(d, a) for d, a, *_ in span_rows}
    compared = [d for d in length if all((d, a) in marked for a in annotators) or done[d]]
    chosen = {s for s in span_rows if s[0] in compared and (label is None or s[4] == label)}
    names = [label] if label else sorted({s[4] for s in chosen})

    def category(a, d, i):
        covering = [(e - s, name) for dd, aa, s, e, name in chosen if (dd, aa) == (d, a) and s <= i < e]
        return min(covering)[1] if covering else "O"

    units = [(d, i) for d in compared for i in range(length[d])]
    values = {a: [category(a, d, i) for d, i in units] for a in annotators}
    inside = {(a, n): [any(s <= i < e for dd, aa, s, e, nn in chosen if (dd, aa, nn) == (d, a, n)) for d, i in units]
              for a in annotators for n in names}

    def kappa(x, y):
        total = len(x)
        if total == 0 or len(set(x) | set(y)) < 2:
            return None
        p_o = Fraction(sum(p == q for p, q in zip(x, y)), total)
        p_e = sum(Fraction(x.count(c) * y.count(c), total * total) for c in set(x) | set(y))
        return float((p_o - p_e) / (1 - p_e))

    def f1(a, b, n=None):
        sa = {(d, s, e, nn) for d, aa, s, e, nn in chosen if aa == a and n in (None, nn)}
        sb = {(d, s, e, nn) for d, aa, s, e, nn in chosen if aa == b and n in (None, nn)}
        exact = None if not sa and not sb else 2 * len(sa & sb) / (len(sa) + len(sb))
        hits = lambda x, y: sum(any(d == d2 and l == l2 and s < e2 and s2 < e for d2, s2, e2, l2 in y)
                                for d, s, e, l in x)
        if not sa and not sb:
            overlap = None
        elif not sa or not sb:
            overlap = 0.0
        else:
            p, r = Fraction(hits(sa, sb), len(sa)), Fraction(hits(sb, sa), len(sb))
            overlap = 0.0 if p + r == 0 else float(2 * p * r / (p + r))
        return exact, overlap

    pairs = []
    for i, a in enumerate(annotators):
        for b in annotators[i + 1:]:
            per_label = {n: (*f1(a, b, n), kappa(inside[a, n], inside[b, n])) for n in names}
            pairs.append((a, b, (*f1(a, b), kappa(values[a], values[b])), per_label))
    m = len(annotators)
    per_unit = [[values[a][u] for a in annotators] for u in range(len(units))]
    categories = sorted({v for row in per_unit for v in row})
    fleiss = alpha = None
    if len(categories) >= 2:
        p_bar = sum(Fraction(sum(row.count(c) ** 2 for c in categories) - m, m * (m - 1)) for row in per_unit)
        p_bar /= len(units)
        p_e = sum(Fraction(sum(row.count(c) for row in per_unit), len(units) * m) ** 2 for c in categories)
        fleiss = float((p_bar - p_e) / (1 - p_e))
        # coincidences o_ck = Σ_u Σ_{i≠j} [v_ui = c][v_uj = k] / (m − 1)
        o = {(c, k): Fraction(sum(row.count(c) * (row.count(k) - (c == k)) for row in per_unit), m - 1)
             for c in categories for k in categories}
        n_c = {c: sum(o[c, k] for k in categories) for c in categories}
        n = sum(n_c.values())
        observed = sum(o[c, k] for c in categories for k in categories if c != k)
        expected = sum(n_c[c] * n_c[k] for c in categories for k in categories if c != k)
        alpha = float(1 - (n - 1) * observed / expected)
    return {"documents": len(compared), "characters": len(units), "pairs": pairs, "fleiss": fleiss, "alpha": alpha,
            "values": values}


def close(x, y) -> bool:
    return (x is None and y is None) or (x is not None and y is not None and abs(x - y) < 1e-9)


corpora = st.integers(2, 3).flatmap(lambda m: st.tuples(
    st.just([f"a{i}" for i in range(m)]),
    st.lists(st.tuples(st.integers(0, 18), st.booleans()), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, m - 1), st.integers(0, 17), st.integers(1, 6),
                       st.sampled_from(["TASK", "SLOGAN", "ORG"])), max_size=16),
    st.integers(1, 40)))


@settings(max_examples=120, deadline=None)
@given(corpora)
def test_every_measure_matches_the_character_by_character_reference(corpus):
    annotators_, docs, raw, chunk = corpus
    documents = [(d, length, done, f"d{d}") for d, (length, done) in enumerate(docs)]
    rows = sorted({(d, annotators_[a], s, min(s + w, documents[d][1]), name) for d, a, s, w, name in raw
                   if d < len(documents) and s < documents[d][1]})
    for label in (None, "TASK"):
        got = compute(Corpus.from_rows(annotators_, documents, rows), label=label, chunk_characters=chunk)
        want = reference(annotators_, documents, rows, label)
        assert (got.documents, got.characters) == (want["documents"], want["characters"])
        assert close(got.fleiss_kappa, want["fleiss"]) and close(got.krippendorff_alpha, want["alpha"])
        for pair, (a, b, overall, per_label) in zip(got.pairs, want["pairs"]):
            assert (pair.a, pair.b) == (a, b)
            assert all(map(close, (pair.overall.f1_exact, pair.overall.f1_overlap, pair.overall.kappa), overall))
            assert set(pair.per_label) == set(per_label)
            for name, scores in pair.per_label.items():
                assert all(map(close, (scores.f1_exact, scores.f1_overlap, scores.kappa), per_label[name]))
        values = want["values"]
        if want["alpha"] is not None and label is None:
            codes = sorted({v for column in values.values() for v in column})
            data = np.array([[codes.index(v) for v in values[a]] for a in annotators_], dtype=float)
            assert got.krippendorff_alpha == pytest.approx(
                krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


# ---- from the database, and the command ------------------------------------------------------------------------

@pytest.fixture
def hand_database(database):
    """The hand-computed corpus, stored: d4 marked done; a third annotator with unrelated spans."""
    with database.transaction() as session:
        label_ids = {label.name: label.id for label in labels.all_labels(session)}
        who = {name: annotators.annotator_id(session, name) for name in ("amy", "bob", "cy")}
        ids = {}
        for number, length, is_done, name in DOCUMENTS:
            ids[number] = documents.add_document(session, name=name, text="字" * length, content_hash=name,
                                                 script=Script.SIMPLIFIED)
            if is_done:
                documents.set_status(session, ids[number], Status.DONE)
        rows = [dict(document_id=ids[d], annotator_id=who[a], label_id=label_ids[name], start=s, end=e)
                for d, a, s, e, name in SPANS]
        rows.append(dict(document_id=ids[2], annotator_id=who["cy"], label_id=label_ids["TASK"], start=0, end=9))
        spans.bulk_insert(session, rows)
    return database


def test_measure_reads_the_database(hand_database):
    result = measure(hand_database, ["amy", "bob"])
    assert (result.documents, result.characters) == (2, 28)
    assert result.pairs[0].overall.kappa == pytest.approx(324 / 408)
    assert result.krippendorff_alpha == pytest.approx(1288 / 1618)
    with pytest.raises(AgreementError, match="no annotator named 'zoe'"):
        measure(hand_database, ["amy", "zoe"])
    with pytest.raises(AgreementError, match="at least two"):
        measure(hand_database, ["amy"])
    with pytest.raises(AgreementError, match="no label named"):
        measure(hand_database, ["amy", "bob"], label="NOPE")


def test_measure_reads_in_parts_on_a_second_thread_with_the_same_result(hand_database):
    whole = measure(hand_database, ["amy", "bob"], parts=1)
    seen = []
    parted = measure(hand_database, ["amy", "bob"], parts=3, progress=lambda done, total: seen.append((done, total)))
    assert parted.as_json() == whole.as_json() and parted.per_document == whole.per_document
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(Cancelled):
        measure(hand_database, ["amy", "bob"], parts=3, cancel=lambda: True)


def test_agree_json_is_exactly_the_documented_object(hand_database, db_path, capsys):
    assert main(["--db", str(db_path), "agree", "--annotators", "amy", "bob", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert list(document) == ["annotators", "documents", "characters", "pairs", "fleiss_kappa",
                              "krippendorff_alpha"]
    assert (document["annotators"], document["documents"], document["characters"]) == (["amy", "bob"], 2, 28)
    (pair,) = document["pairs"]
    assert list(pair) == ["a", "b", "f1_exact", "f1_overlap", "kappa", "per_label"]
    assert (pair["a"], pair["b"], pair["f1_exact"], pair["f1_overlap"]) == ("amy", "bob", 0.4, 0.8)
    assert pair["kappa"] == pytest.approx(324 / 408)
    assert pair["per_label"]["INSTITUTION"] == {"f1_exact": 0.0, "f1_overlap": 0.0, "kappa": 0.0}
    assert pair["per_label"]["TASK"]["kappa"] == pytest.approx(184 / 212)
    assert document["fleiss_kappa"] == pytest.approx(1282 / 1618)


def test_agree_table_csv_and_per_document(hand_database, db_path, tmp_path, capsys):
    out = tmp_path / "agreement.csv"
    assert main(["--db", str(db_path), "agree", "--annotators", "amy", "bob", "--csv", str(out)]) == 0
    table = capsys.readouterr().out
    assert "amy / bob" in table and "0.794" in table and "Fleiss' kappa         0.792" in table
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["a", "b", "label", "measure", "value"]
    assert ["amy", "bob", "*", "exact_matches", "1"] in rows
    assert ["amy", "bob", "TASK", "spans_b", "1"] in rows
    assert float(dict(((r[3], r[2]), r[4]) for r in rows[1:])[("krippendorff_alpha", "*")]) == pytest.approx(
        1288 / 1618)

    assert main(["--db", str(db_path), "agree", "--annotators", "amy", "bob", "--per-document", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in document["per_document"]] == ["d1", "d4"]
    assert document["per_document"][0]["spans"] == {"amy": 2, "bob": 3}


def test_agree_errors_are_one_line(hand_database, db_path, capsys):
    assert main(["--db", str(db_path), "agree", "--annotators", "amy", "nobody"]) == 1
    assert capsys.readouterr().err.strip() == "error: no annotator named 'nobody' in this database"
    assert main(["--db", str(db_path), "agree", "--annotators", "amy", "bob", "--label", "NOPE"]) == 1
    assert "no label named 'NOPE'" in capsys.readouterr().err
