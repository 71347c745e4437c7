"""HTML laid out by Qt's text engine onto Letter pages of a PDF: the one page writer of the custody report and the
owners' letters."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument


def print_html(path: Path, title: str, html: str, *, landscape: bool = False, margin_mm: float = 20,
               point_size: float = 11, style_sheet: str = "") -> int:
    """Write `html` to a PDF at `path`; returns the page count."""
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("Canvass")
    writer.setResolution(150)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    margins = QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.Letter), orientation, margins,
                                     QPageLayout.Unit.Millimeter))
    doc = QTextDocument()
    # Lay the text out at the writer's resolution, so point sizes are true points on paper.
    doc.documentLayout().setPaintDevice(writer)
    font = doc.defaultFont()
    font.setPointSizeF(point_size)
    doc.setDefaultFont(font)
    if style_sheet:
        doc.setDefaultStyleSheet(style_sheet)
    doc.setHtml(html)
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    pages = doc.pageCount()
    doc.print_(writer)
    del writer  # the file is complete and closed once the writer is gone (callers rename it next)
    return pages
