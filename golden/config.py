"""The Config: one validated, hashable object that defines the fixed-point circuit.

A :class:`Config` is built from the paper's float parameters (:class:`NetworkParams`) plus the
fixed-point choices (fractional bits, integer bits, coefficient precision). Everything the
golden model and the HDL need is derived here, once: the width and format of every state
variable, every quantised constant, the lossless clamp of the inhibition input. The fixed-point
kernels (:mod:`gaba.golden.fixed`) and the Amaranth components (``gaba.hdl``) read these
properties; neither writes a width or a constant of its own.

Formats (``Q<i>.<f>`` = i integer bits, f fractional bits; ``s`` = two's complement):

=========  =====================  ==========================================================
name       format                 meaning
=========  =====================  ==========================================================
X          Q{x_int}.{F+G}         the activation's state register, 0 <= X <= x_max * 2**G
x          Q{x_int}.{F}           activation as the network reads it: x = X >> G (floor)
eta        sQ{eta_int}.{F}        OU noise, saturates at the format's bounds (flag ``eta_sat``)
r          Q{x_int}.{F}           ReLU output, pre-activation clamped to [0, x_max] (flag
                                  ``r_sat`` when clamped from above)
S          Q{x_int+log2n}.{F}     sum of gated activations, exact
D          Q.{F}, clamp_bits      S - g_i, clamped to d_max (lossless: see d_max)
coef       Q0.{coef_bits}         alpha, beta, a, k = dt/tau; c_xi is Q?.{coef_bits} (LSB of
                                  eta per unit of xi)
=========  =====================  ==========================================================

Every product with a coefficient is rounded by ``mulr(v, C) = (v*C + 2**(cf-1)) >> cf`` with an
arithmetic (flooring) shift: round half up (towards +infinity); the integer primitives are
defined in :mod:`gaba.golden.primitives`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import warnings
from dataclasses import dataclass
from functools import cached_property

from gaba.golden.params import NetworkParams
from gaba.golden.primitives import XI_STD, mulr
from gaba.golden.validate import check_int

__all__ = ["PRODUCTS", "STEP_CLOCKS_MAX", "Config", "ConfigWarning"]

# mulr is imported by name, not called as primitives.mulr: a test that perturbs the readable
# models (monkeypatch.setattr(primitives, "mulr", ...)) must not change the widths a Config
# derives while the patch is in place.

#: The most clocks per Euler step the hardware supports (Config.step_clocks).
STEP_CLOCKS_MAX = 8

#: How the hardware builds a product by a Config constant (Config.products): "shift-add",
#: canonical signed digits in a balanced adder tree; "multiplier", a ``*`` that synthesis maps
#: to DSP blocks where the device has them. Both give the same value; the golden model
#: ignores the choice.
PRODUCTS = ("shift-add", "multiplier")


class ConfigWarning(UserWarning):
    """A Config that is valid but will not behave like the float model."""


class ConfigBase:
    """Construction and identity shared by the Configs of the golden models.

    A Config is a frozen dataclass with a ``params`` field (the paper's float parameters, a
    frozen dataclass of type ``PARAMS`` with a ``replace`` method) and number-format fields.
    """

    PARAMS: type  # the float parameters' class

    @classmethod
    def paper(cls, **changes):
        """The paper's parameters at the default formats, with any parameter or format field
        changed by keyword."""
        par, fixed = cls._split(changes)
        return cls(params=cls.PARAMS(**par), **fixed)

    def replace(self, **changes):
        """A copy with parameter or format fields changed (validated again)."""
        par, fixed = self._split(changes)
        return dataclasses.replace(self, params=self.params.replace(**par), **fixed)

    @classmethod
    def _split(cls, changes: dict) -> tuple[dict, dict]:
        """Keyword changes split into parameter fields and number-format fields."""
        fixed_names = {f.name for f in dataclasses.fields(cls)} - {"params"}
        par = {k: v for k, v in changes.items() if k not in fixed_names}
        return par, {k: v for k, v in changes.items() if k in fixed_names}

    def to_dict(self) -> dict:
        """Plain-data form (for JSON, reports and the build-cache key)."""
        d = dataclasses.asdict(self.params)
        d.update(
            {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "params"}
        )
        return d

    def digest(self) -> str:
        """Stable 16-hex-digit hash of the Config (build caches are keyed by it)."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Config(ConfigBase):
    """Fixed-point nWTA/WTA circuit: paper parameters plus number formats.

    Parameters
    ----------
    params : NetworkParams
        The float model being quantised.
    frac_bits : int
        Fractional bits F of x, eta, r, S (the LSB is 2**-F in units of the input b_max = 1).
        Rule of thumb: F >= log2(tau/dt) + 5 (12 at dt/tau = 2**-7).
    x_int_bits : int
        Integer bits of x and r (unsigned). The lone winner saturates at b/(1 - alpha) = 2.
    eta_int_bits : int
        Integer bits of eta (plus a sign bit).
    coef_bits : int
        Fractional bits of the coefficients alpha, beta, a = exp(-dt/tau_eta), k = dt/tau.
    x_guard_bits : int
        Guard bits G: the x register X holds G fractional bits more than the value x = X >> G
        that the gate, the sum, the arg-max, alpha*x and the decision read. The Euler
        increment k*(r - x) is rounded at X's LSB, so its dead band (the |r - x| for which it
        rounds to zero) shrinks by 2**G; G = log2(tau/dt) makes it less than one LSB of x.
    step_clocks : int
        Clocks the hardware takes per Euler step (1 to 8; see :data:`STEP_CLOCKS_MAX`). 1
        computes a whole step in one clock; more spread it over registered phases for a
        higher fmax (``gaba.hdl.nwta``). The per-step state and every result are the same at
        any value; only the clocks per step change. The golden model ignores it.
    products : {"shift-add", "multiplier"}
        How the hardware multiplies by a constant (:data:`PRODUCTS`); with ``shared_noise``
        the noise units keep shifts and adds (the multipliers, DSP blocks, go to the
        neurons). The golden model ignores it.
    lanes : int or None
        The folded architecture (``gaba.hdl.folded``): K neuron datapaths (a power of two,
        at most n) serve the n neurons, one neuron per lane per clock, their state in block
        RAM, ceil(n/K) or more clocks per step. None (or K = n, which is stored as None) is
        the parallel network, every neuron a datapath of its own. The golden model ignores
        it; with lanes, ``step_clocks`` must stay 1.
    shared_noise : bool
        With ``step_clocks`` P >= 3: every neuron keeps its own x loop, but one noise unit
        (generator, Irwin-Hall sum, OU products and clamp) serves P neurons, one a clock, its
        P generator and OU states in a small memory (``gaba.hdl.nwta.NoiseUnit``), so a
        neuron costs about half. P must leave the pipelined arg-max its clocks in the step
        (P >= :attr:`argmax_depth` + 2). The golden model ignores it.
    pipelined : bool
        With ``shared_noise``, latency >= 1 and P >= 4: the x loops' registers move only in the
        step's last clock, so free-running registers at the step's adders (and between the
        adder tree's levels) cut its paths into the step's P clocks, for a higher fmax at the
        cost of flip-flops (``gaba.hdl.nwta.LeanNeuron``). The golden model ignores it.

    Raises
    ------
    ValueError
        A parameter is out of range, or a constant does not fit its format.

    Warns
    -----
    ConfigWarning
        The Config is legal but will not behave like the float model (for example too few
        fractional bits: the Euler increment rounds to zero and the winner stalls below stop).
    """

    params: NetworkParams = NetworkParams()
    frac_bits: int = 12
    x_int_bits: int = 2
    eta_int_bits: int = 2
    coef_bits: int = 14
    x_guard_bits: int = 7
    step_clocks: int = 1
    products: str = "shift-add"
    lanes: int | None = None
    shared_noise: bool = False
    pipelined: bool = False

    def __post_init__(self):
        if not isinstance(self.params, NetworkParams):
            raise ValueError(f"params must be a NetworkParams, not {self.params!r}")
        for name, low, high in (
            ("frac_bits", 4, 24),
            ("x_int_bits", 1, 8),
            ("eta_int_bits", 0, 8),
            ("coef_bits", 4, 24),
            ("x_guard_bits", 0, 16),
            ("step_clocks", 1, STEP_CLOCKS_MAX),
        ):
            object.__setattr__(self, name, check_int(name, getattr(self, name), low, high))
        if self.products not in PRODUCTS:
            raise ValueError(
                f"products must be one of {', '.join(PRODUCTS)}, not {self.products!r}"
            )
        self._check_lanes()
        self._check_shared_noise()
        self._check_pipelined()
        p = self.params
        if self.k_dt == 0:
            raise ValueError(
                f"dt = {p.dt} quantises to 0 with coef_bits = {self.coef_bits}; "
                f"use coef_bits >= {min(24, math.ceil(-math.log2(p.dt)) + 1)}"
            )
        for name, value in (("stop", p.stop), ("b_max", p.b_max), ("theta", p.theta)):
            if value * 2**self.frac_bits > self.x_max + 0.5:
                raise ValueError(
                    f"{name} = {value} does not fit x's format Q{self.x_int_bits}.{self.frac_bits}"
                    f" (max {self.x_max / 2**self.frac_bits:.4f}); raise x_int_bits"
                )
        if self.stop_q < 1:
            raise ValueError(
                f"stop = {p.stop} quantises to 0 with frac_bits = {self.frac_bits}: every state "
                "would count as decided before the first step"
            )
        # int64 safety of the kernels: every product must stay below 2**62.
        if self.kernel_bits > 63:
            raise ValueError(
                f"intermediate values need {self.kernel_bits} bits (at most 63 are supported); "
                "lower frac_bits or coef_bits"
            )
        self._warn_stall()

    def _check_lanes(self):
        lanes = self.lanes
        if lanes is None:
            return
        n = self.params.n
        lanes = check_int("lanes", lanes, 1, n)
        if lanes & (lanes - 1):
            raise ValueError(
                f"lanes must be a power of two (the neuron index is row and lane side by side),"
                f" not {lanes}"
            )
        if self.step_clocks != 1:
            raise ValueError(
                f"lanes = {lanes} takes one neuron per lane per clock; step_clocks must be 1, "
                f"not {self.step_clocks}"
            )
        object.__setattr__(self, "lanes", None if lanes == n else lanes)

    def _check_shared_noise(self):
        if not isinstance(self.shared_noise, bool):
            raise ValueError(f"shared_noise must be True or False, not {self.shared_noise!r}")
        if not self.shared_noise:
            return
        if self.lanes is not None:
            raise ValueError(
                f"shared_noise is for the parallel network; the folded one (lanes = "
                f"{self.lanes}) shares every datapath already"
            )
        least = max(3, self.argmax_depth + 2)
        if self.step_clocks < least:
            raise ValueError(
                f"shared_noise serves step_clocks neurons per noise unit, one a clock, and the "
                f"arg-max of n = {self.n} needs {self.argmax_depth} clock(s) of the step: "
                f"step_clocks must be at least {least}, not {self.step_clocks}"
            )

    def _check_pipelined(self):
        if not isinstance(self.pipelined, bool):
            raise ValueError(f"pipelined must be True or False, not {self.pipelined!r}")
        if self.pipelined and not (
            self.shared_noise and self.latency >= 1 and self.step_clocks >= 4
        ):
            raise ValueError(
                "pipelined cuts the paths of a shared_noise step, whose x loops move only in "
                "its last clock, and needs latency >= 1 (the inhibition off the step's loop) "
                "and step_clocks >= 4 (the noise units' three clocks to the write-back, D's four "
                "to C); here "
                f"shared_noise is {self.shared_noise}, latency {self.latency} and step_clocks "
                f"{self.step_clocks}"
            )

    @property
    def one_clock_x_loop(self) -> bool:
        """The parallel network's x loop is one clock's path (``gaba.hdl.nwta.LeanNeuron``):
        with one clock per step, or with shared noise (the loop in the step's last clock),
        not in the staged step of several clocks."""
        return self.step_clocks == 1 or self.shared_noise

    @property
    def argmax_depth(self) -> int:
        """Registers of the one-clock network's pipelined arg-max: one after every two rounds
        of its tournament over n (``gaba.hdl.tree.ArgMax``)."""
        return -(-(self.n - 1).bit_length() // 2)

    @property
    def folded(self) -> bool:
        """The Config asks for the folded architecture (``lanes`` K < n)."""
        return self.lanes is not None

    def _warn_stall(self):
        # The Euler increment mulr(r - x, k) is zero while -2**(cf-1)/k <= r - x < 2**(cf-1)/k
        # LSBs of the x register (F + G fractional bits). Near stop a lone winner's
        # deterministic drift is b_max - (1 - alpha)*x (no inhibition, noise mean 0); if that
        # is inside the dead band at stop, x cannot reach stop by drift (co-active losers
        # freeze the same way, near theta).
        p = self.params
        state_frac = self.frac_bits + self.x_guard_bits
        dead_band = (1 << (self.coef_bits - 1)) / self.k_dt / 2**state_frac
        drift_at_stop = p.b_max - (1 - p.alpha) * p.stop
        if drift_at_stop < dead_band:
            stall = (p.b_max - dead_band) / (1 - p.alpha)
            warnings.warn(
                f"frac_bits + x_guard_bits = {self.frac_bits} + {self.x_guard_bits} is too few "
                f"for dt/tau = {p.dt:g}: the Euler "
                f"increment (dt/tau)*(r - x) rounds to zero while -{dead_band:g} <= r - x < "
                f"{dead_band:g}, so x freezes short of stop (a lone winner's drift enters that "
                f"dead band at x = {stall:.3g}, below stop = {p.stop:g}); use frac_bits + "
                f"x_guard_bits >= {self.recommended_frac_bits}",
                ConfigWarning,
                stacklevel=3,
            )

    # Construction -----------------------------------------------------------------------------

    PARAMS = NetworkParams

    # Shorthands -------------------------------------------------------------------------------

    @property
    def n(self) -> int:
        return self.params.n

    @property
    def kind(self) -> str:
        return self.params.kind

    @property
    def latency(self) -> int:
        return self.params.latency

    @property
    def max_steps(self) -> int:
        return self.params.max_steps

    @property
    def recommended_frac_bits(self) -> int:
        """The rule of thumb for frac_bits + x_guard_bits: log2(tau/dt) + 5."""
        return math.ceil(-math.log2(self.params.dt)) + 5

    def _q(self, value: float) -> int:
        return round(value * 2**self.frac_bits)

    def _c(self, value: float) -> int:
        return round(value * 2**self.coef_bits)

    @property
    def architecture(self) -> str:
        """The network the hardware builds, in words: "parallel" (a neuron's datapath each),
        "parallel, a noise unit per P neurons" (``shared_noise``; ", pipelined" added with
        ``pipelined``) or "folded on K lanes" (rows
        of K neurons through K shared datapaths)."""
        if self.lanes is not None:
            return f"folded on {self.lanes} lanes"
        if self.shared_noise:
            piped = ", pipelined" if self.pipelined else ""
            return f"parallel, a noise unit per {self.step_clocks} neurons{piped}"
        return "parallel"

    # Widths -----------------------------------------------------------------------------------

    @property
    def x_bits(self) -> int:
        """Width of x and r (unsigned)."""
        return self.x_int_bits + self.frac_bits

    @property
    def x_max(self) -> int:
        return (1 << self.x_bits) - 1

    @property
    def x_state_bits(self) -> int:
        """Width of the x register X (unsigned): x_bits + x_guard_bits."""
        return self.x_bits + self.x_guard_bits

    @property
    def x_state_max(self) -> int:
        """Largest value of X: x_max * 2**x_guard_bits (X is a convex step towards r * 2**G)."""
        return self.x_max << self.x_guard_bits

    @property
    def eta_bits(self) -> int:
        """Width of eta (signed)."""
        return 1 + self.eta_int_bits + self.frac_bits

    @property
    def eta_min(self) -> int:
        return -(1 << (self.eta_bits - 1))

    @property
    def eta_max(self) -> int:
        return (1 << (self.eta_bits - 1)) - 1

    @property
    def s_bits(self) -> int:
        """Width of the exact inhibition sum S (unsigned): x_bits + ceil(log2 n)."""
        return self.x_bits + (self.n - 1).bit_length()

    @cached_property
    def d_bits(self) -> int:
        """Width of the clamped inhibition input D = min(S - g_i, d_max)."""
        # Smallest all-ones d_max = 2**k - 1 such that beta*d_max alone drives the
        # pre-activation negative for any x, eta and input: then r = 0 whether or not D is
        # clamped, so the clamp is invisible (lossless) and the multiplier width independent
        # of n.
        bound = self.b_hi + mulr(self.x_max, self.alpha_c, self.coef_bits) + self.eta_max
        for k in range(1, self.s_bits + 1):
            if mulr((1 << k) - 1, self.beta_c, self.coef_bits) > bound:
                return k
        return self.s_bits

    @property
    def d_max(self) -> int:
        return (1 << self.d_bits) - 1

    # Quantised constants ----------------------------------------------------------------------

    @cached_property
    def alpha_c(self) -> int:
        return self._c(self.params.alpha)

    @cached_property
    def beta_c(self) -> int:
        return self._c(self.params.beta)

    @cached_property
    def ou_a_c(self) -> int:
        """a = exp(-dt/tau_eta) in Q0.coef_bits."""
        return self._c(self.params.ou_a)

    @cached_property
    def c_xi(self) -> int:
        """Gain from one unit of the Irwin-Hall sample xi to eta's LSBs, in Q.coef_bits."""
        return self._c(self.params.ou_c * 2**self.frac_bits / XI_STD)

    @cached_property
    def k_dt(self) -> int:
        """k = dt/tau in Q0.coef_bits."""
        return self._c(self.params.dt)

    @cached_property
    def theta_q(self) -> int:
        """Gate threshold in x's format; 0 for conventional WTA (g(x) = x for all x >= 0)."""
        return self._q(self.params.theta) if self.kind == "nwta" else 0

    @cached_property
    def stop_q(self) -> int:
        return self._q(self.params.stop)

    @cached_property
    def b_hi(self) -> int:
        return self._q(self.params.b_max)

    @cached_property
    def delta_q(self) -> int:
        """The input gap in x's format."""
        return self._q(self.params.delta)

    @cached_property
    def b_lo(self) -> int:
        """Input of the weaker options: b_hi - delta_q (the hardware subtracts a host gap the
        same way)."""
        return self.b_hi - self.delta_q

    @cached_property
    def inh_max(self) -> int:
        """Largest inhibition term mulr(d_max, beta_c)."""
        return mulr(self.d_max, self.beta_c, self.coef_bits)

    @property
    def inh_bits(self) -> int:
        """Width of the inhibition term (unsigned)."""
        return self.inh_max.bit_length()

    @cached_property
    def pre_bits(self) -> int:
        """Signed width of the pre-activation b + alpha*x - inh + eta (exact, never wraps)."""
        high = self.b_hi + mulr(self.x_max, self.alpha_c, self.coef_bits) + self.eta_max
        low = -self.inh_max + self.eta_min
        return max(high.bit_length(), (-low - 1).bit_length()) + 1

    @cached_property
    def kernel_bits(self) -> int:
        """Signed width that holds every intermediate value of one step (64 at most)."""
        cf = self.coef_bits
        half = 1 << (cf - 1)
        eta_abs = max(-self.eta_min, self.eta_max)
        inh_max = self.inh_max
        extremes = (
            self.d_max * self.beta_c + half,
            eta_abs * self.ou_a_c + half,
            510 * self.c_xi + half,
            self.x_max * self.alpha_c + half,
            self.x_state_max * self.k_dt + half,
            mulr(eta_abs, self.ou_a_c, cf) + mulr(510, self.c_xi, cf),
            self.b_hi + mulr(self.x_max, self.alpha_c, cf) + inh_max + eta_abs,
            self.n * self.x_max,
            self.n * self.x_max + self.d_max,
        )
        return max(v.bit_length() for v in extremes) + 1

    def constants(self) -> dict[str, int]:
        """Every integer constant of the datapath by name."""
        names = (
            "alpha_c",
            "beta_c",
            "ou_a_c",
            "c_xi",
            "k_dt",
            "theta_q",
            "stop_q",
            "b_hi",
            "delta_q",
            "b_lo",
            "x_max",
            "eta_min",
            "eta_max",
            "d_max",
        )
        return {name: getattr(self, name) for name in names}

    def state_table(self) -> str:
        """Markdown table of every state variable and datapath value at this Config.

        docs/semantics.md embeds this table for the paper point; a test keeps the two equal.
        """
        f, cf = self.frac_bits, self.coef_bits
        rows = [
            (
                "X_i (x register)",
                f"{self.x_state_bits}",
                "unsigned",
                f"Q{self.x_int_bits}.{f + self.x_guard_bits}",
                "rounded convex step (step 5)",
                "cannot leave [0, x_max * 2**G]: none needed",
            ),
            (
                "x_i = X_i >> G",
                f"{self.x_bits}",
                "unsigned",
                f"Q{self.x_int_bits}.{f}",
                f"floor (drops the G = {self.x_guard_bits} guard bits)",
                "none",
            ),
            (
                "eta_i",
                f"{self.eta_bits}",
                "signed",
                f"sQ{self.eta_int_bits}.{f}",
                "two products, each round half up",
                "clamp to [eta_min, eta_max], sticky eta_sat",
            ),
            ("rng_i", "32", "unsigned", "xorshift32 state", "exact", "none (bit operations)"),
            (
                "g_i",
                f"{self.x_bits}",
                "unsigned",
                f"Q{self.x_int_bits}.{f}",
                "exact (gate)",
                "none",
            ),
            (
                "S",
                f"{self.s_bits}",
                "unsigned",
                f"Q{self.s_bits - f}.{f}",
                "exact (sum)",
                "none: width holds n * x_max",
            ),
            (
                "D_i = S - g_i",
                f"{self.d_bits}",
                "unsigned",
                f"Q{self.d_bits - f}.{f}",
                "exact",
                f"clamp to d_max = {self.d_max} (lossless: beta*d_max alone makes r = 0)",
            ),
            (
                "inh_i = beta*D_i",
                f"{self.inh_bits}",
                "unsigned",
                f"Q{self.inh_bits - f}.{f}",
                "round half up",
                "none",
            ),
            ("xi_i", "11", "signed", "integer -510..510", "exact", "none"),
            (
                "pre_i",
                f"{self.pre_bits}",
                "signed",
                f"sQ{self.pre_bits - f - 1}.{f}",
                "exact sum",
                "none: width holds every value",
            ),
            (
                "r_i",
                f"{self.x_bits}",
                "unsigned",
                f"Q{self.x_int_bits}.{f}",
                "exact",
                "clamp to [0, x_max] (ReLU), sticky r_sat when pre_i > x_max",
            ),
            (
                "alpha, beta, a, dt/tau",
                f"{cf}",
                "unsigned",
                f"Q0.{cf}",
                "round to nearest",
                "constants",
            ),
            (
                "c_xi",
                f"{self.c_xi.bit_length()}",
                "unsigned",
                f"Q.{cf} (eta LSB per xi)",
                "round to nearest",
                "constant",
            ),
        ]
        head = (
            "| value | bits | sign | format | rounding | saturation |\n|---|---|---|---|---|---|\n"
        )
        return head + "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n"

    def quantisation_report(self) -> dict[str, tuple[float, float]]:
        """Each float constant and the value its quantised integer stands for."""
        p, f, c = self.params, 2**self.frac_bits, 2**self.coef_bits
        return {
            "alpha": (p.alpha, self.alpha_c / c),
            "beta": (p.beta, self.beta_c / c),
            "theta": (p.theta if self.kind == "nwta" else 0.0, self.theta_q / f),
            "stop": (p.stop, self.stop_q / f),
            "b_max": (p.b_max, self.b_hi / f),
            "b_low": (p.b_low, self.b_lo / f),
            "ou_a": (p.ou_a, self.ou_a_c / c),
            "ou_c": (p.ou_c, self.c_xi / c * XI_STD / f),
            "dt": (p.dt, self.k_dt / c),
        }
