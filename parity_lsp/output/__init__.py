"""Output formats of `parity-lsp check`: text, json, sarif, github, junit.

Invariant: every format is a pure function of a `Report` (positions already resolved by
`locate`); rendering never does IO. `render` returns the document without a trailing newline.
"""

from __future__ import annotations

from parity_lsp.output.report import (
    Located,
    LocatedEdit,
    Notice,
    Report,
    locate,
    make_report,
    source_lines_from,
)

FORMATS = ("text", "json", "sarif", "github", "junit")
FORMATS_READING_SOURCE_LINES = frozenset({"text", "sarif"})  # `Report.source_lines`: context, UTF-16 columns


def render(report: Report, fmt: str, color: bool = False) -> str:
    """Render `report` as `fmt` (one of FORMATS). `color` only affects the text format."""
    if fmt == "text":
        from parity_lsp.output.text import render_text

        return render_text(report, color=color)
    if fmt == "json":
        from parity_lsp.output.json_format import render_json

        return render_json(report)
    if fmt == "sarif":
        from parity_lsp.output.sarif import render_sarif

        return render_sarif(report)
    if fmt == "github":
        from parity_lsp.output.github import render_github

        return render_github(report)
    if fmt == "junit":
        from parity_lsp.output.junit import render_junit

        return render_junit(report)
    raise ValueError(f"unknown output format {fmt!r} (expected one of: {', '.join(FORMATS)})")


__all__ = [
    "FORMATS",
    "FORMATS_READING_SOURCE_LINES",
    "Located",
    "LocatedEdit",
    "Notice",
    "Report",
    "locate",
    "make_report",
    "render",
    "source_lines_from",
]
