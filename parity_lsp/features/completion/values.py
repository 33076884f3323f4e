"""Whole-cell values: statuses, proof levels and owners, with what each means.

The meaning texts are hover's (`features/vocabulary.py`): one statement of what each status
asks of a row. A table with its own status words offers them first, as its rows write them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from parity_lsp.features.completion.cursor import Request
from parity_lsp.features.completion.items import ENUM_MEMBER, PERSON, Completion
from parity_lsp.features.vocabulary import MEANING_DOCS, exceptions_where, proof_meaning, status_meaning
from parity_lsp.model import COL_OWNER, COL_PROOF, COL_STATUS, Matrix, plain_value

_TITLES = {COL_STATUS: "Status", COL_PROOF: "Proof Level Required"}  # the template's headers


def statuses(req: Request) -> list[Completion]:
    return _values(req, status_values(req), lambda name: status_doc(req, name))


def proof_levels(req: Request) -> list[Completion]:
    return _values(req, req.ws.config.proof_levels, lambda name: proof_meaning(name, req.ws.config))


def _values(req: Request, names: Iterable[str], doc: Callable[[str], str]) -> list[Completion]:
    span = req.value_span()
    header = req.cell.header
    title = header.value if not req.cell.template and header is not None and header.value else None
    detail = title or _TITLES.get(req.column or "", "")
    return [
        Completion(
            name,
            req.escape(name),
            span,
            ENUM_MEMBER,
            detail=detail,
            documentation=doc(name),
            sort_text=f"{i:03d}",
            filter_text=name,
        )
        for i, name in enumerate(names)
    ]


def status_values(req: Request) -> list[str]:
    """The status vocabulary of the cursor's table: a template table's `statuses`; another
    table's words first (as its rows write them, most used first), then the rest of its
    vocabulary (configured values, or the built-in lexicon)."""
    vocabulary = req.ws.config.vocabulary(req.cell.template)
    if vocabulary.legacy:
        return list(req.ws.config.statuses)
    counts: Counter[str] = Counter()
    for matrix in req.matrices:
        if matrix.path != req.rel:
            continue
        for table in matrix.tables:
            if table.roles.template:
                continue
            for row in table.rows:
                match = vocabulary.match(row.status)
                if match is not None and row.status.strip():
                    counts[row.status.strip()] += 1
    ours = [word for word, _n in counts.most_common(20)]
    seen = {w.casefold() for w in ours}
    return ours + [w for w in vocabulary.words if w.casefold() not in seen]


def status_doc(req: Request, name: str) -> str:
    vocabulary = req.ws.config.vocabulary(req.cell.template)
    if not vocabulary.legacy:
        match = vocabulary.match(name)
        if match is not None and match.meaning is not None:
            return match.describe(name) + "\n\n" + MEANING_DOCS[match.meaning]
    return status_meaning(name, exceptions_where(req.ws))


# --- owners -------------------------------------------------------------------------------------


def owners(req: Request) -> list[Completion]:
    """The owners the workspace's rows name, most frequent first (placeholders left out, and
    the row under the cursor, whose owner is being typed)."""
    counts: Counter[str] = Counter()
    cursor_line = req.text.count("\n", 0, req.cell.start) if req.matrices else -1
    for m in req.matrices:
        for line, owner in _owners_of(m):
            if m.path == req.rel and line == cursor_line:
                continue
            counts[owner] += 1
    placeholders = {p.lower() for p in req.ws.config.owner_placeholders}
    span = req.value_span()
    ranked = sorted(
        ((n, o) for o, n in counts.items() if o.lower() not in placeholders),
        key=lambda x: (-x[0], x[1].lower()),
    )
    return [
        Completion(
            owner,
            req.escape(owner),
            span,
            PERSON,
            detail=f"owner of {n} row{'s' if n != 1 else ''}",
            sort_text=f"{i:05d}",
            filter_text=owner,
        )
        for i, (n, owner) in enumerate(ranked)
    ]


# id(matrix) -> (matrix, its text, owners): a memo of a pure function of the matrix's text (an
# incremental row edit changes a matrix in place, and its text with it)
_owner_memo: dict[int, tuple[Matrix, str, list[tuple[int, str]]]] = {}


def _owners_of(matrix: Matrix) -> list[tuple[int, str]]:
    """(line, owner) of each row of the matrix that names one."""
    cached = _owner_memo.get(id(matrix))
    if cached is not None and cached[0] is matrix and cached[1] is matrix.text:
        return cached[2]
    out: list[tuple[int, str]] = []
    for table in matrix.tables:
        idx = table.role_index.get(COL_OWNER)
        if idx is None:
            continue
        for row in table.rows:
            if idx < len(row.cells):
                raw = row.cells[idx].text
                value = plain_value(raw) if any(c in raw for c in "*_`\\") else raw
                if value:
                    out.append((row.line, value))
    if len(_owner_memo) > 256:
        _owner_memo.clear()
    _owner_memo[id(matrix)] = (matrix, matrix.text, out)
    return out
