"""Gate-level mirrors of the golden model's integer functions, on Amaranth values.

Each function here computes on Amaranth ``Value``s exactly what its namesake in
``gaba.golden`` computes on integers; the Amaranth-simulator tests run both on the same inputs.
Amaranth's arithmetic widens results (``a + b`` has one more bit than its widest operand,
``a * b`` the sum of the widths), so nothing here can wrap; where a value is narrowed the
caller documents why the narrowing is exact.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Mux, Value, unsigned

from gaba.golden import primitives

__all__ = [
    "clamp",
    "digest",
    "fmix32",
    "irwin_hall4",
    "mulr",
    "mulr_join",
    "mulr_parts",
    "rotl32",
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
    product = v * c + (1 << (cf - 1))
    if not v.shape().signed:
        return product[cf:]
    return product[cf:].as_signed()


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


def clamp(v: Value, low: int, high: int) -> tuple[Value, Value, Value]:
    """``v`` limited to [low, high], and two 1-bit values: v < low, v > high."""
    below, above = v < low, v > high
    return Mux(below, low, Mux(above, high, v)), below, above


def xorshift32(s: Value) -> Value:
    """One xorshift32 step (13, 17, 5) of a 32-bit value."""
    s = s[:32]
    s = (s ^ (s << 13))[:32]
    s = s ^ (s >> 17)
    return (s ^ (s << 5))[:32]


def irwin_hall4(s: Value) -> Value:
    """Sum of the four bytes of a 32-bit value minus 510 (signed, -510..510)."""
    return (s[0:8] + s[8:16]) + (s[16:24] + s[24:32]) - primitives.XI_MEAN


def fmix32(h: Value) -> Value:
    """MurmurHash3's 32-bit finaliser."""
    h = h[:32]
    h = h ^ (h >> 16)
    h = (h * 0x85EBCA6B)[:32]
    h = h ^ (h >> 13)
    h = (h * 0xC2B2AE35)[:32]
    return h ^ (h >> 16)


def rotl32(w: Value, amount: int) -> Value:
    """Rotate a 32-bit value left by a constant."""
    return w[:32].rotate_left(amount % 32)


def digest(xs: list[Value], etas: list[Value], x_bits: int, eta_bits: int) -> Value:
    """The final-state digest of ``gaba.golden.fixed.digest``: XOR of rotated state words.

    A balanced XOR tree (depth log2 n): a chain would make event-driven simulators such as
    Icarus re-evaluate it n times per changed word.
    """
    level = []
    for i, (x, eta) in enumerate(zip(xs, etas, strict=True)):
        word = Cat(x[:x_bits], eta.as_unsigned()[:eta_bits], Const(0, 32))[:32]
        level.append(rotl32(word, i))
    while len(level) > 1:
        level = [
            level[k] ^ level[k + 1] if k + 1 < len(level) else level[k]
            for k in range(0, len(level), 2)
        ]
    return level[0] if level else Const(0, unsigned(32))
