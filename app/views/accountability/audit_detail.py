"""The Audit Log tab's detail pane: the selected entry with every field named, for an auditor."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser, QWidget

from app.core import audit_actions, timefmt
from app.core.audit_actions import Resolver
from app.services.accountability.audit_service import MASK, AuditRow


class AuditDetailPane(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_detail")
        self.setToolTip("The selected entry, every field named")
        self.setOpenLinks(False)
        self.show_row(None)

    def show_row(self, row: AuditRow | None, resolve: Resolver | None = None) -> None:
        if row is None:
            self.setHtml("<p style='color:#666'>Select an entry to see all its fields here.</p>")
            return
        label = audit_actions.label(row.action)
        fields = [("When", f"{timefmt.readable(row.at)} ({row.at})"),
                  ("Who", row.actor),
                  ("Act", label + (f" <span style='color:#666'>(stored as {escape(row.action)})</span>"
                                   if audit_actions.canonical(row.action) != row.action else "")),
                  ("About", escape(audit_actions.object_text(row.object, resolve))
                   + f" <span style='color:#666'>({escape(row.object)})</span>")]
        details = audit_actions.detail_fields(row.details, resolve)
        rows = "".join(f"<tr><th align='left' valign='top'>{escape(k)}</th><td>{v}</td></tr>"
                       for k, v in [(k, v if k == "Act" or k == "About" else escape(v)) for k, v in fields])
        if details:
            rows += "<tr><td colspan='2'><hr></td></tr>" + "".join(
                f"<tr><th align='left' valign='top'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in details)
        else:
            rows += "<tr><td colspan='2' style='color:#666'>No details.</td></tr>"
        masked = (f"<p style='color:#8a5a00'>Personal data is hidden for your role (shown as “{MASK}”).</p>"
                  if row.masked else "")
        self.setHtml(f"<h3>Entry {row.seq}: {escape(label)}</h3><table cellspacing='4'>{rows}</table>{masked}"
                     f"<p style='color:#666; font-size:small'>SHA-256 {row.hash}</p>")
