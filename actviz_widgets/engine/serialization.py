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

Loading reads no more than the file can hold and checks everything before
building the network: the layer sizes against the engine's caps
(:mod:`~actviz_widgets.engine.validation`: ``MAX_UNITS``, ``MAX_LAYERS``,
``MAX_PARAMETERS``) and against the arrays the file actually holds, each
``.npz`` member's stated shape and dtype (read from its header, without the
data) against its byte count and the config, JSON nesting, the type of
every value (real numbers only: booleans and strings are not numbers),
finiteness and the format version (the integer 1; ``true`` and ``1.0`` are
not versions). Any problem (a missing, foreign, damaged, oversized or
crafted file) is reported as a ``ValueError`` naming the file and what is
wrong, before anything is allocated for it.

File limits
    ==========================  ===========  ====================================
    name                        value        what it caps
    ==========================  ===========  ====================================
    :data:`MAX_FILE_BYTES`      64 MiB       the size of a file (a JSON file of
                                             ``MAX_PARAMETERS`` numbers fits)
    :data:`MAX_JSON_DEPTH`      32           nesting of JSON arrays and objects
                                             (the network itself needs 4)
    :data:`MAX_INT_DIGITS`      18           digits of a JSON integer
    :data:`MAX_HEADER_BYTES`    1 MiB        the ``.npz`` header (config and extra)
    ==========================  ===========  ====================================

Files are written to a temporary name and then renamed, so a failed save
never leaves a half-written file behind; a save refuses what a load would.
"""

from __future__ import annotations

import json
import os
import re
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .network import MLP
from .validation import MAX_LAYERS, MAX_PARAMETERS, MAX_UNITS

__all__ = ["save_network", "load_network", "MAX_FILE_BYTES", "MAX_JSON_DEPTH",
           "MAX_INT_DIGITS", "MAX_HEADER_BYTES"]

FORMAT = "actviz_widgets.network"
VERSION = 1
#: Largest network file read, in bytes.
MAX_FILE_BYTES: int = 64 * 2**20
#: Deepest nesting of JSON arrays and objects read.
MAX_JSON_DEPTH: int = 32
#: Most digits of an integer in a JSON document.
MAX_INT_DIGITS: int = 18
#: Largest ``header`` member of an ``.npz`` file, in bytes (4 per character).
MAX_HEADER_BYTES: int = 2**20
_EXTENSIONS = (".json", ".npz")
_CONFIG_KEYS = frozenset(("sizes", "activation", "output_activation", "loss", "init",
                          "weight_scale", "seed"))
_HEADER_KEYS = ("format", "version", "config", "extra")
# Members of an .npz archive: the header and two arrays per layer.
_MAX_MEMBERS = 2 * MAX_LAYERS + 1
# A zip's central directory: about 100 bytes per member in the files we write.
_MAX_DIRECTORY_BYTES = 2**16


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
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"extra must be JSON-serialisable (no NaN or infinity); {exc}") from None
    try:  # never write a file that load_network would refuse
        _parse_header(header_text)
        if 4 * len(header_text) > MAX_HEADER_BYTES:
            raise _FileProblem(f"its header would take {4 * len(header_text):,} bytes; at most "
                               f"{MAX_HEADER_BYTES:,} are allowed (MAX_HEADER_BYTES)")
    except _FileProblem as exc:
        raise ValueError(f"cannot save: extra would make a file that cannot be loaded: "
                         f"{exc}") from None
    try:
        net.check_params()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cannot save: {exc}") from None

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
        if len(text) > MAX_FILE_BYTES:
            raise ValueError(f"cannot save: the JSON file would be {len(text):,} bytes, more "
                             f"than the {MAX_FILE_BYTES:,} a load accepts (MAX_FILE_BYTES); "
                             "use .npz")
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
        If the file is missing, unreadable, larger than its limits, not a
        network file, or holds inconsistent, non-numeric or non-finite data;
        the message names the file and the problem. Nothing is allocated for
        the network before its sizes have been checked against the file's
        contents and the documented limits (see the module docstring).
    TypeError
        If ``path`` is not a path.
    """
    path, ext = _format_of(path)
    try:
        if not path.is_file():
            raise ValueError(f"cannot load network: no such file {str(path)!r}")
        size = path.stat().st_size
    except OSError as exc:
        raise ValueError(f"cannot load network from {str(path)!r}: {exc}") from None
    try:
        if size > MAX_FILE_BYTES:
            raise _FileProblem(f"it is {size:,} bytes; network files are at most "
                               f"{MAX_FILE_BYTES:,} bytes (MAX_FILE_BYTES)")
        header, weights, biases = (_read_npz if ext == ".npz" else _read_json)(path)
        net = _build(header, weights, biases)
    except _FileProblem as exc:
        raise ValueError(f"cannot load network from {str(path)!r}: {exc}") from None
    return (net, header["extra"]) if with_extra else net


