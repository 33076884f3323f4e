"""`--format github`: GitHub Actions workflow commands, one annotation per diagnostic.

Invariant: every value is escaped per the workflow-command rules, so no message or path can
end the command early or inject another one. GitHub accepts columns only for single-line
ranges, so a multi-line diagnostic carries lines only.
"""

from __future__ import annotations

from parity_lsp.findings import Severity
from parity_lsp.output.report import Located, Report

COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.HINT: "notice",
}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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


def render_github(report: Report) -> str:
    return "\n".join(annotation(d) for d in report.diagnostics)
