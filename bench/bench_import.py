#!/usr/bin/env python3
"""Import + normalize + segment a generated corpus end to end, into a fresh SQLite database.

The corpus is made from the seed documents (../shared/corpus/seeds): their paragraphs repeated and shuffled
into many documents of 2–40 paragraphs, each made unique by a serial line; the traditional seed's paragraphs
make traditional documents. Some files are written in GBK, Big5 or with CRLF line ends, as real folders are.
Target: at least 2 M characters/s using both cores. The baseline, run in the same process, is jieba (the
reference segmenter) tokenizing a sample of the same text in one process.

    .venv/bin/python bench/bench_import.py [--size MB] [--workers N] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.importer import import_paths  # noqa: E402
from corpus.script import s2t  # noqa: E402
from corpus.segment import JiebaBackend  # noqa: E402
from db.engine import open_database  # noqa: E402

SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
TRADITIONAL_SEED = "004"
BASELINE_CHARS = 1_500_000


def paragraphs(folder: Path) -> tuple[list[str], list[str]]:
    simplified, traditional = [], []
    for path in sorted(folder.glob("*.txt")):
        found = [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if len(p.strip()) >= 8]
        (traditional if path.name.startswith(TRADITIONAL_SEED) else simplified).extend(found)
    return simplified, traditional


def generate(folder: Path, size_mb: float, seed: int = 1) -> tuple[int, int]:
    """Write about `size_mb` MB of documents under `folder` (in 20 sub-folders); returns (files, bytes)."""
    rng = random.Random(seed)
    simplified, traditional = paragraphs(SEEDS)
    target, written, count = size_mb * 1_000_000, 0, 0
    while written < target:
        is_traditional = rng.random() < 0.15
        pool = traditional if is_traditional else simplified
        body = rng.choices(pool, k=rng.randint(2, 40))
        serial = f"（第{count}号）" if not is_traditional else f"（第{count}號）"
        text = serial + "\n\n" + "\n\n".join(body) + "\n"
        roll = rng.random()
        if roll < 0.10 and not is_traditional:
            data = _encoded(text, "gbk")
        elif roll < 0.15:
            data = _encoded(s2t(text) if not is_traditional else text, "cp950")
        elif roll < 0.30:
            data = text.replace("\n", "\r\n").encode("utf-8")
        else:
            data = text.encode("utf-8")
        path = folder / f"part{count % 20:02d}" / f"doc{count:06d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        written += len(data)
        count += 1
    return count, written


def _encoded(text: str, codec: str) -> bytes:
    """The text in a legacy encoding, without the few characters it lacks (U+00A0 in Big5, for one)."""
    return text.encode(codec, errors="ignore")


def baseline(folder: Path) -> tuple[float, int]:
    """jieba (HMM off, as Zhubi uses it) in this process on the first BASELINE_CHARS of the corpus: chars/s."""
    sample, total = [], 0
    for path in sorted(folder.rglob("*.txt")):
        if total >= BASELINE_CHARS:
            break
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        sample.append(text)
        total += len(text)
    jieba = JiebaBackend()
    started = time.perf_counter()
    for text in sample:
        jieba.cut(text)
    return total / (time.perf_counter() - started), total


def _cpu_seconds() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=float, default=50, help="corpus size in MB (default 50)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus and database")
    args = parser.parse_args()
    if not SEEDS.is_dir():
        print(f"seed corpus not found at {SEEDS}", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="zhubi-bench-import-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        started = time.perf_counter()
        files, size = generate(corpus, args.size)
        print(f"corpus: {files:,} files, {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s "
              f"(generated; not timed below)")

        database = open_database(str(work / "bench.db"))
        calls = []
        last_shown = [0.0]

        def progress(done: int, total: int) -> None:
            calls.append(done)
            now = time.perf_counter()
            if now - last_shown[0] >= 2 or done == total:
                last_shown[0] = now
                print(f"  {done:,}/{total:,} files", file=sys.stderr)

        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        report = import_paths(database, [corpus], progress=progress, workers=args.workers)
        elapsed = time.perf_counter() - started
        own_cpu, workers_cpu = (after - before for after, before in zip(_cpu_seconds(), cpu_before))
        chars = report.characters
        where = (f"by {report.workers} worker processes ({os.cpu_count()} cores)" if report.workers > 1
                 else "in the importing process alone")
        rate = chars / elapsed
        with database.engine.connect() as connection:
            from sqlalchemy import text

            cache_bytes = connection.execute(text("SELECT sum(length(boundaries)) FROM segmentations")).scalar()
            cached = connection.execute(text("SELECT count(*) FROM segmentations")).scalar()
        database.close()
        db_bytes = sum(p.stat().st_size for p in work.glob("bench.db*"))
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"import: {len(report.imported):,} imported, {len(report.duplicates)} duplicate, "
              f"{len(report.refused)} refused; {chars:,} characters in {elapsed:.2f} s "
              f"{where}, {len(calls):,} progress calls")
        print(f"  end to end: {rate / 1e6:.2f} M chars/s ({size / 1e6 / elapsed:.1f} MB/s of files)")
        print(f"  database: {db_bytes / 1e6:.1f} MB; segmentation cache {cache_bytes / 1e6:.2f} MB for "
              f"{cached:,} documents ({cache_bytes / chars:.3f} bytes per character)")
        print(f"  CPU: {own_cpu:.1f} s in the importing process, {workers_cpu:.1f} s in the workers "
              f"({(own_cpu + workers_cpu) / chars * 1e9:.0f} ns per character; on {report.workers} otherwise idle "
              f"cores that is {chars / ((own_cpu + workers_cpu) / report.workers) / 1e6:.2f} M chars/s); "
              f"peak memory {own:.0f} MB (importing process), {children:.0f} MB (largest worker)")
        base_rate, base_chars = baseline(corpus)
        print(f"baseline: jieba alone in this process, {base_chars:,} characters: {base_rate / 1e6:.2f} M chars/s")
        print(f"ratio: {rate / base_rate:.1f}x the baseline; target 2 M chars/s: "
              f"{'met' if rate >= 2e6 else 'NOT met'} (load average {os.getloadavg()[0]:.1f}: other programs "
              f"slow both figures, the ratio less)")
        return 0
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
