"""Open a 1 MB document with 10,000 spans and its segmentation overlay, to first paint (target ≤ 150 ms).

Measured in the real window (offscreen): from the request to open until the viewport has painted the text,
the span boxes and the token underline (segmentation from its cache, delivered by the background task).
Baseline in the same process: a bare QPlainTextEdit given the same text and painted.
Run: .venv/bin/python bench/bench_ui_open.py [--runs 5]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from uibench import add_big_document, median_ms, now, window_on


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    from PySide6.QtWidgets import QPlainTextEdit

    from corpus.documents import store_text
    from corpus.segment import document_tokens
    from db.engine import open_database
    from ui.app import wait_until
    from ui.style import text_font

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.db")
        database = open_database(path)
        big = add_big_document(database, "bench")
        other = add_big_document(database, "bench", name="big2.txt", seed=8)
        with database.transaction() as session:
            small, _ = store_text(session, name="small.txt", text="第一篇。\n")
        for document_id in (big, other):
            document_tokens(database, document_id)  # fills the segmentation cache, as after any first open
        with database.session() as session:
            from db.documents import info, text_of

            length = info(session, big).length
            text = text_of(session, big)
        database.close()

        app, window = window_on(path, "bench", Path(folder) / "settings.ini")
        pane, view = window.pane, window.pane.view
        opens, parts, cpu = [], [], []
        for run in range(runs):
            for document_id in (small, big if run % 2 == 0 else other):
                started, cpu_started = now(), time.process_time()
                window.open_document(document_id, 0)
                shown = now()
                wait_until(app, lambda: view.tokens is not None, 30)
                tokens = now()
                view.viewport().repaint()
                painted = now()
                if document_id != small:
                    cpu.append(time.process_time() - cpu_started)
                    opens.append(painted - started)
                    parts.append((shown - started, tokens - shown, painted - tokens))
        spans = len(pane.span_layer.own_rows())
        token_count = len(view.tokens)
        window.close()

        baseline = []
        editor = QPlainTextEdit()
        editor.setFont(text_font())
        editor.resize(1000, 820)
        editor.show()
        for _ in range(runs):
            editor.setPlainText("")
            app.processEvents()
            started = now()
            editor.setPlainText(text)
            editor.viewport().repaint()
            baseline.append(now() - started)
        editor.close()

    base = median_ms(baseline)
    show, wait, paint = (median_ms([p[i] for p in parts]) for i in range(3))
    print(f"open to first paint: {length:,} characters ({len(text.encode()):,} bytes), {spans:,} spans, "
          f"{token_count:,} tokens; {runs} runs, window 1400×900 offscreen")
    print(f"  window open     median {median_ms(opens):7.1f} ms  (first {opens[0] * 1000:.1f}, "
          f"max {max(opens) * 1000:.1f})   x{median_ms(opens) / base:4.1f} baseline   target ≤ 150 ms")
    print(f"    CPU time of the process (both threads) median {median_ms(cpu):6.1f} ms: wall minus this is "
          "time spent waiting for a CPU on a busy machine")
    print(f"    text + spans shown {show:6.1f} ms · segmentation delivered {wait:6.1f} ms · paint {paint:6.1f} ms")
    print(f"  baseline        median {base:7.1f} ms  (bare QPlainTextEdit: setPlainText + paint, no spans)")


if __name__ == "__main__":
    main()
