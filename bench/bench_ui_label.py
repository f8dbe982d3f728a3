"""Add one span: from the key press to the repainted view with the row committed (target ≤ 16 ms median).

The real window (offscreen) on a 1 MB document that already has 10,000 spans: select a range on screen,
press the label key, repaint. The press commits the row (SpanStore) and the view repaints from the domain
event. Baseline in the same process: the same key press and repaint on a bare read-only QPlainTextEdit.
Run: .venv/bin/python bench/bench_ui_label.py [--n 200]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from uibench import add_big_document, median_ms, now, window_on


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    n = parser.parse_args().n
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPlainTextEdit

    from db import spans as span_rows
    from db.engine import open_database
    from ui.app import wait_until
    from ui.style import text_font

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.db")
        database = open_database(path)
        big = add_big_document(database, "bench")
        app, window = window_on(path, "bench", Path(folder) / "settings.ini")
        view = window.pane.view
        window.open_document(big, 0)
        wait_until(app, lambda: view.tokens is not None, 30)
        wait_until(app, lambda: False, 0.2)
        existing = {(row.start, row.end) for row in window.pane.span_layer.rows()}
        length = len(view.display.stored)
        ranges = []
        for i in range(n):  # spread over the document, each labelled where the user is reading
            start = 100 + i * (length - 200) // n
            while (start, start + 3) in existing:
                start += 1
            ranges.append((start, start + 3))
        presses, totals = [], []
        for start, end in ranges:
            view.scroll_to(max(start - 300, 0))
            view.select(start, end)
            app.processEvents()
            began = now()
            QTest.keyClick(view, Qt.Key.Key_1)
            pressed = now()
            app.processEvents()  # delivers the repaint the domain event asked for (only the lines that changed)
            done = now()
            presses.append(pressed - began)
            totals.append(done - began)
        with database.session() as session:
            stored = {(r.start, r.end) for r in span_rows.for_document(session, big) if r.label_id == 1}
        missing = [r for r in ranges if r not in stored]
        window.close()
        database.close()

        editor = QPlainTextEdit()
        editor.setFont(text_font())
        editor.setReadOnly(True)
        editor.resize(1000, 820)
        editor.setPlainText(view.display.text[:20_000])
        editor.show()
        wait_until(app, lambda: False, 0.2)
        baseline = []
        for _ in range(len(ranges)):
            began = now()
            QTest.keyClick(editor, Qt.Key.Key_1)
            editor.viewport().repaint()  # a full repaint: what the bare widget costs to show anything
            baseline.append(now() - began)
        editor.close()

    base = median_ms(baseline)
    p95 = sorted(totals)[int(len(totals) * 0.95)] * 1000
    print(f"add one span by key press: {len(ranges)} presses on a 1 MB document with 10,000 spans (offscreen)")
    print(f"  press → committed + repainted  median {median_ms(totals):6.2f} ms  (p95 {p95:.2f})   "
          f"x{median_ms(totals) / base:4.1f} baseline   target ≤ 16 ms")
    print(f"    of which the press (commit, event, layer update) {median_ms(presses):6.2f} ms")
    print(f"  baseline                       median {base:6.2f} ms  (bare QPlainTextEdit: key press + repaint)")
    print(f"  rows committed: {len(ranges) - len(missing)}/{len(ranges)}")


if __name__ == "__main__":
    main()
