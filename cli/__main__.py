"""`python -m cli`: the `kinerja` command without the console script."""

from cli import main

main()
