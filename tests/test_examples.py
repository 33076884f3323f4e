"""The second example (issue 17 item 7): `examples/kotlin-shop`, checked by `make demo` after the
first, reports exactly its planted defects of the new kinds (and nothing on its right rows)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from parity_lsp import cli

KOTLIN_SHOP = Path(__file__).resolve().parents[1] / "examples" / "kotlin-shop"

PLANTED = [
    ("PM305", 10, "test `appliesFixedDiscount` is not defined in the workspace"),  # renamed test, bare name
    ("PM310", 12, "glob `src/test/resources/receipts/*.snap` matches no file or directory"),
    ("PM309", 13, "`CartTest.kt` is ambiguous: 2 files have that name"),
    ("PM201", 19, "row cites no proving test"),  # a `Gap` row marked ✅
    ("PM101", 20, "status `Parital` has no meaning"),
    ("PM201", 21, "no proving test that resolves"),  # its test file was deleted ...
    ("PM301", 21, "`src/test/kotlin/shop/TaxTest.kt` does not exist"),  # ... here
    ("PM404", 22, "`Makefile` has no target `demo` (did you mean `run-demo`?)"),
]


def test_the_kotlin_example_reports_exactly_its_planted_defects():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", "--format", "json", str(KOTLIN_SHOP)])
    assert code == 1, err.getvalue()
    data = json.loads(out.getvalue())
    assert data["root"] == str(KOTLIN_SHOP)
    found = [(d["code"], d["line"], d["message"]) for d in data["diagnostics"]]
    assert [(c, n) for c, n, _ in found] == [(c, n) for c, n, _ in PLANTED]
    for (_, _, message), (_, _, phrase) in zip(found, PLANTED, strict=True):
        assert phrase in message
