"""Issue 17 items 1-3, docs/spec/matrix.md#column-roles: column roles inferred from headers (or configured), status
meanings (configured, the template's, or the built-in lexicon), and which tables are matrices.

Pure units of `parity_lsp/roles.py` and the parsers' use of them; Hypothesis fuzzes the
inference and the matching (1,000-column headers, emoji-only statuses, empty and duplicate
headers): never a crash, and linear growth.
"""

from __future__ import annotations

import time

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from parity_lsp.config import DEFAULT_STATUSES, Config, apply_settings
from parity_lsp.engine import parse_matrix
from parity_lsp.roles import (
    CAPABILITY,
    CI,
    CODE,
    CONFIGURED,
    EVIDENCE,
    FIRST_COLUMN,
    INFERRED,
    NOTES,
    OWNER,
    PARTIAL,
    PLANNED,
    PROOF,
    SHIPPED,
    STATUS,
    TEMPLATE,
    TESTS,
    ColumnSpec,
    assign_roles,
    build_vocabulary,
    unique_names,
)

TEMPLATE_HEADER = [
    "Capability",
    "Arco Feature",
    "Status",
    "Proof Level Required",
    "Evidence (Code)",
    "Evidence (Tests)",
    "Evidence (CI)",
    "Owner",
    "Notes",
]


def roles_of(names, spec=None):
    return list(assign_roles(names, spec).by_index)


# --- inference: the shapes of the issue and docs/spec/matrix.md#column-roles ----------------------------------------------


def test_the_template_keeps_its_nine_columns_and_arco_feature_is_an_extra_column():
    r = assign_roles(TEMPLATE_HEADER)
    assert r.template and r.is_matrix
    assert list(r.by_index) == [CAPABILITY, None, STATUS, PROOF, CODE, TESTS, CI, OWNER, NOTES]
    assert {o.how for o in r.origins if o.role} == {TEMPLATE}
    assert r.expects == {TESTS, CI}


def test_capability_and_status_with_a_teams_own_evidence_columns_is_read_by_its_roles():
    # found trying a Python repository: `Area,Capability,Status,Code,Tests,CI,Notes` was a template
    # table: PM001 asked for six columns, `done` was an unknown status, and its Code, Tests and CI
    # columns were read as nothing (a skipped test went unreported)
    header = ["Area", "Capability", "Status", "Code", "Tests", "CI", "Notes"]
    r = assign_roles(header)
    assert not r.template and r.is_matrix
    assert roles_of(header) == [None, CAPABILITY, STATUS, CODE, TESTS, CI, NOTES]
    # one of the template's own columns makes it the template's (PM001 asks for the rest)
    for own in ("Evidence (Code)", "Proof Level Required", "Arco Feature"):
        assert assign_roles(["Capability", "Status", own, "Tests"]).template, own
    # without an evidence column it is the template's too: a matrix whose evidence PM001 reports
    r = assign_roles(["Capability", "Status", "Owner"])
    assert r.template and r.is_matrix


@pytest.mark.parametrize(
    ("header", "roles", "expects"),
    [
        (
            ["Plan heading", "Status", "Evidence (code/workflow/docs)", "Evidence (tests)", "Gap note"],
            [CAPABILITY, STATUS, EVIDENCE, TESTS, NOTES],
            {TESTS, CI},  # the mixed column names a workflow: CI is expected there
        ),
        (["Feature", "Status", "Covered By Unit/Snapshot Tests"], [CAPABILITY, STATUS, TESTS], {TESTS}),
        (
            ["Normative Source", "Status", "Current Enforcement Evidence", "Notes"],
            [CAPABILITY, STATUS, EVIDENCE, NOTES],  # the first column names the row
            set(),
        ),
        (
            ["Requirement", "State", "Implementation", "CI workflow", "Owner"],
            [CAPABILITY, STATUS, CODE, CI, OWNER],
            {CI},
        ),
        (["Item", "Progress", "Tests", "Tests"], [CAPABILITY, STATUS, TESTS, TESTS], {TESTS}),
        (["Feature", "Status", "Evidence"], [CAPABILITY, STATUS, EVIDENCE], set()),
        (["ID", "Feature", "Status", "Source", "Pipeline"], [None, CAPABILITY, STATUS, CODE, CI], {CI}),
    ],
)
def test_roles_inferred_from_the_header(header, roles, expects):
    r = assign_roles(header)
    assert not r.template and r.is_matrix
    assert roles_of(header) == roles
    assert r.expects == expects


