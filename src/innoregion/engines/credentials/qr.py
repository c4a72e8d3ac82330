"""The QR code that carries a presentation: make a PNG (segno), read one back (zxing-cpp)."""

from __future__ import annotations

import io
from pathlib import Path

import segno

from innoregion.engines.credentials.encoding import TEXT_PREFIX


class QRDecodeError(ValueError):
    pass


def make_qr(text: str, error: str = "m") -> segno.QRCode:
    """A QR code (never a Micro QR) at error level M by default; segno picks the smallest version."""
    return segno.make(text, error=error, micro=False, boost_error=False)


def to_png(text: str, scale: int = 4, border: int = 4) -> bytes:
    out = io.BytesIO()
    make_qr(text).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def decode_image(image: bytes | Path | str | object) -> str:
    """Return the talent-code text found in an image (bytes of a PNG/JPEG, a path or a PIL image).

    Raises :class:`QRDecodeError` when no QR code with a talent-code text is found.
    """
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        if isinstance(image, bytes | bytearray):
            img = Image.open(io.BytesIO(image))
        elif isinstance(image, str | Path):
            img = Image.open(image)
        else:
            img = image
        img = img.convert("L")
    except (UnidentifiedImageError, OSError) as exc:
        raise QRDecodeError("not an image") from exc
    for barcode in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode):
        if barcode.valid and barcode.text.upper().startswith(TEXT_PREFIX):
            return barcode.text
    raise QRDecodeError("no talent code found in the image")
