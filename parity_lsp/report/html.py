"""`parity-lsp report --format html`: one self-contained page.

Invariant: no network and no JavaScript needed to read it. CSS and charts (SVG) are inline; a
Content-Security-Policy allows nothing but this page's own style and script (by hash), so the
page cannot fetch anything even when opened from a hostile location. The small script only
adds sorting and filtering to the rows table; without it every number is in the HTML. `@media
print` drops the controls, prints every row (filters ignored) and keeps cards and charts whole.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import posixpath
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parity_lsp import __version__
from parity_lsp.output.escape import escape_controls
from parity_lsp.report.markdown import code_spans, href
from parity_lsp.report.model import (
    PROOF_BELOW,
    PROOF_MET,
    PROOF_NO_TEST,
    PROOF_UNCLASSIFIED,
    UNKNOWN_STATUS,
    VERDICT_BROKEN,
    VERDICT_NOT_SHIPPED,
    VERDICT_PARTIAL,
    VERDICT_UNKNOWN,
    VERDICT_VERIFIED,
    ParityReport,
    RowReport,
    Totals,
    percent,
)
from parity_lsp.roles import PLANNED

if TYPE_CHECKING:
    from parity_lsp.report.compare import Comparison, RowChange

STATUS_COLORS = {
    "implemented": "#2f855a",
    "partial": "#d69e2e",
    "designed": "#5a7bbf",
    "planned": "#a3afc2",
    "exception": "#7e57c2",
    UNKNOWN_STATUS.lower(): "#d53f8c",
}
EXTRA_COLORS = ("#319795", "#dd6b20", "#4a5568", "#b83280")
VERIFIED_COLOR = "#2f855a"
CLAIMED_COLOR = "#9ae6b4"

VERDICT_LABELS = {
    VERDICT_VERIFIED: "Verified",
    VERDICT_BROKEN: "Broken claim",
    VERDICT_PARTIAL: "Partial",
    VERDICT_NOT_SHIPPED: "Not shipped",
    VERDICT_UNKNOWN: "Unknown status",
}


CSS = """
:root{--ink:#1a202c;--muted:#5a6477;--line:#e2e6ee;--bg:#f5f6f9;--card:#fff;--ok:#2f855a;--bad:#c53030;\
--warn:#b7791f;--accent:#2b6cb0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,\
"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 28px 48px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f6;\
border-radius:4px;padding:1px 4px;overflow-wrap:anywhere}
header.top{display:flex;flex-wrap:wrap;align-items:flex-end;justify-content:space-between;gap:12px;\
margin-bottom:18px}
.eyebrow{font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:var(--muted);font-weight:600}
h1{font-size:30px;line-height:1.2;margin:4px 0 6px}
h1 .of{color:var(--muted);font-weight:500}
.lede{margin:0;color:var(--muted);max-width:760px}
.meta{font-size:12px;color:var(--muted);text-align:right}
h2{font-size:18px;margin:0 0 4px}
.sub{color:var(--muted);font-size:13px;margin:0 0 14px}
.cards{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:12px;margin:18px 0 22px}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px;\
box-shadow:0 1px 2px rgba(20,30,50,.05)}
.card .label{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.05em}
.card .value{font-size:30px;font-weight:700;line-height:1.15;margin-top:4px}
.card .value small{font-size:14px;font-weight:600;color:var(--muted);margin-left:4px}
.card .note{font-size:12.5px;color:var(--muted);margin-top:2px}
.card.good .value{color:var(--ok)}
.card.bad .value{color:var(--bad)}
.card.hero{grid-column:span 2;border-top:4px solid var(--ok)}
.card.hero .value{font-size:40px}
.meter{display:block;margin-top:8px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 20px;\
margin:0 0 18px;box-shadow:0 1px 2px rgba(20,30,50,.05)}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:18px}
.grid2 .panel{margin:0}
.grid2{margin-bottom:18px}
svg{display:block;max-width:100%;height:auto}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin:10px 0 0;padding:0;list-style:none;font-size:12.5px;\
color:var(--muted)}
.legend li{display:flex;align-items:center;gap:6px}
.legend svg{display:inline-block}
table{width:100%;border-collapse:collapse;font-size:13.5px}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;\
background:#fafbfc}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:700;border-top:2px solid var(--line)}
.pill{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;\
white-space:nowrap;border:1px solid transparent}
.v-verified{background:#e6f6ec;color:#22643f}
.v-broken{background:#fdecec;color:#9b2c2c}
.v-partial{background:#fdf3dc;color:#8a5a0a}
.v-not-shipped{background:#edf1f7;color:#4a5568}
.v-unknown{background:#fde8f2;color:#97266d}
.v-other{background:#f0f0f0;color:#4a5568}
.s-dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;vertical-align:baseline}
.broken{list-style:none;margin:0;padding:0;display:grid;gap:10px}
.broken li{border:1px solid var(--line);border-left:4px solid var(--bad);border-radius:8px;padding:10px 14px;\
background:#fffdfd}
.broken .head{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:baseline}
.broken .cap{font-weight:650;font-size:15px}
.broken .where{font-size:12.5px;color:var(--muted)}
.diags{margin:6px 0 0;padding:0;list-style:none;font-size:13px}
.diags li{border:0;padding:2px 0;background:none;border-radius:0}
.sev{display:inline-block;min-width:70px;font-size:11px;font-weight:700;text-transform:uppercase;\
letter-spacing:.04em}
.sev-error{color:var(--bad)}
.sev-warning{color:var(--warn)}
.sev-info,.sev-hint{color:var(--muted)}
.code{font:600 12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--ink);margin-right:6px}
.none{color:var(--muted);font-style:italic;margin:0}
.controls{display:none;flex-wrap:wrap;gap:10px;align-items:center;margin:0 0 12px}
.js .controls{display:flex}
.controls input[type=search]{flex:1 1 260px;padding:7px 10px;border:1px solid #cbd2dd;border-radius:8px;\
font:inherit}
.controls select{padding:6px 8px;border:1px solid #cbd2dd;border-radius:8px;font:inherit;background:#fff}
.controls .count{color:var(--muted);font-size:13px;margin-left:auto}
th button{all:unset;cursor:pointer;display:inline-flex;gap:4px;align-items:center}
th button:focus-visible{outline:2px solid var(--accent);outline-offset:2px;border-radius:3px}
th[aria-sort=ascending] button::after{content:"\\25B2";font-size:9px}
th[aria-sort=descending] button::after{content:"\\25BC";font-size:9px}
.delta-up{color:var(--ok);font-weight:700}
.delta-down{color:var(--bad);font-weight:700}
.small{font-size:12.5px;color:var(--muted)}
footer{color:var(--muted);font-size:12px;margin-top:26px}
.rows-wrap{overflow-x:auto}
@media (max-width:900px){.cards{grid-template-columns:repeat(2,minmax(0,1fr))}\
.grid2{grid-template-columns:1fr}}
@media print{
 @page{margin:14mm}
 body{background:#fff;font-size:11pt}
 main{max-width:none;padding:0}
 .controls,.js .controls{display:none}
 tr[hidden]{display:table-row}
 .card,.panel{box-shadow:none;break-inside:avoid}
 .panel{border-color:#ccc}
 .broken li{break-inside:avoid}
 thead{display:table-header-group}
 a{color:inherit}
 .cards{grid-template-columns:repeat(3,minmax(0,1fr))}
 .card.hero{grid-column:span 3}
 .grid2{grid-template-columns:1fr}
 th button::after{content:none}
}
"""

SCRIPT = """
(function(){
  "use strict";
  document.documentElement.classList.add("js");
  var table = document.getElementById("rows");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var q = document.getElementById("q");
  var fv = document.getElementById("verdict");
  var fs = document.getElementById("status");
  var count = document.getElementById("count");
  function apply(){
    var text = (q.value || "").toLowerCase().trim();
    var v = fv.value, s = fs.value, shown = 0;
    rows.forEach(function(tr){
      var ok = (!text || tr.textContent.toLowerCase().indexOf(text) !== -1)
        && (!v || tr.getAttribute("data-verdict") === v)
        && (!s || tr.getAttribute("data-status") === s);
      tr.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = "Showing " + shown + " of " + rows.length + " rows";
  }
  [q, fv, fs].forEach(function(el){ el.addEventListener("input", apply); \
el.addEventListener("change", apply); });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function(th, i){
    var b = document.createElement("button");
    b.type = "button";
    while (th.firstChild) b.appendChild(th.firstChild);
    th.appendChild(b);
    b.addEventListener("click", function(){
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      heads.forEach(function(h){ h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      var numeric = th.classList.contains("num");
      rows.sort(function(a, b){
        var x = a.cells[i].getAttribute("data-sort") || a.cells[i].textContent;
        var y = b.cells[i].getAttribute("data-sort") || b.cells[i].textContent;
        var c = numeric ? (parseFloat(x) - parseFloat(y)) : \
x.localeCompare(y, undefined, {numeric: true, sensitivity: "base"});
        return c * dir || (+a.getAttribute("data-index") - +b.getAttribute("data-index"));
      });
      rows.forEach(function(tr){ body.appendChild(tr); });
    });
  });
  apply();
})();
"""


def _h(text: object) -> str:
    """Text safe in HTML (text and quoted attributes), control characters written out (the
    page may be printed to a terminal: `report --format html` without -o)."""
    return html.escape(escape_controls(str(text)), quote=True)


def _rich(text: str) -> str:
    """Escaped text with its code spans as <code>, found as Markdown finds them (`code_spans`)."""
    return "".join(
        _h(raw) if content is None else f"<code>{_h(content)}</code>" for raw, content in code_spans(text)
    )


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def status_color(status: str, statuses: list[str]) -> str:
    color = STATUS_COLORS.get(status.lower())
    if color:
        return color
    extra = [s for s in statuses if s.lower() not in STATUS_COLORS]
    return EXTRA_COLORS[extra.index(status) % len(EXTRA_COLORS)] if status in extra else "#718096"


def _swatch(color: str) -> str:
    return (
        '<svg width="12" height="12" aria-hidden="true">'
        f'<rect width="12" height="12" rx="3" fill="{color}"/></svg>'
    )


def _meter(part: int, whole: int, color: str, width: int = 300) -> str:
    w = 0 if whole <= 0 else round(width * part / whole)
    return (
        f'<svg class="meter" viewBox="0 0 {width} 8" width="100%" height="8" preserveAspectRatio="none" '
        'aria-hidden="true">'
        f'<rect width="{width}" height="8" rx="4" fill="#e8ecf2"/>'
        f'<rect width="{w}" height="8" rx="4" fill="{color}"/></svg>'
    )


# --- charts ------------------------------------------------------------------------------------

# Advance widths in em of a wide sans-serif (DejaVu Sans, what `system-ui` falls back to on Linux;
# Segoe UI, Roboto, Arial and San Francisco are narrower), rounded up: an SVG <text> is not
# measured by the browser before it is laid out, so a chart reserves this much for its labels.
_NARROW = frozenset("iIjl.,:;'|!` ")
_SLIM = frozenset('frt()[]{}/\\-"*')
_WIDE = frozenset("mwMW@%")
LABEL_MAX = 32  # characters of a group label in a chart; the whole name is in its tooltip


def _em(ch: str) -> float:
    if ch in _NARROW:
        return 0.34
    if ch in _SLIM:
        return 0.45
    if ch in _WIDE:
        return 1.02
    if ch.isdigit():
        return 0.66
    if ch.isupper():
        return 0.8
    if ch.isascii():
        return 0.66
    if unicodedata.east_asian_width(ch) in ("W", "F") or unicodedata.category(ch) == "So":
        return 1.05  # CJK, emoji
    if unicodedata.combining(ch):
        return 0.0
    return 0.8


def text_width(text: str, font_size: float) -> float:
    """An upper estimate of the width of `text` in pixels at `font_size` (see `_em`)."""
    return sum(_em(ch) for ch in text) * font_size


def _label_width(names: list[str], font_size: float) -> int:
    """The room the charts reserve on the left for their group labels (clipped to LABEL_MAX)."""
    widest = max((text_width(_clip(n, LABEL_MAX), font_size) for n in names), default=0.0)
    return max(80, math.ceil(widest) + 16)


def _label(name: str, x: float, y: float) -> str:
    """A group's label, right-aligned at `x`; a clipped one has the whole name as its tooltip."""
    shown = _clip(name, LABEL_MAX)
    tip = f"<title>{_h(name)}</title>" if shown != name else ""
    return f'<text x="{x}" y="{y}" text-anchor="end" font-size="13" fill="#1a202c">{tip}{_h(shown)}</text>'


def status_chart(report: ParityReport) -> str:
    """Stacked horizontal bars: rows by status, one bar per group, all on one scale."""
    groups = report.groups
    label_w, bar_w, row_h, gap, top = _label_width([g.name for g in groups], 13), 320, 24, 12, 6
    width = label_w + bar_w + 34
    height = top + len(groups) * (row_h + gap) + 4
    biggest = max((g.totals.rows for g in groups), default=1) or 1
    opening = (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-labelledby="status-chart-title">'
        '<title id="status-chart-title">Rows by status, per group</title>'
    )
    parts = [opening]
    for i, g in enumerate(groups):
        y = top + i * (row_h + gap)
        parts.append(_label(g.name, label_w - 10, y + row_h / 2 + 4.5))
        x = float(label_w)
        for status in report.statuses:
            n = g.totals.by_status.get(status, 0)
            if not n:
                continue
            w = bar_w * n / biggest
            color = status_color(status, report.statuses)
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{max(w - 1.5, 1):.1f}" height="{row_h}" rx="3" '
                f'fill="{color}"><title>{_h(g.name)}: {n} {_h(status)}</title></rect>'
            )
            if w >= 18:
                parts.append(
                    f'<text x="{x + w / 2 - 0.75:.1f}" y="{y + row_h / 2 + 4.5}" text-anchor="middle" '
                    f'font-size="12" font-weight="600" fill="#fff">{n}</text>'
                )
            x += w
        parts.append(
            f'<text x="{x + 8:.1f}" y="{y + row_h / 2 + 4.5}" font-size="12" fill="#5a6477">'
            f"{g.totals.rows}</text>"
        )
    parts.append("</svg>")
    legend = "".join(
        f"<li>{_swatch(status_color(s, report.statuses))}{_h(s)} "
        f"<b>{report.overall.by_status.get(s, 0)}</b></li>"
        for s in report.statuses
    )
    return "".join(parts) + f'<ul class="legend">{legend}</ul>'


@dataclass(frozen=True, slots=True)
class _Words:
    """How the page names the meanings: the template's words when only its vocabulary was read
    (as always), else the meanings (docs/spec/matrix.md#status-meanings; the tables' own words are
    in the status table)."""

    shipped: str
    exception: str
    planned: str
    planned_sum: str


def _words(report: ParityReport) -> _Words:
    if report.legacy:
        return _Words("Implemented", "Exception", "Designed/Planned", "Designed + Planned")
    return _Words("shipped", "exception", "Planned", report.named(PLANNED))


def claimed_chart(report: ParityReport) -> str:
    """Per group: claimed (Implemented) and verified, as two bars on the group's row count."""
    groups = report.groups
    label_w, bar_w, bar_h, top = _label_width([g.name for g in groups], 13), 230, 11, 6
    block = 2 * bar_h + 3 + 16
    width = label_w + bar_w + 104
    height = top + len(groups) * block + 2
    opening = (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-labelledby="claimed-chart-title">'
        '<title id="claimed-chart-title">Claimed versus verified parity, per group</title>'
    )
    parts = [opening]
    for i, g in enumerate(groups):
        t = g.totals
        y = top + i * block
        scale = bar_w / (t.rows or 1)
        parts.append(_label(g.name, label_w - 10, y + bar_h + 5))
        for j, (n, color, what) in enumerate(
            ((t.claimed, CLAIMED_COLOR, "claimed"), (t.verified, VERIFIED_COLOR, "verified"))
        ):
            yy = y + j * (bar_h + 3)
            parts.append(
                f'<rect x="{label_w}" y="{yy}" width="{bar_w}" height="{bar_h}" rx="3" fill="#edf0f5"/>'
            )
            if n:
                parts.append(
                    f'<rect x="{label_w}" y="{yy}" width="{scale * n:.1f}" height="{bar_h}" rx="3" '
                    f'fill="{color}"><title>{_h(g.name)}: {n} of {t.rows} {what}</title></rect>'
                )
            parts.append(
                f'<text x="{label_w + bar_w + 8}" y="{yy + bar_h - 1.5}" font-size="11.5" fill="#5a6477">'
                f"{n}/{t.rows} {what}</text>"
            )
    parts.append("</svg>")
    legend = (
        f"<li>{_swatch(CLAIMED_COLOR)}claimed ({_h(_words(report).shipped)})</li>"
        f"<li>{_swatch(VERIFIED_COLOR)}verified (no error; Exceptions with a declared id)</li>"
    )
    return "".join(parts) + f'<ul class="legend">{legend}</ul>'


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# --- sections -------------------------------------------------------------------------------------


def _card(label: str, value: str, note: str = "", cls: str = "", extra: str = "") -> str:
    note_html = f'<div class="note">{note}</div>' if note else ""
    return (
        f'<div class="card {cls}"><div class="label">{_h(label)}</div><div class="value">{value}</div>'
        f"{note_html}{extra}</div>"
    )


def _cards(t: Totals, w: _Words) -> str:
    hero = _card(
        "Verified parity",
        f"{t.verified}<small>of {t.rows} · {percent(t.verified, t.rows)}</small>",
        f"{t.verified_implemented} {w.shipped} row{'s' if t.verified_implemented != 1 else ''} "
        f"with no error + {t.verified_exceptions} declared "
        f"{w.exception}{'s' if t.verified_exceptions != 1 else ''}",
        "hero good",
        _meter(t.verified, t.rows, VERIFIED_COLOR),
    )
    return (
        '<section class="cards" aria-label="Totals">'
        + "".join(
            [
                hero,
                _card(
                    "Claimed",
                    f"{t.claimed}<small>{percent(t.claimed, t.rows)}</small>",
                    f"rows marked {w.shipped}",
                ),
                _card(
                    "Broken claims",
                    str(t.broken),
                    f"{w.shipped} or {w.exception} rows that do not hold",
                    "bad" if t.broken else "good",
                ),
                _card("Partial", str(t.partial), "shown apart, never counted"),
                _card(
                    "Not shipped",
                    str(t.not_shipped),
                    _h(w.planned_sum) + (f"; {t.unknown} unknown status" if t.unknown else ""),
                ),
            ]
        )
        + "</section>"
    )


def _verdict_pill(r: RowReport) -> str:
    return f'<span class="pill v-{r.verdict}">{_h(VERDICT_LABELS.get(r.verdict, r.status or "—"))}</span>'


def _proof_text(r: RowReport) -> str:
    if r.required_level is None:
        return "—"
    if not r.claimed:  # judged for Implemented rows only
        got = f' <span class="small">(tests: {_h(r.achieved_level)})</span>' if r.achieved_level else ""
        return f"{_h(r.required_level)}{got}"
    if r.proof == PROOF_MET:
        return f"{_h(r.required_level)} ✓"
    if r.proof == PROOF_BELOW:
        return f"{_h(r.required_level)}: only {_h(r.achieved_level)}"
    if r.proof == PROOF_UNCLASSIFIED:
        return f"{_h(r.required_level)}: tests not classified"
    if r.proof == PROOF_NO_TEST:
        return f"{_h(r.required_level)}: no test"
    return _h(r.required_level)


def _diags(r: RowReport, severities: Container[str] = ("error", "warning", "info", "hint")) -> str:
    items = [
        f'<li><span class="sev sev-{d.severity}">{d.severity}</span><span class="code">{_h(d.code)}</span>'
        f'{_rich(d.message)} <span class="small">L{d.line}:{d.column}</span></li>'
        for d in r.diagnostics
        if d.severity in severities
    ]
    return f'<ul class="diags">{"".join(items)}</ul>' if items else ""


def _groups_table(report: ParityReport, link_base: str) -> str:
    head = (
        "<tr><th>Group</th><th class=num>Rows</th><th class=num>Claimed</th><th class=num>Verified</th>"
        "<th class=num>Broken claims</th><th class=num>Partial</th>"
        f"<th class=num>{_words(report).planned}</th>"
        "<th class=num>Exceptions (verified)</th></tr>"
    )
    body = []
    for g in report.groups:
        t = g.totals
        body.append(
            f'<tr><td><a href="{_h(href(link_base, g.path, g.line))}">{_h(g.name)}</a></td>'
            f"<td class=num>{t.rows}</td><td class=num>{t.claimed}</td>"
            f"<td class=num>{t.verified} <span class=small>({percent(t.verified, t.rows)})</span></td>"
            f"<td class=num>{t.broken}</td><td class=num>{t.partial}</td><td class=num>{t.not_shipped}</td>"
            f"<td class=num>{t.exceptions} ({t.verified_exceptions})</td></tr>"
        )
    t = report.overall
    body.append(
        f'<tr class="total"><td>All groups</td><td class=num>{t.rows}</td><td class=num>{t.claimed}</td>'
        f"<td class=num>{t.verified} <span class=small>({percent(t.verified, t.rows)})</span></td>"
        f"<td class=num>{t.broken}</td><td class=num>{t.partial}</td><td class=num>{t.not_shipped}</td>"
        f"<td class=num>{t.exceptions} ({t.verified_exceptions})</td></tr>"
    )
    return f'<table id="groups"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _status_table(report: ParityReport) -> str:
    head = "<tr><th>Group</th>" + "".join(f"<th class=num>{_h(s)}</th>" for s in report.statuses) + "</tr>"
    body = []
    for g in report.groups:
        body.append(
            f"<tr><td>{_h(g.name)}</td>"
            + "".join(f"<td class=num>{g.totals.by_status.get(s, 0)}</td>" for s in report.statuses)
            + "</tr>"
        )
    body.append(
        '<tr class="total"><td>All groups</td>'
        + "".join(f"<td class=num>{report.overall.by_status.get(s, 0)}</td>" for s in report.statuses)
        + "</tr>"
    )
    return f'<table id="by-status"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _proof_section(report: ParityReport) -> str:
    t = report.overall
    head = (
        "<tr><th>Required level</th><th class=num>Rows</th><th class=num>Met</th><th class=num>Below</th>"
        "<th class=num>Tests not classified</th><th class=num>No test resolves</th><th>Coverage</th></tr>"
    )
    body = []
    for lvl in report.proof_levels:
        c = t.proof_by_level.get(lvl)
        if c is None:
            continue
        body.append(
            f"<tr><td>{_h(lvl)}</td><td class=num>{c.required}</td><td class=num>{c.met}</td>"
            f"<td class=num>{c.below}</td><td class=num>{c.unclassified}</td><td class=num>{c.no_test}</td>"
            f"<td>{_meter(c.met, c.required, VERIFIED_COLOR, 160)}</td></tr>"
        )
    p = t.proof
    body.append(
        f'<tr class="total"><td>All {_words(report).shipped} rows</td><td class=num>{p.required}</td>'
        f"<td class=num>{p.met} <span class=small>({percent(p.met, p.required)})</span></td>"
        f"<td class=num>{p.below}</td>"
        f"<td class=num>{p.unclassified}</td><td class=num>{p.no_test}</td>"
        f"<td>{_meter(p.met, p.required, VERIFIED_COLOR, 160)}</td></tr>"
    )
    return (
        '<section class="panel" id="proof"><h2>Proof-level coverage</h2>'
        f'<p class="sub">{_words(report).shipped.capitalize()} rows: the level each row requires '
        "(Proof Level Required) against the "
        "best level among its cited tests that resolve (classified by <code>proof-level-globs</code>, "
        "as PM204 does).</p>"
        f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table></section>"
    )


def _broken_section(report: ParityReport, link_base: str) -> str:
    broken = report.broken_claims
    if not broken:
        w = _words(report)
        inner = f'<p class="none">None: every {w.shipped} and {w.exception} row holds.</p>'
    else:
        items = []
        for r in broken:
            url = _h(href(link_base, r.path, r.line))
            items.append(
                f'<li><div class="head">'
                f'<a class="cap" href="{url}">{_h(r.capability or "(no capability)")}</a>'
                f'<span class="where">{_h(r.group)} · {_h(r.status)} · {_h(r.owner or "(unassigned)")} · '
                f'<a href="{url}">{_h(posixpath.basename(r.path))}:{r.line}</a></span></div>'
                f"{_diags(r, ('error', 'warning'))}</li>"
            )
        inner = f'<ul class="broken">{"".join(items)}</ul>'
    return (
        '<section class="panel" id="broken">'
        f'<h2>Broken claims <span class="small">({len(broken)})</span></h2>'
        f'<p class="sub">Rows that claim parity ({_words(report).shipped}, or {_words(report).exception}) '
        "but do not hold, "
        "with the diagnostics that break them.</p>"
        f"{inner}</section>"
    )


def _owners_section(report: ParityReport, link_base: str) -> str:
    if not report.owners:
        inner = '<p class="none">None: no row has an error or a warning.</p>'
    else:
        body = []
        for o in report.owners:
            links = ", ".join(
                f'<a href="{_h(href(link_base, r.path, r.line))}">{_h(r.capability or "(no capability)")}</a>'
                for r in o.rows
            )
            body.append(
                f"<tr><td>{_h(o.owner)}</td><td class=num>{o.broken}</td><td class=num>{o.errors}</td>"
                f"<td class=num>{o.warnings}</td><td>{links}</td></tr>"
            )
        inner = (
            '<table id="owners"><thead><tr><th>Owner</th><th class=num>Broken claims</th>'
            "<th class=num>Errors</th><th class=num>Warnings</th><th>Rows with open problems</th>"
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
    return (
        '<section class="panel" id="owners-panel">'
        f'<h2>Owners with open problems <span class="small">({len(report.owners)})</span></h2>'
        '<p class="sub">Rows with an error or a warning, by Owner.</p>' + inner + "</section>"
    )


def _rows_section(report: ParityReport, link_base: str) -> str:
    order = list(VERDICT_LABELS)
    verdicts = sorted(
        {r.verdict for r in report.rows}, key=lambda v: (order.index(v) if v in order else len(order), v)
    )
    verdict_opts = "".join(
        f'<option value="{_h(v)}">{_h(VERDICT_LABELS.get(v, v))}</option>' for v in verdicts
    )
    status_opts = "".join(f'<option value="{_h(s)}">{_h(s)}</option>' for s in report.statuses)
    body = []
    for i, r in enumerate(report.rows):
        body.append(
            f'<tr data-index="{i}" data-verdict="{_h(r.verdict)}" data-status="{_h(r.status_key)}">'
            f'<td><a href="{_h(href(link_base, r.path, r.line))}">'
            f"{_h(r.capability or '(no capability)')}</a></td>"
            f"<td>{_h(r.group)}</td><td>{_h(r.status or '(empty)')}</td><td>{_verdict_pill(r)}</td>"
            f"<td>{_proof_text(r)}</td><td>{_h(r.owner or '(unassigned)')}</td>"
            f'<td class=num data-sort="{r.errors}">{r.errors}</td>'
            f'<td class=num data-sort="{r.warnings}">{r.warnings}</td></tr>'
        )
    controls = (
        '<div class="controls" role="search">'
        '<input type="search" id="q" placeholder="Filter rows: capability, owner, group…" '
        'aria-label="Filter rows">'
        '<select id="verdict" aria-label="Verdict">'
        f'<option value="">Any verdict</option>{verdict_opts}</select>'
        '<select id="status" aria-label="Status">'
        f'<option value="">Any status</option>{status_opts}</select>'
        '<span class="count" id="count" aria-live="polite"></span></div>'
    )
    head = (
        "<tr><th>Capability</th><th>Group</th><th>Status</th><th>Verdict</th><th>Proof level</th>"
        "<th>Owner</th><th class=num>Errors</th><th class=num>Warnings</th></tr>"
    )
    return (
        '<section class="panel" id="all-rows">'
        f'<h2>All rows <span class="small">({len(report.rows)})</span></h2>'
        '<p class="sub">Every row of every matrix. Click a column to sort; '
        "filter by text, verdict or status.</p>"
        f'{controls}<div class="rows-wrap"><table id="rows"><thead>{head}</thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></section>"
    )


def _compare_section(report: ParityReport, cmp: Comparison, link_base: str) -> str:
    """The section comparing `report` with `cmp`, its comparison with a git revision."""
    b, t = cmp.base, report.overall

    def delta(before: int, now: int, good_up: bool = True) -> str:
        d = now - before
        if d == 0:
            return '<span class="small">±0</span>'
        cls = "delta-up" if (d > 0) == good_up else "delta-down"
        return f'<span class="{cls}">{"+" if d > 0 else "−"}{abs(d)}</span>'

    stats = "".join(
        f"<tr><td>{label}</td><td class=num>{before}</td><td class=num>{now}</td>"
        f"<td class=num>{delta(before, now, up)}</td></tr>"
        for label, before, now, up in (
            ("Verified parity", b.verified, t.verified, True),
            (f"Claimed ({_words(report).shipped})", b.claimed, t.claimed, True),
            ("Broken claims", b.broken, t.broken, False),
            ("Rows", b.rows, t.rows, True),
        )
    )
    rev = _h(cmp.rev)

    def state(r: RowReport | None) -> str:
        return "—" if r is None else f"{_h(r.status)}, {_verdict_pill(r)}"

    def rows(changes: list[RowChange]) -> str:
        out: list[str] = []
        for c in changes:
            r = c.row
            name = (
                f'<a href="{_h(href(link_base, r.path, r.line))}">{_h(c.capability)}</a>'
                if c.after is not None
                else _h(c.capability)
            )
            why = _diags(c.after, ("error",)) if c.after is not None and c.is_regression else ""
            out.append(
                f"<tr><td>{name}{why}</td><td>{_h(r.group)}</td><td>{_h(c.kind)}</td>"
                f"<td>{state(c.before)}</td><td>{state(c.after)}</td></tr>"
            )
        return "".join(out)

    head = "<tr><th>Capability</th><th>Group</th><th>Change</th><th>Was</th><th>Now</th></tr>"
    regressions = cmp.regressions
    reg = (
        f'<table id="regressions"><thead>{head}</thead><tbody>{rows(regressions)}</tbody></table>'
        if regressions
        else f'<p class="none">None: every row verified at <code>{rev}</code> is still verified.</p>'
    )
    others = cmp.improvements + cmp.other
    other = (
        (
            f'<h3>Other changes <span class="small">({len(others)})</span></h3>'
            f"<table><thead>{head}</thead><tbody>{rows(others)}</tbody></table>"
        )
        if others
        else ""
    )
    return (
        '<section class="panel" id="compare">'
        f'<h2>Since <code>{rev}</code> <span class="small">({_h(cmp.commit[:10])})</span></h2>'
        '<p class="sub">The same report at that git revision, rows matched by capability.</p>'
        f'<div class="grid2"><div><table><thead><tr><th></th><th class=num>at {rev}</th>'
        "<th class=num>now</th><th class=num>change</th></tr></thead>"
        f"<tbody>{stats}</tbody></table></div><div></div></div>"
        f'<h3>Regressions <span class="small">({len(regressions)})</span></h3>{reg}{other}</section>'
    )


def render_html(report: ParityReport, link_base: str = "", title: str | None = None) -> str:
    t = report.overall
    name = posixpath.basename(report.root.rstrip("/\\").replace("\\", "/")) or report.root
    title = title or f"Parity report · {name}"
    # status dots take their colour from data-color through the stylesheet (no inline styles: CSP)
    dot_css = "".join(
        f'.s-dot[data-color="{color}"]{{background:{color}}}'
        for color in (status_color(s, report.statuses) for s in report.statuses)
    )
    css = CSS + dot_css + "\n"
    csp = (
        f"default-src 'none'; style-src '{_sha256(css)}'; script-src '{_sha256(SCRIPT)}'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    w = _words(report)
    lede = (
        f"{t.claimed} row{'s' if t.claimed != 1 else ''} claimed as {w.shipped}, "
        f"{t.verified_implemented} of them verified; {t.verified_exceptions} of {t.exceptions} "
        f"{w.exception}{'s' if t.exceptions != 1 else ''} cite a declared exception id. "
        f"{w.planned} rows ({t.not_shipped}) are never counted as shipped; "
        f"Partial ({t.partial}) is shown apart."
    )
    compare = _compare_section(report, report.compare, link_base) if report.compare is not None else ""
    files = ", ".join(f"<code>{_h(f)}</code>" for f in report.files) or "no matrix file"
    other = ""
    if report.other:
        items = []
        for o in report.other:
            d = o.diagnostic
            items.append(
                f'<li><span class="sev sev-{d.severity}">{d.severity}</span>'
                f'<span class="code">{_h(d.code)}</span>'
                f'<a href="{_h(href(link_base, o.path, d.line))}">{_h(o.path)}:{d.line}</a> '
                f"{_rich(d.message)}</li>"
            )
        other = (
            '<section class="panel" id="other">'
            f'<h2>Findings on no row <span class="small">({len(report.other)})</span></h2>'
            f'<ul class="diags">{"".join(items)}</ul></section>'
        )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="generator" content="parity-lsp {_h(__version__)}">
<title>{_h(title)}</title>
<link rel="icon" href="data:,">
<style>{css}</style>
</head>
<body>
<main>
<header class="top">
<div><div class="eyebrow">Parity report · {_h(name)}</div>
<h1 id="headline">{t.verified} <span class="of">of {t.rows} capabilities verified</span></h1>
<p class="lede">{_h(lede)}</p></div>
<div class="meta">{len(report.files)} matrix file{"s" if len(report.files) != 1 else ""}<br>\
parity-lsp {_h(__version__)}</div>
</header>
{_cards(t, w)}
{compare}
<div class="grid2">
<section class="panel" id="status-chart"><h2>Rows by status</h2>\
<p class="sub">Every row of each group, by its Status.</p>{status_chart(report)}</section>
<section class="panel" id="claimed-chart"><h2>Claimed vs verified</h2>\
<p class="sub">Per group, out of its rows.</p>{claimed_chart(report)}</section>
</div>
{_broken_section(report, link_base)}
<section class="panel" id="groups-panel"><h2>By group</h2>\
<p class="sub">Counts per group; the last row is the whole report.</p>
{_groups_table(report, link_base)}
<h3 class="sub">Rows by status</h3>
{_status_table(report)}</section>
{_proof_section(report)}
{_owners_section(report, link_base)}
{other}
{_rows_section(report, link_base)}
<footer>Generated by parity-lsp {_h(__version__)} from {files}. \
Verified = {w.shipped} rows with no error, plus {w.exception} rows
citing a declared exception id; claimed = rows marked {w.shipped}.</footer>
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""
