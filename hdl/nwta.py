"""The parallel nWTA / conventional WTA network: one Euler step of all n neurons per clock."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from gaba.golden import noise
from gaba.golden.config import Config
from gaba.hdl import arith
from gaba.hdl.tree import AdderTree, ArgMax

__all__ = ["Network", "state_layout"]


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
        # load clears both (x(t < 0) = 0).
        cfg = self._cfg
        cf, n, lat = cfg.coef_bits, cfg.n, cfg.latency
        m = Module()
        m.submodules.sum = tree = AdderTree(n, cfg.x_bits, stages=lat + 1)
        m.submodules.argmax = argmax = ArgMax(n, cfg.x_bits)

        x = [Signal(unsigned(cfg.x_bits), name=f"x{i}") for i in range(n)]
        eta = [Signal(signed(cfg.eta_bits), name=f"eta{i}") for i in range(n)]
        rng = [Signal(32, name=f"rng{i}", init=1) for i in range(n)]
        eta_sat = Signal(name="eta_sat_r")
        r_sat = Signal(name="r_sat_r")
        step = self.en & ~self.load
        m.d.comb += [tree.en.eq(step), tree.clr.eq(self.load)]

        eta_hit, r_hit = [], []
        for i, salt in enumerate(noise.neuron_salts(n).tolist()):
            # 1. gate of the current state (this neuron's own term)
            g = Signal(unsigned(cfg.x_bits), name=f"g{i}")
            m.d.comb += g.eq(Mux(x[i] >= cfg.theta_q, x[i], 0))
            g_old = g
            for k in range(lat):  # delay line: g(x(t - L))
                reg = Signal.like(g, name=f"g{i}_d{k + 1}")
                with m.If(self.load):
                    m.d.sync += reg.eq(0)
                with m.Elif(step):
                    m.d.sync += reg.eq(g_old)
                g_old = reg

            # Every intermediate used twice is a named signal: the Verilog backend would
            # otherwise repeat its expression at each use.
            def wire(value, name, shape=None, i=i):
                sig = Signal(shape or value.shape(), name=f"{name}{i}")
                m.d.comb += sig.eq(value)
                return sig

            # 2. inhibition from the (delayed) sum without self; the clamp is lossless
            # (widths from the Config: each narrowing below is exact, the value fits)
            d_full = wire(tree.o - g_old, "d_full")  # 0 <= S - g_i, exact
            d = wire(
                Mux(d_full > cfg.d_max, cfg.d_max, d_full[: cfg.d_bits]), "d", unsigned(cfg.d_bits)
            )
            inh = wire(arith.mulr(d, cfg.beta_c, cf), "inh", unsigned(cfg.inh_bits))
            # 3. noise: generator advanced first, then the OU update, saturating
            rng_next = wire(arith.xorshift32(rng[i]), "rng_next")
            xi = arith.irwin_hall4(rng_next)
            eta_sum = wire(
                arith.mulr(eta[i], cfg.ou_a_c, cf) + arith.mulr(xi, cfg.c_xi, cf), "eta_sum"
            )
            eta_next, eta_low, eta_high = arith.clamp(eta_sum, cfg.eta_min, cfg.eta_max)
            eta_n = wire(eta_next, "eta_next")
            # 4. pre-activation (exact, cfg.pre_bits wide) and the saturating ReLU
            b = Mux(self.top == i, cfg.b_hi, self.b_lo)
            pre = wire(
                b + arith.mulr(x[i], cfg.alpha_c, cf) - inh + eta_n, "pre", signed(cfg.pre_bits)
            )
            r, _, r_high = arith.clamp(pre, 0, cfg.x_max)  # below 0 is the ReLU, not a saturation
            r = wire(r, "r")
            # 5. Euler step; x + mulr(r - x, k) lies between x and r, so x_bits holds it exactly
            x_next = wire(x[i] + arith.mulr(r - x[i], cfg.k_dt, cf), "x_next")
            # 1'. gate of the next state, into the tree (registered there: S for step t + 1)
            m.d.comb += tree.i[i].eq(Mux(x_next >= cfg.theta_q, x_next[: cfg.x_bits], 0))
            with m.If(self.load):
                m.d.sync += [x[i].eq(0), eta[i].eq(0), rng[i].eq((self.master ^ salt) | 1)]
            with m.Elif(step):
                m.d.sync += [x[i].eq(x_next), eta[i].eq(eta_n), rng[i].eq(rng_next)]
            eta_hit.append(eta_low | eta_high)
            r_hit.append(r_high)
            m.d.comb += argmax.i[i].eq(x[i])

        with m.If(self.load):
            m.d.sync += [eta_sat.eq(0), r_sat.eq(0)]
        with m.Elif(step):
            m.d.sync += [
                eta_sat.eq(eta_sat | Cat(*eta_hit).any()),
                r_sat.eq(r_sat | Cat(*r_hit).any()),
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
            fields = [part for i in range(n) for part in (x[i], eta[i], rng[i])]
            m.d.comb += self.state.as_value().eq(Cat(*fields, tree.o, eta_sat, r_sat))
        return m
