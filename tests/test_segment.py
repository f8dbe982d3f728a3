"""Segmentation: whole words where annotators expect them, exact offsets, a cache that follows the lexicon."""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from itertools import accumulate

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

import corpus.segment as segment_module
from corpus.dictionary import builtin_dictionary, make_dictionary
from corpus.documents import store_text
from corpus.segment import SEGMENTER, Segmenter, document_tokens, pack, segment, token_lengths, unpack
from corpus.text import normalize_newlines
from db import labels, lexicon
from db.engine import cache_dir
from db.models import Segmentation
from tests.conftest import ROOT

SAMPLE_DIR = ROOT / "corpus" / "sample"  # the shipped sample corpus


def _words(text: str, tokens) -> list[str]:
    return [text[start:end] for start, end in tokens]


def _covers(text: str, tokens) -> bool:
    return bool(tokens) and tokens[0][0] == 0 and tokens[-1][1] == len(text) and all(
        a[1] == b[0] and a[0] < a[1] for a, b in zip(tokens, tokens[1:]))


@pytest.mark.seeds
def test_traditional_seed_is_cut_on_its_simplified_form(seeds, database):
    text = (seeds / "004_d3cc0861f9f12531.txt").read_text(encoding="utf-8")
    with database.transaction() as session:
        document_id, _ = store_text(session, name="004", text=text)
    words = _words(text, document_tokens(database, document_id))
    for whole in ("王力軍", "黨組書記", "新聞發佈會", "十項行動", "兩個確立"):
        assert whole in words
    direct = Segmenter().cut(text, builtin_dictionary())  # what cutting the traditional text would give
    assert "王力軍" not in direct and "黨組書記" not in direct


@pytest.mark.seeds
def test_genre_words_are_whole_wherever_they_occur_in_the_seeds(seeds):
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        tokens = segment(text)
        assert _covers(text, tokens)
        starts, ends = {s for s, _ in tokens}, {e for _, e in tokens}
        for word in ("两个确立", "两个维护", "十项行动", "兩個確立", "十項行動"):
            at = text.find(word)
            while at >= 0:
                assert at in starts and at + len(word) in ends, (path.name, word, at)
                at = text.find(word, at + 1)


def test_offsets_are_code_points_after_extension_b_emoji_and_crlf():
    text = normalize_newlines("𠀀家村😀开展“两个维护”教育\r\n十项行动")
    tokens = segment(text)
    assert _covers(text, tokens)
    assert "两个维护" in _words(text, tokens) and "十项行动" in _words(text, tokens)
    assert text[tokens[0][0]:tokens[0][1]] == "𠀀"


def test_a_token_longer_than_255_characters_is_stored_and_read_back(database):
    text = "报告全文见" + "x" * 300 + "两个确立"
    with database.transaction() as session:
        document_id, _ = store_text(session, name="long", text=text)
    first = document_tokens(database, document_id)
    assert text[first[-2][0]:first[-2][1]] == "x" * 300
    assert document_tokens(database, document_id) == first  # from the cache this time


@given(st.lists(st.integers(min_value=1, max_value=70_000), max_size=200))
def test_packed_lengths_read_back_the_same(lengths):
    assert unpack(pack(lengths)) == lengths


def _add_term(database, term: str, variants=(), rejected=False) -> None:
    with database.transaction() as session:
        lexicon.upsert(session, term=term, label_id=labels.all_labels(session)[0].id, variants=variants,
                       rejected=rejected)


def _cached_version(database, document_id: int) -> str:
    with database.session() as session:
        return session.scalar(select(Segmentation.dictionary_version).where(
            Segmentation.document_id == document_id, Segmentation.segmenter == SEGMENTER))


