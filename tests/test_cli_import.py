"""`main.py import` for text: a line per file, a summary, and an exit status that tells about refusals."""

from __future__ import annotations

import shutil

import pytest

from main import main
from tests.conftest import DATA


def _run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


@pytest.mark.seeds
def test_importing_the_seeds_twice_adds_them_once(seeds, db_path, capsys):
    code, lines, _ = _run(capsys, "--db", str(db_path), "import", str(seeds))
    assert code == 0
    assert [line.split("\t")[0] for line in lines[:-1]] == ["imported"] * 5
    assert lines[-1].startswith("5 imported") and "0 refused" in lines[-1]
    assert "traditional" in lines[4]
    code, lines, _ = _run(capsys, "--db", str(db_path), "import", str(seeds))
    assert code == 0 and [line.split("\t")[0] for line in lines[:-1]] == ["duplicate"] * 5
    code, lines, _ = _run(capsys, "--db", str(db_path), "docs")
    assert len(lines) == 5


def test_a_refused_file_is_named_and_the_others_imported(tmp_path, db_path, capsys):
    for name in ("notice.gbk.txt", "image-named.txt", "notice.big5.txt"):
        shutil.copy(DATA / "encodings" / name, tmp_path / name)
    code, lines, err = _run(capsys, "--db", str(db_path), "import", str(tmp_path))
    assert code == 1
    assert f"refused\t{tmp_path / 'image-named.txt'}\tbinary file (contains NUL bytes), not text" in lines
    assert [line.split("\t")[0] for line in lines[:-1]] == ["refused", "imported", "imported"]
    assert err.strip().endswith("1 of 3 files refused (the others are in the database: imported now or before)")
    code, lines, _ = _run(capsys, "--db", str(db_path), "docs")
    assert [line.split("\t")[1] for line in lines] == ["notice.big5.txt", "notice.gbk.txt"]


@pytest.mark.seeds
def test_join_broken_lines_says_what_it_did(seeds, db_path, capsys):
    code, lines, _ = _run(capsys, "--db", str(db_path), "import", "--join-broken-lines",
                          str(seeds / "002_7d61d7b1c701f164.txt"))
    assert code == 0 and "line-break spaces removed" in lines[0] and "line-break spaces removed" in lines[-1]


def test_format_txt_imports_any_file_as_text(tmp_path, db_path, capsys):
    path = tmp_path / "notice.md"
    path.write_text("# 关于开展“十项行动”专项督查的通知\r\n", encoding="utf-8")
    code, lines, _ = _run(capsys, "--db", str(db_path), "import", "--format", "txt", str(path))
    assert code == 0 and lines[0].startswith(f"imported\t{path}\tdocument #1")


def test_help_describes_the_options(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["import", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "--join-broken-lines" in out and "GB18030" in out and "--offset-unit" in out
