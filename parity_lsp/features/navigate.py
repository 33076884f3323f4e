"""Go to definition: from any piece of evidence to the file, line, symbol, job or step it names.

Invariant: no LSP types; reads only through the workspace. Targets are 0-based lines.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from parity_lsp.features.locate import COMMAND, JOB, LINE, PATH, SYMBOL, Hit, locate
from parity_lsp.model import Matrix, Reference, RefKind
from parity_lsp.roles import cites_tests
from parity_lsp.workspace.ci.commands import parse_command
from parity_lsp.workspace.ci.follow import json_key_line, package_scripts, parse_makefile
from parity_lsp.workspace.ci.runners.make import MakeRun
from parity_lsp.workspace.ci.runners.npm import ScriptRun
from parity_lsp.workspace.ci.verdict import match_cited_commands
from parity_lsp.workspace.ci.workflows import find_job, load_workflow
from parity_lsp.workspace.headings import document_anchors
from parity_lsp.workspace.index import Workspace, find_name, resolve_reference_path
from parity_lsp.workspace.symbols import Definition


@dataclass(frozen=True, slots=True)
class Target:
    path: str  # workspace-relative
    line: int = 0
    end_line: int | None = None  # inclusive, for an item's extent


def resolve_path(ws: Workspace, ref: Reference) -> str | None:
    """The workspace path a reference names, if it exists inside the workspace (a bare file
    name not at the root: the one file of that base name)."""
    found = resolve_paths(ws, ref)
    return found[0] if len(found) == 1 else None


def resolve_paths(ws: Workspace, ref: Reference) -> list[str]:
    """The workspace paths a reference may name: the path, or for a bare file name not at the
    root every file of that base name (several: PM309;
    docs/spec/evidence.md#references-as-teams-write-them)."""
    if not ref.path:
        return []
    rel = resolve_reference_path(ref.path, ref.link_base if ref.is_link else None, ws.fs)
    if rel is None or ws.fs.escapes(rel):
        return []
    if ws.fs.exists(rel):
        return [rel]
    if "/" in rel or ref.is_link:
        return []
    return ws.files_named(rel)


def symbol_definitions(ws: Workspace, rel: str, name: str, tests_first: bool = False) -> list[Definition]:
    found = ws.source(rel).lookup(name) or []
    if tests_first:
        found.sort(key=lambda d: not d.is_test)
    return found


def best_definition(defs: list[Definition], cited_line: int | None = None) -> Definition | None:
    """The one definition go-to-definition opens (F12, `gd`: a user expects a place, not a
    list): the symbol's own definition before the `impl` blocks of a type (a Rust struct and
    its impls all answer `Type`), and among several, the one whose item holds the cited line
    (1-based; a method defined in two `impl` blocks), else the first, which is the one PM304
    measures drift against. `defs` is in `lookup` order (best match first)."""
    if not defs:
        return None
    own = [d for d in defs if d.kind != "impl"] or defs
    if cited_line is not None:
        for d in own:
            if d.start_line <= cited_line - 1 <= d.end_line:
                return d
    return own[0]


def exception_id_at(ws: Workspace, text: str, offset_in_text: int) -> str | None:
    for m in ws.config.exception_id_re.finditer(text):
        if m.start() <= offset_in_text <= m.end():
            return m.group(0)
    return None


def definition(ws: Workspace, matrix: Matrix, offset: int) -> list[Target]:
    hit = locate(matrix, offset)
    if hit.governing is not None:
        rel = resolve_reference_path(hit.governing.path, posixpath.dirname(matrix.path), ws.fs)
        return [Target(rel)] if rel and ws.fs.is_file(rel) and not ws.fs.escapes(rel) else []
    if hit.cell is not None and hit.ref is None:
        ident = exception_id_at(ws, hit.cell.text, offset - hit.cell.span.start)
        if ident:
            where = ws.exception_ids().get(ident)
            return [Target(where[0], where[1])] if where else []
        return []
    ref = hit.ref
    if ref is None:
        return []
    if ref.kind == RefKind.CI:
        return _ci_targets(ws, hit, ref)
    if ref.kind == RefKind.NAME:
        return _name_targets(ws, hit, ref)
    if ref.kind == RefKind.GLOB:
        return [Target(f) for f in glob_files(ws, ref.pattern or "")[:MAX_TARGETS]]
    if ref.kind == RefKind.COMMAND:
        return [Target(path, line) for path, line, _ in command_targets(ws, hit, ref)]
    paths = resolve_paths(ws, ref)
    if len(paths) > 1:  # an ambiguous bare file name: every candidate
        out: list[Target] = []
        for rel in paths[:MAX_TARGETS]:
            out.extend(_path_targets(ws, hit, ref, rel) or [Target(rel)])
        return out
    return _path_targets(ws, hit, ref, paths[0] if paths else None)


MAX_TARGETS = 20  # candidates listed for an ambiguous name, a glob's files


def name_definitions(ws: Workspace, name: str, tests_first: bool = False) -> list[tuple[str, Definition]]:
    """Where a bare name is defined in the workspace (tests first when asked)."""
    found = list(find_name(ws, name).defined)
    if tests_first:
        found.sort(key=lambda fd: not fd[1].is_test)
    return found


def _name_targets(ws: Workspace, hit: Hit, ref: Reference) -> list[Target]:
    """A bare name → its definitions across the workspace (every one when several files
    define it)."""
    symbol = hit.symbol if hit.symbol is not None else (ref.symbols[0] if ref.symbols else None)
    if symbol is None:
        return []
    found = name_definitions(ws, symbol.name, cites_tests(ref.role, ""))
    return [Target(f, d.line, d.end_line) for f, d in found if d.kind != "impl"][:MAX_TARGETS]


def glob_files(ws: Workspace, pattern: str) -> list[str]:
    """The workspace's files a cited glob matches."""
    from parity_lsp.rules._evidence import glob_regex

    try:
        rx = glob_regex(pattern)
    except re.error:
        return []
    return [f for f in ws.files() if rx.fullmatch(f)]


def command_targets(ws: Workspace, hit: Hit, ref: Reference) -> list[tuple[str, int, str]]:
    """(file, 0-based line, what) for each command of a reference cited outside a workflow:
    the Makefile target, or the package.json script, it names."""
    out: list[tuple[str, int, str]] = []
    commands = [hit.command] if hit.command is not None else ref.commands
    for cmd in commands:
        parsed = parse_command(cmd.text)
        if isinstance(parsed, MakeRun):
            names = [parsed.makefile] if parsed.makefile else ["GNUmakefile", "makefile", "Makefile"]
            d = (parsed.directory or "").strip("/")
            for name in names:
                path = f"{d}/{name}" if d else name
                if ws.fs.is_file(path):
                    text = ws.fs.read_text(path).text or ""
                    mk = parse_makefile(text)
                    out.extend(
                        (path, mk.rules[t].line, f"make target `{t}`")
                        for t in parsed.targets
                        if t in mk.rules
                    )
                    break
        elif isinstance(parsed, ScriptRun) and parsed.workspace_filter is None:
            d = (parsed.directory or "").strip("/")
            path = f"{d}/package.json" if d else "package.json"
            js = ws.fs.read_text(path).text if ws.fs.is_file(path) else None
            try:
                scripts = package_scripts(js) if js else {}
            except ValueError:
                scripts = {}
            if js is not None and parsed.script in scripts:
                out.append((path, json_key_line(js, parsed.script), f"script `{parsed.script}`"))
    return out


def _path_targets(ws: Workspace, hit: Hit, ref: Reference, rel: str | None) -> list[Target]:
    """symbol → its definitions; a cited line → that line; the path → the file.
    `ref` is `hit.ref`, known not to be None; `rel` the file it names."""
    if rel is None or not ws.fs.is_file(rel):
        return []
    tests_first = cites_tests(ref.role, ref.path)
    symbol = hit.symbol if hit.part == SYMBOL else None
    if symbol is None and ref.line_start is not None and hit.part in (LINE, PATH):
        return [Target(rel, max(0, ref.line_start - 1), (ref.line_end - 1) if ref.line_end else None)]
    if symbol is None and ref.fragment is not None and rel.lower().endswith((".md", ".markdown")):
        found = document_anchors(ws.fs, rel)  # `guide.md#retry-policy`: the heading's line
        line = found.line_of(ref.fragment) if found is not None else None
        if line is not None:
            return [Target(rel, line)]
    if symbol is None and hit.part != PATH and ref.symbols:
        symbol = ref.symbols[0]
    if symbol is not None:
        d = best_definition(symbol_definitions(ws, rel, symbol.name, tests_first), ref.line_start)
        if d is not None:
            return [Target(rel, d.line, d.end_line)]
        if hit.part == SYMBOL:
            return []
    return [Target(rel)]


def _ci_targets(ws: Workspace, hit: Hit, ref: Reference) -> list[Target]:
    rel = resolve_path(ws, ref)
    if rel is None:
        return []
    wf = load_workflow(ws.fs, rel)
    job = find_job(wf, ref.job) if (wf.ok and ref.job) else None
    if hit.part == JOB:
        return [Target(rel, job.line)] if job else []
    if hit.part == COMMAND and hit.command is not None:
        if job is None:
            return []
        (match,) = match_cited_commands(job, [hit.command.text])
        if match.matched:
            return [Target(rel, c.line) for c in match.matched]
        return []
    if job is not None and hit.part != PATH:
        return [Target(rel, job.line)]
    return [Target(rel)]
