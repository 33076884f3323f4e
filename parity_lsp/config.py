"""Configuration: `[tool.parity-lsp]` in pyproject.toml or `.parity-lsp.toml`, then editor settings.

Invariant: loading never raises. Unknown keys and bad values become `ConfigProblem`s (with the
line of the offending key when it can be found) and the default is kept for that key.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from parity_lsp.findings import Severity
from parity_lsp.roles import (
    EMPTY_SPEC,
    MEANINGS,
    ROLES,
    ColumnSpec,
    Vocabulary,
    build_vocabulary,
    fold_status,
)

DEFAULT_INCLUDE = ("docs/parity/**/*.md", "**/*parity*.md", "**/*parity*.csv", "**/*parity*.tsv")
# The defaults match `parity` in any case (`docs/PARITY.md`, `Feature-Parity.csv`): the globs as
# matched, in the order of DEFAULT_INCLUDE (shown as written there).
_ANY_CASE_PARITY = "".join(f"[{c.upper()}{c}]" for c in "parity")
_DEFAULT_INCLUDE_ANY_CASE = {glob: glob.replace("parity", _ANY_CASE_PARITY) for glob in DEFAULT_INCLUDE}
# Templates match the include globs (`docs/parity/dagster-parity-matrix-template.md`) but their
# example rows are not claims: they are not matrices unless named on the command line, opened in
# the editor, or matched by an `include` glob that itself says "template". Any case:
# `template.md`, `*-template.md`, `*_template.md`, `*.template.md`, and files under a
# `templates/` or `template/` directory.
_ANY_CASE_TEMPLATE = "".join(f"[{c.upper()}{c}]" for c in "template")
TEMPLATE_EXCLUDE = (
    f"{_ANY_CASE_TEMPLATE}.*",
    f"*[-_.]{_ANY_CASE_TEMPLATE}.*",
    f"{_ANY_CASE_TEMPLATE}/",
    f"{_ANY_CASE_TEMPLATE}[sS]/",
)
DEFAULT_REQUIRED_COLUMNS = (
    "Capability",
    "Arco Feature",
    "Status",
    "Proof Level Required",
    "Evidence (Code)",
    "Evidence (Tests)",
    "Evidence (CI)",
    "Owner",
    "Notes",
)
DEFAULT_STATUSES = ("Implemented", "Partial", "Designed", "Planned", "Exception")
DEFAULT_PROOF_LEVELS = ("unit", "integration", "e2e", "prod")
DEFAULT_EXCEPTIONS_DOC = ("docs/audits/*exception*.md",)
DEFAULT_EXCEPTION_ID = r"EX-\d+[a-z]?"
DEFAULT_FORBIDDEN = ("docs/plans/**", ".worktrees/**")
DEFAULT_PROOF_GLOBS = {
    "unit": ("**/src/**/*.rs", "**/tests/unit/**", "**/*_test.go"),
    "integration": ("**/tests/*.rs", "**/tests/**/*.rs", "**/tests/integration/**"),
    "e2e": ("**/tests/e2e/**", "**/*e2e*"),
}
DEFAULT_OWNER_PLACEHOLDERS = ("TBD", "TODO", "?", "-", "—", "–", "unassigned", "n/a", "none", "unknown", "")
DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024

OFF = "off"


@dataclass(frozen=True)
class Config:
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    required_columns: tuple[str, ...] = DEFAULT_REQUIRED_COLUMNS
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    proof_levels: tuple[str, ...] = DEFAULT_PROOF_LEVELS
    exceptions_doc: tuple[str, ...] = DEFAULT_EXCEPTIONS_DOC
    exception_id_pattern: str = DEFAULT_EXCEPTION_ID
    forbidden_evidence: tuple[str, ...] = DEFAULT_FORBIDDEN
    proof_level_globs: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_PROOF_GLOBS))
    owner_placeholders: tuple[str, ...] = DEFAULT_OWNER_PLACEHOLDERS
    severity: dict[str, str] = field(default_factory=dict)  # code -> error|warning|info|hint|off
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    changed_since: str | None = None
    # `[columns]`: role -> header names (docs/spec/matrix.md#column-roles); None: every role inferred
    columns: dict[str, tuple[str, ...]] | None = None
    # `[statuses]` (the `statuses` key given as a table): meaning -> values; None: not configured
    status_meanings: dict[str, tuple[str, ...]] | None = None
    # where `[columns]` / `[statuses]` were configured (hover and messages say it)
    columns_from: str = ""
    statuses_from: str = ""

    def memo(self, name: str) -> dict[str, Any]:
        """A dict kept on this configuration for answers derived from it alone (a configuration
        never changes once built): selection per code, enabled rules per scope. Keyed by code or
        scope; what the values are is up to the one who names the memo."""
        memos = self.__dict__.get("_memos")
        if memos is None:
            memos = {}
            object.__setattr__(self, "_memos", memos)
        found = memos.get(name)
        if found is None:
            found = memos[name] = {}
        return found

    def is_enabled(self, code: str) -> bool:
        """ruff-style selection: codes or prefixes (`PM3`); ignore beats select. Asked for
        every finding: answered once per code."""
        memo = self.memo("enabled")
        found = memo.get(code)
        if found is None:
            found = memo[code] = self._selects(code)
        return found

    def _selects(self, code: str) -> bool:
        if self.severity.get(code) == OFF:
            return False
        if any(code.startswith(p) for p in self.ignore):
            return False
        return not (
            self.select is not None and not any(code.startswith(p) or p == "ALL" for p in self.select)
        )

    @property
    def column_spec(self) -> ColumnSpec:
        """`[columns]` as the parsers read it (computed once)."""
        memo = self.memo("column spec")
        found: ColumnSpec | None = memo.get("spec")
        if found is None:
            found = memo["spec"] = (
                ColumnSpec.of(self.columns, self.columns_from) if self.columns else EMPTY_SPEC
            )
        return found

    def vocabulary(self, template: bool) -> Vocabulary:
        """The status vocabulary of a template table (`template`) or of any other table
        (`roles.Vocabulary`): computed once per configuration and kind of table."""
        memo = self.memo("vocabulary")
        key = "template" if template else "other"
        found: Vocabulary | None = memo.get(key)
        if found is None:
            found = memo[key] = build_vocabulary(
                self.statuses,
                self.status_meanings,
                template,
                customized=tuple(self.statuses) != DEFAULT_STATUSES,
                where=self.statuses_from,
            )
        return found

    @property
    def include_patterns(self) -> tuple[str, ...]:
        """The `include` globs as matched: each default glob matches `parity` in any case
        (a configured glob matches as written)."""
        return tuple(_DEFAULT_INCLUDE_ANY_CASE.get(glob, glob) for glob in self.include)

    @property
    def matrix_exclude(self) -> tuple[str, ...]:
        """What keeps a file matching `include` from being a matrix: `exclude`, and templates
        (`TEMPLATE_EXCLUDE`) unless an `include` glob asks for them by saying "template"."""
        if any("template" in glob.lower() for glob in self.include):
            return self.exclude
        return self.exclude + TEMPLATE_EXCLUDE

    @property
    def exception_id_re(self) -> re.Pattern[str]:
        """`exception-id-pattern` as a whole-word regex (validated when loaded; compiled once)."""
        return _exception_id_re(self.exception_id_pattern)

    @property
    def exception_id_prefilter(self) -> re.Pattern[str]:
        """`exception-id-pattern` without the word boundaries: finds a superset of the places
        `exception_id_re` matches, much faster (a leading `\\b` hides the pattern's literal
        prefix from the regex engine, which then tries every position of a row)."""
        return _exception_id_bare(self.exception_id_pattern)

    def severity_for(self, code: str, default: Severity) -> Severity:
        value = self.severity.get(code)
        if value and value != OFF:
            return Severity.parse(value)
        return default


@functools.lru_cache(maxsize=8)
def _exception_id_re(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(rf"\b(?:{pattern})\b")
    except re.error:  # unreachable for loaded configs (validated), kept for hand-built ones
        return re.compile(rf"\b(?:{DEFAULT_EXCEPTION_ID})\b")


@functools.lru_cache(maxsize=8)
def _exception_id_bare(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(rf"(?:{pattern})")
    except re.error:
        return re.compile(rf"(?:{DEFAULT_EXCEPTION_ID})")


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    path: str  # file the problem is in (workspace-relative), or "<settings>"
    line: int  # 0-based; 0 when unknown
    message: str


_KEYS = {
    "include": "globs",
    "exclude": "globs",
    "required-columns": "strings",
    "statuses": "strings",
    "proof-levels": "strings",
    "exceptions-doc": "globs",
    "exception-id-pattern": "regex",
    "forbidden-evidence": "globs",
    "proof-level-globs": "levelglobs",
    "owner-placeholders": "strings",
    "severity": "severity",
    "select": "codes",
    "ignore": "codes",
    "max-file-bytes": "posint",
    "changed-since": "string",
    "columns": "columns",
    # `statuses` given as a table, under a name of its own (VS Code declares `statuses` a list)
    "status-meanings": "meanings",
}
_CODE = re.compile(r"^(?:PM\d{0,3}|ALL)$")
_NESTED_QUANTIFIER = re.compile(r"\([^)]*[+*}][^)]*\)\s*[+*{]")


def _key_line(text: str, key: str) -> int:
    m = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", text, re.M)
    return text.count("\n", 0, m.start()) if m else 0


def apply_settings(
    config: Config, data: object, source: str, text: str = ""
) -> tuple[Config, list[ConfigProblem]]:
    """Overlay `data` (kebab-case or camelCase keys) on `config`, validating each value. `data`
    is what a TOML table or an editor sent: anything, a table of keys if well formed."""
    problems: list[ConfigProblem] = []
    # field name -> value: `_validate` gives each key its field's type, which the checker cannot
    # relate to a name computed from the key
    updates: dict[str, Any] = {}
    if not isinstance(data, dict):
        return config, [ConfigProblem(source, 0, "configuration must be a table of keys")]
    for raw_key, value in data.items():
        key = re.sub(r"(?<!^)(?=[A-Z])", "-", str(raw_key)).lower().replace("_", "-")
        line = _key_line(text, str(raw_key)) if text else 0
        kind = _KEYS.get(key)
        if kind is None:
            known = ", ".join(sorted(_KEYS))
            problems.append(ConfigProblem(source, line, f"unknown key `{raw_key}` (known keys: {known})"))
            continue
        try:
            if (key == "statuses" and isinstance(value, dict)) or kind == "meanings":
                if not isinstance(value, dict):
                    raise ValueError('expected a table of meaning = ["value", ...]')
                updates["status_meanings"] = _meanings(value) or None
                updates["statuses_from"] = _source_name(source)
            elif kind == "columns":
                updates["columns"] = _columns(value) or None
                updates["columns_from"] = _source_name(source)
            else:
                updates[key.replace("-", "_")] = _validate(kind, key, value, config)
        except ValueError as exc:
            problems.append(ConfigProblem(source, line, f"`{raw_key}`: {exc}"))
    if updates:
        config = replace(config, **updates)
    return config, problems


def _source_name(source: str) -> str:
    """How hover names where a setting comes from: `.parity-lsp.toml`, `pyproject.toml
    [tool.parity-lsp]`, the editor settings."""
    if source == "<editor settings>":
        return "the editor settings (`parityLsp`)"
    if source.endswith("pyproject.toml"):
        return f"`{source}` [tool.parity-lsp]"
    return f"`{source}`"


def _role_key(key: object) -> str:
    """`proofLevel`, `proof_level`, `Proof-Level` -> `proof-level`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", str(key)).lower().replace("_", "-")


