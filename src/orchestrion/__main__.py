"""``python -m orchestrion ...``: the same as the ``orchestrion`` command."""

from orchestrion.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
