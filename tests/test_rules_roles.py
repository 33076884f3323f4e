"""Issue 17 items 1-2 through the engine's JSON: rules on tables read by their roles (not the
template's headers) and on status meanings (not the word `Implemented`).

Each workspace is a real one: a matrix in another team's shape, the code, tests and workflow it
cites, and (where the headers cannot be inferred) a `.parity-lsp.toml` with `[columns]` and
`[statuses]`. Asserted: the diagnostics `parity-lsp check --format json` prints, and nothing on
the rows that are right.
"""

from __future__ import annotations

from rulekit import at, check, codes, in_row, one, only, workspace

MATRIX = "docs/parity/matrix.md"

PARSER_PY = """
def parse(text):
    return text.split()


class Lexer:
    def tokens(self):
        return []
"""
# 1 def parse | 5 class Lexer | 6 def tokens

TEST_PARSER_PY = """
from app.parser import parse


def test_parse():
    assert parse("a b") == ["a", "b"]


def test_parse_empty():
    assert parse("") == []
"""
# 4 def test_parse | 8 def test_parse_empty

CI_YML = """
name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m pytest tests
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: python -m pytest tests/other
"""

PY_SOURCES = {
    "app/__init__.py": "",
    "app/parser.py": PARSER_PY,
    "tests/test_parser.py": TEST_PARSER_PY,
    "tests/other/test_unrelated.py": "def test_other():\n    pass\n",
    ".github/workflows/ci.yml": CI_YML,
    "docs/design.md": "# Design\n",
}

CI = "`.github/workflows/ci.yml` (job `test`: `python -m pytest tests`)"


def plan_matrix(*rows: str) -> str:
    """The shape `Plan heading | Status | Evidence (code/workflow/docs) | Evidence (tests) | Gap note`."""
    head = (
        "# Plan parity\n\n"
        "| Plan heading | Status | Evidence (code/workflow/docs) | Evidence (tests) | Gap note |\n"
        "|---|---|---|---|---|\n"
    )
    return head + "".join(r + "\n" for r in rows)


def test_a_plan_shaped_matrix_without_configuration(tmp_path):
    root = workspace(
        tmp_path,
        {
            **PY_SOURCES,
            MATRIX: plan_matrix(
                f"| Parse input | done | `app/parser.py` (`parse`)<br>{CI} | `tests/test_parser.py` (`test_parse`) | |",
                f"| Lexer | done | `app/parser.py` (`Lexer::tokens`)<br>{CI} | `tests/test_parser.py` (`test_lex`) | |",
                "| Docs only | done | `docs/design.md` | | only written down |",
                "| Wrong job | done | `app/parser.py` (`parse`)<br>"
                "`.github/workflows/ci.yml` (job `lint`: `python -m pytest tests/other`) "
                "| `tests/test_parser.py` (`test_parse_empty`) | |",
                "| Streaming | partial | `app/parser.py` (`parse`) | | no backpressure |",
                "| Plugins | not started | | | ✅ shipped in v2 |",
                "| Typo | dnoe | | | |",
            ),
        },
    )
    diags = check(root)
    assert sorted((d["code"], d["line"]) for d in diags) == sorted(
        [
            ("PM305", 6),  # Lexer: the test was renamed
            ("PM201", 6),  # ... and it was the row's only test
            ("PM201", 7),  # Docs only: a document is not proof
            ("PM202", 7),
            ("PM203", 8),  # Wrong job: `pytest tests/other` does not run tests/test_parser.py
            ("PM205", 10),  # a planned row presented as shipped
            ("PM101", 11),  # a status with no meaning
        ]
    ), [(d["code"], d["line"], d["message"]) for d in diags]
    assert one(diags, "PM305")["message"].startswith(
        "test `test_lex` is not defined in `tests/test_parser.py`"
    )
    pm201 = only(diags, "PM201")[1]
    assert pm201["message"] == (
        "`done` row cites no proving test in `Evidence (tests)` or `Evidence (code/workflow/docs)`: "
        "a document is not proof (`docs/design.md`)"
    )
    assert at(pm201) == in_row(root, "Docs only", "| |")  # on the empty tests cell, where the test goes
    assert one(diags, "PM202")["message"] == (
        "`done` row cites no CI workflow, job and command in `Evidence (code/workflow/docs)`"
    )
    assert one(diags, "PM205")["message"] == (
        "`not started` row is presented as shipped (`✅`): a planned row is not shipped parity"
    )
    pm101 = one(diags, "PM101")
    assert pm101["message"].startswith(
        "status `dnoe` has no meaning (shipped: done; partial: partial; planned: not started)"
    )
    assert pm101["message"].endswith("(did you mean `done`?)")
    assert pm101["fix"] is None  # a status word is a claim: only a suggestion


