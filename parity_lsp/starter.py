"""What `parity-lsp init` writes.

- In a repository that already keeps matrix-like tables (`discover`): a `.parity-lsp.toml` with
  the `[columns]` and `[statuses]` inferred from them (docs/spec/matrix.md#column-roles,
  docs/spec/matrix.md#status-meanings) and `include` globs for the files found, and a summary
  of what was inferred and what could not be (`Discovery.summary`).
- In a repository without any: a starter matrix and a `.parity-lsp.toml`, in neutral words (no
  product of our own example). The starter rows are Planned with "Missing proof" evidence and no
  owner: a fresh `parity-lsp check` passes (only PM103 owner-unassigned, at info level), and
  nothing is claimed as shipped until someone cites the code, the test and the CI job.

Shipped as text inside the package, so `init` works from any install. Reads the repository only
through a `Workspace` (its file list honours `.gitignore`; nothing outside the root).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from parity_lsp.config import DEFAULT_INCLUDE, Config
from parity_lsp.engine import matrix_format, parse_matrix
from parity_lsp.model import Matrix, Table
from parity_lsp.roles import (
    CAPABILITY,
    CI,
    FIRST_COLUMN,
    INFERRED,
    MEANINGS,
    ROLES,
    STATUS,
    TESTS,
    fold_status,
)
from parity_lsp.rules.pm005_no_matrix_table import headers_seen
from parity_lsp.workspace.files import compile_globs, is_matrix_name
from parity_lsp.workspace.index import Workspace

MATRIX_PATH = "docs/parity/parity-matrix.md"
CONFIG_NAME = ".parity-lsp.toml"

# Looked at by `discover`: Markdown/CSV/TSV files of the repository, at most this many and this big.
MAX_FILES = 5000
MAX_FILE_BYTES = 2 * 1024 * 1024

STARTER_COLUMNS = (
    "Capability",
    "Component",
    "Status",
    "Proof Level Required",
    "Evidence (Code)",
    "Evidence (Tests)",
    "Evidence (CI)",
    "Owner",
    "Notes",
)

_HEADER = "| " + " | ".join(STARTER_COLUMNS) + " |\n" + "|---" * len(STARTER_COLUMNS) + "|\n"


def _table(*rows: tuple[str, str, str, str]) -> str:
    lines = []
    for capability, component, level, notes in rows:
        lines.append(
            f"| {capability} | {component} | Planned | {level} | Missing proof: code path and symbol "
            "| Missing proof: test file and test name | Missing proof: workflow, job and command "
            f"| TBD | {notes} |\n"
        )
    return _HEADER + "".join(lines)


# The starter tables: (heading, (capability, component, proof level, notes)) each
_SECTIONS: tuple[tuple[str, tuple[str, str, str, str]], ...] = (
    (
        "Configuration",
        ("Settings are read from the configuration file", "Config loader", "unit", "Unknown keys are errors"),
    ),
    ("Command line", ("Flags override the configuration file", "CLI", "integration", "")),
    ("Data model", ("Records keep their identity across updates", "Storage", "integration", "")),
    ("Interfaces", ("The public API lists items by status", "API", "integration", "")),
    ("Operations", ("A restart resumes interrupted work", "Scheduler", "e2e", "")),
    ("Production hardening", ("The service survives a crash mid-request", "Service", "prod", "")),
)

STARTER_MATRIX = """\
# Parity Matrix

One row per capability of the system this project claims parity with, with its status and
the evidence that proves it. `parity-lsp check` keeps the evidence honest.

<!-- Name the document this matrix answers to: a line "This matrix is governed by:" followed by
     a list item with its path, e.g. `docs/parity/charter.md`. parity-lsp then checks that the
     document exists (PM501). -->

## Columns

- **Capability**: the behaviour of the reference system, in its own words.
- **Component**: the part of this project that provides it.
- **Status**: Implemented | Partial | Designed | Planned | Exception.
- **Proof Level Required**: unit | integration | e2e | prod.
- **Evidence (Code)**: file paths and symbols, e.g. `src/config.py:12` (`load_settings`).
- **Evidence (Tests)**: test file + test name, e.g. `tests/test_config.py`
  (`test_unknown_keys_are_errors`).
- **Evidence (CI)**: the CI job and command that run the tests, e.g. `.github/workflows/ci.yml`
  (job `test`: `python -m pytest tests`).
