"""`--format sarif`: SARIF 2.1.0 structure as GitHub code scanning reads it."""

from __future__ import annotations

import json

import parity_lsp
from parity_lsp.findings import Edit, Finding, Fix, Related, Severity
from parity_lsp.output import make_report, render
from parity_lsp.rules.base import RuleInfo
from parity_lsp.text import LineIndex, Span

PATH = "docs/parity/m.md"
# Two astral-plane emoji before the cited value: code point and UTF-16 columns differ by 2.
MATRIX = "| Capability | Status |\n|---|---|\n| 😀 Tick 🎉 | Implementd |\n"
TEST_FILE = "def helper():\n    pass\n\ndef test_x():\n    assert '😀' == x  # 🎉\n"

RULES = {
    "PM101": RuleInfo(
        "PM101",
        "unknown-status",
        Severity.ERROR,
        "Status not in the vocabulary",
        "## What it does\nChecks status.",
    ),
    "PM304": RuleInfo(
        "PM304",
        "line-drift",
        Severity.WARNING,
        "Cited line outside the symbol",
        "Doc for PM304",
        fixable=True,
    ),
    "PM103": RuleInfo("PM103", "owner-unassigned", Severity.INFO, "Owner is a placeholder", "Doc for PM103"),
    "PM002": RuleInfo("PM002", "cell-count", Severity.ERROR, "Wrong cell count", "Doc for PM002"),
}

# Allowed properties (SARIF 2.1.0 schema objects are `additionalProperties: false`).
ALLOWED = {
    "log": {"$schema", "version", "runs", "inlineExternalProperties", "properties"},
    "run": {
        "tool",
        "invocations",
        "conversion",
        "language",
        "versionControlProvenance",
        "originalUriBaseIds",
        "artifacts",
        "logicalLocations",
        "graphs",
        "results",
        "automationDetails",
        "runAggregates",
        "baselineGuid",
        "redactionTokens",
        "defaultEncoding",
        "defaultSourceLanguage",
        "newlineSequences",
        "columnKind",
        "externalPropertyFileReferences",
        "threadFlowLocations",
        "taxonomies",
        "addresses",
        "translations",
        "policies",
        "webRequests",
        "webResponses",
        "specialLocations",
        "properties",
    },
    "invocation": {
        "commandLine",
        "arguments",
        "responseFiles",
        "startTimeUtc",
        "endTimeUtc",
        "exitCode",
        "ruleConfigurationOverrides",
        "notificationConfigurationOverrides",
        "toolExecutionNotifications",
        "toolConfigurationNotifications",
        "exitCodeDescription",
        "exitSignalName",
        "exitSignalNumber",
        "processStartFailureMessage",
        "executionSuccessful",
        "machine",
        "account",
        "processId",
        "executableLocation",
        "workingDirectory",
        "environmentVariables",
        "stdin",
        "stdout",
        "stderr",
        "stdoutStderr",
        "properties",
    },
    "notification": {
        "locations",
        "message",
        "level",
        "threadId",
        "timeUtc",
        "exception",
        "descriptor",
        "associatedRule",
        "properties",
    },
    "descriptorReference": {"id", "index", "guid", "toolComponent", "properties"},
    "driver": {
        "name",
        "version",
        "semanticVersion",
        "informationUri",
        "rules",
        "fullName",
        "organization",
        "product",
        "shortDescription",
        "fullDescription",
        "properties",
        "notifications",
        "guid",
        "downloadUri",
        "dottedQuadFileVersion",
        "releaseDateUtc",
        "language",
        "locations",
        "taxa",
        "supportedTaxonomies",
        "productSuite",
        "contents",
        "isComprehensive",
        "localizedDataSemanticVersion",
        "minimumRequiredLocalizedDataSemanticVersion",
        "associatedComponent",
        "translationMetadata",
    },
    "rule": {
        "id",
        "deprecatedIds",
        "guid",
        "deprecatedGuids",
        "name",
        "deprecatedNames",
        "shortDescription",
        "fullDescription",
        "messageStrings",
        "defaultConfiguration",
        "helpUri",
        "help",
        "relationships",
        "properties",
    },
    "result": {
        "ruleId",
        "ruleIndex",
        "rule",
        "kind",
        "level",
        "message",
        "analysisTarget",
        "locations",
        "guid",
        "correlationGuid",
        "occurrenceCount",
        "partialFingerprints",
        "fingerprints",
        "stacks",
        "codeFlows",
        "graphs",
        "graphTraversals",
        "relatedLocations",
        "suppressions",
        "baselineState",
        "rank",
        "attachments",
        "hostedViewerUri",
        "workItemUris",
        "provenance",
        "fixes",
        "taxa",
        "webRequest",
        "webResponse",
        "properties",
    },
    "location": {
        "id",
        "physicalLocation",
        "logicalLocations",
        "message",
        "annotations",
        "relationships",
        "properties",
    },
    "physical": {"address", "artifactLocation", "region", "contextRegion", "properties"},
    "artifactLocation": {"uri", "uriBaseId", "index", "description", "properties"},
    "region": {
        "startLine",
        "startColumn",
        "endLine",
        "endColumn",
        "charOffset",
        "charLength",
        "byteOffset",
        "byteLength",
        "snippet",
        "message",
        "sourceLanguage",
        "properties",
    },
    "fix": {"description", "artifactChanges", "properties"},
    "change": {"artifactLocation", "replacements", "properties"},
    "replacement": {"deletedRegion", "insertedContent", "properties"},
}
LEVELS = {"none", "note", "warning", "error"}


