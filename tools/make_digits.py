"""Convert the 8x8 handwritten-digits CSV into ``actviz_widgets/engine/data/digits.npz``.

Source
------
The data is the test set of the UCI Machine Learning Repository's
"Optical Recognition of Handwritten Digits" data set (1797 samples, 8x8
images of integer pixel counts 0..16, labels 0..9), created by
E. Alpaydin and C. Kaynak (1998), licensed under CC BY 4.0
(https://doi.org/10.24432/C50P49).  The CSV used here is the copy that
scikit-learn ships as ``sklearn/datasets/data/digits.csv.gz``: one row per
sample, 64 pixel columns followed by the label.

Getting the CSV without installing scikit-learn::

    pip download --no-deps -d /tmp/skl scikit-learn
    unzip -j /tmp/skl/scikit_learn-*.whl 'sklearn/datasets/data/digits.csv.gz' -d /tmp/skl

Usage::

    python tools/make_digits.py /tmp/skl/digits.csv.gz [output.npz]

The output holds ``images`` (uint8, shape (1797, 64)) and ``labels``
(uint8, shape (1797,)), written with ``numpy.savez_compressed``.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "actviz_widgets" / "engine" / "data" / "digits.npz"


def convert(csv_gz: Path, out: Path = DEFAULT_OUT) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``csv_gz`` and write the compressed npz to ``out``.

    Parameters
    ----------
    csv_gz : Path
        Path to ``digits.csv.gz`` (64 pixel columns + label per row).
    out : Path
        Where to write the ``.npz``.

    Returns
    -------
    images, labels : numpy.ndarray
        The uint8 arrays that were written.
    """
    with gzip.open(csv_gz, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64, ndmin=2)
    if table.shape != (1797, 65):
        raise ValueError(f"expected 1797 rows of 65 columns in {csv_gz}; got shape {table.shape}")
    images, labels = table[:, :64], table[:, 64]
    # Guard the uint8 cast: values outside these ranges would wrap silently.
    if images.min() < 0 or images.max() > 16:
        raise ValueError(f"pixel values must lie in 0..16; got {images.min()}..{images.max()}")
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"labels must lie in 0..9; got {labels.min()}..{labels.max()}")
    images = images.astype(np.uint8)
    labels = labels.astype(np.uint8)
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
    print(f"wrote {out}: images {images.shape} {images.dtype}, labels {labels.shape} {labels.dtype}")
    print("per-class counts:", ", ".join(f"{d}: {c}" for d, c in enumerate(counts)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