def test_lexicon_terms_and_variants_become_whole_tokens_and_the_cache_follows(database, monkeypatch):
    text = "要落实稳经济一揽子政策，用好政策成果，并推动两业融合发展。"
    traditional = "要落實穩經濟一攬子政策，用好政策成果。"
    with database.transaction() as session:
        document_id, _ = store_text(session, name="d", text=text)
        traditional_id, _ = store_text(session, name="t", text=traditional)
    before = _words(text, document_tokens(database, document_id))
    assert "稳经济一揽子政策" not in before and "两业融合" not in before
    version_before = _cached_version(database, document_id)

    calls = []
    real = segment_module.token_lengths
    monkeypatch.setattr(segment_module, "token_lengths", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert _words(text, document_tokens(database, document_id)) == before and not calls  # served from the cache

    _add_term(database, "稳经济一揽子政策", variants=["两业融合"])
    after = _words(text, document_tokens(database, document_id))
    assert calls  # recomputed because the dictionary changed
    assert after.count("稳经济一揽子政策") == 1 and "两业融合" in after
    # traditional documents are cut on their t2s form, so the simplified term keeps theirs whole too
    assert "穩經濟一攬子政策" in _words(traditional, document_tokens(database, traditional_id))
    assert _cached_version(database, document_id) != version_before

    _add_term(database, "稳经济一揽子政策", variants=["两业融合"], rejected=True)  # rejected: no word any more
    assert _words(text, document_tokens(database, document_id)) == before


def test_words_the_segmenter_cannot_keep_whole_are_left_out_of_the_dictionary():
    words = make_dictionary(["COVID-19疫情", "两 个", "𠀀家村", "x", "新质生产力"]).words
    assert "COVID-19疫情" not in words and "两 个" not in words and "𠀀家村" not in words and "x" not in words
    assert "稳经济一揽子政策" in make_dictionary(["穩經濟一攬子政策"]).words  # traditional text is cut after t2s
    assert make_dictionary(["甲乙丙"]).version != builtin_dictionary().version


def test_concurrent_cuts_with_different_dictionaries_give_the_single_threaded_results():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_DIR.glob("*.txt"))]
    dictionaries = [builtin_dictionary(), make_dictionary(["督查工作安排表", "乡村帮办点", "滨江篇章"])]
    shared = Segmenter()
    alone = {d.version: Segmenter() for d in dictionaries}
    expected = {(t, d.version): token_lengths(t, d, segmenter=alone[d.version]) for t in texts for d in dictionaries}
    jobs = [(t, d) for _ in range(6) for t in texts for d in dictionaries]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda job: token_lengths(job[0], job[1], segmenter=shared), jobs))
    assert results == [expected[(t, d.version)] for t, d in jobs]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """jieba itself, loaded once for the module (it takes seconds), with cache and temp folders of its own
    (a module fixture is set up before the per-test isolation of conftest)."""
    home = tmp_path_factory.mktemp("jieba")
    (home / "tmp").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home / "cache"))
        patch.setattr(tempfile, "tempdir", str(home / "tmp"))
        segmenter = Segmenter("jieba")
        segmenter.load(builtin_dictionary())
        return segmenter, cache_dir(), home / "tmp"


def test_jieba_keeps_its_cache_file_in_the_app_cache_directory(reference):
    _, cache, temp = reference
    assert list(cache.glob("jieba*.cache"))
    assert not list(temp.iterdir())


def _corpus_texts(seeds_folder):
    paths = sorted(SAMPLE_DIR.glob("*.txt"))
    if seeds_folder is not None:
        paths += sorted(seeds_folder.glob("*.txt"))
    return [normalize_newlines(p.read_text(encoding="utf-8")) for p in paths]


@pytest.mark.parametrize("with_seeds", [False, pytest.param(True, marks=pytest.mark.seeds)])
def test_rjieba_gives_jiebas_tokens_with_user_words(reference, with_seeds, request):
    """The condition for using the fast backend at all: identical tokens, user words included."""
    pytest.importorskip("rjieba")
    jieba, _, _ = reference
    seeds = request.getfixturevalue("seeds") if with_seeds else None
    project = make_dictionary(["稳经济一揽子政策", "乡村帮办点", "党群服务中心", "王力军", "發佈會", "天津",
                               "全市上下", "京津"])  # some already in jieba's dictionary: frequencies replaced
    fast = Segmenter("rjieba")
    for dictionary in (builtin_dictionary(), project):
        for text in _corpus_texts(seeds):
            assert token_lengths(text, dictionary, segmenter=fast) == token_lengths(
                text, dictionary, segmenter=jieba)


def test_tokens_from_the_cache_match_a_fresh_cut(database):
    text = (SAMPLE_DIR / "02_全会公报.txt").read_text(encoding="utf-8")
    with database.transaction() as session:
        document_id, _ = store_text(session, name="d", text=text)
    cached = document_tokens(database, document_id)
    assert cached == document_tokens(database, document_id) == segment(text)
    assert list(accumulate(e - s for s, e in cached))[-1] == len(text)


def test_tokens_of_a_conversion_that_changes_lengths_map_back_onto_the_stored_text(monkeypatch):
    """t2s keeps lengths on real text, but the mapping back must hold when a conversion does not."""
    import opencc

    from corpus.script import convert_with_map
    from db.models import Script

    tw2sp = opencc.OpenCC("tw2sp").convert  # 記憶體 → 内存, 滑鼠 → 鼠标: lengths change
    monkeypatch.setattr(segment_module, "to_simplified", lambda text: convert_with_map(text, tw2sp))
    text = "市資訊局採購了記憶體和滑鼠，推進「十項行動」。\n𠀀村的軟體也升級了😀"
    tokens = segment(text, script=Script.TRADITIONAL)
    assert _covers(text, tokens)
    words = _words(text, tokens)
    assert "十項行動" in words and "記憶體" in words and "😀" in words
