#!/usr/bin/env bash
# Create .venv if needed, install Zhubi, and open the window (on the sample corpus the first time).
# Arguments go to main.py, e.g. ./run.sh --db team.db  or  ./run.sh stats
set -euo pipefail
cd "$(dirname "$0")"
source tools/venv.sh
ensure_venv requirements.txt
if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
  check_qt_platform
fi
exec .venv/bin/python main.py "$@"