def test_why_a_role_was_inferred_is_said():
    r = assign_roles(["Feature", "Status", "Covered By Unit/Snapshot Tests"])
    tests = r.origin_at(2)
    assert (tests.role, tests.how) == (TESTS, INFERRED)
    assert tests.describe() == (
        'tests — inferred from the header text `Covered By Unit/Snapshot Tests` (contains "covered by")'
    )
    first = assign_roles(["Normative Source", "Status", "Evidence"]).origin_at(0)
    assert (first.role, first.how) == (CAPABILITY, FIRST_COLUMN)
    assert "first column" in first.describe()


@pytest.mark.parametrize(
    "header",
    [
        ["Section", "Page"],  # a table of contents
        ["Version", "Date", "Changes"],  # a changelog
        ["Name", "Value"],  # a configuration table
        ["Version", "Status", "Notes"],  # a status but no evidence column
        ["Task", "Status", "Owner"],
        ["Test", "Status"],  # a test plan: the first column names the row
        [],
        [""],
    ],
)
def test_tables_that_are_not_matrices(header):
    assert not assign_roles(header).is_matrix
    assert not parse_matrix("docs/parity/m.md", _md(header)).tables


def test_a_second_status_column_has_no_role_and_says_why():
    r = assign_roles(["Feature", "Status", "Status", "Tests"])
    assert roles_of(["Feature", "Status", "Status", "Tests"]) == [CAPABILITY, STATUS, None, TESTS]
    assert "only the first one is read" in r.origin_at(2).describe()


def test_duplicate_headers_get_unique_column_names():
    assert unique_names(["Tests", "tests", "Tests (2)", " TESTS "]) == [
        "tests",
        "tests (2)",
        "tests (2) (2)",
        "tests (3)",
    ]
    m = parse_matrix(
        "docs/parity/m.md", _md(["Feature", "Status", "Tests", "Tests"], ["A", "done", "`a.py`", "`b.py`"])
    )
    (row,) = m.tables[0].rows
    assert sorted(row.evidence) == ["tests", "tests (2)"]
    assert [r.path for ev in row.evidence.values() for r in ev.refs] == ["a.py", "b.py"]


# --- configured roles -------------------------------------------------------------------------


def test_configured_roles_win_and_a_configured_role_is_never_inferred():
    spec = ColumnSpec.of(
        {"capability": ["Plan heading"], "code": ["Evidence (code/workflow/docs)"], "ci": []},
        "`.parity-lsp.toml`",
    )
    header = ["Plan heading", "Status", "Evidence (code/workflow/docs)", "Evidence (tests)", "CI job"]
    r = assign_roles(header, spec)
    assert list(r.by_index) == [CAPABILITY, STATUS, CODE, TESTS, None]  # `ci = []`: no CI column
    assert r.origin_at(2).how == CONFIGURED
    assert r.origin_at(2).describe() == "code — configured in `.parity-lsp.toml` [columns]"
    assert r.expects == {TESTS}


def test_a_configured_header_makes_a_table_a_matrix():
    header = ["Scenario", "Result", "Proven in"]
    assert not assign_roles(header).is_matrix  # no status-like header
    spec = ColumnSpec.of({"status": "Result", "tests": ["Proven in"]})
    assert roles_of(header, spec) == [CAPABILITY, STATUS, TESTS]


def test_columns_configuration_is_validated():
    config, problems = apply_settings(Config(), {"columns": {"test": "Tests"}}, "x.toml")
    assert problems and "unknown role `test`" in problems[0].message
    _, problems = apply_settings(Config(), {"columns": {"tests": "A", "code": ["a"]}}, "x.toml")
    assert "header `a` is given two roles" in problems[0].message
    config, problems = apply_settings(
        Config(), {"columns": {"proofLevel": "Level", "tests": ["T1", "T2"]}}, "<editor settings>"
    )
    assert not problems
    assert config.columns == {"proof-level": ("Level",), "tests": ("T1", "T2")}
    assert "editor settings" in config.column_spec.source


# --- status meanings --------------------------------------------------------------------------


def lexicon():
    return build_vocabulary(DEFAULT_STATUSES, None, template=False, customized=False)


