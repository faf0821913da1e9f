"""The ``orchestrion`` command line: ``orchestrion info FILE``, ``orchestrion convert IN OUT``.

The commands parse their arguments and call the public API (``orchestrion.read``,
``orchestrion.write``, :mod:`orchestrion.core.ops`); :func:`main` takes an argument list and
returns the exit status, so tests can call it in-process. See ``docs/cli.md``.
"""

from orchestrion.cli.main import main

__all__ = ["main"]
