"""Evidence cells → references (SPEC section 3).

Invariant: never raises; no IO. Spans are document offsets (the cell's offset is added).

A cell holds references separated by `<br>`, newlines or `;`. Each reference may carry a label
(`Rust:`), a path (code span, link, or a bare `dir/file.ext`), a line or range, and a
parenthesis holding symbols, a CI job with commands, or prose.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from parity_lsp.model import CommandRef, Evidence, Reference, RefKind, SymbolRef
from parity_lsp.text import Span

KNOWN_EXTENSIONS = frozenset(
    "rs py pyi go ts tsx mts cts js jsx mjs cjs md markdown toml yml yaml json sql proto sh bash "
    "txt csv tsv java kt kts c h cc cpp hpp rb lock cfg ini html css scss swift scala cs fs ex exs "
    "erl hs lua php pl r jl zig nim dart vue svelte graphql gql tf hcl nix bzl cmake mk dockerfile "
    "rst adoc xml ipynb".split()
)
WORKFLOW_DIR = ".github/workflows/"

_SEPARATOR = re.compile(r"<br\s*/?>|\n|;", re.I)
_LABEL = re.compile(r"^\s*([A-Za-z][\w.+#/ -]{0,24}?)\s*:\s+")
# Applied to the stripped segment (no leading whitespace runs: no backtracking between them).
_MISSING = re.compile(r"(?:_\s?)?(missing\s+proof|missing|tbd|todo|n/?a|none|—|–|-)\b", re.I)
_DASHES = re.compile(r"[—–-]+")
_LINE_SUFFIX = re.compile(r"^(.*?):(\d+)(?:-(\d+))?(?::\d+)?$")
_ANCHOR_SUFFIX = re.compile(r"^(.*?)#L(\d+)(?:C\d+)?(?:-L?(\d+)(?:C\d+)?)?$")
_IDENT_LIST = re.compile(
    r"^\s*[A-Za-z_][\w]*(?:(?:::|\.)[A-Za-z_<>][\w<>]*)*(?:\(\))?"
    r"(?:\s*,\s*[A-Za-z_][\w]*(?:(?:::|\.)[A-Za-z_<>][\w<>]*)*(?:\(\))?)*\s*$"
)
_KEYWORD_PREFIX = re.compile(r"^(?:pub\s+)?(?:async\s+)?(?:fn|def|func|function|class|struct|enum|trait|type|mod|impl)\s+")
_BARE_PATH = re.compile(
    r"(?<![\w/.:-])((?:[\w.@-]+/)+[\w.@-]+\.([A-Za-z0-9]+))(?:(?::(\d+)(?:-(\d+))?)|(?:#L(\d+)(?:-L?(\d+))?))?"
)
_NOT_A_PATH = re.compile(r"[ \t{}*<]")
_SPECIAL = re.compile(r"[\\`\[(]")
_SEGMENT_SPECIAL = re.compile(r"[\\`(<\n;]")
_JOB = re.compile(r"^\s*jobs?\s+", re.I)


def is_path_candidate(text: str) -> bool:
    """SPEC 3: contains '/' or ends in a known extension; no spaces, braces, '*' or '<'."""
    if not text or _NOT_A_PATH.search(text) or "://" in text:
        return False
    head = text.split("::", 1)[0]
    head = _strip_location(head)
    if "/" in head:
        return True
    ext = head.rsplit(".", 1)[-1].lower() if "." in head else ""
    return ext in KNOWN_EXTENSIONS


def is_workflow_path(path: str) -> bool:
    """`.github/workflows/x.yml`, also written relative to the matrix (`../../.github/workflows/x.yml`)."""
    return ("/" + path).find("/" + WORKFLOW_DIR) != -1 and path.endswith((".yml", ".yaml"))


def _strip_location(text: str) -> str:
    m = _ANCHOR_SUFFIX.match(text) or _LINE_SUFFIX.match(text)
    return m.group(1) if m else text


# --- tokens --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    kind: str  # code | link | paren | text
    start: int  # offsets within the cell text
    end: int
    inner_start: int = 0  # code: content; link: target; paren: inside
    inner_end: int = 0
    label_start: int = 0  # link: text
    label_end: int = 0


def _find_code_end(text: str, i: int, limit: int | None = None) -> tuple[int, int] | None:
    """For a backtick run at i: (content_start, close_start) of the matching run before
    `limit`, or None."""
    n = len(text) if limit is None else limit
    j = i
    while j < n and text[j] == "`":
        j += 1
    run = j - i
    k = j
    fence = "`" * run
    while True:
        k = text.find(fence, k, n)
        if k == -1:
            return None
        end = k + run
        if (end < n and text[end] == "`") or (text[k - 1] == "`" if k > j else False):
            # a longer run is not a match; skip it whole
            while end < n and text[end] == "`":
                end += 1
            k = end
            continue
        return j, k


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    """Code spans, links and balanced parentheses within text[start:end]; the rest is text."""
    toks: list[_Tok] = []
    i = start
    text_start = start

    def flush(upto: int) -> None:
        if upto > text_start:
            toks.append(_Tok("text", text_start, upto))

    while i < end:
        m = _SPECIAL.search(text, i, end)  # jump to the next character that can start a token
        if m is None:
            break
        i = m.start()
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            found = _find_code_end(text, i, end)
            if found is None:
                i += 1
                while i < end and text[i] == "`":
                    i += 1
                continue
            cs, ce = found
            run = cs - i
            flush(i)
            toks.append(_Tok("code", i, ce + run, cs, ce))
            i = ce + run
            text_start = i
            continue
        if ch == "[":
            m = _match_link(text, i, end)
            if m is not None:
                flush(i)
                toks.append(m)
                i = m.end
                text_start = i
                continue
        if ch == "(":
            close = _match_paren(text, i, end)
            if close is not None:
                flush(i)
                toks.append(_Tok("paren", i, close + 1, i + 1, close))
                i = close + 1
                text_start = i
                continue
        i += 1
    flush(end)
    return toks


def _skip_code(text: str, i: int, end: int) -> int:
    found = _find_code_end(text, i, end)
    if found is None:
        return i + 1
    cs, ce = found
    return ce + (cs - i)


def _match_paren(text: str, i: int, end: int) -> int | None:
    depth = 0
    j = i
    while j < end:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "`":
            j = _skip_code(text, j, end)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return None


def _match_link(text: str, i: int, end: int) -> _Tok | None:
    depth = 0
    j = i
    while j < end:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "`":
            j = _skip_code(text, j, end)
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                break
        j += 1
    else:
        return None
    if j + 1 >= end or text[j + 1] != "(":
        return None
    close = _match_paren(text, j + 1, end)
    if close is None:
        return None
    ts, te = j + 2, close
    while ts < te and text[ts] == " ":
        ts += 1
    if ts < te and text[ts] == "<":
        gt = text.find(">", ts, te)
        if gt != -1:
            ts, te = ts + 1, gt
    else:
        # drop an optional "title"
        sp = text.find(" ", ts, te)
        if sp != -1:
            te = sp
    return _Tok("link", i, close + 1, ts, te, i + 1, j)


# --- references ----------------------------------------------------------------------------


def _segments(text: str) -> list[tuple[int, int]]:
    """Split on <br>, newlines and ';' outside code spans, links and parentheses."""
    out = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        m = _SEGMENT_SPECIAL.search(text, i)
        if m is None:
            break
        i = m.start()
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            i = _skip_code(text, i, n)
            continue
        if ch == "(":
            close = _match_paren(text, i, n)
            if close is not None:
                i = close + 1
                continue
        if ch in "<\n;":
            m = _SEPARATOR.match(text, i)
            if m:
                out.append((start, i))
                i = m.end()
                start = i
                continue
        i += 1
    out.append((start, n))
    return [(s, e) for s, e in out if text[s:e].strip()]


def parse_evidence(text: str, offset: int, matrix_path: str = "", column: str | None = None) -> Evidence:
    """Parse one evidence cell (`text` starts at document offset `offset`)."""
    ev = Evidence()
    try:
        _parse_into(ev, text, offset, matrix_path, column)
    except Exception:  # never raise: an unparseable cell simply yields what was found
        pass
    return ev


def _parse_into(ev: Evidence, text: str, offset: int, matrix_path: str, column: str | None) -> None:
    if not text.strip():
        ev.missing_marker = True
        ev.missing_span = Span(offset, offset + len(text))
        return
    base_dir = posixpath.dirname(matrix_path)
    for seg_start, seg_end in _segments(text):
        seg = text[seg_start:seg_end]
        bare = seg.replace("*", "").strip()
        missing = bool(_MISSING.match(bare) or _DASHES.fullmatch(bare))
        if missing:
            ev.missing_marker = True
            if ev.missing_span is None:
                ev.missing_span = Span(offset + seg_start, offset + seg_end)
        label = None
        body_start = seg_start
        m = _LABEL.match(seg)
        if m and "`" not in m.group(0) and not m.group(1).lower().startswith("missing"):
            label = m.group(1).strip()
            body_start = seg_start + m.end()
        toks = _tokens(text, body_start, seg_end)
        first = len(ev.refs)
        _refs_from_tokens(ev, text, toks, offset, base_dir, label, column)
        if missing:
            for ref in ev.refs[first:]:
                ref.in_missing = True


def _refs_from_tokens(ev, text, toks, offset, base_dir, label, column) -> None:
    i = 0
    while i < len(toks):
        tok = toks[i]
        ref = None
        if tok.kind == "code":
            content = text[tok.inner_start : tok.inner_end]
            stripped = content.strip()
            if is_path_candidate(stripped):
                lead = len(content) - len(content.lstrip())
                ref = _path_ref(stripped, offset + tok.inner_start + lead, Span(offset + tok.start, offset + tok.end))
            elif column == "evidence (ci)" and stripped:
                # a command with no workflow: remembered so PM202 can say what is missing
                ev.refs.append(Reference(kind=RefKind.CI, path="", span=Span(offset + tok.start, offset + tok.start),
                                         full_span=Span(offset + tok.start, offset + tok.end),
                                         commands=[CommandRef(_unescape(stripped), Span(offset + tok.inner_start, offset + tok.inner_end))],
                                         label=label, column=column))
                i += 1
                continue
        elif tok.kind == "link":
            target = text[tok.inner_start : tok.inner_end]
            if target and "://" not in target and not target.startswith(("#", "mailto:")):
                ref = _path_ref(target, offset + tok.inner_start, Span(offset + tok.start, offset + tok.end))
                if ref is not None:
                    ref.is_link = True
                    ref.link_base = base_dir
        elif tok.kind == "text":
            _bare_paths(ev, text, tok, offset, label, column)
        elif tok.kind == "paren":
            # a parenthesis with no path before it: code spans inside may be paths
            inner = _tokens(text, tok.inner_start, tok.inner_end)
            if any(t.kind in ("code", "link") for t in inner):
                _refs_from_tokens(ev, text, inner, offset, base_dir, label, column)
        if ref is None:
            i += 1
            continue
        ref.label = label
        ref.column = column
        # an optional parenthesis right after the path
        j = i + 1
        if j < len(toks) and toks[j].kind == "text" and not text[toks[j].start : toks[j].end].strip():
            j += 1
        if j < len(toks) and toks[j].kind == "paren":
            _attach_paren(ref, text, toks[j], offset)
            ref.full_span = Span(ref.full_span.start, offset + toks[j].end)
            i = j + 1
        else:
            i += 1
        ev.refs.append(ref)


def _bare_paths(ev, text, tok, offset, label, column) -> None:
    chunk = text[tok.start : tok.end]
    for m in _BARE_PATH.finditer(chunk):
        if m.group(2).lower() not in KNOWN_EXTENSIONS:
            continue
        s = tok.start + m.start(1)
        full = Span(offset + tok.start + m.start(), offset + tok.start + m.end())
        ref = _path_ref(m.group(0), offset + s, full)
        if ref is not None:
            ref.label = label
            ref.column = column
            ev.refs.append(ref)


def _path_ref(raw: str, start: int, full_span: Span) -> Reference | None:
    """`raw` is the path text (with location suffix) starting at document offset `start`."""
    path = raw
    symbols: list[SymbolRef] = []
    if "::" in path:
        head, tail = path.split("::", 1)
        if tail and "/" not in tail:
            symbols.append(SymbolRef(tail.rstrip("()"), Span(start + len(head) + 2, start + len(raw))))
            path = head
    line_start = line_end = None
    line_span = None
    m = _ANCHOR_SUFFIX.match(path)
    if m:
        loc_start = len(m.group(1)) + 1  # after '#'
        path = m.group(1)
        line_start = int(m.group(2))
        line_end = int(m.group(3)) if m.group(3) else None
        line_span = Span(start + loc_start, start + _location_end(raw, loc_start))
    else:
        m = _LINE_SUFFIX.match(path)
        if m:
            loc_start = len(m.group(1)) + 1  # after ':'
            path = m.group(1)
            line_start = int(m.group(2))
            line_end = int(m.group(3)) if m.group(3) else None
            line_span = Span(start + loc_start, start + _location_end(raw, loc_start))
    if not path:
        return None
    kind = RefKind.CI if is_workflow_path(path) else RefKind.PATH
    return Reference(
        kind=kind,
        path=path,
        span=Span(start, start + len(path)),
        full_span=full_span,
        line_start=line_start,
        line_end=line_end,
        line_span=line_span,
        symbols=symbols,
    )


def _location_end(raw: str, loc_start: int) -> int:
    j = loc_start
    while j < len(raw) and (raw[j].isdigit() or raw[j] in "-LC:"):
        if raw[j] == ":" and raw[j + 1 : j + 2] == ":":
            break
        j += 1
    return j


def _attach_paren(ref: Reference, text: str, tok: _Tok, offset: int) -> None:
    inner = text[tok.inner_start : tok.inner_end]
    inner_toks = _tokens(text, tok.inner_start, tok.inner_end)
    codes = [t for t in inner_toks if t.kind == "code"]
    if ref.kind == RefKind.CI:
        _attach_ci(ref, text, inner, inner_toks, offset, tok)
        return
    if codes:
        for t in codes:
            content = text[t.inner_start : t.inner_end]
            name = _symbol_name(content)
            if not name or is_path_candidate(content.strip()):
                continue
            lead = content.find(name)
            s = offset + t.inner_start + max(lead, 0)
            ref.symbols.append(SymbolRef(name, Span(s, s + len(name))))
        if not ref.symbols:
            ref.note = inner.strip()
        return
    if _IDENT_LIST.match(inner) and _looks_like_code(inner):
        pos = tok.inner_start
        for part in inner.split(","):
            name = _symbol_name(part)
            if name:
                lead = part.find(name)
                s = offset + pos + lead
                ref.symbols.append(SymbolRef(name, Span(s, s + len(name))))
            pos += len(part) + 1
        return
    ref.note = inner.strip()


def _looks_like_code(inner: str) -> bool:
    """A bare parenthesis holds symbols only if they look like code, not a word of prose."""
    return any(tok in inner for tok in ("_", "::", ".", "()")) or any(
        c.isupper() for w in inner.split(",") for c in w.strip()[1:]
    )


def _symbol_name(content: str) -> str:
    name = content.strip()
    name = _KEYWORD_PREFIX.sub("", name)
    if name.endswith("()"):
        name = name[:-2]
    return name.strip()


def _attach_ci(ref: Reference, text: str, inner: str, inner_toks, offset: int, tok: _Tok) -> None:
    codes = [t for t in inner_toks if t.kind == "code"]
    job_tok = None
    m = _JOB.match(inner)
    if m:
        after = tok.inner_start + m.end()
        first = next((t for t in inner_toks if t.end > after), None)
        if first is not None and first.kind == "code" and first.start == after:
            job_tok = first
            ref.job = text[first.inner_start : first.inner_end].strip()
            ref.job_span = Span(offset + first.inner_start, offset + first.inner_end)
        else:
            wm = re.match(r"[\w.-]+", text[after : tok.inner_end])
            if wm:
                ref.job = wm.group(0)
                ref.job_span = Span(offset + after, offset + after + len(wm.group(0)))
    elif codes:
        # `(`test`: `cargo test`)`: a code span followed by ':' names the job
        first = codes[0]
        rest = text[first.end : tok.inner_end].lstrip()
        if rest.startswith(":"):
            job_tok = first
            ref.job = text[first.inner_start : first.inner_end].strip()
            ref.job_span = Span(offset + first.inner_start, offset + first.inner_end)
    for t in codes:
        if t is job_tok:
            continue
        if ref.job_span is not None and t.inner_start < ref.job_span.start - offset:
            continue
        content = text[t.inner_start : t.inner_end]
        if content.strip():
            lead = len(content) - len(content.lstrip())
            s = offset + t.inner_start + lead
            ref.commands.append(CommandRef(_unescape(content.strip()), Span(s, s + len(content.strip()))))
    if ref.job is None and not ref.commands:
        ref.note = inner.strip()


def _unescape(text: str) -> str:
    return text.replace("\\|", "|")