def keys_ok(obj: dict, kind: str) -> None:
    extra = set(obj) - ALLOWED[kind]
    assert not extra, f"{kind}: unexpected {extra}"


def check_region(region: dict) -> None:
    keys_ok(region, "region")
    assert region["startLine"] >= 1
    for key in ("startColumn", "endLine", "endColumn"):
        if key in region:
            assert isinstance(region[key], int) and region[key] >= 1
    if "endLine" in region:
        assert region["endLine"] >= region["startLine"]
        if region["endLine"] == region["startLine"] and "endColumn" in region:
            assert region["endColumn"] >= region["startColumn"]


def check_physical(physical: dict) -> None:
    keys_ok(physical, "physical")
    loc = physical["artifactLocation"]
    keys_ok(loc, "artifactLocation")
    assert loc["uriBaseId"] == "%SRCROOT%"
    assert not loc["uri"].startswith("/") and "://" not in loc["uri"]
    check_region(physical["region"])


def check_sarif(log: dict) -> None:
    keys_ok(log, "log")
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    keys_ok(run, "run")
    assert run["columnKind"] in {"utf16CodeUnits", "unicodeCodePoints"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    for invocation in run.get("invocations", []):
        keys_ok(invocation, "invocation")
        assert isinstance(invocation["executionSuccessful"], bool)  # required
        for note in invocation.get("toolExecutionNotifications", []):
            keys_ok(note, "notification")
            keys_ok(note["descriptor"], "descriptorReference")
            assert note["message"]["text"] and note["level"] in {"none", "note", "warning", "error"}
    driver = run["tool"]["driver"]
    keys_ok(driver, "driver")
    assert driver["name"] == "parity-lsp"
    assert driver["version"] == parity_lsp.__version__
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        keys_ok(rule, "rule")
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in LEVELS
        if "help" in rule:
            assert rule["help"]["text"]
    for result in run["results"]:
        keys_ok(result, "result")
        assert result["message"]["text"]
        assert result["level"] in LEVELS
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"]
        for loc in result["locations"]:
            keys_ok(loc, "location")
            check_physical(loc["physicalLocation"])
        for loc in result.get("relatedLocations", []):
            keys_ok(loc, "location")
            check_physical(loc["physicalLocation"])
        for fix in result.get("fixes", []):
            keys_ok(fix, "fix")
            assert fix["artifactChanges"]
            for change in fix["artifactChanges"]:
                keys_ok(change, "change")
                keys_ok(change["artifactLocation"], "artifactLocation")
                for rep in change["replacements"]:
                    keys_ok(rep, "replacement")
                    check_region(rep["deletedRegion"])
                    assert isinstance(rep["insertedContent"]["text"], str)
        assert all(isinstance(v, str) for v in result["partialFingerprints"].values())


def findings():
    s = MATRIX.index("Implementd")
    status = Finding(
        "PM101",
        Severity.ERROR,
        PATH,
        Span(s, s + 10),
        "unknown status `Implementd`",
        fix=Fix("Replace with `Implemented`", (Edit(PATH, Span(s, s + 10), "Implemented"),)),
    )
    drift = Finding(
        "PM304",
        Severity.WARNING,
        PATH,
        Span(2, 12),
        "line drift",
        related=[
            Related("tests/test_x.py", 4, 16, "`test_x` is defined here", end_line=4, end_column=20),
            Related("tests/test_x.py", 3, 0, "start"),
        ],
    )
    owner = Finding("PM103", Severity.INFO, PATH, Span(0, 1), "owner placeholder")
    hint = Finding("PM999", Severity.HINT, PATH, Span(0, 1), "a hint from an unknown rule")
    return [status, drift, owner, hint]


def build(findings_=None, texts=None):
    texts = texts or {PATH: MATRIX, "tests/test_x.py": TEST_FILE}
    indexes = {p: LineIndex(t) for p, t in texts.items()}
    return make_report(
        "/abs/root", [PATH], findings_ if findings_ is not None else findings(), indexes.__getitem__, RULES
    )


def results_by_code(log):
    return {r["ruleId"]: r for r in log["runs"][0]["results"]}


def test_structure_rules_and_levels():
    log = json.loads(render(build(), "sarif"))
    check_sarif(log)
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == ["PM002", "PM101", "PM103", "PM304", "PM999"]  # all known rules + the unknown one
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["PM101"]["name"] == "unknown-status"
    assert rules["PM101"]["help"] == {
        "text": "## What it does\nChecks status.",
        "markdown": "## What it does\nChecks status.",
    }
    assert rules["PM101"]["fullDescription"]["text"]
    assert [rules[c]["defaultConfiguration"]["level"] for c in ("PM101", "PM304", "PM103")] == [
        "error",
        "warning",
        "note",
    ]
    by_code = results_by_code(log)
    assert {c: r["level"] for c, r in by_code.items()} == {
        "PM101": "error",
        "PM304": "warning",
        "PM103": "note",
        "PM999": "note",
    }
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///abs/root/"}}


def test_regions_are_one_based_and_columns_count_utf16_code_units():
    log = json.loads(render(build(), "sarif"))
    run = log["runs"][0]
    assert run["columnKind"] == "utf16CodeUnits"
    status = results_by_code(log)["PM101"]
    region = status["locations"][0]["physicalLocation"]["region"]
    # "| 😀 Tick 🎉 | " is 13 code points, 15 UTF-16 code units.
    assert region == {"startLine": 3, "startColumn": 16, "endLine": 3, "endColumn": 26}
    assert status["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": PATH,
        "uriBaseId": "%SRCROOT%",
    }
    owner = results_by_code(log)["PM103"]
    assert owner["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 1,
        "endLine": 1,
        "endColumn": 2,
    }


def test_columns_fall_back_to_code_points_when_source_is_unknown():
    report = build()
    report.source_lines = {}
    log = json.loads(render(report, "sarif"))
    check_sarif(log)
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"
    region = results_by_code(log)["PM101"]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (14, 24)


def test_related_locations():
    drift = results_by_code(json.loads(render(build(), "sarif")))["PM304"]
    first, second = drift["relatedLocations"]
    assert first["id"] == 0 and second["id"] == 1
    assert first["message"]["text"] == "`test_x` is defined here"
    assert first["physicalLocation"]["artifactLocation"]["uri"] == "tests/test_x.py"
    # 0-based (4, 16) -> 1-based line 5; the line has one emoji before column 16 -> +1 UTF-16 unit.
    assert first["physicalLocation"]["region"] == {
        "startLine": 5,
        "startColumn": 18,
        "endLine": 5,
        "endColumn": 22,
    }
    assert second["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 1}


def test_fixes_become_artifact_changes():
    status = results_by_code(json.loads(render(build(), "sarif")))["PM101"]
    [fix] = status["fixes"]
    assert fix["description"]["text"] == "Replace with `Implemented`"
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": PATH, "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 3, "startColumn": 16, "endLine": 3, "endColumn": 26},
            "insertedContent": {"text": "Implemented"},
        }
    ]
    assert "fixes" not in results_by_code(json.loads(render(build(), "sarif")))["PM304"]