class _FileProblem(Exception):
    """What is wrong with a file's contents (turned into a ValueError naming the file)."""


# What reading a damaged or foreign archive can raise (NotImplementedError: an
# unsupported compression; RuntimeError: an encrypted member).
_ZIP_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error,
               NotImplementedError, RuntimeError, struct.error)


# -- .npz ----------------------------------------------------------------------------------

def _read_npz(path: Path) -> tuple[dict, list, list]:
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
            if magic == b"\x93NUMPY":
                raise _FileProblem("it is a single .npy array, not an .npz archive")
            if not magic.startswith(b"PK"):
                raise _FileProblem("it is not an .npz archive (no zip signature)")
            _check_zip_directory(f)
            with zipfile.ZipFile(f) as zf:
                return _read_members(zf)
    except _ZIP_ERRORS as exc:
        raise _FileProblem(f"it is not a readable .npz archive ({type(exc).__name__}: "
                           f"{exc})") from None


def _check_zip_directory(f) -> None:
    """Refuse an archive whose directory claims more members than a network has,
    before :mod:`zipfile` reads that directory into memory."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(max(0, size - 22 - 65535))
    tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise _FileProblem("it is not a readable .npz archive (no zip directory)")
    _, _, _, _, count, directory_bytes, _, _ = struct.unpack("<4s4H2LH", tail[at:at + 22])
    if count == 0xFFFF or directory_bytes == 0xFFFFFFFF:
        raise _FileProblem("its zip directory is in the ZIP64 format, which network files "
                           "never need")
    if count > _MAX_MEMBERS or directory_bytes > _MAX_DIRECTORY_BYTES:
        raise _FileProblem(f"its zip directory lists {count:,} members in {directory_bytes:,} "
                           f"bytes; a network file has at most {_MAX_MEMBERS} members "
                           f"(a header and two arrays for each of at most {MAX_LAYERS} layers)")


def _read_members(zf: zipfile.ZipFile) -> tuple[dict, list, list]:
    infos = zf.infolist()
    if len(infos) > _MAX_MEMBERS:
        raise _FileProblem(f"it has {len(infos):,} members; a network file has at most "
                           f"{_MAX_MEMBERS}")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise _FileProblem("it holds two members of the same name")
    foreign = sorted(name for name in names if not name.endswith(".npy"))
    if foreign:
        raise _FileProblem(f"it holds members that are not arrays (.npy): {foreign[:5]}")
    members = {name[:-4]: info for name, info in zip(names, infos)}
    info = members.pop("header", None)
    if info is None:
        raise _FileProblem(f"it is not a saved network: no 'header' text entry (found entries "
                           f"{sorted(members)[:10]})")
    text = _read_npy(zf, info, "header", shape=(), kinds="U", max_bytes=MAX_HEADER_BYTES)
    header = _parse_header(str(text[()]))
    shapes = _expected_shapes(header["config"]["sizes"])
    if set(members) != set(shapes):
        missing = sorted(set(shapes) - set(members))
        unknown = sorted(set(members) - set(shapes))
        raise _FileProblem(f"the arrays do not match a network of {len(shapes) // 2} layers "
                           f"(missing {missing[:10]}, unexpected {unknown[:10]})")
    arrays = {key: _read_npy(zf, members[key], key, shape=shape, kinds="fiu")
              for key, shape in shapes.items()}
    L = len(shapes) // 2
    return (header, [arrays[f"weights_{l}"] for l in range(L)],
            [arrays[f"biases_{l}"] for l in range(L)])


def _read_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, shape: tuple,
              kinds: str, max_bytes: int | None = None) -> np.ndarray:
    """Read one member after checking its stated shape, dtype and size.

    The ``.npy`` header (a few dozen bytes) says the shape and dtype; the
    data are read only if they match what is expected and the member's
    stated size is exactly the header plus that many bytes.
    """
    with zf.open(info) as member:
        try:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                got_shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
            elif version == (2, 0):
                got_shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
            else:
                raise _FileProblem(f"array {key!r} has .npy format version {version}, "
                                   "which network files never use")
        except ValueError as exc:
            raise _FileProblem(f"array {key!r} is not a valid .npy array ({exc})") from None
        header_bytes = member.tell()
        if dtype.hasobject or dtype.names is not None or dtype.subdtype is not None or (
                dtype.kind not in kinds):
            want = "text" if kinds == "U" else "real numbers"
            raise _FileProblem(f"array {key!r} must hold {want}; its header says dtype "
                               f"{dtype.str if dtype.names is None else dtype.descr}")
        if got_shape != shape:
            raise _FileProblem(f"array {key!r} has shape {got_shape}; the network's config "
                               f"needs {shape}")
        n_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if max_bytes is not None and n_bytes > max_bytes:
            raise _FileProblem(f"array {key!r} claims {n_bytes:,} bytes; at most {max_bytes:,} "
                               "are allowed")
        if info.file_size != header_bytes + n_bytes or info.file_size > _most_inflated(info):
            raise _FileProblem(f"array {key!r} claims shape {got_shape} of {dtype.str} "
                               f"({n_bytes:,} bytes of data) but the member holds "
                               f"{info.file_size - header_bytes:,} bytes of data in "
                               f"{info.compress_size:,} compressed bytes")
        data = member.read(n_bytes)
        if len(data) != n_bytes:
            raise _FileProblem(f"array {key!r} is truncated")
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape, order="F" if fortran else "C")


def _most_inflated(info: zipfile.ZipInfo) -> int:
    """The most bytes a member's compressed data can inflate to (deflate: 1032 to 1)."""
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    return 1032 * info.compress_size + 1024


