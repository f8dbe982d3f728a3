"""Fonts, colours and small icons shared by the widgets."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap

from db.labels import LabelInfo
from db.models import ReviewStatus, Script, Status

# Noto Sans CJK first (Debian: fonts-noto-cjk); Qt falls back through the list, then to fontconfig.
CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK TC", "Source Han Sans SC", "Source Han Sans CN",
                "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans SC", "Noto Sans", "sans-serif"]

STATUS_TEXT = {Status.NEW: "new", Status.IN_PROGRESS: "in progress", Status.DONE: "done"}
STATUS_COLOR = {Status.NEW: "#9aa0a6", Status.IN_PROGRESS: "#e9a23b", Status.DONE: "#2e9d5b"}
SCRIPT_TEXT = {Script.SIMPLIFIED: "简", Script.TRADITIONAL: "繁"}
REVIEW_TEXT = {ReviewStatus.UNREVIEWED: "unreviewed", ReviewStatus.IN_REVIEW: "in review",
               ReviewStatus.ADJUDICATED: "adjudicated"}
REVIEW_COLOR = {ReviewStatus.UNREVIEWED: "#b0b4b8", ReviewStatus.IN_REVIEW: "#7b61c9",
                ReviewStatus.ADJUDICATED: "#c8321e"}

FIND_COLOR = QColor(255, 221, 87, 150)
FIND_CURRENT_COLOR = QColor(255, 150, 30, 190)
TOKEN_COLORS = (QColor(120, 120, 120, 170), QColor(120, 120, 120, 70))  # alternating underline


def label_title(label: LabelInfo | None, label_id: int | None = None) -> str:
    """How a label is named to the user: 口号/提法 (SLOGAN), or its name alone without a display name."""
    if label is None:
        return f"label {label_id}"
    return f"{label.display} ({label.name})" if label.display else label.name


def text_font(point_size: float = 13.0) -> QFont:
    font = QFont()
    font.setFamilies(CJK_FAMILIES)
    font.setPointSizeF(point_size)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def ui_font() -> QFont:
    font = QFont()
    font.setFamilies(["Noto Sans", "Noto Sans CJK SC", *CJK_FAMILIES])
    return font


@lru_cache(maxsize=None)
def status_icon(status: Status) -> QIcon:
    """A dot: hollow for new, half for in progress, full with a tick for done."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(STATUS_COLOR[status])
    painter.setPen(QPen(color, 1.5))
    circle = QRectF(1.5, 1.5, 11, 11)
    if status is Status.NEW:
        painter.drawEllipse(circle)
    elif status is Status.IN_PROGRESS:
        painter.drawEllipse(circle)
        painter.setBrush(color)
        painter.drawPie(circle, 90 * 16, 180 * 16)
    else:
        painter.setBrush(color)
        painter.drawEllipse(circle)
        painter.setPen(QPen(QColor("white"), 1.6))
        center = circle.center()
        painter.drawPolyline([center + QPointF(-3, 0), center + QPointF(-1, 2.5), center + QPointF(3, -2.5)])
    painter.end()
    return QIcon(pixmap)


@lru_cache(maxsize=None)
def review_icon(status: ReviewStatus) -> QIcon:
    """A diamond (review, unlike the round progress dot): hollow unreviewed, half in review, and for
    adjudicated a vermilion seal with a tick, the colour of the gold set."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(REVIEW_COLOR[status])
    painter.setPen(QPen(color, 1.4))
    diamond = [QPointF(7, 1), QPointF(13, 7), QPointF(7, 13), QPointF(1, 7)]
    if status is ReviewStatus.IN_REVIEW:
        painter.setBrush(color)
        painter.drawPolygon([diamond[0], diamond[2], diamond[3]])
        painter.setBrush(Qt.BrushStyle.NoBrush)
    elif status is ReviewStatus.ADJUDICATED:
        painter.setBrush(color)
    painter.drawPolygon(diamond)
    if status is ReviewStatus.ADJUDICATED:
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.drawPolyline([QPointF(4.2, 7), QPointF(6.2, 9.2), QPointF(9.8, 5)])
    painter.end()
    return QIcon(pixmap)


@lru_cache(maxsize=256)
def swatch_icon(color: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(color).darker(130), 1))
    painter.setBrush(QColor(color))
    painter.drawRoundedRect(QRectF(1, 1, size - 2, size - 2), 3, 3)
    painter.end()
    return QIcon(pixmap)


def app_icon() -> QIcon:
    """A vermilion seal with 朱 on it: the app's mark in the task bar."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#c8321e"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(2, 2, 60, 60), 10, 10)
    font = text_font()
    font.setPixelSize(44)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, 64, 62), Qt.AlignmentFlag.AlignCenter, "朱")
    painter.end()
    return QIcon(pixmap)