- **Owner**: person or team.
- **Notes**: limits, edge cases, open questions.

## Status rules

- **Implemented** requires CI-gated proving tests.
- **Designed/Planned** must not be treated as shipped parity.
- **Exception** must point to the exceptions document (`docs/audits/*exception*.md`) or cite a
  declared exception id such as EX-01.

Check with `parity-lsp check`; summarize with `parity-lsp report --format html -o parity.html`.

""" + "\n".join(f"## {heading}\n\n{_table(row)}" for heading, row in _SECTIONS)

STARTER_CONFIG = (
    """\
# parity-lsp configuration (keys: see the README, section Configuration).

# Which files are parity matrices (gitignore-style globs).
include = ["docs/parity/**/*.md", "**/*parity*.md", "**/*parity*.csv", "**/*parity*.tsv"]

# The columns every matrix table must have (PM001).
required-columns = """
    + json.dumps(list(STARTER_COLUMNS), ensure_ascii=False)
    + """

# Where Exception rows must point, and what an exception id looks like.
exceptions-doc = ["docs/audits/*exception*.md"]
exception-id-pattern = "EX-\\\\d+[a-z]?"

# Evidence that proves nothing (plans, scratch worktrees).
forbidden-evidence = ["docs/plans/**", ".worktrees/**"]

# Rules to skip, and severities to change ("error" | "warning" | "info" | "hint" | "off").
ignore = []

