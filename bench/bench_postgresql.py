"""The same operations on SQLite and on a PostgreSQL server, side by side (the SQLite figures are the baseline).

- span edit: median of SpanStore.add and of SpanStore.remove, each its own committed transaction;
- JSONL import: a doccano file of about 100 k spans (documents of ~3,000 characters made from the seed
  paragraphs) into an empty database, then its export;
- agreement: three annotators (two more files, perturbed copies of the first) over the same corpus;
- search: a term's concordance, and the document filter's count of documents containing a term.

PostgreSQL runs in a database created for the run (the role in the URL must be allowed to create databases) and
dropped afterwards. Without FTS5 there, searches scan the texts (LIKE); SQLite's figures are with its index.
Run: .venv/bin/python bench/bench_postgresql.py postgresql://USER:PASSWORD@HOST/DB [--spans 100000] [--edits 500]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from annotate import agreement, concordance  # noqa: E402
from annotate.formats import export_jsonl, import_jsonl  # noqa: E402
from annotate.spans import SpanStore  # noqa: E402
from corpus.documents import store_text  # noqa: E402
from db import annotators, documents, labels  # noqa: E402
from db.engine import Database, open_database, resolve_url  # noqa: E402

SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
DOC_CHARS = 3_000
CHARS_PER_SPAN = 30
LABELS = ("SLOGAN", "TASK", "INSTITUTION")


def corpus_texts(spans: int, rng: random.Random) -> list[str]:
    if not SEEDS.is_dir():
        sys.exit(f"seed corpus not found at {SEEDS}")
    paragraphs = [p.strip() for path in sorted(SEEDS.glob("*.txt"))
                  for p in path.read_text(encoding="utf-8").split("\n") if len(p.strip()) >= 20]
    texts = []
    for number in range(max(1, spans * CHARS_PER_SPAN // DOC_CHARS)):
        parts, size = [f"第{number}号"], 0
        while size < DOC_CHARS:
            parts.append(rng.choice(paragraphs))
            size += len(parts[-1]) + 1
        texts.append("\n".join(parts))
    return texts


def write_layer(path: Path, texts: list[str], annotator: str, rng: random.Random, *, perturb: float) -> int:
    """One span per CHARS_PER_SPAN characters; a perturbed copy drops, moves or relabels a share of them."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for body in texts:
            spans = []
            for start in range(0, len(body) - 8, CHARS_PER_SPAN):
                length, label = 2 + start % 5, LABELS[start // CHARS_PER_SPAN % 3]
                roll = rng.random() if perturb else 1.0
                if roll < perturb / 3:
                    continue
                if roll < 2 * perturb / 3:
                    start += rng.choice((-1, 1)) if start else 1
                elif roll < perturb:
                    label = rng.choice(LABELS)
                spans.append([start, start + length, label])
            count += len(spans)
            out.write(json.dumps({"text": body, "label": spans, "meta": {"annotator": annotator}},
                                 ensure_ascii=False) + "\n")
    return count


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def edits(database: Database, n: int) -> tuple[float, float]:
    with database.transaction() as session:
        document_id, _ = store_text(session, name="edits.txt", text="字" * (n + 10))
        amy = annotators.annotator_id(session, "edit-bench")
        label = labels.all_labels(session)[0].id
    store = SpanStore(database)
    add, remove, rows = [], [], []
    for i in range(n):
        seconds, row = timed(lambda: store.add(document_id=document_id, label_id=label, annotator_id=amy,
                                               start=i, end=i + 2))
        add.append(seconds)
        rows.append(row)
    for row in rows:
        remove.append(timed(lambda: store.remove(row.id))[0])
    return statistics.median(add), statistics.median(remove)


def run(database: Database, files: dict[str, Path], edit_count: int, folder: Path) -> dict[str, str]:
    figures = {}
    add, remove = edits(database, edit_count)
    figures["span edit: add, median"] = f"{add * 1000:.2f} ms"
    figures["span edit: remove, median"] = f"{remove * 1000:.2f} ms"
    seconds, report = timed(lambda: import_jsonl(database, files["amy"]))
    assert report.imported, report.problems
    figures[f"JSONL import, {report.spans_added:,} spans"] = f"{seconds:.2f} s ({report.spans_added / seconds:,.0f}/s)"
    for name in ("bob", "cy"):
        assert import_jsonl(database, files[name]).imported
    seconds, exported = timed(lambda: export_jsonl(database, folder / "out.jsonl", annotators=["amy"]))
    figures[f"JSONL export, {exported.spans:,} spans"] = f"{seconds:.2f} s ({exported.spans / seconds:,.0f}/s)"
    seconds, result = timed(lambda: agreement.measure(database, ["amy", "bob", "cy"]))
    figures[f"agreement, 3 annotators, {result.documents:,} documents"] = \
        f"{seconds:.2f} s (alpha {result.krippendorff_alpha:.4f})"
    concordance.update_index(database)  # SQLite: the full-text index as after an import (PostgreSQL: none)
    concordance.concordance(database, "两个维护")  # loads OpenCC for the other script's forms: not timed
    seconds, found = timed(lambda: concordance.concordance(database, "高质量发展", limit=200))
    figures[f"concordance 高质量发展 ({found.total:,} occurrences)"] = f"{seconds * 1000:.0f} ms"
    seconds, found = timed(lambda: concordance.concordance(database, "党", limit=200))
    figures[f"concordance 党 ({found.total:,} occurrences)"] = f"{seconds * 1000:.0f} ms"
    with database.session() as session:
        seconds, count = timed(lambda: documents.count_matching(session, text="京津冀协同发展"))
    figures[f"document filter 京津冀协同发展 ({count} documents)"] = f"{seconds * 1000:.0f} ms"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("server", help="PostgreSQL URL; a database zhubi_bench_<pid> is created beside it")
    parser.add_argument("--spans", type=int, default=100_000, help="spans per annotator (default 100,000)")
    parser.add_argument("--edits", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(7)
    texts = corpus_texts(args.spans, rng)
    server_url = resolve_url(args.server)
    name = f"zhubi_bench_{int(time.time()) % 100000}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        files = {who: folder / f"{who}.jsonl" for who in ("amy", "bob", "cy")}
        for who, perturb in (("amy", 0.0), ("bob", 0.2), ("cy", 0.3)):
            write_layer(files[who], texts, who, rng, perturb=perturb)
        print(f"{len(texts):,} documents, {sum(map(len, texts)):,} characters")
        results = {}
        results["SQLite"] = run(open_database(str(folder / "bench.db")), files, args.edits, folder)
        with server.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        try:
            database = open_database(server_url.set(database=name).render_as_string(hide_password=False))
            try:
                results["PostgreSQL"] = run(database, files, args.edits, folder)
            finally:
                database.close()
        finally:
            with server.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            server.dispose()
    width = max(map(len, results["SQLite"]))
    print(f"{'':{width}}  {'SQLite':>22}  {'PostgreSQL':>22}")
    for key in results["SQLite"]:
        print(f"{key:{width}}  {results['SQLite'][key]:>22}  {results['PostgreSQL'][key]:>22}")


if __name__ == "__main__":
    main()
