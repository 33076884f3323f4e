"""Rewrite the generated line of `.pre-commit-hooks.yaml` (the cited code files) from the
language registry: `make pre-commit-hooks`. tests/test_languages.py fails until it is run
after a language or an extension is added."""

from __future__ import annotations

import sys
from pathlib import Path

from parity_lsp.languages import pre_commit_code_line, update_pre_commit_hooks


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else ".pre-commit-hooks.yaml")
    text = path.read_text(encoding="utf-8")
    new = update_pre_commit_hooks(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    print(pre_commit_code_line().strip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
