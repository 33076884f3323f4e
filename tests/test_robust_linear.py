"""The linear rewrites of issue 16 (items 14-17 and what was found near them) answer exactly as
the code they replace (kept here, or in tests/evidence_reference.py, as the reference), on
random text over the characters that matter; and deep nesting raises no RecursionError.

Their growth is tested in test_robust_resources.py (the adversarial families and items 14-17);
`model.plain_value` has its own file (test_plain_value.py).
"""

from __future__ import annotations

import logging
import re

import pytest
from evidence_reference import reference_parse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parity_lsp.parse.evidence import parse_evidence
from parity_lsp.workspace.ci import commands, follow, shell, workflows
from parity_lsp.workspace.ci.runners.base import may_backtrack
from parity_lsp.workspace.symbols import _common, find_definitions, lookup
from parity_lsp.workspace.symbols import rust as rust_symbols
from parity_lsp.workspace.symbols import typescript as ts_symbols


def texts(pieces: list[str], max_size: int = 30) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- evidence cells (item 17) ------------------------------------------------------------------------

EVIDENCE_PIECES = [
    "(", ")", "[", "]", "`", "``", "```", "\\", ";", "<br>", "\n", " ", "a", "a/b.rs", "x.py", ":3",
    "#L2", "job ", ": ", "f", "::", "_", "Rust: ", "Missing proof: ", "](", "`a/b.rs`", "(`f`)",
    "[l](a/b.rs)", ".github/workflows/ci.yml", "`cargo test`", "<", "*", "—", ",", "\\|",
]  # fmt: skip
COLUMNS = st.sampled_from(["evidence (code)", "evidence (tests)", "evidence (ci)"])


@settings(deadline=None)
@given(texts(EVIDENCE_PIECES, 40), COLUMNS)
# found by this comparison while writing the shared walks: a limit inside a code span of the
# whole cell's walks, seen or not by the scanner that set it (`` ` `` runs are read two ways)
@example("``[`](s);`", "evidence (tests)")
@example("``(`s/i.yml)<br>`", "evidence (ci)")
@example("``\n`.r`(` `t`(`f`);`", "evidence (code)")
@example("```(``s/i.yml(`(`f`))`", "evidence (tests)")
@example("(`x` [ (`x` [ `a/b.rs`)))", "evidence (code)")
@example("((((`a/b.rs` (`f`))))) ; [l](a/b.rs)", "evidence (code)")
def test_the_evidence_parser_answers_as_its_reference(text, column):
    assert parse_evidence(text, 5, "docs/parity/m.md", column) == reference_parse(
        text, 5, "docs/parity/m.md", column
    )


@settings(deadline=None)
@given(texts(["(", ")", "`", "``", "[", "]", ";", "a/b.rs", " ", "\\", "(`x` [ "], 80), COLUMNS)
def test_the_evidence_parser_answers_as_its_reference_on_brackets_and_backticks(text, column):
    assert parse_evidence(text, 0, "docs/parity/m.md", column) == reference_parse(
        text, 0, "docs/parity/m.md", column
    )


# --- shell (workflow `run:` scripts) -----------------------------------------------------------------


def reference_read_quoted(s: str, i: int, quote: str) -> int:
    n = len(s)
    j = i + 1
    while j < n:
        c = s[j]
        if quote == '"' and c == "\\":
            j += 2
            continue
        if quote == '"' and s.startswith("$(", j):
            j = reference_read_nested(s, j + 1, "(", ")")
            continue
        if c == quote:
            return j + 1
        j += 1
    return n


def reference_read_nested(s: str, i: int, open_: str, close: str) -> int:
    n = len(s)
    depth = 0
    j = i
    while j < n:
        c = s[j]
        if c in "'\"" and open_ == "(":
            j = reference_read_quoted(s, j, c)
            continue
        if c == "\\":
            j += 2
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return n


SHELL = texts(["'", '"', "`", "$(", "(", ")", "${", "{", "}", "\\", "a", " ", "\n"], 30)


@settings(deadline=None)
@given(SHELL, st.sampled_from(["'", '"', "`", "(", "{"]))
def test_quoted_and_nested_text_ends_as_the_recursive_readers_said(text, kind):
    s = kind + text
    if kind in "({":
        assert shell._read_nested(s, 0, kind, ")" if kind == "(" else "}") == reference_read_nested(
            s, 0, kind, ")" if kind == "(" else "}"
        )
    else:
        assert shell._read_quoted(s, 0, kind) == reference_read_quoted(s, 0, kind)


def test_substitutions_nested_100000_deep_in_quotes():
    """`"$("$("…` was read by mutual recursion: RecursionError."""
    script = 'echo "$(a "' * 100_000 + "\ncargo test\n"
    assert [c.text for c in shell.split_commands(script)][-1:] != []  # no RecursionError
    assert shell.split_words('"$(' * 100_000)


