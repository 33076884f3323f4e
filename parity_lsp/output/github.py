"""`--format github`: GitHub Actions workflow commands, one annotation per diagnostic.

Invariant: every value is escaped per the workflow-command rules, so no message or path can
end the command early or inject another one, and control characters are written out first
(`output.escape`: the Actions log renders ANSI sequences). GitHub accepts columns only for
single-line ranges, so a multi-line diagnostic carries lines only. The run's notices (what
was not checked, the root chosen) follow as file-less commands; a run that checked nothing
ends with an `::error`.
"""

from __future__ import annotations

from parity_lsp.findings import Severity
from parity_lsp.output.escape import escape_controls
from parity_lsp.output.report import Located, Notice, Report

COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.HINT: "notice",
}


def escape_data(value: str) -> str:
    """A command's data: control characters written out first (a line break in a message can
    only come from a cell or a file name: it shows as `\\n`, never as a second line, so no
    `%0A` is needed), then `%`."""
    return escape_controls(value).replace("%", "%25")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Located) -> str:
    f = d.finding
    props = [("file", f.path), ("line", str(d.line))]
    if d.end_line == d.line:
        props.append(("col", str(d.column)))
        props += [("endLine", str(d.end_line)), ("endColumn", str(d.end_column))]
    else:
        props.append(("endLine", str(d.end_line)))
    props.append(("title", f.code))
    body = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS[f.severity]} {body}::{escape_data(f.message)}"


_NOTICE_COMMANDS = {"note": "notice", "warning": "warning", "error": "error"}


def notice_command(n: Notice) -> str:
    return f"::{_NOTICE_COMMANDS.get(n.level, 'notice')} title=parity-lsp::{escape_data(n.message)}"


def render_github(report: Report) -> str:
    lines = [annotation(d) for d in report.diagnostics]
    lines.extend(notice_command(n) for n in report.notices)
    return "\n".join(lines)
