"""`parity-lsp report` and `parity-lsp init`: numbers against hand-counted examples, output shapes,
`--compare REV` on a real git repository, exit codes."""

import json
import os
import re
import stat
import subprocess
from pathlib import Path

import clikit
import pytest
from reportkit import COUNTS, FILES, MATRIX_PATH, write_workspace

from parity_lsp.config import load_config
from parity_lsp.engine import check_paths
from parity_lsp.report import build_report
from parity_lsp.report.compare import BlobReader, GitTreeFileSystem, read_tree, resolve_revision
from parity_lsp.starter import CONFIG_NAME
from parity_lsp.starter import MATRIX_PATH as STARTER_PATH
from parity_lsp.workspace.index import Workspace

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo-repo"


def run(*args, cwd=None):
    """`parity-lsp ARGS` in this process (tests/clikit.py)."""
    return clikit.run(*args, cwd=cwd, env={**os.environ, "NO_COLOR": "1"})


def git(root, *args):
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(root),
    }
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def report_of(root: Path):
    config, problems, _ = load_config(root)
    assert problems == []
    ws = Workspace(root, config)
    result = check_paths(ws)
    return build_report(ws, result.matrices, result.findings, result.unreadable)


@pytest.fixture
def ws(tmp_path):
    return write_workspace(tmp_path)


# --- numbers, hand counted ------------------------------------------------------------------------


def test_overall_numbers_match_the_hand_count(ws):
    t = report_of(ws).overall
    want = COUNTS["overall"]
    got = {
        "rows": t.rows,
        "claimed": t.claimed,
        "verified": t.verified,
        "verified_implemented": t.verified_implemented,
        "exceptions": t.exceptions,
        "verified_exceptions": t.verified_exceptions,
        "partial": t.partial,
        "not_shipped": t.not_shipped,
        "unknown_status": t.unknown,
        "broken": t.broken,
        "by_status": t.by_status,
    }
    assert got == want


@pytest.mark.parametrize("group", ["Alpha", "Beta"])
def test_group_numbers_match_the_hand_count(ws, group):
    (g,) = [g for g in report_of(ws).groups if g.name == group]
    t = g.totals
    got = {
        "rows": t.rows,
        "claimed": t.claimed,
        "verified": t.verified,
        "verified_implemented": t.verified_implemented,
        "exceptions": t.exceptions,
        "verified_exceptions": t.verified_exceptions,
        "partial": t.partial,
        "not_shipped": t.not_shipped,
        "broken": t.broken,
    }
    assert got == COUNTS[group]


def test_proof_level_coverage_matches_the_hand_count(ws):
    t = report_of(ws).overall
    got = {
        lvl: (c.required, c.met, c.below, c.unclassified, c.no_test) for lvl, c in t.proof_by_level.items()
    }
    assert got == COUNTS["proof"]
    p = t.proof
    assert (p.required, p.met, p.below, p.unclassified, p.no_test) == COUNTS["proof_total"]
    rows = {r.capability: r for r in report_of(ws).rows}
    assert (rows["Tick keys"].required_level, rows["Tick keys"].achieved_level) == ("unit", "unit")
    assert (
        rows["Flow end to end"].required_level,
        rows["Flow end to end"].achieved_level,
        rows["Flow end to end"].proof,
    ) == ("e2e", "integration", "below")


def test_implemented_row_whose_test_vanished_is_claimed_but_not_verified(ws):
    rows = {r.capability: r for r in report_of(ws).rows}
    r = rows["Vanished proof"]
    assert (r.claimed, r.verified, r.broken, r.verdict) == (True, False, True, "broken")
    assert {d.code for d in r.diagnostics} == {"PM201", "PM305"}
    assert (r.path, r.line, r.link) == (MATRIX_PATH, 9, "docs/parity/matrix.md#L9")
    assert r.proof == "no-test"


def test_exceptions_count_only_with_a_declared_id(ws):
    rows = {r.capability: r for r in report_of(ws).rows}
    assert (
        rows["Asset checks"].verified,
        rows["Asset checks"].exception_ids,
        rows["Asset checks"].claimed,
    ) == (True, ["EX-01"], False)
    assert (rows["GraphQL API"].verified, rows["GraphQL API"].broken) == (False, True)
    assert [d.code for d in rows["GraphQL API"].diagnostics] == ["PM207"]


