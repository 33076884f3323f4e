"""Python: `def`, `async def`, `class`, methods as `Class.method`, pytest tests and markers."""

from parity_lsp.languages.base import Language

LANGUAGE = Language(
    id="python",
    name="Python",
    extensions=(".py", ".pyi"),
    scanner="parity_lsp.workspace.symbols.python:scan",
    fence="python",
    preload=True,
    separator="::",
    tests="pytest `test_*` functions and `Test*` classes' methods, `unittest.TestCase` methods",
    disabled="`@pytest.mark.skip`, an unconditional `skipif`, `unittest.skip`",
    test_files=(r"test_.*\.py", r".*_test\.py", r"conftest\.py"),
    test_dirs=("tests", "test"),
)
