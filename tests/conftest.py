"""Hypothesis profiles: the normal suite runs Hypothesis' default profile; `make fuzz` selects
`HYPOTHESIS_PROFILE=fuzz` (20x the examples of the property tests that do not pin a count)."""

import os

from hypothesis import settings

settings.register_profile("fuzz", max_examples=2000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
