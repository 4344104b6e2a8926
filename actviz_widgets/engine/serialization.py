"""Save and load networks as ``.npz`` or ``.json`` files, without pickle.

Both formats hold the same three things: a header (a format tag, a version,
``net.config()`` and a JSON ``extra`` dict where widgets keep their
settings), the weights and the biases.

* ``.npz`` (``numpy.savez_compressed``): arrays ``weights_0 .. weights_{L-1}``,
  ``biases_0 .. biases_{L-1}`` and ``header``, a 0-d string array holding the
  header as JSON. Loaded with ``allow_pickle=False``; weights round-trip bit
  for bit.
* ``.json``: one object ``{"format", "version", "config", "extra", "weights",
  "biases"}`` with the arrays as nested lists. Python writes floats with
  ``repr``, which round-trips float64 exactly, so this format is exact too.

Loading checks everything before building the network, and any problem (a
missing, foreign or damaged file, wrong keys or shapes, non-finite values, an
unknown activation) is reported as a ``ValueError`` naming the file.
Files are written to a temporary name and then renamed, so a failed save
never leaves a half-written file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path
import numpy as np

from .network import MLP

__all__ = ["save_network", "load_network"]

FORMAT = "actviz_widgets.network"
VERSION = 1
_EXTENSIONS = (".json", ".npz")
_CONFIG_KEYS = frozenset(("sizes", "activation", "output_activation", "loss", "init",
                          "weight_scale", "seed"))


def _format_of(path) -> tuple[Path, str]:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or Path); got {type(path).__name__}")
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in _EXTENSIONS:
        raise ValueError(f"cannot tell the file format of {str(path)!r} from its extension "
                         f"{ext or '(none)'!r}; expected one of {list(_EXTENSIONS)}")
    return path, ext


def save_network(net: MLP, path: str | os.PathLike, extra: dict | None = None) -> None:
    """Write a network's architecture, weights and ``extra`` settings to a file.

    Parameters
    ----------
    net : MLP
        The network to save.
    path : str or path-like
        Destination; the extension picks the format, ``.npz`` or ``.json``.
        An existing file is replaced.
    extra : dict, optional
        JSON-serialisable settings to store alongside (e.g. a widget's state).

    Raises
    ------
    ValueError
        Unknown extension, ``extra`` that is not JSON-serialisable, or
        non-finite weights.
    TypeError
        ``net`` is not an MLP or ``extra`` is not a dict.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP; got {type(net).__name__}")
    path, ext = _format_of(path)
    if extra is None:
        extra = {}
    if not isinstance(extra, dict):
        raise TypeError(f"extra must be a dict of JSON-serialisable settings; got "
                        f"{type(extra).__name__}")
    header = {"format": FORMAT, "version": VERSION, "config": net.config(), "extra": extra}
    try:
        header_text = json.dumps(header, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"extra must be JSON-serialisable (no NaN or infinity); {exc}") from None
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ValueError(f"cannot save: the weights or biases of layer {l} are not finite")

    if ext == ".npz":
        arrays = {"header": np.array(header_text)}
        for l, (W, b) in enumerate(zip(net.weights, net.biases)):
            arrays[f"weights_{l}"] = W
            arrays[f"biases_{l}"] = b
        _write_atomic(path, lambda f: np.savez_compressed(f, **arrays))
    else:
        doc = dict(header, weights=[W.tolist() for W in net.weights],
                   biases=[b.tolist() for b in net.biases])
        text = json.dumps(doc, allow_nan=False)
        _write_atomic(path, lambda f: f.write(text.encode("utf-8")))


def _write_atomic(path: Path, write) -> None:
    """Call ``write(binary_file)`` on a temporary file, then move it to ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load_network(path: str | os.PathLike, with_extra: bool = False) -> MLP | tuple[MLP, dict]:
    """Read a network written by :func:`save_network`.

    Parameters
    ----------
    path : str or path-like
        A ``.npz`` or ``.json`` file.
    with_extra : bool, default False
        Also return the ``extra`` dict saved with the network.

    Returns
    -------
    MLP or (MLP, dict)

    Raises
    ------
    ValueError
        If the file is missing, unreadable, not a network file, or holds
        inconsistent or non-finite data; the message names the file and the
        problem.
    """
    path, ext = _format_of(path)
    if not path.is_file():
        raise ValueError(f"cannot load network: no such file {str(path)!r}")
    try:
        header, weights, biases = (_read_npz if ext == ".npz" else _read_json)(path)
        net = _build(header, weights, biases)
    except _FileProblem as exc:
        raise ValueError(f"cannot load network from {str(path)!r}: {exc}") from None
    return (net, header["extra"]) if with_extra else net


class _FileProblem(Exception):
    """What is wrong with a file's contents (turned into a ValueError naming the file)."""


# What reading a damaged or foreign .npz can raise.
_NPZ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error)


