"""Products by a constant as shifts and adds (gaba.hdl.arith.csd, mulr_csd and its split form)
against the golden ``mulr``, for every input of 12-bit signed and unsigned values.

One combinational module holds every product of a test; one testbench sweeps the input over
all its values and reads all products at once (as one wide signal), and NumPy compares them
with ``gaba.golden.primitives.mulr``. A companion test shows that the same sweep fails on a
product that is wrong: by a constant off by one, or at one single input.
"""

import random

import numpy as np
import pytest
from amaranth.back import rtlil
from amaranth.hdl import Cat, Module, Signal, signed, unsigned

from gaba.golden.config import Config
from gaba.golden.primitives import mulr
from gaba.hdl import arith
from tests.simulate import simulate

CF = 14
WIDTH = 12


def _paper_coefs() -> list[int]:
    """The coefficients of the paper's Configs, both kinds (the products of the neurons)."""
    coefs = []
    for cfg in (Config.paper(), Config.paper(kind="wta")):
        coefs += [cfg.alpha_c, cfg.beta_c, cfg.ou_a_c, cfg.c_xi, cfg.k_dt]
    return sorted(set(coefs))


def _coefs() -> list[int]:
    """The paper's, edge cases of the rounding and seeded random ones (up to 2**(cf+3))."""
    edges = [0, 1, 2, 3, 5, 6144, 1 << (CF - 1), 3 << (CF - 2), (1 << CF) - 1, 1 << CF]
    edges += [(1 << CF) + 1, 0b1010101010101, 0b1101101101101]
    rng = random.Random(5)
    return _paper_coefs() + edges + [rng.randrange(1, 1 << (CF + 3)) for _ in range(12)]


def _sweep(products, width: int = WIDTH) -> tuple[np.ndarray, dict]:
    """Every value of a ``width``-bit input into the products.

    ``products(v)`` returns a dict of expressions of the input ``v`` (signed or unsigned:
    called once with each); returns the signed inputs and, by ``(signed, key)``, the array of
    each product over all inputs (the unsigned input is the signed one's low bits, read
    unsigned, so both are swept by one loop).
    """
    m = Module()
    vs, vu = Signal(signed(width), name="vs"), Signal(unsigned(width), name="vu")
    exprs = {(True, k): e for k, e in products(vs).items()}
    exprs |= {(False, k): e for k, e in products(vu).items()}
    outs = {}
    for key, expr in exprs.items():
        outs[key] = Signal(expr.shape(), name=f"p{len(outs)}")  # exactly the product's shape
        m.d.comb += outs[key].eq(expr)
    word = Signal(sum(len(o) for o in outs.values()), name="word")
    m.d.comb += word.eq(Cat(*outs.values()))
    inputs = np.arange(-(1 << (width - 1)), 1 << (width - 1))
    words = []

    async def bench(ctx):
        for x in inputs.tolist():
            ctx.set(vs, x)
            ctx.set(vu, x & ((1 << width) - 1))
            words.append(ctx.get(word))

    simulate(m, bench, period=None)
    got, at = {}, 0
    for key, out in outs.items():
        bits = len(out)
        field = [(w >> at) & ((1 << bits) - 1) for w in words]
        if out.shape().signed:
            field = [f - (1 << bits) if f >> (bits - 1) else f for f in field]
        got[key], at = np.array(field, dtype=np.int64), at + bits
    return inputs, got


def _mismatches(inputs: np.ndarray, got: dict, coef_of=lambda c: c, cf: int = CF) -> dict:
    """For each product of :func:`_sweep`, the inputs at which it differs from the golden
    ``mulr(v, coef_of(key), cf)``."""
    bad = {}
    mask = (1 << (int(inputs[-1]).bit_length() + 1)) - 1  # the inputs' width, all ones
    for (signed_, key), values in got.items():
        v = inputs if signed_ else inputs & mask
        wrong = v[values != mulr(v, coef_of(key), cf)]
        if wrong.size:
            bad[signed_, key] = wrong
    return bad


# -- csd -------------------------------------------------------------------------------------


def test_csd_reconstructs_every_constant_with_no_adjacent_digits():
    rng = random.Random(2)
    for c in [*range(1 << 13), *_coefs(), *(rng.randrange(1 << 40) for _ in range(500))]:
        terms = arith.csd(c)
        assert sum(sign << shift for sign, shift in terms) == c
        assert all(sign in (1, -1) for sign, _ in terms)
        shifts = [shift for _, shift in terms]
        assert shifts == sorted(shifts)
        assert all(b - a >= 2 for a, b in zip(shifts, shifts[1:], strict=False)), (c, terms)
        # the non-adjacent form's weight: the bits of (3c xor c) above bit 0
        assert len(terms) == bin((3 * c ^ c) >> 1).count("1")
        assert not terms or terms[-1][0] == 1