def test_fix_spanning_two_files_groups_replacements_per_file():
    texts = {"a.md": "abc\ndef\n", "b.md": "xyz\n"}
    f = Finding(
        "PM301",
        Severity.ERROR,
        "a.md",
        Span(0, 3),
        "m",
        fix=Fix(
            "f", (Edit("a.md", Span(0, 1), "A"), Edit("b.md", Span(1, 2), "Y"), Edit("a.md", Span(4, 4), "+"))
        ),
    )
    log = json.loads(render(build([f], texts), "sarif"))
    check_sarif(log)
    changes = log["runs"][0]["results"][0]["fixes"][0]["artifactChanges"]
    assert [c["artifactLocation"]["uri"] for c in changes] == ["a.md", "b.md"]
    assert len(changes[0]["replacements"]) == 2
    insertion = changes[0]["replacements"][1]["deletedRegion"]
    assert insertion == {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 1}


def test_fingerprints_are_stable_and_distinct():
    a = json.loads(render(build(), "sarif"))
    b = json.loads(render(build(list(reversed(findings()))), "sarif"))
    fa = {r["ruleId"]: r["partialFingerprints"] for r in a["runs"][0]["results"]}
    fb = {r["ruleId"]: r["partialFingerprints"] for r in b["runs"][0]["results"]}
    assert fa == fb
    assert len({json.dumps(v) for v in fa.values()}) == len(fa)
    # The same message twice in one file (two rows) still gets two fingerprints.
    twice = [
        Finding("PM002", Severity.ERROR, PATH, Span(0, 1), "same"),
        Finding("PM002", Severity.ERROR, PATH, Span(30, 31), "same"),
    ]
    results = json.loads(render(build(twice), "sarif"))["runs"][0]["results"]
    assert results[0]["partialFingerprints"] != results[1]["partialFingerprints"]
    # Moving a finding to another line keeps its fingerprint (the hash ignores positions).
    moved = [Finding("PM002", Severity.ERROR, PATH, Span(40, 41), "same")]
    again = json.loads(render(build(moved), "sarif"))["runs"][0]["results"][0]
    assert again["partialFingerprints"] == results[0]["partialFingerprints"]