def _expected_shapes(sizes: list[int]) -> dict[str, tuple]:
    shapes = {}
    for l, (fi, fo) in enumerate(zip(sizes[:-1], sizes[1:])):
        shapes[f"weights_{l}"] = (fi, fo)
        shapes[f"biases_{l}"] = (fo,)
    return shapes


# -- .json ---------------------------------------------------------------------------------

def _read_json(path: Path) -> tuple[dict, list, list]:
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _FileProblem(f"it is not valid JSON (not UTF-8 text: {exc})") from None
    doc = _loads(text, "it")
    if not isinstance(doc, dict):
        raise _FileProblem(f"it holds a JSON {_json_type(doc)}, not an object")
    expected = {*_HEADER_KEYS, "weights", "biases"}
    if set(doc) != expected:
        raise _FileProblem(f"wrong keys: missing {sorted(expected - set(doc))}, unexpected "
                           f"{sorted(set(doc) - expected)[:10]}")
    header = _check_header({k: doc[k] for k in _HEADER_KEYS})
    sizes = header["config"]["sizes"]
    L = len(sizes) - 1
    weights, biases = doc["weights"], doc["biases"]
    for name, arrays in (("weights", weights), ("biases", biases)):
        if not isinstance(arrays, list) or len(arrays) != L:
            raise _FileProblem(f"{name!r} must be a list of {L} arrays for the layer sizes "
                               f"{sizes}; got {_json_summary(arrays)}")
    return (header,
            [_json_array(f"weights[{l}]", w, (fi, fo))
             for l, (w, fi, fo) in enumerate(zip(weights, sizes[:-1], sizes[1:]))],
            [_json_array(f"biases[{l}]", b, (fo,)) for l, (b, fo) in enumerate(zip(biases,
                                                                                sizes[1:]))])


def _json_array(name: str, value, shape: tuple) -> np.ndarray:
    """A nested list of exactly ``shape`` whose leaves are JSON numbers, as float64."""
    rows = [value] if len(shape) == 1 else value
    n_rows = 1 if len(shape) == 1 else shape[0]
    if not isinstance(rows, list) or len(rows) != n_rows:
        raise _FileProblem(f"{name} must be {_shape_words(shape)}; got {_json_summary(value)}")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != shape[-1]:
            where = "" if len(shape) == 1 else f" (row {i})"
            raise _FileProblem(f"{name} must be {_shape_words(shape)}; got "
                               f"{_json_summary(row)}{where}")
        types = set(map(type, row))
        if not types <= {int, float}:
            bad = next(v for v in row if type(v) not in (int, float))
            raise _FileProblem(f"{name} must hold numbers only; got {_json_type(bad)} "
                               f"{json.dumps(bad)[:30]}" + ("" if len(shape) == 1 else
                                                            f" in row {i}"))
    array = np.array(value, dtype=np.float64)
    if not np.isfinite(array).all():
        raise _FileProblem(f"{name} holds a number too large for a float64")
    return array


def _shape_words(shape: tuple) -> str:
    if len(shape) == 1:
        return f"a list of {shape[0]} numbers"
    return f"a list of {shape[0]} rows of {shape[1]} numbers"


def _json_type(value) -> str:
    """The JSON name of a parsed value's type."""
    return {bool: "boolean", str: "string", dict: "object", list: "array", int: "number",
            float: "number", type(None): "null"}.get(type(value), type(value).__name__)


def _json_summary(value) -> str:
    if isinstance(value, list):
        return f"an array of {len(value)}"
    kind = _json_type(value)
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


