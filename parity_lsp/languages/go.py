"""Go: `func`, methods `func (r T) M` as `T.M`, `type`; `TestX(t *testing.T)` tests."""

from parity_lsp.languages.base import Language

LANGUAGE = Language(
    id="go",
    name="Go",
    extensions=(".go",),
    scanner="parity_lsp.workspace.symbols.go:scan",
    fence="go",
    preload=True,
    separator=".",
    tests="`func TestX(t *testing.T)` in `_test.go` files (subtests `TestX/case`)",
    disabled="`t.Skip()` as the first statement",
    test_files=(r".*_test\.go",),
)
