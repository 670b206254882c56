"""The design registry: every circuit of gaba, by name.

Each module here holds one family of designs (:class:`gaba.sim.design.Design` objects, listed
in its ``DESIGNS``): its Config, component, golden model, result layout, bench and
scoreboard. The runner, the sweeps, the board host and the command line look designs up here
and never branch on a name. A new design adds its module to :data:`FAMILIES`.
"""

from __future__ import annotations

from gaba.sim.design import Design
from gaba.sim.designs import argmax, baselines, core, foldiak, htm, kwta, maass, nwta

__all__ = ["FAMILIES", "REGISTRY", "get", "names"]

FAMILIES = (nwta, foldiak, baselines, argmax, kwta, maass, htm, core)

#: Every design by name, in the order of :data:`FAMILIES`.
REGISTRY: dict[str, Design] = {d.name: d for family in FAMILIES for d in family.DESIGNS}


def names(*, simulated: bool = False) -> tuple[str, ...]:
    """The designs' names (``simulated``: only those with a bench and a scoreboard)."""
    return tuple(name for name, d in REGISTRY.items() if d.bench or not simulated)


def get(name: str) -> Design:
    """The design called ``name``, or a ValueError naming the choices."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"Design must be one of {', '.join(REGISTRY)}, not {name!r}") from None
