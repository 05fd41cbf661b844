"""Where the data packages live: their folder, a paper id resolved to its folder, the ids there.

Paths only (no pandas): the runner checks parameters and lists packages with these before any
kernel starts. :mod:`reanalysis.data` reads the packages and re-exports these.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_root", "paper_dir", "available"]


def data_root() -> Path:
    """The folder holding the data packages.

    ``$REANALYSIS_DATA`` if set, else the repository's ``data/`` next to ``src/`` (the
    project is installed editable). Resolved from the package, never from the cwd.
    """
    env = os.environ.get("REANALYSIS_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "data"


def paper_dir(paper: str | os.PathLike) -> Path:
    """Resolve a paper id (``"zang2022"``) or a folder path to the package folder."""
    p = Path(paper).expanduser()
    if p.is_dir():
        return p.resolve()
    candidate = data_root() / str(paper)
    if candidate.is_dir():
        return candidate
    raise FileNotFoundError(
        f"no data package {str(paper)!r}: not a folder, and not one of {available()} in {data_root()}"
    )


def available() -> list[str]:
    """Ids of the data packages under :func:`data_root`."""
    root = data_root()
    return sorted(p.name for p in root.iterdir() if (p / "paper.toml").is_file()) if root.is_dir() else []
