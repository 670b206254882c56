"""k-winners-take-all: the exact k largest of n scores, ties to the lowest index.

Maass (2000): ``b_i = 1`` iff x_i is among the k largest, with the rule that among equal
scores the lower index wins::

    b_i = [ #{j : x_j > x_i} + #{j < i : x_j = x_i} < k ]

so exactly k of the n outputs are 1 (1 <= k <= n). The same selection is the HTM spatial
pooler's global inhibition (there, ties go to the larger index: reverse the order).

Trial t of a run seeded with ``seed`` draws its n scores as the comparator-tree arg-max does
(:func:`gaba.golden.argmax.scores`: the neurons' generators, one step each, ``width`` bits), so
ties are common at the default width. Two circuits compute it (``gaba.hdl.kwta``):

- the bit-serial threshold search: the k-th largest score T is found one bit a clock, from the
  most significant, by counting the scores still tied with T's prefix; then the scores above T
  win, and of those equal to T the first k - #{x > T} by index. :func:`serial_clocks` clocks
  from load to result: ``width + 2``, whatever n;
- the comparator-tree top-k: k rounds of the pipelined arg-max tree (``gaba.hdl.tree``), each
  taking the largest score not yet taken (lowest index first): :func:`tree_clocks` clocks,
  ``k * (ceil(log2 n) + 1) + 2``.

Each trial's result is the winners' mask (bit i is b_i) and the threshold T (the k-th
largest score).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaba.golden import argmax
from gaba.golden.validate import check_count, check_int

__all__ = ["KwtaConfig", "KwtaParams", "kwta_mask", "serial_clocks", "tree_clocks", "trials"]


@dataclass(frozen=True)
class KwtaParams(argmax.ArgmaxParams):
    """n scores of ``width`` bits (:class:`gaba.golden.argmax.ArgmaxParams`); k of them win."""

    n: int = 16
    width: int = 4
    k: int = 2

    def __post_init__(self):
        check_int("Score count n", self.n, 2, 1024)
        super().__post_init__()
        check_int("Winner count k", self.k, 1, self.n)


@dataclass(frozen=True)
class KwtaConfig(argmax.ScoresConfig):
    """The k-WTA's Config: n, the score width (and a tournament's rounds) and k."""

    params: KwtaParams = KwtaParams()
    PARAMS = KwtaParams

    @property
    def k(self) -> int:
        return self.params.k


def serial_clocks(cfg: KwtaConfig) -> int:
    """Clocks of one trial of the bit-serial search, from the load to the result: the load,
    one per score bit, the result (the ties are selected in its clock)."""
    return 1 + cfg.width + 1


def tree_clocks(cfg: KwtaConfig) -> int:
    """Clocks of one trial of the comparator-tree top-k, from the load to the result: the
    load, k tournaments of one clock per round and one to take the winner, the result."""
    return 1 + cfg.k * (cfg.rounds + 1) + 1


def kwta_mask(x: np.ndarray, k: int) -> np.ndarray:
    """bool[..., n]: b_i of the scores ``x`` (int[..., n]), the k largest, ties to the lowest
    index, by the definition (each pair compared)."""
    x = np.asarray(x)
    n = x.shape[-1]
    check_int("Winner count k", k, 1, n)
    xi, xj = x[..., :, None], x[..., None, :]
    lower = np.arange(n)[None, :] < np.arange(n)[:, None]  # [i, j]: j < i
    beaten_by = (xj > xi) | ((xj == xi) & lower)
    return beaten_by.sum(axis=-1) < k


def trials(cfg: KwtaConfig, count: int, seed: int, *, first: int = 0):
    """(mask, threshold) of trials ``first .. first + count - 1``: bool[count, n] and
    int64[count] (the k-th largest score)."""
    check_count("Trial count", count, 1)
    x = argmax.scores(cfg, count, seed, first=first)
    mask = kwta_mask(x, cfg.k)
    threshold = np.sort(x, axis=1)[:, cfg.n - cfg.k]
    return mask, threshold
