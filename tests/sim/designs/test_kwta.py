"""k-WTA (bit-serial search and comparator-tree top-k) under cocotb, through the registry."""

import pytest

from gaba.sim import designs

KWTA, TREE = designs.get("kwta"), designs.get("topk-tree")


@pytest.mark.parametrize(
    ("name", "simulator", "n", "k"),
    [
        pytest.param("kwta", "verilator", 16, 4, marks=pytest.mark.slow),  # Icarus: below
        pytest.param("kwta", "verilator", 100, 37, marks=pytest.mark.slow),  # a 45 s build
        pytest.param("kwta", "verilator", 33, 11, marks=pytest.mark.slow),
        ("kwta", "icarus", 7, 3),
        pytest.param("topk-tree", "verilator", 16, 4, marks=pytest.mark.slow),
        ("topk-tree", "icarus", 7, 3),
    ],
)
def test_bit_exact_on_both_simulators(name, simulator, n, k):
    design = designs.get(name)
    cfg = design.config(n=n, k=k)
    trials = 200 if simulator == "verilator" else 40
    r = design.compare(cfg, simulator, trials=trials, seed=3)
    assert r.bit_exact, r.first_mismatch.describe()
    assert r.compared == trials and r.unit == "trials"


@pytest.mark.parametrize(
    ("design", "simulator", "n", "k"),
    [
        pytest.param(KWTA, "verilator", 16, 4, marks=pytest.mark.slow),
        (KWTA, "icarus", 7, 3),
        (TREE, "icarus", 7, 3),
    ],
    ids=["kwta-verilator", "kwta", "topk-tree"],
)
def test_a_perturbed_hardware_is_caught(design, simulator, n, k):
    # the hardware of k held to a golden model of k + 1 (the builds above)
    hw = design.config(n=n, k=k)
    r = design.compare(design.config(n=n, k=k + 1), simulator, trials=20, seed=3, hw_config=hw)
    assert not r.bit_exact and r.first_mismatch.signal in ("mask", "threshold")
    assert r.first_mismatch.describe().startswith("trial 0: ")
