"""The HTM spatial pooler (htm.core's SpatialPooler): the float reference (``reference``:
overlap, boosting, global and local k-winners inhibition, permanence learning, duty cycles)
and the fixed-point golden model of its global-inhibition form (``fixed``)."""
