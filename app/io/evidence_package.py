"""Evidence packages as BagIt bags (RFC 8493, with the `bagit` library), zipped; and checking any bag offline.

A package is `NAME.zip` holding one folder NAME/ that is a bag:

    NAME/bagit.txt, bag-info.txt (case, request, agency, exporter, approver, recipient, legal basis, audit head)
    NAME/manifest-sha256.txt, manifest-sha512.txt, tagmanifest-sha256.txt, tagmanifest-sha512.txt
    NAME/data/items/<item-00012-front_door.mp4>     the files, under sanitised names
    NAME/data/canvass-manifest.json                 items with hashes, derived-from links, media info
    NAME/data/custody-log.csv                       every custody event of those items up to the export
    NAME/data/audit-chain-head.json                 the audit log's head when the package was made

A receiver needs nothing from Canvass: `bagit.py --validate NAME` (or any BagIt tool) on the unzipped folder.
check_package() names each file that is missing, extra or altered, for a zip or a folder, made by anyone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import bagit

ALGORITHMS = ["sha256", "sha512"]


class PackageError(Exception):
    """Not a bag, or it cannot be read (exit status 2 for the CLI)."""


@dataclass(frozen=True)
class PayloadFile:
    source: Path       # where the bytes are now (the evidence store)
    arcname: str       # path under data/, already sanitised


@dataclass(frozen=True)
class Built:
    path: Path
    sha256: str
    size_bytes: int
    files: int


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)  # same file system: no copy (the bag is zipped from it and then deleted)
    except OSError:
        shutil.copyfile(src, dst)


def _check_arcname(name: str) -> str:
    p = PurePosixPath(name)
    if p.is_absolute() or any(part in ("", ".", "..") for part in p.parts) or "\\" in name:
        raise ValueError(f"unsafe name inside a package: {name!r}")
    return str(p)


def build_package(dest_zip: Path, bag_name: str, payload: list[PayloadFile], extra_files: dict[str, bytes],
                  bag_info: dict[str, str], progress: Callable[[int, int], None] | None = None,
                  check: Callable[[], None] | None = None) -> Built:
    """Write the bag as dest_zip (through a temporary name: a cancelled or failed export leaves nothing)."""
    dest_zip = Path(dest_zip)
    bag_name = _check_arcname(bag_name)
    total = sum(f.source.stat().st_size for f in payload) * 2 + 1  # bagit's two hashes, then the zip
    done = 0
    with tempfile.TemporaryDirectory(prefix=".canvass-bag-", dir=dest_zip.parent) as tmp:
        root = Path(tmp) / bag_name
        root.mkdir()
        for f in payload:
            _link_or_copy(f.source, root / _check_arcname(f.arcname))
            if check:
                check()
        for name, data in extra_files.items():
            target = root / _check_arcname(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        bagit.make_bag(str(root), bag_info=dict(bag_info), checksums=ALGORITHMS, processes=1)
        done = total // 2
        if progress:
            progress(done, total)
        if check:
            check()
        part = dest_zip.with_name(dest_zip.name + ".part")
        try:
            count = 0
            with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    zf.write(path, f"{bag_name}/{path.relative_to(root).as_posix()}")
                    count += 1
                    done += path.stat().st_size
                    if progress:
                        progress(min(done, total), total)
                    if check:
                        check()
            with open(part, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(part, dest_zip)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    digest = hashlib.sha256()
    with open(dest_zip, "rb") as fh:
        for chunk in iter(lambda: fh.read(8 << 20), b""):
            digest.update(chunk)
    if progress:
        progress(total, total)
    return Built(dest_zip, digest.hexdigest(), dest_zip.stat().st_size, count)


# --- checking -------------------------------------------------------------------------------------------------------
@dataclass
class PackageCheck:
    path: Path
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    files_checked: int = 0
    payload_checked: int = 0
    algorithms: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.altered)

    def lines(self) -> list[str]:
        if self.ok:
            tags = self.files_checked - self.payload_checked
            return [f"OK: {self.path.name}: {self.payload_checked} payload files and {tags} tag files match the "
                    f"bag's manifests ({', '.join(self.algorithms)})"]
        out = [f"ALTERED: {self.path.name}"]
        out += [f"missing: {p}" for p in self.missing]
        out += [f"extra: {p}" for p in self.extra]
        out += [f"altered: {p}" for p in self.altered]
        return out


def _safe_extract(zip_path: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(zip_path) as zf:
            for member in zf.infolist():
                name = member.filename
                if name.endswith("/"):
                    continue
                try:
                    rel = _check_arcname(name)
                except ValueError as exc:
                    raise PackageError(f"{zip_path.name} holds a file outside its folder ({name!r}); not opened.") \
                        from exc
                target = into / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 8 << 20)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise PackageError(f"{zip_path.name} cannot be read as a zip file: {exc}") from exc


def _bag_root(folder: Path) -> Path:
    if (folder / "bagit.txt").is_file():
        return folder
    subs = [p for p in folder.iterdir() if p.is_dir() and (p / "bagit.txt").is_file()]
    if len(subs) == 1:
        return subs[0]
    raise PackageError(f"{folder.name} is not a BagIt bag (no bagit.txt at its top).")


def _hash_file(path: Path, algorithms: list[str]) -> dict[str, str]:
    hashers = {a: hashlib.new(a) for a in algorithms}
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(8 << 20), b""):
            for h in hashers.values():
                h.update(chunk)
    return {a: h.hexdigest() for a, h in hashers.items()}


def check_bag_folder(root: Path, shown_as: Path, progress: Callable[[int, int], None] | None = None) -> PackageCheck:
    try:
        bag = bagit.Bag(str(root))
    except bagit.BagError as exc:
        raise PackageError(f"{shown_as.name} is not a readable BagIt bag: {exc}") from exc
    result = PackageCheck(shown_as, algorithms=list(bag.algorithms), info={k: v for k, v in bag.info.items()})
    try:
        only_in_manifests, only_on_fs = bag.compare_manifests_with_fs()
    except bagit.BagError as exc:
        raise PackageError(f"{shown_as.name}: the manifests cannot be read: {exc}") from exc
    result.missing = sorted(only_in_manifests)
    result.extra = sorted(only_on_fs)
    entries = [(rel, hashes) for rel, hashes in sorted(bag.entries.items()) if rel not in only_in_manifests]
    for n, (rel, hashes) in enumerate(entries, 1):
        path = root / rel
        if not path.is_file():
            if rel not in result.missing:
                result.missing.append(rel)
            continue
        algorithms = [a for a in hashes if a in hashlib.algorithms_available]
        found = _hash_file(path, algorithms)
        if any(found[a] != hashes[a].lower() for a in algorithms):
            result.altered.append(rel)
        result.files_checked += 1
        result.payload_checked += rel.startswith("data/")
        if progress:
            progress(n, len(entries))
    return result


def check_package(path: Path, progress: Callable[[int, int], None] | None = None) -> PackageCheck:
    """Check a zipped or unzipped bag. Raises PackageError if it is not a bag or cannot be read."""
    path = Path(path)
    if path.is_dir():
        return check_bag_folder(_bag_root(path), path, progress)
    if not path.is_file():
        raise PackageError(f"{path} does not exist.")
    if not zipfile.is_zipfile(path):
        raise PackageError(f"{path.name} is neither a zip file nor a folder: not a BagIt package.")
    with tempfile.TemporaryDirectory(prefix="canvass-verify-") as tmp:
        _safe_extract(path, Path(tmp))
        return check_bag_folder(_bag_root(Path(tmp)), path, progress)


def manifest_json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n").encode("utf-8")
