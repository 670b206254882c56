"""The HTM spatial pooler in hardware, learning on chip: the fixed-point model
(``gaba.golden.htm.fixed``) folded over its columns, one column a clock.

Each column's row lives in block RAM: its permanences (``inputs`` x ``perm_bits``), its
potential pool (``inputs`` bits, read only) and its state (boost, overlap and active duty
cycles). A step takes an input word from the ``x`` stream and runs three phases:

1. overlap: a column a clock, its row read, overlap = popcount(pool & perm >= connected & x)
   (an adder tree of ``inputs`` bits) times its boost into a register per column, and
   overlap > 0 kept as a bit;
2. inhibition: the k largest boosted overlaps, ties to the larger column index, by the
   bit-serial search (``gaba.hdl.kwta.KWinners`` over the columns in reverse order, whose tie
   rule is the lowest index: reversed, the largest), ``width + 1`` clocks whatever the
   columns;
3. learning (when the word asks for it): a column a clock, its row read, adapted if active
   (``inputs`` saturating adders), its duty cycles advanced, bumped if weak, its boost looked
   up, and written back in the next clock; the largest overlap duty is kept, and at every
   iteration that is a multiple of 50 (and learns) the minimum overlap duty becomes
   (max * pct_q) >> 16.

The active columns' mask then leaves on the ``active`` stream. The initial rows are the
golden model's initial state of the seed (the memories' init). Global inhibition and a
stimulus threshold of 0 (htm.core's default) only: a threshold needs the raise to threshold,
which is not built.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from gaba.golden import digits
from gaba.golden.htm.fixed import (
    PCT_BITS,
    FixedSpatialPooler,
    SpatialPoolerConfig,
    input_chunks,
)
from gaba.golden.htm.reference import UPDATE_PERIOD
from gaba.golden.kwta import KwtaConfig
from gaba.hdl import arith
from gaba.hdl import digits as rom
from gaba.hdl.argmax import ScoreEngine, generator_words
from gaba.hdl.kwta import KWinners
from gaba.hdl.tree import AdderTree

__all__ = [
    "DigitsPoolerEngine",
    "SpatialPoolerCore",
    "SpatialPoolerEngine",
    "boosted_bits",
    "column_layout",
    "digits_layout",
    "engine_layout",
    "step_clocks",
]


def column_layout(cfg: SpatialPoolerConfig) -> data.StructLayout:
    """A column's state word: its boost and its two duty cycles (Q0.duty_bits, up to 1.0)."""
    duty = unsigned(cfg.duty_bits + 1)
    return data.StructLayout(
        {"boost": unsigned(cfg.boost_width), "overlap_duty": duty, "active_duty": duty}
    )


def boosted_bits(cfg: SpatialPoolerConfig) -> int:
    """Bits of a boosted overlap: inputs * (2**boost_width - 1) fits."""
    return (cfg.params.inputs * ((1 << cfg.boost_width) - 1)).bit_length()


def step_clocks(cfg: SpatialPoolerConfig, learn: bool) -> int:
    """Clocks a step works, from the clock after its input word is taken to the last before
    its mask is offered: the overlap pass (columns + 2, the memories' read clock and the
    search's load included), the search (one clock per bit of a boosted overlap), taking the
    mask, and the learning pass (columns + 2) when the step learns."""
    columns = cfg.params.columns
    return (columns + 2) + boosted_bits(cfg) + 1 + ((columns + 2) if learn else 0)


