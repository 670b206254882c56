"""The comparator-tree arg-max: the exact winner among n noise-free scores.

The baseline nWTA is measured against when evidence is not noisy: a pipelined tournament of
comparators finds the largest of n scores and the lowest index holding it in ceil(log2 n)
clocks, with no integration at all.

Trial t of a run seeded with ``seed`` draws its n scores from the neurons' generators, seeded
as the network seeds them (:mod:`gaba.golden.primitives`), one step each::

    score_i = xorshift32(neuron_seed(trial_master(trial_key(seed, t)), salt_i)) >> (32 - width)

``width`` bits per score, few by default so that ties, and the rule that breaks them (the
lowest index wins), are common. The hardware (``gaba.hdl.argmax``) loads a trial's scores in
one clock, runs them through one register per round of the tournament, and offers the result:
:func:`argmax_clocks` clocks from load to result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from gaba.golden import primitives
from gaba.golden.config import ConfigBase
from gaba.golden.validate import check_count, check_int, check_seed

__all__ = [
    "ArgmaxConfig",
    "ArgmaxParams",
    "ScoresConfig",
    "argmax_clocks",
    "scores",
    "winners",
]


@dataclass(frozen=True)
class ArgmaxParams:
    """n scores of ``width`` bits each."""

    n: int = 16
    width: int = 3

    def __post_init__(self):
        check_int("Score count n", self.n, 2, 4096)
        check_int("Score width", self.width, 1, 32)

    def replace(self, **changes) -> ArgmaxParams:
        return dataclasses.replace(self, **changes)


class ScoresConfig(ConfigBase):
    """What the Configs of circuits over n drawn scores share (the arg-max's, the k-WTA's):
    n, the score width and the rounds of a tournament over them."""

    @property
    def n(self) -> int:
        return self.params.n

    @property
    def width(self) -> int:
        return self.params.width

    @property
    def rounds(self) -> int:
        """Rounds of the tournament: ceil(log2 n)."""
        return (self.n - 1).bit_length()


@dataclass(frozen=True)
class ArgmaxConfig(ScoresConfig):
    """The comparator tree's Config (no number formats beyond the score width)."""

    params: ArgmaxParams = ArgmaxParams()
    PARAMS = ArgmaxParams


def argmax_clocks(cfg: ArgmaxConfig) -> int:
    """Clocks of one trial in hardware: the load, one per round, the result."""
    return 1 + cfg.rounds + 1


def scores(cfg: ScoresConfig, count: int, seed: int, *, first: int = 0) -> np.ndarray:
    """int64[count, n]: the scores of trials ``first .. first + count - 1``."""
    check_count("Trial count", count, 1)
    seed = check_seed(seed)
    salts = primitives.neuron_salts(cfg.n)
    out = np.empty((count, cfg.n), np.int64)
    for j in range(count):
        master = primitives.trial_master(primitives.trial_key(seed, first + j))
        state = primitives.xorshift32(primitives.neuron_seed(master, salts))
        out[j] = state >> (32 - cfg.width)
    return out


def winners(cfg: ArgmaxConfig, count: int, seed: int, *, first: int = 0):
    """(winner, max): int64[count] each; the winner is the lowest index holding the max."""
    s = scores(cfg, count, seed, first=first)
    return np.argmax(s, axis=1), s.max(axis=1)  # argmax returns the first maximum
