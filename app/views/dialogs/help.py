"""Help ▸ Canvass Help: what the product does and the safeguards it enforces."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

HELP_HTML = """
<h2>Canvass</h2>
<p>Canvass keeps a registry of the cameras that residents and businesses chose to register, shows them on a map,
and lets an agency <b>ask</b> the owners in an area for footage of a time window after an incident — a
<i>video canvass</i>. Owners decide whether to share.</p>
<h3>Safeguards built into the software</h3>
<ul>
<li><b>Consent.</b> Footage only arrives because an owner shared it. There is no live view and no remote access.</li>
<li><b>No biometric identification.</b> No face or voice recognition, now or as a plug-in.</li>
<li><b>Limits enforced in code:</b> area 0.025–0.5 sq mi, window 15 min–12 h, case number required, at most two
requests per incident, no requests about protests or lawful assembly, expiry after 7 days.</li>
<li><b>Audit.</b> Every sensitive act is written to a tamper-evident, hash-chained log.</li>
<li><b>Public log.</b> Every sent request appears in a public log; it can be resolved, never deleted.</li>
<li><b>Local data.</b> Everything stays in a database on this computer unless you export it.</li>
</ul>
<h3>Getting started</h3>
<p>Import a camera list with <b>File ▸ Import Cameras</b> (Ctrl+I) or drop a CSV, GeoJSON or KML file on the
window. Every bad row is listed with its line number and reason before anything is written.
<b>Help ▸ Keyboard Shortcuts</b> lists every shortcut.</p>
"""


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Canvass Help")
        browser = QTextBrowser(self)
        browser.setHtml(HELP_HTML)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        self.resize(620, 560)
