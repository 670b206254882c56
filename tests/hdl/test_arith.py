"""gaba.hdl.arith against its namesakes in gaba.golden, in the Amaranth simulator.

Each expression is built once into a combinational Module (``m.d.comb += out.eq(expr)`` with
``out`` of exactly the expression's shape, so nothing is truncated on the way out); a
testbench drives the inputs and compares every output with the golden integer function.
"""

from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from amaranth.hdl import Const, Module, Signal, signed, unsigned

from gaba.golden import fixed, primitives
from gaba.golden.config import Config
from gaba.golden.primitives import mulr
from gaba.hdl import arith
from tests.simulate import simulate

CF = 14


def _comb(m: Module, bench) -> None:
    """Run ``bench(ctx)`` on a purely combinational module (no clock)."""
    simulate(m, bench, period=None)


def _probe(m: Module, expr, name: str) -> Signal:
    """A signal of exactly ``expr``'s shape, driven combinationally by it."""
    sig = Signal(expr.shape(), name=name)
    m.d.comb += sig.eq(expr)
    return sig


def _ties(c: int, cf: int, low: int, high: int) -> list[int]:
    """Inputs v in [low, high] whose product v * c / 2**cf lies exactly half-way."""
    half, mask = 1 << (cf - 1), (1 << cf) - 1
    return [v for v in range(low, high + 1) if (v * c) & mask == half]


def _check_mulr(v_shape, values, coefs, cf=CF):
    m = Module()
    v = Signal(v_shape, name="v")
    outs = [_probe(m, arith.mulr(v, c, cf), f"p{k}") for k, c in enumerate(coefs)]
    got = []

    async def bench(ctx):
        for value in values:
            ctx.set(v, value)
            got.append([ctx.get(o) for o in outs])

    _comb(m, bench)
    for value, row in zip(values, got, strict=True):
        for c, out in zip(coefs, row, strict=True):
            assert out == mulr(value, c, cf), (value, c, cf, out)


def _all_values(shape) -> list[int]:
    """Every value of an Amaranth shape, in increasing order."""
    if shape.signed:
        return list(range(-(1 << (shape.width - 1)), 1 << (shape.width - 1)))
    return list(range(1 << shape.width))


def _paper_coefs(cfg: Config) -> list[int]:
    return [cfg.alpha_c, cfg.beta_c, cfg.ou_a_c, cfg.c_xi, cfg.k_dt]


# -- mulr ------------------------------------------------------------------------------------


def test_mulr_signed_inputs_match_golden():
    cfg = Config.paper()
    rng = np.random.default_rng(1)
    width = 17  # pre/eta-sized signed values
    low, high = -(1 << (width - 1)), (1 << (width - 1)) - 1
    values = [low, low + 1, -2, -1, 0, 1, 2, high - 1, high]
    values += rng.integers(low, high + 1, 300).tolist()
    coefs = _paper_coefs(cfg) + [1, (1 << CF) - 1, 1 << (CF - 1), 3 << (CF - 2)]
    _check_mulr(signed(width), values, coefs)


def test_mulr_unsigned_inputs_match_golden():
    cfg = Config.paper()
    rng = np.random.default_rng(2)
    width = cfg.d_bits  # the inhibition product's input, the widest unsigned one
    high = (1 << width) - 1
    values = [0, 1, 2, high - 1, high] + rng.integers(0, high + 1, 300).tolist()
    coefs = _paper_coefs(cfg) + [1, (1 << CF) - 1, 1 << (CF - 1)]
    _check_mulr(unsigned(width), values, coefs)


@pytest.mark.parametrize("signed_", [True, False])
def test_mulr_every_width_extremes_and_random(signed_):
    # widths 1..20, coefficients from 0 to above 2**cf (c_xi is), cf from 4 to 16
    rng = np.random.default_rng(8 + signed_)
    m = Module()
    cases, inputs = [], []
    for width in range(1, 21):
        shape = signed(width) if signed_ else unsigned(width)
        v = Signal(shape, name=f"v{width}")
        low = -(1 << (width - 1)) if signed_ else 0
        high = (1 << (width - 1)) - 1 if signed_ else (1 << width) - 1
        inputs.append((v, [low, high, 0] + rng.integers(low, high + 1, 20).tolist()))
        for cf in (4, 9, 14, 16):
            for c in (
                0,
                1,
                (1 << (cf - 2)) - 1,
                (1 << cf) - 1,
                1 << cf,
                int(rng.integers(1, 4 << cf)),
            ):
                cases.append((v, c, cf, _probe(m, arith.mulr(v, c, cf), f"p{len(cases)}")))
    got = {}

    async def bench(ctx):
        for k in range(23):
            for v, values in inputs:
                ctx.set(v, values[k])
            for v, _, _, out in cases:
                got[id(out), k] = (ctx.get(v), ctx.get(out))

    _comb(m, bench)
    for v, c, cf, out in cases:
        for k in range(23):
            value, result = got[id(out), k]
            assert result == mulr(value, c, cf), (v.shape(), value, c, cf, result)


