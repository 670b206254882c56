"""Running an Amaranth testbench: the tests' one way of doing it."""

from amaranth.sim import Simulator


def simulate(dut, *benches, period: float | None = 1e-6) -> None:
    """Run the async ``benches`` (each ``async def bench(ctx)``) against ``dut`` in Amaranth's
    simulator, on one clock of ``period`` seconds in the sync domain (none: ``None``, for
    combinational logic alone), until they return."""
    sim = Simulator(dut)
    if period is not None:
        sim.add_clock(period)
    for bench in benches:
        sim.add_testbench(bench)
    sim.run()
