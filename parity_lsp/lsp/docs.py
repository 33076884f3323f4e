"""Rule documentation as files, for `Diagnostic.codeDescription.href`.

The Markdown pages ship inside the package (`parity_lsp/rules/docs/PMxxx.md`, generated from
the rule modules by `python -m parity_lsp.rules.gendocs` and checked by a test), so the link
works offline in every editor.
"""

from __future__ import annotations

from pathlib import Path

DOCS_DIR = Path(__file__).resolve().parent.parent / "rules" / "docs"


def rule_doc_uri(code: str) -> str:
    return (DOCS_DIR / f"{code}.md").as_uri()
