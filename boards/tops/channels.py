"""The evidence-in core's board top: noisy channel scores made on the chip, the winner on the LEDs.

:class:`ChannelsTop` is a self-running example of the exported core
(:class:`gaba.hdl.core.EvidenceCore`) in a user's design. A :class:`ChannelSource` makes the
evidence: n channel scores a vector, each the channel's mean plus noise from a xorshift32
generator (the centred sum of its word's four bytes, Irwin-Hall: nearly Gaussian, standard
deviation 147.8 before the ``noise_shift``), one channel's mean b_max and every other's b_max -
delta (the Config's). The stronger channel moves to the next every ``per_channel`` trials, and
a trial starts every ``trial_clocks`` clocks (by default twice a second), so the LEDs walk
through the channels at a pace the eye follows. The core's run-time values are the Config's;
its own noise is the Config's too (the paper's nWTA is noisy), seeded from ``seed`` exactly as
the golden model seeds it, so nothing on the chip is random that Python cannot reproduce:
:func:`channel_evidence` is the source's golden twin, and
``gaba.golden.evidence.run_evidence(cfg, channel_evidence(...)[0], seed, registers=
Registers(hold=hold))`` is what the core decides, trial by trial.

The LEDs show the last trial's result: with fewer options than LEDs its winner one-hot on LEDs
0 .. n-1, else the winner's index in binary from LED 0; the last LED says it decided (off:
the trial timed out; the winner LEDs are then dark). The host link
(:class:`gaba.boards.hostlink.HostLinkTop`) answers INFO (a score engine's INFO naming the
design, ``gaba.boards.protocol.SCORE_INFO_FORMAT``), STATUS and SUMMARY (results since reset,
RUN or ABORT, and the clock at the last one), RUN (a score engine's payload with no run
inputs: only its RUN_STREAM flag is read; the trials run on as they were, the counters start
again, and with the flag each result from then on also goes out as a RESULT frame, numbered
from 0) and ABORT (the source and the core start again from trial 0). The trials need no
command: they start at reset.
"""

from __future__ import annotations

import math

import numpy as np
from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import Out

from gaba.boards import protocol as P
from gaba.boards.hostlink import Command, HostLinkTop
from gaba.boards.tops.score import pack_score_info
from gaba.golden import primitives
from gaba.golden.config import Config
from gaba.golden.evidence import HOLD_BITS, evidence_bits
from gaba.golden.validate import check_seed
from gaba.hdl import arith
from gaba.hdl.core import EvidenceCore, beat_layout, check_evidence_config, core_result_layout

__all__ = [
    "NOISE_SHIFTS",
    "STATE",
    "ChannelDemo",
    "ChannelSource",
    "ChannelsTop",
    "channel_evidence",
    "channel_info_payload",
    "check_leds",
    "default_noise_shift",
    "default_hold",
    "led_pattern",
]

#: The xorshift32 generator's state at reset (any non-zero word).
STATE = primitives.WEYL
#: The noise's scale: ``irwin_hall4 << noise_shift`` (a negative shift: floor of a division).
NOISE_SHIFTS = range(-8, 9)


def default_noise_shift(cfg: Config) -> int:
    """The noise scale whose standard deviation is nearest a tenth of b_max (in x's format)."""
    return round(math.log2(0.1 * cfg.b_hi / primitives.XI_STD))


