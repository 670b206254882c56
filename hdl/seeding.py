"""Trial seeding with one shift-add multiplier: the compact alternative to arith.fmix32.

The trial engine hashes three times per run start and twice per trial (``fmix32`` of the seed,
of the trial key and of the key with the top salt, and ``first * WEYL``). Combinationally
that is seven 32-bit constant multipliers, about 4800 iCE40 logic cells: more than an
iCE40UP5K can spare. :class:`SerialHash` computes the same numbers one bit of multiplier per
clock with a single 32-bit adder, in :data:`FMIX_CYCLES` or :data:`MUL_CYCLES` cycles.
"""

from amaranth.hdl import Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from gaba.golden import primitives

__all__ = ["FMIX_CYCLES", "MUL_CYCLES", "OP_FMIX32", "OP_MUL_WEYL", "SerialHash"]

OP_FMIX32 = 0  # o = fmix32(i)
OP_MUL_WEYL = 1  # o = (i * WEYL) mod 2**32
_C1, _C2 = 0x85EBCA6B, 0xC2B2AE35  # fmix32's multipliers (gaba.golden.primitives.fmix32)
#: Cycles from ``start`` to ``done`` for each operation.
FMIX_CYCLES = 2 * 32 + 1
MUL_CYCLES = 32 + 1


class SerialHash(wiring.Component):
    """``fmix32(i)`` or ``i * WEYL`` (mod 2**32), one multiplier bit per clock.

    Members
    -------
    start : In(1)
        Strobe while not ``busy``: take ``i`` and ``op`` and begin.
    op : In(1)
        :data:`OP_FMIX32` or :data:`OP_MUL_WEYL`.
    i : In(32)
        The operand.
    busy : Out(1)
        An operation is in progress.
    done : Out(1)
        Strobe: ``o`` holds the result (it stays there until the next ``start``).
    o : Out(32)
        The result.
    """

    start: In(1)
    op: In(1)
    i: In(32)
    busy: Out(1)
    done: Out(1)
    o: Out(32)

    def elaborate(self, platform):
        # acc += a whenever bit k of the constant is set, then a <<= 1: after 32 cycles acc is
        # a * C mod 2**32. fmix32 runs two such passes with xor-shifts between them; the
        # constant's bit k is a 5-input function of k, so the constants cost a few LUTs.
        m = Module()
        a = Signal(32)
        acc = Signal(32)
        k = Signal(5)
        second = Signal()  # fmix32's second multiplier pass
        mul_only = Signal()

        def const_bit(value):
            return Const(value, 32).bit_select(k, 1)

        bit = Signal()
        m.d.comb += bit.eq(
            Mux(mul_only, const_bit(primitives.WEYL), Mux(second, const_bit(_C2), const_bit(_C1)))
        )
        with m.FSM():
            with m.State("IDLE"):
                with m.If(self.start):
                    m.d.sync += [acc.eq(0), k.eq(0), second.eq(0), mul_only.eq(self.op)]
                    with m.If(self.op == OP_MUL_WEYL):
                        m.d.sync += a.eq(self.i)
                    with m.Else():
                        m.d.sync += a.eq(self.i ^ (self.i >> 16))
                    m.next = "MUL"
            with m.State("MUL"):
                m.d.comb += self.busy.eq(1)
                step = Signal(32)
                m.d.comb += step.eq(Mux(bit, acc + a, acc))
                m.d.sync += [acc.eq(step), a.eq(a << 1), k.eq(k + 1)]
                with m.If(k == 31):
                    with m.If(mul_only):
                        m.d.sync += self.o.eq(step)
                        m.next = "DONE"
                    with m.Elif(~second):
                        m.d.sync += [a.eq(step ^ (step >> 13)), acc.eq(0), second.eq(1)]
                    with m.Else():
                        m.d.sync += self.o.eq(step ^ (step >> 16))
                        m.next = "DONE"
            with m.State("DONE"):
                m.d.comb += [self.busy.eq(1), self.done.eq(1)]
                m.next = "IDLE"
        return m
