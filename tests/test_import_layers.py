"""The layers stay layers: imports point down ui → annotate → corpus → db, the core never loads Qt, SQL stays in
db/, and nothing imports main.py. Checked on the source (every import statement, also inside functions and
`if TYPE_CHECKING:` blocks), so a violation fails here before anyone trips over it at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("db", "corpus", "annotate", "ui")  # lowest first: a package may import its own layer and those below
CORE = ("db", "corpus", "annotate")
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6")
# Outside db/ SQLAlchemy may be named for its exceptions and for the Session type that data functions take.
SQLALCHEMY_OUTSIDE_DB = {"sqlalchemy.exc", "sqlalchemy.orm.Session"}


def project_files(root: Path) -> list[Path]:
    files = [root / "main.py"]
    for package in (*LAYERS, "tools", "bench"):
        files += sorted(path for path in (root / package).rglob("*.py") if "migrations" not in path.parts)
    return files


def imported_names(root: Path, path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in the file; `from a import b` gives "a.b"."""
    package = path.relative_to(root).with_suffix("").parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the file's own package
                parent = package[:len(package) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def violations(root: Path, files: list[Path]) -> list[str]:
    problems = []
    for path in files:
        where = path.relative_to(root).as_posix()
        layer = path.relative_to(root).parts[0]
        for line, name in imported_names(root, path):
            top = name.split(".")[0]
            if top == "main":
                problems.append(f"{where}:{line}: imports main.py ({name}); main.py is only the entry point")
            if layer in LAYERS and top in LAYERS and LAYERS.index(top) > LAYERS.index(layer):
                problems.append(f"{where}:{line}: {layer} imports {name}, a layer above it")
            if layer in CORE and top in QT:
                problems.append(f"{where}:{line}: {layer} imports Qt ({name}); the core runs without a GUI")
            if layer in LAYERS and layer != "db" and top == "sqlalchemy" \
                    and not any(name == allowed or name.startswith(allowed + ".") for allowed in SQLALCHEMY_OUTSIDE_DB):
                problems.append(f"{where}:{line}: {layer} uses {name}; SQL belongs in db/")
    return problems


def test_imports_point_down_the_core_has_no_qt_and_sql_stays_in_db():
    assert violations(ROOT, project_files(ROOT)) == []


@pytest.mark.parametrize("source, expected", [
    ("from ui.app import run_app\n", "corpus imports ui.app.run_app, a layer above it"),
    ("import PySide6.QtCore\n", "corpus imports Qt (PySide6.QtCore)"),
    ("def f():\n    from sqlalchemy import select\n", "corpus uses sqlalchemy.select; SQL belongs in db/"),
    ("from main import main\n", "imports main.py (main.main)"),
    ("from . import segment\n", None),  # corpus.segment: its own layer
    ("from ..annotate import spans\n", "corpus imports annotate.spans, a layer above it"),
])
def test_each_kind_of_violation_is_caught(tmp_path, source, expected):
    """The checker itself: a file planted in corpus/ with one bad import is reported, a good one is not."""
    module = tmp_path / "corpus" / "planted.py"
    module.parent.mkdir()
    module.write_text(source, encoding="utf-8")
    found = violations(tmp_path, [module])
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith("corpus/planted.py:") and expected in found[0]