@pytest.mark.parametrize(
    ("value", "meaning"),
    [
        ("done", SHIPPED),
        ("Done", SHIPPED),
        ("**done**", SHIPPED),
        ("✅", SHIPPED),
        ("✔️", SHIPPED),  # with the emoji variation selector
        ("✅ (inline only)", SHIPPED),
        ("✅done", SHIPPED),
        ("Implemented (behind a flag)", SHIPPED),
        ("covered", SHIPPED),
        ("ported", SHIPPED),
        ("partial", PARTIAL),
        ("In   progress", PARTIAL),
        ("🟡 needs docs", PARTIAL),
        ("not started", PLANNED),
        ("gap", PLANNED),
        ("⬜", PLANNED),
        ("❌", PLANNED),
        ("Designed", PLANNED),
        ("n/a", "exception"),
        ("won’t do", "exception"),  # a curly apostrophe
        ("out of scope", "exception"),
        ("doneish", None),  # a value followed by a letter is another word
        ("nothing", None),
        ("", None),
        ("Implemeted", None),
    ],
)
def test_lexicon_meanings(value, meaning):
    from parity_lsp.model import plain_value

    assert lexicon().meaning(plain_value(value)) == meaning


def test_the_template_vocabulary_matches_exactly_as_before():
    v = build_vocabulary(DEFAULT_STATUSES, None, template=True, customized=False)
    assert v.legacy
    assert v.meaning("Implemented") == SHIPPED and v.meaning("designed") == PLANNED
    assert v.meaning("Done") is None  # PM101 says so, as always
    assert v.meaning("Implemented (behind a flag)") is None
    assert v.meaning("✅ Implemented") is None


def test_configured_meanings_replace_only_their_own_defaults():
    v = build_vocabulary(
        DEFAULT_STATUSES, {"exception": ("Host-owned (no renderer hook)",)}, template=False, customized=False
    )
    assert v.meaning("Host-owned (no renderer hook)") == "exception"
    assert v.meaning("n/a") is None  # the exception meaning is the configured values only
    assert v.meaning("✅") == SHIPPED  # the others keep the lexicon
    match = v.match("Host-owned (no renderer hook)")
    assert match is not None and match.source == CONFIGURED


def test_statuses_may_be_a_table_of_meanings_and_is_validated():
    config, problems = apply_settings(
        Config(), {"statuses": {"shipped": ["done", "✅"], "planned": "⬜"}}, ".parity-lsp.toml"
    )
    assert not problems
    assert config.status_meanings == {"shipped": ("done", "✅"), "planned": ("⬜",)}
    assert config.vocabulary(False).meaning("✅ (inline only)") == SHIPPED
    _, problems = apply_settings(Config(), {"statuses": {"shiped": ["done"]}}, "x.toml")
    assert "unknown meaning `shiped`" in problems[0].message
    _, problems = apply_settings(Config(), {"statuses": {"shipped": ["done"], "planned": ["Done"]}}, "x.toml")
    assert "two meanings" in problems[0].message


# --- fuzz: never a crash, and linear --------------------------------------------------------------

_HEADER_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_HEADER_TEXT, max_size=40), st.booleans())
def test_role_inference_never_raises(names, configured):
    spec = ColumnSpec.of({"tests": names[:1], "ci": []}) if configured and names else None
    r = assign_roles(names, spec)
    assert len(r.by_index) == len(names) == len(r.origins)
    for role in (CAPABILITY, STATUS, OWNER, PROOF):
        assert list(r.by_index).count(role) <= 1  # single roles: one column each
    for role, index in r.first.items():
        assert r.by_index[index] == role
    for origin in r.origins:
        origin.describe()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["✅", "🟡", "⬜", "❌", "🚧", "✔️", "☑", "🟢", "\u200d", "\ufe0f", " "]), max_size=12
    )
)
def test_emoji_only_statuses(chars):
    value = "".join(chars)
    for v in (lexicon(), build_vocabulary(DEFAULT_STATUSES, None, template=True, customized=False)):
        found = v.match(value)
        if found is not None:
            assert found.meaning in (SHIPPED, PARTIAL, PLANNED)
            found.describe(value)


@settings(max_examples=100, deadline=None)
@given(st.lists(_HEADER_TEXT, min_size=1, max_size=8), st.lists(st.text(max_size=20), max_size=5))
def test_a_parsed_table_of_any_header_never_raises(names, statuses):
    cells = [n.replace("|", "").replace("\n", " ") for n in names]
    text = _md(cells, *[[s.replace("|", "").replace("\n", " ")] * len(cells) for s in statuses])
    parse_matrix("docs/parity/m.md", text)
    parse_matrix(
        "docs/parity/m.csv", "\n".join(",".join(c.replace(",", "") for c in cells) for _ in range(2))
    )


