"""The closest string, as difflib finds it, without computing every full ratio.

Invariant: `closest(word, choices, cutoff)` is exactly `difflib.get_close_matches(word, choices,
n=1, cutoff=cutoff)` (first item or None) — tested against it with Hypothesis.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most like `word` with a ratio of at least `cutoff` (ties: the greatest
    string), or None.

    `quick_ratio` is an upper bound of `ratio` (same denominator, more matches), so candidates
    are tried best bound first and the search stops as soon as no bound can beat the best ratio
    found: a directory of 100 similar names needs a few full ratios, not 100.
    """
    s = SequenceMatcher()
    s.set_seq2(word)
    bounded = []
    for x in choices:
        s.set_seq1(x)
        if s.real_quick_ratio() >= cutoff:
            bound = s.quick_ratio()
            if bound >= cutoff:
                bounded.append((bound, x))
    bounded.sort(reverse=True)
    best: tuple[float, str] | None = None
    for bound, x in bounded:
        if best is not None and (bound, x) < best:
            break  # ratio <= bound: nothing from here on can beat `best`
        s.set_seq1(x)
        r = s.ratio()
        if r >= cutoff and (best is None or (r, x) > best):
            best = (r, x)
    return best[1] if best is not None else None
