"""Export and import speed and memory on a million spans (target: ≥ 200 k spans/s, memory flat).

Builds a database from the seed documents (../shared/corpus/seeds: paragraphs shuffled into ~3,000-character
documents) with four span layers (amy, bob, cai and a gold set with provenance), about one span per 20
characters per layer, each span one to four jieba tokens (one in twenty starting inside a word). Then, each step in a fresh process so its peak memory (ru_maxrss above the process's
size before the step) is its own:
  export doccano / prodigy (tokens cached: the segmentation is filled and timed first) / cluener / labelstudio /
  conll (a file per annotator; nested spans dropped), import each file that has an importer into an empty
  database. Every step also times a baseline in the same process: plain json.dumps of the same span
  lists and a raw SELECT for exports; a SQLAlchemy Core executemany of span dicts, a raw sqlite3 executemany
  of tuples, and a raw sqlite3 INSERT … SELECT from a temporary table (the floor of the import's write)
  into the same schema for imports. Imports also say how long they held the write lock.
Run: .venv/bin/python bench/bench_export_import.py [--spans 250000 1000000] [--formats doccano …] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
LAYERS = ("amy", "bob", "cai", "gold")
DOC_CHARS = 3_000
CHARS_PER_SPAN = 20  # per layer
BASELINE_ROWS = 200_000


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- building the database --------------------------------------------------------------------------------------

def documents_from_seeds(count: int, rng: random.Random) -> list[str]:
    paragraphs = [p.strip() for path in sorted(SEEDS.glob("*.txt"))
                  for p in path.read_text(encoding="utf-8").split("\n") if len(p.strip()) >= 20]
    texts = []
    for _ in range(count):
        parts, size = [], 0
        while size < DOC_CHARS:
            paragraph = rng.choice(paragraphs)
            parts.append(paragraph)
            size += len(paragraph) + 1
        texts.append("\n".join(parts))
    return texts


def build(db_path: Path, spans_wanted: int) -> dict:
    from corpus.documents import store_text
    from corpus.segment import segment
    from db import annotators, labels, transfer
    from db.engine import open_database

    rng = random.Random(7)
    per_doc = len(LAYERS) * DOC_CHARS // CHARS_PER_SPAN
    texts = documents_from_seeds(max(1, round(spans_wanted / per_doc)), rng)
    database = open_database(str(db_path))
    started = time.perf_counter()
    total = 0
    with database.transaction() as session:
        label_ids = [label.id for label in labels.all_labels(session)]
        layer_ids = [annotators.annotator_id(session, name) for name in LAYERS]
        doc_ids = [store_text(session, name=f"bench-{i:05d}.txt", text=text)[0] for i, text in enumerate(texts)]
    provenance = json.dumps({"reviewer": "rev", "decided_at": "2026-11-20T09:00:00+00:00", "from": ["amy", "bob"],
                             "action": "accept"})
    remaining = spans_wanted
    for position, (doc_id, text) in enumerate(zip(doc_ids, texts)):
        tokens = segment(text)
        rows = []
        layers_left = (len(doc_ids) - position) * len(LAYERS)
        for layer_id, name in zip(layer_ids, LAYERS):
            want = round(remaining / layers_left)
            layers_left -= 1
            placed: set[tuple[int, int, int]] = set()
            while len(placed) < want:
                # Annotators select words: a span covers one to four tokens; one in twenty starts mid-word.
                first = rng.randrange(len(tokens))
                start, end = tokens[first][0], tokens[min(first + rng.randint(0, 3), len(tokens) - 1)][1]
                if rng.random() < 0.05 and end - start > 1:
                    start += 1
                label = rng.choice(label_ids)
                if (label, start, end) not in placed:
                    placed.add((label, start, end))
                    rows.append((doc_id, label, layer_id, start, end, "check" if rng.random() < 0.01 else "",
                                 provenance if name == "gold" else None))
            remaining -= want
        with database.transaction() as session:
            total += transfer.insert_spans(session, rows)[0]
    database.close()
    return {"documents": len(texts), "characters": sum(map(len, texts)), "spans": total,
            "seconds": time.perf_counter() - started}


# -- steps, each run in its own process -------------------------------------------------------------------------

def step_segment(db_path: Path) -> dict:
    from corpus.segment import document_tokens
    from db import documents
    from db.engine import open_database

    database = open_database(str(db_path))
    with database.session() as session:
        infos = documents.all_infos(session)
    started = time.perf_counter()
    tokens = sum(len(document_tokens(database, info.id)) for info in infos)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "tokens": tokens, "characters": sum(info.length for info in infos)}


def step_export(db_path: Path, out: Path, fmt: str) -> dict:
    from annotate.formats import export_jsonl
    from db.engine import open_database

    database = open_database(str(db_path))
    before = rss_kib()
    started = time.perf_counter()
    report = export_jsonl(database, out, fmt=fmt, progress=lambda done, total: None, cancel=lambda: False)
    seconds = time.perf_counter() - started
    peak = peak_kib() - before
    return {"seconds": seconds, "spans": report.spans, "lines": report.lines,
            "bytes": sum(Path(name).stat().st_size for name in report.files), "peak_mib": peak / 1024,
            "misaligned": report.misaligned_count, "dropped": report.dropped_count,
            **export_baselines(database, report.spans)}


def export_baselines(database, spans: int) -> dict:
    """The floor under an export: reading the rows, and json.dumps of [[start, end, label], ...] per line."""
    import sqlite3

    connection = sqlite3.connect(database.url.database)
    started = time.perf_counter()
    rows = connection.execute('SELECT document_id, annotator_id, label_id, start, "end", note, provenance, id '
                              "FROM spans ORDER BY document_id, annotator_id").fetchmany(BASELINE_ROWS)
    read = len(rows) / (time.perf_counter() - started)
    names = {1: "SLOGAN", 2: "TASK", 3: "INSTITUTION"}
    lines = [[[row[3], row[4], names.get(row[2], "X")] for row in rows[i:i + 150]] for i in range(0, len(rows), 150)]
    started = time.perf_counter()
    for line in lines:
        json.dumps(line, ensure_ascii=False)
    dumps = len(rows) / (time.perf_counter() - started)
    connection.close()
    return {"baseline_read_per_s": read, "baseline_dumps_per_s": dumps}


def step_import(db_path: Path, source: Path) -> dict:
    from contextlib import contextmanager

    from annotate.formats import import_jsonl
    from db import transfer
    from db.engine import open_database

    locked = []
    write = transfer.ImportSpool.write

    @contextmanager
    def timed_write(spool):
        with write(spool) as writer:  # entered once BEGIN IMMEDIATE has the lock
            started = time.perf_counter()
            yield writer
        locked.append(time.perf_counter() - started)  # after the commit

    transfer.ImportSpool.write = timed_write
    database = open_database(str(db_path))
    before = rss_kib()
    started = time.perf_counter()
    report = import_jsonl(database, source, progress=lambda done, total: None, cancel=lambda: False)
    seconds = time.perf_counter() - started
    peak = peak_kib() - before
    assert report.imported, report.problems[:3]
    database.close()
    return {"seconds": seconds, "spans": report.spans_added, "peak_mib": peak / 1024, "locked_s": sum(locked),
            **import_baselines(db_path)}


def import_baselines(db_path: Path) -> dict:
    """The ceiling over an import: the same schema filled by SQLAlchemy Core and by raw sqlite3."""
    import sqlite3

    from sqlalchemy import insert

    from db.engine import open_database
    from db.models import Origin, Span, utcnow

    scratch = db_path.with_name(db_path.stem + "-baseline.db")
    database = open_database(str(scratch))
    with database.transaction() as session:
        from corpus.documents import store_text
        from db import annotators

        doc, _ = store_text(session, name="baseline", text="字" * 20_000)
        amy = annotators.annotator_id(session, "amy")
    now = utcnow()
    dicts = [dict(document_id=doc, label_id=1 + i % 3, annotator_id=amy, start=i % 19_000, end=i % 19_000 + 2 + i // 19_000,
                  origin=Origin.IMPORTED, note="", provenance=None, created_at=now, updated_at=now)
             for i in range(BASELINE_ROWS)]
    started = time.perf_counter()
    with database.engine.begin() as connection:
        for i in range(0, len(dicts), 5_000):
            connection.execute(insert(Span), dicts[i:i + 5_000])
    core = len(dicts) / (time.perf_counter() - started)
    database.close()
    raw = sqlite3.connect(scratch)
    stamp = str(now)
    tuples = [(doc, 1 + i % 3, amy + 100, i % 19_000, i % 19_000 + 2 + i // 19_000, "imported", "", None, stamp, stamp)
              for i in range(BASELINE_ROWS)]
    raw.execute("PRAGMA foreign_keys=OFF")  # annotator amy+100 does not exist; the rows only need to be distinct
    started = time.perf_counter()
    raw.executemany('INSERT INTO spans (document_id, label_id, annotator_id, start, "end", origin, note, provenance, '
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tuples)
    raw.commit()
    sqlite = len(tuples) / (time.perf_counter() - started)
    raw.execute("CREATE TEMPORARY TABLE spool (document_id, label_id, annotator_id, start, \"end\", origin, note, "
                "provenance, created_at, updated_at)")
    raw.executemany("INSERT INTO spool VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(doc, label, annotator + 100, *rest) for doc, label, annotator, *rest in tuples])
    raw.commit()
    started = time.perf_counter()
    raw.execute('INSERT INTO spans (document_id, label_id, annotator_id, start, "end", origin, note, provenance, '
                "created_at, updated_at) SELECT * FROM spool")
    raw.commit()
    select_insert = len(tuples) / (time.perf_counter() - started)
    raw.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    return {"baseline_core_per_s": core, "baseline_sqlite3_per_s": sqlite, "baseline_select_per_s": select_insert}


STEPS = {"build": lambda a: build(Path(a[0]), int(a[1])), "segment": lambda a: step_segment(Path(a[0])),
         "export": lambda a: step_export(Path(a[0]), Path(a[1]), a[2]),
         "import": lambda a: step_import(Path(a[0]), Path(a[1]))}


def run_step(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--step", *map(str, args)], capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise SystemExit(f"step {args[0]} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


FORMATS = ("doccano", "prodigy", "cluener", "labelstudio", "conll")
IMPORTED = ("doccano", "prodigy", "cluener", "labelstudio")  # formats with an importer


def bench_size(folder: Path, spans: int, formats: list[str]) -> dict:
    source = folder / f"source-{spans}.db"
    results = {"build": run_step("build", source, spans), "segment": run_step("segment", source)}
    for fmt in formats:
        out = folder / f"{fmt}-{spans}.out"
        results[f"export {fmt}"] = run_step("export", source, out, fmt)
        if fmt in IMPORTED:
            results[f"import {fmt}"] = run_step("import", folder / f"into-{fmt}-{spans}.db", out)
    return results


def steps(results: dict) -> list[str]:
    return [name for name in results if name.startswith(("export ", "import "))]


def report(size: int, results: dict) -> None:
    built = results["build"]
    print(f"\n{built['spans']:,} spans, {built['documents']:,} documents, {built['characters'] / 1e6:.1f} M characters "
          f"(built in {built['seconds']:.1f} s)")
    seg = results["segment"]
    print(f"  segmentation (fills the token cache)  {seg['seconds']:6.2f} s  {seg['characters'] / seg['seconds'] / 1e6:5.2f} "
          f"M chars/s  {seg['tokens']:,} tokens")
    for name in steps(results):
        r = results[name]
        rate = r["spans"] / r["seconds"]
        line = f"  {name:15s} {r['seconds']:6.2f} s  {rate / 1e3:6.1f} k spans/s  peak +{r['peak_mib']:6.1f} MiB"
        if name.startswith("export"):
            line += (f"  ({r['bytes'] / 1e6:,.0f} MB; x{rate / r['baseline_read_per_s']:.2f} of a raw SELECT "
                     f"{r['baseline_read_per_s'] / 1e3:.0f} k/s, x{rate / r['baseline_dumps_per_s']:.2f} of bare "
                     f"json.dumps {r['baseline_dumps_per_s'] / 1e3:.0f} k/s)")
            if r["misaligned"]:
                line += f"  {r['misaligned']:,} spans off token boundaries"
            if r["dropped"]:
                line += f"  {r['dropped']:,} nested/overlapping spans left out"
        else:
            line += (f"  write lock held {r['locked_s']:.2f} s  (x{rate / r['baseline_core_per_s']:.2f} of SQLAlchemy "
                     f"Core executemany {r['baseline_core_per_s'] / 1e3:.0f} k rows/s, "
                     f"x{rate / r['baseline_sqlite3_per_s']:.2f} of raw sqlite3 executemany "
                     f"{r['baseline_sqlite3_per_s'] / 1e3:.0f} k rows/s; raw INSERT … SELECT "
                     f"{r['baseline_select_per_s'] / 1e3:.0f} k rows/s)")
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the databases and files")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step[0]](args.step[1:])))
        return
    if not SEEDS.is_dir():
        raise SystemExit(f"the seed documents are not at {SEEDS}")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="zhubi-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        all_results = {size: bench_size(folder, size, args.formats) for size in args.spans}
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    for size, results in all_results.items():
        report(size, results)
    if len(all_results) > 1:
        small, large = min(all_results), max(all_results)
        print(f"\npeak memory, {large:,} vs {small:,} spans (flat means ≈ x1 while the data grows "
              f"x{large / small:.0f}):")
        for name in steps(all_results[large]):
            a, b = all_results[small][name]["peak_mib"], all_results[large][name]["peak_mib"]
            print(f"  {name:15s} {a:6.1f} MiB → {b:6.1f} MiB  (x{b / a if a else float('inf'):.2f})")


if __name__ == "__main__":
    main()