def test_mixed_column_references_are_classified_by_what_they_resolve_to(tmp_path):
    # one `Evidence` column: a test file's missing test is PM305 (tests), a code file's missing
    # symbol PM303 (code), a workflow a CI citation (PM203 judged), a document no proof
    root = workspace(
        tmp_path,
        {
            **PY_SOURCES,
            MATRIX: "| Feature | Status | Evidence |\n|---|---|---|\n"
            f"| Parse | ✅ | `app/parser.py` (`parse`); `tests/test_parser.py` (`test_parse`); {CI} |\n"
            "| Gone test | ✅ | `tests/test_parser.py` (`test_gone`) |\n"
            "| Gone code | ✅ | `app/parser.py` (`gone`) |\n"
            "| Docs | ✅ | `docs/design.md` |\n",
        },
    )
    diags = check(root)
    assert sorted((d["code"], d["line"]) for d in diags) == [
        ("PM201", 4),
        ("PM201", 5),
        ("PM201", 6),
        ("PM303", 5),
        ("PM305", 4),
    ], diags
    assert "test `test_gone`" in one(diags, "PM305")["message"]
    assert "symbol `gone`" in one(diags, "PM303")["message"]
    # a bare `Evidence` column names neither tests nor CI: any proof that resolves will do, and
    # the table is not checked for CI gating (no PM202)
    assert [d["message"] for d in only(diags, "PM201")] == [
        "`✅` row has no proof that resolves (every cited file, test or symbol is missing)",
        "`✅` row has no proof that resolves (every cited file, test or symbol is missing)",
        "`✅` row cites no proof (code, a test or a CI job) in `Evidence`: a document is not proof (`docs/design.md`)",
    ]


def test_a_table_without_a_ci_column_gets_no_pm202_but_its_tests_are_checked(tmp_path):
    root = workspace(
        tmp_path,
        {
            **PY_SOURCES,
            MATRIX: "| Feature | Status | Covered By Unit/Snapshot Tests |\n|---|---|---|\n"
            "| Parse | ✅ | `tests/test_parser.py` (`test_parse`) |\n"
            "| Empty input | ✅ (inline only) | `tests/test_parser.py` (`test_parse_empty`) |\n"
            "| Lexer | ✅ | |\n"
            "| Streaming | 🟡 | |\n"
            "| Plugins | ⬜ | |\n",
        },
    )
    diags = check(root)
    assert [(d["code"], d["line"], d["message"]) for d in diags] == [
        ("PM201", 5, "`✅` row cites no proving test in `Covered By Unit/Snapshot Tests`")
    ]


def test_pm201_without_a_tests_column_asks_for_any_proof(tmp_path):
    root = workspace(
        tmp_path,
        {
            **PY_SOURCES,
            MATRIX: "| Normative Source | Status | Current Enforcement Evidence | Notes |\n|---|---|---|---|\n"
            "| RFC 1 §2 | covered | `app/parser.py` (`parse`) | |\n"
            "| RFC 1 §3 | covered | Missing proof: a parser for it | |\n"
            "| RFC 1 §4 | covered | `app/missing.py` | |\n"
            "| RFC 1 §5 | gap | | planned for Q3 |\n",
        },
    )
    diags = check(root)
    assert sorted((d["code"], d["line"]) for d in diags) == [("PM201", 4), ("PM201", 5), ("PM301", 5)], diags
    assert only(diags, "PM201")[0]["message"] == (
        "`covered` row cites no proof (code, a test or a CI job) in `Current Enforcement Evidence`"
    )
    assert only(diags, "PM201")[1]["message"] == (
        "`covered` row has no proof that resolves (every cited file, test or symbol is missing)"
    )


