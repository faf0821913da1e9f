"""``orchestrion convert``: one file to another format, or a folder tree to a mirrored one.

A single file is read with :func:`orchestrion.read` (its format from its extension) and
written with :func:`orchestrion.write` (the format from OUT's extension). A folder is walked
recursively for every file a registered format reads; each is written under OUT_DIR at the
same relative place with the extension of the ``--to`` format, past any failure, and a
summary ends the run. Existing outputs are refused unless ``--force`` (overwrite) or
``--skip-existing`` (leave them, count them as skipped).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import orchestrion
from orchestrion.errors import FormatError, OrchestrionError
from orchestrion.io.registry import Format, format_of, formats, get_format

FORCE_HINT = "use --force to overwrite it or --skip-existing to keep it"


class UsageError(Exception):
    """The arguments do not fit together (exit status 2, like argparse's own errors)."""


def target_format(name: str) -> tuple[Format, str]:
    """The format ``--to`` names and the extension its outputs get.

    A format name gives the format's first extension (``midi`` -> ``.mid``, ``json`` ->
    ``.json``); an extension of a format is kept as given (``json.gz`` -> ``.json.gz``,
    ``yml`` -> ``.yml``). A leading dot means an extension: ``.midi`` -> ``.midi``.
    """
    wanted = name.lower().lstrip(".")
    by_name = {fmt.name: fmt for fmt in formats()}
    if wanted in by_name and not name.startswith("."):
        return by_name[wanted], by_name[wanted].extensions[0]
    for fmt in formats():
        if "." + wanted in fmt.extensions:
            return fmt, "." + wanted
    if wanted in by_name:
        return by_name[wanted], by_name[wanted].extensions[0]
    get_format(name)  # raises FormatError listing the known formats
    raise AssertionError("unreachable")  # pragma: no cover


def _check_writable(fmt: Format) -> None:
    if not fmt.can_write:
        raise FormatError(f"orchestrion cannot write {fmt.name} files")


def strip_extension(name: str, fmt: Format) -> str:
    """``name`` without the (longest) extension of ``fmt`` it ends with."""
    lower = name.lower()
    for ext in sorted(fmt.extensions, key=len, reverse=True):
        if lower.endswith(ext):
            return name[: len(name) - len(ext)]
    return name


def convert_file(source: Path, target: Path, *, to: str | None = None, force: bool = False,
                 skip_existing: bool = False, quiet: bool = False,
                 stdout: TextIO | None = None) -> int:
    """Convert one file; return the exit status. Errors raise ``OrchestrionError``/``OSError``.

    The output format comes from ``target``'s extension; ``to``, if given, must agree.
    """
    out = stdout or sys.stdout
    out_format = format_of(target)  # unknown extension: fail before reading anything
    _check_writable(out_format)
    if to is not None and target_format(to)[0].name != out_format.name:
        raise UsageError(f"--to {to} does not match the extension of {target} "
                         f"({out_format.name}); for a single file OUT's extension decides")
    if target.is_dir():
        raise FormatError("is a folder; give OUT a file name (or convert a folder IN with "
                          "--to FORMAT)", target)
    if target.exists():
        if skip_existing:
            if not quiet:
                print(f"skipped {target} (already exists)", file=out)
            return 0
        if not force:
            raise FormatError(f"already exists; {FORCE_HINT}", target)
    music = orchestrion.read(source)
    orchestrion.write(music, target)
    if not quiet:
        print(f"converted {source} -> {target}", file=out)
    return 0


@dataclass
class Summary:
    """What a folder conversion did."""

    converted: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = f"{len(self.converted)} converted, {len(self.failed)} failed"
        if self.skipped:
            head += f", {len(self.skipped)} skipped (already exist)"
        return [head, *(f"{path}: {reason}" for path, reason in self.failed)]


def find_sources(folder: Path, exclude: Path | None = None) -> list[Path]:
    """Files under ``folder`` (recursively, sorted, symlinked folders not followed) whose
    extension a registered format reads; nothing under ``exclude``."""
    excluded = exclude.resolve() if exclude is not None else None
    found = []
    for root, dirnames, filenames in os.walk(folder):
        here = Path(root)
        dirnames[:] = sorted(d for d in dirnames
                             if excluded is None or (here / d).resolve() != excluded)
        for name in sorted(filenames):
            try:
                format_of(name)
            except FormatError:
                continue
            found.append(here / name)
    return found


def _reason(error: BaseException, source: Path) -> str:
    """One line saying why ``source`` failed, without repeating its path."""
    if isinstance(error, FormatError):
        text = error.reason if error.path == str(source) else str(error)
    elif isinstance(error, OrchestrionError):
        text = str(error)
    elif isinstance(error, OSError):
        text = error.strerror or str(error)
        if error.filename is not None and str(error.filename) != str(source):
            text = f"{error.filename}: {text}"
    else:  # a bug or a library's surprise: keep going, but say what it was
        text = f"unexpected {type(error).__name__}: {error}"
    return " ".join(text.split())


def convert_folder(source: Path, target: Path, to: str, *, force: bool = False,
                   skip_existing: bool = False, quiet: bool = False,
                   stdout: TextIO | None = None) -> int:
    """Convert every readable file under ``source`` into ``target``; print the summary.

    Returns 0 when every file was converted (or skipped), 1 when any failed.
    """
    out = stdout or sys.stdout
    fmt, extension = target_format(to)
    _check_writable(fmt)
    if target.exists() and not target.is_dir():
        raise FormatError("exists and is not a folder", target)
    nested = target.resolve() != source.resolve() and target.resolve().is_relative_to(
        source.resolve())
    sources = find_sources(source, exclude=target if nested else None)
    summary = Summary()
    planned: dict[Path, Path] = {}
    with _progress(len(sources), quiet) as bar:
        for path in sources:
            relative = path.relative_to(source)
            stem = strip_extension(relative.name, format_of(path))
            destination = target / relative.parent / (stem + extension)
            bar.set_postfix_str(str(relative), refresh=False)
            try:
                if destination in planned:
                    raise FormatError(f"same output {destination} as {planned[destination]}")
                planned[destination] = path
                if destination.exists() and not destination.is_dir():
                    if skip_existing:
                        summary.skipped.append(path)
                        continue
                    if not force:
                        raise FormatError(f"{destination} already exists; {FORCE_HINT}")
                music = orchestrion.read(path)
                destination.parent.mkdir(parents=True, exist_ok=True)
                fmt.write(music, destination)
                summary.converted.append(path)
            except Exception as error:  # one bad file must not stop the rest
                summary.failed.append((path, _reason(error, path)))
            finally:
                bar.update(1)
    for line in summary.lines():
        print(line, file=out)
    return 1 if summary.failed else 0


class _NoBar:
    """Stands in for tqdm when no bar is shown (and tqdm need not be imported)."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int = 1) -> None:
        return None

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        return None


def _progress(total: int, quiet: bool) -> _NoBar:
    """A tqdm bar on stderr when stderr is a terminal and not ``quiet``; else a dummy."""
    if quiet or not sys.stderr.isatty():
        return _NoBar()
    from tqdm import tqdm  # only a folder conversion on a terminal needs it

    return tqdm(total=total, unit="file", desc="converting", file=sys.stderr,
                dynamic_ncols=True, leave=False)  # type: ignore[return-value]
