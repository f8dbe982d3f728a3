"""Annotations out and in: doccano and Prodigy/spaCy JSONL export; doccano, Prodigy and Label Studio import.

Offsets are code points into the stored text everywhere; files that count UTF-16 units are converted on import
with `offset_unit='utf16'`. See README, "Export and import", for the exact layouts.
"""

from annotate.formats.exporter import (EXPORT_FORMATS, GOLD, ExportError, ExportReport, Misaligned,
                                       export_jsonl)
from annotate.formats.importer import ImportReport, import_jsonl
from annotate.formats.records import FORMATS, OFFSET_UNITS, FormatError, Problem, detect_format

__all__ = ["EXPORT_FORMATS", "FORMATS", "GOLD", "OFFSET_UNITS", "ExportError", "ExportReport", "FormatError",
           "ImportReport", "Misaligned", "Problem", "detect_format", "export_jsonl", "import_jsonl"]
