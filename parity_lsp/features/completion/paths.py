"""Paths, folder by folder, from the workspace's directory tree (`Workspace.file_tree()`),
ranked by what the column wants: sources in code columns, tests in the tests column,
workflows in the CI column."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from parity_lsp.features.completion.cursor import Request
from parity_lsp.features.completion.items import FILE, FOLDER, Completion, natural
from parity_lsp.model import COL_CI, COL_TESTS
from parity_lsp.workspace.tree import SRC, TEST_DIRS, TST, WF, file_category

_UP_ONLY = re.compile(r"^(?:\.\./)*$")


def resolve_dir(req: Request, typed_dir: str, link: bool) -> tuple[str, bool] | None:
    """Workspace directory for a typed directory prefix (and whether it is the root); a link
    is relative to the matrix's directory first."""
    tree = req.ws.file_tree()
    candidates = []
    if link:
        base = posixpath.dirname(req.rel)
        candidates.append(posixpath.join(base, typed_dir) if typed_dir else base)
    candidates.append(typed_dir)
    for cand in candidates:
        norm = posixpath.normpath(cand) if cand else ""
        if norm == ".":
            norm = ""
        if norm == ".." or norm.startswith(("../", "/")):
            continue
        if tree.is_dir(norm):
            return norm, norm == ""
    return None


def paths(req: Request, typed: str, typed_start: int, link: bool) -> list[Completion]:
    """The entries of the typed directory, replacing the typed segment."""
    cut = typed.rfind("/") + 1
    typed_dir, seg = typed[:cut], typed[cut:]
    found = resolve_dir(req, typed_dir.rstrip("/"), link)
    if found is None:
        return []
    directory, at_root = found
    tree = req.ws.file_tree()
    span = req.span(typed_start + cut)
    column = req.column
    entries = []
    for name, is_dir in tree.children.get(directory, {}).items():
        full = f"{directory}/{name}" if directory else name
        if is_dir:
            tier = _dir_tier(column, name, tree.counts.get(full, (0, 0, 0)))
        else:
            tier = _file_tier(column, full)
        entries.append((tier, not is_dir, natural(name), name, is_dir, full))
    entries.sort(key=lambda e: e[:3])
    out = []
    for i, (tier, _isfile, _key, name, is_dir, full) in enumerate(entries):
        if is_dir:
            out.append(
                Completion(
                    name + "/",
                    req.escape(name + "/"),
                    span,
                    FOLDER,
                    detail=_dir_detail(column, tree.counts.get(full, (0, 0, 0))),
                    sort_text=f"{tier}{i:05d}",
                    filter_text=name,
                    retrigger=True,
                )
            )
        else:
            out.append(
                Completion(
                    name,
                    req.escape(name),
                    span,
                    FILE,
                    detail=full,
                    sort_text=f"{tier}{i:05d}",
                    filter_text=name,
                )
            )
    if link and not at_root and seg in ("", ".", "..") and _UP_ONLY.match(typed_dir):
        out.append(
            Completion(
                "../",
                "../",
                span,
                FOLDER,
                detail="parent directory",
                sort_text="9zzzzz",
                filter_text="..",
                retrigger=True,
            )
        )
    return out


def workflows(req: Request, typed: str, typed_start: int) -> list[Completion]:
    """Whole workflow paths (`.github/workflows/ci.yml`) while the typed text could start one."""
    from parity_lsp.workspace.ci.workflows import WORKFLOW_DIR

    prefix = WORKFLOW_DIR + "/"
    if not (prefix.startswith(typed) or typed.startswith(prefix)) or "/" in typed[len(prefix) :]:
        return []
    tree = req.ws.file_tree()
    names = sorted(
        (
            n
            for n, d in tree.children.get(WORKFLOW_DIR, {}).items()
            if not d and n.endswith((".yml", ".yaml"))
        ),
        key=natural,
    )
    span = req.span(typed_start)
    return [
        Completion(
            prefix + n,
            req.escape(prefix + n),
            span,
            FILE,
            detail="GitHub Actions workflow",
            sort_text=f"0!{i:04d}",
            filter_text=prefix + n,
        )
        for i, n in enumerate(names)
    ]


def _dir_tier(column: str | None, name: str, c: Sequence[int]) -> int:
    if column == COL_TESTS:
        if c[TST] and name in TEST_DIRS:
            return 0
        return 1 if c[TST] else 2
    if column == COL_CI:
        return 0 if c[WF] else 1
    return 0 if c[SRC] else (1 if c[TST] else 2)


def _file_tier(column: str | None, path: str) -> int:
    src, test, wf = file_category(path)
    if column == COL_TESTS:
        return 0 if test else (1 if src else 2)
    if column == COL_CI:
        return 0 if wf else (1 if path.endswith((".yml", ".yaml")) else 2)
    return 0 if src else (1 if test else 2)


def _dir_detail(column: str | None, c: Sequence[int]) -> str:
    if column == COL_TESTS:
        return f"{c[TST]} test file{'s' if c[TST] != 1 else ''}"
    if column == COL_CI:
        return f"{c[WF]} workflow{'s' if c[WF] != 1 else ''}"
    return f"{c[SRC]} source file{'s' if c[SRC] != 1 else ''}"
