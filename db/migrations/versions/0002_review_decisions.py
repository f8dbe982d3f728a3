"""review decisions: what a reviewer decided about each group of spans, including rejections

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:05:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_review_decisions_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['annotators.id'], name=op.f('fk_review_decisions_reviewer_id_annotators'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_decisions')),
    sa.UniqueConstraint('document_id', 'key', name='uq_review_decisions_group')
    )


def downgrade() -> None:
    op.drop_table('review_decisions')
