"""Writing results to stdout as UTF-8 with \\n line ends, whatever the terminal's locale says."""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from typing import Iterator, TextIO


@contextmanager
def utf8_stdout() -> Iterator[TextIO]:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # replaced by a test harness
        yield sys.stdout
        return
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
    try:
        yield stream
        stream.flush()
    finally:
        try:
            stream.detach()  # leave sys.stdout's buffer open
        except (BrokenPipeError, ValueError):
            pass
