"""`--format json` against the docs/spec/cli.md#json-output schema (strict: no extra keys)."""

from __future__ import annotations

import json

from parity_lsp.findings import Edit, Finding, Fix, Related, Severity
from parity_lsp.output import make_report, render
from parity_lsp.text import LineIndex, Span

POS = {"type": "integer", "minimum": 1}
EDIT = {
    "type": "object",
    "required": ["path", "line", "column", "end_line", "end_column", "content"],
    "properties": {
        "path": {"type": "string"},
        "line": POS,
        "column": POS,
        "end_line": POS,
        "end_column": POS,
        "content": {"type": "string"},
    },
    "additionalProperties": False,
}
DIAGNOSTIC = {
    "type": "object",
    "required": ["path", "line", "column", "end_line", "end_column", "severity", "code", "message", "fix"],
    "properties": {
        "path": {"type": "string"},
        "line": POS,
        "column": POS,
        "end_line": POS,
        "end_column": POS,
        "severity": {"enum": ["error", "warning", "info", "hint"]},
        "code": {"type": "string", "pattern": "PM"},
        "message": {"type": "string"},
        "fix": {
            "type": ["object", "null"],
            "required": ["message", "edits"],
            "properties": {"message": {"type": "string"}, "edits": {"type": "array", "items": EDIT}},
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
COUNT = {"type": "integer", "minimum": 0}
NOTICE = {
    "type": "object",
    "required": ["kind", "level", "message", "paths"],
    "properties": {
        "kind": {"enum": ["root", "nested-projects", "no-matrix-table", "nothing-checked"]},
        "level": {"enum": ["note", "warning", "error"]},
        "message": {"type": "string"},
        "paths": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}

SCHEMA = {
    "type": "object",
    "required": [
        "version",
        "root",
        "files_checked",
        "summary",
        "matrices",
        "rows",
        "files_without_matrix_table",
        "notices",
        "diagnostics",
    ],
    "properties": {
        "version": {"enum": [1]},
        "root": {"type": "string"},
        "files_checked": COUNT,
        "matrices": COUNT,
        "rows": COUNT,
        "files_without_matrix_table": {"type": "array", "items": {"type": "string"}},
        "notices": {"type": "array", "items": NOTICE},
        "summary": {
            "type": "object",
            "required": ["error", "warning", "info", "hint"],
            "properties": {"error": COUNT, "warning": COUNT, "info": COUNT, "hint": COUNT},
            "additionalProperties": False,
        },
        "diagnostics": {"type": "array", "items": DIAGNOSTIC},
    },
    "additionalProperties": False,
}

TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "null": type(None),
}


def _is(value, typ: str) -> bool:
    if typ == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, TYPES[typ])


def validate(value, schema: dict, where: str = "$") -> list[str]:
    """The subset of JSON Schema used above: type, enum, minimum, pattern (prefix), required,
    properties, additionalProperties false, items."""
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(value, t) for t in types):
            return [f"{where}: {value!r} is not {types}"]
    if value is None:
        return errors
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{where}: {value} < {schema['minimum']}")
    if "pattern" in schema and not value.startswith(schema["pattern"]):
        errors.append(f"{where}: {value!r} does not match")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{where}: missing {key!r}")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                errors += validate(item, props[key], f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unexpected key {key!r}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], f"{where}[{i}]")
    return errors


def test_the_validator_catches_violations():
    bad = {"version": 2, "root": "/r", "files_checked": -1, "summary": {}, "diagnostics": [{"extra": 1}]}
    errors = validate(bad, SCHEMA)
    assert any("version" in e for e in errors)
    assert any("files_checked" in e for e in errors)
    assert any("missing 'hint'" in e for e in errors)
    assert any("unexpected key 'extra'" in e for e in errors)


MATRIX = (
    "| Capability | Status | Evidence (Tests) |\r\n"
    "|---|---|---|\r\n"
    "| Tick 😀 | Implemented | `tests/test_x.py:20` (`test_x`) |\r\n"
)
PATH = "docs/parity/m.md"


def build(with_source_lines=True):
    start = MATRIX.index("`tests/test_x.py:20`")
    line_no = MATRIX.index("20`")
    drift = Finding(
        code="PM304",
        severity=Severity.WARNING,
        path=PATH,
        span=Span(start, start + len("`tests/test_x.py:20`")),
        message="`tests/test_x.py:20` is outside `test_x` (lines 14-18)",
        fix=Fix(
            "Point to line 14, where `test_x` is defined", (Edit(PATH, Span(line_no, line_no + 2), "14"),)
        ),
        related=[Related("tests/test_x.py", 13, 4, "`test_x` is defined here")],
    )
    owner = Finding("PM103", Severity.INFO, PATH, Span(2, 12), "Owner is `TBD`")
    missing = Finding("PM001", Severity.ERROR, "docs/parity/other.md", Span(0, 0), "header lacks `Owner`")
    texts = {PATH: MATRIX, "docs/parity/other.md": "| Capability |\n"}
    indexes = {p: LineIndex(t) for p, t in texts.items()}
    indexes["tests/test_x.py"] = LineIndex(
        "\n" * 13 + "    def test_x():\n        pass\n"
    )  # the related place
    return make_report(
        "/abs/root",
        sorted(texts),
        [drift, owner, missing],
        indexes.__getitem__,
        with_source_lines=with_source_lines,
    )


def test_only_the_formats_said_to_read_source_lines_read_them():
    # the CLI skips gathering them for the others (the 100k check's JSON took 12 ms less)
    from parity_lsp.output import FORMATS, FORMATS_READING_SOURCE_LINES

    for fmt in FORMATS:
        same = render(build(with_source_lines=True), fmt) == render(build(with_source_lines=False), fmt)
        assert same == (fmt not in FORMATS_READING_SOURCE_LINES), fmt


def test_json_matches_the_schema_and_key_order():
    out = render(build(), "json")
    data = json.loads(out)
    assert validate(data, SCHEMA) == []
    # docs/spec/cli.md#json-output's keys in its order; what the run covered (issue 16/17) added after `summary`
    assert list(data) == [
        "version",
        "root",
        "files_checked",
        "summary",
        "matrices",
        "rows",
        "files_without_matrix_table",
        "notices",
        "diagnostics",
    ]
    assert list(data["summary"]) == ["error", "warning", "info", "hint"]
    for d in data["diagnostics"]:
        assert list(d) == [
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "severity",
            "code",
            "message",
            "fix",
        ]
        if d["fix"]:
            assert list(d["fix"]) == ["message", "edits"]
            for e in d["fix"]["edits"]:
                assert list(e) == ["path", "line", "column", "end_line", "end_column", "content"]
    assert out == json.dumps(data, indent=2, ensure_ascii=False)


def test_json_values():
    data = json.loads(render(build(), "json"))
    assert data["version"] == 1
    assert data["root"] == "/abs/root"
    assert data["files_checked"] == 2
    assert data["summary"] == {"error": 1, "warning": 1, "info": 1, "hint": 0}
    first, second, third = data["diagnostics"]
    # Sorted by path, line, column, code.
    assert (first["path"], first["line"], first["code"]) == ("docs/parity/m.md", 1, "PM103")
    assert first["fix"] is None
    assert (second["path"], second["line"], second["column"]) == ("docs/parity/m.md", 3, 26)
    assert (second["end_line"], second["end_column"]) == (3, 46)
    assert second["severity"] == "warning"
    assert second["fix"]["edits"] == [
        {
            "path": "docs/parity/m.md",
            "line": 3,
            "column": 43,
            "end_line": 3,
            "end_column": 45,
            "content": "14",
        }
    ]
    assert (third["path"], third["line"], third["column"], third["end_column"]) == (
        "docs/parity/other.md",
        1,
        1,
        1,
    )


def test_json_keeps_non_ascii_and_has_no_related_key():
    out = render(build(), "json")
    assert "😀" not in out  # the emoji is in the source, not in a message
    report = build()
    report.diagnostics[0].finding.message = "Owner is `TBD` — 😀"
    out = render(report, "json")
    assert "— 😀" in out and "\\u" not in out
    assert '"related"' not in out


def test_json_empty_report():
    data = json.loads(render(make_report("/abs/root", [], [], LineIndex), "json"))
    assert validate(data, SCHEMA) == []
    assert data["diagnostics"] == [] and data["summary"] == {"error": 0, "warning": 0, "info": 0, "hint": 0}


from conftest import examples  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TEXT = st.text(
    st.characters(blacklist_categories=["Cs"])
    | st.sampled_from(['"', "\\", "\n", "\t", "\x00", "\u2028", "😀"]),
    max_size=12,
)


_PATHS = st.sampled_from([PATH, 'docs/"quoted"\\.md', "ü/😀.md"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            _TEXT,
            _TEXT,
            st.booleans(),
            st.booleans(),
            st.sampled_from(list(Severity)),
            _PATHS,
            st.sampled_from(["PM999", "PM301", 'P"M\\1']),
        ),
        max_size=6,
    ),
    st.booleans(),
)
def test_json_is_json_dumps_indent_2_byte_for_byte(items, empty_report):
    """render_json writes diagnostics from a template (json.dumps with an indent encodes in
    Python, slowly), escaping repeated paths, codes and severities once: the text must be
    json.dumps's own, whatever the strings hold."""
    from parity_lsp.output.json_format import to_json_obj

    text = "| a | b |\n|---|---|\n| x | y |\n"
    findings = []
    for message, content, with_fix, safe, severity, path, code in items:
        fix = (
            Fix(message + "!", (Edit(path, Span(2, 3), content), Edit("other/ü.md", Span(0, 0), "")), safe)
            if with_fix
            else None
        )
        findings.append(
            Finding(code, severity, path, Span(0, min(len(text), len(message))), message, fix=fix)
        )
    paths = [] if empty_report else sorted({f.path for f in findings} | {PATH})
    report = make_report('/abs/ro"ot', paths, [] if empty_report else findings, lambda p: LineIndex(text))
    out = render(report, "json")
    assert out == json.dumps(to_json_obj(report), indent=2, ensure_ascii=False)


