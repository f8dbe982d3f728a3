"""Annotations out and in. Export: doccano, Prodigy/spaCy and CLUENER JSONL, Label Studio JSON tasks,
character-level CoNLL (BIO/BIOES/BMES). Import: doccano, Prodigy and CLUENER JSONL, Label Studio JSON.

Offsets are code points into the stored text everywhere; files that count UTF-16 units are converted with
`offset_unit='utf16'` (both ways). See README, "Exporting and importing labels", for the exact layouts.
"""

from annotate.formats.conll import SCHEMES
from annotate.formats.exporter import (EXPORT_FORMATS, SUFFIXES, UTF16_FORMATS, ExportError, annotator_path,
                                       export_jsonl, file_per_annotator)
from annotate.formats.importer import ImportReport, import_jsonl
from annotate.formats.layouts import GOLD
from annotate.formats.records import FORMATS, OFFSET_UNITS, FormatError, Problem, detect_format
from annotate.formats.report import Dropped, ExportReport, Misaligned

__all__ = ["EXPORT_FORMATS", "FORMATS", "GOLD", "OFFSET_UNITS", "SCHEMES", "SUFFIXES", "UTF16_FORMATS", "Dropped",
           "ExportError", "ExportReport", "FormatError", "ImportReport", "Misaligned", "Problem", "annotator_path",
           "detect_format", "export_jsonl", "file_per_annotator", "import_jsonl"]
