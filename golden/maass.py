"""Maass (2000), "On the computational power of winner-take-all", as two demonstrations.

**k-WTA computes what no threshold gate can.** One k-WTA gate (:func:`gaba.golden.kwta.kwta_mask`,
ties to the lowest index) applied to m weighted sums of d input bits, every weight and bias a
non-negative integer, and read at its first output b_0, computes a Boolean function. For a
symmetric function f(s) of the count s of ones (:func:`symmetric_gate`) the sums are

- S_0 = 4 s + 4 d, the form whose rank is read;
- for each rise of f (f(s* - 1) = 0, f(s*) = 1) a constant 4 s* + 4 d - 2: above S_0 while
  s < s*, below from s* on;
- for each fall of f (1 then 0 at s*) a steep form 8 s + 4 d - 4 s* + 2: below S_0 while
  s < s*, above from s* on;
- where needed, one constant above S_0 for every input (so that k >= 1 and m >= 2).

No form ever ties S_0. The count of forms above S_0 is then k - f(s) with k = rises + f(0)
(+ 1 with the extra constant), and b_0 = [count < k] = f(s). Parity of d bits (XOR at d = 2)
changes value at every s: d + 1 forms. No single threshold gate [w . x >= theta] computes a
symmetric function that changes value more than once as s goes from 0 to d: averaging w over
the permutations of the inputs keeps it a separating gate, and a gate w0 * s >= theta is
monotone in s (:func:`one_threshold_gate_can`).

**Soft-WTA approximates continuous functions.** A soft-WTA gate's output i is a clipped linear
function of the rank of its input i (:func:`soft_wta`). Applied to linear forms L_0 .. L_{n-1}
of x in [0, 1]^d with positive weights only, r_0 approximates any continuous f: rank_0 - 1 counts
the forms below L_0, each a half-space of x (L_0 - L_j is any affine function once L_0 carries a
large positive form; adding the same positive form to every L_j changes no rank). So
r_0 = clip((sum of half-space indicators - a) / b, 0, 1): a staircase of step 1/b fitted to f
(:func:`fit_soft_wta`: least squares over a dictionary of half-spaces, each coefficient rounded
to a whole number of steps, a negative one realised by the complementary half-space). For a
monotone f of one variable the forms L_0 = x, L_j = f^-1(j / (n - 1)) give error <= 1 / (n - 1)
(:func:`monotone_forms`).

Floats throughout the soft-WTA part (it is a reference construction, not a circuit); the
Boolean gate is integer and its hardware (``gaba.hdl.maass``) is bit-exact with it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from gaba.golden.config import ConfigBase
from gaba.golden.kwta import KwtaConfig, kwta_mask
from gaba.golden.validate import check_count, check_int

__all__ = [
    "BooleanGate",
    "MaassConfig",
    "MaassParams",
    "SoftFit",
    "approximation_errors",
    "bump",
    "fit_soft_wta",
    "grid_points",
    "half_spaces",
    "input_bits",
    "monotone_errors",
    "monotone_forms",
    "one_threshold_gate_can",
    "parity",
    "soft_wta",
    "symmetric_gate",
    "trials",
]


# k-WTA over positive weighted sums: Boolean functions ---------------------------------------


@dataclass(frozen=True)
class BooleanGate:
    """One k-WTA gate over m weighted sums of d input bits, read at its output 0.

    ``weights[j][i]`` (>= 0) weighs input bit i in sum j, ``bias[j]`` (>= 0) is its constant;
    the gate's value is b_0 of the k largest sums (ties to the lowest index)."""

    weights: tuple[tuple[int, ...], ...]
    bias: tuple[int, ...]
    k: int

    def __post_init__(self):
        w = np.asarray(self.weights)
        if w.ndim != 2 or w.shape[0] != len(self.bias) or w.shape[0] < 2:
            raise ValueError("A Boolean gate needs m >= 2 sums, each with a weight per input")
        if (w < 0).any() or min(self.bias) < 0:
            raise ValueError("A Boolean gate's weights and biases must be non-negative")
        check_int("Winner count k", self.k, 1, len(self.bias))

    @property
    def m(self) -> int:
        """Number of weighted sums (the k-WTA's inputs)."""
        return len(self.bias)

    @property
    def d(self) -> int:
        """Number of input bits."""
        return len(self.weights[0])

    @property
    def width(self) -> int:
        """Bits of the largest sum (every input bit set): the k-WTA's score width."""
        largest = np.asarray(self.weights).sum(axis=1) + np.asarray(self.bias)
        return max(1, int(largest.max()).bit_length())

    def sums(self, bits: np.ndarray) -> np.ndarray:
        """int64[..., m]: the weighted sums of ``bits`` (0/1 of shape [..., d])."""
        return np.asarray(bits, np.int64) @ np.asarray(self.weights, np.int64).T + np.asarray(
            self.bias, np.int64
        )

    def mask(self, bits: np.ndarray) -> np.ndarray:
        """bool[..., m]: the k-WTA's outputs over the sums of ``bits``."""
        return kwta_mask(self.sums(bits), self.k)

    def value(self, bits: np.ndarray) -> np.ndarray:
        """bool[...]: the gate's value, b_0."""
        return self.mask(bits)[..., 0]


