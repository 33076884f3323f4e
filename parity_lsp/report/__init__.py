"""The parity report (`parity-lsp report`, the `parityLsp.showReport` command): the honest summary
of a workspace's matrices — claimed versus verified parity per group, proof-level coverage,
broken claims with their diagnostics, owners with open problems, and regressions since a git
revision.

Invariant: pure functions of the engine's results (no pygls, no writes); the renderers
(`markdown`, `html`, `json_format`) are pure functions of a `ParityReport`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parity_lsp.report.model import ParityReport, build_report

if TYPE_CHECKING:
    from parity_lsp.engine import CheckResult
    from parity_lsp.workspace.index import Workspace

FORMATS = ("markdown", "html", "json")


def report_from_result(ws: Workspace, result: CheckResult) -> ParityReport:
    """The report of an `engine.CheckResult` computed on `ws`."""
    return build_report(ws, result.matrices, result.findings, result.unreadable)


def render(report: ParityReport, fmt: str, link_base: str = "") -> str:
    """`report` as markdown, html or json; row links are `link_base + path#L12`."""
    if fmt == "markdown":
        from parity_lsp.report.markdown import render_markdown

        return render_markdown(report, link_base)
    if fmt == "html":
        from parity_lsp.report.html import render_html

        return render_html(report, link_base)
    if fmt == "json":
        from parity_lsp.report.json_format import render_json

        return render_json(report, link_base)
    raise ValueError(f"unknown report format {fmt!r} (expected one of {', '.join(FORMATS)})")


__all__ = ["FORMATS", "ParityReport", "build_report", "render", "report_from_result"]
