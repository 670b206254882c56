# amaranth: UnusedElaboratable=no
"""gaba.boards.simboard without a simulator: the simulated board top of each design, as a
design the simulation runner builds (the simulated board itself runs in test_host.py and
tests/boards/tops/test_foldiak.py)."""

from pathlib import Path

from gaba.boards import designs, simboard
from gaba.boards.simboard import SIM_DIVISOR, SIM_FIFO_DEPTH, SimBoard
from gaba.sim.benches.common import PERIOD_NS


class Top:
    """Stands in for a board top: records what it was made with."""

    def __init__(self, cfg, **parameters):
        self.cfg, self.parameters = cfg, parameters

    @staticmethod
    def check_replicas(replicas):
        return replicas


def test_each_design_s_board_top_as_a_simulated_design(monkeypatch):
    for entry in designs.REGISTRY.values():
        cfg = entry.design.config(n=4)
        sim = SimBoard(entry)
        module = f"gaba_board_{entry.name}".replace("-", "_")  # (htm-digits: a Verilog name)
        assert (sim.module, sim.toplevel) == (module, f"{module}_sim")
        assert sim.bench == "gaba.boards.bench_board" and entry.name in sim.describe(cfg)
        assert sim.result_layout(cfg) == entry.design.result_layout(cfg)
        monkeypatch.setattr(entry, "top", Top)
        top = sim.component(cfg)
        assert isinstance(top, Top) and top.cfg is cfg
        assert top.parameters == {
            "divisor": SIM_DIVISOR,
            "clock_hz": round(1e9 / PERIOD_NS),
            "fifo_depth": SIM_FIFO_DEPTH,
            "timeout_bits": 256,
            "leds": 8,
            **({"replicas": 1} if entry.replicable else {}),
            **entry.top_args(),  # a top several designs share: which one
        }
        want = entry.info_payload(cfg, SIM_DIVISOR, round(1e9 / PERIOD_NS), SIM_FIFO_DEPTH)
        assert simboard.sim_info_payload(cfg, entry.name) == want


def test_a_simulated_board_with_copies_of_its_design_is_a_design_of_its_own(monkeypatch):
    entry = designs.REGISTRY["nwta"]
    sim = SimBoard(entry, 4)
    assert (sim.name, sim.module) == ("nwta-board-x4", "gaba_board_nwta_x4")
    monkeypatch.setattr(entry, "top", Top)
    assert sim.component(entry.design.config(n=4)).parameters["replicas"] == 4


def test_the_sources_its_verilog_depends_on():
    names = {
        Path(p).relative_to(Path(simboard.__file__).parent).as_posix() for p in SimBoard.sources
    }
    assert {"tops/nwta.py", "tops/foldiak.py", "hostlink.py", "link.py", "uart.py"} <= names
    assert {"protocol.py", "simboard.py", "designs/nwta.py", "design.py"} <= names
    assert "host.py" not in names and "bench_board.py" not in names
