"""Resource bounds: large cited files, huge matrices, adversarial input to every scanner and
regex, and peak memory on a 100,000-row CSV."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from growthkit import LINEAR_RATIO, assert_linear

from parity_lsp.config import load_config
from parity_lsp.engine import check_paths
from parity_lsp.workspace.fs import DEFAULT_MAX_FILE_BYTES
from parity_lsp.workspace.index import Workspace

HEADER = (
    "| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
    "| Evidence (CI) | Owner | Notes |\n|---|---|---|---|---|---|---|---|---|\n"
)


def big_workspace(root: Path, size: int, config: str = "") -> Path:
    """A workspace whose cited code and test files are `size` bytes (the symbols are real)."""
    for d in ("docs/parity", "src", "tests", ".github/workflows"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / ".parity-lsp.toml").write_text(config)
    pad = "// " + "x" * 1000 + "\n"
    (root / "src" / "big.rs").write_text("// pad\nfn present() {}\n" + pad * (size // len(pad) + 1))
    (root / "tests" / "test_big.py").write_text(
        "def test_big():\n    pass\n" + ("#" + pad[2:]) * (size // len(pad) + 1)
    )
    (root / "src" / "small.rs").write_text("fn small() {}\n")
    (root / ".github" / "workflows" / "ci.yml").write_text(
        "jobs:\n  t:\n    steps:\n      - run: pytest tests/test_big.py\n"
    )
    (root / "docs" / "parity" / "m.md").write_text(
        HEADER
        + (
            "| Big | x | Implemented | unit | `src/big.rs:2` (`present`)<br>`src/big.rs:99999` (`absent`)<br>`src/small.rs` (`small`) "
            "| `tests/test_big.py` (`test_big`) | `.github/workflows/ci.yml` (job `t`: `pytest tests/test_big.py`) | @me | |\n"
        )
    )
    return root


def check(root: Path):
    config, problems, _ = load_config(root)
    assert not problems
    ws = Workspace(root, config)
    return ws, check_paths(ws)


@pytest.mark.parametrize("limit", [None, 4096])
def test_a_cited_file_over_the_limit_is_stat_checked_but_not_read(tmp_path, limit):
    """Default limit 5 MB (a 6 MB file), or `max-file-bytes = 4096` (a 10 KB file)."""
    size = DEFAULT_MAX_FILE_BYTES + 1024 * 1024 if limit is None else 10 * 1024
    root = big_workspace(tmp_path, size, "" if limit is None else f"max-file-bytes = {limit}\n")
    ws, result = check(root)
    assert ws.config.max_file_bytes == (limit or 5 * 1024 * 1024)
    assert (root / "src" / "big.rs").stat().st_size > ws.config.max_file_bytes
    src = ws.source("src/big.rs")
    assert src.text is None and src.definitions is None and "larger than" in src.error
    assert ws.fs.stat("src/big.rs").kind == "file"  # stat-checked: it exists
    codes = [(f.code, f.message) for f in result.findings]
    assert not [c for c in codes if c[0] in ("PM301", "PM000")], codes  # exists, nothing crashed
    # nothing is claimed about the content that was not read
    # (a warning that the file was not read is the one thing said about it)
    assert not [
        c
        for c in codes
        if c[0] in ("PM302", "PM303", "PM304") and "big.rs" in c[1] and "is not read" not in c[1]
    ], codes
    # the small file next to it is read and checked as usual
    assert ws.source("src/small.rs").definitions


def test_a_cited_file_over_the_limit_gets_a_diagnostic_that_says_so(tmp_path):
    root = big_workspace(tmp_path, 10 * 1024, "max-file-bytes = 4096\n")
    _, result = check(root)
    about_big = [f for f in result.findings if "big.rs" in f.message or "test_big.py" in f.message]
    assert any(
        "limit" in f.message or "too large" in f.message or "larger than" in f.message for f in about_big
    ), [(f.code, f.message) for f in result.findings]


def test_pm201_does_not_call_an_unread_test_file_missing(tmp_path):
    root = big_workspace(tmp_path, 10 * 1024, "max-file-bytes = 4096\n")
    _, result = check(root)
    lies = [f.message for f in result.findings if f.code == "PM201" and "missing" in f.message]
    assert not lies


def test_a_50_mb_matrix_is_rejected_with_pm000_without_being_read(tmp_path):
    root = tmp_path
    (root / "docs" / "parity").mkdir(parents=True)
    (root / ".parity-lsp.toml").write_text("")
    matrix = root / "docs" / "parity" / "huge.md"
    row = "| Cap | x | Planned | unit | `src/a.rs` | | | @me | " + "n" * 900 + " |\n"
    with open(matrix, "w") as fh:
        fh.write(HEADER)
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(row * 1000)
    # measured in a helper, so that RUSAGE_CHILDREN sees this one `check` only
    helper = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run([sys.executable, '-m', 'parity_lsp', 'check', '--format', 'json', sys.argv[1]],"
        " stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "sys.stderr.buffer.write(p.stderr)\n"
        "sys.stdout.buffer.write(p.stdout)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(p.returncode)\n"
    )
    proc = subprocess.run([sys.executable, "-c", helper, str(root)], capture_output=True, timeout=300)
    assert proc.returncode == 1, proc.stderr.decode(errors="replace")
    report = json.loads(proc.stdout)
    assert [(d["code"], d["path"], d["line"]) for d in report["diagnostics"]] == [
        ("PM000", "docs/parity/huge.md", 1)
    ]
    message = report["diagnostics"][0]["message"]
    assert "larger than the 10 MB limit" in message and str(matrix.stat().st_size) in message, message
    # Not read: its 50 MB are not in memory (a wall-clock bound here failed on a loaded machine)
    peak_mb = int(proc.stderr.decode().split()[-1]) / 1024
    assert peak_mb < 40, f"`check` peaked at {peak_mb:.0f} MB: the 50 MB matrix was read"


# --- adversarial input: every call grows linearly -------------------------------------------------
#
# Each crafted input is built at a size n and at 4n, and each call is timed at both in a child
# process (CPU time, the best of a few runs, see tests/growthkit.py): linear work grows ~4x,
# quadratic 16x. n starts at 10,000 characters and grows until the call takes 10 ms at 4n, so
# cheap calls are measured at a size where a quadratic term shows. No time bound: a call still
# running HANG_GUARD seconds after it started is reported as a hang (the child is killed).

HANG_GUARD = 120.0  # wall seconds: far beyond any linear call here, even on a loaded machine
FIRST_SIZE = 10_000
LARGEST_SIZE = 400_000  # 4n at most 1.6 M characters

_CHILD = r'''
import gc, os, sys, time
sys.path.insert(0, sys.argv[4])
from growthkit import LINEAR_RATIO, cpu_seconds
family, workdir, first, largest = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[5])

def rep(s, n):
    return (s * (n // len(s) + 1))[:n]

def cases():
    # (label, make): make(n) builds the input of size ~n and returns the call to time
    if family == "evidence":
        from parity_lsp.parse.evidence import parse_evidence
        inputs = {
            "plain": lambda n: rep("abc ", n), "leading whitespace": lambda n: " " * n + "x",
            "whitespace after ;": lambda n: "a;" + " " * n + "x", "tabs": lambda n: "\t" * n + "x",
            "nbsp": lambda n: "\u00a0" * n + "x", "stars": lambda n: rep("* ", n) + "x",
            "backticks": lambda n: "`" * n, "backtick pairs": lambda n: rep("`a` ", n),
            "unclosed backtick runs": lambda n: rep("`` a ", n), "double then single backticks": lambda n: "``" + rep("` ", n),
            "open parens": lambda n: "(" * n, "nested parens": lambda n: "(" * (n // 2) + ")" * (n // 2),
            "nested code in parens": lambda n: rep("(`x` ", n) + "`a/b.rs`" + ")" * (n // 5),
            "nested code and brackets": lambda n: rep("(`x` [ ", n) + ")" * (n // 7),
            "open brackets": lambda n: "[" * n, "nested brackets": lambda n: "[" * (n // 2) + "]" * (n // 2),
            "link openers": lambda n: rep("[a](", n), "br": lambda n: rep("<br>", n), "br openers": lambda n: rep("<br", n),
            "lt": lambda n: "<" * n, "colons": lambda n: rep("a:", n), "line suffixes": lambda n: rep(":1", n),
            "anchors": lambda n: rep("#L1-", n), "double colons": lambda n: rep("::", n), "slashes": lambda n: "/" * n,
            "long path": lambda n: "`" + rep("a/", n) + "`", "long line number": lambda n: "`a.rs:" + "1" * n + "`",
            "long symbol": lambda n: "`a.rs` (`" + rep("a::", n) + "`)",
            "as chain": lambda n: "`a.rs` (`<" + rep(" a as", n) + "`)",
            "ci commands": lambda n: "`.github/workflows/ci.yml` (job `a`: `" + rep("cargo test ", n) + "`)",
            "ci plus": lambda n: "`.github/workflows/ci.yml` (job `a`: `" + rep("a + ", n) + "`)",
            "missing proof": lambda n: "Missing proof: " + "-" * n, "dashes": lambda n: "-" * n + "x",
            "labels": lambda n: rep("Rust: ", n), "escapes": lambda n: rep("\\|", n), "quotes": lambda n: '"' * n,
            "control": lambda n: rep("\x00\x01\x1b", n), "emoji": lambda n: "\U0001F680" * n,
            "rtl": lambda n: rep("\u202e\u05d0", n), "mixed newlines": lambda n: rep("a\r\nb\rc\n", n),
        }
        for label, build in inputs.items():
            for col in ("evidence (code)", "evidence (tests)", "evidence (ci)"):
                yield f"{label} [{col}]", lambda n, b=build, c=col: (lambda t=b(n): parse_evidence(t, 0, "docs/parity/m.md", c))
    elif family == "values":
        from parity_lsp.model import plain_value
        for label, build in {
            "backticks": lambda n: "`" * n, "growing backtick runs": lambda n: "".join("`" * k + " " for k in range(1, int((2 * n) ** 0.5))),
            "backtick pairs": lambda n: rep("``a` ", n), "emphasis openers": lambda n: rep("*a ", n),
            "underscore openers": lambda n: rep("_a ", n), "strong openers": lambda n: rep("**a ", n),
            "few openers, long line": lambda n: "*a " * 8 + "b " * (n // 2), "stars": lambda n: "*" * n,
            "escaped pipes": lambda n: rep("\\|", n),
        }.items():
            yield label, lambda n, b=build: (lambda t=b(n): plain_value(t))
    elif family == "directives":
        from parity_lsp.parse.directives import parse_directive
        for label, build in {
            "leading whitespace": lambda n: " " * n + "parity-lsp",
            "whitespace around": lambda n: " " * n + "parity-lsp: disable" + " " * n + "x",
            "trailing whitespace": lambda n: "<!-- parity-lsp: disable" + " " * n + "x",
            "many codes": lambda n: "<!-- parity-lsp: disable " + rep("PM1 ", n) + "x",
            "comment then whitespace": lambda n: "<!--" + " " * n + "parity-lsp", "repeated": lambda n: rep("parity-lsp: ", n),
        }.items():
            yield label, lambda n, b=build: (lambda s=b(n): parse_directive(s))
    elif family in ("markdown", "delimited"):
        from parity_lsp.engine import parse_matrix
        H = "| Capability | Status | Evidence (Code) |\n|---|---|---|\n"
        C = "Capability,Status,Evidence (Code)\n"
        if family == "markdown":
            builds = {"pipes": lambda n: H + "|" * n, "escaped pipes": lambda n: H + "| a | " + rep("\\|", n) + " |",
                      "rows": lambda n: H + rep("| a | b | c |\n", n), "no pipes": lambda n: H + rep("a\n", n),
                      "backticks": lambda n: H + rep("| `", n), "html comments": lambda n: H + rep("<!--", n),
                      "whitespace": lambda n: H + " " * n + "|x", "crlf rows": lambda n: H.replace("\n", "\r\n") + rep("| a | b | c |\r", n),
                      "long cell": lambda n: H + "| " + "a" * n + " | b | c |",
                      "directive lines": lambda n: rep("<!-- parity-lsp: disable PM1 -->\n", n),
                      "headings": lambda n: rep("## h\n", n), "fences": lambda n: rep("```\n", n),
                      "nested quotes": lambda n: ">" * n + " " + H}
            path = "docs/parity/m.md"
        else:
            builds = {"quotes": lambda n: C + '"' * n, "doubled quotes": lambda n: C + rep('"a""', n),
                      "commas": lambda n: C + "," * n, "rows": lambda n: C + rep("a,b,c\n", n),
                      "unterminated": lambda n: C + 'a,"' + rep("b\n", n)}
            path = "docs/parity/m.csv"
        for label, build in builds.items():
            # the values of every cell too (`Cell.value`, asked by the rules)
            yield label, lambda n, b=build: (lambda t=b(n): [c.value for r in parse_matrix(path, t).rows() for c in r.cells])
    elif family in ("rust", "python", "go", "typescript", "generic"):
        from parity_lsp.workspace.symbols import find_definitions, word_occurrences
        ext = {"rust": ["rs"], "python": ["py"], "go": ["go"], "typescript": ["ts", "js"], "generic": ["txt"]}[family]
        builds = {"braces": lambda n: "{" * n, "closing braces": lambda n: "}" * n, "fn": lambda n: rep("fn a(", n),
                  "def": lambda n: rep("def a(\n", n), "quotes": lambda n: '"' * n, "triple quotes": lambda n: rep('"""', n),
                  "block comments": lambda n: rep("/*", n), "generics": lambda n: rep("impl<", n), "regex-like": lambda n: rep("/[", n),
                  "templates": lambda n: rep("`${", n), "nested mods": lambda n: rep("mod a {", n),
                  "nested fns": lambda n: rep("fn a() {\n", n), "nested namespaces": lambda n: rep("namespace a {\n", n),
                  "nested describes": lambda n: rep("describe('a', () => {\n", n),
                  "nested classes": lambda n: "".join(" " * i + "class A:\n" for i in range(int((2 * n) ** 0.5))),
                  "const blocks": lambda n: rep("const A: () = {", n),
                  "whitespace": lambda n: " " * n + "x", "attributes": lambda n: rep("#[", n),
                  "decorators": lambda n: rep("@a\n", n), "classes": lambda n: rep("class A:\n    ", n), "receivers": lambda n: rep("func (a ", n),
                  "test calls": lambda n: rep("test('", n), "paths": lambda n: rep("a::", n), "raw strings": lambda n: rep('r#"', n),
                  "chars": lambda n: rep("'a", n), "lifetimes": lambda n: rep("<'a, ", n), "arrows": lambda n: rep("=> (", n),
                  "backslashes": lambda n: "\\" * n, "newlines": lambda n: "\n" * n}
        for e in ext:
            for label, build in builds.items():
                yield f"{label} [.{e}]", lambda n, b=build, e=e: (lambda t=b(n): find_definitions(f"src/x.{e}", t))
        if family == "generic":
            yield "word search", lambda n: (lambda t=rep("a ", n): word_occurrences(t, "a"))
    elif family == "lookup":
        from parity_lsp.workspace.symbols import find_definitions, lookup
        defs = find_definitions("x.rs", "fn a() {}\nimpl A { fn b() {} }\ntrait T { fn c(); }\n")
        deep = lambda n: find_definitions("x.rs", "mod a {\n" * 30 + rep("fn a() {}\n", n))
        for label, build in {"as chain": lambda n: "<" + rep(" a as", n), "as then words": lambda n: "<a as " + rep("b ", n),
                             "angles": lambda n: "<" * n, "generics": lambda n: rep("<a>", n), "calls": lambda n: rep("a()", n),
                             "open parens": lambda n: "a" + "(" * n, "dots": lambda n: rep("a.", n),
                             "qualified": lambda n: "<a as b>::" + rep("c::", n), "whitespace": lambda n: " " * n + "a"}.items():
            yield label, lambda n, b=build: (lambda s=b(n): lookup(defs, s))
        yield "many definitions 30 deep", lambda n: (lambda d=deep(n // 10): lookup(d, "a"))
    elif family == "commands":
        from parity_lsp.workspace.ci.commands import closest_command, command_matches, parse_command
        from parity_lsp.workspace.ci.shell import split_commands, split_words, with_directories
        for label, build in {"whitespace": lambda n: " " * n + "x", "single quotes": lambda n: "'" * n,
                             "double quotes": lambda n: '"' * n, "substitutions": lambda n: rep("$(", n),
                             "nested substitutions in quotes": lambda n: rep('"$(', n), "backticks": lambda n: "`" * n,
                             "heredocs": lambda n: rep("<<EOF\n", n), "continuations": lambda n: rep("\\\n", n),
                             "and chains": lambda n: rep("a && ", n), "cargo options": lambda n: "cargo test " + rep("-p a ", n),
                             "pytest -k": lambda n: "pytest " + rep("-k 'a and ' ", n), "go -run": lambda n: "go test -run " + "(" * n,
                             "expressions": lambda n: rep("${{", n), "assignments": lambda n: rep("A=b ", n),
                             "pipes": lambda n: rep("a | ", n), "nested quotes": lambda n: rep("\"'`", n),
                             "leading braces": lambda n: rep("{ ", n), "nested subshells with cd": lambda n: rep("(cd a && ", n),
                             "repeated words": lambda n: "x " + rep("a ", n)}.items():
            yield f"split_commands {label}", lambda n, b=build: (lambda t=b(n): split_commands(t))
            yield f"directories {label}", lambda n, b=build: (lambda t=b(n): with_directories(split_commands(t), ""))
            yield f"split_words {label}", lambda n, b=build: (lambda t=b(n): split_words(t))
            # cached by text: a new text per call
            yield f"parse_command {label}", lambda n, b=build: (lambda t=b(n): parse_command(t + str(time.perf_counter_ns())))
            yield f"command_matches {label}", lambda n, b=build: (
                lambda t=b(n): command_matches(t + str(time.perf_counter_ns()), t + " x"))
            yield f"closest_command {label}", lambda n, b=build: (lambda t=b(n): closest_command(t, [t[:-1], "cargo test"]))
    elif family == "workflows":
        from parity_lsp.workspace.ci.workflows import find_job, parse_workflow
        def named(n):
            wf = parse_workflow("jobs:\n  t:\n    name: " + rep("${{ a }}x", n) + "y\n    steps:\n      - run: x\n", ".github/workflows/x.yml")
            return lambda: find_job(wf, "x" * 40)
        def unclosed(n):
            wf = parse_workflow("jobs:\n  t:\n    name: " + rep("${{ a ", n) + "\n    steps:\n      - run: x\n", ".github/workflows/x.yml")
            return lambda: find_job(wf, "x")
        for label, build in {"flow nesting": lambda n: "[" * n, "map nesting": lambda n: rep("{a: ", n), "anchors": lambda n: rep("&a x ", n),
                             "long run": lambda n: "jobs:\n  t:\n    steps:\n      - run: " + rep("cargo test && ", n),
                             "many jobs": lambda n: "jobs:\n" + "".join(f"  j{i}:\n    steps:\n      - run: x\n" for i in range(n // 40)),
                             "block scalar": lambda n: "jobs:\n  t:\n    steps:\n      - run: |\n" + rep("          a \\\n", n),
                             "matrix include": lambda n: "jobs:\n  t:\n    strategy:\n      matrix:\n        a: [x]\n        include:\n"
                             + "".join(f"          - a: v{i}\n" for i in range(n // 16)) + "    steps:\n      - run: cargo test -p ${{ matrix.a }}\n",
                             "indentation": lambda n: rep("  a:\n", n), "quotes": lambda n: '"' * n, "tabs": lambda n: "\t" * n}.items():
            yield label, lambda n, b=build: (lambda t=b(n): parse_workflow(t, ".github/workflows/x.yml"))
        yield "job name of expressions", named
        yield "job name of unclosed expressions", unclosed
    elif family == "makefiles":
        from parity_lsp.workspace.ci.follow import parse_makefile
        for label, build in {"blanks in a rule": lambda n: "a" + " " * n + "b\n", "continuations": lambda n: rep("a \\\n", n),
                             "recipes": lambda n: "a b c:\n" + rep("\techo x\n", n), "rules": lambda n: rep("a: b\n", n),
                             "assignments": lambda n: rep("A = b\n", n), "colons": lambda n: ":" * n}.items():
            yield label, lambda n, b=build: (lambda t=b(n): parse_makefile(t))
    elif family == "pm205":
        from parity_lsp.engine import check_paths
        from parity_lsp.workspace.index import Workspace
        root = workdir
        os.makedirs(os.path.join(root, "docs", "parity"), exist_ok=True)
        open(os.path.join(root, ".parity-lsp.toml"), "w").close()
        H = ("| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
             "| Evidence (CI) | Owner | Notes |\n|---|---|---|---|---|---|---|---|---|\n")
        path = os.path.join(root, "docs", "parity", "m.md")
        for label, build in {"negated done": lambda n: rep("not done ", n), "negation then whitespace": lambda n: "not" + " " * n + "done",
                             "negation then words": lambda n: "not " + rep("a ", n) + "done", "prefixes": lambda n: rep("un-", n) + "done",
                             "checkmarks": lambda n: "\u2705" * n, "shipped words": lambda n: rep("shipped ", n)}.items():
            def make(n, b=build):
                text = H + f"| Cap | x | Planned | unit | | | | @me | {b(n)} |\n"
                def run():
                    with open(path, "w") as fh:
                        fh.write(text)
                    check_paths(Workspace(root))
                return run
            yield label, make

for i, (label, make) in enumerate(cases()):
    print("START", i, label, flush=True)
    n = first
    while True:
        small, large = make(n), make(4 * n)
        t1, t4 = cpu_seconds(small, 2), cpu_seconds(large, 1)
        if t4 >= 0.01 or 4 * n > largest:
            break
        n *= 4
    if t4 >= LINEAR_RATIO * max(t1, 1e-4):  # once more before calling it superlinear
        t1, t4 = cpu_seconds(small, 3), cpu_seconds(large, 3)
    print("END", i, n, f"{t1:.6f}", f"{t4:.6f}", label, flush=True)
print("DONE", flush=True)
'''

FAMILIES = [
    "evidence",
    "values",
    "directives",
    "markdown",
    "delimited",
    "rust",
    "python",
    "go",
    "typescript",
    "generic",
    "lookup",
    "commands",
    "workflows",
    "makefiles",
    "pm205",
]


def run_family(family: str) -> dict:
    """Time a family's calls at n and 4n in a subprocess; stop at a call that hangs."""
    workdir = tempfile.mkdtemp(prefix=f"adversarial-{family}-")
    tests_dir = str(Path(__file__).resolve().parent)
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, family, workdir, str(FIRST_SIZE), tests_dir, str(LARGEST_SIZE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(out_line) for out_line in proc.stdout] + [lines.put(None)], daemon=True
    ).start()
    out: dict = {"growth": {}, "hang": None, "error": None, "done": False}
    current = None
    deadline = time.monotonic() + HANG_GUARD  # imports
    try:
        while True:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                out["hang"] = current or "(start-up)"
                return out
            if line is None:
                if proc.wait() != 0:
                    out["error"] = proc.stderr.read()[-3000:]
                return out
            kind, _, rest = line.rstrip("\n").partition(" ")
            if kind == "START":
                current = rest.split(" ", 1)[1]
                deadline = time.monotonic() + HANG_GUARD
            elif kind == "END":
                _, n, t1, t4, label = rest.split(" ", 4)
                out["growth"][label] = (int(n), float(t1), float(t4))
            elif kind == "DONE":
                out["done"] = True
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def adversarial() -> dict:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(FAMILIES, pool.map(run_family, FAMILIES), strict=True))


@pytest.mark.parametrize("family", FAMILIES)
def test_adversarial_input_grows_linearly(adversarial, family):
    result = adversarial[family]
    assert result["error"] is None, result["error"]
    assert result["hang"] is None, (
        f"{family}: `{result['hang']}` still ran {HANG_GUARD:.0f}s after it started "
        f"(finished before it: {len(result['growth'])})"
    )
    assert result["done"] and result["growth"]
    superlinear = {
        label: f"{t1 * 1000:.1f} ms at n={n:,}, {t4 * 1000:.1f} ms at 4n (x{t4 / max(t1, 1e-4):.1f})"
        for label, (n, t1, t4) in result["growth"].items()
        if t4 >= LINEAR_RATIO * max(t1, 1e-4)
    }
    assert not superlinear, superlinear


# --- issue 16, items 14-17: hostile input that stalled `check` -------------------------------------
#
# Each is timed through the engine (`check_paths` on a workspace of that size, in this process)
# at n and 4n: it must grow linearly (tests/growthkit.py), not by the cubic or quadratic term
# each had (n backticks: 10,000 took 36 s; 100,000 alike workflow lines: over 60 s; 12,500
# nested `mod a {`: 42 s; 8 MB of nested parentheses: 12.8 s and 511 MB).

ROW = "| Cap | x | {status} | unit | {code} | {tests} | {ci} | @me | |\n"


def _hostile_workspace(root: Path, matrix_row: str, files: dict[str, str] | None = None) -> Path:
    for rel, text in {
        ".parity-lsp.toml": "",
        "Cargo.toml": '[workspace]\nmembers = ["crates/x"]\n',
        "crates/x/Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n',
        "crates/x/src/lib.rs": "pub fn a() {}\n",
        "crates/x/tests/t.rs": "#[test]\nfn t() {}\n",
        "docs/parity/m.md": HEADER + matrix_row,
        **(files or {}),
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _check_growth(tmp_path: Path, build, n: int, what: str) -> list:
    """assert_linear over `check` of the workspace `build(root, size)` makes; the findings at n."""
    roots: dict[int, Path] = {}

    def make(size: int):
        root = roots[size] = build(tmp_path / f"n{size}", size)
        return lambda: check(root)

    assert_linear(make, n, what)
    return check(roots[n])[1].findings


def test_item_14_a_cell_of_backticks(tmp_path):
    def build(root, size):
        return _hostile_workspace(root, ROW.format(status="`" * size, code="", tests="", ci=""))

    findings = _check_growth(tmp_path, build, 2_000_000, "check, a Status cell of n backticks")
    assert [f.code for f in findings if f.code == "PM101"] == ["PM101"]  # the cell was read


def test_item_15_a_workflow_of_alike_commands(tmp_path):
    def build(root, size):
        run = "          cargo test -p x && \\\n" * size + "          cargo test -p x --test t\n"
        return _hostile_workspace(
            root,
            ROW.format(
                status="Implemented",
                code="`crates/x/src/lib.rs` (`a`)",
                tests="`crates/x/tests/t.rs` (`t`)",
                ci="`.github/workflows/ci.yml` (job `t`: `cargo test -p x`)",
            ),
            {".github/workflows/ci.yml": "jobs:\n  t:\n    runs-on: x\n    steps:\n      - run: |\n" + run},
        )

    findings = _check_growth(tmp_path, build, 2_500, "check, a `run:` of n `cargo test -p x && \\` lines")
    assert not findings  # every one of them runs the test


def test_item_16_a_file_of_nested_modules(tmp_path):
    def build(root, size):
        return _hostile_workspace(
            root,
            ROW.format(status="Planned", code="`src/big.rs:3` (`a`)", tests="", ci=""),
            {"src/big.rs": "mod a {\n" * size + "}\n" * size},
        )

    findings = _check_growth(tmp_path, build, 25_000, "check, a cited file of n nested `mod a {`")
    # nested deeper than any code: not understood, and said so (found by word search)
    assert [(f.code, f.severity.name) for f in findings] == [("PM303", "INFO")], findings
    assert "word search" in findings[0].message


def test_item_17_a_cell_of_nested_parentheses(tmp_path):
    def build(root, size):
        cell = "(" * (size // 2) + ")" * (size // 2)
        return _hostile_workspace(root, ROW.format(status="Implemented", code=cell, tests="", ci=""))

    findings = _check_growth(tmp_path, build, 500_000, "check, a cell of n nested parentheses")
    assert {f.code for f in findings} == {"PM201", "PM202"}  # the row was checked


def test_item_17_the_memory_of_a_cell_of_nested_parentheses():
    """8 MB of nested parentheses took 511 MB: a dictionary entry per parenthesis. Now an array
    of 4 bytes per character, and a byte."""
    from parity_lsp.parse.evidence import parse_evidence

    size = 1_000_000
    cell = "(" * (size // 2) + ")" * (size // 2)
    tracemalloc.start()
    try:
        parse_evidence(cell, 0, "docs/parity/m.md", "evidence (code)")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * size, f"{peak / size:.1f} bytes per character"


def test_item_17_parentheses_nested_100000_deep_around_code_spans():
    """A parenthesis holding a code span and another parenthesis was read by recursion: 100,000
    levels raised RecursionError, and the cell lost every reference. (Its growth, with brackets
    at each level, which made each level walk the rest of the cell again: the adversarial
    evidence family, `nested code and brackets`.)"""
    from parity_lsp.parse.evidence import parse_evidence

    depth = 100_000
    cell = "(`x` " * depth + "`src/a.rs`" + ")" * depth
    ev = parse_evidence(cell, 0, "docs/parity/m.md", "evidence (code)")
    assert [r.path for r in ev.refs] == ["src/a.rs"]


# --- memory ---------------------------------------------------------------------------------------------------

MEMORY_LIMIT_KB = 1_500 * 1024


def test_memory_stays_bounded_on_a_100000_row_csv(tmp_path, record_property):
    root = tmp_path
    for d in ("docs/parity", "src", "tests"):
        (root / d).mkdir(parents=True)
    (root / ".parity-lsp.toml").write_text("")
    (root / "src" / "a.rs").write_text("fn record() {}\n")
    (root / "tests" / "test_a.py").write_text("def test_a():\n    pass\n")
    statuses = ["Implemented", "Planned", "Partial", "Designed", "Implemeted"]
    rows = [
        "Capability,Arco Feature,Status,Proof Level Required,Evidence (Code),Evidence (Tests),Evidence (CI),Owner,Notes"
    ]
    for i in range(100_000):
        if i % 5 == 0:  # every fifth row cites code and a test and gets real findings
            rows.append(
                f"Cap {i},F{i % 50},{statuses[i // 5 % 5]},unit,src/a.rs:1 (record),tests/test_a.py (test_a),,@o{i % 20},n"
            )
        else:
            rows.append(f"Cap {i},F{i % 50},Planned,unit,src/a.rs,,,@o{i % 20},")
    csv = root / "docs" / "parity" / "big-parity.csv"
    csv.write_text("\n".join(rows) + "\n")
    assert csv.stat().st_size < 10 * 1024 * 1024  # under the matrix limit: it is really checked
    # measure in a fresh helper so RUSAGE_CHILDREN sees only this one `parity-lsp check`
    helper = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.monotonic()\n"
        "p = subprocess.run([sys.executable, '-m', 'parity_lsp', 'check', '--format', 'json', sys.argv[1]],"
        " stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "d = json.loads(p.stdout)\n"
        "print(json.dumps({'rc': p.returncode, 'maxrss_kb': r.ru_maxrss, 'seconds': time.monotonic() - t,"
        " 'files': d['files_checked'], 'diagnostics': len(d['diagnostics']), 'stderr': p.stderr.decode()[-2000:]}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", helper, str(root)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    m = json.loads(proc.stdout)
    record_property("peak_rss_mb", round(m["maxrss_kb"] / 1024))
    print(
        f"\n100,000-row CSV: peak RSS {m['maxrss_kb'] / 1024:.0f} MB, {m['seconds']:.1f}s, {m['diagnostics']} diagnostics"
    )
    assert m["rc"] == 1, m["stderr"]
    assert m["files"] == 1 and m["diagnostics"] > 5_000  # really checked, row by row
    assert m["maxrss_kb"] < MEMORY_LIMIT_KB, f"peak RSS {m['maxrss_kb'] / 1024:.0f} MB"


def test_a_repository_exception_id_pattern_cannot_freeze_the_check(tmp_path):
    (tmp_path / "docs" / "parity").mkdir(parents=True)
    (tmp_path / "docs" / "audits").mkdir(parents=True)
    (tmp_path / ".parity-lsp.toml").write_text('exception-id-pattern = "(a+)+$"\n')
    (tmp_path / "docs" / "audits" / "x-exception-doc.md").write_text("a" * 40 + "!\n")
    (tmp_path / "docs" / "parity" / "m.md").write_text(
        HEADER + "| a | x | Exception | unit | | | | @me | EX-1 |\n"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "parity_lsp", "check", str(tmp_path)], capture_output=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        pytest.fail("`parity-lsp check` froze on the repository's exception-id-pattern")
    assert proc.returncode in (0, 1, 2)
