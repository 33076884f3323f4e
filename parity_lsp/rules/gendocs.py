"""Write one Markdown page per rule into `parity_lsp/rules/docs/` (run after editing a rule doc)."""

from __future__ import annotations

from pathlib import Path

from parity_lsp.engine import ALL_RULES
from parity_lsp.rules.base import RuleInfo

DOCS_DIR = Path(__file__).resolve().parent / "docs"


def page(rule: RuleInfo) -> str:
    fix = "yes" if rule.fixable else "no"
    return (
        f"# {rule.code} {rule.name}\n\n"
        f"Default severity: {rule.severity.label}. Fix available: {fix}.\n\n"
        f"{rule.doc.rstrip()}\n"
    )


def main() -> None:
    DOCS_DIR.mkdir(exist_ok=True)
    for rule in ALL_RULES.values():
        (DOCS_DIR / f"{rule.code}.md").write_text(page(rule), encoding="utf-8")


if __name__ == "__main__":
    main()
