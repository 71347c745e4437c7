"""The hostile corpus through the real window's import preview: a preview listing the bad rows by line, or a clear
message naming the reason — never a traceback, never a write. (The CLI side, with memory caps, is
tests/unit/test_hostile_corpus.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_hostile_corpus import CORPUS

# file -> ("preview", phrase among the bad rows or notes) | ("message", phrase in the message box)
EXPECTED = {
    "label-10mb.csv": ("preview", "characters long"),
    "nul-field-1mb.csv": ("preview", "a value is longer than 131,072 characters"),
    "unclosed-quote.csv": ("preview", "unclosed quote: the quoted value that opens on line 3"),
    "deep.geojson": ("preview", "nested too deeply"),
    "values.csv": ("preview", "latitude 90.0000001 is above 90"),
    "ansi-and-nul.csv": ("preview", "control characters (NUL, escape codes) removed from label"),
    "nul-2gib.csv": ("message", "NUL bytes"),
    "prefix-garbage.csv": ("message", "none of the first"),
    "billion-laughs.kml": ("message", "declares an XML entity"),
    "duplicate-columns.csv": ("message", "columns 2 and 4 are both named 'lat'"),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return CORPUS.make_corpus(tmp_path_factory.mktemp("hostile-ui"), list(EXPECTED))


def test_hostile_files_through_the_preview(make_window, qtbot, corpus) -> None:  # noqa: ANN001
    window = make_window()
    window.show()
    controller = window.features["import"]
    for name, (outcome, phrase) in EXPECTED.items():
        controller.message = None
        window.import_requested.emit(corpus[name])
        qtbot.waitUntil(lambda: controller.message is not None or (controller.dialog is not None
                                                                   and controller.dialog.isVisible()),
                        timeout=60_000)
        if outcome == "message":
            assert controller.dialog is None, name
            text = controller.message.text()
            assert phrase in text and "Traceback" not in text, (name, text)
            controller.message.close()
        else:
            dialog = controller.dialog
            model = dialog.issue_model
            reasons = [model.data(model.index(r, 2)) for r in range(model.rowCount())]
            assert any(phrase in r for r in reasons), (name, reasons[:5])
            dialog.reject()  # Import Nothing
            qtbot.waitUntil(lambda: not controller.busy, timeout=10_000)
        assert window.ctx.conn.execute("SELECT count(*) FROM cameras").fetchone()[0] == 0, name
