"""Parameters and fixed-point Config of Földiák's anti-Hebbian sparse-coding layer (1990).

:class:`FoldiakParams` holds the paper's float parameters (reference/foldiak.md) plus the few
choices the paper leaves open (settling step and count, sigmoid, the initial feed-forward
weights, the ranges of w and t). :class:`FoldiakConfig` quantises them: every width, every
integer constant and every rounding of the fixed-point layer is derived here, once, and the
golden model (:mod:`gaba.golden.foldiak`) and the hardware read them from it.

Formats (``Q<i>.<f>`` = i integer bits, f fractional bits; ``s`` = two's complement; F =
``frac_bits``, CF = ``coef_bits``):

==========  ===============  ================================================================
name        format           meaning
==========  ===============  ================================================================
x_j         1 bit            input pixel
q_ij        Q0.F             feed-forward weight, never leaves [0, 2**F - 1] (proof below)
w_ij        sQ.F             lateral weight in [w_min_q, 0], saturates (sticky ``w_sat``)
t_i         sQ.F             threshold in [t_min_q, t_max_q], saturates (sticky ``t_sat``)
y*_i        Q0.F             settling activation, never leaves [0, 2**F - 1] (proof below)
y_i         1 bit            binary output, y*_i > 2**(F-1)
coef        Q.CF             sigmoid slope lambda/4, settling step dt, learning rate beta
==========  ===============  ================================================================

Every product with a coefficient is rounded by ``mulr(v, C) = (v*C + 2**(CF-1)) >> CF`` with an
arithmetic (flooring) shift: round half up. The lateral sum is exact and rounded once:
``lat_i = (sum_j w_ij*y*_j + 2**(F-1)) >> F``. Sums are exact integer sums, so their order
does not matter (a folded circuit may accumulate in any order).

Why q and y* need no saturation: both are updated by a rounded convex step
``v + mulr(target - v, C)`` with ``0 < C < 2**(CF-1)``. For ``d = target - v >= 1``,
``0 <= mulr(d, C) <= d - 1`` (because ``d*(2**CF - C) > 2**(CF-1)``), and for ``d <= 0``,
``d <= mulr(d, C) <= 0``: the step never passes the target. The targets are ``x_j * 2**F`` and
``f_i`` in [0, 2**F], so v stays in [0, 2**F - 1] once it starts there (initial q < 2**F,
y* = 0).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property

from gaba.golden.config import ConfigBase
from gaba.golden.primitives import mulr  # by name, as in gaba.golden.config
from gaba.golden.validate import check_int, check_number

__all__ = ["LEARNING_CONSTANTS", "SIGMOIDS", "FoldiakConfig", "FoldiakParams"]

#: Output nonlinearities: the paper's logistic 1/(1 + exp(-lambda*u)) and the hard sigmoid
#: clip(0.5 + lambda*u/4, 0, 1) with the same slope at u = 0 (the fixed-point model's).
SIGMOIDS = ("hard", "logistic")

#: The constants of settling and learning, in the order the golden kernels receive them.
LEARNING_CONSTANTS = (
    "slope_c",
    "settle_c",
    "beta_c",
    "dw_on",
    "dw_off",
    "dt_on",
    "dt_off",
    "pre_dt_on",
    "pre_dt_off",
    "w_min_q",
    "t_min_q",
    "t_max_q",
)


@dataclass(frozen=True)
class FoldiakParams:
    """Float parameters of the layer (the bars problem of the paper by default).

    Parameters
    ----------
    m, n : int
        Inputs (64 pixels of an 8 x 8 grid) and output units (16).
    alpha, beta, gamma : float
        Learning rates of the lateral (anti-Hebbian), feed-forward (Hebbian) weights and the
        thresholds.
    lam : float
        Gain lambda of the sigmoid (slope lambda/4 at u = 0).
    p : float
        Target output probability of each unit.
    pre_gamma, pre_presentations : float, int
        Threshold pre-run before learning: ``pre_presentations`` presentations with
        alpha = beta = 0 and gamma = ``pre_gamma``.
    settle_dt, settle_steps : float, int
        Euler step and step count of the settling of y*. The default 1/8 x 64 is the
        hardware's (a shift); the paper's float model uses 0.1 x 100.
    sigmoid : {"hard", "logistic"}
        Output nonlinearity (the fixed-point model implements ``"hard"``).
    q_init : float
        Initial feed-forward weights are uniform in [0, q_init) (a power of two). 1/4 matches
        the scale of the reference's unit-length random weights (mean 0.108 there, 0.125 here);
        much smaller weights slow learning down (docs/foldiak.md).
    w_min : float
        Lower bound of the lateral weights (they saturate there; the paper's learned range is
        about [-4.1, 0]).
    t_max : float
        Thresholds live in [-t_max, t_max) (learned: about [3.1, 3.5]).
    """

    m: int = 64
    n: int = 16
    alpha: float = 0.1
    beta: float = 0.02
    gamma: float = 0.02
    lam: float = 10.0
    p: float = 0.125
    pre_gamma: float = 0.1
    pre_presentations: int = 100
    settle_dt: float = 0.125
    settle_steps: int = 64
    sigmoid: str = "hard"
    q_init: float = 0.25
    w_min: float = -8.0
    t_max: float = 8.0

    def __post_init__(self):
        def integer(name, label, low, high):  # checked, stored as a plain Python int
            object.__setattr__(self, name, check_int(label, getattr(self, name), low, high))

        def number(name, low, high, **open_ends):  # checked, stored as a plain Python number
            value = check_number(name, getattr(self, name), low=low, high=high, **open_ends)
            object.__setattr__(self, name, value)

        integer("m", "Input count m", 1, 4096)
        integer("n", "Unit count n", 2, 1024)
        for name in ("alpha", "beta", "gamma", "pre_gamma"):
            number(name, 0, 1, high_open=name == "beta")
        number("lam", 0, 1e3, low_open=True)
        number("p", 0, 1, low_open=True, high_open=True)
        integer("pre_presentations", "pre_presentations", 0, 10**6)
        number("settle_dt", 0, 1, low_open=True)
        integer("settle_steps", "settle_steps", 1, 10**4)
        if self.sigmoid not in SIGMOIDS:
            raise ValueError(f"sigmoid must be one of {', '.join(SIGMOIDS)}, not {self.sigmoid!r}")
        number("q_init", 0, 1, low_open=True)
        if math.frexp(self.q_init)[0] != 0.5:
            raise ValueError(f"q_init must be a power of two, not {self.q_init!r}")
        number("w_min", -1e3, 0, high_open=True)
        number("t_max", 0, 1e3, low_open=True)

    def replace(self, **changes) -> FoldiakParams:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class FoldiakConfig(ConfigBase):
    """Fixed-point Földiák layer: float parameters plus number formats.

    Parameters
    ----------
    params : FoldiakParams
        The float model being quantised (``sigmoid`` must be ``"hard"``).
    frac_bits : int
        Fractional bits F of q, w, t, y* (LSB 2**-F) and of the learning increments.
    coef_bits : int
        Fractional bits CF of the coefficients lambda/4, settle_dt and beta.

    Raises
    ------
    ValueError
        A parameter is out of range, a constant quantises to zero or does not fit its
        format, or an intermediate value would need more than 63 bits.
    """

    params: FoldiakParams = FoldiakParams()
    frac_bits: int = 12
    coef_bits: int = 14

    def __post_init__(self):
        if not isinstance(self.params, FoldiakParams):
            raise ValueError(f"params must be a FoldiakParams, not {self.params!r}")
        for name, low, high in (("frac_bits", 6, 24), ("coef_bits", 4, 24)):
            object.__setattr__(self, name, check_int(name, getattr(self, name), low, high))
        p, f = self.params, self.frac_bits
        if p.sigmoid != "hard":
            raise ValueError(
                f"the fixed-point layer implements the hard sigmoid, not {p.sigmoid!r} "
                "(the logistic one is float-only)"
            )
        cf = ("coef_bits", self.coef_bits)
        fb = ("frac_bits", f)
        quantised = (
            ("lam/4", p.lam / 4, self.slope_c, cf),
            ("settle_dt", p.settle_dt, self.settle_c, cf),
            ("beta", p.beta, self.beta_c, cf),
            ("alpha*(1 - p^2)", p.alpha * (1 - p.p**2), self.dw_on, fb),
            ("alpha*p^2", p.alpha * p.p**2, self.dw_off, fb),
            ("gamma*(1 - p)", p.gamma * (1 - p.p), self.dt_on, fb),
            ("gamma*p", p.gamma * p.p, self.dt_off, fb),
            ("pre_gamma*(1 - p)", p.pre_gamma * (1 - p.p), self.pre_dt_on, fb),
            ("pre_gamma*p", p.pre_gamma * p.p, self.pre_dt_off, fb),
        )
        for name, value, quantum, (field, bits) in quantised:
            if value > 0 and quantum == 0:
                need = next(b for b in range(bits, 64) if round(value * 2**b) >= 1)
                raise ValueError(
                    f"{name} = {value:g} quantises to 0 with {field} = {bits}; "
                    f"use {field} >= {need}"
                )
        if self.settle_c > 1 << self.coef_bits:
            raise ValueError(f"settle_dt = {p.settle_dt} quantises above 1")
        if self.q_init_bits < 1:
            raise ValueError(
                f"q_init = {p.q_init:g} quantises to 0 with frac_bits = {f}; "
                f"use frac_bits >= {f + 1 - self.q_init_bits}"
            )
        if self.w_min_q >= 0:
            raise ValueError(f"w_min = {p.w_min:g} quantises to 0 with frac_bits = {f}")
        if self.kernel_bits > 63:
            raise ValueError(
                f"intermediate values need {self.kernel_bits} bits (at most 63 are supported); "
                "lower frac_bits or coef_bits"
            )

    # Construction -----------------------------------------------------------------------------

    PARAMS = FoldiakParams

    # Shorthands -------------------------------------------------------------------------------

    @property
    def m(self) -> int:
        return self.params.m

    @property
    def n(self) -> int:
        return self.params.n

    @property
    def settle_steps(self) -> int:
        return self.params.settle_steps

    @property
    def pre_presentations(self) -> int:
        return self.params.pre_presentations

    @property
    def one(self) -> int:
        """1.0 in the Q.F formats: 2**F."""
        return 1 << self.frac_bits

    @property
    def half(self) -> int:
        """0.5 in the Q.F formats: the output threshold and the sigmoid's value at u = 0."""
        return 1 << (self.frac_bits - 1)

    def _q(self, value: float) -> int:
        return round(value * 2**self.frac_bits)

    def _c(self, value: float) -> int:
        return round(value * 2**self.coef_bits)

    # Quantised constants ----------------------------------------------------------------------

    @cached_property
    def slope_c(self) -> int:
        """Sigmoid slope lambda/4 in Q.CF."""
        return self._c(self.params.lam / 4)

    @cached_property
    def settle_c(self) -> int:
        """Settling step dt in Q0.CF."""
        return self._c(self.params.settle_dt)

    @cached_property
    def beta_c(self) -> int:
        """Feed-forward learning rate beta in Q0.CF."""
        return self._c(self.params.beta)

    @cached_property
    def dw_on(self) -> int:
        """Lateral decrement when both units fire: alpha*(1 - p^2) in Q.F."""
        p = self.params
        return self._q(p.alpha * (1 - p.p**2))

    @cached_property
    def dw_off(self) -> int:
        """Lateral increment otherwise: alpha*p^2 in Q.F."""
        p = self.params
        return self._q(p.alpha * p.p**2)

    @cached_property
    def dt_on(self) -> int:
        """Threshold increment when the unit fires: gamma*(1 - p) in Q.F."""
        p = self.params
        return self._q(p.gamma * (1 - p.p))

    @cached_property
    def dt_off(self) -> int:
        """Threshold decrement when it does not: gamma*p in Q.F."""
        p = self.params
        return self._q(p.gamma * p.p)

    @cached_property
    def pre_dt_on(self) -> int:
        """dt_on of the threshold pre-run (gamma = pre_gamma)."""
        p = self.params
        return self._q(p.pre_gamma * (1 - p.p))

    @cached_property
    def pre_dt_off(self) -> int:
        """dt_off of the threshold pre-run."""
        p = self.params
        return self._q(p.pre_gamma * p.p)

    @cached_property
    def w_min_q(self) -> int:
        """Lower saturation bound of w (w's upper bound is 0, the model's clip)."""
        return self._q(self.params.w_min)

    @cached_property
    def t_min_q(self) -> int:
        return -self._q(self.params.t_max)

    @cached_property
    def t_max_q(self) -> int:
        return self._q(self.params.t_max) - 1

    @cached_property
    def q_init_bits(self) -> int:
        """Initial q_ij is the top ``q_init_bits`` bits of a draw: uniform in [0, q_init)."""
        return self.frac_bits + round(math.log2(self.params.q_init))

    # Ranges and widths ------------------------------------------------------------------------

    @cached_property
    def q_max(self) -> int:
        """Largest q: 2**F - 1 when beta < 1/2 (a convex step never reaches its target)."""
        return self.one - 1 if self.beta_c < self.half_c else self.one

    @cached_property
    def y_max(self) -> int:
        """Largest y*: 2**F - 1 when settle_dt < 1/2 (same argument as q)."""
        return self.one - 1 if self.settle_c < self.half_c else self.one

    @property
    def half_c(self) -> int:
        """1/2 in Q.CF: the rounding offset of mulr."""
        return 1 << (self.coef_bits - 1)

    @property
    def q_bits(self) -> int:
        """Width of q (unsigned)."""
        return self.q_max.bit_length()

    @property
    def y_bits(self) -> int:
        """Width of y* (unsigned)."""
        return self.y_max.bit_length()

    @property
    def f_bits(self) -> int:
        """Width of the sigmoid output f in [0, 2**F] (unsigned)."""
        return self.one.bit_length()

    @property
    def w_bits(self) -> int:
        """Width of w (signed; it holds w_min_q .. 0)."""
        return _signed_bits(self.w_min_q, 0)

    @property
    def t_bits(self) -> int:
        """Width of t (signed)."""
        return _signed_bits(self.t_min_q, self.t_max_q)

    @cached_property
    def qx_max(self) -> int:
        """Largest feed-forward drive sum_j q_ij x_j."""
        return self.m * self.q_max

    @property
    def qx_bits(self) -> int:
        """Width of the exact feed-forward drive (unsigned)."""
        return self.qx_max.bit_length()

    @cached_property
    def lsum_min(self) -> int:
        """Smallest exact lateral sum sum_{j != i} w_ij*y*_j (w_ii = 0)."""
        return (self.n - 1) * self.w_min_q * self.y_max

    @property
    def lsum_bits(self) -> int:
        """Width of the exact lateral sum (signed, <= 0)."""
        return _signed_bits(self.lsum_min, 0)

    @cached_property
    def lat_min(self) -> int:
        """Smallest rounded lateral term (lsum + 2**(F-1)) >> F."""
        return (self.lsum_min + self.half) >> self.frac_bits

    @property
    def lat_bits(self) -> int:
        return _signed_bits(self.lat_min, 0)

    @cached_property
    def u_range(self) -> tuple[int, int]:
        """Range of the exact input u = qx + lat - t."""
        return self.lat_min - self.t_max_q, self.qx_max - self.t_min_q

    @property
    def u_bits(self) -> int:
        """Width of u (signed)."""
        return _signed_bits(*self.u_range)

    @cached_property
    def u_lim(self) -> int:
        """Smallest bound U such that clamping u to [-U, U] never changes f (lossless).

        The hard sigmoid saturates at both ends beyond U, so hardware may clamp u before the
        slope multiplier and keep it narrow (``u_lim_bits``); the model does not need to.
        """
        cf, s, h = self.coef_bits, self.slope_c, self.half
        u = max(0, (h << cf) // s - 2)  # just below the bound; step up to it
        while not (h + mulr(u, s, cf) >= self.one and h + mulr(-u, s, cf) <= 0):
            u += 1
        return u

    @property
    def u_lim_bits(self) -> int:
        """Width of u clamped to [-u_lim, u_lim] (signed)."""
        return _signed_bits(-self.u_lim, self.u_lim)

    @cached_property
    def kernel_bits(self) -> int:
        """Signed width that holds every intermediate value (at most 63 for the kernels)."""
        cf = self.coef_bits
        lo, hi = self.u_range
        extremes = (
            self.lsum_min,
            max(-lo, hi) * self.slope_c + self.half_c,
            self.one * self.settle_c + self.half_c,
            self.one * self.beta_c + self.half_c,
            self.qx_max - self.t_min_q - self.lat_min,
            self.half + mulr(hi, self.slope_c, cf),
        )
        return max(_signed_bits(-abs(v), abs(v)) for v in extremes)

    def constants(self) -> dict[str, int]:
        """Every integer constant of the datapath by name."""
        names = (*LEARNING_CONSTANTS, "q_init_bits", "u_lim")
        return {name: getattr(self, name) for name in names}

    def quantisation_report(self) -> dict[str, tuple[float, float]]:
        """Each float constant and the value its quantised integer stands for."""
        p, f, c = self.params, 2**self.frac_bits, 2**self.coef_bits
        return {
            "lam/4": (p.lam / 4, self.slope_c / c),
            "settle_dt": (p.settle_dt, self.settle_c / c),
            "beta": (p.beta, self.beta_c / c),
            "alpha*(1 - p^2)": (p.alpha * (1 - p.p**2), self.dw_on / f),
            "alpha*p^2": (p.alpha * p.p**2, self.dw_off / f),
            "gamma*(1 - p)": (p.gamma * (1 - p.p), self.dt_on / f),
            "gamma*p": (p.gamma * p.p, self.dt_off / f),
            "pre_gamma*(1 - p)": (p.pre_gamma * (1 - p.p), self.pre_dt_on / f),
            "pre_gamma*p": (p.pre_gamma * p.p, self.pre_dt_off / f),
            "w_min": (p.w_min, self.w_min_q / f),
            "t_max": (p.t_max, (self.t_max_q + 1) / f),
        }

    def state_table(self) -> str:
        """Markdown table of every state variable and datapath value at this Config.

        docs/foldiak.md embeds this table for the paper point; a test keeps the two equal.
        """
        f, cf = self.frac_bits, self.coef_bits

        def q(bits, signed):
            return f"{'s' if signed else ''}Q{bits - f - (1 if signed else 0)}.{f}"

        rows = [
            ("x_j", "1", "unsigned", "bit", "exact", "none"),
            (
                "q_ij",
                f"{self.q_bits}",
                "unsigned",
                q(self.q_bits, False),
                "rounded convex step: q + mulr((x << F) - q, beta_c) if y_i",
                f"cannot leave [0, {self.q_max}]: none needed",
            ),
            (
                "w_ij",
                f"{self.w_bits}",
                "signed",
                q(self.w_bits, True),
                "exact increments -dw_on / +dw_off",
                f"clip to <= 0 (model rule), w_ii = 0; clamp at w_min_q = {self.w_min_q}, "
                "sticky w_sat",
            ),
            (
                "t_i",
                f"{self.t_bits}",
                "signed",
                q(self.t_bits, True),
                "exact increments +dt_on / -dt_off",
                f"clamp to [{self.t_min_q}, {self.t_max_q}], sticky t_sat",
            ),
            (
                "y*_i",
                f"{self.y_bits}",
                "unsigned",
                q(self.y_bits, False),
                "rounded convex step: y* + mulr(f - y*, settle_c)",
                f"cannot leave [0, {self.y_max}]: none needed",
            ),
            ("y_i", "1", "unsigned", "bit", f"y*_i > {self.half}", "none"),
            (
                "qx_i = sum_j q_ij x_j",
                f"{self.qx_bits}",
                "unsigned",
                q(self.qx_bits, False),
                "exact (masked sum)",
                "none: width holds m * q_max",
            ),
            (
                "L_i = sum_j w_ij y*_j",
                f"{self.lsum_bits}",
                "signed",
                f"sQ{self.lsum_bits - 2 * f - 1}.{2 * f}",
                "exact (sum of exact products)",
                "none: width holds (n - 1) * w_min_q * y_max",
            ),
            (
                "lat_i",
                f"{self.lat_bits}",
                "signed",
                q(self.lat_bits, True),
                f"(L_i + {self.half}) >> {f}: round half up",
                "none",
            ),
            (
                "u_i = qx_i + lat_i - t_i",
                f"{self.u_bits}",
                "signed",
                q(self.u_bits, True),
                "exact",
                f"none; clamping to +-u_lim = {self.u_lim} ({self.u_lim_bits} bits) is lossless",
            ),
            (
                "f_i",
                f"{self.f_bits}",
                "unsigned",
                q(self.f_bits, False),
                f"{self.half} + mulr(u_i, slope_c): round half up",
                f"clamp to [0, {self.one}] (the hard sigmoid itself)",
            ),
            (
                "lam/4, settle_dt, beta",
                f"{max(self.slope_c, self.settle_c, self.beta_c).bit_length()}",
                "unsigned",
                f"Q.{cf}: {self.slope_c}, {self.settle_c}, {self.beta_c}",
                "round to nearest",
                "constants",
            ),
            (
                "dw_on, dw_off, dt_on, dt_off",
                f"{max(self.dw_on, self.dw_off, self.dt_on, self.dt_off).bit_length()}",
                "unsigned",
                f"Q.{f}: {self.dw_on}, {self.dw_off}, {self.dt_on}, {self.dt_off}",
                "round to nearest",
                "constants",
            ),
            (
                "pre_dt_on, pre_dt_off",
                f"{max(self.pre_dt_on, self.pre_dt_off).bit_length()}",
                "unsigned",
                f"Q.{f}: {self.pre_dt_on}, {self.pre_dt_off}",
                "round to nearest",
                "constants (threshold pre-run)",
            ),
            ("rng", "32", "unsigned", "xorshift32 state", "exact", "none (bit operations)"),
            ("w_sat, t_sat", "1", "unsigned", "bit", "sticky (per run)", "none"),
        ]
        head = (
            "| value | bits | sign | format | rounding | saturation |\n|---|---|---|---|---|---|\n"
        )
        return head + "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n"


def _signed_bits(low: int, high: int) -> int:
    """Two's complement width that holds every integer in [low, high]."""
    return max((-low - 1).bit_length() if low < 0 else 0, high.bit_length()) + 1
