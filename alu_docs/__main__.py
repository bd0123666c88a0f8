"""`python -m alu_docs …` is `alu-docs …`."""

from .cli import main

main()
