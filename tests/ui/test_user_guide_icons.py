"""The offline User Guide (shipped in app/resources/guide/) and the action icons (app/resources/icons/actions/)."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QTextBrowser, QWidget

from app.resources_path import resource
from app.views.dialogs.user_guide import GUIDE, SECTIONS, UserGuideDialog, open_guide
from app.views.widgets.icons import ICON_GLYPHS, icon


def test_guide_covers_what_the_issue_asks_and_every_section_has_its_anchor() -> None:
    html = resource(GUIDE).read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a name="([^"]+)"', html))
    assert set(SECTIONS) <= anchors
    for needed in ("verify-audit", "0.025–0.5 sq mi", "15 min – 12 h", "Supervisor", "Auditor", "GeoJSON", "KML",
                   "why", "New Incident Here"):
        assert needed in html, needed
    assert "http://" not in html.replace('xmlns="http://www.w3.org', "")  # offline: nothing to fetch


def test_open_guide_at_a_section_reuses_one_window(qtbot) -> None:  # noqa: ANN001
    host = QWidget()
    qtbot.addWidget(host)
    host.show()
    guide = open_guide(host, "import")
    assert isinstance(guide, UserGuideDialog) and guide.isVisible()
    assert guide.section() == "import"
    browser = guide.findChild(QTextBrowser, "user_guide_browser")
    assert "Importing cameras" in browser.toPlainText()
    assert open_guide(host, "audit") is guide and guide.section() == "audit"


def test_every_action_icon_is_shipped_and_draws(qtbot) -> None:  # noqa: ANN001
    for name in ICON_GLYPHS:
        assert resource(f"icons/actions/{name}.svg").is_file(), name
        assert not icon(name).pixmap(24, 24).isNull(), name
    assert icon("no-such-icon").isNull()
