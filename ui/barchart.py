"""A grouped bar chart drawn with QPainter (PySide6-Essentials has no QtCharts): one group of bars per category,
one bar per series, values on a fixed scale (agreement measures: at most 1, kappa may go below 0). A missing
value (undefined measure) is drawn as "n/a", never as a zero bar."""

from __future__ import annotations

import math
from typing import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 12, 28, 40


class BarChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.categories: list[str] = []
        self.series: list[tuple[str, QColor]] = []
        self.values: list[list[float | None]] = []      # [category][series]
        self.title = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(360, 220)

    def sizeHint(self) -> QSize:
        return QSize(640, 320)

    def set_data(self, title: str, categories: Sequence[str], series: Sequence[tuple[str, QColor]],
                 values: Sequence[Sequence[float | None]]) -> None:
        self.title = title
        self.categories = list(categories)
        self.series = list(series)
        self.values = [list(row) for row in values]
        self.update()

    def scale(self) -> tuple[float, float]:
        """The value range shown: 0 to 1, extended below 0 to a tenth under the lowest value if needed."""
        defined = [v for row in self.values for v in row if v is not None]
        low = min([0.0, *defined])
        return (math.floor(low * 10) / 10 if low < 0 else 0.0), 1.0

    def bars(self) -> list[tuple[str, str, float | None, QRectF | None]]:
        """Each bar as (category, series, value, rectangle in widget coordinates; None for n/a)."""
        plot = self._plot_rect()
        low, high = self.scale()
        found = []
        if not self.categories or not self.series:
            return found
        group_width = plot.width() / len(self.categories)
        bar_width = min(36.0, group_width * 0.8 / len(self.series))
        zero = self._y(0.0, plot, low, high)
        for c, category in enumerate(self.categories):
            left = plot.left() + c * group_width + (group_width - bar_width * len(self.series)) / 2
            for s, (name, _) in enumerate(self.series):
                value = self.values[c][s] if s < len(self.values[c]) else None
                rect = None
                if value is not None:
                    y = self._y(value, plot, low, high)
                    rect = QRectF(left + s * bar_width, min(y, zero), bar_width - 2, max(abs(zero - y), 1.0))
                found.append((category, name, value, rect))
        return found

    def _plot_rect(self) -> QRectF:
        return QRectF(MARGIN_LEFT, MARGIN_TOP, max(self.width() - MARGIN_LEFT - MARGIN_RIGHT, 10),
                      max(self.height() - MARGIN_TOP - MARGIN_BOTTOM, 10))

    @staticmethod
    def _y(value: float, plot: QRectF, low: float, high: float) -> float:
        return plot.bottom() - (value - low) / (high - low) * plot.height()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        text_color = self.palette().text().color()
        metrics = QFontMetricsF(self.font())
        plot = self._plot_rect()
        low, high = self.scale()
        if self.title:
            painter.setPen(text_color)
            painter.drawText(QRectF(plot.left(), 4, plot.width(), MARGIN_TOP - 6),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        # Grid and scale.
        steps = round((high - low) / 0.25)
        for i in range(steps + 1):
            value = low + i * 0.25
            y = self._y(value, plot, low, high)
            painter.setPen(QPen(QColor(0, 0, 0, 110 if abs(value) < 1e-9 else 35), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_color)
            painter.drawText(QRectF(0, y - 8, MARGIN_LEFT - 6, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{value:.2f}")
        if not self.categories or not self.series:
            painter.setPen(text_color)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Nothing to show yet.")
            painter.end()
            return
        colors = dict(self.series)
        group_width = plot.width() / len(self.categories)
        small = self.font()
        small.setPointSizeF(max(small.pointSizeF() * 0.8, 6.0))
        painter.setFont(small)
        for category, name, value, rect in self.bars():
            if rect is None:
                continue
            painter.fillRect(rect, colors[name])
            painter.setPen(text_color)
            above = QRectF(rect.center().x() - 30, rect.top() - 15, 60, 14) if value >= 0 else \
                QRectF(rect.center().x() - 30, rect.bottom() + 1, 60, 14)
            painter.drawText(above, Qt.AlignmentFlag.AlignCenter, f"{value:.2f}")
        painter.setFont(self.font())
        # Undefined values and category names.
        painter.setPen(text_color)
        zero = self._y(0.0, plot, low, high)
        for category, name, value, rect in self.bars():
            if rect is None:
                c = self.categories.index(category)
                s = [n for n, _ in self.series].index(name)
                bar_width = min(36.0, group_width * 0.8 / len(self.series))
                left = plot.left() + c * group_width + (group_width - bar_width * len(self.series)) / 2
                painter.setPen(QColor("#888"))
                painter.drawText(QRectF(left + s * bar_width - 4, zero - 16, bar_width + 8, 14),
                                 Qt.AlignmentFlag.AlignCenter, "n/a")
        painter.setPen(text_color)
        for c, category in enumerate(self.categories):
            box = QRectF(plot.left() + c * group_width, plot.bottom() + 4, group_width, MARGIN_BOTTOM - 6)
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                             metrics.elidedText(category, Qt.TextElideMode.ElideRight, group_width - 4))
        # Legend, top right.
        x = plot.right()
        for name, color in reversed(self.series):
            width = metrics.horizontalAdvance(name)
            x -= width + 22
            painter.fillRect(QRectF(x, 9, 10, 10), color)
            painter.drawText(QPointF(x + 14, 18), name)
        painter.end()
