"""run.sh's pre-flight checks: a missing Qt library or display is one line with the fix, not a Qt abort."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check(tmp_path: Path, env: dict[str, str], libraries: str, *, more_lines: int = 0) -> subprocess.CompletedProcess:
    """check_qt_platform as run.sh runs it (set -euo pipefail), with an ldconfig that knows `libraries` and then
    `more_lines` others."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    ldconfig = fake / "ldconfig"
    ldconfig.write_text(f"#!/bin/sh\nprintf '%s\\n' '{libraries}'\n"
                        f"i=0; while [ $i -lt {more_lines} ]; do echo \"libother$i.so => /usr/lib/libother$i.so\"; "
                        "i=$((i+1)); done\n")
    ldconfig.chmod(0o755)
    base = {"PATH": f"{fake}:/usr/bin:/bin", "HOME": str(tmp_path)}
    script = "set -euo pipefail; source tools/venv.sh && check_qt_platform && echo ready"
    return subprocess.run(["bash", "-c", script], cwd=ROOT, env={**base, **env}, capture_output=True, text=True,
                          timeout=60)


def test_missing_xcb_libraries_give_the_one_line_fix(tmp_path):
    result = check(tmp_path, {"DISPLAY": ":0"}, "libxcb-icccm.so.4 (libc6,x86-64) => /usr/lib/libxcb-icccm.so.4")
    assert result.returncode == 1
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in result.stderr
    assert "libxcb-cursor.so.0" in result.stderr and "libxcb-icccm.so.4 " not in result.stderr


def test_all_libraries_present_lets_the_app_start(tmp_path):
    present = "\\n".join(f"{lib} => /usr/lib/{lib}" for lib in
                         ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"))
    result = check(tmp_path, {"DISPLAY": ":0"}, present)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ready"


def test_libraries_listed_early_in_a_long_list_are_found(tmp_path):
    """A real ldconfig lists thousands of libraries; reading stopped at the first match made ldconfig fail with
    SIGPIPE, which run.sh's pipefail turned into "Qt needs libxcb-keysyms.so.1" on a machine that had it."""
    present = "\\n".join(f"{lib} => /usr/lib/{lib}" for lib in
                         ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"))
    result = check(tmp_path, {"DISPLAY": ":0"}, present, more_lines=20_000)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ready"


def test_no_display_says_how_to_run_headless(tmp_path):
    result = check(tmp_path, {}, "")
    assert result.returncode == 1
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr


def test_offscreen_needs_no_checks(tmp_path):
    result = check(tmp_path, {"QT_QPA_PLATFORM": "offscreen"}, "")
    assert result.returncode == 0 and result.stdout.strip() == "ready"


def test_ci_runs_exactly_the_readme_test_command():
    assert "./test.sh" in (ROOT / ".ci" / "run").read_text()
    first_lines = (ROOT / "README.md").read_text().splitlines()[:8]
    assert any(line.startswith("./run.sh") for line in first_lines)
    assert any(line.startswith("./test.sh") for line in first_lines)
    assert os.access(ROOT / "run.sh", os.X_OK) and os.access(ROOT / "test.sh", os.X_OK)


def test_a_command_after_options_runs_without_a_display_check(tmp_path):
    """`./run.sh --db team.db stats` is a command, not the window: no display needed."""
    def opens(*args: str) -> bool:
        return subprocess.run(["bash", "-c", 'source tools/venv.sh && opens_window "$@"', "-", *args], cwd=ROOT,
                              timeout=30).returncode == 0

    assert opens() and opens("--db", "team.db") and opens("--screenshot", "s.png", "--open", "a b.txt")
    assert opens("--db=team.db", "--annotator", "amy")
    assert not opens("stats") and not opens("--db", "team.db", "stats")
    assert not opens("--db", "team.db", "import", "--annotator", "amy", "x.jsonl")


def test_run_sh_takes_paths_relative_to_where_it_is_run(tmp_path):
    """A database named on the command line lands in the user's folder, not in the program's."""
    result = subprocess.run([str(ROOT / "run.sh"), "--db", "mine.db", "labels"], cwd=tmp_path, timeout=300,
                            capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "Installing" not in result.stderr  # what ./test.sh installed covers ./run.sh: no pip while tests run
    assert "SLOGAN" in result.stdout
    assert (tmp_path / "mine.db").exists() and not (ROOT / "mine.db").exists()
