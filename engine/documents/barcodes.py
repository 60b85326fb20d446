"""The dossier code as a Code 128 barcode, and the lookup URL as a QR code.

python-barcode only encodes (text -> bar pattern); we draw the pattern ourselves
so every module is a whole number of pixels at a known DPI. A rounded, uneven
bar width is what makes printed barcodes fail to scan, and the DPI written into
the PNG gives Word and LibreOffice the true printed size without any scaling.
"""

from __future__ import annotations

import io
from html import escape

import segno
from barcode import Code128
from PIL import Image, ImageDraw

PNG_DPI = 300
MODULE_PX = 4  # 4 px at 300 dpi = 0.34 mm (13 mil): scans off an office laser or inkjet print
QUIET_MODULES = 10  # the quiet zone Code 128 asks for on each side
BAR_HEIGHT_MM = 12.0
QR_SCALE = 10  # px per module in the PNG; the document sets the printed size
QR_BORDER = 4


def _modules(text: str) -> str:
    """The bar pattern of ``text``, "1" for a dark module, with the quiet zones."""
    if not text:
        raise ValueError("Mã vạch cần có nội dung")
    pattern = "".join(Code128(text).build())
    quiet = "0" * QUIET_MODULES
    return quiet + pattern + quiet


def _bars(pattern: str) -> list[tuple[int, int]]:
    """(start, width) of each dark bar, in modules."""
    bars: list[tuple[int, int]] = []
    start = None
    for index, module in enumerate(pattern + "0"):
        if module == "1" and start is None:
            start = index
        elif module == "0" and start is not None:
            bars.append((start, index - start))
            start = None
    return bars


def code128_png(text: str) -> bytes:
    """A 1-bit PNG of the barcode at ``PNG_DPI``, without human-readable text (the document prints the code)."""
    pattern = _modules(text)
    height = round(BAR_HEIGHT_MM / 25.4 * PNG_DPI)
    image = Image.new("1", (len(pattern) * MODULE_PX, height), 1)
    draw = ImageDraw.Draw(image)
    for start, width in _bars(pattern):
        draw.rectangle((start * MODULE_PX, 0, (start + width) * MODULE_PX - 1, height - 1), fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(PNG_DPI, PNG_DPI))
    return buffer.getvalue()


def code128_svg(text: str) -> str:
    """An inline ``<svg>`` of the barcode at its printed size; the quiet zones are part of the image."""
    pattern = _modules(text)
    module_mm = MODULE_PX / PNG_DPI * 25.4
    path = "".join(f"M{start} 0h{width}v1h-{width}z" for start, width in _bars(pattern))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {len(pattern)} 1" preserveAspectRatio="none"'
        f' width="{len(pattern) * module_mm:.2f}mm" height="{BAR_HEIGHT_MM:g}mm" shape-rendering="crispEdges"'
        f' role="img" aria-label="{escape(text)}"><rect width="{len(pattern)}" height="1" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )


def _qr(url: str) -> segno.QRCode:
    if not url:
        raise ValueError("Mã QR cần có địa chỉ tra cứu")
    return segno.make(url, error="m")


def qr_png(url: str) -> bytes:
    """A PNG of the QR code to ``url``, with its quiet zone."""
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


def qr_svg(url: str) -> str:
    """An inline ``<svg>`` of the QR code to ``url`` (no XML prolog)."""
    return _qr(url).svg_inline(scale=4, border=QR_BORDER, title=url)
