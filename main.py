#!/usr/bin/env python3
"""Zhubi (朱笔): with no command, open the annotation window; with a command, run it headless.

    python main.py [--db PATH|URL]                 open the window
    python main.py [--db PATH|URL] COMMAND ...     import, export, docs, labels, stats, ... (see --help)
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from annotate.cli import build_parser, run_command, window_arguments

    args = window_arguments(argv)  # no command: the window, without loading every command's module
    if args is None:
        args = build_parser().parse_args(argv)
    if args.command is None:
        from ui.app import run_app

        return run_app(args)
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
