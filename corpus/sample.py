"""The sample corpus that ships with Zhubi: six short documents of the genre, written for the project.

They cover what real corpora bring: a traditional-character press release (04), Windows line ends (03),
an emoji and a CJK Extension B character, 𠀀 (06), and plenty of slogans, tasks and bodies to label.
"""

from __future__ import annotations

from pathlib import Path

from corpus.importer import import_paths
from db import documents
from db.engine import Database

SAMPLE_DIR = Path(__file__).with_name("sample")


def ensure_sample_corpus(database: Database) -> int:
    """Import the sample corpus into a database that has no documents; returns how many were imported."""
    with database.session() as session:
        if documents.count(session):
            return 0
    return len(import_paths(database, [SAMPLE_DIR], workers=1).imported)
