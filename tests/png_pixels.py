"""The RGB pixels of a PNG, for tests that compare pictures pixel for pixel."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def decode(png: bytes) -> np.ndarray:
    """``(height, width, 3)`` uint8 RGB pixels of the PNG bytes ``png``."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
