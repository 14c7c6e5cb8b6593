"""BagIt export (RFC 8493, with bagit-python) for repositories that ingest bags.

The payload is copied in, then `bagit.make_bag` writes the sha256 and sha512 manifests and
bag-info.txt (Bagging-Date, Payload-Oxum and Bag-Software-Agent are bagit's own), and the bag
is validated in full (every checksum recomputed) before it is reported as written. It is built
under a hidden name beside the target and renamed into place when valid (see
archive.packaging.scratch): a run killed half-way leaves no half bag.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import bagit  # type: ignore[import-untyped]

from archive.errors import ArchiveError, InvalidInputError
from archive.packaging.scratch import scratch

CHECKSUMS = ("sha256", "sha512")


@dataclass(frozen=True)
class BagSummary:
    path: Path
    files: int
    payload_oxum: str  # "<bytes>.<files>"
    info: Mapping[str, str]


def check_bag_target(target: Path) -> None:
    """Refuse a target that exists and is not an empty directory."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidInputError(f"{target}: the bag's directory must be new or empty")


def export_bag(
    target: Path,
    *,
    payload: Mapping[str, Path | bytes],
    description: str,
    organization: str | None = None,
    identifier: str | None = None,
) -> BagSummary:
    """Write a bag at `target` (absent or an empty directory) whose payload (`data/`) holds
    `payload`: bag-relative POSIX paths mapped to a file to copy or the bytes to write."""
    check_bag_target(target)
    for name in payload:
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise InvalidInputError(f"bag payload path {name!r} must be relative, without '..'")
    info = {"External-Description": description}
    if organization:
        info["Source-Organization"] = organization
    if identifier:
        info["External-Identifier"] = identifier
    with scratch(target.parent, target.name, directory=True) as building:
        for name, source in payload.items():
            destination = building.joinpath(*PurePosixPath(name).parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(source, bytes):
                destination.write_bytes(source)
            else:
                shutil.copyfile(source, destination)
        try:
            bag = bagit.make_bag(str(building), info, checksums=list(CHECKSUMS))
            bagit.Bag(str(building)).validate(fast=False)
        except (bagit.BagError, OSError) as exc:
            raise ArchiveError(
                f"{target}: the bag could not be written and validated: {exc}"
            ) from exc
        os.replace(building, target)  # over an empty directory too
    oxum = str(bag.info["Payload-Oxum"])
    return BagSummary(
        path=target,
        files=int(oxum.split(".")[1]),
        payload_oxum=oxum,
        info={key: str(value) for key, value in bag.info.items()},
    )