class SpatialPoolerCore(wiring.Component):
    """The spatial pooler of ``cfg`` from the golden model's initial state of ``seed``.

    Members
    -------
    x : In(stream.Signature(StructLayout({"bits": inputs, "learn": 1})))
        One input word a step, and whether the step learns.
    active : Out(stream.Signature(columns))
        The step's active columns (bit c: column c).
    """

    def __init__(self, cfg: SpatialPoolerConfig, seed: int = 1):
        if not isinstance(cfg, SpatialPoolerConfig):
            raise ValueError(f"The spatial pooler core needs a SpatialPoolerConfig, not {cfg!r}")
        if cfg.params.stimulus_threshold != 0:
            raise ValueError("The spatial pooler core has a stimulus threshold of 0 only")
        self._cfg, self._start = cfg, FixedSpatialPooler(cfg, seed)
        p = cfg.params
        super().__init__(
            {
                "x": In(stream.Signature(data.StructLayout({"bits": p.inputs, "learn": 1}))),
                "active": Out(stream.Signature(p.columns)),
            }
        )

    def elaborate(self, platform):
        cfg, start = self._cfg, self._start
        p = cfg.params
        n_in, n_col, pb, f = p.inputs, p.columns, cfg.perm_bits, cfg.duty_bits
        m = Module()

        perm_row = data.ArrayLayout(unsigned(pb), n_in)
        col_layout = column_layout(cfg)
        one = 1 << cfg.boost_bits
        m.submodules.perm = perm = Memory(
            shape=perm_row, depth=n_col, init=[[int(v) for v in row] for row in start.perm]
        )
        m.submodules.pool = pool = Memory(
            shape=unsigned(n_in),
            depth=n_col,
            init=[sum(1 << i for i in range(n_in) if row[i]) for row in start.potential],
        )
        m.submodules.state = state = Memory(
            shape=col_layout,
            depth=n_col,
            init=[{"boost": one, "overlap_duty": 0, "active_duty": 0}] * n_col,
        )
        perm_rd, pool_rd, state_rd = perm.read_port(), pool.read_port(), state.read_port()
        perm_wr, state_wr = perm.write_port(), state.write_port()
        table = cfg.boost_table.tolist()
        m.submodules.boost_rom = boost_rom = Memory(
            shape=unsigned(cfg.boost_width), depth=len(table), init=table
        )
        boost_rd = boost_rom.read_port(domain="comb")

        x = Signal(n_in)
        learn = Signal()
        # the iterations so far, up to 2**duty_shift: all the duty cycles' shift needs (it
        # saturates there, so a core that learns for ever never wraps it)
        iteration = Signal(cfg.duty_shift + 1)
        tick = Signal(range(UPDATE_PERIOD))  # iteration mod 50 (taken with the input word)
        col = Signal(range(n_col + 1))  # the column being read
        prev = Signal(range(n_col))  # the column whose row is out of the memories
        have = Signal()  # a row is out of the memories this clock
        width = boosted_bits(cfg)
        boosted = [Signal(width, name=f"boosted{c}") for c in range(n_col)]
        nonzero = Signal(n_col)
        min_duty = Signal(f + 1)
        max_duty = Signal(f + 1)
        mask = Signal(n_col)

        # the k-WTA over the columns reversed: its lowest-index tie rule is the larger column's
        kcfg = KwtaConfig.paper(n=n_col, width=width, k=cfg.k)
        m.submodules.select = select = KWinners(kcfg)
        m.d.comb += [select.i[j].eq(boosted[n_col - 1 - j]) for j in range(n_col)]
        won = Cat(*(select.mask[n_col - 1 - c] for c in range(n_col)))

        # the row out of the memories, and what the passes make of it
        row_perm = perm_rd.data
        row_pool = pool_rd.data
        row_state = state_rd.data
        connected = Cat(*(row_perm[i] >= cfg.connected_q for i in range(n_in)))
        m.submodules.count = count = AdderTree(n_in, 1)
        hits = row_pool & connected & x
        m.d.comb += [count.i[i].eq(hits[i]) for i in range(n_in)]
        overlap = count.o
        product = Signal(boosted_bits(cfg), name="boosted_overlap")  # one multiplier for all
        m.d.comb += product.eq(overlap * row_state.boost)

        # the duty cycles' shift: min(log2 period, floor(log2 iteration))
        shift = Signal(range(cfg.duty_shift + 1))
        floor_log2 = Const(0, 6)
        for b in range(len(iteration)):
            floor_log2 = Mux(iteration[b], b, floor_log2)
        m.d.comb += shift.eq(Mux(floor_log2 > cfg.duty_shift, cfg.duty_shift, floor_log2))

        def advance(duty, value):  # dc - (dc >> s) + (v << (F - s))
            step = Mux(value, Const(1 << f, f + 1) >> shift, 0)
            return (duty - (duty >> shift) + step)[: f + 1]

        active_c = mask.bit_select(prev, 1)
        overlap_duty = advance(row_state.overlap_duty, nonzero.bit_select(prev, 1))
        active_duty = advance(row_state.active_duty, active_c)
        weak = overlap_duty < min_duty
        top = cfg.perm_max
        new_row = Signal(perm_row)
        for i in range(n_in):
            v = row_perm[i]
            up = Mux(v + cfg.inc_q > top, top, v + cfg.inc_q)
            down = Mux(v < cfg.dec_q, 0, v - cfg.dec_q)
            adapted = Mux(~row_pool[i], 0, Mux(active_c, Mux(x[i], up, down), v))
            bumped = Mux(adapted + cfg.bump_q > top, top, adapted + cfg.bump_q)
            m.d.comb += new_row[i].eq(Mux(weak & row_pool[i], bumped, adapted))
        bucket = active_duty >> (f - cfg.boost_index_bits)
        last_bucket = len(table) - 1
        m.d.comb += boost_rd.addr.eq(Mux(bucket > last_bucket, last_bucket, bucket))

        for port in (perm_rd, pool_rd, state_rd):
            m.d.comb += port.addr.eq(col)

        with m.FSM() as fsm:
            with m.State("IDLE"):
                m.d.comb += self.x.ready.eq(1)
                with m.If(self.x.valid):
                    m.d.sync += [
                        x.eq(self.x.payload.bits),
                        learn.eq(self.x.payload.learn),
                        iteration.eq(Mux(iteration[-1], iteration, iteration + 1)),
                        col.eq(0),
                        have.eq(0),
                    ]
                    m.next = "OVERLAP"
            with m.State("OVERLAP"):
                with m.If(have):
                    for c in range(n_col):
                        with m.If(prev == c):
                            m.d.sync += [
                                boosted[c].eq(product),
                                nonzero[c].eq(overlap != 0),
                            ]
                with m.Elif(col == n_col):
                    m.d.comb += select.load.eq(1)
                    m.next = "SELECT"
            with m.State("SELECT"):
                with m.If(select.done):
                    m.next = "TAKE"
            with m.State("TAKE"):
                m.d.sync += [mask.eq(won), col.eq(0), have.eq(0), max_duty.eq(0)]
                with m.If(learn):
                    m.next = "LEARN"
                with m.Else():
                    m.next = "OFFER"
            with m.State("LEARN"):
                with m.If(have):
                    m.d.comb += [
                        perm_wr.addr.eq(prev),
                        perm_wr.data.eq(new_row),
                        perm_wr.en.eq(1),
                        state_wr.addr.eq(prev),
                        state_wr.data.boost.eq(boost_rd.data),
                        state_wr.data.overlap_duty.eq(overlap_duty),
                        state_wr.data.active_duty.eq(active_duty),
                        state_wr.en.eq(1),
                    ]
                    with m.If(overlap_duty > max_duty):
                        m.d.sync += max_duty.eq(overlap_duty)
                with m.Elif(col == n_col):
                    with m.If(tick == 0):  # (the iteration is a multiple of 50)
                        m.d.sync += min_duty.eq((max_duty * cfg.pct_q) >> PCT_BITS)
                    m.next = "OFFER"
            with m.State("OFFER"):
                m.d.comb += [self.active.valid.eq(1), self.active.payload.eq(mask)]
                with m.If(self.active.ready):
                    m.next = "IDLE"
        # both passes walk the columns: a row read a clock, each out of the memories a clock
        # later (``prev``, ``have``)
        with m.If(fsm.ongoing("OVERLAP") | fsm.ongoing("LEARN")):
            m.d.sync += [have.eq(col != n_col), prev.eq(col)]
            with m.If(col != n_col):
                m.d.sync += col.eq(col + 1)
        # iteration mod 50 counts every step, learning or not, as the golden model's
        with m.If(self.x.valid & self.x.ready):
            m.d.sync += tick.eq(Mux(tick == UPDATE_PERIOD - 1, 0, tick + 1))
        return m


