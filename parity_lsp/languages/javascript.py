"""JavaScript: the TypeScript scanner on `.js`, `.jsx`, `.mjs` and `.cjs` files."""

from parity_lsp.languages.base import Language

LANGUAGE = Language(
    id="javascript",
    name="JavaScript",
    extensions=(".js", ".jsx", ".mjs", ".cjs"),
    scanner="parity_lsp.workspace.symbols.typescript:scan",
    fence="js",
    separator=".",
    tests='`test("…")`, `it("…")` inside `describe("…")` (jest, vitest, mocha)',
    disabled="`it.skip`, `test.skip`, `describe.skip`, `xit`, `xdescribe`, `.todo`",
    test_files=(r".*\.(?:test|spec)\.[cm]?jsx?",),
    test_dirs=("__tests__",),
)