# --- positions: `locate` answers as LineIndex.position ------------------------------------------

from parity_lsp.output import locate  # noqa: E402


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.sampled_from(["a", "é", "😀", "\n", "\r\n", "\r", "|", " "]), max_size=25).map("".join),
    st.lists(
        st.tuples(st.integers(-3, 40), st.integers(0, 12), st.sampled_from(["a.md", "b.md", "gone.md"])),
        max_size=8,
    ),
)
def test_locate_answers_as_the_line_index(text, spans):
    indexes = {"a.md": LineIndex(text), "b.md": LineIndex(text[::-1])}
    findings = [
        Finding("PM999", Severity.ERROR, path, Span(max(0, s), max(0, s) + n), "m") for s, n, path in spans
    ]

    def position(path, offset):
        line, col = indexes.get(path, LineIndex("")).position(offset)
        return line + 1, col + 1

    for d in locate(findings, indexes.__getitem__):
        f = d.finding
        assert (d.line, d.column) == position(f.path, f.span.start)
        assert (d.end_line, d.end_column) == position(f.path, f.span.end)


def test_json_says_what_the_run_covered():
    from parity_lsp.output import Notice

    report = make_report(
        "/abs/root",
        [PATH],
        [],
        lambda p: LineIndex(MATRIX),
        rows=2,
        without_table=["docs/parity/charter.md"],
        notices=[Notice("root", 'no "marker"\n', paths=("a",), level="warning")],
    )
    out = render(report, "json")
    data = json.loads(out)
    assert validate(data, SCHEMA) == []
    assert (data["files_checked"], data["matrices"], data["rows"]) == (1, 1, 2)
    assert data["files_without_matrix_table"] == ["docs/parity/charter.md"]
    assert data["notices"] == [
        {"kind": "root", "level": "warning", "message": 'no "marker"\n', "paths": ["a"]}
    ]
    from parity_lsp.output.json_format import to_json_obj

    assert out == json.dumps(to_json_obj(report), indent=2, ensure_ascii=False)
