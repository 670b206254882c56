"""The folded nWTA / conventional WTA network: K lanes serve n neurons, their state in memory.

``Config.lanes`` K (a power of two below n) neuron datapaths share the network's n neurons:
neuron i = row * K + lane lives at address ``row`` of lane ``lane``'s memories, and a step is
a *pass* over the ``rows = ceil(n / K)`` rows, one row (K neurons) per clock. Each lane is a
free-running pipeline of the golden step (the nine stages of ``gaba.hdl.nwta.euler_stages``
in the five clocks of :data:`PHASES`, after the memories' read clock): a neuron's words are
read at the row's issue; the generator's next word and the gate history (latency L >= 1) go
back to memory ``gen`` in the read clock, x' and eta' to memory ``state`` in ``WRITE_STAGE``.
Nothing in the pipeline loops, so it takes a new row every clock; the only loop is the
memory itself, a row read once per pass.

What is global over a step is accumulated over the pass from the written values:

- the sum S of the new state's gates, a K-input adder tree into an accumulator; the
  completed S(t + 1) goes into slot (t + 1) mod (L + 1) of a small register file, which the
  pass of step t reads at its start (slot (t - L) mod (L + 1) = (t + 1) mod (L + 1));
- the arg-max of the new x, a K-way tournament (lower lane wins ties) into a running (max,
  index) register that only a strictly larger row maximum replaces (later rows hold higher
  indices), so the winner is the lowest index holding the maximum;
- the final-state digest, a per-lane accumulator ``A = rotr(A, K) ^ w`` whose last value,
  rotated left by ``(rows - 1) * K + lane``, is that lane's share of the XOR;
- the sticky saturation flags, an OR over lanes and passes.

When the pass's last row leaves the trees (``commit``), the step's decision, winner, digest
and flags are taken into output registers, valid from the next clock (``ready``). A new pass
may start before that: with L >= 1 the S it reads was completed a pass or more earlier, so
passes follow each other every :func:`pass_clocks` clocks, ``rows`` once the pipeline
covers it; with L = 0 a pass needs the S of the pass just before it and waits for the
pipeline to drain (``rows + acc_stage`` clocks per step). A pass started after the deciding
one is speculative: it writes memory, but the outputs keep the decided step's values, and the
next trial's load starts over.

A trial starts without touching the memories: the first pass after ``load`` reads each
neuron's initial word (x = eta = 0, generator ``(master ^ fmix32(i + 1)) | 1``, gates 0)
instead of the memories, the generator constants coming from a ROM beside each lane's
memories. The generated Verilog's logic does not grow with n; only the memories' depth (and
the ROM's contents) do.
"""

from __future__ import annotations

from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from gaba.golden import primitives
from gaba.golden.config import Config
from gaba.hdl import arith
from gaba.hdl.nwta import (
    SUM_STAGE,
    euler_stages,
    evidence_ports,
    gate,
    network_ports,
    step_phases,
)
from gaba.hdl.tree import AdderTree, ArgMax

__all__ = [
    "ACC_DELAY",
    "OUT_STAGE",
    "PHASES",
    "READ_STAGE",
    "S_STAGE",
    "WRITE_STAGE",
    "FoldedNetwork",
    "Lane",
    "acc_stage",
    "evidence_word",
    "neuron_layout",
    "pass_clocks",
    "rows",
    "gen_word",
    "state_word",
    "tree_stages",
]

#: The pipeline stage (clocks after a row's issue) in which its memory words arrive.
READ_STAGE = 1
#: The clock (after READ_STAGE) in which each of the golden step's nine stages
#: (``gaba.hdl.nwta.STAGES``) works: ``step_phases(5)``, about one product by a constant or
#: two adders per clock; the ReLU and the Euler step share the last (the step's product by
#: dt/tau is a shift at the paper point, and nothing is registered between them whose low
#: bits the shift would drop).
PHASES = step_phases(5)
#: The stage whose x and eta are written back (the golden step's stage 8, x').
WRITE_STAGE = READ_STAGE + PHASES[8]
#: The stage that reads S(t - L) (the golden step's SUM_STAGE).
S_STAGE = READ_STAGE + PHASES[SUM_STAGE]
#: Clocks from a tree's output to the accumulators' registers.
ACC_DELAY = 0
#: The stage whose values the lanes' (registered) outputs show: the clock after WRITE_STAGE.
OUT_STAGE = WRITE_STAGE + 1


