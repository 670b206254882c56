"""Argument checks shared by every model, Config and command: one message shape everywhere.

Each check returns the value as a plain Python number (``int`` where it checks an integer; an
``int`` stays an ``int`` and any other real becomes a ``float`` where it checks a number), or
an int64 array (:func:`check_top`, :func:`check_states`), and raises ``ValueError`` with a
message that names the argument and (but for arrays) shows the value, e.g. ``Trial count must
be an integer of at least 1, not 0``. NumPy integers and floats are accepted like Python's;
``bool`` is not a number here.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_count", "check_int", "check_number", "check_seed", "check_states", "check_top"]


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(name: str, value, low: int, high: int) -> int:
    """An integer in ``low..high``."""
    if not _is_int(value) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in {low}..{high}, not {value!r}")
    return int(value)


def check_count(name: str, value, low: int) -> int:
    """An integer of at least ``low`` (a count, an index)."""
    if not _is_int(value) or value < low:
        raise ValueError(f"{name} must be an integer of at least {low}, not {value!r}")
    return int(value)


def check_seed(seed) -> int:
    """A run seed: an integer in 0..2**32-1."""
    if not _is_int(seed) or not 0 <= seed < 2**32:
        raise ValueError(f"Seed must be an integer in 0..2**32-1, not {seed!r}")
    return int(seed)


def check_number(name: str, value, *, low=None, high=None, low_open=False, high_open=False):
    """A finite real number in [low, high] (open at an end with ``low_open``/``high_open``;
    ``None``: no bound), returned as an ``int`` if it is one, else as a ``float``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, not {value!r}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, not {value!r}")
    return int(value) if _is_int(value) else float(value)


def check_states(states) -> np.ndarray:
    """Generator states advanced in place: a one-dimensional int64 array (returned as is)."""
    if not isinstance(states, np.ndarray) or states.dtype != np.int64 or states.ndim != 1:
        raise ValueError("states must be a one-dimensional int64 array of xorshift32 states")
    return states


def check_top(top, trials: int, n: int) -> np.ndarray:
    """The top-input option of each of ``trials`` trials: ``trials`` integers in 0..n-1 (any
    integer sequence or array), returned as int64[trials]."""
    array = np.asarray(top)
    if array.shape != (trials,) or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"Top options must be an integer array of shape ({trials},), "
            f"not {array.dtype} of shape {array.shape}"
        )
    bad = (array < 0) | (array >= n)
    if np.any(bad):
        k = int(np.argmax(bad))
        raise ValueError(f"Top options must lie in 0..{n - 1}, not {int(array[k])} (trial {k})")
    return array.astype(np.int64)
