"""Process-level tuning: the cyclic garbage collector and the exit of one-shot commands.

Everything parity-lsp does to the interpreter itself is here, with its one explanation; the
rest of the package calls these functions and knows nothing of `gc` or `os._exit`.

Why the cyclic GC is managed at all. The engine builds large object graphs that live long
(the server's matrix models, definitions and project caches) or die all at once (a `check`'s
model at exit), and it makes no reference cycles (`tests/test_no_cyclic_garbage.py`): reference
counting frees everything it drops. The cyclic collector can only walk those graphs again and
again — a generation-2 collection walks every object the process holds — which showed as
pauses in edit latency and as a share of a large check's time. So:

- one-shot commands (`check`, `fix`, `report`) run with it off (`one_shot`);
- the server collects rarely (`server_start`: higher thresholds), moves long-lived objects out
  of its sight once they are built (`long_lived`: `gc.freeze`), and keeps it off during a
  synchronous full check (`quiet`), whose model is then frozen;
- the console script ends with `os._exit` after flushing (`exit_now`): freeing a large model
  object by object, and the first collection that switching the GC back on would start, only
  delay an exit that returns the memory anyway (mypy exits the same way). What the command
  leaves for the exit is kept alive until then (`keep_until_exit`), so nothing frees it early.

The measurements behind these choices are in README.md (Performance) and `make bench`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator

# What a one-shot command leaves for the process's exit to reclaim (None: not exiting through
# `exit_now`, e.g. `cli.main` called in-process by tests: nothing is kept).
_KEPT_FOR_EXIT: list[object] | None = None

# Young-generation threshold of the server: a request allocates thousands of short-lived
# objects (reference counting frees them); the collector need not look at them that often.
SERVER_GC_THRESHOLDS = (20_000, 20, 20)


def one_shot() -> Callable[[], None]:
    """A one-shot command starts: the cyclic GC goes off. Returns the function that restores
    it (for callers in the same process, the tests); the console script does not call it."""
    was_enabled = gc.isenabled()
    gc.disable()

    def restore() -> None:
        if was_enabled:
            gc.enable()

    return restore


def keep_until_exit(*objects: object) -> None:
    """Keep `objects` alive until `exit_now` ends the process (no-op otherwise)."""
    if _KEPT_FOR_EXIT is not None:
        _KEPT_FOR_EXIT.extend(objects)


def exiting() -> None:
    """The process will end with `exit_now`: from now on `keep_until_exit` keeps objects."""
    global _KEPT_FOR_EXIT
    if _KEPT_FOR_EXIT is None:
        _KEPT_FOR_EXIT = []


def exit_now(code: int) -> None:
    """Flush standard output and error, then end the process without tearing down its objects.
    A closed or broken stream is not an error here: the command said what it had to."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    os._exit(code)


def server_start() -> None:
    """The language server starts: what exists now (modules, classes) never needs the cyclic
    GC again, and young collections can be rarer."""
    gc.freeze()
    gc.set_threshold(*SERVER_GC_THRESHOLDS)


def long_lived() -> None:
    """Objects built so far will live long (a full check's model, the index): out of the
    cyclic GC's sight."""
    gc.freeze()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No cyclic collection during a synchronous check (it would walk the model being built,
    which holds no cycles); the caller freezes what it keeps (`long_lived`)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
