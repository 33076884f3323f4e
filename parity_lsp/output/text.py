"""Human output, ruff-like: `path:line:col: CODE message`, optional source context, and a
last line saying what was checked: `3 matrices, 148 rows: 2 errors, 5 warnings`.

Invariant: pure function of the `Report`; ANSI escapes only when asked for, and none from the
input: control characters in paths, messages and source lines are escaped (`output.escape`),
so each finding is one line and nothing reaches the terminal raw.
"""

from __future__ import annotations

import unicodedata

from parity_lsp.findings import Severity
from parity_lsp.output.escape import escape_controls, picture_controls
from parity_lsp.output.report import Located, Report

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
SEVERITY_COLOR = {
    Severity.ERROR: "\x1b[31m",  # red
    Severity.WARNING: "\x1b[33m",  # yellow
    Severity.INFO: "\x1b[34m",  # blue
    Severity.HINT: "\x1b[36m",  # cyan
}
DIM = "\x1b[2m"

TAB_WIDTH = 4
CONTEXT_WIDTH = 100  # display columns of source shown around a diagnostic


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def summary_line(report: Report) -> str:
    """What was checked and what was found: `3 matrices, 148 rows: 2 errors, 5 warnings (4
    included files had no matrix table)`; `1 matrix, 12 rows: all checks passed`."""
    counts = report.summary()
    found = [
        _plural(counts["error"], "error"),
        _plural(counts["warning"], "warning"),
        f"{counts['info']} info",
        _plural(counts["hint"], "hint"),
    ]
    found = [part for part, n in zip(found, counts.values(), strict=True) if n]
    if report.nothing_checked:
        verdict = "nothing checked"
    else:
        verdict = ", ".join(found) if found else "all checks passed"
    notes = []
    if report.without_table:
        n = len(report.without_table)
        notes.append(f"{n} included file{'s' if n != 1 else ''} had no matrix table")
    for notice in report.notices:
        if notice.kind == "ci-not-checked":  # a gate that checks nothing must not look green
            notes.append(notice.message.split(" (", 1)[0].replace("was not checked", "not checked"))
    checked = _plural(report.matrices, "matrix", "matrices")
    if report.matrices:
        checked += ", " + _plural(report.rows, "row")
    return f"{checked}: {verdict}" + (f" ({'; '.join(notes)})" if notes else "")


def _width(ch: str) -> int:
    if ch == "\t":
        return TAB_WIDTH
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _context(d: Located, lines: list[str], color: bool) -> list[str]:
    """The diagnostic's first line with a caret underline of its span (clipped to one line)."""
    if not 1 <= d.line <= len(lines):
        return []
    text = lines[d.line - 1].rstrip("\r\n")
    start = min(d.column - 1, len(text))
    end = d.end_column - 1 if d.end_line == d.line else len(text)
    end = max(start, min(end, len(text)))

    # Window long lines (matrix rows are often hundreds of columns wide) around the span.
    lo, hi = 0, len(text)
    if text.isascii() and "\t" not in text:
        # every character one column wide: the window below in arithmetic (measuring each
        # character of 500-column rows dominated the output of a large check)
        if hi > CONTEXT_WIDTH:
            lo = max(0, start - CONTEXT_WIDTH // 3)
            hi = min(hi, lo + CONTEXT_WIDTH)
        prefix = "…" if lo > 0 else ""
        return _lines(
            d,
            picture_controls(text[lo:hi]),
            prefix,
            "…" if hi < len(text) else "",
            len(prefix) + start - lo,
            max(1, min(end, hi) - start),
            color,
        )
    widths = [_width(ch) for ch in text]
    if sum(widths) > CONTEXT_WIDTH:
        lo = start
        budget = CONTEXT_WIDTH // 3
        while lo > 0 and budget - widths[lo - 1] >= 0:
            budget -= widths[lo - 1]
            lo -= 1
        used = sum(widths[lo:start])
        hi = start
        while hi < len(text) and used + widths[hi] <= CONTEXT_WIDTH:
            used += widths[hi]
            hi += 1
    shown = picture_controls("".join(" " * TAB_WIDTH if ch == "\t" else ch for ch in text[lo:hi]))
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    pad = len(prefix) + sum(widths[lo:start])
    carets = max(1, sum(widths[start : min(end, hi)]))
    return _lines(d, shown, prefix, suffix, pad, carets, color)


def _lines(d: Located, shown: str, prefix: str, suffix: str, pad: int, carets: int, color: bool) -> list[str]:
    gutter = str(d.line)
    blank = " " * len(gutter)
    under = "^" * carets
    bar = "|"
    if color:
        under = f"{SEVERITY_COLOR[d.severity]}{under}{RESET}"
        bar = f"{DIM}|{RESET}"
        gutter = f"{DIM}{gutter}{RESET}"
    return [
        f"  {gutter} {bar} {prefix}{shown}{suffix}".rstrip(),
        f"  {blank} {bar} {' ' * pad}{under}",
    ]


def render_text(report: Report, color: bool = False) -> str:
    out: list[str] = []
    paths: dict[str, str] = {}  # path -> escaped (findings come grouped by path)
    for d in report.diagnostics:
        f = d.finding
        path = paths.get(f.path)
        if path is None:
            path = paths[f.path] = escape_controls(f.path)
        location = f"{path}:{d.line}:{d.column}:"
        code = f.code
        if color:
            location = f"{BOLD}{location}{RESET}"
            code = f"{SEVERITY_COLOR[f.severity]}{BOLD}{code}{RESET}"
        out.append(f"{location} {code} {escape_controls(f.message)}")
        lines = report.source_lines.get(f.path)
        context = _context(d, lines, color) if lines else []
        out.extend(context)
        if f.fix is not None:
            # safe fixes are what `parity-lsp fix` applies; the rest need a human decision
            out.append(f"  {'fix' if f.fix.safe else 'suggestion'}: {escape_controls(f.fix.message)}")
        if context:
            out.append("")
    out.append(summary_line(report))
    return "\n".join(out)
