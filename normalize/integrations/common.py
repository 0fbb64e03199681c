"""What the integrations share; imports neither Ray nor datatrove."""

from __future__ import annotations

from pathlib import Path


def resolve_rules_dir(rules_dir: Path | str | None) -> str | None:
    """The rules folder as an absolute path string, or None for the package's own.

    Resolved where the job is defined, not where it runs: a worker's current
    folder is not the user's (Ray starts workers in its session folder, Slurm
    in the job's), so a relative path would name another folder there.
    """
    return None if rules_dir is None else str(Path(rules_dir).resolve())