def test_designed_and_planned_rows_are_never_shipped(ws):
    report = report_of(ws)
    rows = {r.capability: r for r in report.rows}
    for cap in ("Cursor store", "Backfill UI", "Sensor replay"):  # "Sensor replay" even says ✅ done
        r = rows[cap]
        assert (r.claimed, r.verified, r.broken, r.verdict) == (False, False, False, "not-shipped"), cap
    assert {r.capability for r in report.rows if r.verified} == COUNTS["verified_rows"]
    assert rows["Cursor"].verdict == "partial" and not rows["Cursor"].verified


def test_broken_claims_and_owners(ws):
    report = report_of(ws)
    assert {r.capability: r.line for r in report.broken_claims} == COUNTS["broken_rows"]
    got = {o.owner: (o.broken, o.errors, o.warnings, [r.capability for r in o.rows]) for o in report.owners}
    assert got == COUNTS["owners"]
    assert [o.owner for o in report.owners] == ["@alpha", "@beta"]  # more errors first


def test_unknown_status_is_its_own_bucket(tmp_path):
    files = dict(FILES)
    files[MATRIX_PATH] = FILES[MATRIX_PATH].replace(
        "| Flow runs | Flow | Implemented |", "| Flow runs | Flow | Implemeted |"
    )
    report = report_of(write_workspace(tmp_path, files))
    t = report.overall
    assert (t.claimed, t.verified, t.unknown, t.by_status["Unknown"]) == (3, 3, 1, 1)
    assert report.statuses[-1] == "Unknown"


# --- output shapes ---------------------------------------------------------------------------------


def test_json_shape(ws):
    proc = run("report", "--format", "json", cwd=ws)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {
        "version",
        "root",
        "files",
        "statuses",
        "status_meanings",  # issue 17: what each status counted means
        "proof_levels",
        "overall",
        "groups",
        "broken_claims",
        "owners",
        "rows",
        "other_findings",
        "unreadable",
        "compare",
    }
    assert data["version"] == 1 and data["root"] == str(ws.resolve()) and data["files"] == [MATRIX_PATH]
    o = data["overall"]
    for key, value in COUNTS["overall"].items():
        assert o[key] == value, key
    assert o["proof"] == dict(
        zip(("required", "met", "below", "unclassified", "no_test"), COUNTS["proof_total"], strict=False)
    )
    assert [g["name"] for g in data["groups"]] == ["Alpha", "Beta"]
    assert data["groups"][0]["link"] == "docs/parity/matrix.md#L3"
    broken = {b["capability"]: b for b in data["broken_claims"]}
    assert broken["Vanished proof"]["link"] == "docs/parity/matrix.md#L9"
    assert [d["code"] for d in broken["Vanished proof"]["diagnostics"]] == ["PM201", "PM305"]
    assert broken["Vanished proof"]["diagnostics"][0]["line"] == 9
    assert len(data["rows"]) == 10 and data["compare"] is None
    assert {r["capability"]: r["verdict"] for r in data["rows"]}["Sensor replay"] == "not-shipped"


def test_markdown_shape(ws):
    proc = run("report", cwd=ws)  # markdown is the default
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout
    assert md.startswith("# Parity report\n")
    assert "**Verified parity: 4 of 10 capabilities (40%)**" in md
    for heading in (
        "## Verified vs claimed, by group",
        "## Rows by status",
        "## Proof-level coverage (Implemented rows)",
        "## Broken claims (2)",
        "## Owners with open problems (2)",
    ):
        assert f"\n{heading}\n" in md
    assert "| **All** | **10** | **4** | **4 (40%)** | **2** | **1** | **3** | **2 (1)** |" in md
    assert "| [Alpha](docs/parity/matrix.md#L3) | 5 | 4 | 3 (60%) | 1 | 1 | 0 | 0 (0) |" in md
    assert "| **All** | **4** | **1** | **1** | **2** | **2** |" in md  # by status
    assert "| integration | 2 | 1 | 0 | 0 | 1 |" in md
    assert re.search(
        r"^\| \[Vanished proof\]\(docs/parity/matrix\.md#L9\) \| Alpha \| Implemented \| @alpha \| "
        r"\*\*error\*\* `PM201` .*<br>\*\*error\*\* `PM305` test `vanished_test` ",
        md,
        re.M,
    )
    assert "[GraphQL API](docs/parity/matrix.md#L20)" in md
    # every table row has as many cells as its header
    for block in re.findall(r"((?:^\|.*\|\n)+)", md, re.M):
        counts = {len(re.findall(r"(?<!\\)\|", line)) for line in block.splitlines()}
        assert len(counts) == 1, block


