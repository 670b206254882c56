import json

import numpy as np
import pytest

from gaba.golden.config import Config
from gaba.golden.foldiak.config import FoldiakConfig, FoldiakParams
from gaba.golden.params import NetworkParams
from gaba.golden.validate import (
    check_count,
    check_int,
    check_number,
    check_seed,
    check_states,
    check_top,
)


def test_integers_come_back_as_python_ints():
    for check in (
        lambda v: check_int("x", v, 0, 9),
        lambda v: check_count("x", v, 0),
        check_seed,
    ):
        got = check(np.uint8(7))
        assert got == 7 and type(got) is int


@pytest.mark.parametrize("value", [True, 2.0, "3", None, -1, 10])
def test_check_int_message(value):
    with pytest.raises(ValueError, match=rf"^Width must be an integer in 0..9, not {value!r}$"):
        check_int("Width", value, 0, 9)


def test_numbers_come_back_as_python_numbers():
    assert type(check_number("a", 3)) is int
    for value in (np.float32(0.5), np.float64(0.5), 0.5, np.int16(0)):
        got = check_number("a", value, low=0, high=1)
        assert got == value and type(got) in (int, float)


@pytest.mark.parametrize(
    ("value", "bounds", "message"),
    [
        (float("nan"), {}, "a must be a finite number, not nan"),
        (True, {}, "a must be a finite number, not True"),
        ("1", {}, "a must be a finite number, not '1'"),
        (0, {"low": 0, "low_open": True}, "a must be > 0, not 0"),
        (-1, {"low": 0}, "a must be >= 0, not -1"),
        (1.0, {"high": 1, "high_open": True}, "a must be < 1, not 1.0"),
        (2, {"high": 1}, "a must be <= 1, not 2"),
    ],
)
def test_check_number_messages(value, bounds, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        check_number("a", value, **bounds)


def test_check_top():
    got = check_top([2, 0, np.int8(1)], 3, 3)
    assert got.dtype == np.int64 and got.tolist() == [2, 0, 1]
    with pytest.raises(ValueError, match=r"^Top options must lie in 0..2, not -1 \(trial 1\)$"):
        check_top([0, -1, 5], 3, 3)
    with pytest.raises(ValueError, match=r"integer array of shape \(3,\), not bool of shape"):
        check_top([True, False, True], 3, 3)
    with pytest.raises(ValueError, match=r"integer array of shape \(3,\), not int64 of shape \(2,"):
        check_top([0, 1], 3, 3)


def test_parameters_and_configs_hold_plain_numbers():
    # NumPy scalars are accepted and stored as Python numbers, so to_dict() and digest() work
    p = NetworkParams(n=np.int64(8), alpha=np.float32(0.5), latency=np.int8(1))
    assert type(p.n) is int and type(p.alpha) is float and type(p.latency) is int
    cfg = Config(params=p, frac_bits=np.int64(12))
    assert type(cfg.frac_bits) is int
    assert cfg.digest() == Config.paper(n=8, alpha=0.5, latency=1).digest()
    json.dumps(FoldiakConfig(params=FoldiakParams(n=np.int32(8), beta=np.float32(0.25))).to_dict())


def test_check_states():
    states = np.array([1, 2], np.int64)
    assert check_states(states) is states  # advanced in place by the caller: not copied
    for bad in ([1, 2], np.array([1, 2], np.uint32), np.ones((2, 2), np.int64)):
        with pytest.raises(ValueError, match="one-dimensional int64 array of xorshift32 states"):
            check_states(bad)
