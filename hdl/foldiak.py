"""Földiák's anti-Hebbian layer with on-chip learning, folded over its inputs and units.

The circuit computes exactly :mod:`gaba.golden.foldiak` (the numbers and every rounding come
from the same :class:`~gaba.golden.foldiak.config.FoldiakConfig`); what it adds is a schedule.
The weights live in two memories, one row per input (q) or per unit (w) holding that row for
every unit, so that each clock touches one row and all n units work in parallel:

======== ===================================== =============================================
phase    clocks                                work
======== ===================================== =============================================
GEN      1                                     two xorshift32 steps: the next bars pattern
                                               (or the address of the next image)
FF       m + 1                                 qx_i += q_ij x_j, one input j per clock
SETTLE   settle_steps * (n + 2)                per step: L_i += w_ij y*_j, one unit j per
                                               clock, then one clock that updates every y*_i
LEARN    max(m, n) + 1 (training only)         row j of q and of w read, updated, written
                                               back, one row per clock; t in the first clock
RESULT   1 or more                             the presentation's result until ``res.ready``
======== ===================================== =============================================

The pattern source (``source``, :mod:`gaba.golden.foldiak.sources`) is the bars, generated in
GEN, or the digits: a block-RAM ROM of the 1797 images (``gaba.hdl.digits``), addressed in GEN
(a training image picked by the second stream word, test pattern j's image min(j, 1796)) and
read in the same clock, its output held until the next GEN; the label is the image's index.
Both take the same clocks.

A training presentation therefore takes ``cycles_per_presentation(cfg)`` clocks when the
result is taken at once (1284 at the paper's 64 inputs, 16 units and 64 settling steps).

Commands (``cmd`` with a ``start`` strobe while not ``busy``):

- :data:`CMD_INIT`: start run ``run`` of ``seed``: the three random streams are seeded as in
  the golden model, q is filled from the init stream (one weight per clock, n * m clocks),
  w = 0, t = 0, the flags and the presentation counter cleared.
- :data:`CMD_TRAIN`: ``count`` training presentations from the training stream (which goes on
  where the last one stopped), the first ``pre_presentations`` of the run with the threshold
  pre-run's rule; one result each.
- :data:`CMD_TEST`: ``count`` test patterns from the start of the run's test stream, settling
  only (no learning); one result each.

While idle, ``rd_sel``/``rd_addr`` read the learned state back one clock later on ``rd_data``:
q row j (q_ij of every unit i, unit 0 in the low bits), w row j (w_ij of every unit i, two's
complement) or t (t_i of every unit).
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from gaba.golden import primitives
from gaba.golden.foldiak import bars
from gaba.golden.foldiak import fixed as foldiak
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.golden.foldiak.sources import source as pattern_source
from gaba.hdl import arith
from gaba.hdl import digits as rom

__all__ = [
    "CMD_INIT",
    "CMD_TEST",
    "CMD_TRAIN",
    "READ_Q",
    "READ_T",
    "READ_W",
    "FoldiakLayer",
    "cycles_per_presentation",
    "foldiak_signature",
    "presentation_layout",
    "readback_width",
]

CMD_INIT, CMD_TRAIN, CMD_TEST = 0, 1, 2
READ_Q, READ_W, READ_T = 0, 1, 2


def _check(cfg):
    if not isinstance(cfg, FoldiakConfig):
        raise ValueError(f"the Földiák layer needs a FoldiakConfig, not {cfg!r}")
    if cfg.m != bars.M:
        raise ValueError(
            f"the pattern sources (bars, digits) have {bars.SIDE} x {bars.SIDE} pixels: m must be "
            f"{bars.M}, not {cfg.m}"
        )


def presentation_layout(cfg: FoldiakConfig) -> data.StructLayout:
    """Payload of one presentation's result (fields packed from bit 0 in this order).

    ystar: the settled y* of every unit (y_i = y*_i > 2**(F-1)); label: the pattern's bars
    (bit k = bar k, rows first) or, from the digits, the image's index; index: presentations
    of the run before this one (training, the pre-run included) or the test pattern's index;
    train: a training presentation; w_sat, t_sat: the sticky flags after it.
    """
    return data.StructLayout(
        {
            "ystar": data.ArrayLayout(unsigned(cfg.y_bits), cfg.n),
            "label": unsigned(bars.N_BARS),
            "index": unsigned(32),
            "train": 1,
            "w_sat": 1,
            "t_sat": 1,
        }
    )


def readback_width(cfg: FoldiakConfig) -> int:
    """Width of ``rd_data``: the widest of a q row, a w row and t."""
    return cfg.n * max(cfg.q_bits, cfg.w_bits, cfg.t_bits)


def cycles_per_presentation(cfg: FoldiakConfig, *, train: bool = True) -> int:
    """Clocks from one presentation's GEN to the next when results are taken at once."""
    settle = cfg.settle_steps * (cfg.n + 2)
    return 1 + (cfg.m + 1) + settle + ((max(cfg.m, cfg.n) + 1) if train else 0) + 1


