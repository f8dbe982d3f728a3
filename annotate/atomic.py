"""Writing a file that replaces the old one only once it is complete: a failed or cancelled export leaves the
previous file as it was and no half-written one beside it."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator


class OutputError(ValueError):
    """The file cannot be written there (a folder, or no permission beside it); the message names it."""


@contextmanager
def atomic_output(target: Path, refusal: type[Exception] = OutputError
                  ) -> Iterator[tuple[BinaryIO, Callable[[bool], None]]]:
    """A binary stream to a temporary file beside `target` and `keep(bool)`: the file is synced and renamed
    over `target` when the block ends without an exception and keep(True) was called; otherwise it is
    removed. A target that cannot be written raises `refusal` with the reason."""
    if target.is_dir():
        raise refusal(f"{target} is a directory")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        # O_EXCL: never follow or reuse somebody else's file; mode 0o666 lets the umask decide, like open().
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise refusal(f"cannot write beside {target}: {error.strerror}") from None
    decision = {"keep": False}
    try:
        with open(descriptor, "wb", buffering=1 << 20) as stream:
            yield stream, lambda keep: decision.update(keep=keep)
            if decision["keep"]:
                stream.flush()
                os.fsync(stream.fileno())
        if decision["keep"]:
            os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
