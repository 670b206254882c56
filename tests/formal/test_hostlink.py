"""Formal: the host link's dispatcher and sender (gaba.boards.hostlink.HostLinkTop) answer every
request frame once and send every result once, for any bytes from the host, any pace of the
line to it and any results from the design.

The harness builds the host link around a design that is only ports: the solver chooses, in
every clock, the byte the UART receiver hands over (and its error strobes), whether the UART
transmitter takes the byte on offer, and the design's ``busy``, result valid and result word.
The link's commands are INFO, STATUS, ABORT, a RUN of one payload byte (bit 0: stream the
results), a SUMMARY whose reply sits a byte up the reply register (it shares STATUS's
``taken``) and two of the harness's own, CLOCK and TIME, the second three bytes up (it shares
a byte of the first), so that their first bytes are shifted into place before they are
fetched. The proof
covers the link's own claims (``HostLinkTop._claims``, made Asserts by
``gaba.sim.formal.CLAIMS``): one reply frame per request taken, none without; an ERROR reply
to a bad frame; the sender ends each frame once and starts none while one is out; a streamed
result is never dropped at the FIFO, and leaves it only as the RESULT frame that started with
it at the FIFO's head ends (the word popped is the word the frame sent), unless ABORT cleared
the FIFO; a reply sent from the reply shift register is loaded the clock after its frame
starts and its first byte is in place when fetched, and the register's enable and load select
(flip-flops set a clock ahead) are the load, skip and fetch they stand for. With the
receiver's verdicts, the CRC and the FIFO proven apart (test_frames, test_crc, test_fifo),
that is: no request without its reply, no result lost or sent twice, no FIFO overflow.

Proven by k-induction (every reachable state): the claims include what the induction needs,
e.g. that the sender's state is one of its states and that the dispatcher's ``sending`` is the
sender's ``busy``. The companion is a link whose dispatcher does not see ABORT: it pops the FIFO
at the end of every RESULT frame, also one that ABORT cleared the FIFO under (as the link did
before this proof), so a result the design hands over after the ABORT would be popped unsent.
The proof finds it in the clock after the ABORT, on the claim that the frame pops only the
head it carried.
"""

from pathlib import Path

import pytest
from amaranth.hdl import Assume, Const, Module, ResetSignal, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from gaba.boards import protocol as P
from gaba.boards.hostlink import Command, HostLinkTop
from gaba.sim.formal import prove

RESULT = data.StructLayout({"value": 4})
CMD_CLOCK, CMD_TIME = 0x06, 0x07  # the harness's own commands


class ByteSource(wiring.Component):
    """Stands for the UART receiver: the harness drives its bytes and strobes."""

    rx: In(1)
    o: Out(stream.Signature(8))
    err: Out(1)
    overrun: Out(1)

    def elaborate(self, platform):
        return Module()


class ByteSink(wiring.Component):
    """Stands for the UART transmitter: the harness says when it takes a byte."""

    i: In(stream.Signature(8))
    tx: Out(1, init=1)

    def elaborate(self, platform):
        return Module()


class Design(wiring.Component):
    """A design of ports alone, driven by the harness."""

    busy: Out(1)
    res: Out(stream.Signature(RESULT))

    def elaborate(self, platform):
        return Module()


class FreeLinkTop(HostLinkTop):
    """The host link with the harness's serial parts and design."""

    def __init__(self, *, blind_abort: bool = False, reply_load_clocks: int = 1):
        self.source, self.sink, self.stub = ByteSource(), ByteSink(), Design()
        self.blind_abort = blind_abort
        self.reply_load_clocks = reply_load_clocks
        super().__init__(None, divisor=4, clock_hz=1_000_000, fifo_depth=2, timeout_bits=2)

    @staticmethod
    def check_config(cfg) -> None:
        pass

    def result_layout(self):
        return RESULT

    def info_payload(self) -> bytes:
        return b"\x01\x02"

    def serial(self):
        return self.source, self.sink

    def design(self):
        return self.stub

    def design_commands(self, m, design, link):
        def run(m, payload):
            link.restart(m, stream=payload[0][0], first_index=0)

        if self.blind_abort:  # the companion: the dispatcher does not see ABORT
            link.reset = Const(0)
        run_cmd = Command(P.CMD_RUN, 1, [], action=run, allowed=~link.busy)
        # replies that share a field with another one: the shift layout puts SUMMARY (it
        # shares STATUS's ``taken``) a byte up the register and TIME (it shares the byte at
        # 3 of CLOCK's) three bytes up, so the proof covers the skip from a load to its
        # first byte, from each offset
        summary = Command(P.CMD_SUMMARY, 0, [link.taken, link.clock])
        high = Signal(8)
        m.d.comb += high.eq(link.clock[24:32])
        clock = Command(CMD_CLOCK, 0, [link.clock[:24], high])
        time = Command(CMD_TIME, 0, [high])
        return [link.info, link.status, run_cmd, summary, clock, time, link.abort]


class LinkHarness(wiring.Component):
    def __init__(self, top: FreeLinkTop):
        self.top = top
        super().__init__(
            {
                "byte_valid": In(1),
                "byte": In(8),
                "byte_err": In(2),
                "tx_ready": In(1),
                "busy": In(1),
                "res_valid": In(1),
                "res": In(RESULT.size),
            }
        )

    def elaborate(self, platform):
        m = Module()
        m.submodules.top = top = self.top
        m.d.comb += Assume(~ResetSignal())
        source, sink, design = top.source, top.sink, top.stub
        m.d.comb += [
            source.o.valid.eq(self.byte_valid),
            source.o.payload.eq(self.byte),
            source.err.eq(self.byte_err[0]),
            source.overrun.eq(self.byte_err[1]),
            sink.i.ready.eq(self.tx_ready),
            design.busy.eq(self.busy),
            design.res.valid.eq(self.res_valid),
            design.res.payload.eq(self.res),
        ]
        return m


def test_the_link_answers_every_request_once_and_sends_every_result_once():
    result = prove(LinkHarness(FreeLinkTop()), "hostlink", depth=12)
    assert result.passed, result.describe()


def test_a_link_that_loads_its_reply_late_fails_the_proof():
    # the companion of the in-place claim: a reply loaded 16 clocks after its frame starts
    # is not in its register when the sender fetches its first byte (12 clocks at the
    # earliest)
    top = FreeLinkTop(reply_load_clocks=16)
    result = prove(LinkHarness(top), "hostlink-late-load", depth=30, mode="bmc")
    assert result.status == "FAIL", result.describe()
    path, line = result.failed_assert.rsplit(":", 1)
    source = Path(path).read_text().splitlines()[int(line) - 1]
    assert "a reply is loaded as its frame starts" in source, result.describe()


@pytest.mark.slow  # about 45 s; -m formal runs it
def test_a_link_that_pops_after_abort_fails_the_proof():
    top = FreeLinkTop(blind_abort=True)
    # (a RUN frame, its reply, a RESULT frame started, an ABORT taken under it: 74 clocks)
    result = prove(LinkHarness(top), "hostlink-blind-abort", depth=76, mode="bmc")
    assert result.status == "FAIL", result.describe()
    path, line = result.failed_assert.rsplit(":", 1)
    source = Path(path).read_text().splitlines()[int(line) - 1]
    # it fails as the ABORT comes under the frame: from then on the frame would pop a head it
    # no longer carries (the claim the induction rests on, before the pop itself)
    assert "the frame pops the head it carried" in source, result.describe()
