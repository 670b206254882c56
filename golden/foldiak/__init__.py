"""Földiák's anti-Hebbian sparse-coding layer (1990): parameters and Config (``config``), the
float reference (``reference``), the fixed-point golden model (``fixed``), the outcome of runs
both return (``results``), the pattern sources and scores of the bars problem (``bars``) and
the letters (``letters``), and the experiments that learn and score them (``experiments``)."""
