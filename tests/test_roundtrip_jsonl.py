"""Round trip: export → import into an empty database → export gives the same bytes, in every format that
imports (doccano, Prodigy, CLUENER, Label Studio; code points or UTF-16 units)."""

from __future__ import annotations

import pytest

from annotate.formats import export_jsonl, import_jsonl
from annotated_corpus import build
from db.engine import open_database


@pytest.fixture
def empty(tmp_path):
    database = open_database(str(tmp_path / "empty.db"))
    yield database
    database.close()


@pytest.mark.parametrize("fmt", ["doccano", "prodigy", "cluener", "labelstudio"])
@pytest.mark.parametrize("include_empty", [False, True])
def test_export_import_export_gives_the_same_lines(database, empty, tmp_path, fmt, include_empty):
    build(database)  # 𠀀, emoji, CRLF-origin and traditional text; nested and overlapping spans; amy, bob, gold
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    exported = export_jsonl(database, first, fmt=fmt, include_empty=include_empty)
    report = import_jsonl(empty, first)
    assert report.imported, report.problems
    assert report.spans_added == exported.spans == 15 and report.annotators == ["amy", "bob", "gold"]
    assert report.comments_added == 2
    export_jsonl(empty, second, fmt=fmt, include_empty=include_empty)
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("fmt", ["doccano", "labelstudio"])
def test_utf16_offsets_say_so_and_come_back_as_code_points(database, empty, tmp_path, fmt):
    """For tools that count like JavaScript: the file's offsets count UTF-16 units and its meta says so, so the
    import reads them right without being told."""
    build(database)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    export_jsonl(database, first, fmt=fmt, offset_unit="utf16")
    assert first.read_bytes() != export_bytes(database, tmp_path / "cp.json", fmt)  # 𠀀 and 😀 shift offsets
    assert b'"offset_unit": "utf16"' in first.read_bytes()
    report = import_jsonl(empty, first)
    assert report.imported and report.spans_added == 15, report.problems
    export_jsonl(empty, second, fmt=fmt, offset_unit="utf16")
    assert second.read_bytes() == first.read_bytes()
    assert export_bytes(empty, tmp_path / "cp2.json", fmt) == export_bytes(database, tmp_path / "cp.json", fmt)


def export_bytes(database, path, fmt: str) -> bytes:
    export_jsonl(database, path, fmt=fmt)
    return path.read_bytes()


def test_importing_an_export_into_its_own_database_adds_nothing(database, tmp_path):
    build(database)
    export_jsonl(database, tmp_path / "out.jsonl")
    report = import_jsonl(database, tmp_path / "out.jsonl")
    assert report.imported and (report.spans_added, report.duplicates, report.comments_added) == (0, 15, 0)
    assert report.documents_matched == 2 and report.documents_created == 0


def test_a_teammates_export_imported_under_another_name(database, empty, tmp_path):
    build(database)
    export_jsonl(database, tmp_path / "amy.jsonl", annotators=["amy"])
    report = import_jsonl(empty, tmp_path / "amy.jsonl", annotator="amy-laptop")
    assert report.annotators == ["amy-laptop"] and report.spans_added == 7
    export_jsonl(empty, tmp_path / "back.jsonl")
    assert (tmp_path / "back.jsonl").read_text(encoding="utf-8") == \
        (tmp_path / "amy.jsonl").read_text(encoding="utf-8").replace('"annotator": "amy"', '"annotator": "amy-laptop"')
