"""The parallel nWTA / conventional WTA network: one Euler step of all n neurons per clock."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from gaba.golden import noise
from gaba.golden.config import Config
from gaba.hdl import arith
from gaba.hdl.tree import AdderTree, ArgMax

__all__ = ["Network", "Neuron", "state_layout"]


def state_layout(cfg: Config) -> data.StructLayout:
    """Layout of the debug ``state`` port: every register that lockstep comparison reads.

    ``neurons[i]`` holds x, eta (two's complement) and the generator state of neuron i after
    the steps done so far; ``s_inh`` is the sum S(t - L) the next step's inhibition uses;
    ``eta_sat`` and ``r_sat`` are the sticky flags.
    """
    neuron = data.StructLayout(
        {
            "x": unsigned(cfg.x_bits),
            "eta": signed(cfg.eta_bits),
            "rng": unsigned(32),
        }
    )
    return data.StructLayout(
        {
            "neurons": data.ArrayLayout(neuron, cfg.n),
            "s_inh": unsigned(cfg.s_bits),
            "eta_sat": 1,
            "r_sat": 1,
        }
    )


class Network(wiring.Component):
    """n neurons with global (nonlinear) inhibition, as defined by ``gaba.golden.fixed``.

    In every cycle with ``en`` high, every neuron takes one Euler step from the current state
    (docs/semantics.md, steps 1 to 5); ``load`` starts a trial instead. The decision outputs
    are combinational on the current state, so they describe the state after the last step.

    Parameters
    ----------
    cfg : Config
        Widths, constants, latency and n; the same object the golden model runs.
    debug : bool
        Add the ``state`` port (every register, for lockstep comparison).

    Members
    -------
    en : In(1)
        Take one step this cycle.
    load : In(1)
        Start a trial this cycle (priority over ``en``): x = eta = 0, generators seeded from
        ``master``, inhibition history and sticky flags cleared.
    master : In(32)
        The trial's master word (sampled when ``load`` is high).
    top : In(range(n))
        The top-input option; it receives ``b_hi``, every other neuron ``b_lo``. Hold it for
        the whole trial.
    b_lo : In(x_bits)
        Input of the weaker options (Config's ``b_lo`` unless the host sets a gap).
    decided : Out(1)
        Some x_i >= stop_q.
    winner : Out(range(n))
        Lowest index holding the largest x.
    eta_sat, r_sat : Out(1)
        Sticky saturation flags.
    digest : Out(32)
        Final-state digest of x and eta (``gaba.golden.fixed.digest``).
    state : Out(state_layout(cfg))
        Only with ``debug``.
    """

    def __init__(self, cfg: Config, *, debug: bool = False):
        if not isinstance(cfg, Config):
            raise ValueError(f"Network needs a gaba Config, not {cfg!r}")
        self._cfg, self._debug = cfg, debug
        ports = {
            "en": In(1),
            "load": In(1),
            "master": In(32),
            "top": In(range(cfg.n)),
            "b_lo": In(unsigned(cfg.x_bits)),
            "decided": Out(1),
            "winner": Out(range(cfg.n)),
            "eta_sat": Out(1),
            "r_sat": Out(1),
            "digest": Out(32),
        }
        if debug:
            ports["state"] = Out(state_layout(cfg))
        super().__init__(ports)

    @property
    def config(self) -> Config:
        return self._cfg

    def elaborate(self, platform):
        # The neurons share one global sum S of gated activations; each neuron subtracts its
        # own g to exclude self-inhibition, so the circuit has O(n) adders, not O(n^2). The
        # adder tree sums the gates of the *next* state and its last register stage holds
        # S(x(t)) during step t: the neurons read a register, so a simulator re-evaluates
        # each neuron once per clock instead of once per change inside the tree. With latency
        # L the tree has L + 1 stages and each neuron's own g passes an L-deep delay line, so
        # both describe the state L steps ago, exactly as the golden model's history does;
        # load clears both (x(t < 0) = 0). Each neuron is a module of its own: the Verilog
        # reads neuron by neuron, and the converter handles one small module at a time.
        cfg = self._cfg
        n = cfg.n
        m = Module()
        m.submodules.sum = tree = AdderTree(n, cfg.x_bits, stages=cfg.latency + 1)
        m.submodules.argmax = argmax = ArgMax(n, cfg.x_bits)
        step = self.en & ~self.load
        m.d.comb += [tree.en.eq(step), tree.clr.eq(self.load)]

        neurons = []
        for i, salt in enumerate(noise.neuron_salts(n).tolist()):
            m.submodules[f"neuron{i}"] = nrn = Neuron(cfg, salt)
            neurons.append(nrn)
            m.d.comb += [
                nrn.step.eq(step),
                nrn.load.eq(self.load),
                nrn.master.eq(self.master),
                nrn.b.eq(Mux(self.top == i, cfg.b_hi, self.b_lo)),
                nrn.s_inh.eq(tree.o),
                tree.i[i].eq(nrn.g_next),
                argmax.i[i].eq(nrn.x),
            ]
        x = [nrn.x for nrn in neurons]
        eta = [nrn.eta for nrn in neurons]

        eta_sat = Signal(name="eta_sat_r")
        r_sat = Signal(name="r_sat_r")
        with m.If(self.load):
            m.d.sync += [eta_sat.eq(0), r_sat.eq(0)]
        with m.Elif(step):
            m.d.sync += [
                eta_sat.eq(eta_sat | Cat(*(nrn.eta_hit for nrn in neurons)).any()),
                r_sat.eq(r_sat | Cat(*(nrn.r_hit for nrn in neurons)).any()),
            ]

        # 6. decision on the current state
        m.d.comb += [
            self.decided.eq(argmax.max >= cfg.stop_q),
            self.winner.eq(argmax.index),
            self.eta_sat.eq(eta_sat),
            self.r_sat.eq(r_sat),
            self.digest.eq(arith.digest(x, eta, cfg.x_bits, cfg.eta_bits)),
        ]
        if self._debug:
            # One concatenation in the layout's field order (neurons' x, eta, rng, then s_inh
            # and the flags): per-field assignments would become one process rewriting the
            # whole word on every change, which event-driven simulators evaluate n^2 times.
            fields = [part for nrn in neurons for part in (nrn.x, nrn.eta, nrn.rng)]
            m.d.comb += self.state.as_value().eq(Cat(*fields, tree.o, eta_sat, r_sat))
        return m


class Neuron(wiring.Component):
    """One neuron's registers and its Euler step (docs/semantics.md, steps 1 to 5).

    Parameters
    ----------
    cfg : Config
        Widths, constants and latency.
    salt : int
        The neuron's generator constant, fmix32(i + 1): it starts each trial at
        ``(master ^ salt) | 1``.

    Members
    -------
    step, load : In(1)
        Take one step; start a trial (x = eta = 0, generator seeded, delay line cleared).
    master : In(32)
        The trial's master word.
    b : In(x_bits)
        This neuron's input for the trial.
    s_inh : In(s_bits)
        The global sum S(t - L) of the step.
    x, eta, rng : Out
        The registers.
    g_next : Out(x_bits)
        Gate of the next state, for the global sum.
    eta_hit, r_hit : Out(1)
        The OU register or the ReLU saturates in this step.
    """

    def __init__(self, cfg: Config, salt: int):
        self._cfg, self._salt = cfg, salt
        super().__init__(
            {
                "step": In(1),
                "load": In(1),
                "master": In(32),
                "b": In(unsigned(cfg.x_bits)),
                "s_inh": In(unsigned(cfg.s_bits)),
                "x": Out(unsigned(cfg.x_bits)),
                "eta": Out(signed(cfg.eta_bits)),
                "rng": Out(32, init=1),
                "g_next": Out(unsigned(cfg.x_bits)),
                "eta_hit": Out(1),
                "r_hit": Out(1),
            }
        )

    def elaborate(self, platform):
        cfg = self._cfg
        cf = cfg.coef_bits
        m = Module()
        x, eta, rng = self.x, self.eta, self.rng

        # Every intermediate used twice is a named signal: the Verilog backend would otherwise
        # repeat its expression at each use. Widths come from the Config; each narrowing is
        # exact (the value fits).
        def wire(value, name, shape=None):
            sig = Signal(shape or value.shape(), name=name)
            m.d.comb += sig.eq(value)
            return sig

        # 1. gate of the current state (this neuron's own term), delayed by L steps
        g_old = wire(Mux(x >= cfg.theta_q, x, 0), "g", unsigned(cfg.x_bits))
        for k in range(cfg.latency):
            reg = Signal.like(g_old, name=f"g_d{k + 1}")
            with m.If(self.load):
                m.d.sync += reg.eq(0)
            with m.Elif(self.step):
                m.d.sync += reg.eq(g_old)
            g_old = reg
        # 2. inhibition from the (delayed) sum without self; the clamp is lossless
        d_full = wire(self.s_inh - g_old, "d_full")  # 0 <= S - g_i, exact
        d = wire(
            Mux(d_full > cfg.d_max, cfg.d_max, d_full[: cfg.d_bits]), "d", unsigned(cfg.d_bits)
        )
        inh = wire(arith.mulr(d, cfg.beta_c, cf), "inh", unsigned(cfg.inh_bits))
        # 3. noise: generator advanced first, then the OU update, saturating
        rng_next = wire(arith.xorshift32(rng), "rng_next")
        xi = arith.irwin_hall4(rng_next)
        eta_sum = wire(arith.mulr(eta, cfg.ou_a_c, cf) + arith.mulr(xi, cfg.c_xi, cf), "eta_sum")
        eta_next, eta_low, eta_high = arith.clamp(eta_sum, cfg.eta_min, cfg.eta_max)
        eta_n = wire(eta_next, "eta_next", signed(cfg.eta_bits))
        # 4. pre-activation (exact, cfg.pre_bits wide) and the saturating ReLU
        pre = wire(
            self.b + arith.mulr(x, cfg.alpha_c, cf) - inh + eta_n, "pre", signed(cfg.pre_bits)
        )
        r, _, r_high = arith.clamp(pre, 0, cfg.x_max)  # below 0 is the ReLU, not a saturation
        r = wire(r, "r", unsigned(cfg.x_bits))
        # 5. Euler step; x + mulr(r - x, k) lies between x and r, so x_bits holds it exactly
        x_next = wire(x + arith.mulr(r - x, cfg.k_dt, cf), "x_next", unsigned(cfg.x_bits))
        # 1'. gate of the next state, into the global sum (registered there: S for step t + 1)
        m.d.comb += [
            self.g_next.eq(Mux(x_next >= cfg.theta_q, x_next, 0)),
            self.eta_hit.eq(self.step & (eta_low | eta_high)),
            self.r_hit.eq(self.step & r_high),
        ]
        with m.If(self.load):
            m.d.sync += [x.eq(0), eta.eq(0), rng.eq((self.master ^ self._salt) | 1)]
        with m.Elif(self.step):
            m.d.sync += [x.eq(x_next), eta.eq(eta_n), rng.eq(rng_next)]
        return m