def _check(cfg, vectors, hold, per_channel, noise_shift, state) -> int:
    """The checked parameters of a source; returns the noise shift (None: the default)."""
    if not isinstance(cfg, Config):
        raise ValueError(f"The channel source needs a gaba Config, not {cfg!r}")
    for name, value, high in (
        ("Vectors a trial", vectors, 1 << 16),
        ("Steps a vector (hold)", hold, (1 << HOLD_BITS) - 1),
        ("Trials a channel is the stronger", per_channel, 1 << 16),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
            raise ValueError(f"{name} must be an integer in 1..{high}, not {value!r}")
    if noise_shift is None:
        noise_shift = default_noise_shift(cfg)
    if isinstance(noise_shift, bool) or noise_shift not in NOISE_SHIFTS:
        raise ValueError(
            f"Noise shift must be an integer in {NOISE_SHIFTS.start}..{NOISE_SHIFTS.stop - 1}, "
            f"not {noise_shift!r}"
        )
    if isinstance(state, bool) or not isinstance(state, int) or not 0 < state <= primitives.MASK32:
        raise ValueError(f"The generator's state must be a non-zero 32-bit word, not {state!r}")
    return noise_shift


def _check_run(seed, trial_clocks) -> None:
    check_seed(seed)
    if isinstance(trial_clocks, bool) or not isinstance(trial_clocks, int) or trial_clocks < 0:
        raise ValueError(f"Clocks a trial must be an integer from 0, not {trial_clocks!r}")


def channel_evidence(
    cfg: Config,
    trials: int,
    *,
    vectors: int = 8,
    hold: int = 1,
    per_channel: int = 4,
    noise_shift: int | None = None,
    state: int = STATE,
) -> tuple[list[np.ndarray], np.ndarray]:
    """The first ``trials`` trials :class:`ChannelSource` with these parameters streams: each
    a ``vectors`` x n array of evidence values, and each trial's stronger channel. (``hold``
    is checked as the source checks it; the vectors do not depend on it.)

    Value i of a vector is ``mean_i + (irwin_hall4(s) << noise_shift)`` clipped to the
    stream's values, s the generator's state stepped once a value (xorshift32, from
    ``state``), mean_i b_max for the stronger channel and b_max - delta for the others; trial
    t's stronger channel is ``(t // per_channel) % n``."""
    shift = _check(cfg, vectors, hold, per_channel, noise_shift, state)
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise ValueError(f"Trial count must be a positive integer, not {trials!r}")
    limit = (1 << evidence_bits(cfg)) - 1
    s, out = state, []
    strong = (np.arange(trials) // per_channel) % cfg.n
    for t in range(trials):
        trial = np.zeros((vectors, cfg.n), np.int64)
        for k in range(vectors):
            for i in range(cfg.n):
                s = primitives.xorshift32(s)
                noise = primitives.irwin_hall4(s)
                noise = noise << shift if shift >= 0 else noise >> -shift
                mean = cfg.b_hi if i == strong[t] else cfg.b_lo
                trial[k, i] = min(max(mean + noise, 0), limit)
        out.append(trial)
    return out, strong


class ChannelSource(wiring.Component):
    """Noisy channel scores as the core's evidence stream (see the module's description):
    ``vectors`` vectors a trial, ``last`` on the trial's last beat; a trial's first beat waits
    for the pace (one trial every ``trial_clocks`` clocks; 0: back to back).

    Members
    -------
    evidence : Out(stream.Signature(beat_layout(cfg)))
    strong : Out(range(n))
        The stronger channel of the trial being streamed (or the next).
    """

    def __init__(
        self,
        cfg: Config,
        *,
        vectors: int = 8,
        per_channel: int = 4,
        noise_shift: int | None = None,
        state: int = STATE,
        trial_clocks: int = 0,
    ):
        self._shift = _check(cfg, vectors, 1, per_channel, noise_shift, state)
        _check_run(0, trial_clocks)
        self._cfg, self._vectors, self._per = cfg, vectors, per_channel
        self._state, self._pace = state, trial_clocks
        super().__init__(
            {"evidence": Out(stream.Signature(beat_layout(cfg))), "strong": Out(range(cfg.n))}
        )

    def elaborate(self, platform):
        cfg, n = self._cfg, self._cfg.n
        m = Module()
        # s is the state whose word the current beat uses: one step ahead of the twin's start
        s = Signal(32, init=primitives.xorshift32(self._state))
        channel = Signal(range(n))
        vector = Signal(range(self._vectors))
        count = Signal(range(self._per))  # trials so far on the stronger channel
        go = Signal(init=1)  # the pace allows the next trial to start
        active = Signal()  # a trial's beats are being streamed
        if self._pace:
            timer = Signal(range(self._pace), init=self._pace - 1)
            m.d.sync += timer.eq(Mux(timer == 0, self._pace - 1, timer - 1))
            with m.If(timer == 0):
                m.d.sync += go.eq(1)
        noise = arith.irwin_hall4(s)
        shift = self._shift
        scaled = noise << shift if shift >= 0 else noise >> -shift
        mean = Mux(channel == self.strong, cfg.b_hi, cfg.b_lo)
        value = mean + scaled
        limit = (1 << evidence_bits(cfg)) - 1
        beat = self.evidence.payload
        last_beat = (channel == n - 1) & (vector == self._vectors - 1)
        m.d.comb += [
            beat.value.eq(Mux(value < 0, 0, Mux(value > limit, limit, value))),
            beat.last.eq(last_beat),
            self.evidence.valid.eq(active | go),
        ]
        with m.If(~active & go):
            m.d.sync += active.eq(1)
            if self._pace:
                m.d.sync += go.eq(timer == 0)  # (a tick in this clock is the next trial's)
        with m.If(self.evidence.valid & self.evidence.ready):
            m.d.sync += [s.eq(arith.xorshift32(m, s, name="channel_rng")), channel.eq(channel + 1)]
            with m.If(channel == n - 1):
                m.d.sync += [channel.eq(0), vector.eq(vector + 1)]
                with m.If(vector == self._vectors - 1):
                    m.d.sync += [vector.eq(0), active.eq(0), count.eq(count + 1)]
                    with m.If(count == self._per - 1):
                        m.d.sync += [
                            count.eq(0),
                            self.strong.eq(Mux(self.strong == n - 1, 0, self.strong + 1)),
                        ]
        return m


class ChannelDemo(wiring.Component):
    """A :class:`ChannelSource` feeding an :class:`EvidenceCore`: the design of
    :class:`ChannelsTop` (``res``: the core's results; ``busy``: always, the trials run by
    themselves; ``strong``: the source's stronger channel).

    The core's seed is ``seed`` (loaded once after reset), each vector lasts ``hold`` steps,
    and its other run-time values are the Config's; the other parameters are the source's."""

    def __init__(
        self,
        cfg: Config,
        *,
        seed: int = 0,
        hold: int = 1,
        vectors: int = 8,
        per_channel: int = 4,
        noise_shift: int | None = None,
        state: int = STATE,
        trial_clocks: int = 0,
    ):
        _check(cfg, vectors, hold, per_channel, noise_shift, state)
        _check_run(seed, trial_clocks)
        self._core = EvidenceCore(cfg)  # refuses a Config it cannot run
        self._source = ChannelSource(
            cfg,
            vectors=vectors,
            per_channel=per_channel,
            noise_shift=noise_shift,
            state=state,
            trial_clocks=trial_clocks,
        )
        self._cfg, self._seed, self._hold = cfg, seed, hold
        super().__init__(
            {
                "res": Out(stream.Signature(core_result_layout(cfg))),
                "busy": Out(1),
                "strong": Out(range(cfg.n)),
            }
        )

    def elaborate(self, platform):
        cfg = self._cfg
        m = Module()
        m.submodules.source = source = self._source
        m.submodules.core = core = self._core
        wiring.connect(m, source.evidence, core.evidence)
        wiring.connect(m, core.results, wiring.flipped(self.res))
        loaded = Signal()
        m.d.sync += loaded.eq(1)
        m.d.comb += [
            core.seed.eq(self._seed),
            core.seed_load.eq(~loaded),
            core.hold.eq(self._hold),
            core.horizon.eq(cfg.max_steps),
            core.theta.eq(cfg.theta_q),
            core.stop.eq(cfg.stop_q),
            self.busy.eq(1),
            self.strong.eq(source.strong),
        ]
        return m


def check_leds(cfg: Config, leds: int) -> None:
    """ValueError unless ``leds`` LEDs can show ``cfg``'s winner and the decided LED."""
    need = 1 + max(1, (cfg.n - 1).bit_length())
    if isinstance(leds, bool) or not isinstance(leds, int) or leds < need:
        raise ValueError(
            f"The channels top shows n = {cfg.n}'s winner in binary and a decided LED: "
            f"{need} LEDs, not {leds!r}"
        )


def led_pattern(n: int, leds: int, winner: int, decided: bool) -> int:
    """The LEDs (bit k: LED k) of a result: the winner one-hot when n < ``leds``, else in
    binary, and the last LED on when the trial decided (every LED dark when it did not)."""
    if not decided:
        return 0
    shown = 1 << winner if n < leds else winner
    return shown | 1 << (leds - 1)


def channel_info_payload(cfg: Config, name: str, divisor: int, clock_hz: int, depth: int):
    """The INFO reply's payload of the channels top of design ``name``: a score engine's INFO
    (``gaba.boards.protocol.SCORE_INFO_FORMAT``, no run inputs)."""
    return pack_score_info(cfg, name, core_result_layout(cfg).size, divisor, clock_hz, depth, 0)


class ChannelsTop(HostLinkTop):
    """The channels example's board top (see the module's description): a
    :class:`ChannelDemo` behind the host link, the winner on the LEDs.

    Parameters
    ----------
    cfg
        The core's Config (one clock per step; folded with ``lanes``).
    name
        The design's name INFO carries (``nwta-core``).
    trial_clocks
        Clocks from one trial's start to the next (None: half a second of ``clock_hz``;
        0: back to back).
    hold, vectors, per_channel, noise_shift, state, seed
        :class:`ChannelDemo`'s (None for ``hold``: the vectors span a quarter of the
        horizon).

    The other parameters and the serial lines are :class:`~gaba.boards.hostlink.HostLinkTop`'s.
    """

    def __init__(
        self,
        cfg,
        *,
        name: str = "nwta-core",
        trial_clocks: int | None = None,
        hold: int | None = None,
        vectors: int = 8,
        per_channel: int = 4,
        noise_shift: int | None = None,
        state: int = STATE,
        seed: int = 0,
        **link,
    ):
        self.check_config(cfg)
        check_leds(cfg, link.get("leds", 2))
        self._name = name
        if hold is None:
            _check(cfg, vectors, 1, per_channel, noise_shift, state)  # (vectors, before its use)
            hold = default_hold(cfg, vectors)
        if trial_clocks is None:
            trial_clocks = int(link.get("clock_hz", 0)) // 2
        _check(cfg, vectors, hold, per_channel, noise_shift, state)
        _check_run(seed, trial_clocks)
        self._demo_args = dict(
            seed=seed,
            hold=hold,
            vectors=vectors,
            per_channel=per_channel,
            noise_shift=noise_shift,
            state=state,
            trial_clocks=trial_clocks,
        )
        super().__init__(cfg, **link)
        # made once everything is checked (a design never elaborated is an Amaranth warning)
        self._demo = ChannelDemo(cfg, **self._demo_args)

    @property
    def demo_args(self) -> dict:
        """The parameters of the design (:class:`ChannelDemo`'s keywords)."""
        return dict(self._demo_args)

    @staticmethod
    def check_config(cfg) -> None:
        check_evidence_config(cfg, "ChannelsTop")

    def result_layout(self):
        return core_result_layout(self._cfg)

    def info_payload(self) -> bytes:
        return channel_info_payload(
            self._cfg, self._name, self._divisor, self._clock_hz, self._depth
        )

    def design(self):
        demo, self._demo = self._demo, None
        return demo or ChannelDemo(self._cfg, **self._demo_args)

    def design_commands(self, m, demo, link):
        n, leds = self._cfg.n, len(self.leds)
        res = demo.res.payload
        winner = Signal(range(n))
        decided = Signal()
        with m.If(link.accept):
            m.d.sync += [winner.eq(res.winner), decided.eq(res.decided)]
        shown = Signal(leds - 1)
        if n < leds:
            m.d.comb += shown.eq(Const(1, leds - 1) << winner)
        else:
            m.d.comb += shown.eq(winner)
        m.d.comb += self.leds.eq(Cat(Mux(decided, shown, 0), decided))

        # RUN does not start the trials (they run by themselves): it clears the counters and
        # says whether each result from now on also goes to the host as a RESULT frame
        flags = link.payload[12]

        def run(m, payload):
            link.restart(m, stream=(flags & P.RUN_STREAM) != 0, first_index=0)

        return [
            link.info,
            link.status,
            Command(
                P.CMD_RUN,
                P.score_run_length(0),
                [],
                action=run,
                check=(flags & ~P.RUN_STREAM) == 0,
            ),
            Command(P.CMD_SUMMARY, 0, [link.taken, link.last]),
            link.abort,
        ]


def default_hold(cfg: Config, vectors: int) -> int:
    """Steps a vector lasts by default: the ``vectors`` vectors span a quarter of the
    horizon (at least one step each, at most the hold register's largest)."""
    return min(max(1, cfg.max_steps // (4 * vectors)), (1 << HOLD_BITS) - 1)