def test_a_thousand_column_header_is_read_in_linear_time():
    def cost(n: int) -> float:
        header = [f"Column {i} notes" for i in range(n)] + ["Status", "Tests"]
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            assign_roles(header)
            best = min(best, time.perf_counter() - t)
        return best

    small, large = cost(1000), cost(4000)
    assert large / small < 10, (small, large)  # linear: 4x the columns, ~4x the time


def _md(header, *rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * max(1, len(header))]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "# M\n\n" + "\n".join(lines) + "\n"


# --- hover: what the editor says about a header and a status ----------------------------------


def _hover(tmp_path, text, needle, config=None):
    from parity_lsp.features.hover import hover
    from parity_lsp.workspace.index import Workspace

    ws = Workspace(tmp_path, config or Config())
    m = parse_matrix("docs/parity/m.md", text, ws.config.column_spec)
    found = hover(ws, m, text.index(needle) + 1)
    assert found is not None
    return found.markdown


def test_hover_on_template_headers_keeps_their_description_and_names_the_role(tmp_path):
    text = "| " + " | ".join(TEMPLATE_HEADER) + " |\n" + "|---" * 9 + "|\n"
    md = _hover(tmp_path, text, "Evidence (Tests)")
    assert md.startswith("**Evidence (Tests)** — test file + test name")
    assert "Role: tests — the header `Evidence (Tests)` (the template's name for the tests column)." in md
    assert "no role" in _hover(tmp_path, text, "Arco Feature")


def test_hover_on_a_status_says_its_meaning_or_that_it_has_none(tmp_path):
    text = "| Feature | State | Tests |\n|---|---|---|\n| A | wip | |\n| B | meh | |\n"
    assert _hover(tmp_path, text, "wip").startswith(
        "**partial** — `wip` is in the built-in lexicon (partial)"
    )
    assert _hover(tmp_path, text, "meh").startswith(
        "**no meaning** — `meh` is not a status this table knows (PM101)"
    )
    config, _ = apply_settings(Config(), {"statuses": {"partial": ["wip"]}}, ".parity-lsp.toml")
    assert _hover(tmp_path, text, "wip", config).startswith(
        "**partial** — `wip` is configured in `.parity-lsp.toml` [statuses] partial"
    )


def test_editor_settings_give_columns_and_meanings_in_the_toml_shapes():
    config, problems = apply_settings(
        Config(),
        {
            "columns": {"tests": ["Covered By"], "proofLevel": "Level"},
            "statusMeanings": {"shipped": ["green"]},
        },
        "<editor settings>",
    )
    assert not problems
    assert config.columns == {"tests": ("Covered By",), "proof-level": ("Level",)}
    assert config.status_meanings == {"shipped": ("green",)}
    assert config.vocabulary(False).meaning("green") == SHIPPED
    _, problems = apply_settings(Config(), {"statuses": 3}, "x.toml")
    assert "or a table of meaning" in problems[0].message
    # empty = unset (the extension does not send them; a client that does changes nothing)
    config, problems = apply_settings(Config(), {"columns": {}, "statusMeanings": {}}, "<editor settings>")
    assert not problems and config.columns is None and config.status_meanings is None


def test_a_thousand_column_matrix_is_checked_without_a_crash(tmp_path):
    from parity_lsp.engine import check_paths
    from parity_lsp.workspace.index import Workspace

    header = ["Feature", "Status"] + [f"Tests {i}" if i % 3 == 0 else f"✅ {i}" for i in range(1000)]
    row = ["A", "✅✅"] + ["`missing.py`" if i % 3 == 0 else "" for i in range(1000)]
    (tmp_path / "docs/parity").mkdir(parents=True)
    (tmp_path / "docs/parity/m.md").write_text(_md(header, row), encoding="utf-8")
    result = check_paths(Workspace(tmp_path, Config()))
    (table,) = result.matrices[0].tables
    assert list(table.roles.by_index).count(TESTS) == 334
    codes = {f.code for f in result.findings}
    assert codes == {"PM201", "PM301"}, codes  # every cited test file is missing: no proof
