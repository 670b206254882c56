"""The spatial pooler in integers: the fixed-point golden model the hardware will match.

Global inhibition only (what the hardware builds); every quantity is an integer of a
documented width, every rounding is stated, nothing wraps:

- permanences: unsigned ``perm_bits`` (P = 2**perm_bits - 1 stands for 1.0); the constants
  are round(value * P): ``inc_q``, ``dec_q``, ``connected_q``, ``bump_q`` = round(connected / 10
  * P); updates saturate at 0 and P;
- a synapse is connected when perm >= connected_q; overlaps count connected potential synapses
  onto active inputs (0 .. inputs);
- duty cycles: unsigned Q0.``duty_bits``. With shift s = min(duty_shift, floor(log2
  iteration)), duty_shift = round(log2 period) (1000 becomes 1024: the float model's
  min(period, iteration) as a power of two, rounded down while the iteration is below the
  period) one step is
  ``dc - (dc >> s) + (v << (duty_bits - s))`` with v in {0, 1}: the moving average, floor
  rounding of the decay; it stays in [0, 2**duty_bits] (duty_bits + 1 bits: 1.0 is reached,
  by a column active in every step so far);
- boost: ``boost_q[c] = table[min(active_duty[c] >> (duty_bits - boost_index_bits),
  2**boost_index_bits - 1)]``, the table
  holding round(exp((density - (j + 1/2) / 2**boost_index_bits) * strength) * 2**boost_bits)
  saturated to 2**boost_width - 1; boosted = overlap * boost_q (no rounding), and a boosted
  overlap below stimulus_threshold * 2**boost_bits is dropped; without boosting
  (strength 0) boost_q is 2**boost_bits throughout;
- the k winners of the boosted overlaps, ties to the larger column index
  (:func:`gaba.golden.htm.reference.inhibit_global`, integer inputs);
- the minimum overlap duty, at every iteration that is a multiple of 50 and learns (as in
  the float model): (max overlap duty * pct_q) >> 16 with
  pct_q = round(min_pct_overlap_duty_cycles * 2**16).

The learning order is the float model's: adapt the active columns (and raise any below the
stimulus threshold), update both duty cycles, bump the weak columns, update the boosts,
every 50 iterations update the minimum duty cycles. The initial state is the float model's
(its potential pools and its permanences rounded to the grid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gaba.golden import primitives
from gaba.golden.argmax import ArgmaxConfig, scores
from gaba.golden.config import ConfigBase
from gaba.golden.htm.reference import (
    UPDATE_PERIOD,
    Pooler,
    SpatialPooler,
    SpatialPoolerParams,
    inhibit_global,
)
from gaba.golden.validate import check_int, check_seed

__all__ = [
    "PCT_BITS",
    "FixedSpatialPooler",
    "SpatialPoolerConfig",
    "input_chunks",
    "input_words",
    "training_run",
]

#: Fractional bits of the minimum-duty fraction.
PCT_BITS = 16


@dataclass(frozen=True)
class SpatialPoolerConfig(ConfigBase):
    """Fixed-point spatial pooler: the float parameters (global inhibition) and the formats."""

    params: SpatialPoolerParams = SpatialPoolerParams()
    perm_bits: int = 8
    duty_bits: int = 16
    boost_bits: int = 8
    boost_width: int = 16
    boost_index_bits: int = 6

    PARAMS = SpatialPoolerParams

    def __post_init__(self):
        if not isinstance(self.params, SpatialPoolerParams):
            raise ValueError(f"params must be a SpatialPoolerParams, not {self.params!r}")
        if not self.params.global_inhibition:
            raise ValueError("The fixed-point spatial pooler has global inhibition only")
        for name, low, high in (
            ("perm_bits", 4, 16),
            ("duty_bits", 8, 30),
            ("boost_bits", 0, 16),
            ("boost_width", 1, 24),
            ("boost_index_bits", 1, 12),
        ):
            check_int(name, getattr(self, name), low, high)
        if self.boost_width <= self.boost_bits:
            raise ValueError("boost_width must exceed boost_bits (a boost of 1 must fit)")
        if self.boost_index_bits > self.duty_bits:
            raise ValueError("boost_index_bits cannot exceed duty_bits")
        if self.duty_shift > self.duty_bits:
            raise ValueError("The duty cycle period needs more duty bits")
        p = self.params
        for name, value in (
            ("inc_q", p.active_inc),
            ("dec_q", p.inactive_dec),
            ("connected_q", p.connected),
            ("bump_q", p.connected / 10),
        ):
            if value > 0 and getattr(self, name) == 0:
                raise ValueError(f"{name} quantises to 0 at {self.perm_bits} permanence bits")

    @property
    def n(self) -> int:
        """Columns."""
        return self.params.columns

    def to_dict(self) -> dict:
        """Plain data (ConfigBase's), with the columns also as ``n``, the name every design's
        size has on the command line."""
        return {**super().to_dict(), "n": self.n}

    @property
    def inputs(self) -> int:
        """Input bits."""
        return self.params.inputs

    @property
    def perm_max(self) -> int:
        return (1 << self.perm_bits) - 1

    def _q(self, value: float) -> int:
        return int(round(value * self.perm_max))

    @property
    def inc_q(self) -> int:
        return self._q(self.params.active_inc)

    @property
    def dec_q(self) -> int:
        return self._q(self.params.inactive_dec)

    @property
    def connected_q(self) -> int:
        return self._q(self.params.connected)

    @property
    def bump_q(self) -> int:
        return self._q(self.params.connected / 10)

    @property
    def duty_shift(self) -> int:
        """log2 of the duty cycle period, rounded (1000 gives 10, 1449 gives 11)."""
        return max(0, round(math.log2(self.params.duty_cycle_period)))

    @property
    def pct_q(self) -> int:
        return int(round(self.params.min_pct_overlap_duty_cycles * (1 << PCT_BITS)))

    @property
    def k(self) -> int:
        from gaba.golden.htm.reference import global_k

        return global_k(self.params.local_area_density, self.params.columns)

    @property
    def boost_table(self) -> np.ndarray:
        """int64[2**boost_index_bits]: the boost of each duty-cycle bucket."""
        p = self.params
        one = 1 << self.boost_bits
        size = 1 << self.boost_index_bits
        if p.boost_strength == 0:
            return np.full(size, one, np.int64)
        duty = (np.arange(size) + 0.5) / size
        table = np.rint(np.exp((p.local_area_density - duty) * p.boost_strength) * one)
        return np.minimum(table, (1 << self.boost_width) - 1).astype(np.int64)


class FixedSpatialPooler(Pooler):
    """The integer spatial pooler of ``cfg``, its initial state the float model's of ``seed``
    (potential pools; permanences rounded to the grid)."""

    def __init__(self, cfg: SpatialPoolerConfig = SpatialPoolerConfig(), seed: int = 1):
        if not isinstance(cfg, SpatialPoolerConfig):
            raise ValueError(
                f"A fixed-point spatial pooler needs a SpatialPoolerConfig, not {cfg!r}"
            )
        check_seed(seed)
        self.cfg, self.params = cfg, cfg.params
        self.connected_at = cfg.connected_q
        start = SpatialPooler(cfg.params, seed)
        self.potential = start.potential.copy()
        self.perm = np.rint(start.perm * cfg.perm_max).astype(np.int64) * self.potential
        columns = cfg.params.columns
        self.overlap_duty = np.zeros(columns, np.int64)
        self.active_duty = np.zeros(columns, np.int64)
        self.min_overlap_duty = np.zeros(columns, np.int64)
        self.boost = np.full(columns, 1 << cfg.boost_bits, np.int64)
        self.iteration = 0
        self.bumped = 0  # column-steps bumped as weak, so far

    def compute(self, x, learn: bool = True) -> np.ndarray:
        """One step on the binary input ``x``: the active columns (ascending)."""
        cfg = self.cfg
        x = self._input(x)
        self.iteration += 1
        overlap = self._count(x)
        boosted = overlap * self.boost
        threshold = cfg.params.stimulus_threshold << cfg.boost_bits
        active = inhibit_global(boosted, cfg.params.local_area_density, threshold)
        if learn:
            self._learn(x, overlap, active)
        return active

    def _learn(self, x, overlap, active):
        cfg = self.cfg
        p, top = cfg.params, cfg.perm_max
        step = np.where(x, cfg.inc_q, -cfg.dec_q)
        for c in active:
            pool = self.potential[c]
            self.perm[c] = np.where(pool, np.clip(self.perm[c] + step, 0, top), 0)
            self._raise(c)
        s = min(cfg.duty_shift, self.iteration.bit_length() - 1)
        on = np.zeros(p.columns, np.int64)
        on[active] = 1
        for duty, value in (
            (self.overlap_duty, (overlap > 0).astype(np.int64)),
            (self.active_duty, on),
        ):
            duty -= duty >> s
            duty += value << (cfg.duty_bits - s)
        weak = self.overlap_duty < self.min_overlap_duty
        self.bumped += int(weak.sum())
        bumped = np.minimum(self.perm + cfg.bump_q, top)
        self.perm = np.where(weak[:, None] & self.potential, bumped, self.perm)
        bucket = self.active_duty >> (cfg.duty_bits - cfg.boost_index_bits)
        self.boost = cfg.boost_table[np.minimum(bucket, (1 << cfg.boost_index_bits) - 1)]
        if self.iteration % UPDATE_PERIOD == 0:
            self.min_overlap_duty[:] = (self.overlap_duty.max() * cfg.pct_q) >> PCT_BITS

    def _raise(self, c: int):
        """Raise column c's potential permanences until stimulus_threshold are connected."""
        cfg = self.cfg
        need = cfg.params.stimulus_threshold
        if need == 0:
            return
        pool = self.potential[c]
        values = np.sort(self.perm[c][pool])[::-1]
        if len(values) < need or values[need - 1] >= cfg.connected_q:
            return
        lift = cfg.connected_q - values[need - 1]
        self.perm[c] = np.minimum(self.perm[c] + pool * lift, cfg.perm_max)


def input_chunks(cfg: SpatialPoolerConfig) -> int:
    """32-bit words of :func:`input_words` per step: one per 32 inputs, at least two."""
    return max(2, -(-cfg.inputs // 32))


def input_words(cfg: SpatialPoolerConfig, count: int, seed: int, *, first: int = 0) -> np.ndarray:
    """bool[count, inputs]: the on-chip input source's words of steps ``first ..``: step t's
    generators (``gaba.golden.argmax.scores`` at 32 bits, one word per 32 inputs, at least
    two), each word ANDed with its next xorshift32 word (each bit 1 with probability 1/4),
    input i the bit i of the words laid end to end."""
    chunks = input_chunks(cfg)
    words = scores(ArgmaxConfig.paper(n=chunks, width=32), count, seed, first=first)
    words = words & primitives.xorshift32(words)
    bits = (words[:, :, None] >> np.arange(32)) & 1
    return bits.reshape(count, chunks * 32)[:, : cfg.inputs].astype(bool)


def training_run(
    cfg: SpatialPoolerConfig, count: int, seed: int, *, first: int = 0, init_seed: int = 1
):
    """(active bool[count, columns], the model after): ``count`` learning steps of the model
    of ``init_seed``'s initial state on :func:`input_words` of ``seed`` from step ``first``."""
    model = FixedSpatialPooler(cfg, init_seed)
    return model.run(input_words(cfg, count, seed, first=first)), model
