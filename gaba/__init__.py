"""gaba: inhibitory neural circuits as FPGA hardware, proven bit-exact against a golden model."""

__version__ = "0.1.0"
