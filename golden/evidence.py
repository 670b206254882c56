"""Evidence-in trials: the network picks the winner among input values the user supplies.

The task trials of :func:`gaba.golden.fixed.run_trials` make their own inputs (one option
gets ``b_hi``, every other ``b_lo``). Here each trial brings its evidence instead, as a
sequence of K >= 1 input vectors of n values each (x's format, Q{x_int}.F):

- step t (the first step is 0) reads vector ``min(t // hold, K - 1)``: each vector is the
  input for ``hold`` steps, and the last one stays until the trial ends. One vector is the
  paper's fixed evidence; several are evidence that changes during the trial, which the
  network integrates as it arrives;
- an input above ``b_hi`` (the Config's b_max, the largest input its widths are sized for)
  is clamped to ``b_hi``; the trial's ``in_sat`` flag says that a vector some executed step
  read held such a value;
- the trial ends at the step whose state decides (some x >= stop), or after ``max_steps``
  steps; vectors after that are not used;
- the noise is the Config's: with sigma > 0 trial j's generators are seeded from the trial
  key ``(seed, first_trial + j)`` exactly as in task trials; with sigma = 0 there is none
  (evidence that is already noisy).

``theta_q``, ``stop_q`` and ``max_steps`` may replace the Config's values, as the evidence
core's run-time registers do (``gaba.hdl.core``); every other constant and width is the
Config's. The step itself is the golden model's (``gaba.golden.fixed``: the numba kernel,
and the readable model for :func:`trace`), so the numerics are written once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaba.golden import fixed, primitives
from gaba.golden.config import Config
from gaba.golden.validate import check_count, check_int, check_seed

__all__ = [
    "HOLD_BITS",
    "EvidenceResults",
    "Registers",
    "beats",
    "channel_trials",
    "evidence_bits",
    "run_evidence",
    "trace",
    "whole_bytes",
]

#: Width of the ``hold`` register (steps per vector).
HOLD_BITS = 16


def whole_bytes(bits: int) -> int:
    """``bits`` rounded up to a multiple of 8 (a stream's data width)."""
    return -(-bits // 8) * 8


def evidence_bits(cfg: Config) -> int:
    """Width of one input value as it is streamed: x_bits rounded up to whole bytes."""
    return whole_bytes(cfg.x_bits)


@dataclass(frozen=True)
class Registers:
    """The run-time values an evidence core holds in registers (None: the Config's).

    theta_q : gate threshold in x's format (nWTA only; conventional WTA has none).
    stop_q : decision threshold in x's format, at least 1.
    max_steps : the horizon in steps, at least 1, within the Config's step counter.
    hold : steps each input vector lasts, 1 .. 2**HOLD_BITS - 1.
    """

    theta_q: int | None = None
    stop_q: int | None = None
    max_steps: int | None = None
    hold: int = 1

    def resolved(self, cfg: Config) -> dict:
        """Every register's value for ``cfg``, checked against its width."""
        if self.theta_q is not None and cfg.kind != "nwta":
            raise ValueError("theta_q applies to nWTA only: conventional WTA gates nothing")
        steps_max = (1 << cfg.max_steps.bit_length()) - 1
        return {
            "theta_q": cfg.theta_q
            if self.theta_q is None
            else check_int("theta_q", self.theta_q, 0, cfg.x_max),
            "stop_q": cfg.stop_q
            if self.stop_q is None
            else check_int("stop_q", self.stop_q, 1, cfg.x_max),
            "max_steps": cfg.max_steps
            if self.max_steps is None
            else check_int("max_steps", self.max_steps, 1, steps_max),
            "hold": check_int("hold", self.hold, 1, (1 << HOLD_BITS) - 1),
        }


@dataclass(frozen=True, eq=False)
class EvidenceResults:
    """One entry per evidence trial (arrays of equal length).

    winner: lowest index of the largest x at the decision, -1 when undecided; steps: steps
    executed (``max_steps`` when undecided); decided; eta_sat, r_sat: the sticky saturation
    flags; in_sat: an input was clamped to b_hi; state_hash: the final-state digest
    (:func:`gaba.golden.fixed.digest`).
    """

    winner: np.ndarray
    steps: np.ndarray
    decided: np.ndarray
    eta_sat: np.ndarray
    r_sat: np.ndarray
    in_sat: np.ndarray
    state_hash: np.ndarray

    FIELDS = ("winner", "steps", "decided", "eta_sat", "r_sat", "in_sat", "state_hash")

    def __len__(self) -> int:
        return len(self.winner)

    def row(self, j: int) -> dict:
        """Trial j's fields as plain integers (the scoreboard's row)."""
        return {name: int(getattr(self, name)[j]) for name in self.FIELDS}


def _vectors(cfg: Config, trials) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each trial's vectors as int64[K, n], clamped to b_hi, and for each trial which of its
    vectors held a value above b_hi (bool[K])."""
    if isinstance(trials, np.ndarray) and trials.ndim < 3:
        raise ValueError(
            "Evidence trials must be a sequence of trials (each n values or K x n vectors), "
            f"not one array of shape {trials.shape}: wrap one trial in a list"
        )
    trials = list(trials)
    if not trials:
        raise ValueError("Evidence trials must hold at least one trial")
    limit = (1 << evidence_bits(cfg)) - 1
    out, flags = [], []
    for j, value in enumerate(trials):
        array = np.asarray(value)
        if array.ndim == 1:
            array = array[None, :]
        if array.ndim != 2 or array.shape[1] != cfg.n or array.shape[0] < 1:
            raise ValueError(
                f"Trial {j}'s evidence must be n = {cfg.n} values or K x {cfg.n} vectors, "
                f"not shape {array.shape}"
            )
        if not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"Trial {j}'s evidence must be integers, not {array.dtype}")
        if array.min() < 0 or array.max() > limit:
            raise ValueError(
                f"Trial {j}'s evidence must lie in 0..{limit} "
                f"({evidence_bits(cfg)}-bit values), not {int(array.min())}..{int(array.max())}"
            )
        flags.append(np.any(array > cfg.b_hi, axis=1))
        out.append(np.minimum(array.astype(np.int64), cfg.b_hi))
    return out, flags


def _read_sat(flags: np.ndarray, steps: int, hold: int) -> bool:
    """Whether one of the vectors that ``steps`` executed steps read (vectors 0 ..
    min((steps - 1) // hold, K - 1)) was clamped."""
    return bool(np.any(flags[: (steps - 1) // hold + 1]))


def run_evidence(
    cfg: Config,
    trials,
    seed: int = 0,
    *,
    first_trial: int = 0,
    registers: Registers = Registers(),
) -> EvidenceResults:
    """Run evidence trials: ``trials`` is a sequence, one entry per trial, each n input values
    or a K x n array of vectors (integers in 0 .. 2**evidence_bits - 1). Trial j's noise comes
    from trial key ``first_trial + j`` of ``seed`` (when the Config has noise)."""
    seed = check_seed(seed)
    first_trial = check_count("First trial", first_trial, 0)
    if not isinstance(registers, Registers):
        raise ValueError(f"registers must be a Registers, not {registers!r}")
    regs = registers.resolved(cfg)
    vectors, in_sat = _vectors(cfg, trials)
    hold = regs.pop("hold")
    kernel, T, consts, shape = fixed.kernel_args(cfg, evidence=True, **regs)
    offsets = np.zeros(len(vectors) + 1, np.int64)
    offsets[1:] = np.cumsum([v.shape[0] for v in vectors])
    flat = np.concatenate(vectors).astype(T)
    out = np.zeros((len(vectors), 6), np.int64)
    salts = primitives.neuron_salts(cfg.n)
    kernel(cfg.n, seed, first_trial, salts, cfg.c_xi != 0, flat, offsets, hold, consts, shape, out)
    return EvidenceResults(
        winner=out[:, 0].copy(),
        steps=out[:, 1].copy(),
        decided=out[:, 0] >= 0,
        eta_sat=out[:, 2].astype(bool),
        r_sat=out[:, 3].astype(bool),
        in_sat=np.array([_read_sat(f, s, hold) for f, s in zip(in_sat, out[:, 1], strict=True)]),
        state_hash=out[:, 4].copy(),
    )


def trace(
    cfg: Config,
    vectors,
    seed: int = 0,
    trial: int = 0,
    *,
    registers: Registers = Registers(),
) -> tuple[fixed.Trace, dict]:
    """One evidence trial on the readable model: its per-step trace and its result row (the
    fields of :class:`EvidenceResults`), for checking the kernel and for lockstep debugging."""
    regs = registers.resolved(cfg)
    (inputs,), (flags,) = _vectors(cfg, [vectors])
    tr = fixed.trace(
        cfg,
        seed,
        trial,
        steps=regs["max_steps"],
        inputs=inputs,
        hold=regs["hold"],
        theta_q=regs["theta_q"],
        stop_q=regs["stop_q"],
    )
    return tr, {
        "winner": tr.winner,
        "steps": tr.steps,
        "decided": int(tr.winner >= 0),
        "eta_sat": int(tr.eta_sat[-1]),
        "r_sat": int(tr.r_sat[-1]),
        "in_sat": int(_read_sat(flags, tr.steps, regs["hold"])),
        "state_hash": fixed.digest(cfg, tr.x[-1], tr.eta[-1]),
    }


def beats(trial) -> list[tuple[int, int]]:
    """A trial's evidence as the core's stream carries it: (value, last) beat after beat, n
    beats a vector (``trial``: n values, or K x n), ``last`` on the n-th beat of its last
    vector."""
    vectors = np.atleast_2d(np.asarray(trial))
    k, n = vectors.shape
    return [
        (int(value), int(j == k - 1 and i == n - 1))
        for j, vector in enumerate(vectors)
        for i, value in enumerate(vector)
    ]


def channel_trials(
    cfg: Config, count: int, seed: int, *, vectors: int = 1, sd: float = 0.1, first: int = 0
) -> tuple[list[np.ndarray], np.ndarray]:
    """Noisy channel scores, the evidence of the benches and examples: in each trial one
    channel (drawn uniformly) has mean b_max, every other b_max - delta (the Config's), and
    each of the trial's ``vectors`` vectors adds independent Gaussian noise of ``sd`` (in
    units of b_max) to every channel, rounded and clipped to the stream's values (above b_max
    the core clamps). Trial j's numbers come from NumPy's generator seeded with ``(seed,
    first + j)``, so any slice of a run is the same. Returns the trials and each one's best
    channel."""
    seed = check_seed(seed)
    count = check_count("Trial count", count, 1)
    vectors = check_count("Vector count", vectors, 1)
    first = check_count("First trial", first, 0)
    limit = (1 << evidence_bits(cfg)) - 1
    trials, best = [], np.zeros(count, np.int64)
    scale = 1 << cfg.frac_bits
    for j in range(count):
        rng = np.random.default_rng((seed, first + j))
        best[j] = rng.integers(cfg.n)
        mean = np.full(cfg.n, float(cfg.b_lo))
        mean[best[j]] = cfg.b_hi
        noisy = mean + rng.normal(0.0, sd * scale, size=(vectors, cfg.n))
        trials.append(np.clip(np.rint(noisy), 0, limit).astype(np.int64))
    return trials, best
