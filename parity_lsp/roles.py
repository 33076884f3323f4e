"""Column roles and status meanings (docs/spec/matrix.md#column-roles,
docs/spec/matrix.md#status-meanings): which column of a table plays which part, and
what a status value means.

Invariant: pure, no IO. Roles are assigned once per table when it is parsed (`assign_roles`);
a status value's meaning is looked up once per distinct value and vocabulary (`Vocabulary`
caches it). Rules and features ask for roles and meanings, never for header text.

Roles: `capability`, `status`, `code`, `tests`, `ci`, `evidence` (one mixed column: each
reference is classified by what it resolves to), `owner`, `proof-level`, `notes`. A column gets
its role, in this order of precedence:

1. from the `[columns]` configuration (`configured`): a role named there is given to the
   headers listed, and never inferred from other headers;
2. from the template's own column names (`template`), whatever is configured for other headers:
   `Capability`, `Status`, `Proof Level Required`, `Evidence (Code)`, `Evidence (Tests)`,
   `Evidence (CI)`, `Owner`, `Notes`;
3. only in tables that are not template tables: from words of the header (`inferred`), and the
   first column as the capability when no column is named like one (`first column`).

A *template table* has a `Capability` and a `Status` column and one of the template's own
columns (`TEMPLATE_OWN_COLUMNS`), or no column inference would make an evidence column
(docs/spec/matrix.md#matrix-tables): it is a matrix whatever its other columns (PM001 reports
the missing ones) and its other columns are read as before (no inference). Any other table is
a matrix when it has a status column and at least one evidence-role column (code, tests, ci,
evidence): `Capability | Status | Code | Tests | CI` is one.

Meanings: `shipped`, `partial`, `planned`, `exception` (see `Vocabulary`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# --- roles ------------------------------------------------------------------------------------

CAPABILITY = "capability"
STATUS = "status"
CODE = "code"
TESTS = "tests"
CI = "ci"
EVIDENCE = "evidence"
OWNER = "owner"
PROOF = "proof-level"
NOTES = "notes"
ROLES = (CAPABILITY, STATUS, CODE, TESTS, CI, EVIDENCE, OWNER, PROOF, NOTES)
EVIDENCE_ROLES = (CODE, TESTS, CI, EVIDENCE)
# A role that at most one column plays (the first column with it; later ones get none).
SINGLE_ROLES = frozenset((CAPABILITY, STATUS, OWNER, PROOF))
# What a reference of a mixed `evidence` column is when it cites a document: not proof.
DOC = "doc"

# How a column got its role.
CONFIGURED, TEMPLATE, INFERRED, FIRST_COLUMN = "configured", "template", "inferred", "first column"

# The template's columns (normalized) and their roles. `Arco Feature` is an extra column.
TEMPLATE_COLUMNS = {
    "capability": CAPABILITY,
    "status": STATUS,
    "proof level required": PROOF,
    "evidence (code)": CODE,
    "evidence (tests)": TESTS,
    "evidence (ci)": CI,
    "owner": OWNER,
    "notes": NOTES,
}


# The columns only the template has (`Capability`, `Status`, `Owner` and `Notes` are any team's):
# a table with `Capability` and `Status` and one of these is the template's, even if incomplete.
TEMPLATE_OWN_COLUMNS = frozenset(
    {"arco feature", "proof level required", "evidence (code)", "evidence (tests)", "evidence (ci)"}
)


def _is_matrix_by_inference(
    names: Sequence[str],
    norm: Sequence[str],
    roles: Sequence[str | None],
    configured: frozenset[str],
    first: Mapping[str, int],
) -> bool:
    """Whether a column without a role yet would be inferred an evidence column (no role given:
    a dry run of step 3 of `assign_roles`)."""
    taken = dict(first)
    for i, name in enumerate(names):
        if roles[i] is None and norm[i] not in TEMPLATE_COLUMNS:
            found = _infer(header_words(name), configured, taken)
            if found is not None and found[0] in EVIDENCE_ROLES:
                return True
    return False


def normalize_column(name: str) -> str:
    """Column names match case-insensitively with whitespace folded (and emphasis dropped)."""
    return " ".join(name.replace("*", "").strip().split()).lower()


# Header words per role (a keyword of several words matches those words in a row). Only the
# words: `Evidence (code/workflow/docs)` is the words evidence, code, workflow, docs.
_KEYWORDS: dict[str, tuple[str, ...]] = {
    STATUS: ("status", "state", "progress"),
    PROOF: ("proof level", "required level"),
    CI: ("ci", "workflow", "workflows", "pipeline", "pipelines", "github actions"),
    TESTS: (
        "covered by",
        "proven by",
        "verified by",
        "test",
        "tests",
        "tested",
        "testing",
        "coverage",
        "proof",
        "proofs",
        "proving",
        "verification",
    ),
    CODE: ("implemented in", "code", "implementation", "source", "sources", "src"),
    EVIDENCE: ("evidence", "references"),
    OWNER: ("owned by", "owner", "owners", "assignee", "dri", "maintainer", "maintainers", "responsible"),
    NOTES: (
        "note",
        "notes",
        "comment",
        "comments",
        "remarks",
        "gap",
        "gaps",
        "details",
        "caveats",
        "limitations",
    ),
    CAPABILITY: (
        "capability",
        "capabilities",
        "feature",
        "features",
        "requirement",
        "requirements",
        "item",
        "behavior",
        "behaviour",
        "scenario",
        "heading",
        "concept",
        "functionality",
    ),
}
_WORDS = re.compile(r"[^\W_]+")
_MAX_HEADER_WORDS = 40  # a header is a few words: a longer one is read by its first words


def header_words(name: str) -> tuple[str, ...]:
    return tuple(_WORDS.findall(name.lower())[:_MAX_HEADER_WORDS])


def _keyword_hit(words: tuple[str, ...], role: str) -> str | None:
    """The first keyword of `role` that `words` contain (as a run of words), or None."""
    for keyword in _KEYWORDS[role]:
        parts = keyword.split()
        n = len(parts)
        if n == 1:
            if parts[0] in words:
                return keyword
            continue
        for i in range(len(words) - n + 1):
            if list(words[i : i + n]) == parts:
                return keyword
    return None


@dataclass(frozen=True, slots=True)
class RoleOrigin:
    """Why a column has its role (or none): what hover says."""

    role: str | None
    how: str  # CONFIGURED, TEMPLATE, INFERRED, FIRST_COLUMN, or "" (no role)
    reason: str  # the keyword, the configuration source, or why the column has no role
    header: str = ""  # the header text as written

    def describe(self) -> str:
        """One line: `tests — inferred from the header text `Covered By Tests` (contains "covered by")`."""
        if self.role is None:
            return f"no role — {self.reason}" if self.reason else "no role (an extra column: not read)"
        if self.how == CONFIGURED:
            return f"{self.role} — configured in {self.reason} [columns]"
        if self.how == TEMPLATE:
            return (
                f"{self.role} — the header `{self.header}` (the template's name for the {self.role} column)"
            )
        if self.how == FIRST_COLUMN:
            return f"{self.role} — the first column (no column is named like a capability)"
        return f"{self.role} — inferred from the header text `{self.header}` ({self.reason})"


_NONE = RoleOrigin(None, "", "")


@dataclass(slots=True)
class TableRoles:
    """The roles of one table's columns, computed once when the table is parsed."""

    by_index: tuple[str | None, ...]  # role per column (None: an extra column)
    origins: tuple[RoleOrigin, ...]  # why, per column
    first: dict[str, int]  # role -> its first column
    template: bool  # a template table (Capability and Status columns, docs/spec/matrix.md#matrix-tables)
    # evidence columns in order: (column index, role), the columns whose references are parsed
    evidence_columns: tuple[tuple[int, str], ...]
    # what the table has a column for: TESTS when a tests column (or a mixed evidence column
    # whose header names tests) exists, CI likewise. A template table expects both.
    expects: frozenset[str] = frozenset()

    @property
    def is_matrix(self) -> bool:
        return self.template or (STATUS in self.first and bool(self.evidence_columns))

    def role_at(self, index: int) -> str | None:
        return self.by_index[index] if 0 <= index < len(self.by_index) else None

    def origin_at(self, index: int) -> RoleOrigin:
        return self.origins[index] if 0 <= index < len(self.origins) else _NONE

    def missing(self) -> list[str]:
        """What keeps a table from being a matrix: the roles it lacks (`status`, an evidence role)."""
        out = []
        if STATUS not in self.first:
            out.append(STATUS)
        if not self.evidence_columns:
            out.append("an evidence column (code, tests, ci or evidence)")
        return out


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """The `[columns]` configuration, normalized: role -> header names (normalized). A role
    present here (even with no names) is never inferred."""

    roles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    source: str = ""  # where it was configured (`.parity-lsp.toml`, `<editor settings>`)

    @classmethod
    def of(cls, columns: Mapping[str, Sequence[str]] | None, source: str = "") -> ColumnSpec:
        if not columns:
            return EMPTY_SPEC
        return cls(
            tuple(
                (role, tuple(normalize_column(n) for n in ([names] if isinstance(names, str) else names)))
                for role, names in columns.items()
            ),
            source or "the configuration",
        )

    @property
    def configured(self) -> frozenset[str]:
        return frozenset(role for role, _ in self.roles)