def test_csd_of_the_paper_constants():
    assert arith.csd(0) == []
    assert arith.csd(8192) == [(1, 13)]  # alpha = 0.5
    assert arith.csd(14014) == [(-1, 1), (-1, 6), (-1, 8), (-1, 11), (1, 14)]  # a = 1 - 2370/2^14
    assert len(arith.csd(9830)) == 7 and len(arith.csd(51749)) == 7


@pytest.mark.parametrize("c", [-1, 1.0, True, "3"])
def test_csd_refuses_what_is_not_a_non_negative_integer(c):
    with pytest.raises(ValueError, match="^Coefficient must be a non-negative integer"):
        arith.csd(c)


# -- mulr_csd --------------------------------------------------------------------------------


def test_mulr_csd_is_mulr_for_every_12_bit_input():
    coefs = _coefs()
    inputs, got = _sweep(lambda v: {c: arith.mulr_csd(v, c, CF) for c in coefs})
    assert _mismatches(inputs, got) == {}


@pytest.mark.parametrize("cf", [1, 2, 5])
def test_mulr_csd_is_mulr_at_few_fractional_bits(cf):
    # the rounding constant 2**(cf-1) at or below the terms, and above the input's bits
    coefs = [1, 2, 3, 7, 11, 21, 43, 85, 1 << cf, (1 << cf) + 1, 0b10110111]
    inputs, got = _sweep(lambda v: {c: arith.mulr_csd(v, c, cf) for c in coefs}, width=9)
    assert _mismatches(inputs, got, cf=cf) == {}


def test_mulr_csd_of_narrow_inputs():
    # 1- to 3-bit inputs: nodes whose bits lie wholly below the next term's
    coefs = [0, 1, 3, 8192, 9830, 14014, 51749, (1 << CF) - 1]
    for width in (1, 2, 3):
        inputs, got = _sweep(lambda v: {c: arith.mulr_csd(v, c, CF) for c in coefs}, width)
        assert _mismatches(inputs, got) == {}, width


def test_the_sweep_finds_a_wrong_product():
    # the same check on products that are wrong: a constant off by one either way, and a
    # product wrong at one single input of the 4096. It names exactly the inputs where the
    # golden products of the two constants differ (v/2**14 moves the rounding only near a
    # tie: at 12 bits, for most constants and inputs but not all), and the single input.
    coefs = _paper_coefs()
    wrong_at = 1234

    def products(v):
        out = {}
        for c in coefs:
            out[c + 1, c] = arith.mulr_csd(v, c + 1, CF)
            out[c - 1, c] = arith.mulr_csd(v, c - 1, CF)
            out[None, c] = arith.mulr_csd(v, c, CF) + (v == wrong_at)
        return out

    inputs, got = _sweep(products)
    bad = _mismatches(inputs, got, lambda key: key[1])
    for signed_, (made, c) in got:
        wrong = bad.get((signed_, (made, c)), np.array([], np.int64)).tolist()
        if made is None:
            assert wrong == [wrong_at], (signed_, c)
        else:
            v = inputs if signed_ else inputs & ((1 << WIDTH) - 1)
            assert wrong == v[mulr(v, made, CF) != mulr(v, c, CF)].tolist(), (signed_, made, c)
    caught = {key for key in bad if key[1][0] is not None}
    assert len(caught) >= 0.75 * 4 * len(coefs)  # of the off-by-one constants, signed and not


def _bounds(shape) -> tuple[int, int]:
    """The least value of a shape and one past its greatest."""
    if shape.signed:
        return -(1 << (shape.width - 1)), 1 << (shape.width - 1)
    return 0, 1 << shape.width


def test_mulr_csd_width_is_the_fewest_bits_of_its_range():
    cfg = Config.paper()
    for shape in (signed(cfg.eta_bits), unsigned(cfg.d_bits), signed(11), unsigned(1)):
        v = Signal(shape)
        low, end = _bounds(shape)
        for c in _coefs():
            lo, hi = mulr(low, c, CF), mulr(end - 1, c, CF)
            if shape.signed:
                fewest = signed(max((x if x >= 0 else -x - 1).bit_length() + 1 for x in (lo, hi)))
            else:
                fewest = unsigned(max(hi.bit_length(), 1))
            assert arith.mulr_csd(v, c, CF).shape() == fewest, (shape, c)
            assert fewest.width <= arith.mulr(v, c, CF).shape().width


def _cells(v, expr) -> list[str]:
    """The cell types of the RTLIL of a module that computes ``expr`` from the signal ``v``."""
    m = Module()
    out = Signal(expr.shape())
    m.d.comb += out.eq(expr)
    text = rtlil.convert(m, ports=[v, out])
    return [line.split()[1] for line in text.splitlines() if line.strip().startswith("cell ")]