def _columns(value: Any) -> dict[str, tuple[str, ...]]:
    """`[columns]`: role = "Header" or ["Header", ...]; a header names one role only."""
    if not isinstance(value, dict):
        raise ValueError('expected a table of role = "Header" or ["Header", ...]')
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for raw, names in value.items():
        role = _role_key(raw)
        if role not in ROLES:
            raise ValueError(f"unknown role `{raw}` (roles: {', '.join(ROLES)})")
        headers = _strings(role, names)
        for header in headers:
            key = " ".join(header.replace("*", "").split()).lower()
            if not key:
                raise ValueError(f"{role}: an empty header name")
            if owner.get(key, role) != role:
                raise ValueError(f"header `{header}` is given two roles: {owner[key]} and {role}")
            owner[key] = role
        out[role] = headers
    return out


def _meanings(value: dict[Any, Any]) -> dict[str, tuple[str, ...]]:
    """`[statuses]`: meaning = ["value", ...]; a value has one meaning only."""
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for raw, values in value.items():
        meaning = str(raw).strip().lower()
        if meaning not in MEANINGS:
            raise ValueError(
                f"unknown meaning `{raw}` (meanings: {', '.join(MEANINGS)}; "
                "or give `statuses` as a list of values)"
            )
        words = _strings(meaning, values)
        for word in words:
            key = fold_status(word)
            if not key:
                raise ValueError(f"{meaning}: an empty status value")
            if owner.get(key, meaning) != meaning:
                raise ValueError(f"status `{word}` is given two meanings: {owner[key]} and {meaning}")
            owner[key] = meaning
        out[meaning] = words
    return out


