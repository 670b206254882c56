"""The paper's parameters, in floating point and units of tau.

:class:`NetworkParams` is what a scientist writes down: the equations' constants as in
Kriener, Chaudhuri & Fiete (2020), Eq. 1. The float reference models
(:mod:`gaba.golden.reference`) run these directly; :class:`gaba.golden.config.Config` quantises
them into the integers that the fixed-point golden model and the hardware share.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from gaba.golden.validate import check_count, check_int, check_number

__all__ = ["KINDS", "NetworkParams"]

#: Network kinds: nWTA gates inhibition at theta; conventional WTA has g(x) = x.
KINDS = ("nwta", "wta")


@dataclass(frozen=True)
class NetworkParams:
    """Parameters of an nWTA or conventional WTA network (the paper point by default).

    Parameters
    ----------
    kind : {"nwta", "wta"}
        ``"nwta"``: g(x) = x if x >= theta else 0. ``"wta"``: g(x) = x.
    n : int
        Number of options (neurons), at least 2.
    alpha, beta : float
        Self-excitation and the all-to-all inhibition weight.
    theta : float
        Inhibition gate of nWTA (ignored by conventional WTA).
    tau_eta, sigma : float
        Correlation time (units of tau) and stationary standard deviation of the
        Ornstein-Uhlenbeck input noise.
    dt : float
        Euler step in units of tau. The default 2**-7 is the hardware's step (a shift).
    stop : float
        Decision threshold on max_i x_i.
    b_max, delta : float
        Inputs: one option gets ``b_max``, the other n - 1 get ``b_max - delta``.
    horizon : float
        Time (units of tau) after which a trial is reported undecided.
    latency : int
        Steps by which the inhibition a neuron receives lags the state it is computed from
        (a pipelined adder tree). 0 is the paper's model.
    """

    kind: str = "nwta"
    n: int = 10
    alpha: float = 0.5
    beta: float = 0.6
    theta: float = 0.2
    tau_eta: float = 0.05
    sigma: float = 0.22
    dt: float = 2.0**-7
    stop: float = 1.6
    b_max: float = 1.0
    delta: float = 0.05
    horizon: float = 200.0
    latency: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Network kind must be one of {', '.join(KINDS)}, not {self.kind!r}")

        def number(name, **bounds):  # checked, then stored as a plain Python number
            object.__setattr__(self, name, check_number(name, getattr(self, name), **bounds))

        object.__setattr__(self, "n", check_count("Neuron count", self.n, 2))
        number("alpha", low=0, high=1, high_open=True)
        number("beta", low=0)
        number("theta", low=0, high=1e3)
        number("tau_eta", low=0, low_open=True)
        number("sigma", low=0, high=1e3)
        number("dt", low=2.0**-24, high=1)
        number("stop", low=0, high=1e3, low_open=True)
        number("b_max", low=0, high=1e3, low_open=True)
        number("delta", low=0, high=self.b_max)
        number("horizon", low=self.dt, high=self.dt * 2**31)
        latency = check_int("Inhibition latency", self.latency, 0, 4096)
        object.__setattr__(self, "latency", latency)
        if self.sigma == 0 and self.stop * (1 - self.alpha) >= self.b_max:
            raise ValueError(
                f"stop = {self.stop} is unreachable without noise: a lone winner saturates at "
                f"b_max/(1 - alpha) = {self.b_max / (1 - self.alpha)}"
            )

    # Derived quantities of the discrete model (reference/nwta.md, "Discrete step").

    @property
    def ou_a(self) -> float:
        """OU decay per step, a = exp(-dt/tau_eta)."""
        return math.exp(-self.dt / self.tau_eta)

    @property
    def ou_c(self) -> float:
        """OU innovation gain per step, c = sigma*sqrt(1 - a^2)."""
        return self.sigma * math.sqrt(1.0 - self.ou_a**2)

    @property
    def max_steps(self) -> int:
        """Steps in the horizon: a trial not decided after this many steps is undecided."""
        return int(math.ceil(self.horizon / self.dt - 1e-9))

    @property
    def b_low(self) -> float:
        """Input of the n - 1 weaker options."""
        return self.b_max - self.delta

    def replace(self, **changes) -> NetworkParams:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)
