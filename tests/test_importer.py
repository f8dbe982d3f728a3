"""Importing files and folders: what a user sees per file, and a database that stays whole."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

import corpus.segment as segment_module
from corpus.importer import import_paths
from corpus.sample import SAMPLE_DIR, ensure_sample_corpus
from corpus.segment import SEGMENTER, dictionary_version, document_tokens
from db import documents
from db.models import Document, Script, Segmentation
from tests.conftest import DATA

ENCODINGS = DATA / "encodings"


def _snapshot(database):
    with database.session() as session:
        return (session.execute(select(Document.id, Document.name, Document.content_hash).order_by(Document.id)).all(),
                session.execute(select(Segmentation.document_id, Segmentation.boundaries)
                                .order_by(Segmentation.document_id)).all())


def _texts(database) -> dict[str, str]:
    with database.session() as session:
        return dict(session.execute(select(Document.name, Document.text)).all())


@pytest.mark.seeds
def test_seeds_import_once(seeds, database):
    first = import_paths(database, [seeds])
    assert [r.outcome for r in first.results] == ["imported"] * 5
    assert [r.name for r in first.results] == sorted(p.name for p in seeds.glob("*.txt"))
    assert first.results[4].script is Script.TRADITIONAL
    before = _snapshot(database)
    second = import_paths(database, [seeds])
    assert [r.outcome for r in second.results] == ["duplicate"] * 5
    assert [r.document_id for r in second.results] == [r.document_id for r in first.results]
    assert _snapshot(database) == before


def test_folders_are_walked_recursively_in_order_skipping_hidden_and_other_files(tmp_path, database):
    for relative in ("b/z.txt", "b/a.txt", "a.TXT", ".hidden.txt", ".git/x.txt", "notes.md", "b/c/deep.txt"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"关于{relative}的通知", encoding="utf-8")
    report = import_paths(database, [tmp_path])
    assert [r.name for r in report.results] == ["a.TXT", "b/a.txt", "b/c/deep.txt", "b/z.txt"]
    single = import_paths(database, [tmp_path / "notes.md"])  # a file named explicitly is imported whatever it is
    assert [(r.outcome, r.name) for r in single.results] == [("imported", "notes.md")]


def test_gbk_big5_utf16_and_bom_files_are_stored_as_the_same_text(database):
    names = ["notice.gbk.txt", "notice.big5.txt", "notice.utf16le-bom.txt", "notice.utf8-bom.txt",
             "notice.utf16be-bom.txt"]
    report = import_paths(database, [ENCODINGS / n for n in names])
    outcomes = {r.name: (r.outcome, r.encoding) for r in report.results}
    assert outcomes == {"notice.gbk.txt": ("imported", "GB18030"), "notice.big5.txt": ("imported", "Big5"),
                        "notice.utf16le-bom.txt": ("duplicate", "UTF-16 LE"),
                        "notice.utf8-bom.txt": ("duplicate", "UTF-8 with BOM"),
                        "notice.utf16be-bom.txt": ("duplicate", "UTF-16 BE")}
    texts = _texts(database)
    assert texts["notice.gbk.txt"].startswith("市委常委会召开会议，传达学习全会精神")
    assert texts["notice.big5.txt"].startswith("市委常委會召開會議，傳達學習全會精神")
    assert report.results[2].reason == "same text as notice.gbk.txt in this import"
    assert report.results[2].document_id == report.results[0].document_id


def test_a_binary_file_is_refused_and_the_database_is_unchanged(database):
    import_paths(database, [SAMPLE_DIR])
    before = _snapshot(database)
    report = import_paths(database, [ENCODINGS / "image-named.txt"])
    assert [(r.outcome, r.reason) for r in report.results] == [
        ("refused", "binary file (contains NUL bytes), not text")]
    assert _snapshot(database) == before


def test_a_refused_file_costs_only_itself(tmp_path, database):
    shutil.copy(ENCODINGS / "notice.gbk.txt", tmp_path / "a.txt")
    shutil.copy(ENCODINGS / "report.pdf.txt", tmp_path / "b.txt")
    shutil.copy(ENCODINGS / "notice.big5.txt", tmp_path / "c.txt")
    report = import_paths(database, [tmp_path, tmp_path / "missing.txt"])
    assert [(r.name, r.outcome) for r in report.results] == [
        ("missing.txt", "refused"), ("a.txt", "imported"), ("b.txt", "refused"), ("c.txt", "imported")]
    assert "PDF" in report.results[2].reason and report.results[0].reason == "no such file or folder"
    assert sorted(_texts(database)) == ["a.txt", "c.txt"]


def test_crlf_is_normalized_and_offsets_after_extension_b_and_emoji_are_code_points(database):
    report = import_paths(database, [ENCODINGS / "notice.crlf.txt"])
    document_id = report.results[0].document_id
    text = _texts(database)["notice.crlf.txt"]
    assert "\r" not in text and text.startswith("关于开展“十项行动”专项督查的通知\n\n各区委")
    tokens = document_tokens(database, document_id)
    words = {text[s:e]: s for s, e in tokens}
    assert words["社区"] == text.index("𠀀村和😀社区") + 4  # 𠀀 and 😀 count one each
    assert words["市委办公厅"] == len(text) - len("的经验做法请于月底前报送市委办公厅。\n") + len("的经验做法请于月底前报送")
    with database.session() as session:
        assert documents.info(session, document_id).length == len(text)


def test_segmentation_is_cached_at_import(database, monkeypatch):
    report = import_paths(database, [SAMPLE_DIR])
    with database.session() as session:
        version = dictionary_version(session)
        rows = session.execute(select(Segmentation.document_id, Segmentation.dictionary_version)
                               .where(Segmentation.segmenter == SEGMENTER)).all()
    assert sorted(rows) == sorted((r.document_id, version) for r in report.imported)
    monkeypatch.setattr(segment_module, "token_lengths", lambda *a, **k: pytest.fail("not cached"))
    for result in report.imported:
        assert document_tokens(database, result.document_id)


@pytest.mark.seeds
def test_joining_broken_lines_is_asked_for_and_reported(seeds, database):
    plain = import_paths(database, [seeds / "002_7d61d7b1c701f164.txt"])
    joined = import_paths(database, [seeds / "002_7d61d7b1c701f164.txt"], join_broken_lines=True)
    assert plain.results[0].joined == 0 and joined.results[0].joined > 250
    assert joined.results[0].outcome == "imported"  # another text, so another document
    with database.session() as session:
        assert "对新征 程上" in documents.text_of(session, plain.results[0].document_id)
        assert "对新征程上" in documents.text_of(session, joined.results[0].document_id)
    assert "line-break spaces removed" in joined.summary()


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_and_cancel_between_files_leave_whole_documents(tmp_path, database, workers):
    for i in range(6):
        (tmp_path / f"{i}.txt").write_text(f"第{i}号文件：坚定拥护“两个确立”。", encoding="utf-8")
    seen = []
    report = import_paths(database, [tmp_path], progress=lambda done, total: seen.append((done, total)),
                          cancel=lambda: len(seen) > 3, workers=workers)  # after the third file
    assert report.cancelled and seen[0] == (0, 6) and seen[-1] == (3, 6)
    assert [r.name for r in report.imported] == ["0.txt", "1.txt", "2.txt"]
    with database.session() as session:
        assert documents.count(session) == 3
        assert session.scalar(select(func.count()).select_from(Segmentation)) == 3
    rest = import_paths(database, [tmp_path])
    assert [r.outcome for r in rest.results] == ["duplicate"] * 3 + ["imported"] * 3


@pytest.mark.seeds
@pytest.mark.parametrize("in_a_thread", [False, True], ids=["forked", "fork-server"])
def test_worker_processes_store_what_the_calling_process_would(seeds, database, tmp_path, in_a_thread):
    """Workers are forked when the caller is alone (the CLI), made by a fork server when threads run
    beside it (the window)."""
    from db.engine import open_database

    alone = import_paths(database, [seeds, SAMPLE_DIR], workers=1)
    other = open_database(str(tmp_path / "other.db"))
    try:
        if in_a_thread:
            with ThreadPoolExecutor(1) as thread:
                pooled = thread.submit(import_paths, other, [seeds, SAMPLE_DIR], workers=2).result()
        else:
            pooled = import_paths(other, [seeds, SAMPLE_DIR], workers=2)
        assert [(r.name, r.outcome, r.encoding) for r in pooled.results] == [
            (r.name, r.outcome, r.encoding) for r in alone.results]
        assert _snapshot(other) == _snapshot(database)
    finally:
        other.close()


def test_the_sample_corpus_goes_into_an_empty_database_only(database):
    assert ensure_sample_corpus(database) == 6
    assert ensure_sample_corpus(database) == 0
    texts = _texts(database)
    assert len(texts) == 6
    assert "\r" not in texts["03_专项督查通知.txt"]
    assert (SAMPLE_DIR / "03_专项督查通知.txt").read_bytes().count(b"\r\n") > 10  # git kept the CRLF bytes
    assert "𠀀家村" in texts["06_政务新媒体快讯.txt"] and "📢" in texts["06_政务新媒体快讯.txt"]
    with database.session() as session:
        scripts = {info.name: info.script for info in documents.all_infos(session)}
    assert scripts["04_新聞發佈會.txt"] is Script.TRADITIONAL
    assert sum(script is Script.TRADITIONAL for script in scripts.values()) == 1
