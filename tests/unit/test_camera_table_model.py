"""CameraTableModel without a window: rows and cells from the arrays, text from SQLite, sort, filter, selection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.core.records import Camera, CameraKind, CameraSource, Consent, Owner, Role
from app.models.camera_table_model import (
    COL_ACTIVE,
    COL_CONSENT,
    COL_EXTERNAL_ID,
    COL_HEADING,
    COL_ID,
    COL_KIND,
    COL_LABEL,
    COL_LAT,
    COL_OWNER,
    COL_RETENTION,
    COL_SOURCE,
    CONSENT_NO_OWNER,
    CONSENT_OPT_OUT,
    CameraTableModel,
    IdRole,
    SortRole,
)
from app.services.registry.service import RegistryService
from app.services.session import Session, User
from app.store.camera_arrays import load_arrays
from app.store.db import open_store

# (label, external id, kind, source, lat, heading, owner consent or None)
CAMERAS = [
    ("12 Cedar Avenue", "A-1", CameraKind.DOORBELL, CameraSource.SELF_REGISTERED, 44.61, 90.0, Consent.OPT_IN),
    ("3 Harbor Road", "", CameraKind.CITY_CCTV, CameraSource.IMPORTED, 44.65, None, None),
    ("77 cedar lane", "B-2", CameraKind.FLOODLIGHT, CameraSource.PROGRAM_DISTRIBUTED, 44.60, 180.0, Consent.OPT_OUT),
    ("5 Anchor Court", "A-3", CameraKind.DOORBELL, CameraSource.SELF_REGISTERED, 44.70, 0.0, Consent.OPT_IN),
]


@pytest.fixture
def store(tmp_path: Path) -> sqlite3.Connection:
    conn = open_store(tmp_path / "store.sqlite3")
    svc = RegistryService(Session(conn, User(1, "ana", Role.ANALYST)))
    for label, ext, kind, source, lat, heading, consent in CAMERAS:
        owner = Owner(None, f"Owner of {label}", consent=consent) if consent else None
        svc.add_camera(Camera(None, lat, -124.0, kind, heading_deg=heading, fov_deg=120.0, range_m=10.0,
                              retention_days=30, source=source, external_id=ext or None, label=label), owner)
    conn.execute("UPDATE cameras SET active = 0 WHERE id = 2")
    yield conn
    conn.close()


@pytest.fixture
def model(qapp, store: sqlite3.Connection) -> CameraTableModel:  # noqa: ANN001
    return CameraTableModel(store, load_arrays(store))


def column(model: CameraTableModel, col: int, role: int = Qt.ItemDataRole.DisplayRole) -> list:
    return [model.data(model.index(r, col), role) for r in range(model.rowCount())]


def test_rows_and_cells_come_from_arrays_and_store(model: CameraTableModel) -> None:
    assert model.rowCount() == 4 and model.columnCount() == 14
    assert column(model, COL_ID) == ["1", "2", "3", "4"]
    assert column(model, COL_LABEL) == ["12 Cedar Avenue", "3 Harbor Road", "77 cedar lane", "5 Anchor Court"]
    assert column(model, COL_EXTERNAL_ID) == ["A-1", "", "B-2", "A-3"]
    assert column(model, COL_KIND) == ["Doorbell", "City CCTV", "Floodlight", "Doorbell"]
    assert column(model, COL_SOURCE) == ["Self-registered", "Imported", "Program", "Self-registered"]
    assert column(model, COL_OWNER) == ["Neighbor #1", "—", "Neighbor #2", "Neighbor #3"]
    assert column(model, COL_CONSENT) == ["Opted in", "No owner", "Opted out", "Opted in"]
    assert column(model, COL_LAT)[0] == "44.610000"
    assert column(model, COL_HEADING) == ["90", "", "180", "0"]
    assert column(model, COL_RETENTION) == ["30"] * 4
    assert column(model, COL_ACTIVE) == ["Yes", "No", "Yes", "Yes"]
    assert column(model, COL_ID, IdRole) == [1, 2, 3, 4]
    assert model.headerData(COL_HEADING, Qt.Orientation.Horizontal) == "Heading °"


def test_no_contact_details_in_any_cell(model: CameraTableModel, store: sqlite3.Connection) -> None:
    store.execute("UPDATE owners SET email = 'secret@example.org', phone = '555-0199', address = '1 Secret St'")
    fresh = CameraTableModel(store, model.arrays)
    cells = [str(fresh.data(fresh.index(r, c), role)) for r in range(fresh.rowCount()) for c in range(14)
             for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SortRole)]
    joined = " ".join(cells)
    assert "secret" not in joined and "555-0199" not in joined and "Secret St" not in joined
    assert "Owner of" not in joined  # the table shows the anonymity number, not the name


def test_sort_numeric_text_and_nan_last(model: CameraTableModel) -> None:
    model.sort(COL_LAT, Qt.SortOrder.AscendingOrder)
    assert column(model, COL_ID) == ["3", "1", "2", "4"]
    model.sort(COL_LAT, Qt.SortOrder.DescendingOrder)
    assert column(model, COL_ID) == ["4", "2", "1", "3"]
    model.sort(COL_HEADING, Qt.SortOrder.DescendingOrder)
    assert column(model, COL_ID) == ["3", "1", "4", "2"]  # unknown heading last either way
    model.sort(COL_LABEL, Qt.SortOrder.AscendingOrder)
    assert column(model, COL_LABEL) == ["12 Cedar Avenue", "3 Harbor Road", "5 Anchor Court", "77 cedar lane"]
    model.sort(COL_KIND, Qt.SortOrder.AscendingOrder)
    assert column(model, COL_KIND) == ["City CCTV", "Doorbell", "Doorbell", "Floodlight"]
    assert column(model, COL_KIND, SortRole) == sorted(column(model, COL_KIND, SortRole))


def test_filters_combine_and_keep_sort(model: CameraTableModel) -> None:
    model.sort(COL_LAT, Qt.SortOrder.DescendingOrder)
    model.set_filter(text="cedar")
    assert column(model, COL_ID) == ["1", "3"]
    model.set_filter(kinds=[list(CameraKind).index(CameraKind.DOORBELL)])
    assert column(model, COL_ID) == ["1"]
    model.set_filter(text="", kinds=None)
    assert column(model, COL_ID) == ["4", "2", "1", "3"]
    model.set_filter(consent=CONSENT_OPT_OUT)
    assert column(model, COL_ID) == ["3"]
    model.set_filter(consent=CONSENT_NO_OWNER)
    assert column(model, COL_ID) == ["2"]
    model.set_filter(consent="any", source=list(CameraSource).index(CameraSource.SELF_REGISTERED))
    assert column(model, COL_ID) == ["4", "1"]
    model.set_filter(source=None, text="a-")
    assert column(model, COL_ID) == ["4", "1"]
    model.set_filter(text="x", text_ids=np.array([2, 3]))  # ids found elsewhere (off the GUI thread)
    assert column(model, COL_ID) == ["2", "3"]


def test_selection_mapping_through_sort_and_filter(model: CameraTableModel) -> None:
    model.sort(COL_LAT, Qt.SortOrder.AscendingOrder)  # 3, 1, 2, 4
    assert model.ids_of_rows([0, 3]).tolist() == [3, 4]
    assert model.rows_of_ids([4, 3, 99]).tolist() == [0, 3]
    model.set_filter(text="cedar")  # 3, 1
    assert model.rows_of_ids([1, 2, 3, 4]).tolist() == [0, 1]
    assert model.row_of_id(2) == -1 and model.id_of_row(1) == 1


def test_targeted_data_changed_and_reset(model: CameraTableModel, store: sqlite3.Connection, qtbot) -> None:  # noqa: ANN001
    arrays = model.arrays
    store.execute("UPDATE cameras SET label = 'renamed' WHERE id = 3")
    arrays.heading_deg[2] = 45.0  # an in-place patch, as after an edit
    seen: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles=None: seen.append((a.row(), b.row())))
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_arrays(arrays, changed_ids=[3])
    assert seen == [(2, 2)] and not resets
    assert model.data(model.index(2, COL_LABEL)) == "renamed"
    assert model.data(model.index(2, COL_HEADING)) == "45"
    model.set_filter(text="harbor")
    model.set_arrays(load_arrays(store))  # new arrays: a reset that keeps the filter
    assert resets and column(model, COL_ID) == ["2"]


def test_text_sort_and_filter_see_an_edited_label(model: CameraTableModel, store: sqlite3.Connection) -> None:
    model.sort(COL_LABEL)
    model.set_filter(text="cedar")
    assert column(model, COL_ID) == ["1", "3"]  # "12 Cedar Avenue", "77 cedar lane"
    store.execute("UPDATE cameras SET label = '0 Cedar Quay' WHERE id = 3")
    model.set_arrays(model.arrays, changed_ids=[3])  # an in-place edit, as the undo commands do
    model.sort(COL_LABEL)
    assert column(model, COL_ID) == ["3", "1"]
    store.execute("UPDATE cameras SET label = '4 Pier Street' WHERE id = 1")
    model.set_arrays(model.arrays, changed_ids=[1])
    model.set_filter(text="cedar")
    assert column(model, COL_ID) == ["3"]
