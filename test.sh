#!/usr/bin/env bash
# Create or refresh .venv, install Zhubi with its test dependencies, and run the whole suite headless.
# Extra arguments go to pytest, e.g. ./test.sh -k export -x
set -euo pipefail
cd "$(dirname "$0")"
source tools/venv.sh
ensure_venv requirements-test.txt
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
