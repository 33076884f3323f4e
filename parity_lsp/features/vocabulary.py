"""What the vocabulary means: statuses and proof levels, for hover and completion documentation.

Invariant: text only. Values not listed here (custom vocabularies from the config) get a
neutral description.
"""

from __future__ import annotations

STATUS_MEANING = {
    "implemented": "**Implemented** — shipped parity. Requires CI-gated proving tests: each row cites a test "
    "that exists and a CI workflow, job and command that really run it (PM201, PM202, PM203).",
    "partial": "**Partial** — part of the capability is shipped; the row says what is missing. Not counted "
    "as verified parity.",
    "designed": "**Designed** — a design exists, nothing is shipped. Must not be treated as shipped parity "
    "(PM205); missing evidence is only a warning.",
    "planned": "**Planned** — intended, not designed or shipped. Must not be treated as shipped parity "
    "(PM205).",
    "exception": "**Exception** — a deliberate, reviewed gap. Must point to the exceptions document or "
    "cite a declared exception id such as `EX-04` (PM206, PM207).",
}

# What each meaning (SPEC 8) asks of a row, for hover and completion on a status of a table read
# by its roles.
MEANING_DOCS = {
    "shipped": "A shipped row claims parity: it must cite a proving test that exists (PM201; where "
    "the table has no column for tests, some proof that resolves) and, where the table has a column "
    "for CI, a workflow, job and command that run it (PM202, PM203).",
    "partial": "Part of it is shipped; the row says what is missing. Not counted as verified parity.",
    "planned": "Not shipped: never counted as shipped parity (PM205); missing evidence is only a warning.",
    "exception": "A deliberate, reviewed gap: it points to the exceptions document or cites a declared "
    "exception id such as `EX-04` (PM206, PM207).",
}

PROOF_MEANING = {
    "unit": "**unit** — proven by unit tests (a Rust test under `src/`, Python `tests/unit`).",
    "integration": "**integration** — proven by integration tests (Rust `tests/`, "
    "Python `tests/integration`).",
    "e2e": "**e2e** — proven end to end (`tests/e2e`, or a test named `*e2e*`).",
    "prod": "**prod** — proven in production (monitoring, a runbook, a canary); tests alone do not reach it.",
}


def status_meaning(value: str) -> str:
    return STATUS_MEANING.get(
        value.strip().lower(), f"**{value}** — a status from this workspace's configuration."
    )


def proof_meaning(value: str) -> str:
    return PROOF_MEANING.get(
        value.strip().lower(), f"**{value}** — a proof level from this workspace's configuration."
    )