def input_bits(u: np.ndarray, d: int) -> np.ndarray:
    """int64[..., d]: the d bits of the input words ``u`` (bit i is input x_i)."""
    u = np.asarray(u, np.int64)
    return (u[..., None] >> np.arange(d)) & 1


def symmetric_gate(truth) -> BooleanGate:
    """The k-WTA gate of the symmetric function whose value at s ones is ``truth[s]``
    (s = 0 .. d; the module docstring's construction)."""
    f = [bool(v) for v in truth]
    d = len(f) - 1
    check_int("Input bits d", d, 1, 16)
    top = 4 * d  # S_0's bias: every steep form's stays >= 2
    weights, bias = [(4,) * d], [top]
    rises = [s for s in range(1, d + 1) if f[s] and not f[s - 1]]
    falls = [s for s in range(1, d + 1) if f[s - 1] and not f[s]]
    for s in rises:
        weights.append((0,) * d)
        bias.append(4 * s + top - 2)
    for s in falls:
        weights.append((8,) * d)
        bias.append(top - 4 * s + 2)
    k = len(rises) + f[0]
    if k == 0 or len(bias) < 2:  # a constant above S_0 at every input
        weights.append((0,) * d)
        bias.append(4 * d + top + 2)
        k += 1
    return BooleanGate(tuple(weights), tuple(bias), k)


def parity(d: int) -> list[bool]:
    """The truth of d-bit parity by the count of ones: odd counts are 1 (XOR at d = 2)."""
    check_int("Input bits d", d, 1, 16)
    return [s % 2 == 1 for s in range(d + 1)]


def one_threshold_gate_can(truth) -> bool:
    """Whether one threshold gate [w . x >= theta] computes the symmetric function of
    ``truth`` (by the count of ones): exactly when its value changes at most once in s."""
    f = [bool(v) for v in truth]
    return sum(a != b for a, b in zip(f, f[1:], strict=False)) <= 1


@dataclass(frozen=True)
class MaassParams:
    """Parity of n input bits (XOR at n = 2) by one k-WTA gate."""

    n: int = 3

    def __post_init__(self):
        check_int("Input bits n", self.n, 2, 12)

    def replace(self, **changes) -> MaassParams:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class MaassConfig(ConfigBase):
    """The Boolean demonstration's Config: parity of n input bits (the gate's d), its gate and
    the k-WTA it uses.

    Trial t of a run presents the input word u = (first + t) mod 2**n (every input once in
    2**n trials: an exhaustive check); the seed plays no part."""

    params: MaassParams = MaassParams()
    PARAMS = MaassParams

    @property
    def n(self) -> int:
        """Input bits."""
        return self.params.n

    @cached_property
    def truth(self) -> list[bool]:
        return parity(self.n)

    @cached_property
    def gate(self) -> BooleanGate:
        return symmetric_gate(self.truth)

    @cached_property
    def kwta(self) -> KwtaConfig:
        """The k-WTA over the gate's sums."""
        return KwtaConfig.paper(n=self.gate.m, width=self.gate.width, k=self.gate.k)


def trials(cfg: MaassConfig, count: int, *, first: int = 0):
    """(inputs, value, mask, expected) of trials ``first .. first + count - 1``: the input
    words int64[count], the gate's value bool[count], its k-WTA outputs bool[count, m] and
    the function's truth bool[count]."""
    check_count("Trial count", count, 1)
    u = (first + np.arange(count, dtype=np.int64)) % (1 << cfg.n)
    bits = input_bits(u, cfg.n)
    mask = cfg.gate.mask(bits)
    expected = np.asarray(cfg.truth)[bits.sum(axis=1)]
    return u, mask[:, 0], mask, expected


# soft-WTA over positive linear forms: continuous functions -----------------------------------


