"""A product by a constant between two registers, in the multiplier block's own registers where
the device has them.

``registered_product(m, platform, v, c)`` is ``v * c`` with a register before the product and
one after: ``a`` takes ``v`` every clock and ``p`` takes ``a * c`` (both free-running; reset
to 0 with the sync domain where it has a reset). In simulation, on the iCE40 and wherever
the operands do not fit, these are two flip-flop registers around a ``*`` (Yosys maps it to
a DSP block and the registers stay in the fabric). On an ECP5 they are the input and output
registers of one ``MULT18X18D``: the block's registers are the design's, so a block placed
far from the logic around it costs no fabric flip-flops and each way to and from it is a
path of its own.

The block's configuration (Lattice TN1267, ECP5 sysDSP): input register A and output register
on CLK0 with clock enable CE0 (tied high) and synchronous reset RST0 (the sync domain's reset,
low in a reset-less domain such as the trial engine's network; ``RESETMODE = "SYNC"``, global
set/reset off), no pipeline register, B unregistered (the constant), both operands unsigned
(``SIGNEDA = SIGNEDB = 0``), C and the shift inputs unused. nextpnr times the registered
block from CLK0 (its ``MULT18X18D`` timing classes). tests/hdl/test_dsp.py simulates the
instance against the flip-flops with a model of this mode.
"""

from amaranth.hdl import ClockSignal, Const, Instance, Module, ResetSignal, Signal, Value

__all__ = ["DSP_WIDTH", "block_registers", "registered_product"]

#: The operand width of an ECP5 ``MULT18X18D``.
DSP_WIDTH = 18


def block_registers(platform, v: Value, c: int) -> bool:
    """Whether :func:`registered_product` puts its registers in an ECP5 multiplier block:
    an ECP5 platform, and an unsigned ``v`` and a constant ``c`` that fit its operands."""
    v = Value.cast(v)
    return (
        getattr(platform, "family", None) == "ecp5"
        and not v.shape().signed
        and len(v) <= DSP_WIDTH
        and 0 <= c < 2**DSP_WIDTH
    )


def registered_product(
    m: Module, platform, v: Value, c: int, *, names: tuple[str, str] = ("a", "p")
) -> Value:
    """``v * c`` a register after ``v`` and a register after the product (``names``: the two
    registers' names); two clocks from ``v`` to the product, as the module docstring says."""
    v = Value.cast(v)
    width = len(v) + max(1, c.bit_length())
    if not block_registers(platform, v, c):
        a = Signal(v.shape(), name=names[0])
        p = Signal(width, name=names[1])
        m.d.sync += [a.eq(v), p.eq(a * c)]
        return p
    p = Signal(2 * DSP_WIDTH, name=names[1])
    pins = {f"i_A{k}": v[k] if k < len(v) else Const(0, 1) for k in range(DSP_WIDTH)}
    pins |= {f"i_B{k}": Const((c >> k) & 1, 1) for k in range(DSP_WIDTH)}
    pins |= {f"i_C{k}": Const(0, 1) for k in range(DSP_WIDTH)}
    pins |= {f"o_P{k}": p[k] for k in range(2 * DSP_WIDTH)}
    m.submodules[names[1] + "_block"] = Instance(
        "MULT18X18D",
        p_REG_INPUTA_CLK="CLK0",
        p_REG_INPUTA_CE="CE0",
        p_REG_INPUTA_RST="RST0",
        p_REG_INPUTB_CLK="NONE",
        p_REG_INPUTC_CLK="NONE",
        p_REG_PIPELINE_CLK="NONE",
        p_REG_OUTPUT_CLK="CLK0",
        p_REG_OUTPUT_CE="CE0",
        p_REG_OUTPUT_RST="RST0",
        p_GSR="DISABLED",
        p_RESETMODE="SYNC",
        i_SIGNEDA=Const(0, 1),
        i_SIGNEDB=Const(0, 1),
        i_SOURCEA=Const(0, 1),
        i_SOURCEB=Const(0, 1),
        i_CLK0=ClockSignal("sync"),
        i_CLK1=Const(0, 1),
        i_CLK2=Const(0, 1),
        i_CLK3=Const(0, 1),
        i_CE0=Const(1, 1),
        i_CE1=Const(0, 1),
        i_CE2=Const(0, 1),
        i_CE3=Const(0, 1),
        i_RST0=ResetSignal("sync", allow_reset_less=True),
        i_RST1=Const(0, 1),
        i_RST2=Const(0, 1),
        i_RST3=Const(0, 1),
        **pins,
    )
    return p[:width]
