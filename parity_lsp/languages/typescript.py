"""TypeScript: functions, classes and methods, `const x =`, and jest/vitest/mocha
`describe`/`it`/`test` titles (shares its scanner with JavaScript)."""

from parity_lsp.languages.base import Language

LANGUAGE = Language(
    id="typescript",
    name="TypeScript",
    extensions=(".ts", ".tsx", ".mts", ".cts"),
    scanner="parity_lsp.workspace.symbols.typescript:scan",
    fence="ts",
    separator=".",
    tests='`test("…")`, `it("…")` inside `describe("…")` (jest, vitest, mocha)',
    disabled="`it.skip`, `test.skip`, `describe.skip`, `xit`, `xdescribe`, `.todo`",
    test_files=(r".*\.(?:test|spec)\.[cm]?tsx?",),
    test_dirs=("__tests__",),
)