def engine_layout(cfg: SpatialPoolerConfig) -> data.StructLayout:
    """One step's result from :class:`SpatialPoolerEngine`: the active columns' mask and the
    clocks from the step's start to its result (``step_clocks`` + 3: the load, the offer,
    the result)."""
    clocks = (step_clocks(cfg, True) + 3).bit_length()
    return data.StructLayout({"active": unsigned(cfg.n), "clocks": unsigned(clocks)})


class SpatialPoolerEngine(ScoreEngine):
    """A training run on chip: ``count`` learning steps of :class:`SpatialPoolerCore` (the
    initial state of seed 1) on inputs its own source makes from the run's seed
    (``gaba.golden.htm.fixed.input_words``), one result (the mask) a step: the trial engine of
    ``gaba.hdl.argmax.ScoreEngine``, a step for a trial. The core keeps learning from run to
    run; a reset restores its initial state."""

    def __init__(self, cfg: SpatialPoolerConfig, layout=None, ports=None):
        if not isinstance(cfg, SpatialPoolerConfig):
            raise ValueError(f"The spatial pooler engine needs a SpatialPoolerConfig, not {cfg!r}")
        super().__init__(cfg, layout or engine_layout(cfg), ports)

    def draw(self, m, key, trial):
        words = generator_words(m, key, input_chunks(self._cfg), 32)
        return [Cat(*(w & arith.xorshift32(m, w) for w in words))[: self._cfg.inputs]]

    def select(self, m, drawn, load, clocks, trial):
        m.submodules.core = core = SpatialPoolerCore(self._cfg, 1)
        mask = Signal(self._cfg.n)
        m.d.comb += [
            core.x.valid.eq(load),
            core.x.payload.bits.eq(drawn[0]),
            core.x.payload.learn.eq(1),
            core.active.ready.eq(1),
        ]
        with m.If(core.active.valid):
            m.d.sync += mask.eq(core.active.payload)
        return core.active.valid, {"active": mask}