def test_markdown_escapes_pipes_and_html(tmp_path):
    files = dict(FILES)
    files[MATRIX_PATH] = FILES[MATRIX_PATH].replace("| GraphQL API |", "| GraphQL <b>API</b> `a\\|b` [x] |")
    root = write_workspace(tmp_path, files)
    md = run("report", cwd=root).stdout
    assert "<b>API" not in md
    assert "[GraphQL &lt;b&gt;API&lt;/b&gt; a\\|b \\[x\\]](docs/parity/matrix.md#L20) | Beta |" in md


def test_output_file_is_written_atomically_with_links_relative_to_it(ws):
    out_dir = ws / "reports"
    out_dir.mkdir()
    target = out_dir / "parity.md"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    proc = run("report", "-o", "reports/parity.md", cwd=ws)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "verified parity 4 of 10 rows" in proc.stderr
    text = target.read_text()
    assert "[Vanished proof](../docs/parity/matrix.md#L9)" in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # mode kept
    assert sorted(p.name for p in out_dir.iterdir()) == ["parity.md"]  # no temp file left


def test_path_argument_limits_the_report(ws):
    (ws / "docs/parity/other.md").write_text(
        "## Other\n\n" + FILES[MATRIX_PATH].split("## Beta\n\n")[1], encoding="utf-8"
    )
    both = json.loads(run("report", "--format", "json", cwd=ws).stdout)
    assert both["overall"]["rows"] == 15 and len(both["files"]) == 2
    one = json.loads(run("report", "--format", "json", "docs/parity/other.md", cwd=ws).stdout)
    assert one["files"] == ["docs/parity/other.md"] and one["overall"]["rows"] == 5


def test_demo_report_numbers():
    data = json.loads(run("report", "--format", "json", cwd=DEMO).stdout)
    o = data["overall"]
    assert (
        o["rows"],
        o["claimed"],
        o["verified"],
        o["verified_implemented"],
        o["exceptions"],
        o["verified_exceptions"],
        o["partial"],
        o["not_shipped"],
        o["unknown_status"],
        o["broken"],
    ) == (14, 8, 5, 4, 3, 1, 1, 1, 1, 6)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--format", "pdf"], "invalid choice"),
        (["nope.md"], "nope.md: no such file or directory"),
        (["-o", "missing-dir/r.md"], "does not exist"),
        (["--compare", "no-such-rev"], "--compare no-such-rev: not a git revision"),
        (["--compare", "--oops"], ""),  # argparse: option-like value
    ],
)
def test_report_usage_errors_exit_2(ws, args, needle):
    git(ws, "init", "-q")
    proc = run("report", *args, cwd=ws)
    assert proc.returncode == 2, proc.stdout
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr


def test_report_exits_0_even_with_broken_claims(ws):
    assert run("report", "--format", "json", cwd=ws).returncode == 0


def test_compare_outside_git_is_exit_2(ws):
    proc = run("report", "--compare", "HEAD", cwd=ws)
    assert proc.returncode == 2
    assert "needs a git repository" in proc.stderr


# --- --compare on a real git repository ---------------------------------------------------------------


def _snapshot(root: Path) -> dict:
    """Every path under .git with its size and mtime, plus the status: to prove nothing was written."""
    out = {}
    for p in sorted((root / ".git").rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture
def repo(ws):
    git(ws, "init", "-q", "-b", "main")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "baseline")
    # the next commit: the unit test of "Tick keys" is deleted (regression), EX-99 gets declared
    # (improvement), a row is added
    lib = (ws / "crates/core/src/lib.rs").read_text()
    (ws / "crates/core/src/lib.rs").write_text(lib.split("#[cfg(test)]")[0])
    (ws / "docs/audits/exceptions.md").write_text(
        FILES["docs/audits/exceptions.md"] + "| EX-99 | GraphQL API dropped |\n"
    )
    matrix = (ws / MATRIX_PATH).read_text()
    (ws / MATRIX_PATH).write_text(matrix + "| Run retries | Runs | Planned | unit | — | — | — | @beta | |\n")
    git(ws, "commit", "-q", "-am", "change")
    return ws


