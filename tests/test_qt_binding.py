"""Regression: PySide6 6.12.0 on Python 3.11 aborted after a few thousand void-returning calls."""

import subprocess
import sys

SCRIPT = """
from PySide6.QtCore import QObject, QCoreApplication
app = QCoreApplication([])
obj = QObject()
for i in range(20_000):
    obj.setObjectName("x")   # returns None
    obj.setParent(None)      # returns None
print("survived")
"""


def test_twenty_thousand_void_calls_do_not_abort_the_process():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "survived"
