"""``python -m persearch.cli``: the same as the ``persearch`` console script."""
from . import main

main()