@pytest.mark.parametrize(
    ("name", "shape", "adders"),
    [
        ("ou_a_c", signed(15), 4),  # 5 terms; the rounding constant a wire below 2**14
        ("c_xi", signed(11), 6),  # 7 terms; the same below 2**16
        ("beta_c", unsigned(16), 7),  # 7 terms; the constant the carry input at 2**13: +1
    ],
)
def test_the_paper_products_are_a_balanced_tree_of_adders(name, shape, adders):
    c = getattr(Config.paper(), name)
    v = Signal(shape, name="v")
    _, split = arith.mulr_csd_parts(v, c, CF)
    assert split.depth == (len(arith.csd(c)) - 1).bit_length() == 3
    cells = _cells(v, arith.mulr_csd(v, c, CF))
    # one adder a term but one (each emitted once), no multiplier and no shift: the floor
    # is a bit slice
    assert sum(cell in ("$add", "$sub") for cell in cells) == adders
    assert not {"$mul", "$shr", "$sshr", "$shl", "$sshl", "$shift", "$shiftx"} & set(cells)


def test_single_term_products_round_by_the_bit_below_the_floor():
    # alpha = 2**13 and k = 2**7: one adder (floor plus the bit below it), one level
    for c, shape in ((8192, unsigned(14)), (128, signed(15))):
        v = Signal(shape, name="v")
        _, split = arith.mulr_csd_parts(v, c, CF)
        assert split.depth == 0 and split.round_bit
        assert sum(cell == "$add" for cell in _cells(v, arith.mulr_csd(v, c, CF))) == 1


def test_mulr_csd_refuses_bad_arguments():
    v = Signal(signed(8))
    with pytest.raises(ValueError, match="^Coefficient must be a non-negative integer, not -3$"):
        arith.mulr_csd(v, -3, CF)
    with pytest.raises(ValueError, match="^Fractional bits must be a positive integer, not 0$"):
        arith.mulr_csd(v, 5, 0)


# -- split over two clocks -------------------------------------------------------------------


def test_every_split_of_the_tree_is_mulr():
    # the parts after any number of levels, joined (combinationally here), for every input
    rng = random.Random(7)
    coefs = _paper_coefs() + [0, 1, 6144, (1 << CF) - 1, 1 << CF]
    coefs += [rng.randrange(1, 1 << (CF + 3)) for _ in range(4)]

    def products(v):
        out = {}
        for c in coefs:
            _, whole = arith.mulr_csd_parts(v, c, CF, 0)
            for levels in range(whole.depth + 1):
                parts, split = arith.mulr_csd_parts(v, c, CF, levels)
                out[c, levels] = arith.mulr_csd_join(parts, split)
        return out

    inputs, got = _sweep(products, width=10)
    assert _mismatches(inputs, got, lambda key: key[0]) == {}


def test_split_product_through_registers_is_mulr_a_clock_later():
    # the default split (all levels but the last) with the parts in registers of their shapes
    cfg = Config.paper()
    cases = [
        (signed(cfg.eta_bits), cfg.ou_a_c),
        (signed(11), cfg.c_xi),
        (unsigned(cfg.d_bits), cfg.beta_c),
        (unsigned(cfg.x_bits), cfg.alpha_c),
    ]
    m = Module()
    probes = []
    for k, (shape, c) in enumerate(cases):
        v = Signal(shape, name=f"v{k}")
        parts, split = arith.mulr_csd_parts(v, c, cfg.coef_bits)
        assert split.levels == max(split.depth - 1, 0)
        assert len(parts) == (2 if split.depth > 1 else 1)
        regs = [Signal.like(p, name=f"r{k}_{j}") for j, p in enumerate(parts)]
        m.d.sync += [r.eq(p) for r, p in zip(regs, parts, strict=True)]
        out = Signal(arith.mulr_csd_join(regs, split).shape(), name=f"o{k}")
        m.d.comb += out.eq(arith.mulr_csd_join(regs, split))
        probes.append((v, c, out))
    rng = np.random.default_rng(4)
    sequence = [[int(rng.integers(*_bounds(v.shape()))) for v, _, _ in probes] for _ in range(300)]
    checked = []

    async def bench(ctx):
        for values in sequence:
            for (v, _, _), x in zip(probes, values, strict=True):
                ctx.set(v, x)
            await ctx.tick()  # the parts into their registers; the join reads them
            for (_, c, out), x in zip(probes, values, strict=True):
                assert ctx.get(out) == mulr(x, c, cfg.coef_bits), (c, x)
                checked.append(x)

    simulate(m, bench)
    assert len(checked) == 300 * len(probes)


def test_join_refuses_parts_that_do_not_match():
    v = Signal(signed(12))
    parts, split = arith.mulr_csd_parts(v, 14014, CF)
    with pytest.raises(ValueError, match="^Expected 2 parts, not 1$"):
        arith.mulr_csd_join(parts[:1], split)
    with pytest.raises(ValueError, match=r"^Part 0 must have shape signed\(\d+\), not"):
        arith.mulr_csd_join([Signal(signed(3)), parts[1]], split)
    with pytest.raises(ValueError, match=r"^Levels before the split must be in 0\.\.3, not 4$"):
        arith.mulr_csd_parts(v, 14014, CF, 4)
