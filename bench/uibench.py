"""Shared set-up of the window benchmarks: a 1 MB document with 10,000 spans, and an offscreen window.

Not a benchmark itself; imported by bench_ui_*.py.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"


def paragraphs() -> list[str]:
    """Paragraphs of the seed corpus if it is beside the project, else of the sample corpus."""
    folders = [SEEDS, ROOT / "corpus" / "sample"]
    texts = [p.read_text(encoding="utf-8") for folder in folders if folder.is_dir()
             for p in sorted(folder.glob("*.txt"))]
    found = [line for text in texts for line in text.split("\n") if len(line.strip()) > 20]
    if not found:
        raise SystemExit("no seed or sample corpus found to build the benchmark document from")
    return found


def megabyte_text(size: int = 1_000_000, seed: int = 7) -> str:
    """About `size` bytes of UTF-8 (≈ 347 k characters) of shuffled real paragraphs."""
    rng = random.Random(seed)
    pool = paragraphs()
    parts, total = [], 0
    while total < size:
        line = rng.choice(pool)
        parts.append(line)
        total += len(line.encode("utf-8")) + 1
    return "\n".join(parts)


def add_big_document(database, annotator: str, *, spans: int = 10_000, name: str = "big.txt",
                     seed: int = 7) -> int:
    """Store the 1 MB document with `spans` spans of `annotator` (a fifth of them nested in another)."""
    from sqlalchemy import insert

    from corpus.documents import store_text
    from db import annotators, labels
    from db.models import Span

    text = megabyte_text(seed=seed)
    rng = random.Random(seed)
    with database.transaction() as session:
        document_id, _ = store_text(session, name=name, text=text)
        annotator_id = annotators.annotator_id(session, annotator)
        label_ids = [label.id for label in labels.all_labels(session)]
        step = len(text) // spans
        rows, seen = [], set()
        for i in range(spans):
            start = i * step + rng.randrange(0, max(step - 14, 1))
            end = start + rng.randint(2, 12)
            if i % 5 == 4:  # nested inside the previous span
                previous = rows[-1]
                start, end = previous["start"] + 1, max(previous["end"] - 1, previous["start"] + 2)
            key = (start, end)
            label = label_ids[i % len(label_ids)]
            if key in seen or end > len(text):
                continue
            seen.add(key)
            rows.append(dict(document_id=document_id, label_id=label, annotator_id=annotator_id, start=start,
                             end=end, origin="manual", note=""))
        session.execute(insert(Span), rows)
    return document_id


def window_on(database_path: str, annotator: str, settings_path: Path):
    """An offscreen main window on the database, shown and ready (its first paint done)."""
    from ui.app import make_application, tune_garbage_collector, wait_until
    from ui.mainwindow import MainWindow
    from ui.settings import Settings

    app = make_application()
    window = MainWindow(Settings(settings_path), annotator)
    tune_garbage_collector()  # as the app does at start-up
    window.resize(1400, 900)
    window.show()
    ready = []
    window.ready.connect(lambda: ready.append(True))
    window.open_database(database_path)
    if not wait_until(app, lambda: bool(ready), 60) or window.workspace is None:
        raise SystemExit(f"the window could not open {database_path}")
    wait_until(app, lambda: False, 0.3)
    return app, window


def median_ms(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[len(ordered) // 2] * 1000


def now() -> float:
    return time.perf_counter()