def soft_wta(forms: np.ndarray, a: float, b: float) -> np.ndarray:
    """float[..., n]: the soft-WTA gate's outputs r_i = clip((rank_i - a) / b, 0, 1), with
    rank_i = #{j : L_i >= L_j} (itself included), of the forms' values ``forms`` [..., n]."""
    forms = np.asarray(forms, float)
    rank = (forms[..., :, None] >= forms[..., None, :]).sum(axis=-1)
    return np.clip((rank - a) / b, 0.0, 1.0)


def monotone_forms(f_inverse, n: int):
    """Maass's forms for a monotone increasing f: [0, 1] -> [0, 1] of one variable: weights
    float[n, 1] (L_0 = x, the others constant), biases float[n] (f^-1(j / (n - 1))), and the
    gate's a, b (1 and n - 1): r_0 = floor(f(x) (n - 1)) / (n - 1)."""
    check_int("Form count n", n, 2, 1 << 16)
    weights = np.zeros((n, 1))
    weights[0, 0] = 1.0
    bias = np.zeros(n)
    bias[1:] = [f_inverse(j / (n - 1)) for j in range(1, n)]
    return weights, bias, 1.0, float(n - 1)


@dataclass(frozen=True)
class SoftFit:
    """A soft-WTA gate over positive linear forms fitted to a function (:func:`fit_soft_wta`):
    the forms L_j(x) = weights[j] . x + bias[j] (all weights >= 0) and the gate's a and b;
    the approximation is output 0."""

    weights: np.ndarray  # float[n, d]
    bias: np.ndarray  # float[n]
    a: float
    b: float

    @property
    def n(self) -> int:
        return len(self.bias)

    def forms(self, x: np.ndarray) -> np.ndarray:
        """float[..., n]: every form's value at the points ``x`` [..., d]."""
        return np.asarray(x, float) @ self.weights.T + self.bias

    def __call__(self, x: np.ndarray, shift=None) -> np.ndarray:
        """float[...]: the gate's output 0 at ``x``; ``shift`` (weights float[d], bias) is a
        form added to every L_j (which changes no rank)."""
        forms = self.forms(x)
        if shift is not None:
            w, c = shift
            forms = forms + (np.asarray(x, float) @ np.asarray(w, float) + c)[..., None]
        return soft_wta(forms, self.a, self.b)[..., 0]


def half_spaces(d: int, directions: int, offsets: int, rng: np.random.Generator):
    """A dictionary of half-spaces u . x >= t of [0, 1]^d: ``directions`` unit vectors (evenly
    spread angles in 2-D, random otherwise) times ``offsets`` thresholds spread over each
    direction's range on the cube. Returns u float[h, d] and t float[h]."""
    if d == 2:
        angle = np.pi * np.arange(directions) / directions - np.pi / 2  # the axes among them
        u = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    else:
        u = rng.normal(size=(directions, d))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
    corners = input_bits(np.arange(1 << d), d).astype(float)
    reach = corners @ u.T  # [corner, direction]
    low, high = reach.min(axis=0), reach.max(axis=0)
    q = (np.arange(offsets) + 0.5) / offsets
    t = low[:, None] + (high - low)[:, None] * q[None, :]
    return np.repeat(u, offsets, axis=0), t.reshape(-1)


