"""cocotb benches, one module per design, run inside the simulator by :mod:`gaba.sim.runner`.

Benches are monitors: they drive a design's run inputs, record what the hardware does and
write it to a JSON file; the comparison with the golden model happens on the host, in the
design's scoreboard (:mod:`gaba.sim.designs`). :mod:`gaba.sim.benches.common` holds what
they share: the parameter and result files and the clock period of the simulation top.
"""
