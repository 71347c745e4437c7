"""The demo city's requests in the real Requests tab, as a first demo launch shows them."""

from __future__ import annotations

from pathlib import Path

from app.core.records import RequestState
from app.services.accountability import auth
from app.services.requests.demo import ensure_demo_requests
from app.store import requests as store
from app.store.db import open_store
from app.store.demo import ensure_demo_city
from tests.unit.test_demo_requests import EXPECTED, made, user_id

S = RequestState


def test_requests_tab_lists_them(make_window, tmp_path: Path) -> None:  # noqa: ANN001 - fixture
    from app import paths as app_paths
    from app.models.request_table_model import COL_CASE, COL_STATE, STATE_LABELS

    data = tmp_path / "store"
    p = app_paths.init(data, demo=True)
    c = open_store(p.db_path, p.backup_dir)
    ensure_demo_city(c)  # today's city, as a first launch makes it: the window's clock is the real one
    auth.ensure_demo_users(c)
    assert ensure_demo_requests(c) == 7
    cases = {store.get_request(c, rid).case_number: state for key, state in EXPECTED.items()
             for rid in [made(c)[key]]}
    ana = user_id(c, "ana")
    c.close()

    window = make_window(role="analyst", name="ana", demo=True, data=data, user_id=ana)
    tab = window.features["requests"]
    model = tab.model

    def shown() -> dict[str, str]:
        return {model.index(r, COL_CASE).data(): model.index(r, COL_STATE).data() for r in range(model.rowCount())}

    # The tab opens on the open requests; the launch's expiry check (real clock) left the sent one open.
    open_cases = {case for case, state in cases.items() if state in (S.DRAFT, S.AWAITING_APPROVAL, S.SENT)}
    assert set(shown()) == open_cases and len(open_cases) == 3
    tab.state_filter.setCurrentIndex(0)  # All requests
    assert set(shown()) == set(cases) and tab.table.model().rowCount() == 7
    for case, state in cases.items():
        assert shown()[case] == STATE_LABELS[state], case
