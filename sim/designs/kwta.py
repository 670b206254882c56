"""k-winners-take-all: the bit-serial threshold search and the comparator-tree top-k, their
design entries and scoreboard.

Each trial's winners' mask (the k largest of n scores, ties to the lowest index), its
threshold (the k-th largest score) and the clocks it took must equal the golden model
(``gaba.golden.kwta``).
"""

from __future__ import annotations

from gaba.golden import kwta
from gaba.hdl.kwta import KwtaEngine, TreeTopKEngine, result_layout
from gaba.sim.designs.argmax import ScoreTrials

__all__ = ["KWTA", "TOPK_TREE", "KWinnersDesign"]


class KWinnersDesign(ScoreTrials):
    """A k-WTA circuit: n scores in, the mask of the k largest out."""

    config_type = kwta.KwtaConfig
    options = {"n": "number of scores", "k": "number of winners", "width": "bits per score"}
    engine: type
    clocks: staticmethod

    def component(self, cfg, *, debug: bool = False):
        return self.engine(cfg)

    def result_layout(self, cfg):
        return result_layout(cfg)

    def golden(self, cfg, count: int, seed: int, *, first: int = 0):
        return kwta.trials(cfg, count, seed, first=first)

    def golden_rows(self, cfg, trials, seed, first):
        masks, thresholds = self.golden(cfg, trials, seed, first=first)
        clocks = self.clocks(cfg)
        return [
            {"mask": sum(1 << i for i in range(cfg.n) if row[i]), "threshold": t, "clocks": clocks}
            for row, t in zip(masks.tolist(), thresholds.tolist(), strict=True)
        ]


class BitSerialKwta(KWinnersDesign):
    """The k largest of n scores by a bit-serial threshold search: width + 2 clocks, any n."""

    name = "kwta"
    module = "gaba_kwta"
    title = "k-WTA by a bit-serial threshold search, one clock per score bit whatever n"
    engine = KwtaEngine
    clocks = staticmethod(kwta.serial_clocks)


class ComparatorTreeTopK(KWinnersDesign):
    """The k largest of n scores by k rounds of the pipelined arg-max tree."""

    name = "topk-tree"
    module = "gaba_topk_tree"
    title = "top-k by k tournaments of the pipelined comparator tree, k (log2 n + 1) clocks"
    engine = TreeTopKEngine
    clocks = staticmethod(kwta.tree_clocks)


KWTA = BitSerialKwta()
TOPK_TREE = ComparatorTreeTopK()
DESIGNS = (KWTA, TOPK_TREE)
