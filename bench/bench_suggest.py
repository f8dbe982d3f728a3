#!/usr/bin/env python3
"""Suggestions on a 1 MB document (target ≤ 100 ms) and a concordance over a 50 MB corpus (≤ 200 ms),
each against a baseline run in the same process; with --import-cost, what the full-text index costs
the import of that corpus.

Documents are made from the seed paragraphs (../shared/corpus/seeds) repeated and shuffled. The
lexicon has 2,000 terms: the seeds' quoted formulations and institutions plus substrings of the
seeds (so they all occur, many times). Baselines: for suggestions, finding every lexicon term with
str.find (what the automaton replaces); for the concordance, reading every text and str.find.

    .venv/bin/python bench/bench_suggest.py [--corpus-mb 50] [--import-cost] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate import concordance, lexicon, rules  # noqa: E402
from annotate.spans import SpanStore  # noqa: E402
from annotate.suggest import Suggester  # noqa: E402
from corpus.documents import store_text  # noqa: E402
from corpus.script import s2t  # noqa: E402
from db import annotators, labels  # noqa: E402
from db.engine import open_database  # noqa: E402

SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"


def seed_paragraphs() -> list[str]:
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        if not path.name.startswith("004"):
            found += [p for p in path.read_text(encoding="utf-8").split("\n") if len(p.strip()) >= 8]
    return found


def document(size_bytes: int, rng: random.Random) -> str:
    paragraphs, parts, size = seed_paragraphs(), [], 0
    while size < size_bytes:
        part = rng.choice(paragraphs)
        parts.append(part)
        size += len(part.encode("utf-8")) + 1
    return "\n".join(parts)


def lexicon_terms(count: int, rng: random.Random, *, dense: bool) -> list[str]:
    """The seeds' quoted formulations and institutions (the terms labelling them would have put in
    the lexicon), filled up to `count` with made-up terms that do not occur — or, `dense`, with
    substrings of the seeds, which occur many times each: a stress case, not a real lexicon."""
    text = "\n".join(seed_paragraphs())
    scan = rules.Scan(text)
    terms = {text[s:e] for s, e, _kind in scan.quotations if 2 <= e - s <= 12}
    terms |= {text[s:e] for s, e in rules.institutions(scan)}
    while len(terms) < count:
        length = rng.randint(4, 8)
        start = rng.randrange(len(text) - length)
        candidate = text[start:start + length] if dense else text[start + length:start:-1]
        if candidate.strip() == candidate and not any(ch in candidate for ch in "\n，。、“”"):
            terms.add(candidate)
    return sorted(terms)[:count]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def best(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_suggestions(folder: Path, runs: int) -> None:
    from db import lexicon as entries

    rng = random.Random(7)
    text = document(1_000_000, rng)
    print(f"suggestions on a document of {len(text.encode('utf-8')):,} bytes ({len(text):,} characters), "
          f"{len(rules.BUILTIN)} built-in rules, lexicon of 2,000 terms:")
    for dense in (False, True):
        database = open_database(str(folder / f"suggest-{dense}.db"))
        with database.transaction() as session:
            simplified = store_text(session, name="1mb", text=text)[0]
            traditional = store_text(session, name="1mb-trad", text=s2t(text))[0]
            slogan = labels.by_name(session, "SLOGAN").id
            amy = annotators.annotator_id(session, "amy")
            terms = lexicon_terms(2000, rng, dense=dense)
            for term in terms:
                entries.upsert(session, term=term, label_id=slogan)
        shown = Suggester(database).for_document(simplified, annotator_id=amy)
        places = sorted({(s.start, s.end) for s in shown})[::97]  # spaced out, each labelled once below
        kind = "dense: 1,000 terms are substrings of the seeds" if dense else "formulations and institutions"
        print(f"  {kind} -> {len(shown):,} suggestions")
        cold = best(lambda: Suggester(database).for_document(simplified, annotator_id=amy), runs)
        print(f"    cold (automaton built, rules and lexicon run, resolved, filtered): {ms(cold)}")
        times = []
        for _ in range(runs):
            opened = Suggester(database)
            opened.for_document(traditional)  # another document: the automaton of this lexicon is built
            t = time.perf_counter()
            opened.for_document(simplified, annotator_id=amy)
            times.append(time.perf_counter() - t)
        print(f"    opening the document, automaton already built: {ms(min(times))}")
        suggester = Suggester(database)
        suggester.for_document(simplified, annotator_id=amy)
        store = SpanStore(database)
        times = []
        for i in range(runs):  # label a span; its text goes into the lexicon (offer, auto)
            store.add(document_id=simplified, label_id=slogan, annotator_id=amy, start=places[i][0],
                      end=places[i][1])
            lexicon.add_entry(database, f"新增术语{i}", slogan)
            t = time.perf_counter()
            suggester.for_document(simplified, annotator_id=amy)
            times.append(time.perf_counter() - t)
        print(f"    after labelling a span that adds a lexicon term (rules cached, automaton rerun): {ms(min(times))}")
        store.add(document_id=simplified, label_id=slogan, annotator_id=amy, start=places[runs][0],
                  end=places[runs][1])
        warm = best(lambda: suggester.for_document(simplified, annotator_id=amy), runs)
        print(f"    after labelling a span, lexicon unchanged (only the filter reruns): {ms(warm)}")
        trad = best(lambda: Suggester(database).for_document(traditional, annotator_id=amy), 1)
        print(f"    traditional copy, cold (t2s view with offset map, then the same): {ms(trad)}")

        def naive():
            found = 0
            for term in terms:
                i = text.find(term)
                while i >= 0:
                    found += 1
                    i = text.find(term, i + 1)
            return found

        baseline = best(naive, runs)
        print(f"    baseline, str.find for every lexicon term (no rules, no filter): {ms(baseline)}; "
              f"cold suggestions / baseline = {cold / baseline:.2f}")
        database.close()


def build_corpus(folder: Path, size_mb: float) -> Path:
    from bench.bench_import import generate

    files = folder / "corpus"
    files.mkdir()
    count, written = generate(files, size_mb)
    print(f"corpus: {count:,} files, {written / 1e6:.1f} MB (seed paragraphs shuffled, 15% traditional)")
    return files


def timed_import(database_path: Path, files: Path, *, index: str) -> tuple[float, int]:
    """Import the corpus; index 'queue' (as shipped), 'none' (no full-text index), 'sync' (triggers
    indexing each document as it is inserted)."""
    from sqlalchemy import text

    from corpus.importer import import_paths

    database = open_database(str(database_path))
    if index != "queue":
        with database.transaction() as session:
            for trigger in ("insert", "delete", "update"):
                session.execute(text(f"DROP TRIGGER documents_fts_{trigger}"))
            if index == "sync":
                session.execute(text("CREATE TRIGGER documents_fts_sync AFTER INSERT ON documents BEGIN "
                                     "INSERT INTO documents_fts(rowid, text) VALUES (new.id, new.text); END"))
    t = time.perf_counter()
    report = import_paths(database, [files])
    elapsed = time.perf_counter() - t
    characters = sum(result.characters for result in report.imported)
    database.close()
    return elapsed, characters


def bench_concordance(folder: Path, size_mb: float, runs: int, import_cost: bool) -> None:
    files = build_corpus(folder, size_mb)
    path = folder / "corpus.db"
    elapsed, characters = timed_import(path, files, index="queue")
    print(f"  import with the index queue (as shipped): {elapsed:.1f} s, {characters / elapsed / 1e6:.2f} M chars/s")
    database = open_database(str(path))
    t = time.perf_counter()
    indexed = concordance.update_index(database)
    index_time = time.perf_counter() - t
    print(f"  building the index afterwards (update_index, background): {indexed:,} documents in {index_time:.1f} s, "
          f"{characters / index_time / 1e6:.2f} M chars/s")
    if import_cost:
        for mode, label in (("none", "without any full-text index"), ("sync", "indexing inside the import")):
            other = folder / f"corpus-{mode}.db"
            elapsed_other, _ = timed_import(other, files, index=mode)
            print(f"  import {label}: {elapsed_other:.1f} s, {characters / elapsed_other / 1e6:.2f} M chars/s")

    from db import fulltext

    with database.session() as session:
        ids = fulltext.document_ids(session)
        total_bytes = sum(len(text.encode("utf-8")) for _, _, _, text in fulltext.texts(session, ids))
    print(f"concordance over {len(ids):,} documents, {total_bytes / 1e6:.1f} MB:")

    def naive(term):
        def run():
            with database.session() as session:
                hits = 0
                for _, _, _, text in fulltext.texts(session, ids):
                    i = text.find(term)
                    while i >= 0:
                        hits += 1
                        i = text.find(term, i + 1)
                return hits
        return run

    for term in ("两个维护", "枫桥经验", "天开高教科创园", "维护"):
        result = concordance.concordance(database, term)
        page = best(lambda: concordance.concordance(database, term, limit=200), runs)
        thousand = best(lambda: concordance.concordance(database, term, limit=1000), runs)
        whole = best(lambda: concordance.concordance(database, term), 1)
        baseline = best(naive(term), 1)
        print(f"  {term}: {result.total:,} occurrences in {len(result.per_document):,} documents, every one "
              f"counted and its labels checked; with the first 200 lines {ms(page)}, 1,000 lines {ms(thousand)}, "
              f"every line {ms(whole)}; baseline (read every text, str.find) {ms(baseline)}; "
              f"200 lines / baseline = {page / baseline:.2f}")
    database.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-mb", type=float, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--import-cost", action="store_true",
                        help="also import the corpus without the index and with synchronous indexing")
    parser.add_argument("--skip-corpus", action="store_true", help="only the 1 MB suggestions")
    parser.add_argument("--skip-document", action="store_true", help="only the corpus")
    args = parser.parse_args(argv)
    if not SEEDS.is_dir():
        print(f"seed corpus not found at {SEEDS}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_document:
            bench_suggestions(Path(folder), args.runs)
        if not args.skip_corpus:
            bench_concordance(Path(folder), args.corpus_mb, args.runs, args.import_cost)
    return 0


if __name__ == "__main__":
    sys.exit(main())
