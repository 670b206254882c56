"""Argument checks shared by every model, Config and command: one message shape everywhere.

Each check returns the value (as a plain ``int`` where it checks an integer) or raises
``ValueError`` with a message that names the argument and shows the value, e.g.
``Trial count must be an integer of at least 1, not 0``.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["check_count", "check_int", "check_number", "check_seed"]


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
    ``None``: no bound)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, not {value!r}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, not {value!r}")
    return value