def test_uris_are_percent_encoded_relative_references():
    texts = {"docs/my parity/ü.md": "abc"}
    f = Finding("PM004", Severity.WARNING, "docs/my parity/ü.md", Span(0, 1), "m")
    log = json.loads(render(build([f], texts), "sarif"))
    check_sarif(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "docs/my%20parity/%C3%BC.md"


def test_empty_report_is_valid():
    log = json.loads(render(build([]), "sarif"))
    check_sarif(log)
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(RULES)


def test_the_run_says_what_it_covered_and_a_run_that_checked_nothing_did_not_succeed():
    from parity_lsp.output import Notice

    log = json.loads(render(build(), "sarif"))
    check_sarif(log)
    [run] = log["runs"]
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    assert run["properties"] == {"matrices": 1, "rows": 0, "filesChecked": 1, "filesWithoutMatrixTable": []}
    why = "nothing checked: no matrix file in the workspace"
    empty = make_report(
        "/abs/root",
        [],
        [],
        LineIndex,
        RULES,
        without_table=["docs/parity/charter.md"],
        notices=[Notice("nothing-checked", why, level="error")],
    )
    log = json.loads(render(empty, "sarif"))
    check_sarif(log)
    [run] = log["runs"]
    assert run["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {"descriptor": {"id": "nothing-checked"}, "level": "error", "message": {"text": why}}
            ],
        }
    ]
    assert run["properties"]["filesWithoutMatrixTable"] == ["docs/parity/charter.md"]
