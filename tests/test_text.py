"""Spans are values: compared and hashed by their offsets, pickled by value, never inverted."""

import copy
import pickle

import pytest

from parity_lsp.text import Span


def test_spans_compare_and_hash_by_their_offsets():
    assert Span(3, 7) == Span(3, 7) and Span(3, 7) != Span(3, 8) and Span(2, 7) != Span(3, 7)
    assert hash(Span(3, 7)) == hash(Span(3, 7))
    assert {Span(3, 7): "a"}[Span(3, 7)] == "a"
    assert len({Span(0, 0), Span(0, 0), Span(0, 1)}) == 2
    assert Span(3, 7) != (3, 7) and Span(1, 2) != "x"  # a span is not a tuple
    assert repr(Span(3, 7)) == "Span(start=3, end=7)"
    assert Span(start=1, end=4).shift(2) == Span(3, 6) and Span(1, 4).contains(4)


def test_a_span_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="span end 2 before start 5"):
        Span(5, 2)
    assert Span(5, 5).end == 5


def test_spans_pickle_and_copy_by_value():
    span = Span(10, 42)
    for clone in (pickle.loads(pickle.dumps(span)), copy.copy(span), copy.deepcopy(span)):
        assert clone == span and clone.__class__ is Span
    assert len(pickle.dumps(span)) < 60  # by value: no per-object field table
