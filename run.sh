#!/usr/bin/env bash
# Create .venv if needed, install Zhubi, and open the window (on the sample corpus the first time).
# Arguments go to main.py, e.g. ./run.sh --db team.db  or  ./run.sh stats; paths in them are relative to the
# folder you run it from, as with any command.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
(cd "$here" && source tools/venv.sh && ensure_venv requirements.txt)
source "$here/tools/venv.sh"
if opens_window "$@"; then
  check_qt_platform
fi
exec "$here/.venv/bin/python" "$here/main.py" "$@"
