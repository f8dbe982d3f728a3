"""Start-up order: the first screen comes before the heavy machinery.

The suggestion engine (annotate.suggest and its rules), the concordance and the segmenter (rjieba or jieba)
each take the interpreter for a few hundred milliseconds when they load. They must neither be imported with
the window's modules nor start before the window has painted its first document — and they must still load
once it has. Checked in a fresh interpreter, the way the app starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from corpus.sample import ensure_sample_corpus
from db.engine import open_database

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("annotate.suggest", "annotate.rules", "annotate.concordance", "rjieba", "jieba")

SCRIPT = """
import json, sys, time
heavy = {heavy!r}
loaded = lambda: sorted(name for name in heavy if name in sys.modules)
seen = {{}}
from ui.app import make_application, start_window, wait_until
import ui.mainwindow
seen["imported"] = loaded()
from ui.settings import Settings
app = make_application()
window = start_window(Settings(), "tester", {db!r})
window.ready.connect(lambda: seen.setdefault("ready", loaded()))
window.settled.connect(lambda: seen.setdefault("settled", loaded()))
wait_until(app, lambda: "settled" in seen, 30)
seen["document"] = window.pane.document.name if window.pane.document else None
seen["later"] = wait_until(app, lambda: {{"annotate.suggest", "annotate.concordance"}} <= set(loaded())
                           and ("rjieba" in sys.modules or "jieba" in sys.modules), 30) and loaded()
window.close()
print(json.dumps(seen))
"""


def test_heavy_modules_load_after_the_first_paint(tmp_path):
    database = open_database(str(tmp_path / "sample.db"))
    assert ensure_sample_corpus(database) == 6  # tokens stored at import, as on every start after the first
    database.close()
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", SCRIPT.format(heavy=HEAVY, db=str(tmp_path / "sample.db"))],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["imported"] == [], "the window's modules import the heavy machinery"
    assert seen["ready"] == [] and seen["settled"] == [], "heavy machinery loaded before the first paint"
    assert seen["document"], "no document was shown"
    assert seen["later"], "suggestions, the full-text index or the segmenter never loaded after start-up"
