"""The transparency report as PDF: the report's HTML laid out by Qt (QTextDocument) with the plots as images."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from app.io.report_files import report_html
from app.io.report_model import Report

PDF_MAX_ROWS = 200   # per table; the CSV beside the PDF holds every row


def write_pdf(report: Report, images: dict[str, bytes], path: Path, generated_at: str = "") -> None:
    doc = QTextDocument()
    for key, data in images.items():
        img = QImage.fromData(data, "PNG")
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"chart:{key}"), img)
    doc.setHtml(report_html(report, images, generated_at, image_src=lambda k: f"chart:{k}", img_width=900,
                            max_rows=PDF_MAX_ROWS))
    writer = QPdfWriter(str(path))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(150)
    writer.setTitle(report.title)
    writer.setCreator("Canvass")
    doc.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size().toSizeF())
    doc.print_(writer)
