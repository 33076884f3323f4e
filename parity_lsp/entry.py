"""The `parity-lsp` command (and `python -m parity_lsp`): `serve` starts the language server
without importing the CLI, whose engine the server imports only once `initialize` is answered
(an editor starts the server each time a project is opened: its first answer waits for nothing
it does not need); every other command, and `serve` with options other than `--stdio`, is
`cli.run`.
"""

from __future__ import annotations

import sys


def run() -> None:
    args = sys.argv[1:]
    if args[:1] == ["serve"] and all(a == "--stdio" for a in args[1:]):
        _serve_stdio()
    from parity_lsp.cli import run as cli_run

    cli_run()


def _serve_stdio() -> None:
    import argparse
    import os

    from parity_lsp import __version__, runtime

    try:
        from parity_lsp.lsp.server import serve

        code = serve(argparse.Namespace(command="serve", stdio=True, tcp=None))
    except Exception as exc:  # noqa: BLE001 - as the CLI: one line and its own status, not a traceback
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        at = (
            f" at {os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}" if tb is not None else ""
        )
        with_stderr = sys.stderr
        if with_stderr is not None:
            with_stderr.write(
                f"parity-lsp: internal error: {exc!r}{at} "
                f"(parity-lsp {__version__}, `serve`: please report this)\n"
            )
        code = 3
    runtime.exiting()
    runtime.exit_now(code)
