"""Open the review view of a 1 MB document with 3 × 10,000 spans, to painted (target ≤ 300 ms).

Measured in the real window (offscreen), review view on, three annotators chosen: from the request to open the
document until the viewport has painted the text with the grouped spans (annotate.review.load runs in a worker
thread meanwhile; the text shows first). Also: one decision (Alt+1 on a disagreement) from key press to
repainted view and committed row.
Baselines in the same process: the same document opened in the annotation view (your own spans, no grouping),
and annotate.review.load alone (the domain's share).
The document is the one bench/bench_agreement.py builds (seed paragraphs, perturbed copies per annotator).
Run: .venv/bin/python bench/bench_ui_review.py [--runs 5]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from uibench import median_ms, now, window_on

from bench_agreement import ANNOTATORS, review_document  # noqa: E402  (after uibench has set up sys.path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from annotate import review
    from corpus.documents import store_text
    from corpus.segment import document_tokens
    from db.engine import open_database
    from ui.app import wait_until

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.db")
        database = open_database(path)
        big = review_document(database)
        with database.transaction() as session:
            small, _ = store_text(session, name="small.txt", text="第一篇。\n")
        document_tokens(database, big)  # the segmentation cache is filled, as after any first open
        domain = []
        for _ in range(runs):
            started = now()
            state = review.load(database, big, ANNOTATORS)
            domain.append(now() - started)
        spans = sum(len(group.spans) for group in state.groups)
        counts = state.counts()
        length = len(state.text)
        size = len(state.text.encode("utf-8"))
        del state
        database.close()

        app, window = window_on(path, "rita", Path(folder) / "settings.ini")
        view, controller = window.pane.view, window.review

        def painted_open(document_id: int) -> float:
            started = now()
            window.open_document(document_id, 0)
            if controller.active:
                wait_until(app, lambda: controller.state is not None
                           and controller.state.document_id == document_id, 30)
            view.viewport().repaint()
            return now() - started

        plain = []
        for _ in range(runs):
            window.open_document(small, 0)
            plain.append(painted_open(big))
        controller.open_review(small, list(ANNOTATORS))
        wait_until(app, lambda: controller.state is not None or bool(controller.panel.message.text()), 30)
        opens, cpu = [], []
        for _ in range(runs):
            window.open_document(small, 0)
            wait_until(app, lambda: controller.state is None or controller.state.document_id == small, 30)
            cpu_started = time.process_time()
            opens.append(painted_open(big))
            cpu.append(time.process_time() - cpu_started)
        groups = len(controller.state.groups)

        decisions = []
        view.setFocus()
        for _ in range(runs):
            controller.step_disagreement(1)
            started = now()
            QTest.keyClick(view, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
            view.viewport().repaint()
            decisions.append(now() - started)
        window.close()

    print(f"review view: {length:,} characters ({size:,} bytes), {spans:,} spans of {len(ANNOTATORS)} annotators, "
          f"{groups:,} groups ({', '.join(f'{k} {v}' for k, v in counts.items() if k != 'decided')}); "
          f"{runs} runs, window 1400×900 offscreen")
    print(f"  open in the review view, to painted   median {median_ms(opens):7.1f} ms  (first {opens[0] * 1000:.1f}, "
          f"max {max(opens) * 1000:.1f})   target ≤ 300 ms")
    print(f"    CPU time of the process (all threads) median {median_ms(cpu):6.1f} ms")
    print(f"  one decision (Alt+1), key to repainted and committed   median {median_ms(decisions):6.1f} ms")
    print(f"  baseline: annotation view of the same document       median {median_ms(plain):7.1f} ms  "
          f"(x{median_ms(opens) / median_ms(plain):.1f})")
    print(f"  baseline: annotate.review.load alone                 median {median_ms(domain):7.1f} ms")


if __name__ == "__main__":
    main()
