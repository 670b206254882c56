"""gaba.boards.design and the board registry (gaba.boards.designs): every design with a board
top is an entry of the design registry, found by name and by its Config."""

import pytest

from gaba.boards import designs
from gaba.boards.design import BoardDesign, RunOption
from gaba.boards.hostlink import HostLinkTop
from gaba.golden.config import Config
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.sim import designs as sim_designs


def test_the_board_registry():
    assert designs.names()[:4] == ("nwta", "wta", "foldiak", "foldiak-digits")
    for name, d in designs.REGISTRY.items():
        assert isinstance(d, BoardDesign) and d.name == name and designs.get(name) is d
        assert d.design is sim_designs.get(name)  # the design registry's entry
        assert issubclass(d.top, HostLinkTop)
        assert designs.of(d.design.config(), name) is d
    with pytest.raises(ValueError, match="serial-integrator has no board top; the designs with"):
        designs.get("serial-integrator")


def test_a_config_finds_its_design():
    assert designs.of(Config.paper(n=5)).name == "nwta"
    assert designs.of(Config.paper(n=5, kind="wta")).name == "wta"
    assert designs.of(FoldiakConfig.paper()).name == "foldiak"
    with pytest.raises(ValueError, match="no design with a board top takes this int"):
        designs.of(3)


def test_a_run_option_s_flag():
    assert RunOption("delta_in", "gap", kind="number").flag == "--delta-in"
    assert RunOption("first", "index").kind == "count"


def test_the_defaults_of_a_board_design():
    d = designs.get("wta")
    cfg = d.design.config(n=3)
    assert repr(d) == "<BoardDesign wta>" and d.describe(cfg) == "wta n=3"
    assert BoardDesign.label(d, cfg) == f"wta n=3, Config {cfg.digest()}"
    assert BoardDesign.build_fields(d, cfg) == {"latency": None, "step_clocks": None, "lanes": None}
    assert BoardDesign.clock_div(d, cfg, None) == 1 and BoardDesign.adopt(d, cfg, None) is cfg
    assert BoardDesign.check_options(d, cfg, {"first": 1}) == {"first": 1}
    assert not d.learns
    with pytest.raises(NotImplementedError):
        d.read(None, cfg)