EMPTY_SPEC = ColumnSpec()


def assign_roles(names: Sequence[str], spec: ColumnSpec | None = None) -> TableRoles:
    """The roles of a header's columns (`names` as written, plain values). Never raises; linear
    in the header's size."""
    spec = spec or EMPTY_SPEC
    n = len(names)
    norm = [normalize_column(name) for name in names]
    roles: list[str | None] = [None] * n
    origins = [RoleOrigin(None, "", "", name) for name in names]
    first: dict[str, int] = {}
    configured = spec.configured

    def give(i: int, role: str, how: str, reason: str) -> bool:
        if roles[i] is not None:
            return False
        if role in SINGLE_ROLES and role in first:
            origins[i] = RoleOrigin(None, "", f"a second {role} column: only the first one is read", names[i])
            return False
        roles[i] = role
        origins[i] = RoleOrigin(role, how, reason, names[i])
        first.setdefault(role, i)
        return True

    # 1. configured headers
    if spec.roles:
        where: dict[str, list[int]] = {}
        for i, name in enumerate(norm):
            where.setdefault(name, []).append(i)
        for role, headers in spec.roles:
            for header in headers:
                for i in where.get(header, ()):
                    give(i, role, CONFIGURED, spec.source)
    # 2. the template's names
    for i, name in enumerate(norm):
        known = TEMPLATE_COLUMNS.get(name)
        if known is not None and roles[i] is None:
            give(i, known, TEMPLATE, "")
    # the template's rule (docs/spec/matrix.md#matrix-tables): its `Capability` and `Status`
    # columns play those roles
    template = (
        CAPABILITY in first
        and STATUS in first
        and norm[first[CAPABILITY]] == "capability"
        and norm[first[STATUS]] == "status"
    )
    if template and not any(name in TEMPLATE_OWN_COLUMNS for name in norm):
        # `Capability | Status | Code | Tests | CI`: none of the template's own columns; a matrix
        # by the roles of its other columns is read by them (its words, its required columns),
        # not asked for the template's nine
        template = not _is_matrix_by_inference(names, norm, roles, configured, first)
    # 3. inference (not in template tables)
    if not template:
        for i in range(n):
            if roles[i] is None:
                found = _infer(header_words(names[i]), configured, first)
                if found is not None:
                    give(i, found[0], INFERRED, found[1])
        if CAPABILITY not in first and CAPABILITY not in configured:
            _first_column_is_capability(roles, origins, first)
    evidence = tuple((i, r) for i, r in enumerate(roles) if r in EVIDENCE_ROLES)
    expects: set[str] = set()
    if template:
        expects = {TESTS, CI}
    for i, r in evidence:
        if r in (TESTS, CI):
            expects.add(r)
        elif r == EVIDENCE:
            words = header_words(names[i])
            expects.update(x for x in (TESTS, CI) if _keyword_hit(words, x))
    return TableRoles(tuple(roles), tuple(origins), first, template, evidence, frozenset(expects))


