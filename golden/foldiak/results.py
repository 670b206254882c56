"""The outcome of Földiák layer runs, whatever model learned them.

:class:`Learned` holds R runs' final state, the outputs of every presentation and snapshots
of the state for learning curves; :func:`snapshot_points` says where the snapshots are taken.
The float reference (:mod:`gaba.golden.foldiak.reference`) and the fixed-point golden model
(:mod:`gaba.golden.foldiak.fixed`) both return it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaba.golden.results import join_blocks

__all__ = ["Learned", "join_runs", "snapshot_points"]

#: Learned's fields that are not per run: every block of one experiment has the same.
SHARED = ("snapshot_at", "pre_presentations", "scale")


@dataclass(frozen=True, eq=False)
class Learned:
    """Outcome of R independent learning runs of one layer (float or fixed point).

    Values are in the model's own units: float for the reference, integers in Q.F for the
    fixed-point model; ``scale`` (1 or 2**F) converts (``value / scale``).

    Parameters
    ----------
    q, w, t : arrays [R, n, m], [R, n, n], [R, n]
        Final weights and thresholds.
    y : bool array [R, P_total, n]
        Binary outputs of every presentation, the pre-run's included (P_total =
        pre_presentations + presentations).
    ystar : array [R, P_total, n]
        The settled activations they come from.
    snapshot_at : int array [S]
        Training presentations (after the pre-run) at which snapshots were taken.
    q_hist, w_hist, t_hist : arrays [R, S, ...]
        The state at those points.
    w_sat, t_sat : bool arrays [R]
        Sticky saturation flags (always False in the float model).
    w_sat_hist, t_sat_hist : bool arrays [R, S]
        The flags at the snapshots.
    pre_presentations : int
    scale : float
    """

    q: np.ndarray
    w: np.ndarray
    t: np.ndarray
    y: np.ndarray
    ystar: np.ndarray
    snapshot_at: np.ndarray
    q_hist: np.ndarray
    w_hist: np.ndarray
    t_hist: np.ndarray
    w_sat: np.ndarray
    t_sat: np.ndarray
    w_sat_hist: np.ndarray
    t_sat_hist: np.ndarray
    pre_presentations: int
    scale: float = 1.0

    @property
    def runs(self) -> int:
        return int(self.q.shape[0])

    @property
    def presentations(self) -> int:
        """Training presentations (after the pre-run)."""
        return int(self.y.shape[1]) - self.pre_presentations


def snapshot_points(presentations: int, every: int) -> np.ndarray:
    """Training presentations (after the pre-run) at which a run's state is recorded: every
    ``every`` presentations from 0, and the last; only the last if ``every`` <= 0."""
    if every <= 0:
        return np.array([presentations], np.int64)
    points = list(range(0, presentations + 1, every))
    if points[-1] != presentations:
        points.append(presentations)
    return np.array(points, np.int64)


def join_runs(parts: list[Learned]) -> Learned:
    """One :class:`Learned` of blocks of runs of one experiment, in the order given: every
    per-run array concatenated along the runs, the shared fields (:data:`SHARED`) checked."""
    return join_blocks(parts, SHARED)