def _strings(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    return tuple(value)


# A validated setting: the type of its `Config` field.
_Value = tuple[str, ...] | str | int | dict[str, str] | dict[str, tuple[str, ...]] | None


def _check_globs(globs: tuple[str, ...]) -> None:
    """Raise ValueError naming the first glob gitignore-style matching refuses (`\\` alone)."""
    import pathspec

    for glob in globs:
        try:
            pathspec.GitIgnoreSpec.from_lines([glob])
        except (ValueError, TypeError) as exc:
            raise ValueError(f"invalid glob `{glob}`: {exc}") from None


def _validate(kind: str, key: str, value: Any, config: Config) -> _Value:
    if kind in ("globs", "strings"):
        if key == "statuses" and not isinstance(value, (list, str)):
            raise ValueError('expected a list of status values, or a table of meaning = ["value", ...]')
        strings = _strings(key, value)
        if kind == "strings" and key != "owner-placeholders" and not strings:
            raise ValueError("must not be empty")
        if kind == "globs":
            _check_globs(strings)
        return strings
    if kind == "codes":
        codes = tuple(v.upper() for v in _strings(key, value))
        bad = [v for v in codes if not _CODE.match(v)]
        if bad:
            raise ValueError(f"not a rule code or prefix: {', '.join(bad)}")
        return codes
    if kind == "regex":
        if not isinstance(value, str):
            raise ValueError("expected a regular expression string")
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        if len(value) > 200 or _NESTED_QUANTIFIER.search(value):
            # it runs over every matrix cell and exceptions document: no catastrophic backtracking
            raise ValueError("too complex: a quantified group may not itself be quantified (e.g. `(a+)+`)")
        return value
    if kind == "string":
        if value is not None and not isinstance(value, str):
            raise ValueError("expected a string")
        if value and (value.startswith("-") or not re.fullmatch(r"[\w./@^~{}:+-]{1,200}", value)):
            raise ValueError(f"not a git revision: {value!r}")
        return value or None
    if kind == "posint":
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError("expected a positive integer")
        return value
    if kind == "severity":
        if not isinstance(value, dict):
            raise ValueError("expected a table of CODE = level")
        severity = dict(config.severity)
        for code, level in value.items():
            if not isinstance(code, str) or not re.match(r"^PM\d{3}$", code.upper()):
                raise ValueError(f"not a rule code: {code!r}")
            if not isinstance(level, str):
                raise ValueError(f"{code}: expected error, warning, info, hint or off")
            level = level.lower()
            if level != OFF:
                Severity.parse(level)  # raises ValueError with a clear message
            severity[code.upper()] = level
        return severity
    if kind == "levelglobs":
        if not isinstance(value, dict):
            raise ValueError("expected a table of level = [globs]")
        level_globs: dict[str, tuple[str, ...]] = {}
        for level, globs in value.items():
            level_globs[str(level)] = _strings(key, globs)
        return level_globs
    raise ValueError("unsupported")


def find_config_file(root: Path) -> Path | None:
    for name in (".parity-lsp.toml", "pyproject.toml"):
        p = root / name
        if p.is_file():
            if name == "pyproject.toml":
                try:
                    text = p.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                if "[tool.parity-lsp]" not in text and "tool.parity-lsp" not in text:
                    continue
            return p
    return None


def load_config(root: Path, explicit: Path | None = None) -> tuple[Config, list[ConfigProblem], Path | None]:
    """Read the config file under `root` (or `explicit`); never raises."""
    config = Config()
    path = explicit or find_config_file(root)
    if path is None:
        return config, [], None
    try:
        rel = str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        rel = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return config, [ConfigProblem(rel, 0, f"cannot read config file: {exc}")], path
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) - 1 if m else (text.count("\n") - 1 if "end of document" in str(exc) else 0)
        return config, [ConfigProblem(rel, line, f"invalid TOML: {exc}")], path
    settings: object = data
    if path.name == "pyproject.toml" or (explicit is not None and "tool" in data):
        tool = data.get("tool", {})
        settings = tool.get("parity-lsp", {}) if isinstance(tool, dict) else None
        if not isinstance(settings, dict):
            return (
                config,
                [
                    ConfigProblem(
                        rel,
                        _key_line(text, "tool") if tool is not None else 0,
                        "`tool.parity-lsp` must be a table",
                    )
                ],
                path,
            )
    config, problems = apply_settings(config, settings, rel, text)
    return config, problems, path