# Strings (with their escapes) whose brackets do not nest anything.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_OPEN, _CLOSE = np.frombuffer(b"[{", np.uint8), np.frombuffer(b"]}", np.uint8)


def _json_depth(text: str, limit: int) -> int:
    """The deepest nesting of arrays and objects in ``text`` (stops beyond ``limit``).

    A linear scan in chunks, without parsing: a file nested thousands deep is
    refused before the parser recurses into it.
    """
    data = np.frombuffer(_JSON_STRING.sub('""', text).encode("utf-8"), np.uint8)
    depth = peak = 0
    for start in range(0, len(data), 2**20):
        chunk = data[start:start + 2**20]
        brackets = chunk[np.isin(chunk, _OPEN) | np.isin(chunk, _CLOSE)]
        if brackets.size:
            running = depth + np.cumsum(np.where(np.isin(brackets, _OPEN), 1, -1))
            peak, depth = max(peak, int(running.max())), int(running[-1])
            if peak > limit:
                break
    return peak


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _FileProblem(f"it holds an integer of {len(digits.lstrip('-'))} digits "
                           f"({digits[:12]}...); integers in a network file have at most "
                           f"{MAX_INT_DIGITS} digits (MAX_INT_DIGITS)")
    return int(digits)


def _refuse_constant(name: str):
    raise _FileProblem(f"it holds {name}, which is not a number JSON allows (and network "
                       "files hold only finite numbers)")


def _loads(text: str, what: str):
    """``json.loads`` with the nesting, integer and constant limits of the module."""
    depth = _json_depth(text, MAX_JSON_DEPTH)
    if depth > MAX_JSON_DEPTH:
        raise _FileProblem(f"{what} nests arrays and objects more than {MAX_JSON_DEPTH} deep "
                           f"(MAX_JSON_DEPTH); a network file needs 4")
    try:
        return json.loads(text, parse_int=_parse_int, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # includes JSONDecodeError
        raise _FileProblem(f"{what} is not valid JSON ({exc})") from None


# -- the header ----------------------------------------------------------------------------

def _parse_header(text: str) -> dict:
    header = _loads(text, "its header")
    if not isinstance(header, dict) or set(header) != set(_HEADER_KEYS):
        raise _FileProblem("its header must be an object with the keys 'format', 'version', "
                           "'config' and 'extra'")
    return _check_header(header)


def _check_header(header: dict) -> dict:
    """Check format, version and config (types, sizes and limits) of a parsed header."""
    if header["format"] != FORMAT or type(header["format"]) is not str:
        raise _FileProblem(f"it is not a saved network (format {_short(header['format'])}, "
                           f"expected {FORMAT!r})")
    version = header["version"]
    if type(version) is not int or version != VERSION:
        kind = ("a number with a decimal point" if type(version) is float
                else f"a {_json_type(version)}")
        raise _FileProblem(f"unsupported version {_short(version)}, {kind}: this program reads "
                           f"version {VERSION}, written as the integer {VERSION}")
    config = header["config"]
    if not isinstance(config, dict) or set(config) != _CONFIG_KEYS:
        keys = sorted(config)[:10] if isinstance(config, dict) else _json_summary(config)
        raise _FileProblem(f"'config' must have exactly the keys {sorted(_CONFIG_KEYS)}; "
                           f"got {keys!r}")
    sizes = config["sizes"]
    if not isinstance(sizes, list) or not 2 <= len(sizes) <= MAX_LAYERS + 1:
        raise _FileProblem(f"'config' sizes must be a list of 2 to {MAX_LAYERS + 1} layer "
                           f"sizes; got {_json_summary(sizes)}")
    for i, n in enumerate(sizes):
        if type(n) is not int or not 1 <= n <= MAX_UNITS:
            raise _FileProblem(f"'config' sizes[{i}] must be an integer from 1 to {MAX_UNITS} "
                               f"(MAX_UNITS); got {_short(n)}")
    n_params = sum((fi + 1) * fo for fi, fo in zip(sizes[:-1], sizes[1:]))
    if n_params > MAX_PARAMETERS:
        raise _FileProblem(f"'config' sizes {sizes} make {n_params:,} weights and biases; "
                           f"the engine allows at most {MAX_PARAMETERS:,} (MAX_PARAMETERS)")
    if not isinstance(header["extra"], dict):
        raise _FileProblem(f"'extra' must be an object; got {_json_summary(header['extra'])}")
    return header


def _short(value) -> str:
    text = json.dumps(value) if isinstance(value, (bool, int, float, str, type(None))) else (
        _json_summary(value))
    return text if len(text) <= 40 else text[:37] + "..."


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