def digits_layout(cfg: SpatialPoolerConfig) -> data.StructLayout:
    """One step's result from :class:`DigitsPoolerEngine`: the active columns' mask, the
    image, whether the step learned, and the clocks from the step's start to its result
    (``step_clocks`` + 5: the word's register, the image's read, the load, the offer, the
    result)."""
    clocks = (step_clocks(cfg, True) + 5).bit_length()
    return data.StructLayout(
        {
            "active": unsigned(cfg.n),
            "image": unsigned((digits.IMAGES - 1).bit_length()),
            "learn": 1,
            "clocks": unsigned(clocks),
        }
    )


class DigitsPoolerEngine(SpatialPoolerEngine):
    """The spatial pooler learning scikit-learn's digits on chip (``gaba.golden.htm.digits``):
    the images in a block-RAM ROM (``gaba.hdl.digits``), the pooler of
    :class:`SpatialPoolerCore` (64 inputs), a step a trial. Step t of a run (its index in the
    run, ``first`` included) learns when t < ``learning``, on the training image its first
    generator word picks; after that it codes image min(t - learning, 1796) and does not
    learn. Each result is the step's mask, its image, whether it learned and its clocks."""

    def __init__(self, cfg: SpatialPoolerConfig):
        if isinstance(cfg, SpatialPoolerConfig) and cfg.inputs != 64:
            raise ValueError(
                f"The digits have 64 pixels: the pooler needs 64 inputs, not {cfg.inputs}"
            )
        super().__init__(cfg, digits_layout(cfg), {"learning": In(32)})

    def draw(self, m, key, trial):
        # the generator word is registered (off the path from the key through fmix32), then
        # picks the image whose ROM address is read in the next clock: key and trial hold
        # through the trial, so the word is right from the trial's second clock and the image
        # out of the ROM from its third, when the core takes it (select)
        m.submodules.images = images = rom.image_rom()
        read = images.read_port()
        word = Signal(32)
        learn = Signal()
        image = Signal(len(read.addr))
        m.d.sync += word.eq(generator_words(m, key, 2, 32)[0])
        m.d.comb += [
            learn.eq(trial < self.learning),
            image.eq(Mux(learn, rom.pick(word), rom.in_order(trial - self.learning))),
            read.addr.eq(image),
        ]
        return [read.data, learn, image]

    def select(self, m, drawn, load, clocks, trial):
        bits, learn, image = drawn
        m.submodules.core = core = SpatialPoolerCore(self._cfg, 1)
        picked, offer = Signal(), Signal()  # the clocks after the load: word, then image
        mask = Signal(self._cfg.n)
        m.d.sync += [picked.eq(load), offer.eq(picked)]
        m.d.comb += [
            core.x.valid.eq(offer),
            core.x.payload.bits.eq(bits),
            core.x.payload.learn.eq(learn),
            core.active.ready.eq(1),
        ]
        with m.If(core.active.valid):
            m.d.sync += mask.eq(core.active.payload)
        return core.active.valid, {"active": mask, "image": image, "learn": learn}
