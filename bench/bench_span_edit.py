"""One span edit committed: median latency of SpanStore.add/update/remove (target ≤ 1 ms).

Baseline in the same process: the same INSERT + COMMIT through the sqlite3 module directly.
Run: .venv/bin/python bench/bench_span_edit.py [--n 3000]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotate.spans import SpanStore  # noqa: E402
from db import annotators, documents, labels  # noqa: E402
from db.engine import open_database  # noqa: E402
from db.models import Script  # noqa: E402


def timed(call, n: int) -> list[float]:
    times = []
    for i in range(n):
        t = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=3000)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        database = open_database(str(path))
        with database.transaction() as session:
            doc = documents.add_document(session, name="bench", text="字" * (n + 10), content_hash="x",
                                         script=Script.SIMPLIFIED)
            amy = annotators.annotator_id(session, "amy")
            slogan, task = [label.id for label in labels.all_labels(session)[:2]]
        store = SpanStore(database)
        rows = []
        add = timed(lambda i: rows.append(store.add(document_id=doc, label_id=slogan, annotator_id=amy,
                                                     start=i, end=i + 2)), n)
        relabel = timed(lambda i: store.update(rows[i].id, label_id=task), n)
        remove = timed(lambda i: store.remove(rows[i].id), n)
        database.close()

        raw = sqlite3.connect(path)
        raw.execute("PRAGMA synchronous=NORMAL")
        baseline = timed(lambda i: (raw.execute(
            'INSERT INTO spans (document_id, label_id, annotator_id, start, "end", origin, note, created_at,'
            " updated_at) VALUES (?, ?, ?, ?, ?, 'manual', '', '2026', '2026')", (doc, slogan, amy, i, i + 3)),
            raw.commit()), n)
        raw.close()
    base = statistics.median(baseline)
    print(f"span edits, n={n} each, median (p95) in ms; baseline = raw sqlite3 INSERT+COMMIT")
    for name, times in (("add", add), ("relabel", relabel), ("remove", remove), ("baseline", baseline)):
        median = statistics.median(times)
        p95 = sorted(times)[int(len(times) * 0.95)]
        print(f"  {name:9s} {median * 1000:7.3f} ({p95 * 1000:.3f})   x{median / base:5.1f} baseline")


if __name__ == "__main__":
    main()