def foldiak_signature(cfg: FoldiakConfig) -> wiring.Signature:
    """The ports of :class:`FoldiakLayer` (see its Members)."""
    _check(cfg)
    return wiring.Signature(
        {
            "start": In(1),
            "cmd": In(2),
            "seed": In(32),
            "run": In(32),
            "count": In(32),
            "busy": Out(1),
            "res": Out(stream.Signature(presentation_layout(cfg))),
            "rd_sel": In(2),
            "rd_addr": In(range(max(cfg.m, cfg.n))),
            "rd_data": Out(readback_width(cfg)),
            "presentations": Out(32),
            "w_sat": Out(1),
            "t_sat": Out(1),
        }
    )


class FoldiakLayer(wiring.Component):
    """n units, m binary inputs, learning on chip (see the module docstring).

    Parameters
    ----------
    cfg : FoldiakConfig
        Widths, constants and sizes; the object the golden model runs. m must be 64 (the
        on-chip bars and the digits have 64 pixels).
    source : str
        The pattern source: ``bars`` (default) or ``digits`` (module docstring).

    Members
    -------
    start : In(1)
        Strobe while not ``busy``: take ``cmd``, ``seed``, ``run``, ``count`` and begin.
    cmd : In(2)
        :data:`CMD_INIT`, :data:`CMD_TRAIN` or :data:`CMD_TEST`.
    seed, run : In(32)
        The run to start (``CMD_INIT`` only).
    count : In(32)
        Presentations or test patterns (0 does nothing).
    busy : Out(1)
        A command is in progress.
    res : Out(stream.Signature(presentation_layout(cfg)))
        One result per presentation; the layer waits for ``ready``.
    rd_sel, rd_addr : In(2), In(range(max(m, n)))
        Read-back address while idle: :data:`READ_Q` row, :data:`READ_W` row or :data:`READ_T`.
    rd_data : Out(readback_width(cfg))
        The addressed row one clock later, units packed from bit 0.
    presentations : Out(32)
        Training presentations of the run so far (the pre-run included).
    w_sat, t_sat : Out(1)
        Sticky saturation flags of the run.
    """

    def __init__(self, cfg: FoldiakConfig, source: str = "bars"):
        _check(cfg)
        self._cfg, self._source = cfg, pattern_source(source).name
        super().__init__(foldiak_signature(cfg))

    @property
    def config(self) -> FoldiakConfig:
        return self._cfg

    def elaborate(self, platform):
        cfg = self._cfg
        n, inputs, cf = cfg.n, cfg.m, cfg.coef_bits
        m = Module()

        # state ---------------------------------------------------------------------------
        m.submodules.q_mem = q_mem = Memory(
            shape=data.ArrayLayout(unsigned(cfg.q_bits), n), depth=inputs, init=[]
        )
        m.submodules.w_mem = w_mem = Memory(
            shape=data.ArrayLayout(signed(cfg.w_bits), n), depth=n, init=[]
        )
        q_rd, w_rd = q_mem.read_port(), w_mem.read_port()
        q_wr, w_wr = q_mem.write_port(granularity=1), w_mem.write_port()
        t = Signal(data.ArrayLayout(signed(cfg.t_bits), n))
        ys = Signal(data.ArrayLayout(unsigned(cfg.y_bits), n))
        qx = Signal(data.ArrayLayout(unsigned(cfg.qx_bits), n))
        acc = Signal(data.ArrayLayout(signed(cfg.lsum_bits), n))
        w_sat = Signal(name="w_sat_r")
        t_sat = Signal(name="t_sat_r")
        pres = Signal(32)  # training presentations of the run so far

        rng_init = Signal(32)  # the init stream (q's initial values)
        rng_train = Signal(32)  # the training stream: goes on from presentation to presentation
        rng_test = Signal(32)  # the test stream, restarted at test_seed by every CMD_TEST
        test_seed = Signal(32)
        key = Signal(32)  # trial_key(seed, run)
        x = Signal(bars.M)  # the pattern; pixel r*8 + c
        images = None  # the digits' ROM read port (its data is the pattern)
        if self._source == "digits":
            m.submodules.images = image_rom = rom.image_rom()
            images = image_rom.read_port()
            # read in GEN only (the port's enable is high by default): held until the next
            m.d.comb += [x.eq(images.data), images.en.eq(0)]
        label = Signal(bars.N_BARS)
        train = Signal()  # the command in progress trains (1) or tests (0)
        remaining = Signal(32)
        index = Signal(32)
        k = Signal(range(max(n * inputs, inputs + 2, n + 2) + 1))  # position within a phase
        i_init = Signal(range(n + 1))  # unit being initialised
        step = Signal(range(cfg.settle_steps + 1))
        pixel = Signal()  # x_j of the row whose data arrives this clock
        y_j = Signal(unsigned(cfg.y_bits))  # y*_j of the w row arriving this clock
        half = cfg.half

        m.d.comb += [
            self.presentations.eq(pres),
            self.w_sat.eq(w_sat),
            self.t_sat.eq(t_sat),
            self.res.payload.ystar.eq(ys),
            self.res.payload.label.eq(label),
            self.res.payload.index.eq(index),
            self.res.payload.train.eq(train),
            self.res.payload.w_sat.eq(w_sat),
            self.res.payload.t_sat.eq(t_sat),
        ]

        # read-back: the memories' read ports while idle, t directly
        sel = Signal(2)
        m.d.sync += sel.eq(self.rd_sel)
        m.d.comb += self.rd_data.eq(
            Mux(
                sel == READ_Q,
                q_rd.data.as_value(),
                Mux(sel == READ_W, w_rd.data.as_value(), t.as_value()),
            )
        )

        # seeding: one fmix32 shared by the four hashes of a run start
        hash_in = Signal(32)
        hashed = Signal(32)
        m.d.comb += hashed.eq(arith.fmix32(m, hash_in))

        with m.FSM(name="fsm") as fsm:
            with m.State("IDLE"):
                m.d.comb += [
                    q_rd.addr.eq(self.rd_addr),
                    w_rd.addr.eq(self.rd_addr),
                    hash_in.eq(self.seed),
                ]
                with m.If(self.start):
                    m.d.sync += [remaining.eq(self.count), k.eq(0)]
                    with m.Switch(self.cmd):
                        with m.Case(CMD_INIT):
                            m.d.sync += [
                                key.eq(hashed + self.run * Const(primitives.WEYL, 32)),
                                pres.eq(0),
                                w_sat.eq(0),
                                t_sat.eq(0),
                                t.eq(0),
                            ]
                            m.next = "SEED"
                        with m.Case(CMD_TRAIN):
                            m.d.sync += [train.eq(1), index.eq(pres)]
                            with m.If(self.count != 0):
                                m.next = "GEN"
                        with m.Case(CMD_TEST):
                            m.d.sync += [train.eq(0), index.eq(0), rng_test.eq(test_seed)]
                            with m.If(self.count != 0):
                                m.next = "GEN"

            with m.State("SEED"):
                # k = 0, 1, 2: the init, training and test streams, fmix32(key ^ STREAM) | 1
                # (a Mux, not an Array of constants: Icarus never evaluates a combinational
                # process whose inputs do not change after time 0)
                stream_const = Mux(
                    k[:2] == 0,
                    foldiak.STREAM_INIT,
                    Mux(k[:2] == 1, foldiak.STREAM_TRAIN, foldiak.STREAM_TEST),
                )
                m.d.comb += hash_in.eq(key ^ stream_const)
                seeded = hashed | 1
                with m.Switch(k[:2]):
                    with m.Case(0):
                        m.d.sync += rng_init.eq(seeded)
                    with m.Case(1):
                        m.d.sync += rng_train.eq(seeded)
                    with m.Case(2):
                        m.d.sync += [test_seed.eq(seeded), rng_test.eq(seeded), k.eq(0)]
                        m.d.sync += i_init.eq(0)
                        m.next = "QINIT"
                with m.If(k[:2] != 2):
                    m.d.sync += k.eq(k + 1)

            with m.State("QINIT"):
                # draw k = i * m + j fills q_ij (the golden order: for i, for j); meanwhile
                # the first n clocks clear the rows of w
                drawn = arith.xorshift32(m, rng_init, name="init_next")
                j = k % inputs if inputs & (inputs - 1) else k[: (inputs - 1).bit_length()]
                m.d.sync += rng_init.eq(drawn)
                m.d.comb += [
                    q_wr.addr.eq(j),
                    q_wr.en.eq((Const(1, n) << i_init)[:n]),
                    w_wr.addr.eq(k),
                    w_wr.en.eq(k < n),
                    w_wr.data.eq(0),
                ]
                for lane in range(n):
                    m.d.comb += q_wr.data[lane].eq(drawn[32 - cfg.q_init_bits :])
                with m.If(j == inputs - 1):
                    m.d.sync += i_init.eq(i_init + 1)
                with m.If(k == n * inputs - 1):
                    m.next = "IDLE"
                with m.Else():
                    m.d.sync += k.eq(k + 1)

            with m.State("GEN"):
                s = Mux(train, rng_train, rng_test)
                r1 = arith.xorshift32(m, s, name="draw1")
                r2 = arith.xorshift32(m, r1, name="draw2")
                if images is None:
                    rows = [r1[3 * b : 3 * b + 3] == 0 for b in range(bars.SIDE)]
                    cols = [r2[3 * b : 3 * b + 3] == 0 for b in range(bars.SIDE)]
                    pattern = Cat(
                        *(rows[r] | cols[c] for r in range(bars.SIDE) for c in range(bars.SIDE))
                    )
                    m.d.sync += [label.eq(Cat(*rows, *cols)), x.eq(pattern)]
                else:
                    address = Mux(train, rom.pick(r2), rom.in_order(index))
                    m.d.comb += [images.addr.eq(address), images.en.eq(1)]
                    m.d.sync += label.eq(address)
                m.d.sync += [qx.eq(0), k.eq(0)]
                with m.If(train):
                    m.d.sync += rng_train.eq(r2)
                with m.Else():
                    m.d.sync += rng_test.eq(r2)
                m.next = "FF"

            with m.State("FF"):
                # clock k reads q row k; row k - 1 arrives and is added where x_j is set
                m.d.comb += q_rd.addr.eq(k)
                m.d.sync += [pixel.eq(x.bit_select(k[: (inputs - 1).bit_length()], 1)), k.eq(k + 1)]
                with m.If((k != 0) & pixel):
                    for i in range(n):
                        m.d.sync += qx[i].eq(qx[i] + q_rd.data[i])
                with m.If(k == inputs):
                    m.d.sync += [k.eq(0), step.eq(0), ys.eq(0), acc.eq(0)]
                    m.next = "SETTLE"

            with m.State("SETTLE"):
                # clocks 0..n: read w row k, multiply-accumulate row k - 1; clock n + 1:
                # every unit's y* from the complete sums (the golden settle step)
                with m.If(k <= n):
                    m.d.comb += w_rd.addr.eq(k)
                    m.d.sync += [y_j.eq(ys[k[: max(1, (n - 1).bit_length())]]), k.eq(k + 1)]
                    with m.If(k != 0):
                        for i in range(n):
                            m.d.sync += acc[i].eq(acc[i] + w_rd.data[i] * y_j)
                with m.Else():
                    for i in range(n):
                        m.d.sync += ys[i].eq(self._settled(m, cfg, i, acc[i], qx[i], t[i], ys[i]))
                    m.d.sync += [acc.eq(0), k.eq(0), step.eq(step + 1)]
                    with m.If(step == cfg.settle_steps - 1):
                        with m.If(train):
                            m.next = "LEARN"
                        with m.Else():
                            m.next = "RESULT"

            with m.State("LEARN"):
                pre = pres < cfg.pre_presentations
                y = [ys[i] > half for i in range(n)]
                rows_q, rows_w = inputs, n
                last = max(rows_q, rows_w)
                m.d.comb += [q_rd.addr.eq(k), w_rd.addr.eq(k)]
                m.d.sync += [
                    pixel.eq(x.bit_select(k[: (inputs - 1).bit_length()], 1)),
                    y_j.eq(ys[k[: max(1, (n - 1).bit_length())]]),
                    k.eq(k + 1),
                ]
                row = k - 1  # the row whose data arrives this clock
                # q row j: q_ij + mulr((x_j << F) - q_ij, beta_c) where y_i
                target = Mux(pixel, cfg.one, 0)
                for i in range(n):
                    q_old = q_rd.data[i]
                    delta = arith.mulr(target - q_old, cfg.beta_c, cf)
                    m.d.comb += q_wr.data[i].eq(Mux(y[i], q_old + delta, q_old))
                m.d.comb += [
                    q_wr.addr.eq(row),
                    q_wr.en.eq(Mux((k != 0) & (row < rows_q) & ~pre, (1 << n) - 1, 0)),
                ]
                # w row j: -dw_on where y_i and y_j, else +dw_off; clip to <= 0, w_jj = 0,
                # saturate at w_min_q
                yj = y_j > half
                hits = []
                for i in range(n):
                    w_old = w_rd.data[i]
                    moved = Mux(y[i] & yj, w_old - cfg.dw_on, w_old + cfg.dw_off)
                    low = moved < cfg.w_min_q
                    hits.append(low & (row != i))  # the diagonal is 0, never saturated
                    clipped = Mux(moved > 0, 0, Mux(low, cfg.w_min_q, moved))
                    m.d.comb += w_wr.data[i].eq(Mux(row == i, 0, clipped))
                w_write = (k != 0) & (row < rows_w) & ~pre
                m.d.comb += [w_wr.addr.eq(row), w_wr.en.eq(w_write)]
                with m.If(w_write & Cat(*hits).any()):
                    m.d.sync += w_sat.eq(1)
                # t in the first clock
                with m.If(k == 0):
                    t_hit = []
                    for i in range(n):
                        on = Mux(pre, cfg.pre_dt_on, cfg.dt_on)
                        off = Mux(pre, cfg.pre_dt_off, cfg.dt_off)
                        moved = Mux(y[i], t[i] + on, t[i] - off)
                        value, below, above = arith.clamp(moved, cfg.t_min_q, cfg.t_max_q)
                        t_hit.append(below | above)
                        m.d.sync += t[i].eq(value)
                    with m.If(Cat(*t_hit).any()):
                        m.d.sync += t_sat.eq(1)
                with m.If(k == last):
                    m.d.sync += pres.eq(pres + 1)
                    m.next = "RESULT"

            with m.State("RESULT"):
                m.d.comb += self.res.valid.eq(1)
                with m.If(self.res.ready):
                    m.d.sync += [remaining.eq(remaining - 1), index.eq(index + 1)]
                    with m.If(train):
                        m.d.sync += index.eq(pres)
                    with m.If(remaining == 1):
                        m.next = "IDLE"
                    with m.Else():
                        m.next = "GEN"
        m.d.comb += self.busy.eq(~fsm.ongoing("IDLE"))
        return m

    @staticmethod
    def _settled(m, cfg, i, acc, qx, t, y_old):
        """y*_i after one settling step from the complete lateral sum ``acc``."""
        fb, cf, half = cfg.frac_bits, cfg.coef_bits, cfg.half

        def wire(value, name, shape):
            sig = Signal(shape, name=f"{name}{i}")
            m.d.comb += sig.eq(value)
            return sig

        # lat = (L + 2**(F-1)) >> F, flooring: the upper bits of the two's complement sum
        lat = wire((acc + half)[fb:].as_signed(), "lat", signed(cfg.lat_bits))
        u = wire(qx + lat - t, "u", signed(cfg.u_bits))
        # clamping u to +-u_lim never changes f (FoldiakConfig.u_lim): a narrow multiplier
        u_c, _, _ = arith.clamp(u, -cfg.u_lim, cfg.u_lim)
        u_c = wire(u_c, "u_c", signed(cfg.u_lim_bits))
        f, _, _ = arith.clamp(half + arith.mulr(u_c, cfg.slope_c, cf), 0, cfg.one)
        f = wire(f, "f", unsigned(cfg.f_bits))
        return y_old + arith.mulr(f - y_old, cfg.settle_c, cf)
