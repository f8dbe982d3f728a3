# Shared by run.sh and test.sh: a project-local virtual environment that installs only when requirements change.

ensure_venv() {
  local req="$1" stamp=.venv/.installed-$1 want
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $(command -v python3) ($(python3 --version 2>&1))" >&2
    python3 -m venv .venv
  fi
  want=$(cat requirements*.txt | cksum)
  # requirements-test.txt includes requirements.txt: after ./test.sh, ./run.sh has nothing to install.
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] && [ "$(cat .venv/.installed-requirements-test.txt 2>/dev/null)" != "$want" ]; then
    echo "Installing dependencies from $req into .venv ..." >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >&2 || true
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req" >&2
    echo "$want" > "$stamp"
  fi
}

# Whether main.py's arguments open the window (no COMMAND among them, only options and their values).
opens_window() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --db|--screenshot|--open|--review|--concordance|--annotator) shift; [ $# -gt 0 ] && shift ;;
      -*) shift ;;
      *) return 1 ;;
    esac
  done
  return 0
}

# Qt's xcb plugin aborts on a fresh Debian/Ubuntu without these libraries; say so in one line instead.
check_qt_platform() {
  case "${QT_QPA_PLATFORM:-xcb}" in
    xcb*) ;;
    *) return 0 ;;
  esac
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "No display found (DISPLAY is unset). Run this on a desktop, or headless with: QT_QPA_PLATFORM=offscreen ./run.sh --screenshot shot.png" >&2
    exit 1
  fi
  local ldconfig
  ldconfig=$(PATH="$PATH:/sbin:/usr/sbin" command -v ldconfig || true)
  if [ -n "$ldconfig" ]; then
    # Read once and matched in bash: `ldconfig -p | grep -q` under run.sh's pipefail failed whenever grep
    # stopped reading early (ldconfig got SIGPIPE) and reported present libraries as missing.
    local missing=() lib known
    known=$("$ldconfig" -p 2>/dev/null || true)
    for lib in libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1; do
      [[ "$known" == *"$lib"* ]] || missing+=("$lib")
    done
    if [ ${#missing[@]} -gt 0 ]; then
      echo "Qt needs ${missing[*]}; install them with: sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" >&2
      exit 1
    fi
  fi
  if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
    echo "Note: no Chinese font is installed, so the text will show as boxes; install one with: sudo apt-get install fonts-noto-cjk" >&2
  fi
}
