"""Offline raster tile files: MBTiles (app.store.mbtiles) and PMTiles v3 archives (read here, with the `pmtiles`
package's directory decoding). Both answer ``get(z, x, y) -> bytes | None`` in slippy-map numbering."""

from __future__ import annotations

import mmap
from pathlib import Path
from typing import Protocol

TILE_FILE_SUFFIXES = (".mbtiles", ".pmtiles")


class TileFileError(ValueError):
    """The file is not a raster tile file the map can draw; the message says why."""


class TileFile(Protocol):
    kind: str
    path: Path
    name: str
    attribution: str
    format: str
    min_zoom: int
    max_zoom: int
    tile_count: int
    bounds: tuple[float, float, float, float] | None  # west, south, east, north (degrees), when the file says

    def get(self, z: int, x: int, y: int) -> bytes | None: ...

    def close(self) -> None: ...


class PMTilesFile:
    kind = "pmtiles"

    def __init__(self, path: Path) -> None:
        from pmtiles.tile import Compression, TileType, deserialize_header

        self.path = Path(path)
        try:
            self._file = open(self.path, "rb")  # noqa: SIM115 - kept open for the mapping's lifetime
        except OSError as exc:
            raise TileFileError(f"{self.path} cannot be opened: {exc.strerror or exc}.") from exc
        try:
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            self.header = deserialize_header(self._map[0:127])
        except Exception as exc:  # noqa: BLE001 - any decoding failure means "not a PMTiles v3 file"
            self._file.close()
            raise TileFileError(f"{self.path.name} is not a PMTiles version 3 archive ({exc.__class__.__name__}).") \
                from exc
        kinds = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp"}
        if self.header["tile_type"] not in kinds:
            self.close()
            raise TileFileError(f"{self.path.name} holds {self.header['tile_type'].name} tiles; Canvass draws raster "
                                "tiles (PNG, JPEG, WebP).")
        if self.header["tile_compression"] not in (Compression.NONE, Compression.UNKNOWN):
            self.close()
            raise TileFileError(f"{self.path.name}: compressed raster tiles are not supported.")
        self.format = kinds[self.header["tile_type"]]
        self.min_zoom, self.max_zoom = int(self.header["min_zoom"]), int(self.header["max_zoom"])
        self.tile_count = int(self.header["addressed_tiles_count"])
        h = self.header
        box = (h["min_lon_e7"] / 1e7, h["min_lat_e7"] / 1e7, h["max_lon_e7"] / 1e7, h["max_lat_e7"] / 1e7)
        self.bounds = box if -180 <= box[0] < box[2] <= 180 and -90 <= box[1] < box[3] <= 90 else None
        self._dirs: dict[tuple[int, int], list] = {}
        try:
            meta = self._metadata()
        except Exception:  # noqa: BLE001 - metadata is optional decoration
            meta = {}
        self.name = str(meta.get("name") or self.path.stem)
        self.attribution = str(meta.get("attribution") or "")

    def _metadata(self) -> dict:
        import gzip
        import json

        from pmtiles.tile import Compression

        h = self.header
        raw = self._map[h["metadata_offset"]:h["metadata_offset"] + h["metadata_length"]]
        if h["internal_compression"] == Compression.GZIP:
            raw = gzip.decompress(raw)
        return json.loads(raw or b"{}")

    def _directory(self, offset: int, length: int) -> list:
        from pmtiles.tile import deserialize_directory

        key = (offset, length)
        d = self._dirs.get(key)
        if d is None:
            d = self._dirs[key] = deserialize_directory(self._map[offset:offset + length])
        return d

    def get(self, z: int, x: int, y: int) -> bytes | None:
        from pmtiles.tile import find_tile, zxy_to_tileid

        if z < self.min_zoom or z > self.max_zoom:
            return None
        h = self.header
        tile_id = zxy_to_tileid(z, x, y)
        offset, length = h["root_offset"], h["root_length"]
        for _ in range(4):
            entry = find_tile(self._directory(offset, length), tile_id)
            if entry is None:
                return None
            if entry.run_length == 0:
                offset, length = h["leaf_directory_offset"] + entry.offset, entry.length
                continue
            start = h["tile_data_offset"] + entry.offset
            return bytes(self._map[start:start + entry.length])
        return None

    def close(self) -> None:
        try:
            self._map.close()
        except (AttributeError, ValueError):
            pass
        self._file.close()


def is_tile_file(path: Path) -> bool:
    return Path(path).suffix.lower() in TILE_FILE_SUFFIXES


def open_tile_file(path: Path) -> TileFile:
    """An MBTiles or PMTiles reader, by the file's suffix. Raises TileFileError with a reason a user can act on."""
    from app.store.mbtiles import MBTilesError, MBTilesFile

    path = Path(path)
    if not path.is_file():
        raise TileFileError(f"{path} does not exist or is not a file.")
    suffix = path.suffix.lower()
    if suffix == ".mbtiles":
        try:
            return MBTilesFile(path)
        except MBTilesError as exc:
            raise TileFileError(str(exc)) from exc
    if suffix == ".pmtiles":
        return PMTilesFile(path)
    raise TileFileError(f"{path.name} is not a tile file (expected .mbtiles or .pmtiles).")