[severity]
# PM304 = "error"
"""
)


# --- an existing repository: what its tables say -------------------------------------------------


@dataclass(slots=True)
class FoundTable:
    path: str
    line: int  # 1-based line of the header
    header: list[str]
    roles: list[tuple[str, str, str]]  # (header, role, why) of each column with a role
    template: bool
    expects_ci: bool
    expects_tests: bool
    statuses: dict[str, str | None] = field(default_factory=dict)  # word (first spelling) -> meaning


@dataclass(slots=True)
class Discovery:
    tables: list[FoundTable] = field(default_factory=list)
    # tables that look like a matrix but lack a role: (path, 1-based line, header, what is missing)
    lacking: list[tuple[str, int, str, str]] = field(default_factory=list)
    files_seen: int = 0
    truncated: bool = False  # more files than MAX_FILES: the rest were not looked at

    @property
    def files(self) -> list[str]:
        return sorted({t.path for t in self.tables})

    def columns(self) -> dict[str, list[str]]:
        """role -> header names, as `[columns]` writes them: the columns of tables that are not
        template tables (the template's own names need no configuration)."""
        out: dict[str, list[str]] = {}
        for t in self.tables:
            if t.template:
                continue
            for header, role, _why in t.roles:
                names = out.setdefault(role, [])
                if header not in names:
                    names.append(header)
        return {role: out[role] for role in ROLES if role in out}

    def statuses(self) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
        """(meaning -> the words the tables use for it, [(word, where)] with no meaning). Written
        only when some table is not a template table; template tables' words are kept with them
        (a configured meaning replaces its defaults in every table)."""
        meanings: dict[str, list[str]] = {}
        unknown: list[tuple[str, str]] = []
        seen: set[str] = set()
        for t in self.tables:
            for word, meaning in t.statuses.items():
                key = fold_status(word)
                if key in seen:
                    continue
                seen.add(key)
                if meaning is None:
                    unknown.append((word, f"{t.path}:{t.line}"))
                else:
                    meanings.setdefault(meaning, []).append(word)
        return {m: meanings[m] for m in MEANINGS if m in meanings}, unknown

    def config_text(self) -> str:
        """The `.parity-lsp.toml` for what was found."""
        default = compile_globs(Config().include_patterns)
        extra = [f for f in self.files if not default.match_file(f)]
        include = list(DEFAULT_INCLUDE) + extra
        lines = [
            "# parity-lsp configuration, written by `parity-lsp init` from the matrix tables found in",
            "# this repository (keys: see the README, section Configuration). Edit freely.",
            "",
            "# Which files are parity matrices (gitignore-style globs): the defaults and the files found.",
            f"include = {_toml_list(include)}",
        ]
        columns = self.columns()
        meanings, unknown = self.statuses()
        if any(not t.template for t in self.tables):
            lines += [
                "",
                "# Which column plays which role: inferred from the headers found.",
                "[columns]",
            ]
            lines += [f"{_toml_key(role)} = {_toml_list(names)}" for role, names in columns.items()]
            lines += ["", "# What each status word means: the words the tables use."]
            lines += ["[statuses]"]
            lines += [f"{meaning} = {_toml_list(words)}" for meaning, words in meanings.items()]
            for word, where in unknown:
                lines.append(
                    f"# not understood: {json.dumps(word, ensure_ascii=False)} ({where}): give it a meaning"
                )
        return "\n".join(lines) + "\n"

    def summary(self) -> list[str]:
        """What was inferred and what could not be, one line each (printed by `init`)."""
        out: list[str] = []
        for t in self.tables:
            kind = "template table" if t.template else "table"
            out.append(f"{t.path}:{t.line}: {kind} `{' | '.join(t.header)}`")
            for header, role, why in t.roles:
                out.append(f"  {role}: `{header}` ({why})")
            if not t.expects_tests:
                out.append("  no column for tests: shipped rows must cite some proof that resolves (PM201)")
            if not t.expects_ci:
                out.append("  no column for CI: CI gating is not checked for this table (PM202)")
            if t.statuses:
                words = ", ".join(f"`{w}` {m or 'no meaning'}" for w, m in t.statuses.items())
                out.append(f"  statuses: {words}")
        _meanings, unknown = self.statuses()
        for word, where in unknown:
            out.append(f"could not infer the meaning of status `{word}` ({where}): add it under [statuses]")
        for path, line, header, missing in self.lacking:
            out.append(f"{path}:{line}: `{header}` looks like a matrix but has no {missing}: not read")
        if self.truncated:
            out.append(f"looked at the first {MAX_FILES} Markdown/CSV/TSV files only")
        return out


def _toml_key(role: str) -> str:
    return role if role.replace("-", "").isalnum() else json.dumps(role)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def discover(root: object) -> Discovery:
    """The matrix tables of the repository at `root` (its Markdown/CSV/TSV files, as the
    workspace lists them: `.gitignore` honoured), with their roles and status words."""
    from pathlib import Path

    ws = Workspace(Path(str(root)), Config())
    found = Discovery()
    candidates = [f for f in ws.files() if is_matrix_name(f)]
    if len(candidates) > MAX_FILES:
        found.truncated = True
        candidates = candidates[:MAX_FILES]
    for rel in candidates:
        text = ws.fs.read_text(rel, limit=MAX_FILE_BYTES).text
        if not text or ("|" not in text and matrix_format(rel).value == "markdown"):
            continue
        found.files_seen += 1
        matrix = parse_matrix(rel, text)
        for table in matrix.tables:
            found.tables.append(_found(ws, matrix, table))
        if not matrix.tables:
            for header in headers_seen(matrix):
                r = header.roles
                capability = r.first.get(CAPABILITY)
                named = capability is not None and r.origin_at(capability).how != FIRST_COLUMN
                if named and (STATUS in r.first or r.evidence_columns):
                    missing = " and no ".join(
                        "status column" if m == STATUS else "evidence column" for m in r.missing()
                    )
                    found.lacking.append((rel, header.line + 1, " | ".join(header.names), missing))
    return found


def _found(ws: Workspace, matrix: Matrix, table: Table) -> FoundTable:
    r = table.roles
    roles = []
    for i, cell in enumerate(table.header):
        origin = r.origin_at(i)
        if origin.role is None:
            continue
        if origin.how == INFERRED:
            why = f"inferred: {origin.reason}"
        elif origin.how == FIRST_COLUMN:
            why = "the first column"
        else:
            why = "the template's name"
        roles.append((cell.value, origin.role, why))
    vocabulary = ws.config.vocabulary(r.template)
    statuses: dict[str, str | None] = {}
    folded: set[str] = set()
    for row in table.rows:
        word = row.status.strip()
        key = fold_status(word)
        if not key or key in folded:
            continue
        folded.add(key)
        match = vocabulary.match(word)
        if match is not None and not match.exact and match.meaning is not None:
            word = match.value  # `✅ (inline only)` is `✅`
            if fold_status(word) in {fold_status(w) for w in statuses}:
                continue
        statuses[word] = match.meaning if match is not None else None
        if len(statuses) >= 50:
            break
    return FoundTable(
        path=matrix.path,
        line=table.header_line + 1,
        header=[c.value for c in table.header],
        roles=roles,
        template=r.template,
        expects_ci=r.template or CI in r.expects,
        expects_tests=r.template or TESTS in r.expects,
        statuses=statuses,
    )
