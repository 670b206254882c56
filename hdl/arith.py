"""Gate-level mirrors of the golden model's integer functions, on Amaranth values.

Each function here computes on Amaranth ``Value``s exactly what its namesake in
``gaba.golden`` computes on integers; the Amaranth-simulator tests run both on the same inputs.
Amaranth's arithmetic widens results (``a + b`` has one more bit than its widest operand,
``a * b`` the sum of the widths), so nothing here can wrap; where a value is narrowed the
caller documents why the narrowing is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import Assert, Cat, Const, Mux, Shape, Signal, Value, unsigned

from gaba.golden import primitives

__all__ = [
    "CsdSplit",
    "claim",
    "clamp",
    "csd",
    "digest",
    "digest_word",
    "exact",
    "fmix32",
    "irwin_hall4",
    "mulr",
    "mulr_csd",
    "mulr_csd_join",
    "mulr_csd_parts",
    "mulr_join",
    "mulr_parts",
    "mulr_unread_bits",
    "rotl32",
    "rounded",
    "uniform_index",
    "xorshift32",
]


def mulr(v: Value, c: int, cf: int) -> Value:
    """``(v * c + 2**(cf-1)) >> cf``, flooring: the golden model's round half up.

    ``c`` is a non-negative constant. The floor is a bit slice: for a signed ``v`` the slice
    of the two's-complement sum read as signed (its top bit is the sign; the sum is one bit
    wider than the product, so it cannot wrap). One adder follows the multiplier. An
    arithmetic shift would be the same number, but the Verilog backend spells it as
    replicated sign bits, which simulators evaluate bit by bit (Verilator ran eight times
    slower on it).
    """
    if c < 0:
        raise ValueError(f"Coefficient must be non-negative, not {c!r}")
    return rounded(v * c, cf)


def rounded(product: Value, cf: int) -> Value:
    """``(product + 2**(cf-1)) >> cf``, flooring: :func:`mulr`'s rounding of a product whose
    ``cf`` low bits are fractional, apart from its multiplication (for a product taken from
    a register at a multiplier block's output). Signed if ``product`` is."""
    total = product + (1 << (cf - 1))
    return total[cf:].as_signed() if product.shape().signed else total[cf:]


def mulr_parts(v: Value, c: int, cf: int) -> tuple[Value, Value, int]:
    """:func:`mulr` in two halves, for a multiplier spread over two clocks.

    The constant is split at bit ``h = bit_length(c) // 2``: returns ``v * (c mod 2**h) +
    2**(cf-1)``, ``v * (c >> h)`` and ``h``; each half is about half the adders of the whole
    (for a register between them), and :func:`mulr_join` adds them into exactly ``mulr(v, c,
    cf)``.
    """
    if c < 0:
        raise ValueError(f"Coefficient must be non-negative, not {c!r}")
    h = c.bit_length() // 2
    return v * (c & ((1 << h) - 1)) + (1 << (cf - 1)), v * (c >> h), h


def mulr_join(lo: Value, hi: Value, h: int, cf: int) -> Value:
    """``mulr`` from the halves of :func:`mulr_parts` (signed if they are)."""
    total = (hi << h) + lo
    return total[cf:].as_signed() if total.shape().signed else total[cf:]


# -- products by a constant as shifts and adds --------------------------------------------------


def csd(c: int) -> list[tuple[int, int]]:
    """The canonical signed digits (non-adjacent form) of a constant ``c >= 0``.

    Returns ``(sign, shift)`` terms, lowest shift first, with ``sum(sign << shift) == c``,
    every sign +1 or -1 and no two shifts adjacent. No signed-binary form of ``c`` has fewer
    non-zero digits (a third of the bits on average); the top digit is +1; 0 has none.
    """
    if isinstance(c, bool) or not isinstance(c, int) or c < 0:
        raise ValueError(f"Coefficient must be a non-negative integer, not {c!r}")
    terms, shift = [], 0
    while c:
        if c & 1:
            digit = 2 - (c & 3)  # +1 where c = 1 (mod 4), -1 where c = 3: leaves c = 0 (mod 4)
            terms.append((digit, shift))
            c -= digit
        c >>= 1
        shift += 1
    return terms


@dataclass(frozen=True)
class _Node:
    """A partial sum of the adder tree, ``value * 2**shift``, negated if ``neg``; for every
    input v, ``value`` equals ``mult * v + add`` (which gives its exact range)."""

    value: Value
    shift: int
    neg: bool
    mult: int
    add: int
    wiring: bool = False  # no operator: Amaranth emits it once however often it is used


@dataclass(frozen=True)
class CsdSplit:
    """What :func:`mulr_csd_join` needs to finish a product :func:`mulr_csd_parts` began.

    ``parts`` holds, for each part, its shape, and its place in the tree (shift, neg, mult,
    add as in the tree's nodes); ``depth`` is the whole tree's adder levels and ``levels``
    those before the split; ``carry`` says the next level's first adder takes the rounding
    constant as its carry input, ``round_bit`` that the floor adds the bit below it instead.
    """

    parts: tuple
    v_shape: Shape
    c: int
    cf: int
    depth: int
    levels: int
    carry: bool
    round_bit: bool


def _bounds(shape: Shape) -> tuple[int, int]:
    """The least and greatest value of an Amaranth shape."""
    if shape.signed:
        return -(1 << (shape.width - 1)), (1 << (shape.width - 1)) - 1
    return 0, (1 << shape.width) - 1


def _fit(value: Value, low: int, high: int, signed_: bool | None = None) -> Value:
    """``value`` cut to the fewest bits that hold [low, high], signed if ``low < 0`` (or as
    ``signed_`` says), at least one bit.

    Exact for a value the caller knows to lie in [low, high]: two's complement keeps a
    number's low bits whatever its width. A partial sum ``mult * v + add`` is linear in v,
    so its least and greatest values are at the ends of v's range.
    """
    signed_ = low < 0 if signed_ is None else signed_
    if signed_:
        bits = max((x if x >= 0 else -x - 1).bit_length() + 1 for x in (low, high))
    else:
        bits = max(high.bit_length(), 1)
    shape = value.shape()
    if bits >= shape.width:
        return value.as_signed() if signed_ and not shape.signed else value
    return value[:bits].as_signed() if signed_ else value[:bits]


def _floor_shift(value: Value, k: int) -> Value:
    """``floor(value / 2**k)``: a bit slice, its top bit the sign for a signed value."""
    shape = value.shape()
    if k == 0:
        return value
    if k < shape.width:
        return value[k:].as_signed() if shape.signed else value[k:]
    return value[-1:].as_signed() if shape.signed else Const(0, 1)


def _bit(value: Value, k: int) -> Value:
    """Bit ``k`` of ``value`` in two's complement (above the top: the sign, or 0)."""
    shape = value.shape()
    if k < shape.width:
        return value[k]
    return value[-1] if shape.signed else Const(0, 1)


def _combine(x: _Node, y: _Node, v_range: tuple[int, int], carry: bool = False) -> _Node:
    """The sum of two partial sums by one adder (by wires alone where they do not overlap).

    The result is negative only if both are; else the negative one is subtracted from the
    other. Where the lower one is added to or subtracted from and is wiring (a leaf), its
    bits below the higher one pass through as wires: the adder starts at the higher one's
    lowest bit, ``carry`` (adding 1 there) is its carry input, and Yosys does not merge
    the adder that made the higher one into this one (it merges an adder whose whole
    output is an operand, into a carry-save tree of LUTs on the iCE40 and the ECP5). An
    operand that is an expression appears once: Amaranth emits an expression again
    wherever it is used. The sum is cut to the bits its exact range needs (:func:`_fit`).
    """
    lo, hi = (x, y) if x.shift <= y.shift else (y, x)
    d = hi.shift - lo.shift
    shape = lo.value.shape()
    subtract = lo.neg != hi.neg
    p, wiring, high = 0, False, None
    if lo.neg and not hi.neg:  # the lower one is subtracted: its low bits need the adder
        value = hi.value.shift_left(d) - lo.value
    elif not shape.signed and shape.width <= d and not subtract:  # no bit in common: wires
        value = Cat(lo.value, Const(0, d - shape.width), hi.value)
        value = value.as_signed() if hi.value.shape().signed else value
        wiring = lo.wiring and hi.wiring
    elif lo.wiring:
        p = min(d, shape.width - 1)  # the top bit stays in the adder
        rest, term = _floor_shift(lo.value, p), hi.value.shift_left(d - p)
        high = rest - term if subtract else rest + term
    else:
        value = lo.value - hi.value.shift_left(d) if subtract else lo.value + hi.value.shift_left(d)
    if carry:
        if high is None or subtract or p != d:
            raise AssertionError("a carry input where the adder does not start at d")
        high = high + Const(1, 1)
    sign = -1 if subtract else 1
    if lo.neg and not hi.neg:  # hi * 2**d - lo
        mult, add = (hi.mult << d) - lo.mult, (hi.add << d) - lo.add
    else:
        mult, add = lo.mult + sign * (hi.mult << d), lo.add + sign * (hi.add << d)
    add += carry << d
    least, most = sorted((mult * v_range[0] + add, mult * v_range[1] + add))
    if high is None:
        value = _fit(value, least, most)
    elif p:
        high = _fit(high, least >> p, most >> p)
        value = Cat(lo.value[:p], high)
        value = value.as_signed() if high.shape().signed else value
    else:
        value = _fit(high, least, most)
    return _Node(value, lo.shift, lo.neg and hi.neg, mult, add, wiring)


def _reduce(nodes: list, levels: int, v_range: tuple[int, int], carry: bool) -> list:
    """``levels`` levels of the balanced tree: neighbours paired, an odd last one passed on."""
    for _ in range(levels):
        paired = [
            _combine(nodes[k], nodes[k + 1], v_range, carry and k == 0)
            for k in range(0, len(nodes) - 1, 2)
        ]
        nodes = paired + nodes[len(paired) * 2 :]
        carry = False
    return nodes


def _leaves(v: Value, c: int, cf: int) -> tuple[list, bool, bool]:
    """The tree's leaves, highest first, with the rounding constant 2**(cf-1) in one of
    them; whether the first adder takes it as its carry input instead; whether the floor
    adds the bit below it instead (a single term: round(v / 2**k) = floor(v / 2**k) +
    bit k-1 of v)."""
    v_range = _bounds(v.shape())
    one = _Node(Const(1, 1), cf - 1, False, 0, 1, True)
    leaves = [_Node(v, shift, sign < 0, 1, 0, True) for sign, shift in reversed(csd(c))]
    top = leaves[0]  # positive: the top digit is +1
    if top.shift >= cf:  # a constant bit below it: wires alone
        return [_combine(one, top, v_range), *leaves[1:]], False, False
    if len(leaves) == 1:
        return leaves, False, True
    second = leaves[1]
    shape = v.shape()
    if top.shift == cf - 1 and not second.neg and top.shift - second.shift < shape.width:
        return leaves, True, False  # the first adder starts at bit cf-1: its carry input
    at = next((k for k, leaf in enumerate(leaves) if leaf.shift < cf - 1), len(leaves))
    return [*leaves[:at], one, *leaves[at:]], False, False


def mulr_csd_parts(
    v: Value, c: int, cf: int, levels: int | None = None
) -> tuple[list[Value], CsdSplit]:
    """:func:`mulr_csd` split between two clocks: the first ``levels`` levels of its adder
    tree (by default all but the last: two parts, or one for a tree of one level or none).

    Returns the parts (values for registers) and the :class:`CsdSplit` that
    :func:`mulr_csd_join` finishes them with into exactly ``mulr(v, c, cf)``.
    """
    if isinstance(cf, bool) or not isinstance(cf, int) or cf < 1:
        raise ValueError(f"Fractional bits must be a positive integer, not {cf!r}")
    shape = v.shape()
    if not csd(c):
        nodes, carry, round_bit = [_Node(Const(0, 1), cf, False, 0, 0)], False, False
    else:
        nodes, carry, round_bit = _leaves(v, c, cf)
    depth = (len(nodes) - 1).bit_length()
    if levels is None:
        levels = max(depth - 1, 0)
    if isinstance(levels, bool) or not isinstance(levels, int) or not 0 <= levels <= depth:
        raise ValueError(f"Levels before the split must be in 0..{depth}, not {levels!r}")
    nodes = _reduce(nodes, levels, _bounds(shape), carry)
    split = CsdSplit(
        parts=tuple((n.value.shape(), n.shift, n.neg, n.mult, n.add) for n in nodes),
        v_shape=shape,
        c=c,
        cf=cf,
        depth=depth,
        levels=levels,
        carry=carry and levels == 0,
        round_bit=round_bit,
    )
    return [n.value for n in nodes], split


def mulr_csd_join(parts: list[Value], split: CsdSplit) -> Value:
    """The rest of the adder tree of :func:`mulr_csd_parts`' ``parts``, then the floor:
    exactly ``mulr(v, c, cf)``.

    ``parts`` are registers of the parts' shapes (or the parts themselves); each may be read
    twice (its low bits as wires, the rest in an adder), so an expression would be emitted
    twice.
    """
    if len(parts) != len(split.parts):
        raise ValueError(f"Expected {len(split.parts)} parts, not {len(parts)}")
    nodes = []
    for k, (part, place) in enumerate(zip(parts, split.parts, strict=True)):
        part, (shape, *rest) = Value.cast(part), place
        if part.shape() != shape:
            raise ValueError(f"Part {k} must have shape {shape!r}, not {part.shape()!r}")
        nodes.append(_Node(part, *rest, wiring=True))
    v_range = _bounds(split.v_shape)
    (root,) = _reduce(nodes, split.depth - split.levels, v_range, split.carry)
    k = split.cf - root.shift
    out = _floor_shift(root.value, k)
    if split.round_bit:
        out = out + _bit(root.value, k - 1)
    ends = [primitives.mulr(end, split.c, split.cf) for end in v_range]  # monotone in v
    return _fit(out, min(ends), max(ends), split.v_shape.signed)


def mulr_csd(v: Value, c: int, cf: int) -> Value:
    """:func:`mulr` by shifts and adds: exactly ``(v * c + 2**(cf-1)) >> cf``, flooring.

    ``c`` is a non-negative constant, ``v`` signed or unsigned. The terms of ``c``'s
    canonical signed digits (:func:`csd`), shifted copies of ``v`` added or subtracted, meet
    in a balanced adder tree of ``ceil(log2(terms))`` levels (one more for some constants,
    below). The rounding constant costs no adder where ``c`` has a digit at ``2**cf`` or
    above (it is a wire below that term) or its top digit is ``2**(cf-1)`` with a positive
    digit next (the carry input of the first adder); a single term below ``2**cf`` rounds by
    adding the bit below the floor; otherwise the constant is one more leaf of the tree.
    Nothing wraps: every partial sum is cut only to the bits its exact range needs, and
    bits that only one term reaches pass through as wires. The floor is a bit slice, as in
    :func:`mulr`; the result has the fewest bits that hold every value, signed if ``v`` is.
    ``v`` should be a signal (or a slice of one): the expression uses it once a term.
    """
    parts, split = mulr_csd_parts(v, c, cf, levels=0)
    return mulr_csd_join(parts, split)


def mulr_unread_bits(c: int, cf: int) -> int:
    """How many low bits of ``v`` :func:`mulr_csd` never reads for the constant ``c``: a power
    of two ``c = 2**p`` below ``2**cf`` is one term, a rounding shift that reads ``v`` from
    bit ``cf - p - 1`` (the bit below the floor) up; every other constant reads all of ``v``.
    A pipeline register holding ``v`` for the product holds only the bits read."""
    if 0 < c < 1 << cf and c & (c - 1) == 0:
        return cf - c.bit_length()
    return 0


def claiming(platform) -> bool:
    """Whether ``platform`` elaborates the design for a formal proof (``gaba.sim.formal.CLAIMS``):
    a design builds what only its claims read (a shadow register) only then."""
    return getattr(platform, "claims", False)


def claim(m, platform, test: Value, message: str, *, src_loc_at: int = 0) -> None:
    """State ``test`` as something the design holds true in every clock, for ``m``.

    Elaborated for a formal proof (under ``gaba.sim.formal.CLAIMS``, a platform whose
    ``claims`` is true) it becomes an ``Assert`` the proof covers, named by ``message`` and
    located at the line that called this (``src_loc_at`` callers further up); for simulation
    and synthesis it adds nothing."""
    if claiming(platform):
        m.d.comb += Assert(test, message, src_loc_at=1 + src_loc_at)


def exact(
    m, platform, value: Value, shape=None, *, name: str, when=None, src_loc_at: int = 0
) -> Signal:
    """A signal of ``shape`` (default ``value``'s) named ``name``, driven by ``value``.

    Where ``shape`` is narrower than the value's own shape the narrowing is the design's
    claim that the value always fits (docs/semantics.md, "Nothing wraps"), in every clock or
    in those where ``when`` is high (a pipeline stage's value is read only in its stage's
    clock): :func:`claim` asserts the signal equal to the value under a formal proof,
    located at the caller (``src_loc_at`` callers further up)."""
    sig = Signal(shape or value.shape(), name=name, src_loc_at=1 + src_loc_at)
    m.d.comb += sig.eq(value)
    if shape is not None and Shape.cast(shape) != value.shape():
        fits = sig == value
        if when is not None:
            fits = ~Value.cast(when).bool() | fits
        message = f"{name} fits its {sig.shape()}"
        claim(m, platform, fits, message, src_loc_at=1 + src_loc_at)
    return sig


def _clamped(v: Value, low: int, high: int) -> tuple[Value, Value, Value]:
    below, above = v < low, v > high
    return Mux(below, low, Mux(above, high, v)), below, above


def clamp(v: Value, low: int, high: int) -> tuple[Value, Value, Value]:
    """``v`` limited to [low, high], and two 1-bit values: v < low, v > high."""
    return _clamped(v, low, high)


def claim_clamp(
    m, platform, raw: Value, value: Value, flag: Value, low: int, high: int, *, when=None
) -> None:
    """Claim that ``value`` is ``raw`` clamped to [low, high] and that ``flag`` is raised
    exactly when the clamp acted (``raw`` outside the range), in every clock or in those where
    ``when`` is high: a flag carried down a pipeline beside its value, with the unclamped
    ``raw`` carried beside both for the claim alone."""
    # (the claim's clamp is the definition itself, apart from the name the design calls)
    clamped, below, above = _clamped(raw, low, high)
    test = (value == clamped) & (flag == (below | above))
    if when is not None:
        test = ~Value.cast(when).bool() | test
    name = getattr(flag, "name", "the flag")
    claim(m, platform, test, f"{name} is raised exactly when its clamp acts", src_loc_at=1)


def uniform_index(word: Value, n: int) -> Value:
    """The index in 0..n-1 a uniform 32-bit ``word`` picks: (word * n) >> 32, a product by a
    constant and its top bits (``gaba.golden.primitives.uniform_index``)."""
    return (word[:32] * n)[32:]


def _held(m, value: Value, name: str) -> Signal:
    """``value`` through a combinational signal (:func:`exact`): a step of a chain that reads
    its operand twice then reads one wire, not a copy of the whole chain before it (Amaranth
    writes an expression out once per use)."""
    return exact(m, None, value, name=name, src_loc_at=2)


def xorshift32(m, s: Value, *, name: str = "xorshift") -> Value:
    """One xorshift32 step (13, 17, 5) of a 32-bit value, its result driving a combinational
    signal of ``m`` named ``name``: a chain of steps then reads one wire a link, not the whole
    chain before it again for every read. Like every combinational statement it takes the
    context of the call: read the result where it is made. Inside the step the three xor-shifts
    stay one expression (the input is read eight times): with each of them, or an expression
    input, in a signal of its own, Yosys's abc9 failed an assertion (in ABC_OPS_REINTEGRATE)
    on the ECP5 builds of the Foldiak layer and of the nWTA core, beside their LUT RAM."""
    if isinstance(s, Const):
        return Const(int(primitives.xorshift32(s.value % 2**32)), 32)
    s = s[:32]
    s = (s ^ (s << 13))[:32]
    s = s ^ (s >> 17)
    return _held(m, (s ^ (s << 5))[:32], name)


def irwin_hall4(s: Value) -> Value:
    """Sum of the four bytes of a 32-bit value minus 510 (signed, -510..510)."""
    return (s[0:8] + s[8:16]) + (s[16:24] + s[24:32]) - primitives.XI_MEAN


def fmix32(m, h: Value, *, name: str = "fmix") -> Value:
    """MurmurHash3's 32-bit finaliser; each of its five steps drives a combinational signal of
    ``m`` (``name_a`` to ``name_d``, then ``name``), as :func:`xorshift32`'s result does, since
    each xor-shift reads its operand twice; the input is read as it is (twice). A constant
    ``h`` gives a constant."""
    if isinstance(h, Const):
        return Const(int(primitives.fmix32(h.value % 2**32)), 32)
    h = h[:32]
    h = _held(m, h ^ (h >> 16), f"{name}_a")
    h = _held(m, (h * 0x85EBCA6B)[:32], f"{name}_b")
    h = _held(m, h ^ (h >> 13), f"{name}_c")
    h = _held(m, (h * 0xC2B2AE35)[:32], f"{name}_d")
    return _held(m, h ^ (h >> 16), name)


def rotl32(w: Value, amount: int) -> Value:
    """Rotate a 32-bit value left by a constant."""
    return w[:32].rotate_left(amount % 32)


def digest_word(x: Value, eta: Value, x_bits: int, eta_bits: int) -> Value:
    """One neuron's word of the digest: ``X | (eta mod 2**eta_bits) << x_bits``, 32 bits."""
    return Cat(x[:x_bits], eta.as_unsigned()[:eta_bits], Const(0, 32))[:32]


def digest(xs: list[Value], etas: list[Value], x_bits: int, eta_bits: int) -> Value:
    """The final-state digest of ``gaba.golden.fixed.digest``: XOR of rotated state words.

    A balanced XOR tree (depth log2 n): a chain would make event-driven simulators such as
    Icarus re-evaluate it n times per changed word.
    """
    level = [
        rotl32(digest_word(x, eta, x_bits, eta_bits), i)
        for i, (x, eta) in enumerate(zip(xs, etas, strict=True))
    ]
    while len(level) > 1:
        level = [
            level[k] ^ level[k + 1] if k + 1 < len(level) else level[k]
            for k in range(0, len(level), 2)
        ]
    return level[0] if level else Const(0, unsigned(32))
