"""``python -m shipit``: the same entry point as the ``shipit`` executable."""

from shipit.cli.entry import main

main()