def test_configuration_names_columns_and_meanings_the_headers_do_not_say(tmp_path):
    text = (
        "| Scenario | Result | Proven in |\n|---|---|---|\n"
        "| Parse | green | `tests/test_parser.py` (`test_parse`) |\n"
        "| Lex | green | `tests/test_parser.py` (`test_lex`) |\n"
        "| Stream | amber | |\n"
        "| Host | Host-owned (no renderer hook) | |\n"
    )
    files = {**PY_SOURCES, MATRIX: text}
    root = workspace(tmp_path, files)
    assert check(root) == []  # `Result` names no status: not a matrix without configuration
    (root / ".parity-lsp.toml").write_text(
        '[columns]\nstatus = "Result"\ntests = ["Proven in"]\n\n'
        '[statuses]\nshipped = ["green"]\npartial = ["amber"]\nexception = ["Host-owned (no renderer hook)"]\n'
    )
    diags = check(root)
    assert [(d["code"], d["line"]) for d in diags] == [("PM201", 4), ("PM305", 4)], diags


def test_a_template_table_with_the_lexicon_words_keeps_the_template_vocabulary(tmp_path):
    # a table with the template's Capability and Status columns is the template's: `done` is
    # not one of its words (PM101, as always), and `Implemented` rules do not apply to it
    root = workspace(
        tmp_path,
        {
            **PY_SOURCES,
            MATRIX: "| Capability | Status | Evidence (Tests) |\n|---|---|---|\n"
            "| Parse | done | `tests/test_parser.py` (`test_parse`) |\n",
        },
    )
    diags = check(root, select=["PM101", "PM201"])
    assert [d["message"] for d in diags] == [
        (
            "unknown status `done`: expected one of Implemented, Partial, Designed, Planned, Exception "
            "(did you mean `Implemented`?)"
        )
    ]


def test_pm206_in_a_table_read_by_roles_only_when_there_is_an_exceptions_document(tmp_path):
    rows = "| Feature | Status | Tests |\n|---|---|---|\n| Windows | n/a | |\n"
    root = workspace(tmp_path, {**PY_SOURCES, MATRIX: rows})
    assert codes(check(root)) == []  # no exceptions document: `n/a` is not asked to cite one
    (root / "docs/audits").mkdir(parents=True)
    (root / "docs/audits/exceptions.md").write_text("# Exceptions\n\n- EX-01 Windows support\n")
    d = one(check(root), "PM206")
    assert d["message"] == "`n/a` row does not point to `docs/audits/exceptions.md` or cite an exception id"


def test_csv_and_tsv_matrices_are_read_by_roles(tmp_path):
    csv = "Feature,Status,Tests\nParse,done,`tests/test_parser.py` (`test_parse`)\nLex,done,\n"
    tsv = csv.replace(",", "\t")
    root = workspace(tmp_path, {**PY_SOURCES, "docs/a-parity.csv": csv, "docs/b-parity.tsv": tsv})
    diags = check(root)
    assert [(d["code"], d["line"], d["path"]) for d in diags if d["code"] != "PM003"] == [
        ("PM201", 3, "docs/a-parity.csv"),
        ("PM201", 3, "docs/b-parity.tsv"),
    ]
    assert len(only(diags, "PM003")) == 4  # the two files list the same capabilities


def test_a_table_without_a_ci_column_is_said_to_be_unchecked_for_ci(tmp_path):
    import contextlib
    import io
    import json

    from parity_lsp import cli

    root = workspace(
        tmp_path,
        {
            **PY_SOURCES,
            ".git/HEAD": "",
            MATRIX: "| Feature | Status | Tests |\n|---|---|---|\n| Parse | done | `tests/test_parser.py` (`test_parse`) |\n",
        },
    )

    def main(*args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["check", "--root", str(root), *args])
        return code, out.getvalue(), err.getvalue()

    code, out, err = main()
    assert code == 0
    assert (
        out.splitlines()[-1]
        == "1 matrix, 1 row: all checks passed (CI gating not checked in 1 table with no CI column)"
    )
    assert "CI gating was not checked in 1 table with no CI column (docs/parity/matrix.md:1)" in err
    code, out, _ = main("--format", "json")
    (notice,) = [n for n in json.loads(out)["notices"] if n["kind"] == "ci-not-checked"]
    assert notice["paths"] == [MATRIX]
