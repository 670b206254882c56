"""The nWTA and WTA trial engine's board top: the engine behind the UART host link.

:class:`BoardTop` is board-independent: its ports are the serial lines and a few LEDs; the
host link (UART, framing, dispatcher, result FIFO; protocol: boards.protocol) is
boards.hostlink's, shared with the Foldiak layer's top (boards.tops.foldiak), and
boards.platforms' PlatformTop puts either on an amaranth-boards platform. Commands: INFO,
STATUS, RUN (seed, first, count, flags, top, delta), SUMMARY (the run's counters), ABORT.
"""

from __future__ import annotations

import struct

from amaranth.hdl import Cat, Signal

from gaba.boards import protocol as P
from gaba.boards.hostlink import Command, HostLinkTop, run_start, version_bytes, word
from gaba.golden.config import Config
from gaba.hdl.engine import ReplicatedEngine, TrialEngine, check_replicas, result_layout

__all__ = ["BoardTop", "info_payload"]


def info_payload(cfg: Config, divisor: int, clock_hz: int, fifo_depth: int) -> bytes:
    """The INFO reply's payload of a board top with these parameters."""
    return struct.pack(
        P.INFO_FORMAT,
        P.PROTOCOL_VERSION,
        *version_bytes(),
        P.DESIGN_KINDS[cfg.kind],
        cfg.n,
        P.digest_bytes(cfg.digest()),
        result_layout(cfg).size,
        cfg.max_steps,
        clock_hz,
        divisor,
        fifo_depth,
        cfg.latency,
        cfg.step_clocks,
        P.build_flags(cfg),
    )


class BoardTop(HostLinkTop):
    """The trial engine (``TrialEngine(cfg, seeding="serial", network_domain="network")`` of
    a Config: ABORT resets the engine, not its network), a result FIFO,
    the run's counters and the host link (the parameters and serial lines of
    :class:`~gaba.boards.hostlink.HostLinkTop`; when the FIFO is full the engine waits).

    ``leds``: bit 0 a run is in progress; bit 1 the last trial decided for the top-input
    option; bits 2.. the last trial's winner (low bits).

    ``replicas`` (a power of two): that many engines share each run
    (:class:`~gaba.hdl.engine.ReplicatedEngine`), their results in trial order.
    """

    def __init__(self, cfg, *, replicas: int = 1, **link):
        self._replicas = check_replicas(replicas)
        super().__init__(cfg, **link)

    check_replicas = staticmethod(check_replicas)

    @property
    def replicas(self) -> int:
        return self._replicas

    @staticmethod
    def check_config(cfg) -> None:
        if not isinstance(cfg, Config):
            raise ValueError(f"BoardTop needs a gaba Config, not {cfg!r}")

    def result_layout(self):
        return result_layout(self._cfg)

    def info_payload(self) -> bytes:
        """The INFO reply's payload for this top (constant)."""
        return info_payload(self._cfg, self._divisor, self._clock_hz, self._depth)

    #: ABORT resets the engine, not its network (a trial's load sets every register of it a
    #: trial reads): see :class:`gaba.hdl.engine.TrialEngine`.
    abort_spares = ("network",)

    def design(self):
        if self._replicas == 1:
            return TrialEngine(self._cfg, seeding="serial", network_domain="network")
        return ReplicatedEngine(
            self._cfg, self._replicas, seeding="serial", network_domain="network"
        )

    def design_commands(self, m, engine, link):
        cfg = self._cfg
        decided = Signal(32)
        correct = Signal(32)
        saturated = Signal(32)
        steps = Signal(48)
        res = engine.res.payload
        last_winner = Signal(range(cfg.n))
        last_correct = Signal()
        hit = res.decided & (res.winner == res.top)
        with m.If(link.accept):
            m.d.sync += [
                decided.eq(decided + res.decided),
                correct.eq(correct + hit),
                saturated.eq(saturated + (res.eta_sat | res.r_sat)),
                steps.eq(steps + res.steps),
                last_winner.eq(res.winner),
                last_correct.eq(hit),
            ]
        m.d.comb += self.leds.eq(Cat(link.busy, last_correct, last_winner))

        # RUN starts the engine one cycle after the command is accepted (run_start)
        run_go = run_start(m, engine, link.payload)

        def run(m, payload):
            flags = payload[12]
            m.d.sync += [
                run_go.eq(1),
                engine.top_en.eq(flags[0]),
                engine.top_in.eq(word(payload, 13, 2)),
                engine.delta_en.eq(flags[1]),
                engine.delta_in.eq(word(payload, 15, 2)),
            ]
            link.restart(m, stream=flags[2], first_index=word(payload, 4, 4))

        # the summary's counters cleared a clock after RUN, from its strobe (as the link's)
        with m.If(run_go):  # after the statements above: it comes first
            m.d.sync += [decided.eq(0), correct.eq(0), saturated.eq(0), steps.eq(0)]

        return [
            link.info,
            link.status,
            Command(P.CMD_RUN, 17, [], action=run, allowed=~link.busy),
            Command(P.CMD_SUMMARY, 0, [link.taken, decided, correct, saturated, steps, link.last]),
            link.abort,
            *self.commands(m, engine),
        ]

    def commands(self, m, engine) -> list[Command]:
        """Further commands (a subclass's); the base top has none."""
        return []