def _read_npz(path: Path) -> tuple[dict, list, list]:
    try:
        # our own file handle, so it is closed even when np.load fails half-way
        with open(path, "rb") as f:
            magic = f.read(6)
            if magic == b"\x93NUMPY":
                raise _FileProblem("it is a single .npy array, not an .npz archive")
            if not magic.startswith(b"PK"):  # else np.load would take it for a pickle
                raise _FileProblem("it is not an .npz archive (no zip signature)")
            f.seek(0)
            with np.load(f, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
    except _NPZ_ERRORS as exc:
        raise _FileProblem(f"it is not a readable .npz archive ({exc})") from None
    text = arrays.pop("header", None)
    if text is None or text.shape != () or text.dtype.kind != "U":
        raise _FileProblem(f"it is not a saved network: no 'header' text entry (found entries "
                           f"{sorted(arrays) + (['header'] if text is not None else [])})")
    header = _parse_header(str(text))
    L = len(header["config"]["sizes"]) - 1
    expected = {f"{kind}_{l}" for kind in ("weights", "biases") for l in range(L)}
    if set(arrays) != expected:
        missing, unknown = sorted(expected - set(arrays)), sorted(set(arrays) - expected)
        raise _FileProblem(f"the arrays do not match a network of {L} layers (missing "
                           f"{missing}, unexpected {unknown})")
    for key, a in arrays.items():
        if a.dtype.kind not in "fiu":
            raise _FileProblem(f"array {key!r} must hold real numbers; got dtype {a.dtype}")
    return (header, [arrays[f"weights_{l}"] for l in range(L)],
            [arrays[f"biases_{l}"] for l in range(L)])


def _read_json(path: Path) -> tuple[dict, list, list]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # includes JSONDecodeError and UnicodeDecodeError
        raise _FileProblem(f"it is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise _FileProblem(f"it holds a JSON {type(doc).__name__}, not an object")
    expected = {"format", "version", "config", "extra", "weights", "biases"}
    if set(doc) != expected:
        raise _FileProblem(f"wrong keys: missing {sorted(expected - set(doc))}, unexpected "
                           f"{sorted(set(doc) - expected)}")
    header = _check_header({k: doc[k] for k in ("format", "version", "config", "extra")})
    weights, biases = doc["weights"], doc["biases"]
    if not (isinstance(weights, list) and isinstance(biases, list)):
        raise _FileProblem("'weights' and 'biases' must be lists of arrays")
    return header, weights, biases


def _parse_header(text: str) -> dict:
    try:
        header = json.loads(text)
    except ValueError as exc:
        raise _FileProblem(f"its header is not valid JSON ({exc})") from None
    if not isinstance(header, dict) or set(header) != {"format", "version", "config", "extra"}:
        raise _FileProblem("its header must be an object with the keys 'format', 'version', "
                           "'config' and 'extra'")
    return _check_header(header)


def _check_header(header: dict) -> dict:
    if header["format"] != FORMAT:
        raise _FileProblem(f"it is not a saved network (format {header['format']!r}, "
                           f"expected {FORMAT!r})")
    if header["version"] != VERSION:
        raise _FileProblem(f"unsupported version {header['version']!r} (this program reads "
                           f"version {VERSION})")
    config = header["config"]
    if not isinstance(config, dict) or set(config) != _CONFIG_KEYS:
        keys = sorted(config) if isinstance(config, dict) else config
        raise _FileProblem(f"'config' must have exactly the keys {sorted(_CONFIG_KEYS)}; "
                           f"got {keys!r}")
    sizes = config["sizes"]
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise _FileProblem(f"'config' sizes must be a list of at least 2 layer sizes; "
                           f"got {sizes!r}")
    if not isinstance(header["extra"], dict):
        raise _FileProblem(f"'extra' must be an object; got {type(header['extra']).__name__}")
    return header


def _build(header: dict, weights: list, biases: list) -> MLP:
    """The network described by a checked header, with the given parameters."""
    try:
        net = MLP(**header["config"])
    except (TypeError, ValueError) as exc:
        raise _FileProblem(f"invalid network config ({exc})") from None
    try:
        net.set_params(weights, biases)
    except (TypeError, ValueError) as exc:
        raise _FileProblem(f"parameters do not fit the config {net.sizes} ({exc})") from None
    return net