def _first_column_is_capability(
    roles: list[str | None], origins: list[RoleOrigin], first: dict[str, int]
) -> None:
    """No column is named like a capability: the first column names the row, whatever its
    header says (`Normative Source`), unless it is the status or was configured or is one of
    the template's columns."""
    for i, role in enumerate(roles):
        if role == STATUS or origins[i].how in (CONFIGURED, TEMPLATE):
            continue
        if role is not None:  # an inferred role it gives up: the next column of that role has it
            del first[role]
            later = next((j for j in range(i + 1, len(roles)) if roles[j] == role), None)
            if later is not None:
                first[role] = later
        roles[i] = CAPABILITY
        origins[i] = RoleOrigin(CAPABILITY, FIRST_COLUMN, "", origins[i].header)
        first[CAPABILITY] = i
        return


def _infer(
    words: tuple[str, ...], configured: frozenset[str], taken: dict[str, int]
) -> tuple[str, str] | None:
    """(role, why) for a header's words, or None. Roles configured are never inferred."""
    if not words:
        return None

    def hit(role: str) -> str | None:
        if role in configured or (role in SINGLE_ROLES and role in taken):
            return None
        return _keyword_hit(words, role)

    for role in (STATUS, PROOF):
        keyword = hit(role)
        if keyword is not None:
            return role, f'contains "{keyword}"'
    kinds = {role: kw for role in (CODE, TESTS, CI) if (kw := _keyword_hit(words, role)) is not None}
    bare = _keyword_hit(words, EVIDENCE)
    if len(kinds) >= 2 or (bare is not None and not kinds):
        if EVIDENCE not in configured:
            if len(kinds) >= 2:
                named = " and ".join(f'"{kw}"' for kw in kinds.values())
                return EVIDENCE, f"names several kinds of evidence ({named}): each reference is classified"
            return EVIDENCE, f'contains "{bare}": each reference is classified'
    elif len(kinds) == 1:
        ((role, keyword),) = kinds.items()
        if role not in configured:
            return role, f'contains "{keyword}"'
    for role in (OWNER, NOTES, CAPABILITY):
        keyword = hit(role)
        if keyword is not None:
            return role, f'contains "{keyword}"'
    return None


