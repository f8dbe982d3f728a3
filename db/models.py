"""SQLAlchemy models: the one description of Zhubi's schema.

Offsets (`Span.start`, `Span.end`) are Unicode code points into `Document.text`, which is stored
already normalized, so the text on disk is exactly what every offset refers to.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Script(str, enum.Enum):
    SIMPLIFIED = "simplified"
    TRADITIONAL = "traditional"


class Status(str, enum.Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ReviewStatus(str, enum.Enum):
    UNREVIEWED = "unreviewed"
    IN_REVIEW = "in_review"
    ADJUDICATED = "adjudicated"


class Origin(str, enum.Enum):
    MANUAL = "manual"
    IMPORTED = "imported"
    SUGGESTED = "suggested"
    ADJUDICATED = "adjudicated"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as the lowercase value so the database reads naturally ('done', not 'DONE').
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e], native_enum=False,
                validate_strings=True, length=16)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(512), index=True)
    source_path: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)  # code points, kept so lists never load the text
    script: Mapped[Script] = mapped_column(_enum(Script, "script"), default=Script.SIMPLIFIED)
    status: Mapped[Status] = mapped_column(_enum(Status, "status"), default=Status.NEW, index=True)
    review_status: Mapped[ReviewStatus] = mapped_column(
        _enum(ReviewStatus, "review_status"), default=ReviewStatus.UNREVIEWED, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # key name used in exports: SLOGAN
    display: Mapped[str] = mapped_column(String(128), default="")  # shown to annotators: 口号/提法
    color: Mapped[str] = mapped_column(String(9), default="#f4a261")
    shortcut: Mapped[str | None] = mapped_column(String(1), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Annotator(Base):
    __tablename__ = "annotators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Span(Base):
    __tablename__ = "spans"
    __table_args__ = (
        CheckConstraint("start >= 0", name="start_nonnegative"),
        CheckConstraint("start < \"end\"", name="start_before_end"),
        # Also the index for "spans of a document (and annotator)": its leading columns (migration 0005).
        UniqueConstraint("document_id", "annotator_id", "label_id", "start", "end", name="uq_spans_exact"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id", ondelete="RESTRICT"), index=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="RESTRICT"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    origin: Mapped[Origin] = mapped_column(_enum(Origin, "origin"), default=Origin.MANUAL)
    note: Mapped[str] = mapped_column(Text, default="")
    # JSON text; for adjudicated (gold) spans: who decided, when, and from which annotators' spans.
    provenance: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Comment(Base):
    """A reviewer's remark on a document or on one span; exported with the labels."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    span_id: Mapped[int | None] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"), index=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewDecision(Base):
    """A reviewer's decision on one group of spans (annotate.review): accepted sides become `gold` spans; a
    rejection leaves only this record, so the group still shows as decided."""

    __tablename__ = "review_decisions"
    __table_args__ = (UniqueConstraint("document_id", "key", name="uq_review_decisions_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))  # hash of the annotators compared and the group's spans
    kind: Mapped[str] = mapped_column(String(16))  # agreed | label | boundary | mixed | missing
    action: Mapped[str] = mapped_column(String(16))  # accept | accept_all | reject | edit
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="RESTRICT"))
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: who was compared, member spans, gold spans
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Segmentation(Base):
    """Cached token boundaries of one document for one segmenter + dictionary version."""

    __tablename__ = "segmentations"
    __table_args__ = (UniqueConstraint("document_id", "segmenter", name="uq_segmentations_document"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    segmenter: Mapped[str] = mapped_column(String(64))  # e.g. "jieba"
    dictionary_version: Mapped[str] = mapped_column(String(64))  # hash of the dictionaries used
    boundaries: Mapped[bytes] = mapped_column(LargeBinary)  # packed token end offsets (see corpus.segment)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LexiconEntry(Base):
    """A term of the project lexicon; `rejected` terms are remembered so they are not offered again."""

    __tablename__ = "lexicon"
    __table_args__ = (UniqueConstraint("term", "label_id", name="uq_lexicon_term_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(256), index=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id", ondelete="CASCADE"))
    variants: Mapped[str] = mapped_column(Text, default="")  # "|"-separated variants and abbreviations
    note: Mapped[str] = mapped_column(Text, default="")
    rejected: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Rule(Base):
    """A suggestion rule: built-in ones are switched on and off here; user ones carry a regex."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    pattern: Mapped[str | None] = mapped_column(Text)  # None for built-in rules
    label_id: Mapped[int | None] = mapped_column(ForeignKey("labels.id", ondelete="CASCADE"))
    enabled: Mapped[bool] = mapped_column(default=True)


class RejectedSuggestion(Base):
    """A suggestion the user turned down stays turned down."""

    __tablename__ = "rejected_suggestions"
    __table_args__ = (UniqueConstraint("document_id", "label_id", "start", "end", name="uq_rejected_exact"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Setting(Base):
    """Per-database project settings (lexicon auto-accept, dictionary version, ...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
