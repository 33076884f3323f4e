"""`parity-lsp ARGS` run in this process: `cli.main` with its own working directory, environment,
standard input, output and error; the result has what `subprocess.run(..., text=True)` of
`python -m parity_lsp ARGS` gives (`returncode`, `stdout`, `stderr`).

A new interpreter costs a second or two of imports per command; the tests of what a command
prints and returns call it here. What only a process shows stays a subprocess: the console
script's exit (`runtime.exit_now`, output flushed through a pipe, a closed or full stdout, a
reader that goes away: tests/test_cli.py), the parallel check's workers, resource limits.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from parity_lsp import cli


def _text(data: bytes, errors: str = "strict") -> str:
    """Decoded as `subprocess.run(text=True)` decodes (universal newlines)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors=errors, newline=None).read()


class _Stream(io.TextIOWrapper):
    """A text stream over bytes, like a process's stdout or stderr redirected to a pipe."""

    def __init__(self, errors: str) -> None:
        self.raw_bytes = io.BytesIO()
        super().__init__(self.raw_bytes, encoding="utf-8", errors=errors, newline="\n", write_through=True)

    def isatty(self) -> bool:
        return False

    def value(self) -> bytes:
        self.flush()
        return self.raw_bytes.getvalue()


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    if env is None:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run(
    *args: object,
    cwd: str | Path | None = None,
    input: str | bytes | None = None,
    env: Mapping[str, str] | None = None,
    text: bool = True,
    stdout_to: Path | None = None,
    stdout_closed: bool = False,
) -> subprocess.CompletedProcess:
    """`parity-lsp ARGS` (`env`: the whole environment, as `subprocess.run(env=...)`).
    `stdout_to`: standard output is that file (`> FILE`, e.g. a full device; the result's
    stdout is then empty); `stdout_closed`: started with standard output closed (`>&-`)."""
    argv = [str(a) for a in args]
    stdin_bytes = input.encode("utf-8") if isinstance(input, str) else (input or b"")
    stdin = io.TextIOWrapper(io.BytesIO(stdin_bytes), encoding="utf-8")
    stdout, stderr = _Stream("strict"), _Stream("backslashreplace")
    with contextlib.ExitStack() as stack:
        redirected = None  # `>&-`: Python starts with sys.stdout None
        if stdout_to is not None:
            redirected = stack.enter_context(open(stdout_to, "w", encoding="utf-8"))
        stack.enter_context(_environment(env))
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
        if stdout_to is not None or stdout_closed:
            sys.stdout = redirected
        try:
            code = cli.main(argv)
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
            if redirected is not None:
                with contextlib.suppress(OSError):  # a full device: what was buffered is lost, as at exit
                    redirected.close()
    out, err = stdout.value(), stderr.value()
    if text:
        return subprocess.CompletedProcess(argv, code, _text(out), _text(err, "backslashreplace"))
    return subprocess.CompletedProcess(argv, code, out, err)
