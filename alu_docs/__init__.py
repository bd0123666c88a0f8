"""alu-docs: notices, case papers, minutes and the archive of NTNU's ALU."""

__version__ = "0.1.0"