def test_mulr_refuses_a_negative_coefficient():
    with pytest.raises(ValueError, match="^Coefficient must be non-negative, not -3$"):
        arith.mulr(Signal(signed(8)), -3, 14)


@pytest.mark.parametrize("cf", [14, 10, 5])
def test_mulr_rounds_exact_halves_up_for_both_signs(cf):
    # c = 0.5, 0.75 and an odd coefficient: all inputs whose product ends in exactly .5
    coefs = [1 << (cf - 1), 3 << (cf - 2), (1 << (cf - 1)) + 1]
    width = 12
    low, high = -(1 << (width - 1)), (1 << (width - 1)) - 1
    values = sorted({v for c in coefs for v in _ties(c, cf, low, high)})
    assert any(v < 0 for v in values) and any(v > 0 for v in values)
    for c in coefs:  # the golden rule itself is round half up (towards +infinity)
        for v in _ties(c, cf, low, high)[:50]:
            assert mulr(v, c, cf) == Fraction(v * c, 1 << cf) + Fraction(1, 2)
    _check_mulr(signed(width), values, coefs, cf)
    # and the unsigned half of the same ties
    _check_mulr(unsigned(width - 1), [v for v in values if v >= 0], coefs, cf)


def test_mulr_half_ties_by_hand():
    # 3 * 0.5 = 1.5 -> 2 and -3 * 0.5 = -1.5 -> -1 (not -2: the shift floors)
    _check_mulr(signed(8), [3, -3, 1, -1, 5, -5], [1 << (CF - 1)])
    assert [mulr(v, 1 << (CF - 1), CF) for v in (3, -3, 1, -1)] == [2, -1, 1, 0]


# -- clamp -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "low", "high"),
    [
        (signed(12), -300, 700),  # eta-like: both bounds active
        (signed(12), 0, 1023),  # the ReLU: r = clamp(pre, 0, x_max)
        (signed(9), -256, 255),  # bounds equal to the format's: never clamps
        (unsigned(10), 5, 600),
    ],
)
def test_clamp_value_and_flags_exhaustive(shape, low, high):
    m = Module()
    v = Signal(shape, name="v")
    value, below, above = arith.clamp(v, low, high)
    out, lo_flag, hi_flag = (_probe(m, e, n) for e, n in ((value, "o"), (below, "b"), (above, "a")))
    inputs = _all_values(shape)
    got = []

    async def bench(ctx):
        for x in inputs:
            ctx.set(v, x)
            got.append((ctx.get(out), ctx.get(lo_flag), ctx.get(hi_flag)))

    _comb(m, bench)
    want = [(int(np.clip(x, low, high)), int(x < low), int(x > high)) for x in inputs]
    assert got == want
    assert any(g[1] for g in got) == (inputs[0] < low)
    assert any(g[2] for g in got) == (inputs[-1] > high)


def test_clamp_eta_bounds_of_a_config():
    # the OU update's sum, one bit wider than eta, clamped to [eta_min, eta_max] as in nwta
    cfg = Config.paper(eta_int_bits=0, frac_bits=6, dt=2.0**-3)
    shape = signed(cfg.eta_bits + 2)
    m = Module()
    v = Signal(shape, name="v")
    value, below, above = arith.clamp(v, cfg.eta_min, cfg.eta_max)
    out = _probe(m, value, "o")
    flag = _probe(m, below | above, "f")
    inputs = _all_values(shape)
    got = []

    async def bench(ctx):
        for x in inputs:
            ctx.set(v, x)
            got.append((ctx.get(out), ctx.get(flag)))

    _comb(m, bench)
    arr = np.array(inputs)
    assert [g[0] for g in got] == np.clip(arr, cfg.eta_min, cfg.eta_max).tolist()
    assert [g[1] for g in got] == ((arr < cfg.eta_min) | (arr > cfg.eta_max)).astype(int).tolist()


# -- the noise functions ---------------------------------------------------------------------


