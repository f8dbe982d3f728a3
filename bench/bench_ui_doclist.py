"""The document list on 100,000 documents: first page, each further page while scrolling, and filtering.

The model fetches pages of 400 rows from the database as the view scrolls (canFetchMore/fetchMore); filtering
by name or full text is a database query. A frame is 16 ms: each page fetch should fit in one.
Baseline in the same process: the same number of rows read with one plain SELECT of their columns.
Run: .venv/bin/python bench/bench_ui_doclist.py [--documents 100000]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from uibench import median_ms, now, paragraphs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    count = parser.parse_args().documents
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import insert, select

    from db import fulltext
    from db.engine import open_database
    from db.models import Document, Status
    from ui.app import make_application
    from ui.doclist import DocumentListPanel

    make_application()
    pool = paragraphs()
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(str(Path(folder) / "bench.db"))
        with database.transaction() as session:
            rows = []
            for i in range(count):
                body = pool[i % len(pool)] + f"（第{i}号）"
                rows.append(dict(name=f"{i:06d}_{body[:8]}.txt", text=body, length=len(body),
                                 content_hash=f"{i:064x}", status=(Status.NEW, Status.IN_PROGRESS, Status.DONE)[i % 3]))
            session.execute(insert(Document), rows)
        with database.transaction() as session:
            while fulltext.index_pending(session, limit=5000):
                pass
        panel = DocumentListPanel()
        panel.resize(420, 900)
        panel.show()
        QApplication.processEvents()
        began = now()
        panel.set_source(database, 1)
        QApplication.processEvents()
        first = now() - began
        pages = []
        model = panel.model
        while model.canFetchMore() and len(pages) < 50:
            began = now()
            model.fetchMore()
            pages.append(now() - began)
        scrolled = now()
        bar = panel.table.verticalScrollBar()
        for _ in range(20):  # drag the scroll bar to the bottom: the view asks for more pages itself
            bar.setValue(bar.maximum())
            QApplication.processEvents()
        scrolled = now() - scrolled
        rows_loaded = model.rowCount()
        filters = {}
        for label, term in (("name", "012345"), ("full text, frequent", "发展"), ("full text, rare", "第99999号")):
            began = now()
            panel.filter.setText(term)
            panel._apply_filter()
            QApplication.processEvents()
            filters[label] = (now() - began, model.rowCount(), panel.count.text())
        base = []
        with database.session() as session:
            for offset in range(0, 400 * 20, 400):
                began = now()
                list(session.execute(select(Document.id, Document.name, Document.length, Document.status)
                                     .order_by(Document.id).limit(400).offset(offset)))
                base.append(now() - began)
        panel.close()
        database.close()
    page_ms = median_ms(pages)
    print(f"document list over {count:,} documents (pages of 400 rows, offscreen)")
    print(f"  first page shown            {first * 1000:7.1f} ms (with the count)")
    print(f"  each further page           {page_ms:7.2f} ms median (max {max(pages) * 1000:.1f})   "
          f"x{page_ms / median_ms(base):4.1f} baseline   frame budget 16 ms")
    print(f"  scroll bar to the bottom ×20 {scrolled * 1000:6.1f} ms, {rows_loaded:,} rows loaded")
    for label, (seconds, rows, shown) in filters.items():
        print(f"  filter {label:20s} {seconds * 1000:7.1f} ms → {rows} rows listed, '{shown}'")
    print(f"  baseline                    {median_ms(base):7.2f} ms median (a plain SELECT of 400 rows' columns)")


if __name__ == "__main__":
    main()
