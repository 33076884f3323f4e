"""RSpec (`rspec`, `bundle exec rspec`): the command model, its selection key
(docs/spec/ci.md#matching), and whether it runs a Ruby spec.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. Precision
first: "runs" when the spec file lies under where it runs and is one RSpec loads (with no path:
`spec/**/*_spec.rb`; with paths: a cited file, or a `*_spec.rb` file under a cited directory)
and `-e` plainly matches; "does not run" only when that is certain (a file it does not load,
`--dry-run`, a disabled example); anything else, such as a `.rspec` that changes the pattern or
the default path, tags, line numbers, only-failures modes, is "unknown". Filters a
`spec_helper.rb` sets in Ruby (`filter_run_excluding`) are not read: "runs" is said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.model import TestTarget, Verdict, code_list, does_not_run, runs, unknown
from parity_lsp.workspace.ci.projects import is_under, join
from parity_lsp.workspace.ci.reasons import Reason
from parity_lsp.workspace.ci.runners.base import (
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    SelectionKey,
    cited_definition,
    words,
)
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class RspecRun(ParsedCommand):
    kind: ClassVar[str] = "rspec"
    paths: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # -e: substrings of the full description
    dry_run: bool = False
    not_read: list[str] = field(default_factory=list)  # options that select by what is not read


# --- parsing ---------------------------------------------------------------------------------

_VALUE = frozenset(
    {
        "-e", "--example", "-E", "--example-matches", "-t", "--tag", "-P", "--pattern",
        "--exclude-pattern", "--default-path", "-I", "-r", "--require", "-f", "--format", "-o",
        "--out", "--order", "--seed", "-O", "--options", "--failure-exit-code", "-j",
    }
)  # fmt: skip
_NOT_READ = frozenset(
    {
        "-E", "--example-matches", "-t", "--tag", "-P", "--pattern", "--exclude-pattern",
        "--default-path", "-O", "--options", "--only-failures", "--next-failure",
    }
)  # fmt: skip


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand:
    cmd = RspecRun(**common)
    for name, value in words(cur, _VALUE):
        if not name:
            cmd.paths.append(value or "")
        elif name in _NOT_READ:
            cmd.not_read.append(name)
        elif value is None:
            if name == "--dry-run":
                cmd.dry_run = True
            else:
                cmd.others.append(name)  # --format progress, --fail-fast, -b, --profile, …
        elif name in ("-e", "--example"):
            cmd.examples.append(value)
        else:
            cmd.others.append(f"{name}={value}")
    return cmd


def selection_key(cmd: RspecRun) -> SelectionKey:
    return (
        "rspec",
        frozenset(cmd.paths),
        frozenset(cmd.examples),
        cmd.dry_run,
        frozenset(cmd.not_read),
        cmd.directory,
    )


def _selecting_words(cmd: RspecRun) -> str:
    return " ".join(cmd.paths + cmd.examples)


# --- judging ------------------------------------------------------------------------------------

# `spec/a_spec.rb:12`, `spec/a_spec.rb[1:2]`: a file and the examples at a line or with an id
_LOCATION = re.compile(r"^(.*?)((?::[\d:]+|\[[\d:,]+\])?)$")
_HELPER_PATTERN = re.compile(r"\.(?:pattern|exclude_pattern|default_path)\s*=")  # in spec_helper.rb
_CHANGES_FILES = re.compile(r"--(?:pattern|exclude-pattern|default-path|tag)\b|(?:^|\s)-[Pt]\b")


def judge(fs: FileSystem, cmd: RspecRun, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(".rb"):
        return does_not_run(
            Reason.WRONG_LANGUAGE, f"runs Ruby specs; `{test.path}` is not a `.rb` file", text
        )
    if cmd.dry_run:
        return does_not_run(Reason.NO_RUN, "lists the examples (`--dry-run`) but runs none", text)
    if not is_under(test.path, where):
        return does_not_run(
            Reason.OUTSIDE_WORKING_DIRECTORY,
            f"loads specs under `{where}`; `{test.path}` is outside it",
            text,
        )
    if cmd.not_read:
        return unknown(
            Reason.FILTERSET, f"{code_list(cmd.not_read)}: which examples that selects is not read", text
        )
    options = fs.read_text(join(where, ".rspec")).text or ""
    helper = fs.read_text(join(where, "spec/spec_helper.rb")).text or ""
    if _CHANGES_FILES.search(options) or _HELPER_PATTERN.search(helper):
        return unknown(
            Reason.MANIFEST_ERROR, f"`{join(where, '.rspec')}` changes which files or examples run", text
        )
    rel = test.path[len(where) + 1 :] if where else test.path
    verdict = _loaded(cmd, rel, test.path, text)
    if verdict is not None:
        return verdict
    found = _find(fs, test)
    if found is not None and found[1]:
        return does_not_run(
            Reason.IGNORED, f"loads `{test.path}` but the example is disabled ({found[1]})", text
        )
    for example in cmd.examples:
        if found is None or example not in found[0]:
            return unknown(Reason.EXPRESSION, f"runs only examples matching `-e {example}`: not read", text)
    return runs(f"loads `{rel}`", text)


def _loaded(cmd: RspecRun, rel: str, path: str, text: str) -> Verdict | None:
    """None when RSpec loads `rel` (relative to where it runs); else the verdict."""
    if not cmd.paths:
        if rel.startswith("spec/") and rel.endswith("_spec.rb"):
            return None
        return does_not_run(
            Reason.NOT_COLLECTED,
            f"loads `spec/**/*_spec.rb` (no path given); `{path}` is not one of them",
            text,
        )
    for given in cmd.paths:
        located = _LOCATION.match(given)
        if located is None:
            continue
        file, where = located.group(1).removeprefix("./").rstrip("/"), located.group(2)
        if rel == file:
            if where:
                return unknown(Reason.EXPRESSION, f"runs only the examples at `{given}`: not read", text)
            return None
        if (rel.startswith(file + "/") or not file) and rel.endswith("_spec.rb"):
            return None
    return does_not_run(
        Reason.OUTSIDE_PATHS, f"loads {code_list(cmd.paths)}; `{path}` is not among them", text
    )


def _find(fs: FileSystem, test: TestTarget) -> tuple[str, str] | None:
    """(the full name as the runner joins it, how it is disabled or "") of the cited test."""
    found = cited_definition(fs, test)
    return (found.qualname.replace("::", " "), found.disabled or "") if found is not None else None


RUNNER = Runner(
    name="rspec",
    title="RSpec",
    programs=frozenset({"rspec"}),
    model=RspecRun,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    selecting_words=_selecting_words,
    needs="the default `spec/**/*_spec.rb` pattern and whether `.rspec` changes it",
)