def unique_names(names: Iterable[str]) -> list[str]:
    """Normalized column names, made unique: a repeated header `Tests` is `tests`, then
    `tests (2)` (each column keys its own cells and evidence)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        key = normalize_column(name)
        if key in seen:
            k = 2
            while f"{key} ({k})" in seen:
                k += 1
            key = f"{key} ({k})"
        seen.add(key)
        out.append(key)
    return out


# --- what a reference of a mixed column is ---------------------------------------------------

DOCUMENT_EXTENSIONS = frozenset((".md", ".markdown", ".rst", ".adoc", ".txt", ".html", ".pdf", ".org"))
TEST_DIRECTORIES = frozenset(("tests", "test", "__tests__", "spec", "specs", "Tests", "testing", "e2e"))


def is_document(path: str) -> bool:
    """A document (`docs/design.md`): named as evidence, it proves nothing."""
    dot = path.rfind(".")
    return dot > path.rfind("/") and path[dot:].lower() in DOCUMENT_EXTENSIONS


def in_test_directory(path: str) -> bool:
    """A file under a tests directory (`tests/`, `Tests/`, `__tests__/`, `spec/`)."""
    return any(part in TEST_DIRECTORIES for part in path.split("/")[:-1])


def cites_tests(role: str | None, path: str) -> bool:
    """Whether a reference written in a column of `role` cites tests, as far as its text says
    (no IO): a tests column's; a mixed column's reference to a test file (by the language's
    conventions or a tests directory). `RowContext.role_of` also looks at the definitions."""
    if role == TESTS:
        return True
    if role != EVIDENCE:
        return False
    from parity_lsp import languages

    return languages.is_test_file(path) or in_test_directory(path)


# --- status meanings --------------------------------------------------------------------------

SHIPPED, PARTIAL, PLANNED, EXCEPTION = "shipped", "partial", "planned", "exception"
MEANINGS = (SHIPPED, PARTIAL, PLANNED, EXCEPTION)

# The template's vocabulary (`statuses`) and what each word means.
TEMPLATE_MEANINGS = {
    "implemented": SHIPPED,
    "partial": PARTIAL,
    "designed": PLANNED,
    "planned": PLANNED,
    "exception": EXCEPTION,
}

# The built-in lexicon (docs/spec/matrix.md#status-meanings), for tables that are not template
# tables when no status
# vocabulary is configured.
LEXICON: dict[str, tuple[str, ...]] = {
    SHIPPED: (
        "done",
        "complete",
        "completed",
        "implemented",
        "shipped",
        "supported",
        "yes",
        "covered",
        "ported",
        "✅",
        "✔",
        "☑",
        "🟢",
    ),
    PARTIAL: (
        "partial",
        "partially",
        "in progress",
        "in-progress",
        "wip",
        "ongoing",
        "started",
        "🟡",
        "🚧",
        "🟠",
    ),
    PLANNED: (
        "planned",
        "todo",
        "to do",
        "not started",
        "not implemented",
        "not yet",
        "gap",
        "missing",
        "no",
        "backlog",
        "designed",
        "proposed",
        "⬜",
        "❌",
        "🔴",
    ),
    EXCEPTION: (
        "exception",
        "n/a",
        "na",
        "not applicable",
        "out of scope",
        "won't do",
        "wont do",
        "won't fix",
        "wontfix",
        "excluded",
    ),
}

_VARIATION = dict.fromkeys((0xFE0E, 0xFE0F, 0x200D), None)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def fold_status(value: str) -> str:
    """A status value as it is compared: case, whitespace, emoji variation selectors and curly
    apostrophes folded (emphasis is already gone from a cell's plain value)."""
    text = value.translate(_VARIATION).translate(_APOSTROPHES)
    text = text.replace("*", "").replace("~~", "")
    return " ".join(text.split()).casefold()


def meaning_of_word(word: str) -> str | None:
    """What a status word means without configuration: the template's words, then the lexicon."""
    folded = fold_status(word)
    found = TEMPLATE_MEANINGS.get(folded)
    if found is not None:
        return found
    return _LEXICON_INDEX.get(folded)


_LEXICON_INDEX = {fold_status(v): meaning for meaning, values in LEXICON.items() for v in values}

# How a vocabulary entry was given (for hover and messages).
FROM_CONFIG, FROM_STATUSES, FROM_LEXICON = "configured", "statuses", "lexicon"


@dataclass(frozen=True, slots=True)
class StatusMatch:
    """What a status value means and why."""

    value: str  # the vocabulary value it matched (as configured / written in the lexicon)
    meaning: str | None  # None: a configured word without a meaning (accepted, no rule applies)
    source: str  # FROM_CONFIG, FROM_STATUSES, FROM_LEXICON
    exact: bool  # equal after folding (else: the cell starts with the value)
    where: str = ""  # the configuration file, for FROM_CONFIG

    def describe(self, written: str) -> str:
        """`shipped — `✅ (inline only)` starts with `✅`, which the built-in lexicon reads as shipped`."""
        meaning = self.meaning or "no meaning"
        how = "is" if self.exact else f"starts with `{self.value}`, which is"
        if self.source == FROM_CONFIG:
            why = f"configured in {self.where or 'the configuration'} [statuses] {self.meaning}"
        elif self.source == FROM_STATUSES:
            why = "in the `statuses` vocabulary" + (
                f" (the template's word for {self.meaning})"
                if self.meaning
                else " (no meaning: no rule applies)"
            )
        else:
            why = f"in the built-in lexicon ({self.meaning})"
        return f"**{meaning}** — `{written}` {how} {why}"


@dataclass(slots=True)
class Vocabulary:
    """The status values a table accepts and what they mean.

    - `[statuses]` (meaning -> values) configured: a meaning listed there has exactly those
      values; the others keep their defaults below;
    - the `statuses` list configured (not the template's default): its words, each with the
      template's meaning or the lexicon's (or none);
    - nothing configured: a template table accepts the template's five words (matched exactly,
      as always); any other table the template's words and the built-in lexicon.

    `legacy` (a template table with no `[statuses]`): a value matches only when equal after
    folding case, whitespace and emphasis, and PM101 speaks of the `statuses` list. Otherwise
    a value also matches a cell that starts with it followed by a space or punctuation
    (`✅ (inline only)` is `✅`)."""

    entries: tuple[tuple[str, str | None, str], ...]  # (value, meaning, source), longest first
    legacy: bool
    words: tuple[str, ...]  # the values in their configured/lexicon order (completion, messages)
    where: str = ""
    _exact: dict[str, int] = field(default_factory=dict)
    _cache: dict[str, StatusMatch | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, (value, _m, _s) in enumerate(self.entries):
            self._exact.setdefault(self._key(value), i)

    def _key(self, value: str) -> str:
        # the template's vocabulary compares as it always did: trimmed and lower-cased
        return value.strip().lower() if self.legacy else fold_status(value)

    def match(self, value: str) -> StatusMatch | None:
        """The vocabulary entry `value` (a cell's plain value) matches, or None."""
        cache = self._cache
        if value in cache:
            return cache[value]
        result = self._match(value)
        if len(cache) > 4096:
            cache.clear()
        cache[value] = result
        return result

    def _match(self, value: str) -> StatusMatch | None:
        folded = self._key(value)
        if not folded:
            return None
        i = self._exact.get(folded)
        if i is not None:
            v, meaning, source = self.entries[i]
            return StatusMatch(v, meaning, source, True, self.where)
        if self.legacy:
            return None
        for v, meaning, source in self.entries:
            key = fold_status(v)
            if key and folded.startswith(key) and _ends_word(key, folded):
                return StatusMatch(v, meaning, source, False, self.where)
        return None

    def meaning(self, value: str) -> str | None:
        found = self.match(value)
        return found.meaning if found is not None else None

    def values_for(self, meaning: str) -> list[str]:
        """The values of a meaning, in their configured (or lexicon) order."""
        return [v for v in self.words if self.meaning(v) == meaning]


def _ends_word(key: str, folded: str) -> bool:
    """`folded` starts with `key`, followed by nothing, a space or punctuation (or `key` itself
    ends in a symbol: `✅done`)."""
    if len(folded) == len(key):
        return True
    nxt = folded[len(key)]
    if nxt.isspace():
        return True
    if not (key[-1].isalnum()):
        return True
    return unicodedata.category(nxt)[0] in "PS"


def build_vocabulary(
    statuses: Sequence[str],
    meanings: Mapping[str, Sequence[str]] | None,
    template: bool,
    customized: bool,
    where: str = "",
) -> Vocabulary:
    """The vocabulary of a table (see `Vocabulary`). `statuses`: the `statuses` list;
    `customized`: it is not the template's default; `meanings`: `[statuses]`, if configured."""
    configured = meanings or {}
    legacy = template and meanings is None
    lexicon = not template and not customized
    entries: list[tuple[str, str | None, str]] = []
    words: list[str] = []
    seen: set[str] = set()

    def add(value: str, meaning: str | None, source: str) -> None:
        key = fold_status(value)
        if key in seen or not key:
            return
        seen.add(key)
        entries.append((value, meaning, source))
        words.append(value)

    for meaning in MEANINGS:
        if meaning in configured:
            for value in configured[meaning]:
                add(value, meaning, FROM_CONFIG)
    for value in statuses:
        m = meaning_of_word(value)
        if m is not None and m in configured:
            continue  # that meaning's values are the configured ones
        add(value, m, FROM_STATUSES)
    if lexicon:
        for meaning in MEANINGS:
            if meaning not in configured:
                for value in LEXICON[meaning]:
                    add(value, meaning, FROM_LEXICON)
    ordered = sorted(entries, key=lambda e: -len(fold_status(e[0])))
    return Vocabulary(tuple(ordered), legacy, tuple(words), where)
