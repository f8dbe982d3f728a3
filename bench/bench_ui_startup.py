"""Start to interactive window on the sample corpus (target ≤ 1.5 s).

A fresh Python process per run, timed from just before it is launched until the window shows the document
list and the last document's text and has painted them (`MainWindow.settled`: what a user can read and
click), on a database that already holds the sample corpus (the first start imports it in the background;
every later start is this). Also shown: when `ready` came (the document set up, not yet painted) and when the
event loop first ran (the window, empty, before the database is open).
Baseline in the same script: a process that shows an empty Qt main window.

Python's compiled bytecode is kept, as on every start after a user's first: the runs write it to a scratch
folder (PYTHONPYCACHEPREFIX) after one unmeasured start, even where PYTHONDONTWRITEBYTECODE is set (without
it, each start compiles the project's modules again: about 0.2 s more here).
Run: .venv/bin/python bench/bench_ui_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from uibench import ROOT

APP = """
import sys, time
sys.path.insert(0, {root!r})
from annotate.cli import window_arguments                  # what main.py does first
args = window_arguments(["--db", {db!r}])
from ui.app import make_application, start_window
from ui.settings import Settings
from PySide6.QtCore import QTimer
app = make_application()
settings = Settings()
shown, ready = [], []
window = start_window(settings, settings.annotator, args.db)  # what run_app does, minus the name prompt
QTimer.singleShot(0, lambda: shown.append(time.time()))
window.ready.connect(lambda: ready.append(time.time()))
window.settled.connect(lambda: (print(shown[0], ready[0], time.time(), window.pane.document.name,
                                      window.documents.model.rowCount()), app.quit()))
app.exec()
window.close()
"""

BASELINE = """
import time
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QTimer
app = QApplication([])
window = QMainWindow()
window.resize(1400, 900)
window.show()
QTimer.singleShot(0, lambda: (print(time.time()), app.quit()))
app.exec()
"""


def launch(code: str, env: dict) -> tuple[float, list[str]]:
    started = time.time()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    fields = result.stdout.split()
    return started, fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    from corpus.sample import ensure_sample_corpus
    from db.engine import open_database

    with tempfile.TemporaryDirectory() as folder:
        # Settings and data in a scratch folder; the cache directory stays the user's own, as fontconfig keeps
        # its font cache there (a fresh one costs a second of font scanning that no real start pays).
        env = dict(os.environ, XDG_CONFIG_HOME=str(Path(folder) / "config"), XDG_DATA_HOME=str(Path(folder) / "data"),
                   PYTHONPYCACHEPREFIX=str(Path(folder) / "bytecode"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        db = str(Path(folder) / "sample.db")
        database = open_database(db)
        count = ensure_sample_corpus(database)
        database.close()
        config = Path(folder) / "config" / "zhubi"
        config.mkdir(parents=True)
        (config / "zhubi.ini").write_text("[General]\nannotator=bench\n", encoding="utf-8")

        app = APP.format(root=str(ROOT), db=db)
        launch(app, env)  # writes the bytecode
        launch(BASELINE, env)
        starts, ready, shown, baseline = [], [], [], []
        for _ in range(runs):
            began, fields = launch(app, env)
            shown.append(float(fields[0]) - began)
            ready.append(float(fields[1]) - began)
            starts.append(float(fields[2]) - began)
            name, rows = fields[3], fields[4]
            began, fields = launch(BASELINE, env)
            baseline.append(float(fields[0]) - began)
    base = statistics.median(baseline)
    median = statistics.median(starts)
    print(f"start to interactive on the sample corpus ({count} documents; opened {name}, {rows} rows listed), "
          f"{runs} runs, offscreen")
    print(f"  interactive     median {median:5.2f} s  (min {min(starts):.2f}, max {max(starts):.2f})   "
          f"x{median / base:4.1f} baseline   target ≤ 1.5 s   (document painted)")
    print(f"  ready           median {statistics.median(ready):5.2f} s  (document set up, before its paint)")
    print(f"  event loop      median {statistics.median(shown):5.2f} s  (the window, before the database is open)")
    print(f"  baseline        median {base:5.2f} s  (python + PySide6: an empty QMainWindow painted)")


if __name__ == "__main__":
    main()
