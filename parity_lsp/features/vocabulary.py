"""What the vocabulary means: statuses and proof levels, one text for hover and completion.

Invariant: text only (and the configuration it names). What each status asks of a row is said
here once, as the rules check it (PM201-PM207; docs/spec/rules.md); hover on a status or proof
level cell and the completion of one show the same words. Values not listed here (custom
vocabularies from the config) get a neutral description.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parity_lsp.config import Config

if TYPE_CHECKING:
    from parity_lsp.workspace.index import Workspace

# The template's statuses (docs/spec/matrix.md#statuses). `{where}`: the exceptions document.
STATUS_MEANING = {
    "implemented": "**Implemented** — shipped parity. Requires CI-gated proving tests: the row cites a test "
    "that exists (PM201) and a CI workflow, job and command (PM202) that really run it (PM203), at or "
    "above the row's Proof Level Required (PM204).",
    "partial": "**Partial** — part of the capability is shipped: the row cites the evidence for what "
    "exists and says in Notes what is missing. Not counted as verified parity.",
    "designed": "**Designed** — a design exists, nothing is shipped. Must not be treated as shipped parity: "
    'no ✅, "done" or "shipped" in its cells (PM205); missing evidence is only a warning.',
    "planned": "**Planned** — intended, not designed or shipped. Must not be treated as shipped parity "
    "(PM205); missing evidence is only a warning.",
    "exception": "**Exception** — a deliberate, reviewed gap. Must point to the exceptions document{where}: "
    "a path or link to it, or an exception id such as `EX-04` that it declares (PM206, PM207).",
}

# What each meaning (docs/spec/matrix.md#status-meanings) asks of a row, for a status of a
# table read by its roles.
MEANING_DOCS = {
    "shipped": "A shipped row claims parity: it must cite a proving test that exists (PM201; where "
    "the table has no column for tests, some proof that resolves) and, where the table has a column "
    "for CI, a workflow, job and command that run it (PM202, PM203).",
    "partial": "Part of it is shipped; the row says what is missing. Not counted as verified parity.",
    "planned": "Not shipped: never counted as shipped parity (PM205); missing evidence is only a warning.",
    "exception": "A deliberate, reviewed gap. Where the workspace has an exceptions document, the row "
    "must point to it: a path or link to it, or an exception id such as `EX-04` that it declares "
    "(PM206, PM207).",
}

PROOF_MEANING = {
    "unit": "**unit** — the lowest level: unit tests prove it.",
    "integration": "**integration** — integration tests (or higher) prove it.",
    "e2e": "**e2e** — end-to-end tests prove it.",
    "prod": "**prod** — proven in production (monitoring, a runbook, a canary): the highest level.",
}


def exceptions_where(ws: Workspace) -> str:
    """` (`docs/audits/x.md`)`: the one document declaring the workspace's exception ids, else
    the `exceptions-doc` globs."""
    declared_in = {doc for doc, _line in ws.exception_ids().values()}
    if len(declared_in) == 1:
        return f" (`{declared_in.pop()}`)"
    return " (" + ", ".join(f"`{g}`" for g in ws.config.exceptions_doc) + ")"


def status_meaning(value: str, where: str = "") -> str:
    """A template status (`where`: see `exceptions_where`)."""
    doc = STATUS_MEANING.get(value.strip().lower())
    if doc is None:
        return f"**{value}** — a status configured for this workspace."
    return doc.format(where=where)


def proof_meaning(value: str, config: Config | None = None) -> str:
    """A proof level; with `config`, the globs that put a test at this level and the order."""
    name = value.strip()
    doc = PROOF_MEANING.get(name.lower(), f"**{name}** — a proof level configured for this workspace.")
    if config is None:
        return doc
    # as PM204 classifies a test (`rules/pm204_proof_level_unmet.level_of_test`)
    at_level = [f"`{g}`" for g in config.proof_level_globs.get(name, ())]
    if name.lower() == "e2e":
        at_level.append("a test whose name has `e2e`")
    if at_level:
        doc += "\n\nTests at this level: " + ", ".join(at_level) + "."
    else:
        doc += "\n\nNo test is at this level (`proof-level-globs`): cited tests alone never reach it."
    levels = list(config.proof_levels)
    if len(levels) > 1:
        doc += (
            "\n\nLevels, lowest first: "
            + " < ".join(levels)
            + ". A test at a higher level satisfies a lower requirement."
        )
    return doc
