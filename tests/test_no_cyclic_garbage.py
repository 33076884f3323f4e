"""The server freezes long-lived objects out of the cyclic GC (`gc.freeze` after full checks):
anything it later drops must be freed by reference counting alone. So nothing the engine
builds may hold reference cycles — a cycle would be a leak the size of a model, a workspace's
caches or a file's definitions, every time one is replaced."""

from __future__ import annotations

import gc

from rulekit import CI_REF, MATRIX, TEST_REF, matrix, sources, workspace

from parity_lsp.analysis import Analysis
from parity_lsp.features.actions import code_actions
from parity_lsp.text import Span

ROWS = [
    {
        "cap": "A",
        "status": "Implemented",
        "code": "`src/ledger.rs:7` (`record`)",
        "tests": TEST_REF,
        "ci": CI_REF,
    },
    {
        "cap": "B",
        "status": "Implemnted",
        "code": "`src/ledgr.rs` (`record`)",
        "tests": TEST_REF,
        "ci": CI_REF,
    },
    {"cap": "C", "status": "Planned", "code": "`src/gone/away.rs` (`record`)", "tests": "—", "ci": "—"},
]


def garbage_types(action) -> list[type]:
    """The type of each object that only the cyclic GC could free after `action`."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        action()
        gc.collect()
        return [type(o) for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def cyclic_garbage(action) -> list[str]:
    """Type names of the objects that only the cyclic GC could free after `action`."""
    return sorted({t.__name__ for t in garbage_types(action)})


def test_a_whole_editing_session_leaves_no_cyclic_garbage(tmp_path):
    root = workspace(tmp_path, {**sources(), ".parity-lsp.toml": "", MATRIX: matrix(ROWS)})
    analysis = Analysis(root)
    analysis.ws.fs.stable_stats = True
    text = (root / MATRIX).read_text()
    analysis.open_document(MATRIX, text, 0)
    analysis.open_matrices.add(MATRIX)
    analysis.check_all()

    def session():
        for version, new in enumerate([text.replace("| A |", "| A2 |"), "# Moved\n\n" + text, text], start=1):
            analysis.open_document(MATRIX, new, version)  # a row edit, then two full checks
            analysis.check_all()
            m = analysis.check(MATRIX).matrix
            findings = analysis.findings(MATRIX)
            code_actions(m, findings, Span(0, len(m.text)))  # fix-all and quick fixes: deferred fixes
            for f in findings:
                f.suggestion()
        (root / "src/new.rs").write_text("pub fn new() {}\n")
        analysis.files_changed([("src/new.rs", True)])  # a created file: full checks
        analysis.check_all()
        analysis.files_changed([("Cargo.toml", False)])  # a project file: derived models dropped
        analysis.check_all()
        analysis.reload_config({"exclude": ["build/**"]})  # a new workspace and caches
        analysis.check_all()
        analysis.close_document(MATRIX)
        analysis.check_all()

    assert cyclic_garbage(session) == []
    assert [f.code for f in analysis.findings(MATRIX)]  # the session really checked something


def test_a_dropped_workspace_is_freed_by_reference_counting(tmp_path):
    # A server whose root changes drops its whole analysis: file system, memoized project
    # models (a Cargo package whose targets were never asked for included), definitions.
    files = sources()
    files["Cargo.toml"] += '\n[workspace]\nmembers = ["crates/other"]\n'  # a member nobody cites
    root = workspace(
        tmp_path,
        {
            **files,
            "crates/other/Cargo.toml": '[package]\nname = "other"\n',
            "crates/other/src/lib.rs": "pub fn other() {}\n",
            ".parity-lsp.toml": "",
            MATRIX: matrix(ROWS),
        },
    )
    analysis = Analysis(root)
    analysis.check_all()
    assert analysis.findings(MATRIX)
    from parity_lsp.workspace.ci.projects import find_cargo_workspace

    members = find_cargo_workspace(analysis.ws.fs, "").members
    assert {p.name for p in members} == {"core", "other"}
    assert any(p._discover is not None for p in members)  # targets never asked for
    del members

    def drop():
        nonlocal analysis
        analysis = None

    assert cyclic_garbage(drop) == []


def test_one_shot_commands_leave_no_cyclic_garbage_that_grows_with_the_workspace(tmp_path, capsys):
    """`check`, `fix` and `report` run with the cyclic GC off (cli.main): what they build must
    be freed by reference counting. (argparse's parser holds cycles of its own: a constant few
    hundred objects per command, whatever the size of the workspace.)"""
    from parity_lsp.cli import main

    def garbage_of(rows) -> int:
        root = workspace(
            tmp_path / str(len(rows)), {**sources(), ".parity-lsp.toml": "", MATRIX: matrix(rows)}
        )

        def commands():
            for argv in (
                ["check", "--root", str(root), "--format", "json"],
                ["check", "--root", str(root), "-j", "2"],
                ["report", "--root", str(root), "--format", "markdown"],
                ["fix", "--root", str(root), "--dry-run"],
            ):
                main(argv)

        commands()  # first use: lazily imported modules, compiled patterns
        types = garbage_types(commands)
        assert {t.__module__ for t in types if t.__module__.startswith("parity_lsp")} == set()
        return len(types)

    small = garbage_of(ROWS)
    large = garbage_of([dict(r, cap=f"{r['cap']}{i}") for i in range(40) for r in ROWS])
    assert large == small
    assert '"code": "PM' in capsys.readouterr().out  # the commands really ran
    assert gc.isenabled()  # and main gave the cyclic GC back as it found it


def test_a_command_the_process_ends_after_leaves_the_cyclic_gc_off(tmp_path, capsys):
    # `parity-lsp` (cli.run) exits right after the command: switched on again, the GC's first
    # collection would walk every object the command made before the process could end
    from parity_lsp.cli import main

    root = workspace(tmp_path, {**sources(), ".parity-lsp.toml": "", MATRIX: matrix(ROWS)})
    try:
        assert main(["check", "--root", str(root)], exiting=True) == 1
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert main(["check", "--root", str(root)]) == 1 and gc.isenabled()
    assert "PM" in capsys.readouterr().out