def fit_soft_wta(
    target,
    d: int,
    forms: int,
    steps: int,
    *,
    directions: int = 24,
    offsets: int = 24,
    grid: int = 41,
    seed: int = 1,
) -> SoftFit:
    """A soft-WTA gate of at most ``forms`` positive linear forms approximating ``target`` (a
    function of points float[..., d] in [0, 1]^d with values in [0, 1]) in steps of
    1/``steps``.

    Greedy on a grid (``grid`` points a side): starting from a constant, each form adds the
    half-space u . x >= t of :func:`half_spaces`, or subtracts it (the complement's form and
    a step more of offset), whichever lowers the squared error most; the constant is refitted
    after each; it stops at ``forms`` forms or when no form helps. A form is
    L_j = L_0 - (u . x - t) (``-u``, ``-t`` for a subtracted one), and L_0 carries a form
    large enough that every weight is positive."""
    check_int("Form count n", forms, 2, 1 << 16)
    check_int("Steps", steps, 1, 1 << 16)
    check_int("Grid points", grid, 2, 1 << 12)
    u, t = half_spaces(d, directions, offsets, np.random.default_rng(seed))
    x = grid_points(d, grid)
    y = np.asarray(target(x), float)
    inside = (x @ u.T >= t).astype(float)  # [point, half-space]
    size = inside.sum(axis=0)
    h = 1.0 / steps
    staircase = np.zeros(len(x))  # the forms' sum, in units of 1/steps
    chosen: list[tuple[int, int]] = []
    while len(chosen) < forms - 1:
        residual = y - staircase * h
        residual -= residual.mean()  # the offset is free
        gain = inside.T @ residual  # error lowered by 2*h*s*gain - h*h*size (centred)
        centred = size - size**2 / len(x)
        best = np.maximum(2 * h * gain - h * h * centred, -2 * h * gain - h * h * centred)
        j = int(np.argmax(best))
        if best[j] <= 1e-12:
            break
        sign = 1 if gain[j] > 0 else -1
        chosen.append((j, sign))
        staircase += sign * inside[:, j]
    offset = float((y - staircase * h).mean())
    index = np.array([j for j, _ in chosen], dtype=np.int64)
    sign = np.array([s for _, s in chosen], dtype=float)
    du, dt = u[index] * sign[:, None], t[index] * sign
    big = 1.0 + (np.abs(du).max() if len(du) else 0.0)
    lift = 1.0 + (np.abs(dt).max() if len(dt) else 0.0) + d * big
    w0 = np.full(d, big)
    weights = np.concatenate([w0[None, :], w0[None, :] - du], axis=0)
    bias = np.concatenate([[lift], lift + dt])
    # rank_0 - 1 counts the half-spaces holding x; each subtracted one is 1 - its complement
    a = 1.0 + float((sign < 0).sum()) - offset * steps
    return SoftFit(weights, bias, a, float(steps))


def grid_points(d: int, grid: int) -> np.ndarray:
    """float[grid**d, d]: a regular grid over [0, 1]^d."""
    axes = np.meshgrid(*([np.linspace(0.0, 1.0, grid)] * d), indexing="ij")
    return np.stack([a.reshape(-1) for a in axes], axis=1)


def bump(x: np.ndarray) -> np.ndarray:
    """The 2-D demonstration's target: a non-monotone bump and ridge on [0, 1]^2, values in
    [0, 1]."""
    x = np.asarray(x, float)
    r2 = ((x[..., 0] - 0.4) ** 2 + (x[..., 1] - 0.6) ** 2) / 0.08
    return 0.15 + 0.7 * np.exp(-r2) + 0.1 * np.sin(3 * np.pi * x[..., 0])


def approximation_errors(forms_grid, *, grid: int = 41, seed: int = 1, progress=None):
    """The 2-D demonstration: for each form count of ``forms_grid``, fit :func:`bump` with at
    most that many forms in steps of 2/forms (:func:`fit_soft_wta`) and measure the gate's
    error on a grid finer than the fit's, and again with a random positive form added to
    every L_j (which must change nothing). Returns (rows, the last fit): each row a dict of
    forms (asked), forms_used, steps, max_error, rms_error and shift_changes (grid points
    whose output the added form moved)."""
    rows, fit = [], None
    rng = np.random.default_rng(seed + 1)
    check = grid_points(2, 2 * grid + 1)
    want = bump(check)
    for forms in forms_grid:
        steps = max(1, forms // 2)
        fit = fit_soft_wta(bump, 2, forms, steps, grid=grid, seed=seed)
        got = fit(check)
        shift = (rng.uniform(0.5, 5.0, size=2), float(rng.uniform(0.0, 5.0)))
        moved = int((fit(check, shift=shift) != got).sum())
        err = np.abs(got - want)
        rows.append(
            {
                "forms": int(forms),
                "forms_used": fit.n,
                "steps": steps,
                "max_error": float(err.max()),
                "rms_error": float(np.sqrt((err**2).mean())),
                "shift_changes": moved,
            }
        )
        if progress is not None:
            progress(len(rows), len(forms_grid))
    return rows, fit


def monotone_errors(n_grid, *, points: int = 2001) -> list:
    """The 1-D demonstration on f(x) = x**2: for each form count n, the gate's max error on
    ``points`` points of [0, 1] and Maass's bound 1 / (n - 1)."""
    check_int("Points", points, 2, 1 << 24)
    x = np.linspace(0.0, 1.0, points)[:, None]
    rows = []
    for n in n_grid:
        w, c, a, b = monotone_forms(np.sqrt, n)
        got = soft_wta(x @ w.T + c, a, b)[:, 0]
        rows.append(
            {
                "forms": int(n),
                "max_error": float(np.abs(got - x[:, 0] ** 2).max()),
                "bound": 1.0 / (n - 1),
            }
        )
    return rows
