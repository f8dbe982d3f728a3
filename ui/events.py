"""Domain events as Qt signals, so widgets listen to the domain instead of being told by commands.

The EventBus calls listeners in the thread that made the change; a signal emitted from a worker thread
reaches slots of objects living in the GUI thread through Qt's queued connection, i.e. on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from annotate.events import DocumentsChanged, Event, EventBus, LabelsChanged, SpansChanged


class EventBridge(QObject):
    spansChanged = Signal(object)  # SpansChanged
    documentsChanged = Signal(object)  # DocumentsChanged
    labelsChanged = Signal(object)  # LabelsChanged
    event = Signal(object)  # every event, including kinds added later (lexicon, suggestions, ...)

    def __init__(self, events: EventBus, parent: QObject | None = None):
        super().__init__(parent)
        self._unsubscribe = events.subscribe(self._relay)

    def _relay(self, event: Event) -> None:
        self.event.emit(event)
        if isinstance(event, SpansChanged):
            self.spansChanged.emit(event)
        elif isinstance(event, DocumentsChanged):
            self.documentsChanged.emit(event)
        elif isinstance(event, LabelsChanged):
            self.labelsChanged.emit(event)

    def detach(self) -> None:
        self._unsubscribe()
