"""`model.plain_value` unwraps code spans and emphasis exactly as its two regexes substitute them
(the reference), in linear time on any cell (the growth tests are in test_robust_resources.py).

The regexes run where they cannot backtrack; elsewhere `_unwrap_code_spans` and
`_unwrap_emphasis` give the same answer: both are compared with the regexes here on random text
over the characters that matter."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parity_lsp.model import _unwrap_code_spans, _unwrap_emphasis, plain_value

# The reference: the substitutions as first written.
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
EMPHASIS = re.compile(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1")


def reference_code_spans(text: str) -> str:
    return CODE_SPAN.sub(lambda m: m.group(2).strip(), text)


def reference_emphasis(text: str) -> str:
    return EMPHASIS.sub(lambda m: m.group(2), text)


def reference_plain_value(text: str) -> str:
    if "`" not in text and "*" not in text and "_" not in text and "\\" not in text:
        return " ".join(text.split())
    text = text.replace("\\|", "|")
    text = reference_code_spans(text)
    for _ in range(2):
        text = reference_emphasis(text)
    return " ".join(text.split())


PIECES = ["`", "``", "```", "*", "**", "_", "__", "a", "b", " ", "\n", "\t", "\u00a0", "\\|", "|", "é"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(deadline=None)
@given(TEXTS)
@example("``a`")  # a shorter opener inside the run: `` ` `` + content "`a"
@example("`````")  # closed inside the run itself
@example("``` a `` b ```` c `")  # the longest later run decides
@example("*a* b*")  # the shortest content of two characters or more comes first
@example("**a***")
@example("*a\nb*")  # no newline inside
def test_the_code_span_scanner_answers_as_the_regex(text):
    assert _unwrap_code_spans(text) == reference_code_spans(text)


@settings(deadline=None)
@given(TEXTS)
@example("*a* b*")
@example("**a***")
@example("*a\nb*")
@example("*a " * 20 + "a*")
@example("_a_ __b__ *c* **d**")
@example("*a\nb* *c d*")  # a closer found for one opener is behind a later one
@example("a\n*b c*")  # a newline found for one opener is behind a later one
def test_the_emphasis_scanner_answers_as_the_regex(text):
    assert _unwrap_emphasis(text) == reference_emphasis(text)


@settings(deadline=None)
@given(TEXTS)
def test_plain_value_answers_as_the_regexes(text):
    assert plain_value(text) == reference_plain_value(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("**Implemented**", "Implemented"),
        ("_Partial_", "Partial"),
        ("`Planned`", "Planned"),
        ("`` a`b ``", "a`b"),
        ("a \\| b", "a | b"),
        ("`" * 10_000, "``"),
        ("`" * 10_001, "`"),
        ("*a " * 5_000, ("*a " * 5_000).strip()),
    ],
)
def test_plain_values(text, value):
    assert plain_value(text) == value
