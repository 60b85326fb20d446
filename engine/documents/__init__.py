"""Receipt documents of the one-stop counter: Mẫu 01, 02, 03 of Thông tư 03/2025/TT-VPCP.

``render_docx`` fills the Word template, ``render_pdf`` also prints it to PDF with
LibreOffice (``PdfUnavailable`` when it is not installed); ``barcodes`` gives the
dossier code's Code 128 and the lookup QR code for HTML pages too.
"""

from engine.documents.barcodes import code128_png, code128_svg, qr_png, qr_svg
from engine.documents.data import ComponentLine, ReceiptData
from engine.documents.render import PdfConversionError, PdfUnavailable, docx_to_pdf, render_docx, render_pdf

__all__ = [
    "ComponentLine",
    "PdfConversionError",
    "PdfUnavailable",
    "ReceiptData",
    "code128_png",
    "code128_svg",
    "docx_to_pdf",
    "qr_png",
    "qr_svg",
    "render_docx",
    "render_pdf",
]
