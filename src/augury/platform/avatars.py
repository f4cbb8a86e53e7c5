"""Avatars: decoded by Pillow to prove they are images, re-encoded to strip everything else.

Accepted: JPEG, PNG, WebP, GIF (first frame), at most ``avatar_max_bytes`` (2 MB) and
``avatar_max_pixels`` (the pixel cap is checked from the header, before any pixel is
decoded: a small file can declare a huge image, a decompression bomb). The stored avatar
is a fresh PNG of at most ``avatar_side_px`` square, carrying no metadata at all (EXIF,
GPS, comments and ICC profiles are not copied; orientation is applied first). Anything
that fails to decode is a 400. Decoding runs on a worker thread, never on the event loop.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from augury.platform.http import PlatformError

__all__ = ["FORMATS", "normalise_avatar"]

FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})


def normalise_avatar(data: bytes, max_pixels: int, side_px: int) -> bytes:
    """Return the avatar as a clean PNG, or raise 400."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(FORMATS)) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > max_pixels:
                    raise PlatformError(400, f"the image is larger than {max_pixels} pixels")
                image.seek(0)
                image.load()
                upright = ImageOps.exif_transpose(image)
                clean = upright.convert("RGBA")
        clean.thumbnail((side_px, side_px))
        out = io.BytesIO()
        clean.save(out, "PNG", optimize=True)
        return out.getvalue()
    except PlatformError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
    ):
        raise PlatformError(400, "not a valid JPEG, PNG, WebP or GIF image") from None
