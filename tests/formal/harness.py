"""What the formal harnesses share: a circuit's inputs as the harness's free ports, two
networks loaded and run as one trial (the miters), and a circuit's registers by name (for a
property about its internal state)."""

from __future__ import annotations

from amaranth.hdl import Assume, Cat, Const, Fragment, Module, Mux, ResetSignal, Signal, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from gaba.golden.config import Config

__all__ = ["FreeInputs", "TrialMiter", "control_agrees", "ports_of", "registers", "signals"]


def registers(fragment: Fragment, *path: str) -> dict[str, Signal]:
    """The registers of an elaborated circuit (``Fragment.get(circuit, platform)``, which the
    harness then instantiates as its submodule) or of its submodule at ``path`` (names of
    submodules, e.g. ``"neuron0"``), by name: every signal its own ``sync`` statements
    assign. A name held twice is left out (ambiguous)."""
    for name in path:
        fragment = fragment.find_subfragment(name)
    found: dict[str, Signal] = {}
    twice = set()
    for stmt in fragment.statements.get("sync", []):
        for sig in stmt._lhs_signals():
            if found.get(sig.name, sig) is not sig:
                twice.add(sig.name)
            found[sig.name] = sig
    return {name: sig for name, sig in found.items() if name not in twice}


def control_agrees(fragment: Fragment, cfg: Config) -> Value:
    """That a network's step-control registers set a clock ahead (``hdl.nwta``'s
    ``step_control``) hold what they stand for: ``priming`` is ``priming_left != 0`` and
    ``last`` is ``phase == P - 1``. The network's claims state it of every reachable state; a
    harness whose first state is free (``prove(free_init=True)``) assumes it of that state,
    next to the count and the phase it chooses."""
    regs = registers(fragment)
    tests = [Const(1, 1)]
    if "priming" in regs:
        tests.append(regs["priming"] == (regs["priming_left"] != 0))
    if cfg.step_clocks > 1:
        tests.append(regs["last"] == (regs["phase"] == cfg.step_clocks - 1))
    return Cat(*tests).all()


def signals(fragment: Fragment, *path: str, skip=()) -> dict[str, Signal]:
    """Every signal a circuit's own statements assign (combinational ones too, e.g. the values
    its stages make), by name, as :func:`registers` finds them; signals in ``skip`` are passed
    over (a circuit's ports, which may share a name with an internal signal)."""
    for name in path:
        fragment = fragment.find_subfragment(name)
    found: dict[str, Signal] = {}
    twice = set()
    for stmts in fragment.statements.values():
        for stmt in stmts:
            for sig in stmt._lhs_signals():
                if any(sig is port for port in skip):
                    continue
                if found.get(sig.name, sig) is not sig:
                    twice.add(sig.name)
                found[sig.name] = sig
    return {name: sig for name, sig in found.items() if name not in twice}


def ports_of(fragment: Fragment, *path: str) -> list[Signal]:
    """The ports of the circuit elaborated as the submodule at ``path``."""
    circuit = fragment.find_subfragment(path[0])
    for name in path[1:]:
        circuit = circuit.find_subfragment(name)
    circuit = circuit.origins[0]
    return [getattr(circuit, name) for name in circuit.signature.members]


class FreeInputs(wiring.Component):
    """A harness whose ports are ``circuit``'s inputs named in ``inputs``: the solver chooses
    them freely in every clock (an undriven signal would be a constant 0)."""

    def __init__(self, circuit: wiring.Component, inputs: tuple[str, ...]):
        self.circuit, self.inputs = circuit, inputs
        ports = circuit.signature.members
        super().__init__({name: In(ports[name].shape) for name in inputs})

    def drive(self, m: Module) -> None:
        """Connect the ports to the circuit's inputs, and hold reset low (the registers start
        from their initial values)."""
        m.d.comb += [getattr(self.circuit, name).eq(getattr(self, name)) for name in self.inputs]
        m.d.comb += Assume(~ResetSignal())


class TrialMiter(wiring.Component):
    """Two networks of ``cfg``'s options (``first`` and ``second``), loaded together: the ports
    are a network's load, en, master word, top option and b_lo (within [0, b_hi])."""

    def __init__(self, cfg: Config, first: wiring.Component, second: wiring.Component):
        self.cfg, self.first, self.second = cfg, first, second
        ports = first.signature.members
        names = ("load", "en", "master", "top", "b_lo")
        super().__init__({name: In(ports[name].shape) for name in names})

    def trial(self, m: Module) -> Signal:
        """Drive both networks' load and master word from the ports, and their top option and
        b_lo from the ports at a load, held from it after (as the trial engine holds them).
        Returns a signal that is high once a load has come."""
        m.d.comb += [Assume(~ResetSignal()), Assume(self.b_lo <= self.cfg.b_hi)]
        top, b_lo, loaded = Signal.like(self.top), Signal.like(self.b_lo), Signal()
        with m.If(self.load):
            m.d.sync += [top.eq(self.top), b_lo.eq(self.b_lo), loaded.eq(1)]
        for net in (self.first, self.second):
            m.d.comb += [
                net.load.eq(self.load),
                net.master.eq(self.master),
                net.top.eq(Mux(self.load, self.top, top)),
                net.b_lo.eq(Mux(self.load, self.b_lo, b_lo)),
            ]
        return loaded