def rows(cfg: Config) -> int:
    """Rows of a pass: ceil(n / K)."""
    return -(-cfg.n // cfg.lanes)


def tree_stages(cfg: Config) -> int:
    """Register stages of the K-input adder tree and tournament: one after every two levels."""
    return -(-(cfg.lanes - 1).bit_length() // 2)


def acc_stage(cfg: Config) -> int:
    """The stage in which a row's sum, maximum, digest and flags reach the accumulators (its
    last row's: the step's ``commit``)."""
    return OUT_STAGE + tree_stages(cfg) + ACC_DELAY


def pass_clocks(cfg: Config) -> int:
    """Clocks from one pass's start to the next's (the clocks per step of a long trial).

    At least ``rows``; at least ``WRITE_STAGE + 1``, so that a row is written back before the
    next pass reads it (the read ports are not transparent); and with latency L the S a pass
    reads, taken ``acc_stage`` clocks after the last row of the pass L + 1 steps earlier
    started, must be in its slot when the pass starts: (L + 1) * pass >= rows + acc_stage.
    With L = 0 that is a drain of ``acc_stage`` clocks per step.
    """
    r, lat = rows(cfg), cfg.latency
    need = r + acc_stage(cfg)
    return max(r, WRITE_STAGE + 1, -(-need // (lat + 1)))


def neuron_layout(cfg: Config) -> data.StructLayout:
    """One neuron's registers as the debug ``peek`` port shows them (``state_layout``'s)."""
    return data.StructLayout(
        {"x": unsigned(cfg.x_state_bits), "eta": signed(cfg.eta_bits), "rng": unsigned(32)}
    )


def state_word(cfg: Config) -> data.StructLayout:
    """The ``state`` memory's word: the x register X and eta (written in WRITE_STAGE)."""
    return data.StructLayout({"x": unsigned(cfg.x_state_bits), "eta": signed(cfg.eta_bits)})


def gen_word(cfg: Config) -> data.StructLayout:
    """The ``gen`` memory's word (written in READ_STAGE): the generator and, with latency
    L >= 1, the gates of the neuron's last L states (``g[0]`` the newest) for the inhibition
    S(t - L) - g(t - L)."""
    fields = {"rng": unsigned(32)}
    if cfg.latency:
        fields["g"] = data.ArrayLayout(unsigned(cfg.x_bits), cfg.latency)
    return data.StructLayout(fields)


def evidence_word(cfg: Config) -> data.StructLayout:
    """The ``evidence`` memory's word (evidence-in networks): a neuron's input b (within
    [0, b_hi]) and whether it was clamped to b_hi on its way in."""
    return data.StructLayout({"value": unsigned(cfg.x_bits), "clamp": 1})


def bank_rows(cfg: Config) -> int:
    """Words of one bank of the ``evidence`` memory: rows rounded up to a power of two (the
    bank bit sits above the row's bits; rows >= 2, since lanes < n)."""
    return 1 << (rows(cfg) - 1).bit_length()


class _Pipe:
    """Named values travelling down a free-running pipeline: ``put(stage, name, value)`` makes
    a value in a stage, ``get(stage, name)`` reads it in a later one (through registers, one
    per stage, shared by every reader). Names in ``clear`` have registers that ``clr``
    empties (valid bits). ``get`` adds its registers to the module's sync domain where it is
    called: never inside an ``m.If``."""

    def __init__(self, m: Module, clr=None, clear=()):
        self.m, self.clr, self.clear = m, clr, set(clear)
        self.made: dict[str, list] = {}

    def put(self, stage, name, value, shape=None):
        # no claims here: rows in a pass's bubbles carry values no step uses
        sig = arith.exact(self.m, None, value, shape, name=name)
        self.made[name] = (stage, [sig])
        return sig

    def get(self, stage, name):
        first, chain = self.made[name]
        if stage < first:
            raise ValueError(f"{name} is made in stage {first}, read in {stage}")
        while first + len(chain) - 1 < stage:
            prev = chain[-1]
            reg = Signal.like(prev, name=f"{name}_s{first + len(chain)}")
            if name in self.clear and self.clr is not None:
                with self.m.If(self.clr):
                    self.m.d.sync += reg.eq(0)
                with self.m.Else():
                    self.m.d.sync += reg.eq(prev)
            else:
                self.m.d.sync += reg.eq(prev)
            chain.append(reg)
        return chain[stage - first]


class Lane(wiring.Component):
    """One lane of the folded network: its neurons' memories, their generator constants, and
    the golden step as a pipeline (see the module's docstring). The row's control (which
    row, whether it is valid, the trial's first pass) travels beside the lanes, in the
    network; a lane carries only its data.

    Two memories, each written back as soon as its next value is known: ``gen`` holds the
    generator and the gate history, whose next values are made in the read clock
    (``READ_STAGE``), ``state`` the x register and eta, written in ``WRITE_STAGE``.

    Parameters
    ----------
    cfg : Config
        With ``lanes`` set.
    lane : int
        This lane's number l: it holds neurons ``row * K + l``.
    debug : bool
        Add the ``peek`` read port.

    Members
    -------
    row : In(range(rows))
        The row issued this cycle (the memories' read address).
    first : In(1)
        The row in ``READ_STAGE`` belongs to the trial's first pass: its words are the
        initial state.
    rd_valid, rd_row : In
        A row is in ``READ_STAGE``, and which.
    top_row : In(1); top_lane : In(range(K))
        The top-input option is in the row in ``READ_STAGE``, in lane ``top_lane``.
    wr_valid, wr_row : In
        A row is in ``WRITE_STAGE``, and which.
    master : In(32); b_lo : In(x_bits)
        The trial's master word; the input of every option but the top one.
    s_inh : In(s_bits)
        S(t - L) of the pass the row in ``S_STAGE`` belongs to.
    out_valid : Out(1)
        A neuron of this lane was in ``WRITE_STAGE`` a clock ago (``OUT_STAGE``; the last row
        may have none in the high lanes); the outputs below are its, and 0 when there is
        none (registers).
    x_view : Out(x_bits)
        Its new x = X >> G (for the arg-max).
    g_new : Out(x_bits)
        The gate of its new x (for the sum; from the x_view register).
    word : Out(32)
        Its digest word.
    eta_hit, r_hit : Out(1)
        The OU clamp or the ReLU acted in its step.
    peek_row : In(range(rows)); peek_first : In(1); peek : Out(neuron_layout(cfg))
        Only with ``debug``: the registers of the neuron at ``peek_row`` a clock later (its
        initial ones while ``peek_first``).
    bank : In(1); theta : In(x_bits); in_hit : Out(1)
        Only with ``evidence``, in place of ``top_row``, ``top_lane`` and ``b_lo``: the bank
        of the ``evidence`` memory the row issued this cycle reads its inputs from; the gate
        threshold; the neuron's input was clamped (beside ``eta_hit``).
    ev_we, ev_row, ev_bank, ev_data : In
        Only with ``evidence``: write ``ev_data`` (:func:`evidence_word`) at row ``ev_row``
        of bank ``ev_bank``.
    """

    def __init__(self, cfg: Config, lane: int, *, debug: bool = False, evidence: bool = False):
        self._cfg, self._lane, self._debug, self._evidence = cfg, lane, debug, evidence
        r, k = rows(cfg), cfg.lanes
        ports = {
            "row": In(range(r)),
            "first": In(1),
            "rd_valid": In(1),
            "rd_row": In(range(r)),
            "top_row": In(1),
            "top_lane": In(range(k)),
            "wr_valid": In(1),
            "wr_row": In(range(r)),
            "master": In(32),
            "b_lo": In(unsigned(cfg.x_bits)),
            "s_inh": In(unsigned(cfg.s_bits)),
            "out_valid": Out(1),
            "x_view": Out(unsigned(cfg.x_bits)),
            "g_new": Out(unsigned(cfg.x_bits)),
            "word": Out(32),
            "eta_hit": Out(1),
            "r_hit": Out(1),
        }
        if evidence:
            for name in ("top_row", "top_lane", "b_lo"):
                del ports[name]
            ports.update(
                {
                    "bank": In(1),
                    "theta": In(unsigned(cfg.x_bits)),
                    "in_hit": Out(1),
                    "ev_we": In(1),
                    "ev_row": In(range(r)),
                    "ev_bank": In(1),
                    "ev_data": In(evidence_word(cfg)),
                }
            )
        if debug:
            ports.update(
                {
                    "peek_row": In(range(r)),
                    "peek_first": In(1),
                    "peek": Out(neuron_layout(cfg)),
                }
            )
        super().__init__(ports)

    def salts(self) -> list[int]:
        """This lane's generator constants fmix32(i + 1), row by row (0 past neuron n - 1)."""
        cfg, k = self._cfg, self._cfg.lanes
        salts = primitives.neuron_salts(rows(cfg) * k).tolist()
        return [
            salts[r * k + self._lane] if r * k + self._lane < cfg.n else 0 for r in range(rows(cfg))
        ]

    def elaborate(self, platform):
        cfg, lane = self._cfg, self._lane
        k, r = cfg.lanes, rows(cfg)
        guard, lat = cfg.x_guard_bits, cfg.latency
        m = Module()
        m.submodules.state = state = Memory(shape=state_word(cfg), depth=r, init=[])
        m.submodules.gen = gen = Memory(shape=gen_word(cfg), depth=r, init=[])
        m.submodules.salt = rom = Memory(shape=unsigned(32), depth=r, init=self.salts())
        st_rd, st_wr = state.read_port(), state.write_port()
        gen_rd, gen_wr = gen.read_port(), gen.write_port()
        salt_rd = rom.read_port()
        m.d.comb += [a.addr.eq(self.row) for a in (st_rd, gen_rd, salt_rd)]
        pipe = _Pipe(m)
        rs, ws = READ_STAGE, WRITE_STAGE

        # READ_STAGE: the words, or the initial state in the trial's first pass
        first = self.first
        x = Mux(first, 0, st_rd.data.x)
        eta = Mux(first, 0, st_rd.data.eta)
        rng = Mux(first, primitives.neuron_seed(self.master, salt_rd.data), gen_rd.data.rng)
        pipe.put(rs, "x", x, unsigned(cfg.x_state_bits))
        pipe.put(rs, "eta", eta, signed(cfg.eta_bits))
        pipe.put(rs, "rng", rng, unsigned(32))
        theta = None
        if self._evidence:
            # the inputs: two banks of one word a row, the bank bit above the row's bits
            m.submodules.evidence = ev = Memory(
                shape=evidence_word(cfg), depth=2 * bank_rows(cfg), init=[]
            )
            ev_rd, ev_wr = ev.read_port(), ev.write_port()
            m.d.comb += [
                ev_rd.addr.eq(Cat(self.row, self.bank)),
                ev_wr.addr.eq(Cat(self.ev_row, self.ev_bank)),
                ev_wr.data.eq(self.ev_data),
                ev_wr.en.eq(self.ev_we),
            ]
            pipe.put(rs, "b", ev_rd.data.value, unsigned(cfg.x_bits))
            pipe.put(rs, "clamp", ev_rd.data.clamp, unsigned(1))
            if cfg.kind == "nwta":  # (conventional WTA gates nothing)
                theta = self.theta
        else:
            is_top = self.top_row & (self.top_lane == lane)
            pipe.put(rs, "b", Mux(is_top, cfg.b_hi, self.b_lo), unsigned(cfg.x_bits))
        g_now = pipe.put(rs, "g", gate(cfg, x[guard:], theta), unsigned(cfg.x_bits))
        # the generator's next word and the gate history go back at once
        gen_next = Signal(gen_word(cfg), name="gen_next")
        m.d.comb += gen_next.rng.eq(arith.xorshift32(m, pipe.get(rs, "rng")))
        if lat:
            history = [Mux(first, 0, gen_rd.data.g[j]) for j in range(lat)]
            pipe.put(rs, "g_old", history[lat - 1], unsigned(cfg.x_bits))
            m.d.comb += gen_next.g.eq(Cat(g_now, *history[: lat - 1]))
        else:
            pipe.put(rs, "g_old", g_now)
        m.d.comb += [
            gen_wr.addr.eq(self.rd_row),
            gen_wr.data.eq(gen_next),
            gen_wr.en.eq(self.rd_valid),
        ]

        # the golden step, stage e in pipeline stage READ_STAGE + PHASES[e]
        def at(stage):
            return rs + PHASES[stage]

        out = euler_stages(
            m,
            cfg,
            lambda stage, name, value, shape=None: pipe.put(at(stage), name, value, shape),
            lambda stage, name: pipe.get(at(stage), name),
            lambda a, b: PHASES[a] == PHASES[b],
            lambda stage, name: pipe.get(at(stage), name),
            self.s_inh,
        )

        # WRITE_STAGE: x and eta go back; the neuron's share of the step's sums
        padded = r * k > cfg.n and lane >= cfg.n - (r - 1) * k  # no neuron in the last row
        valid = self.wr_valid & (self.wr_row != r - 1) if padded else self.wr_valid
        x_next, eta_next = out["x_next"], out["eta_next"]
        new = Signal(state_word(cfg), name="state_next")
        m.d.comb += [
            new.x.eq(x_next),
            new.eta.eq(eta_next),
            st_wr.addr.eq(self.wr_row),
            st_wr.data.eq(new),
            st_wr.en.eq(valid),
        ]
        x_view = x_next[guard:]
        word = arith.digest_word(x_next, eta_next, cfg.x_state_bits, cfg.eta_bits)
        # (registered: the trees start from flip-flops, not from the Euler step's adders; the
        # gate of the registered x is the sum's input, 0 where there is no neuron)
        m.d.comb += self.g_new.eq(gate(cfg, self.x_view, theta))
        m.d.sync += [
            self.out_valid.eq(valid),
            self.x_view.eq(Mux(valid, x_view, 0)),
            self.word.eq(Mux(valid, word, 0)),
            self.eta_hit.eq(valid & out["eta_hit"]),
            self.r_hit.eq(valid & out["r_hit"]),
        ]
        if self._evidence:
            m.d.sync += self.in_hit.eq(valid & pipe.get(ws, "clamp"))
        assert at(8) == ws and at(SUM_STAGE) == S_STAGE

        if self._debug:
            st_peek, gen_peek, salt_peek = state.read_port(), gen.read_port(), rom.read_port()
            peek_first = Signal(name="peek_first_r")
            m.d.comb += [a.addr.eq(self.peek_row) for a in (st_peek, gen_peek, salt_peek)]
            m.d.sync += peek_first.eq(self.peek_first)
            m.d.comb += [
                self.peek.x.eq(Mux(peek_first, 0, st_peek.data.x)),
                self.peek.eta.eq(Mux(peek_first, 0, st_peek.data.eta)),
                self.peek.rng.eq(
                    Mux(
                        peek_first,
                        primitives.neuron_seed(self.master, salt_peek.data),
                        gen_peek.data.rng,
                    )
                ),
            ]
        return m


class FoldedNetwork(wiring.Component):
    """n neurons through ``cfg.lanes`` lanes, as defined by ``gaba.golden.fixed``.

    The ports are :class:`gaba.hdl.nwta.Network`'s, so :class:`gaba.hdl.engine.TrialEngine`
    runs either. While ``en`` is high the network issues rows; a pass (a step) starts
    :func:`pass_clocks` clocks after the one before, the first two clocks after ``load``.
    ``commit`` is high in the clock the step's last row reaches the accumulators, and
    ``ready`` in the next (and in the clock after ``load``): ``decided``, ``winner``,
    ``digest`` and the flags then describe the state after the steps committed so far, and
    hold it until the next commit or load.

    Members
    -------
    en, load, master, top, b_lo : In
        As :class:`gaba.hdl.nwta.Network`'s (``master`` is sampled at ``load``).
    ready, commit, decided, winner, eta_sat, r_sat, digest : Out
        As above.
    hold : In(1)
        Only with ``debug``: no pass starts while it is high (the state in memory then holds
        still once the pass in flight is written: lockstep reads it through ``peek``).
    started : Out(1)
        Only with ``debug``: a pass starts this cycle.
    peek_addr : In(range(n)); peek : Out(neuron_layout(cfg))
        Only with ``debug``: the registers of neuron ``peek_addr``, a clock later.
    s_inh : Out(s_bits)
        Only with ``debug``: S(t - L), what the next pass's inhibition reads.

    With ``evidence`` (``gaba.golden.evidence``) the inputs b_i come from an ``evidence``
    memory in each lane, two banks of one word a row, written through the ``ev_*`` ports,
    and ``top`` and ``b_lo`` give way to:

    theta, stop : In(x_bits)
        The gate threshold (nWTA; conventional WTA gates nothing) and the decision threshold,
        held for the trial.
    bank : In(1)
        The bank the pass starting this cycle reads its inputs from (sampled at the pass's
        start: a pass reads one bank throughout).
    hold, started : as with ``debug``
        The evidence core holds the next pass back while its vector is still arriving.
    in_sat : Out(1)
        Sticky, as the other flags: a committed step read an input marked clamped.
    ev_we, ev_addr, ev_bank, ev_data : In
        Write ``ev_data`` (:func:`evidence_word`) as neuron ``ev_addr``'s input in bank
        ``ev_bank``. A pass reads its rows one a clock from its start, so a bank may be
        refilled, value 0 first, from the clock after the start of the last pass that reads
        it: a write never overtakes the pass's reads.
    """

    def __init__(self, cfg: Config, *, debug: bool = False, evidence: bool = False):
        if not isinstance(cfg, Config) or cfg.lanes is None:
            raise ValueError(f"FoldedNetwork needs a gaba Config with lanes, not {cfg!r}")
        self._cfg, self._debug, self._evidence = cfg, debug, evidence
        ports = network_ports(cfg)
        if debug or evidence:
            ports.update({"hold": In(1), "started": Out(1)})
        if debug:
            ports.update(
                {
                    "peek_addr": In(range(cfg.n)),
                    "peek": Out(neuron_layout(cfg)),
                    "s_inh": Out(unsigned(cfg.s_bits)),
                }
            )
        if evidence:
            del ports["top"], ports["b_lo"]
            runtime = evidence_ports(cfg)
            ports.update(
                {
                    "theta": runtime["theta"],
                    "stop": runtime["stop"],
                    "bank": In(1),
                    "in_sat": Out(1),
                    "ev_we": In(1),
                    "ev_addr": In(range(cfg.n)),
                    "ev_bank": In(1),
                    "ev_data": In(evidence_word(cfg)),
                }
            )
        super().__init__(ports)

    @property
    def config(self) -> Config:
        return self._cfg

    def elaborate(self, platform):
        cfg = self._cfg
        k, r, lat = cfg.lanes, rows(cfg), cfg.latency
        lane_bits = (k - 1).bit_length()
        period = pass_clocks(cfg)
        m = Module()

        # the trial's master word, sampled at load (the engine hashes the next one meanwhile)
        master = Signal(32, name="master_r")
        with m.If(self.load):
            m.d.sync += master.eq(self.master)

        # passes: ``pos`` is this cycle's place in the pass in flight (``active``); a row is
        # issued in each of the first ``rows`` places while en is high
        active = Signal(name="active")
        pos = Signal(range(period), name="pos")
        first = Signal(name="first_pass")
        evidence = self._evidence
        hold = self.hold if self._debug or evidence else Const(0, 1)
        go_on = self.en & ~hold
        ending = ~active | (pos == period - 1)
        issue = active & (pos < r) & self.en
        with m.If(self.load):
            m.d.sync += [active.eq(0), pos.eq(0), first.eq(1)]
        with m.Elif(ending):
            m.d.sync += [active.eq(go_on), pos.eq(0)]
        with m.Else():
            m.d.sync += pos.eq(pos + 1)
        with m.If(~self.load & issue & (pos == r - 1)):
            m.d.sync += first.eq(0)

        # S(t - L) for the pass starting now, from slot (t + 1) mod (L + 1); held for the pass
        slots = lat + 1
        s_buf = Array(Signal(unsigned(cfg.s_bits), name=f"s_slot{j}") for j in range(slots))
        rd_slot = Signal(range(slots), name="rd_slot", init=1 % slots)
        wr_slot = Signal(range(slots), name="wr_slot", init=1 % slots)
        starting = active & (pos == 0) & self.en
        # the slot read as a chain of 2-way choices (continuous assignments in the Verilog:
        # an indexed read is a case statement, which an event-driven simulator leaves
        # undefined until a slot or the index changes, and neither need change for a while)
        s_read = s_buf[0]
        for j in range(1, slots):
            s_read = Mux(rd_slot == j, s_buf[j], s_read)
        s_slot = Signal(unsigned(cfg.s_bits), name="s_rd")
        m.d.comb += s_slot.eq(s_read)
        s_pass = Signal(unsigned(cfg.s_bits), name="s_pass")
        s_issue = Mux(starting, s_slot, s_pass)
        m.d.sync += s_pass.eq(s_issue)
        with m.If(self.load):
            m.d.sync += rd_slot.eq(1 % slots)
        with m.Elif(starting):
            m.d.sync += rd_slot.eq(Mux(rd_slot == slots - 1, 0, rd_slot + 1))
        # what travels beside the lanes: the row's control, S(t - L) of its pass
        ctl = _Pipe(m, self.load, clear=("valid",))
        ctl.put(0, "valid", issue & ~self.load)
        ctl.put(0, "row", pos, unsigned(max(1, (r - 1).bit_length())))  # pos < rows: a row
        ctl.put(0, "first", first)
        ctl.put(0, "head", pos == 0)
        ctl.put(0, "tail", pos == r - 1)
        ctl.put(0, "s", s_issue)
        rs, ws = READ_STAGE, WRITE_STAGE
        rd_row, wr_row = ctl.get(rs, "row"), ctl.get(ws, "row")
        lane_in = {
            "row": pos,
            "first": ctl.get(rs, "first"),
            "rd_valid": ctl.get(rs, "valid"),
            "rd_row": rd_row,
            "wr_valid": ctl.get(ws, "valid"),
            "wr_row": wr_row,
            "master": master,
            "s_inh": ctl.get(S_STAGE, "s"),
        }
        if evidence:
            # the pass's bank, taken at its start (its first row reads the input directly)
            pass_bank = Signal(name="pass_bank")
            with m.If(starting):
                m.d.sync += pass_bank.eq(self.bank)
            ev_row = self.ev_addr[lane_bits:] if lane_bits else self.ev_addr
            lane_in.update(
                {
                    "bank": Mux(starting, self.bank, pass_bank),
                    "theta": self.theta,
                    "ev_row": ev_row,
                    "ev_bank": self.ev_bank,
                    "ev_data": self.ev_data,
                }
            )
        else:
            lane_in.update(
                {
                    "top_row": rd_row == (self.top >> lane_bits),
                    "top_lane": self.top[:lane_bits] if lane_bits else 0,
                    "b_lo": self.b_lo,
                }
            )
        lanes = []
        for lane in range(k):
            m.submodules[f"lane{lane}"] = ln = Lane(cfg, lane, debug=self._debug, evidence=evidence)
            lanes.append(ln)
            m.d.comb += [getattr(ln, name).eq(value) for name, value in lane_in.items()]
            if evidence:
                mine = self.ev_addr[:lane_bits] == lane if lane_bits else 1
                m.d.comb += ln.ev_we.eq(self.ev_we & mine)

        # the trees over the lanes, and the rest of the row's way to the accumulators
        t = tree_stages(cfg)
        m.submodules.sum = tree = AdderTree(k, cfg.x_bits, stages=t)
        m.submodules.argmax = amax = ArgMax(k, cfg.x_bits, stages=t)
        m.d.comb += [tree.en.eq(1), tree.clr.eq(0)]
        for lane, ln in enumerate(lanes):
            m.d.comb += [tree.i[lane].eq(ln.g_new), amax.i[lane].eq(ln.x_view)]
        os = OUT_STAGE
        ctl.put(os, "eta_hit", Cat(*(ln.eta_hit for ln in lanes)).any())
        ctl.put(os, "r_hit", Cat(*(ln.r_hit for ln in lanes)).any())
        if evidence:
            ctl.put(os, "in_hit", Cat(*(ln.in_hit for ln in lanes)).any())

        # the digest: per lane A = rotr(A, K) ^ w over the pass (from 0 at its first row);
        # the last row's value rotated left by (rows - 1) * K + lane is the lane's share
        head_w = ctl.get(os, "head")
        shares = []
        for lane, ln in enumerate(lanes):
            acc = Signal(32, name=f"digest_acc{lane}")
            nxt = Signal(32, name=f"digest_next{lane}")
            m.d.comb += nxt.eq(Mux(head_w, 0, acc.rotate_right(k % 32)) ^ ln.word)
            with m.If(ln.out_valid):
                m.d.sync += acc.eq(nxt)
            shares.append(arith.rotl32(nxt, (r - 1) * k + lane))
        while len(shares) > 1:
            shares = [
                shares[j] ^ shares[j + 1] if j + 1 < len(shares) else shares[j]
                for j in range(0, len(shares), 2)
            ]
        ctl.put(os, "digest", shares[0])

        # the accumulators, and the step's outputs at its last row
        a = acc_stage(cfg)
        valid, head, tail = ctl.get(a, "valid"), ctl.get(a, "head"), ctl.get(a, "tail")
        row, digest = ctl.get(a, "row"), ctl.get(a, "digest")  # (outside any If)
        s_acc = Signal(unsigned(cfg.s_bits), name="s_acc")
        best_x = Signal(unsigned(cfg.x_bits), name="best_x")
        best_i = Signal(range(cfg.n), name="best_i")
        eta_run, r_run = Signal(name="eta_sat_run"), Signal(name="r_sat_run")
        s_new = Signal(unsigned(cfg.s_bits), name="s_new")
        m.d.comb += s_new.eq(Mux(head, 0, s_acc) + tree.o)
        index = Cat(amax.index[:lane_bits], row) if lane_bits else row
        better = head | (amax.max > best_x)
        bx = Mux(better, amax.max, best_x)
        bi = Mux(better, index, best_i)
        # the sticky flags: (output, its running value over the pass, the rows' hits)
        flags = [(self.eta_sat, eta_run, "eta_hit"), (self.r_sat, r_run, "r_hit")]
        if evidence:
            flags.append((self.in_sat, Signal(name="in_sat_run"), "in_hit"))
        flag_new = [run | ctl.get(a, hit) for _, run, hit in flags]
        stop = self.stop if evidence else cfg.stop_q
        m.d.comb += self.commit.eq(valid & tail)
        m.d.sync += self.ready.eq(self.load | self.commit)
        with m.If(self.load):
            m.d.sync += [
                wr_slot.eq(1 % slots),
                *(slot.eq(0) for slot in s_buf),
                self.decided.eq(0),
                self.winner.eq(0),
                self.digest.eq(0),
            ]
            m.d.sync += [sig.eq(0) for out, run, _ in flags for sig in (out, run)]
        with m.Elif(valid):
            m.d.sync += [s_acc.eq(s_new), best_x.eq(bx), best_i.eq(bi)]
            m.d.sync += [run.eq(v) for (_, run, _), v in zip(flags, flag_new, strict=True)]
            with m.If(tail):
                m.d.sync += [
                    s_buf[wr_slot].eq(s_new),
                    wr_slot.eq(Mux(wr_slot == slots - 1, 0, wr_slot + 1)),
                    self.decided.eq(bx >= stop),
                    self.winner.eq(bi),
                    self.digest.eq(digest),
                ]
                m.d.sync += [out.eq(v) for (out, _, _), v in zip(flags, flag_new, strict=True)]

        if self._debug:
            peek_lane = self.peek_addr[:lane_bits] if lane_bits else Const(0, 1)
            peek_row = self.peek_addr[lane_bits:] if lane_bits else self.peek_addr
            lane_q = Signal.like(peek_lane, name="peek_lane_q")
            m.d.sync += lane_q.eq(peek_lane)
            for ln in lanes:
                m.d.comb += [ln.peek_row.eq(peek_row), ln.peek_first.eq(first)]
            with m.Switch(lane_q):
                for lane, ln in enumerate(lanes):
                    with m.Case(lane):
                        m.d.comb += self.peek.eq(ln.peek)
            m.d.comb += self.s_inh.eq(s_slot)
        if self._debug or evidence:
            m.d.comb += self.started.eq(starting)
        return m
