"""Where a long run's independent tasks execute: here, one after another, or on Dask.

A sweep, the results report and the bars experiment split their work into tasks, each a
module-level function and its arguments (a Config and a block of trials, say), whose result
depends on the arguments only. A :class:`Pool` runs them:

- :func:`open_pool` with neither option: this process, one task after another (what every
  command did before pools existed, and still does by default);
- ``workers=N``: a local Dask cluster of N worker processes, one task at a time each;
- ``scheduler="tcp://host:8786"``: an existing Dask distributed scheduler and its workers
  (``dask scheduler`` on one machine, ``dask worker tcp://host:8786`` on each of the others).

Results come back in task order whatever the order they finish in, so whatever merges them
(concatenating blocks of trials in trial order) sees what a serial run would. A worker builds
the simulation models it lacks into its own cache (``runner.build_root()`` on that machine,
keyed by the Config digest as for a local run); workers sharing a file system share the cache,
and its file locks make the second worker wait for the first one's build and reuse it.

Progress goes to ``say`` as tasks finish: tasks done, models built, trials or runs done, and
the worker that ran each task.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Done", "Pool", "PoolError", "Task", "blocks", "open_pool", "worker_name"]

#: Seconds to wait for a scheduler to answer, and for its first worker to join.
CONNECT_SECONDS = 10


class PoolError(RuntimeError):
    """The scheduler cannot be reached, has no workers, or a worker cannot run the work; the
    message says which and what to do."""


@dataclass(frozen=True)
class Task:
    """One unit of independent work: ``fn(*args, progress=say)`` (``say`` is the run's stage
    reporter in this process, None on a Dask worker).

    ``fn`` must be a module-level function of gaba (workers import it by name). ``label``
    names the task in progress lines; ``units`` is how many trials (or runs) it covers.
    """

    fn: Callable
    args: tuple
    label: str
    units: int = 1


@dataclass
class _Tally:
    total: int
    units: int
    done: int = 0
    units_done: int = 0
    builds: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self, task: Task, done: Done, unit: str) -> str:
        self.done += 1
        self.units_done += task.units
        self.builds += done.built
        return (
            f"{self.done}/{self.total} tasks done ({self.units_done}/{self.units} {unit}, "
            f"{self.builds} build{'s' * (self.builds != 1)}, "
            f"{time.monotonic() - self.started:.0f} s): {task.label} on {done.worker}"
        )


def worker_name() -> str:
    """The Dask worker running the caller (its address), or "this process"."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "this process"


@dataclass
class Done:
    """What a finished task reports besides its value: counted into the progress lines. Made
    inside the task, it names the worker that ran it."""

    built: bool = False  # the task built a simulation model (not found in the cache)
    worker: str = field(default_factory=worker_name)


def blocks(total: int, size: int) -> list[tuple[int, int]]:
    """``(first, count)`` of each block of ``size`` that ``total`` items split into, in order."""
    if size < 1:
        raise ValueError(f"Block size must be at least 1, not {size}")
    return [(first, min(size, total - first)) for first in range(0, total, size)]


class Pool:
    """Runs :class:`Task` lists (see the module docstring). Use as a context manager, or call
    :meth:`close`."""

    #: How many tasks run at once (a sweep splits its points into at least this many tasks).
    slots: int = 1
    #: Where tasks run, for the output ("this process", "a local Dask cluster of 2 workers").
    where: str = "this process"
    distributed: bool = False

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        pass

    def require(self, simulator: str) -> None:
        """Raise (ToolchainError here, PoolError naming the worker on Dask) unless every place
        tasks run can build and run ``simulator``."""
        from gaba.sim import runner

        runner.check_simulator(simulator)

    def run(self, tasks: list[Task], *, say=None, unit: str = "trials") -> list:
        """The tasks' values in task order. Each value is ``(value, Done)`` from the task
        function; ``say`` gets a progress line per finished task (and, here, the tasks' own
        stage lines)."""
        tally = _Tally(len(tasks), sum(t.units for t in tasks))
        values = []
        for task in tasks:
            value, done = task.fn(*task.args, progress=say)
            if say:
                say(tally.line(task, done, unit))
            values.append(value)
        return values


