"""Transitional: the former home of the PRNG, noise and seeding, now gaba.golden.primitives.

Modules outside golden/ still import these names from here while they move to
:mod:`gaba.golden.primitives` (``neuron_seeds`` is :func:`~gaba.golden.primitives.neuron_seed`,
which takes an array of salts). Nothing in golden/ imports this module; delete it once nothing
else does.
"""

from __future__ import annotations

from gaba.golden.primitives import (
    MASK32,
    TOP_SALT,
    WEYL,
    XI_MEAN,
    XI_STD,
    fmix32,
    irwin_hall4,
    neuron_salts,
    trial_key,
    trial_master,
    trial_top,
    xorshift32,
)
from gaba.golden.primitives import neuron_seed as neuron_seeds

__all__ = [
    "MASK32",
    "TOP_SALT",
    "WEYL",
    "XI_MEAN",
    "XI_STD",
    "fmix32",
    "irwin_hall4",
    "neuron_salts",
    "neuron_seeds",
    "trial_key",
    "trial_master",
    "trial_top",
    "xorshift32",
]