def reference_with_directories(cmds, cwd):
    out = []
    by_depth = {0: cwd}
    stack = []
    current_depth = 0
    for cmd in cmds:
        if cmd.depth < current_depth:
            for d in [d for d in by_depth if d > cmd.depth]:
                del by_depth[d]
        current_depth = cmd.depth
        here = by_depth.get(cmd.depth, by_depth[max(d for d in by_depth if d <= cmd.depth)])
        out.append((cmd, here))
        words = shell.split_words(cmd.text)
        if not words:
            continue
        prog = words[0].value
        if prog in ("cd", "pushd"):
            target = words[1] if len(words) > 1 else None
            if prog == "pushd":
                stack.append(here)
            if target is None or (target.dynamic and not shell._WORKSPACE_VAR.match(target.value)):
                by_depth[cmd.depth] = None
            else:
                by_depth[cmd.depth] = shell.join_dir(here, target.value)
        elif prog == "popd":
            by_depth[cmd.depth] = stack.pop() if stack else None
    return out


@settings(deadline=None)
@given(
    texts(["(", ")", "cd a", "cd ..", "pushd b", "popd", "cd $X", "cargo test", " && ", "; ", "\n", "{ "], 20)
)
def test_directories_are_followed_as_before(script):
    cmds = shell.split_commands(script)
    assert shell.with_directories(cmds, "x") == reference_with_directories(cmds, "x")


def test_a_directory_deeper_than_the_limit_is_not_followed():
    deep = "/".join(["a"] * (shell.MAX_DIRECTORY_DEPTH + 1))
    assert shell.join_dir("", deep) is None
    assert shell.join_dir("", "/".join(["a"] * shell.MAX_DIRECTORY_DEPTH)) is not None


def test_leading_compound_keywords_are_dropped_at_once():
    assert shell._clean("{ { { then cargo test }") == "cargo test"
    assert shell._clean(" ".join(["{"] * 100_000) + " x") == "x"


# --- workflows -------------------------------------------------------------------------------------


def reference_name_matches(name: str, want: str) -> bool:
    parts = workflows.EXPRESSION.split(workflows.fold(name))
    return re.compile(".*".join(re.escape(p) for p in parts) + r"\Z", re.S).match(want) is not None


NAMES = texts(["${{", "}}", " a ", "b", "x", "}", "$", "{"], 12)
WANTS = texts(["a", "b", "x", "ab"], 8)


@settings(deadline=None)
@given(NAMES, WANTS)
@example("${{ a }}x${{ a }}y", "xxy")
def test_job_names_with_expressions_match_as_the_regex_did(name, want):
    assert workflows._expression_split(name) == workflows.EXPRESSION.split(name)
    assert workflows._name_matches(name, want) == reference_name_matches(name, want)


def test_a_job_name_of_many_expressions_is_matched_without_backtracking():
    """`part.*part.*…\\Z` took 13 s for ten expressions against 40 characters."""
    for parts in (12, 10_000):  # 12: over a minute before
        wf = workflows.parse_workflow(
            "jobs:\n  t:\n    name: " + "${{ a }}x" * parts + "y\n    steps:\n      - run: x\n",
            ".github/workflows/x.yml",
        )
        assert workflows.find_job(wf, "x" * 40) is None
        assert workflows.find_job(wf, "x" * parts + "y") is wf.jobs["t"]


def test_matrix_include_values_keep_their_order_once_each():
    wf = workflows.parse_workflow(
        "jobs:\n  t:\n    strategy:\n      matrix:\n        a: [x, y]\n        include:\n"
        "          - a: z\n          - a: x\n          - a: z\n          - a: w\n"
        "    steps:\n      - run: cargo test -p ${{ matrix.a }}\n",
        ".github/workflows/x.yml",
    )
    assert wf.jobs["t"].matrix == {"a": ["x", "y", "z", "w"]}


# --- command matching --------------------------------------------------------------------------------


def reference_multiset_subset(small, big):
    pool = list(big)
    for item in small:
        if item in pool:
            pool.remove(item)
        else:
            return False
    return True


def reference_contains_run(big, small):
    if not small:
        return True
    n = len(small)
    return any(big[i : i + n] == small for i in range(len(big) - n + 1))


WORDS = st.lists(st.sampled_from(["a", "b", "c"]), max_size=12)


@settings(deadline=None)
@given(WORDS, WORDS)
def test_argument_lists_compare_as_before(a, b):
    assert commands._multiset_subset(a, b) == reference_multiset_subset(a, b)
    assert commands._contains_run(b, a) == reference_contains_run(b, a)
    # the long-list path (KMP) on the same lists, repeated
    assert commands._contains_run(b * 40, a * 3) == reference_contains_run(b * 40, a * 3)


# --- Makefiles ---------------------------------------------------------------------------------------

OLD_MK_RULE = re.compile(r"^([^:=#\t][^:=#]*?)\s*::?(?!=)\s*(.*)$")


def reference_join(raw, lines, i):
    while raw.endswith("\\") and i < len(lines):
        raw = raw[:-1].rstrip() + " " + lines[i].lstrip()
        i += 1
    return raw, i


@settings(deadline=None)
@given(texts([":", "=", "#", "\t", " ", "a", "b", "\\", "::", "\u00a0"], 12))
def test_makefile_rules_match_as_the_lazy_regex_did(line):
    new, old = follow._MK_RULE.match(line), OLD_MK_RULE.match(line)
    assert (new and new.groups()) == (old and old.groups())


