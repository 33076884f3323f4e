"""Growth tests: is an operation linear in the size of its input?

A wall-clock bound fails on a loaded machine and passes a quadratic algorithm on a small input.
Instead time the operation at N and at 4N, in CPU time of this process (`time.process_time`:
far less sensitive than wall time to other processes competing for the CPUs), the best of a
few runs, with the cyclic GC off (a collection in one run and not the other is noise). Linear
work grows ~4x, quadratic 16x, cubic 64x: the ratio must stay well under 16.

Pick N so that one run at N takes 20-200 ms: shorter runs are dominated by timer noise.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

LINEAR_RATIO = 10.0  # linear ~4; quadratic 16


def cpu_seconds(run: Callable[[], object], repeat: int = 3) -> float:
    """The smallest CPU time of `repeat` calls of `run`."""
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
    finally:
        if enabled:
            gc.enable()
    return best


def growth(
    make: Callable[[int], Callable[[], object]],
    n: int,
    repeat: int = 3,
    limit: float = LINEAR_RATIO,
) -> tuple[float, float, float]:
    """(ratio, seconds at n, seconds at 4n). `make(size)` builds the input of that size (not
    timed) and returns the operation to time.

    The best of `repeat` runs at n; at 4n one run, and the other `repeat - 1` only when that run
    alone gives a ratio of `limit` or more: more runs can only lower the best time at 4n, so a
    first run under the limit already gives the verdict that the best of `repeat` would (the
    run at 4n is most of the cost)."""
    small = make(n)
    large = make(4 * n)
    t1 = cpu_seconds(small, repeat)
    t4 = cpu_seconds(large, 1)
    if t4 / max(t1, 1e-4) >= limit and repeat > 1:
        t4 = min(t4, cpu_seconds(large, repeat - 1))
    return t4 / max(t1, 1e-4), t1, t4


def assert_linear(
    make: Callable[[int], Callable[[], object]], n: int, what: str, limit: float = LINEAR_RATIO
) -> None:
    """Fail when the operation's time at 4n is `limit` times its time at n or more."""
    ratio, t1, t4 = growth(make, n, limit=limit)
    if ratio >= limit:
        # A run can lose the CPU for a moment (a page fault storm, a frequency change): one
        # more measurement before calling it superlinear.
        ratio, t1, t4 = growth(make, n, limit=limit)
    assert ratio < limit, (
        f"{what}: {t1 * 1000:.1f} ms at n={n}, {t4 * 1000:.1f} ms at 4n: x{ratio:.1f} (linear is ~4, quadratic 16)"
    )
