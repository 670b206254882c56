"""The HTM spatial pooler (htm.core's ``SpatialPooler``) as a float reference: overlap,
boosting, k-winners inhibition (global or local), permanence learning and duty cycles.

One step (``SpatialPooler.compute``), as htm.core's ``compute``:

1. overlap_c: the connected synapses (permanence >= ``connected``) of column c onto active
   input bits;
2. boosted_c = overlap_c * boost_c (skipped when ``boost_strength`` is 0); htm.core boosts
   whether or not it learns, and so does this model;
3. the active columns: :func:`inhibit_global` (the k = floor(density * columns) largest
   boosted overlaps, ties to the larger column index, then those below
   ``stimulus_threshold`` dropped) or :func:`inhibit_local` (a neighbourhood of radius r
   around each column);
4. while learning: the active columns' potential synapses move up by ``active_inc`` on active
   inputs and down by ``inactive_dec`` on the others (clipped to [0, 1]); then a column with
   fewer than ``stimulus_threshold`` connected synapses has its permanences raised until it
   has that many; the duty cycles (moving averages of "overlap > 0" and "active" over
   min(``duty_cycle_period``, iteration) steps) advance; columns whose overlap duty cycle is
   below the minimum get every potential permanence raised by connected / 10; the boost
   factors become exp((target - active duty cycle) * ``boost_strength``) (target: the
   density under global inhibition, the neighbourhood's mean active duty cycle under local);
   every 50 iterations the inhibition radius and the minimum duty cycles
   (``min_pct_overlap_duty_cycles`` times the largest in the neighbourhood, or overall) are
   updated.

Columns and inputs are one-dimensional here (htm.core allows n-D topologies); a column's
potential pool is a ``potential_pct`` sample of the inputs within ``potential_radius`` of its
centre, and its initial permanences are connected (uniform in [connected, 1]) with
probability 1/2, else uniform in [0, connected), as htm.core initialises them. The random
numbers come from numpy, not from htm.core's generator, so the pools differ from htm.core's
for the same seed; the algorithm does not.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from gaba.golden.validate import check_count, check_int, check_number, check_seed

__all__ = [
    "UPDATE_PERIOD",
    "Pooler",
    "SpatialPooler",
    "SpatialPoolerParams",
    "boost_factors",
    "global_k",
    "inhibit_global",
    "inhibit_local",
    "neighbours",
    "raise_to_threshold",
]

#: Iterations between updates of the inhibition radius and the minimum duty cycles.
UPDATE_PERIOD = 50
#: Probability that a potential synapse starts connected.
INIT_CONNECTED_PCT = 0.5


@dataclass(frozen=True)
class SpatialPoolerParams:
    """htm.core's SpatialPooler parameters (its constructor's defaults, 1-D topologies)."""

    inputs: int = 64
    columns: int = 128
    potential_radius: int = 16
    potential_pct: float = 0.5
    global_inhibition: bool = True
    local_area_density: float = 0.05
    stimulus_threshold: int = 0
    inactive_dec: float = 0.008
    active_inc: float = 0.05
    connected: float = 0.1
    min_pct_overlap_duty_cycles: float = 0.001
    duty_cycle_period: int = 1000
    boost_strength: float = 0.0
    wrap_around: bool = True

    def __post_init__(self):
        check_int("Input count", self.inputs, 1, 1 << 20)
        check_int("Column count", self.columns, 1, 1 << 20)
        check_int("Potential radius", self.potential_radius, 0, 1 << 20)
        check_number("Potential pct", self.potential_pct, low=0.0, high=1.0, low_open=True)
        check_number("Local area density", self.local_area_density, low=0.0, high=1.0)
        check_int("Stimulus threshold", self.stimulus_threshold, 0, 1 << 20)
        for name in ("inactive_dec", "active_inc", "connected"):
            check_number(
                name.replace("_", " ").capitalize(), getattr(self, name), low=0.0, high=1.0
            )
        check_number(
            "Min pct overlap duty cycles", self.min_pct_overlap_duty_cycles, low=0.0, high=1.0
        )
        check_int("Duty cycle period", self.duty_cycle_period, 1, 1 << 30)
        check_number("Boost strength", self.boost_strength, low=0.0)
        if self.global_inhibition:
            global_k(self.local_area_density, self.columns)  # at least one winner

    def replace(self, **changes) -> SpatialPoolerParams:
        return dataclasses.replace(self, **changes)


def global_k(density: float, columns: int) -> int:
    """Winners of global inhibition: floor(density * columns), which must be at least 1."""
    k = int(np.float32(density) * np.float32(columns))  # htm.core's Real product, truncated
    if k < 1:
        raise ValueError(
            f"Local area density {density:g} gives no active column of {columns} "
            "(density * columns must be at least 1)"
        )
    return k


def inhibit_global(overlaps, density: float, stimulus_threshold: float = 0) -> np.ndarray:
    """The active columns (ascending) of global inhibition: the floor(density * n) largest
    ``overlaps``, ties to the larger index, less those below ``stimulus_threshold``."""
    o = np.asarray(overlaps)
    k = global_k(density, len(o))
    # descending overlap, then descending index: a stable sort of the reversed order
    order = len(o) - 1 - np.argsort(-o[::-1], kind="stable")
    winners = order[:k]
    return np.sort(winners[o[winners] >= stimulus_threshold])


def neighbours(column: int, radius: int, size: int, wrap: bool) -> np.ndarray:
    """The columns within ``radius`` of ``column`` on a line of ``size``, itself excluded
    (each once when the line wraps around)."""
    if wrap:
        near = {(column + d) % size for d in range(-radius, radius + 1)}
    else:
        near = set(range(max(0, column - radius), min(size, column + radius + 1)))
    near.discard(column)
    return np.array(sorted(near), dtype=np.int64)


def inhibit_local(
    overlaps, density: float, radius: int, *, wrap: bool = True, stimulus_threshold: float = 0
) -> np.ndarray:
    """The active columns (ascending) of local inhibition, htm.core's rule: visiting the
    columns in increasing index, a column at or above ``stimulus_threshold`` is active when
    fewer than floor(0.5 + density * (neighbours + 1)) of its neighbours beat it (a larger
    overlap, or an equal one already active)."""
    o = np.asarray(overlaps)
    active = np.zeros(len(o), bool)
    for c in range(len(o)):
        if o[c] < stimulus_threshold:
            continue
        hood = neighbours(c, radius, len(o), wrap)
        wanted = int(np.float32(0.5) + np.float32(density) * np.float32(len(hood) + 1))
        bigger = int(((o[hood] > o[c]) | ((o[hood] == o[c]) & active[hood])).sum())
        active[c] = bigger < wanted
    return np.flatnonzero(active)


def boost_factors(
    active_duty, strength: float, *, density: float | None = None, radius=None, wrap=True
):
    """exp((target - duty) * strength) of each column's active duty cycle: the target is
    ``density`` (global inhibition) or, with ``radius``, the mean duty over the column's
    neighbourhood, itself included (local)."""
    duty = np.asarray(active_duty, float)
    if density is not None:
        target = np.full(len(duty), density)
    else:
        target = np.array(
            [
                (duty[c] + duty[neighbours(c, radius, len(duty), wrap)].sum())
                / (len(neighbours(c, radius, len(duty), wrap)) + 1)
                for c in range(len(duty))
            ]
        )
    return np.exp((target - duty) * strength)


def raise_to_threshold(perm, potential, connected: float, threshold: int):
    """htm.core's ``raisePermanencesToThreshold``: a column (``perm`` of its inputs) with
    fewer than ``threshold`` connected potential synapses has every potential permanence
    raised by the amount that connects the threshold-th largest (clipped to 1)."""
    if threshold == 0:
        return perm
    values = np.sort(perm[potential])[::-1]
    if len(values) < threshold or values[threshold - 1] >= connected:
        return perm
    raised = perm + potential * (connected - values[threshold - 1])
    return np.minimum(raised, 1.0)


class Pooler:
    """What both spatial poolers (float and fixed-point) share: the input check, the overlap
    count and a run over many inputs. ``params`` is the float parameters, ``potential`` and
    ``perm`` the pools and permanences ([columns, inputs]), ``connected_at`` the permanence
    from which a synapse is connected; :meth:`compute` the step."""

    params: SpatialPoolerParams
    potential: np.ndarray
    perm: np.ndarray
    connected_at: float

    def compute(self, x, learn: bool = True) -> np.ndarray:
        raise NotImplementedError

    def connected(self) -> np.ndarray:
        """bool[columns, inputs]: the connected potential synapses."""
        return self.potential & (self.perm >= self.connected_at)

    def overlaps(self, x) -> np.ndarray:
        """int64[columns]: connected synapses onto the active bits of the input ``x``."""
        return self._count(self._input(x))

    def _count(self, x) -> np.ndarray:
        return (self.connected() & x[None, :]).sum(axis=1).astype(np.int64)

    def _input(self, x) -> np.ndarray:
        x = np.asarray(x)
        if x.shape != (self.params.inputs,):
            raise ValueError(
                f"The input must be {self.params.inputs} bits, not an array of shape {x.shape}"
            )
        return x.astype(bool)

    def run(self, inputs, learn: bool = True) -> np.ndarray:
        """bool[steps, columns]: the active columns of each input of ``inputs`` [steps,
        inputs], in order."""
        inputs = np.asarray(inputs)
        check_count("Input count", len(inputs), 1)
        out = np.zeros((len(inputs), self.params.columns), bool)
        for t, x in enumerate(inputs):
            out[t, self.compute(x, learn)] = True
        return out


class SpatialPooler(Pooler):
    """A spatial pooler of ``params``, its state (permanences, potential pools, duty
    cycles, boost factors, inhibition radius, iteration) initialised from ``seed``."""

    def __init__(self, params: SpatialPoolerParams = SpatialPoolerParams(), seed: int = 1):
        if not isinstance(params, SpatialPoolerParams):
            raise ValueError(f"A spatial pooler needs SpatialPoolerParams, not {params!r}")
        check_seed(seed)
        self.params = p = params
        self.connected_at = p.connected
        rng = np.random.default_rng(seed)
        self.potential = np.zeros((p.columns, p.inputs), bool)
        self.perm = np.zeros((p.columns, p.inputs))
        radius = min(p.potential_radius, p.inputs)
        for c in range(p.columns):
            centre = int(np.floor((c + 0.5) * p.inputs / p.columns))
            near = np.union1d(neighbours(centre, radius, p.inputs, p.wrap_around), [centre])
            pool = rng.choice(near, size=int(round(len(near) * p.potential_pct)), replace=False)
            self.potential[c, pool] = True
            start = rng.random(len(pool)) <= INIT_CONNECTED_PCT
            self.perm[c, pool] = np.where(
                start,
                rng.uniform(p.connected, 1.0, len(pool)),
                rng.uniform(0.0, p.connected, len(pool)),
            )
            self.perm[c] = raise_to_threshold(
                self.perm[c], self.potential[c], p.connected, p.stimulus_threshold
            )
        self.overlap_duty = np.zeros(p.columns)
        self.active_duty = np.zeros(p.columns)
        self.min_overlap_duty = np.zeros(p.columns)
        self.boost = np.ones(p.columns)
        self.iteration = 0
        self.radius = self._inhibition_radius()

    # the step ------------------------------------------------------------------------------

    def compute(self, x, learn: bool = True) -> np.ndarray:
        """One step on the binary input ``x``: the active columns (ascending)."""
        p = self.params
        x = self._input(x)
        self.iteration += 1
        overlap = self._count(x)
        boosted = overlap * self.boost if p.boost_strength > 0 else overlap
        if p.global_inhibition or self.radius > p.columns:
            active = inhibit_global(boosted, p.local_area_density, p.stimulus_threshold)
        else:
            active = inhibit_local(
                boosted,
                p.local_area_density,
                self.radius,
                wrap=p.wrap_around,
                stimulus_threshold=p.stimulus_threshold,
            )
        if learn:
            self._learn(x, overlap, active)
        return active

    def _learn(self, x, overlap, active):
        p = self.params
        for c in active:
            pool = self.potential[c]
            step = np.where(x, p.active_inc, -p.inactive_dec)
            self.perm[c] = np.where(pool, np.clip(self.perm[c] + step, 0.0, 1.0), 0.0)
            self.perm[c] = raise_to_threshold(self.perm[c], pool, p.connected, p.stimulus_threshold)
        period = min(p.duty_cycle_period, self.iteration)
        on = np.zeros(p.columns, bool)
        on[active] = True
        self.overlap_duty = self.overlap_duty * ((period - 1) / period) + (overlap > 0) / period
        self.active_duty = self.active_duty * ((period - 1) / period) + on / period
        weak = self.overlap_duty < self.min_overlap_duty
        bumped = np.minimum(self.perm + p.connected / 10.0, 1.0)
        self.perm = np.where(weak[:, None] & self.potential, bumped, self.perm)
        if p.boost_strength > 0:
            if p.global_inhibition:
                self.boost = boost_factors(
                    self.active_duty, p.boost_strength, density=p.local_area_density
                )
            else:
                self.boost = boost_factors(
                    self.active_duty, p.boost_strength, radius=self.radius, wrap=p.wrap_around
                )
        if self.iteration % UPDATE_PERIOD == 0:
            self.radius = self._inhibition_radius()
            self._update_min_duty()

    def _update_min_duty(self):
        p = self.params
        # (htm.core's test here is radius >= columns; its inhibition's is radius > columns)
        if p.global_inhibition or self.radius >= p.columns:
            self.min_overlap_duty[:] = p.min_pct_overlap_duty_cycles * self.overlap_duty.max()
            return
        for c in range(p.columns):
            hood = neighbours(c, self.radius, p.columns, p.wrap_around)
            top = max(self.overlap_duty[c], self.overlap_duty[hood].max(initial=0.0))
            self.min_overlap_duty[c] = top * p.min_pct_overlap_duty_cycles

    def _inhibition_radius(self) -> int:
        """htm.core's: the columns' span; under local inhibition the mean connected span of
        the columns, in columns, less one, halved, at least 1."""
        p = self.params
        if p.global_inhibition:
            return p.columns
        # (htm.core counts a synapse here when above connected + epsilon: strictly above)
        connected = self.potential & (self.perm > p.connected)
        spans = [
            (idx.max() - idx.min() + 1) if len(idx := np.flatnonzero(row)) else 0
            for row in connected
        ]
        diameter = float(np.mean(spans)) * (p.columns / p.inputs)
        return int(round(max(1.0, (diameter - 1) / 2)))
