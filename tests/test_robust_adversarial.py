"""Adversarial input to every scanner and regex: each call grows linearly in the size of its
input (issue 7; issue 16). Split from tests/test_robust_resources.py so that the scheduler can run
this file's one module fixture (15 families timed in child processes, the longest unit of the
suite) on one worker while the other runs the rest."""

from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from growthkit import LINEAR_RATIO

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
    small = make(n)
    t1 = cpu_seconds(small, 2)
    while True:
        large = make(4 * n)
        t4 = cpu_seconds(large, 1)
        if t4 >= 0.01 or 4 * n > largest:
            break
        # the next n is this 4n: its input is built and was timed once, a second run makes the
        # best of two as above (not built and timed twice again)
        n *= 4
        small, t1 = large, min(t4, cpu_seconds(large, 1))
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
