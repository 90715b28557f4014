"""DuckDB's spatial extension, loaded offline from its PyPI wheel (`duckdb-extension-spatial`, pinned to the
DuckDB version): GDAL to read Shapefile, GeoPackage, GeoJSON and KML, PROJ to reproject, GEOS for
point-in-polygon. A bare `LOAD spatial` would look in ~/.duckdb and, offline, fail."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import duckdb


class SpatialUnavailable(RuntimeError):
    """The extension is not installed for this DuckDB version (say how to install it)."""


@lru_cache(maxsize=1)
def extension_file() -> Path:
    spec = importlib.util.find_spec("duckdb_extension_spatial")
    version = duckdb.__version__
    if spec is None or not spec.origin:
        raise SpatialUnavailable(f"未安装 DuckDB 空间扩展：pip install duckdb-extension-spatial=={version} / "
                                 f"the spatial extension is not installed")
    path = Path(spec.origin).parent / "extensions" / f"v{version}" / "spatial.duckdb_extension"
    if not path.exists():
        raise SpatialUnavailable(f"DuckDB 空间扩展与 DuckDB {version} 版本不符：pip install "
                                 f"duckdb-extension-spatial=={version} / the spatial extension does not match")
    return path


def load(con) -> None:
    """Load the extension into `con` (idempotent)."""
    loaded = con.execute("select count(*) from duckdb_extensions() where extension_name = 'spatial' and loaded"
                         ).fetchone()[0]
    if not loaded:
        con.execute(f"load '{extension_file()}'")  # a path from the installed wheel, not input
