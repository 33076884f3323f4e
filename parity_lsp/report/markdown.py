"""`parity-lsp report --format markdown`: GitHub-flavoured Markdown, for PR comments and docs.

Invariant: every value from a matrix, a path or the configuration goes through `cell` (or
`link`): it cannot end its table cell (`|`, line breaks), open HTML, make a link or an image
(`[text](url)` is shown, not followed: a PR comment must not carry a matrix author's link), or
reach a terminal with control characters (`output.escape`: the report prints to stdout).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Container
from typing import TYPE_CHECKING
from urllib.parse import quote

from parity_lsp import __version__
from parity_lsp.output.escape import escape_controls
from parity_lsp.report.model import ParityReport, RowReport, Totals, percent
from parity_lsp.roles import EXCEPTION, PARTIAL, PLANNED, SHIPPED

if TYPE_CHECKING:
    from parity_lsp.report.compare import Comparison

_BACKTICKS = re.compile(r"`+")

DEFINITION = (
    "Verified = Implemented rows with no error, plus Exception rows that cite a declared exception id. "
    "Claimed = rows marked Implemented. Designed/Planned rows are never counted as shipped; "
    "Partial is shown apart."
)


def definition(report: ParityReport) -> str:
    """What verified and claimed mean: in the template's words when only its vocabulary was
    read, else in meanings (docs/spec/matrix.md#status-meanings) with the tables' own words."""
    if report.legacy:
        return DEFINITION
    return (
        f"Verified = rows whose status means shipped ({report.named(SHIPPED)}) with no error, plus "
        f"exception rows ({report.named(EXCEPTION)}) that cite a declared exception id. Claimed = rows "
        f"whose status means shipped. Planned rows ({report.named(PLANNED)}) are never counted as "
        f"shipped; partial ({report.named(PARTIAL)}) is shown apart."
    )


def href(link_base: str, path: str, line: int | None = None) -> str:
    """`link_base` + the URL-quoted workspace path (+ `#L12`)."""
    url = link_base + quote(path, safe="/-_.~")
    return f"{url}#L{line}" if line is not None else url


def cell(text: str) -> str:
    """Text safe inside a table cell: pipes escaped, line breaks folded, control characters
    written out, HTML and link brackets outside code neutral."""
    text = escape_controls(" ".join(str(text).split()))
    return "".join(_plain(raw) if code is None else raw.replace("|", "\\|") for raw, code in code_spans(text))


def code_spans(text: str) -> list[tuple[str, str | None]]:
    """`text` cut where CommonMark finds code spans, as (source, code) pieces: `code` is None
    for the text between spans, else the span's content as rendered. A span opens with a run
    of N backticks and closes at the next run of exactly N (so a span fenced with two holds
    single backticks); a run that is never closed, or a backtick escaped with a backslash, is
    text. The Markdown report passes the pieces through (escaping the text), the HTML report
    makes `<code>` of them: both show what a Markdown viewer shows."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    if not runs:
        return [(text, None)] if text else []
    by_length: dict[int, list[int]] = {}
    for i, (a, b) in enumerate(runs):
        by_length.setdefault(b - a, []).append(i)
    out: list[tuple[str, str | None]] = []
    last = 0  # end of the last piece
    i = 0
    while i < len(runs):
        start, end = runs[i]
        k = start
        while k > last and text[k - 1] == "\\":
            k -= 1
        if (start - k) % 2:  # an escaped backtick is text; the rest of the run may open a span
            start += 1
        # the next run of the same length closes it
        same = by_length.get(end - start, [])
        j = bisect.bisect_right(same, i)
        if start == end or j == len(same):
            i += 1
            continue
        close = same[j]
        if start > last:
            out.append((text[last:start], None))
        c_start, c_end = runs[close]
        content = text[end:c_start].replace("\n", " ")
        if len(content) >= 2 and content[0] == " " and content[-1] == " " and content.strip(" "):
            content = content[1:-1]
        out.append((text[start:c_end], content))
        last = c_end
        i = close + 1
    if last < len(text):
        out.append((text[last:], None))
    return out


def code(text: str) -> str:
    """`text` as a Markdown code span that holds it whole: a fence longer than any run of
    backticks in it, and a space inside each end when it starts or ends with one (CommonMark)."""
    longest = max((len(r) for r in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = (
        " " if text[:1] == "`" or text[-1:] == "`" or (text[:1] == " " == text[-1:] and text.strip()) else ""
    )
    return f"{fence}{pad}{text}{pad}{fence}"


def _plain(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("[", "\\[")
        .replace("]", "\\]")
    )


def link(text: str, url: str) -> str:
    """A link to `url` (built by `href`: quoted) labelled with `text` (brackets escaped by `cell`;
    inside code spans they cannot end the label)."""
    return f"[{cell(text or '(no capability)')}]({url})"


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else ("0" if n == 0 else f"−{-n}")


def headline(t: Totals, report: ParityReport | None = None) -> str:
    shipped, partial, planned = _names(report)
    return (
        f"**Verified parity: {t.verified} of {t.rows} capabilities ({percent(t.verified, t.rows)})** · "
        f"claimed ({shipped}): {t.claimed} ({percent(t.claimed, t.rows)}) · "
        f"{shipped[0].upper() + shipped[1:]} and verified: {t.verified_implemented} of {t.claimed} · "
        f"Exceptions verified: {t.verified_exceptions} of {t.exceptions} · "
        f"broken claims: {t.broken} · {partial[0].upper() + partial[1:]}: {t.partial} · "
        f"{planned[0].upper() + planned[1:]} (not shipped): {t.not_shipped}"
        + (f" · unknown status: {t.unknown}" if t.unknown else "")
    )


def _names(report: ParityReport | None) -> tuple[str, str, str]:
    """(shipped, partial, planned) as the report names them: `Implemented`, `Partial`,
    `Designed/Planned` for the template; `shipped (done, ✅)` ... for tables with their own words."""
    if report is None:
        return "Implemented", "Partial", "Designed/Planned"
    return report.named(SHIPPED), report.named(PARTIAL), report.named(PLANNED)


def _diag_lines(r: RowReport, severities: Container[str] = ("error", "warning")) -> str:
    out: list[str] = []
    for d in r.diagnostics:
        if d.severity in severities:
            out.append(f"**{d.severity}** `{d.code}` {cell(d.message)} (L{d.line}:{d.column})")
    return "<br>".join(out) or "—"


def render_markdown(report: ParityReport, link_base: str = "") -> str:
    t = report.overall
    lines: list[str] = ["# Parity report", ""]
    if not report.rows:
        lines += ["No matrix rows found" + (f" in {len(report.files)} file(s)." if report.files else "."), ""]
    lines += [headline(t, report), "", f"> {definition(report)}", ""]

    if report.compare is not None:
        lines += _compare(report, report.compare, link_base)

    lines += [
        "## Verified vs claimed, by group",
        "",
        (
            "| Group | Rows | Claimed | Verified | Broken claims | Partial | "
            + ("Designed/Planned" if report.legacy else "Planned")
            + " | Exceptions (verified) |"
        ),
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for g in report.groups:
        gt = g.totals
        lines.append(
            f"| {link(g.name, href(link_base, g.path, g.line))} | {gt.rows} | {gt.claimed} | "
            f"{gt.verified} ({percent(gt.verified, gt.rows)}) | {gt.broken} | {gt.partial} | "
            f"{gt.not_shipped} | {gt.exceptions} ({gt.verified_exceptions}) |"
        )
    lines.append(
        f"| **All** | **{t.rows}** | **{t.claimed}** | **{t.verified} ({percent(t.verified, t.rows)})** | "
        f"**{t.broken}** | **{t.partial}** | **{t.not_shipped}** | "
        f"**{t.exceptions} ({t.verified_exceptions})** |"
    )
    lines.append("")

    statuses = report.statuses
    lines += [
        "## Rows by status",
        "",
        "| Group | " + " | ".join(cell(s) for s in statuses) + " |",
        "|---|" + "--:|" * len(statuses),
    ]
    for g in report.groups:
        lines.append(
            f"| {cell(g.name)} | " + " | ".join(str(g.totals.by_status.get(s, 0)) for s in statuses) + " |"
        )
    lines.append("| **All** | " + " | ".join(f"**{t.by_status.get(s, 0)}**" for s in statuses) + " |")
    lines.append("")

    lines += [
        f"## Proof-level coverage ({'Implemented' if report.legacy else 'shipped'} rows)",
        "",
        "Required level (Proof Level Required) against the best level of the cited tests that resolve.",
        "",
        "| Required | Rows | Met | Below | Tests not classified | No test resolves |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for lvl in report.proof_levels:
        c = t.proof_by_level.get(lvl)
        if c is None:
            continue
        lines.append(f"| {cell(lvl)} | {c.required} | {c.met} | {c.below} | {c.unclassified} | {c.no_test} |")
    p = t.proof
    lines.append(
        f"| **All** | **{p.required}** | **{p.met} ({percent(p.met, p.required)})** | **{p.below}** | "
        f"**{p.unclassified}** | **{p.no_test}** |"
    )
    lines.append("")

    broken = report.broken_claims
    lines += [f"## Broken claims ({len(broken)})", ""]
    if broken:
        lines += ["| Capability | Group | Status | Owner | Diagnostics |", "|---|---|---|---|---|"]
        for r in broken:
            lines.append(
                f"| {link(r.capability, href(link_base, r.path, r.line))} | {cell(r.group)} | "
                f"{cell(r.status)} | {cell(r.owner)} | {_diag_lines(r)} |"
            )
    else:
        lines.append(
            "_None: every Implemented and Exception row holds._"
            if report.legacy
            else "_None: every shipped and exception row holds._"
        )
    lines.append("")

    lines += [f"## Owners with open problems ({len(report.owners)})", ""]
    if report.owners:
        lines += ["| Owner | Broken claims | Errors | Warnings | Rows |", "|---|--:|--:|--:|---|"]
        for owner in report.owners:
            rows = ", ".join(link(r.capability, href(link_base, r.path, r.line)) for r in owner.rows)
            lines.append(
                f"| {cell(owner.owner)} | {owner.broken} | {owner.errors} | {owner.warnings} | {rows} |"
            )
    else:
        lines.append("_None: no row has an error or a warning._")
    lines.append("")

    if report.other:
        lines += [f"## Findings on no row ({len(report.other)})", ""]
        for finding in report.other:
            d, path = finding.diagnostic, finding.path
            lines.append(
                f"- [{cell(path)}:{d.line}]({href(link_base, path, d.line)}) **{d.severity}** "
                f"`{d.code}` {cell(d.message)}"
            )
        lines.append("")

    files = len(report.files)
    listed = (": " + ", ".join(cell(code(f)) for f in report.files)) if report.files else ""
    lines.append(
        f"<sub>parity-lsp {__version__} · {files} matrix file{'s' if files != 1 else ''}{listed}</sub>"
    )
    return "\n".join(lines) + "\n"


def _state(r: RowReport | None) -> str:
    if r is None:
        return "—"
    if r.verified:
        verdict = "verified"
    elif r.broken:
        verdict = "broken"
    elif r.meaning == PLANNED:
        verdict = "not shipped"
    else:
        verdict = "not verified"
    return f"{cell(r.status)}, {verdict}"


def _compare(report: ParityReport, cmp: Comparison, link_base: str) -> list[str]:
    """The section comparing `report` with `cmp`, its comparison with a git revision."""
    b, t = cmp.base, report.overall
    rev = cell(code(cmp.rev))
    lines = [
        f"## Since {rev} (`{cmp.commit[:10]}`)",
        "",
        f"| | at {rev} | now | change |",
        "|---|--:|--:|--:|",
    ]
    for label, before, now in (
        ("Verified parity", b.verified, t.verified),
        ("Claimed (Implemented)" if report.legacy else "Claimed (shipped)", b.claimed, t.claimed),
        ("Broken claims", b.broken, t.broken),
        ("Rows", b.rows, t.rows),
    ):
        lines.append(f"| {label} | {before} | {now} | {signed(now - before)} |")
    lines.append("")
    regressions = cmp.regressions
    lines += [f"### Regressions ({len(regressions)})", ""]
    if regressions:
        lines += ["| Capability | Group | Was | Now | Why |", "|---|---|---|---|---|"]
        for c in regressions:
            r = c.row
            why = _diag_lines(c.after, ("error",)) if c.after is not None else "row removed"
            target = link(c.capability, href(link_base, r.path, r.line)) if c.after else cell(c.capability)
            lines.append(f"| {target} | {cell(r.group)} | {_state(c.before)} | {_state(c.after)} | {why} |")
    else:
        lines.append(f"_None: every row verified at {rev} is still verified._")
    lines.append("")
    improvements = cmp.improvements
    if improvements:
        lines += [
            f"### Improvements ({len(improvements)})",
            "",
            "| Capability | Group | Was | Now |",
            "|---|---|---|---|",
        ]
        for c in improvements:
            r = c.row
            lines.append(
                f"| {link(c.capability, href(link_base, r.path, r.line))} | {cell(r.group)} | "
                f"{_state(c.before)} | {_state(c.after)} |"
            )
        lines.append("")
    other = cmp.other
    if other:
        lines += [f"<details><summary>Other changes ({len(other)})</summary>", ""]
        for c in other:
            r = c.row
            target = link(c.capability, href(link_base, r.path, r.line)) if c.after else cell(c.capability)
            lines.append(f"- {c.kind}: {target} ({cell(r.group)}): {_state(c.before)} → {_state(c.after)}")
        lines += ["", "</details>", ""]
    return lines
