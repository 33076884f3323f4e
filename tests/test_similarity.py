"""`similarity.closest` is exactly difflib's best close match (its fast search must not change
an answer: the nearest path and the nearest job in fixes depend on it)."""

import difflib

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from parity_lsp.similarity import closest

WORDS = st.text(alphabet="abcdemor_./0123456789", max_size=14)


def difflib_closest(word, choices, cutoff):
    found = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return found[0] if found else None


@settings(max_examples=examples(1500), deadline=None)
@given(WORDS, st.lists(WORDS, max_size=40), st.sampled_from([0.0, 0.3, 0.5, 0.6, 0.75, 0.9, 1.0]))
def test_closest_is_difflibs_answer(word, choices, cutoff):
    assert closest(word, choices, cutoff) == difflib_closest(word, choices, cutoff)


def test_a_directory_of_similar_names():
    names = [f"mod_{i}.rs" for i in range(100)] + ["lib.rs", "removed_86.rs", "main.rs"]
    for word in ("removed_8676.rs", "mod_7.rs", "mod_77.rs", "lib.r", "zzz"):
        assert closest(word, names) == difflib_closest(word, names, 0.6)
    assert closest("mod_77.rs", names) == "mod_77.rs"
    assert closest("zzz", names) is None