class DaskPool(Pool):
    """Tasks on a Dask distributed cluster: a local one of ``workers`` processes, or the one
    behind ``scheduler``."""

    distributed = True

    def __init__(self, *, scheduler: str | None = None, workers: int | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - a dependency of gaba
            raise PoolError(
                "Dask's distributed scheduler is not installed: pip install distributed"
            ) from None
        self._cluster = None
        if scheduler is not None:
            try:
                self._client = Client(scheduler, timeout=CONNECT_SECONDS)
            except (OSError, TimeoutError, ValueError) as e:
                raise PoolError(
                    f"cannot reach the Dask scheduler at {scheduler}: "
                    f"{str(e).splitlines()[0] if str(e) else type(e).__name__} (start one with "
                    "`dask scheduler`, or run a local cluster with --workers N)"
                ) from None
            try:
                self._client.wait_for_workers(1, timeout=CONNECT_SECONDS)
            except (OSError, TimeoutError):
                self._client.close()
                raise PoolError(
                    f"the Dask scheduler at {scheduler} has no workers after "
                    f"{CONNECT_SECONDS} s (start some with `dask worker {scheduler}`)"
                ) from None
            self.where = f"the Dask scheduler at {scheduler}"
        else:
            if workers is None or workers < 1:
                raise ValueError(f"A local cluster needs at least 1 worker, not {workers}")
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
            self.where = f"a local Dask cluster of {workers} worker process" + "es" * (workers > 1)
        self.slots = max(1, sum(self._client.nthreads().values()))

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def require(self, simulator: str) -> None:
        from gaba.sim import runner

        runner.check_simulator(simulator)  # the merge and the golden side run here
        try:
            problems = self._client.run(toolchain_problem, simulator)
        except ImportError as e:
            raise PoolError(f"a Dask worker cannot import gaba ({e}): install gaba there") from None
        bad = {w: p for w, p in problems.items() if p}
        if bad:
            worker, problem = sorted(bad.items())[0]
            raise PoolError(
                f"Dask worker {worker} cannot run {simulator}: {problem}"
                + (f" ({len(bad)} of {len(problems)} workers)" if len(bad) > 1 else "")
            )

    def run(self, tasks: list[Task], *, say=None, unit: str = "trials") -> list:
        from distributed import as_completed

        tally = _Tally(len(tasks), sum(t.units for t in tasks))
        futures = {
            self._client.submit(task.fn, *task.args, pure=False, progress=None): i
            for i, task in enumerate(tasks)
        }
        values: list = [None] * len(tasks)
        try:
            for future in as_completed(futures):
                i = futures[future]
                value, done = future.result()  # a task's exception is raised here
                values[i] = value
                if say:
                    say(tally.line(tasks[i], done, unit))
        except BaseException:
            self._client.cancel(list(futures))
            raise
        return values


def toolchain_problem(simulator: str) -> str | None:
    """None if ``simulator`` can build and run where this is called, else what is missing (the
    check each Dask worker runs before a hardware sweep)."""
    from gaba.sim import runner

    try:
        runner.check_simulator(simulator)
    except runner.ToolchainError as e:
        return str(e)
    return None


def open_pool(scheduler: str | None = None, workers: int | None = None) -> Pool:
    """This process (neither given), a local Dask cluster of ``workers`` processes, or the Dask
    scheduler at ``scheduler`` (not both)."""
    if scheduler is not None and workers is not None:
        raise ValueError("Give a scheduler address or a worker count, not both")
    if scheduler is None and workers is None:
        return Pool()
    return DaskPool(scheduler=scheduler, workers=workers)