def test_compare_finds_the_row_that_regressed(repo):
    status = git(repo, "status", "--porcelain")  # (git status itself may refresh the index)
    before = _snapshot(repo)
    proc = run("report", "--format", "json", "--compare", "HEAD~1", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    cmp = json.loads(proc.stdout)["compare"]
    assert cmp["rev"] == "HEAD~1" and len(cmp["commit"]) == 40
    assert cmp["base"]["verified"] == 4 and cmp["base"]["rows"] == 10
    assert [(c["kind"], c["capability"]) for c in cmp["regressions"]] == [("regressed", "Tick keys")]
    (reg,) = cmp["regressions"]
    assert reg["before"]["verified"] is True and reg["after"]["verified"] is False
    assert reg["after"]["link"] == "docs/parity/matrix.md#L7" and "PM201" in reg["after"]["codes"]
    assert [(c["kind"], c["capability"]) for c in cmp["improvements"]] == [("improved", "GraphQL API")]
    assert [(c["kind"], c["capability"]) for c in cmp["other_changes"]] == [("added", "Run retries")]
    # nothing written into the repository
    assert _snapshot(repo) == before
    assert git(repo, "status", "--porcelain") == status


def test_compare_markdown_for_a_pull_request_comment(repo):
    proc = run("report", "--compare", "main~1", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout
    assert "\n## Since `main~1` (`" in md
    assert "| Verified parity | 4 | 4 | 0 |" in md  # one lost, one gained
    assert "| Rows | 10 | 11 | +1 |" in md
    assert "\n### Regressions (1)\n" in md
    assert re.search(
        r"^\| \[Tick keys\]\(docs/parity/matrix\.md#L7\) \| Alpha \| Implemented, verified \| "
        r"Implemented, broken \| \*\*error\*\* `PM201`",
        md,
        re.M,
    )
    assert "\n### Improvements (1)\n" in md and "[GraphQL API](docs/parity/matrix.md#L20)" in md
    assert "<summary>Other changes (1)</summary>" in md and "added: [Run retries]" in md


def test_compare_against_head_sees_uncommitted_changes(repo):
    (repo / "crates/core/tests/flow.rs").unlink()  # not committed
    data = json.loads(run("report", "--format", "json", "--compare", "HEAD", cwd=repo).stdout)
    regressed = {c["capability"] for c in data["compare"]["regressions"]}
    assert regressed == {"Flow runs", "Flow end to end"}
    assert (repo / ".git").is_dir() and not (
        repo / "crates/core/tests/flow.rs"
    ).exists()  # HEAD not checked out


def test_compare_in_a_workspace_below_the_repository_root(tmp_path):
    sub = tmp_path / "project"
    sub.mkdir()
    write_workspace(sub)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "one")
    (sub / "docs/audits/exceptions.md").write_text("# Exceptions\n")  # EX-01 gone: Asset checks regresses
    data = json.loads(run("report", "--format", "json", "--compare", "HEAD", cwd=sub).stdout)
    assert data["root"] == str(sub.resolve())
    assert [c["capability"] for c in data["compare"]["regressions"]] == ["Asset checks"]
    assert data["compare"]["base"]["verified"] == 4


def test_revision_file_system_resolves_symlinks_inside_the_tree_only(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/a.md").write_text("hello\n")
    os.symlink("docs", tmp_path / "alias")
    os.symlink("../../etc", tmp_path / "docs/out")
    os.symlink("a.md", tmp_path / "docs/b.md")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "links")
    (tmp_path / "docs/a.md").write_text("changed on disk\n")
    commit, prefix = resolve_revision(tmp_path, "HEAD")
    reader = BlobReader(tmp_path)
    try:
        fs = GitTreeFileSystem(tmp_path, read_tree(tmp_path, commit, prefix), reader, 1 << 20)
        assert fs.read_text("docs/a.md").text == "hello\n"  # the revision, not the disk
        assert fs.read_text("alias/b.md").text == "hello\n"
        assert fs.is_dir("alias") and fs.is_file("docs/b.md") and not fs.exists("docs/c.md")
        assert fs.escapes("docs/out/passwd") and fs.read_text("docs/out/passwd").text is None
        assert ("alias", True) in fs.list_dir("") and ("a.md", False) in fs.list_dir("alias")
        assert fs.escapes("../x")  # `..` out of the root escapes
    finally:
        reader.close()


# --- init ---------------------------------------------------------------------------------------------


def test_init_writes_a_starter_that_checks_clean(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "sub").mkdir()
    proc = run("init", cwd=tmp_path / "sub")  # from a subdirectory: the repository root
    assert proc.returncode == 0, proc.stderr
    matrix, config = tmp_path / STARTER_PATH, tmp_path / CONFIG_NAME
    assert matrix.is_file() and config.is_file()
    assert f"wrote {matrix}" in proc.stdout
    text = matrix.read_text()
    assert "# Parity Matrix" in text and "**Designed/Planned** must not be treated as shipped parity." in text
    # issue 17: neutral wording, no product of our own example
    for word in ("Dagster", "Arco", "arco"):
        assert word not in text and word not in config.read_text()
    for group in (
        "Configuration",
        "Command line",
        "Data model",
        "Interfaces",
        "Operations",
        "Production hardening",
    ):
        assert f"\n## {group}\n" in text
    assert load_config(tmp_path)[1] == []  # the config is valid
    check = run("check", "--format", "json", cwd=tmp_path)
    assert check.returncode == 0, check.stdout
    assert {d["code"] for d in json.loads(check.stdout)["diagnostics"]} == {"PM103"}
    data = json.loads(run("report", "--format", "json", cwd=tmp_path).stdout)
    assert (data["overall"]["rows"], data["overall"]["verified"], data["overall"]["not_shipped"]) == (6, 0, 6)


def test_init_refuses_to_overwrite(tmp_path):
    git(tmp_path, "init", "-q")
    assert run("init", cwd=tmp_path).returncode == 0
    (tmp_path / STARTER_PATH).write_text("mine\n")
    proc = run("init", cwd=tmp_path)
    assert proc.returncode == 2
    assert (
        "refusing to overwrite" in proc.stderr and STARTER_PATH in proc.stderr and CONFIG_NAME in proc.stderr
    )
    assert "Traceback" not in proc.stderr
    assert (tmp_path / STARTER_PATH).read_text() == "mine\n"


def test_init_writes_nothing_when_one_file_exists(tmp_path):
    (tmp_path / CONFIG_NAME).write_text("# mine\n")
    proc = run("init", "--root", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2 and CONFIG_NAME in proc.stderr
    assert not (tmp_path / STARTER_PATH).exists()
    assert (tmp_path / CONFIG_NAME).read_text() == "# mine\n"


def test_init_refuses_when_pyproject_configures_parity_lsp(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.parity-lsp]\nignore = []\n")
    proc = run("init", "--root", str(tmp_path))
    assert proc.returncode == 2 and "[tool.parity-lsp]" in proc.stderr
    assert not (tmp_path / STARTER_PATH).exists() and not (tmp_path / CONFIG_NAME).exists()


def test_init_bad_root_is_exit_2(tmp_path):
    proc = run("init", "--root", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "not a directory" in proc.stderr


# --- issue 17: tables read by their roles are counted by meaning, in their own words -------------


def test_a_table_with_its_own_words_is_counted_by_meaning(tmp_path):
    files = {
        "tests/test_a.py": "def test_a():\n    pass\n",
        "docs/parity/swift.md": (
            "## Renderer\n\n| Feature | Status | Tests |\n|---|---|---|\n"
            "| A | ✅ | `tests/test_a.py` (`test_a`) |\n"
            "| B | ✅ (inline only) | `tests/test_a.py` (`test_gone`) |\n"
            "| C | 🟡 | |\n"
            "| D | ⬜ | |\n"
            "| E | ⬜ | |\n"
        ),
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    report = report_of(tmp_path)
    t = report.overall
    assert (t.rows, t.claimed, t.verified, t.broken, t.partial, t.not_shipped) == (5, 2, 1, 1, 1, 2)
    assert report.statuses == ["✅", "🟡", "⬜"]  # the table's own words, no template word counting 0
    assert t.by_status == {"✅": 2, "🟡": 1, "⬜": 2}
    assert report.meanings == {"✅": "shipped", "🟡": "partial", "⬜": "planned"}
    assert [r.verdict for r in report.rows] == ["verified", "broken", "partial", "not-shipped", "not-shipped"]
    md = run("report", cwd=tmp_path).stdout
    assert "claimed (shipped (✅)): 2 (40%)" in md and "Planned (⬜) (not shipped): 2" in md
    data = json.loads(run("report", "--format", "json", cwd=tmp_path).stdout)
    assert data["status_meanings"] == {"✅": "shipped", "🟡": "partial", "⬜": "planned"}
    assert [r["meaning"] for r in data["rows"]] == ["shipped", "shipped", "partial", "planned", "planned"]
    html = run("report", "--format", "html", cwd=tmp_path).stdout
    assert "claimed as shipped" in html and "Implemented" not in html