@settings(deadline=None)
@given(st.lists(texts([" ", "a", "\\", "\t"], 5), min_size=2, max_size=6))
def test_makefile_continuation_lines_join_as_before(lines):
    raw = lines[0] + "\\"
    assert follow._join_continuations(raw, lines, 1) == reference_join(raw, lines, 1)


# --- symbol scanners (item 16) ---------------------------------------------------------------------


def test_items_nested_deeper_than_the_limit_are_not_understood(caplog):
    """12,500 nested `mod a {` made 80 million characters of qualified names (42 s): past
    MAX_NESTING the file is not understood (searched for as words), and the log says why."""
    deep = _common.MAX_NESTING
    ok = "mod a {\n" * (deep - 1) + "fn f() {}\n" + "}\n" * (deep - 1)  # f is 32 deep
    defs = find_definitions("src/x.rs", ok)
    assert defs is not None and lookup(defs, "f")[0].qualname == "::".join(["a"] * (deep - 1) + ["f"])
    with caplog.at_level(logging.WARNING, logger="parity_lsp.workspace"):
        for path, text in {
            "src/x.rs": "mod a {\n" * (deep + 1),
            "src/x.ts": "namespace a {\n" * (deep + 1),
            "src/x.py": "".join(" " * i + "class A:\n" for i in range(deep + 1)),
        }.items():
            assert find_definitions(path, text) is None, path
    assert "nested more than 32 deep" in caplog.text


def reference_stmt_end(san, n, p):
    depth = 0
    while True:
        m = rust_symbols._STMT.search(san, p)
        if m is None:
            return n, ""
        ch = m.group()
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return m.start(), ch
        elif depth == 0:
            return m.start(), ";"
        p = m.end()


@settings(deadline=None)
@given(texts(["(", ")", "[", "]", "{", "}", ";", "a"], 30), st.lists(st.integers(0, 30), max_size=8))
def test_the_end_of_a_const_is_found_as_before(text, starts):
    sc = rust_symbols._Scanner(text)
    for p in [min(p, len(text)) for p in starts]:
        assert sc.stmt_end(p) == reference_stmt_end(sc.san, sc.n, p)


def reference_skip_angles(san, pos, limit=4000):
    n = min(len(san), pos + limit)
    depth = 0
    i = pos
    while True:
        m = _common._ANGLE.search(san, i, n)
        if m is None:
            return -1
        c = m.group()
        j = m.start()
        if c == "<":
            depth += 1
        elif c == ">":
            if j > 0 and san[j - 1] in "=-":
                i = j + 1
                continue
            depth -= 1
            if depth == 0:
                return j + 1
        elif c in "{};":
            return -1
        i = j + 1


@settings(deadline=None)
@given(texts(["<", ">", "=>", "->", "a", "{", ";", "<" * 9, ">" * 9], 30), st.sampled_from([5, 20, 4000]))
def test_angles_close_as_before(text, limit):
    for pos in [i for i, c in enumerate(text) if c == "<"]:
        assert _common.skip_angles(text, pos, limit) == reference_skip_angles(text, pos, limit)


@settings(deadline=None)
@given(texts(["/", "[", "]", "\\", "\n", "a", "*", "g", " ", "/["], 25), st.sampled_from([3, 6, 1000]))
def test_regex_literals_end_as_the_regex_said(text, window):
    classes: dict[int, int] = {}
    for s in [i for i, c in enumerate(text) if c == "/"]:
        stop = min(len(text), s + window)
        m = ts_symbols._REGEX.match(text, s, stop)
        assert ts_symbols._regex_end(text, s, stop, classes) == (m.end() if m else -1)


# --- go test -run --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "risky"),
    [
        ("TestA|TestB", False),
        ("^(TestA|TestB)$", False),
        ("(ab)+", False),
        ("[(]+", False),
        (r"\(a+\)+", False),
        ("Test(A|B)+", True),
        ("(a+)+", True),
        ("(a|aa)*$", True),
        ("((a)+)+", True),
        ("([a-z]+)*", True),
    ],
)
def test_go_run_expressions_that_may_backtrack(expr, risky):
    """Go matches `-run` with RE2 (linear); Python's `re` may take exponential time on a repeated
    group holding a repetition or an alternative: such an expression is not evaluated."""
    assert may_backtrack(expr) is risky


def test_a_go_run_expression_that_may_backtrack_is_not_evaluated(tmp_path):
    from test_ci_verdict import FIXTURE, STORE, write_tree

    from parity_lsp.workspace.ci import UNKNOWN, TestTarget, command_runs_test
    from parity_lsp.workspace.fs import FileSystem

    write_tree(tmp_path, FIXTURE.read_text())
    name = "TestStore" + "a" * 40  # (a|aa)*$ on it: 2^40 ways to fail
    v = command_runs_test(
        FileSystem(tmp_path), "go test -run '(a|aa)*$' ./...", TestTarget(STORE, name), "go"
    )
    assert (v.outcome, v.code) == (UNKNOWN, "bad_expression")
    assert "exponential" in v.reason
