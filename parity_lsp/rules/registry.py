"""The explicit rule table: every rule module, in code order.

Invariant: codes are unique and match docs/spec/rules.md; adding a rule means adding it here.
"""

from __future__ import annotations

from parity_lsp.rules import (
    pm001_missing_column,
    pm002_cell_count,
    pm003_duplicate_capability,
    pm004_empty_cell,
    pm005_no_matrix_table,
    pm101_unknown_status,
    pm102_unknown_proof_level,
    pm103_owner_unassigned,
    pm201_implemented_without_tests,
    pm202_implemented_without_ci,
    pm203_test_not_ci_gated,
    pm204_proof_level_unmet,
    pm205_not_shipped,
    pm206_exception_unreferenced,
    pm207_exception_unknown_id,
    pm301_path_not_found,
    pm302_line_out_of_range,
    pm303_symbol_not_found,
    pm304_line_drift,
    pm305_test_not_found,
    pm306_outside_workspace,
    pm307_non_normative_evidence,
    pm308_test_ignored,
    pm309_ambiguous_reference,
    pm310_glob_matches_nothing,
    pm401_workflow_not_found,
    pm402_job_not_found,
    pm403_command_not_in_job,
    pm404_command_target_not_found,
    pm501_governing_doc_missing,
    pm601_evidence_changed,
)
from parity_lsp.rules.base import RuleInfo, RuleModule, Scope

RULE_MODULES: tuple[RuleModule, ...] = (
    pm001_missing_column,
    pm002_cell_count,
    pm003_duplicate_capability,
    pm004_empty_cell,
    pm005_no_matrix_table,
    pm101_unknown_status,
    pm102_unknown_proof_level,
    pm103_owner_unassigned,
    pm201_implemented_without_tests,
    pm202_implemented_without_ci,
    pm203_test_not_ci_gated,
    pm204_proof_level_unmet,
    pm205_not_shipped,
    pm206_exception_unreferenced,
    pm207_exception_unknown_id,
    pm301_path_not_found,
    pm302_line_out_of_range,
    pm303_symbol_not_found,
    pm304_line_drift,
    pm305_test_not_found,
    pm306_outside_workspace,
    pm307_non_normative_evidence,
    pm308_test_ignored,
    pm309_ambiguous_reference,
    pm310_glob_matches_nothing,
    pm401_workflow_not_found,
    pm402_job_not_found,
    pm403_command_not_in_job,
    pm404_command_target_not_found,
    pm501_governing_doc_missing,
    pm601_evidence_changed,
)

RULES: dict[str, RuleInfo] = {m.RULE.code: m.RULE for m in RULE_MODULES}
CHECKS = {m.RULE.code: m.check for m in RULE_MODULES}


_BY_SCOPE: dict[Scope, tuple[RuleModule, ...]] = {}


def modules_for(scope: Scope) -> tuple[RuleModule, ...]:
    """Rule modules of one scope, in code order (computed once: the engine asks per row)."""
    found = _BY_SCOPE.get(scope)
    if found is None:
        found = _BY_SCOPE[scope] = tuple(m for m in RULE_MODULES if m.RULE.scope == scope)
    return found