def _words(count: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    edge = [0, 1, 2, 0x80000000, 0x7FFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE, 0x00FF00FF, 0xFF00FF00]
    return edge + rng.integers(0, 1 << 32, count, dtype=np.uint64).tolist()


def test_noise_functions_match_golden_on_random_words():
    m = Module()
    s = Signal(32, name="s")
    xs = _probe(m, arith.xorshift32(m, s), "xs")
    ih = _probe(m, arith.irwin_hall4(s), "ih")
    fm = _probe(m, arith.fmix32(m, s), "fm")
    # the neuron pipeline's composition: advance, then draw the sample from the new state
    ih_next = _probe(m, arith.irwin_hall4(arith.xorshift32(m, s)), "ih_next")
    words = _words(2000, 3)
    got = []

    async def bench(ctx):
        for w in words:
            ctx.set(s, w)
            got.append((ctx.get(xs), ctx.get(ih), ctx.get(fm), ctx.get(ih_next)))

    _comb(m, bench)
    assert xs.shape() == unsigned(32) and fm.shape().width >= 32
    for w, (a, b, c, d) in zip(words, got, strict=True):
        assert a == primitives.xorshift32(w), ("xorshift32", hex(w))
        assert b == primitives.irwin_hall4(w), ("irwin_hall4", hex(w))
        assert c == primitives.fmix32(w), ("fmix32", hex(w))
        assert d == primitives.irwin_hall4(primitives.xorshift32(w)), (
            "xorshift+irwin_hall4",
            hex(w),
        )
    # the sample reaches both ends of its range
    assert got[0][1] == -510 and got[5][1] == 510


def _cells(m: Module, ports: list) -> dict[str, int]:
    """The RTLIL cells of ``m`` by type."""
    from amaranth.back import rtlil

    text = rtlil.convert(m, ports=ports, emit_src=False)
    lines = [line.split() for line in text.splitlines() if line.strip().startswith("cell ")]
    return dict(Counter(words[1] for words in lines))


def _chain(links: int, step, value=None) -> dict[str, int]:
    m = Module()
    s = Signal(32, name="s")
    out = s if value is None else value(s)
    for k in range(links):
        out = step(m, out, name=f"link{k}")
    return _cells(m, [s, _probe(m, out, "out")])


@pytest.mark.parametrize(("step", "reads"), [(arith.xorshift32, 8), (arith.fmix32, 2)])
def test_a_chain_of_generator_steps_grows_by_one_step_a_link(step, reads):
    # each link reads the one before through its signal: without it the netlist holds the
    # chain before it again for every read (two a xor-shift: 8 copies a xorshift32 link)
    one, three = _chain(1, step), _chain(3, step)
    assert three == {kind: 3 * count for kind, count in one.items()}
    if step is arith.fmix32:
        assert one["$mul"] == 2  # its two multiplications, once each
    # an expression as input is written out where the first link reads it (xorshift32: its
    # three xor-shifts are one expression, which reads the input eight times), and only there
    assert _chain(2, step, lambda s: s ^ 5) == {
        kind: 2 * count + reads * (kind == "$xor") for kind, count in one.items()
    }


def test_a_chain_of_plain_expressions_would_grow_exponentially():
    # the companion: the same xorshift32 written as one expression (the form before the
    # signals) multiplies its cells by about eight a link, so the check above can fail
    def plain(m, s, *, name):
        s = (s ^ (s << 13))[:32]
        s = s ^ (s >> 17)
        return (s ^ (s << 5))[:32]

    one, three = _chain(1, plain), _chain(3, plain)
    assert sum(three.values()) > 40 * sum(one.values())


def test_generator_steps_of_a_constant_are_constants():
    m = Module()
    assert arith.xorshift32(m, Const(7, 32)).value == primitives.xorshift32(7)
    assert arith.fmix32(m, Const(7, 32)).value == primitives.fmix32(7)
    assert arith.fmix32(m, Const(-1, 32)).value == primitives.fmix32(0xFFFFFFFF)
    assert _cells(m, []) == {}  # and add nothing to the module


def test_trial_seeding_expressions_match_golden():
    # the engine's key, master, top and neuron seed, built from arith on 32-bit signals
    n = 7
    m = Module()
    seed, trial = Signal(32, name="seed"), Signal(32, name="trial")
    key = Signal(32, name="key")
    m.d.comb += key.eq(arith.fmix32(m, seed) + trial * primitives.WEYL)
    master = _probe(m, arith.fmix32(m, key), "master")
    top = _probe(m, (arith.fmix32(m, key ^ primitives.TOP_SALT) * n) >> 32, "top")
    salts = primitives.neuron_salts(n).tolist()
    seeds = [
        _probe(m, (arith.fmix32(m, key) ^ salt) | 1, f"seed{i}") for i, salt in enumerate(salts)
    ]
    pairs = list(zip(_words(150, 4), _words(150, 5)[::-1], strict=True))
    got = []

    async def bench(ctx):
        for sd, t in pairs:
            ctx.set(seed, sd)
            ctx.set(trial, t)
            got.append((ctx.get(key), ctx.get(master), ctx.get(top), [ctx.get(x) for x in seeds]))

    _comb(m, bench)
    for (sd, t), (k, ms, tp, sds) in zip(pairs, got, strict=True):
        gk = primitives.trial_key(sd, t)
        assert k == gk
        assert ms == primitives.trial_master(gk)
        assert tp == primitives.trial_top(gk, n)
        assert sds == primitives.neuron_seed(primitives.trial_master(gk), np.array(salts)).tolist()


# -- digest ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cfg",
    [
        Config.paper(n=37, x_guard_bits=0),  # 14 + 15 bits: the word fits in 32 bits
        Config.paper(n=37),  # 21 + 15 bits: the top bits dropped
    ],
    ids=["fits", "truncated"],
)
def test_digest_matches_golden_on_random_states(cfg):
    n = cfg.n
    m = Module()
    xs = [Signal(unsigned(cfg.x_state_bits), name=f"x{i}") for i in range(n)]
    etas = [Signal(signed(cfg.eta_bits), name=f"eta{i}") for i in range(n)]
    h = _probe(m, arith.digest(xs, etas, cfg.x_state_bits, cfg.eta_bits), "h")
    rng = np.random.default_rng(6)
    states = [
        (np.zeros(n, np.int64), np.zeros(n, np.int64)),
        (np.full(n, cfg.x_state_max), np.full(n, cfg.eta_min)),
        (np.full(n, cfg.x_state_max), np.full(n, -1)),
        (np.zeros(n, np.int64), np.full(n, cfg.eta_max)),
    ]
    for _ in range(60):
        states.append(
            (rng.integers(0, cfg.x_state_max + 1, n), rng.integers(cfg.eta_min, cfg.eta_max + 1, n))
        )
    # single-neuron changes beyond 32 neurons: rotations wrap (neuron 33 rotates by 1)
    for i in (0, 1, 31, 32, 33, 36):
        x = np.zeros(n, np.int64)
        x[i] = 1
        states.append((x, np.zeros(n, np.int64)))
    got = []

    async def bench(ctx):
        for x, eta in states:
            for sig, val in zip(xs, x.tolist(), strict=True):
                ctx.set(sig, val)
            for sig, val in zip(etas, eta.tolist(), strict=True):
                ctx.set(sig, val)
            got.append(ctx.get(h))

    _comb(m, bench)
    assert h.shape() == unsigned(32)
    want = [fixed.digest(cfg, x, eta) for x, eta in states]
    assert got == want
    # neuron i's x LSB lands on bit i mod 32 (semantics.md: rotl32(w_i, i mod 32))
    assert want[-6:] == [1 << (i % 32) for i in (0, 1, 31, 32, 33, 36)]


@pytest.mark.parametrize("amount", [0, 1, 5, 31, 32, 45])
def test_rotl32(amount):
    m = Module()
    w = Signal(32, name="w")
    out = _probe(m, arith.rotl32(w, amount), "o")
    words = _words(50, 7)
    got = []

    async def bench(ctx):
        for x in words:
            ctx.set(w, x)
            got.append(ctx.get(out))

    _comb(m, bench)
    r = amount % 32
    assert got == [((x << r) | (x >> (32 - r))) & primitives.MASK32 for x in words]


@pytest.mark.parametrize("signed_", [True, False])
def test_mulr_in_two_halves_is_mulr(signed_):
    # the halves of a multiplier spread over two clocks add up to exactly mulr
    rng = np.random.default_rng(31 + signed_)
    m = Module()
    cases, inputs = [], []
    for width in (1, 5, 11, 15, 17):
        shape = signed(width) if signed_ else unsigned(width)
        v = Signal(shape, name=f"v{width}")
        low = -(1 << (width - 1)) if signed_ else 0
        high = (1 << (width - 1)) - 1 if signed_ else (1 << width) - 1
        inputs.append((v, [low, high, 0] + rng.integers(low, high + 1, 30).tolist()))
        for cf in (4, 14):
            for c in (0, 1, 3, (1 << cf) - 1, 1 << cf, 9830, 14008, int(rng.integers(1, 4 << cf))):
                lo, hi, h = arith.mulr_parts(v, c, cf)
                if c > 1:
                    assert 0 < h < c.bit_length()  # two real halves
                out = _probe(m, arith.mulr_join(lo, hi, h, cf), f"p{len(cases)}")
                cases.append((v, c, cf, out))
    checked = []

    async def bench(ctx):
        for k in range(33):
            for v, values in inputs:
                ctx.set(v, values[k])
            for v, c, cf, out in cases:
                value = ctx.get(v)
                assert ctx.get(out) == mulr(value, c, cf), (value, c, cf)
                checked.append(value)

    _comb(m, bench)
    assert len(checked) == 33 * len(cases)
