"""The picture a widget shows: PNG frames with a small front end of their own.

:class:`PagePicture` is an `anywidget <https://anywidget.dev>`_ (an ES module
shipped in this package, ``picture.js``: no JupyterLab extension to install)
that shows the PNG frames a view renders.  In the page it

* decodes each frame off the main thread before swapping it in, in a box of
  fixed size whose layout and paint stay inside it (a new frame reflows
  nothing else on the page), and drops a frame that a newer one overtook;
* answers the frames it put on screen with the newest one's number, at most
  every 150 ms (a *receipt*, see :mod:`.receipts`), so Play never sends
  faster than the page shows; a view
  that is gone (its output cleared) sends nothing, and Play stops by itself;
* knows where the things in the picture are: the widget sends *regions* with
  each frame (see :func:`check_regions`), and hovering one shows its numbers
  in a tooltip without a round trip to the kernel; clicking one selects it, or
  opens a small number field to edit the value it stands for.

Where the extra front end cannot run (``anywidget`` is not installed, or the
environment variable ``ACTVIZ_PICTURE=image`` asks for the plain path) the
widget shows a core ``ipywidgets.Image`` instead, with receipts from
:class:`~.receipts.LinkedCounters`; static renderers (HTML export, nbval)
get the last frame as PNG from the widget's ``_repr_mimebundle_``.

Region dictionaries (coordinates in CSS pixels of the picture as drawn at
its full width, origin at the top left)::

    {"id": "neuron:1:0", "shape": "circle", "x": 120.0, "y": 80.0, "r": 14.0,
     "title": "neuron 1 of layer 1", "rows": [["z", "0.412"], ["a", "0.390"]],
     "select": True}
    {"id": "w:1:0:0", "shape": "segment", "x0": 40, "y0": 80, "x1": 120, "y1": 80,
     "width": 8, "title": "weight w₁", "rows": [["w", "0.5"]],
     "edit": {"label": "w", "value": 0.5, "min": -5, "max": 5, "step": 0.01}}
    {"id": "heat:1:0", "shape": "rect", "x0": 10, "y0": 10, "x1": 60, "y1": 60,
     "title": "...", "rows": [], "zoom": {"x0": 10, "y0": 10, "x1": 60, "y1": 60}}
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import traitlets

from ..i18n import tr

__all__ = ["PICTURE_ENV", "front_end_available", "make_picture", "PagePicture",
           "check_regions", "RegionError"]

#: Environment variable: ``image`` forces the plain ``ipywidgets.Image`` picture.
PICTURE_ENV = "ACTVIZ_PICTURE"
#: The shapes a region may have.
SHAPES = ("circle", "rect", "segment")
#: Most regions per frame (a 2-8×6-1 network has about 450 neurons and edges).
MAX_REGIONS = 2000
#: Most rows in one tooltip.
MAX_ROWS = 24
#: Most characters of one text in a region (title, label, value).
MAX_TEXT = 200

try:  # the picture's own front end is optional: without it, the core Image
    import anywidget as _anywidget
except ImportError:  # pragma: no cover - exercised where anywidget is not installed
    _anywidget = None
try:  # its ES module ships beside this file (package data)
    _ESM = (Path(__file__).with_name("picture.js")).read_text(encoding="utf-8")
except OSError:  # pragma: no cover - a build that left the module out: the core Image
    _ESM = None


class RegionError(ValueError):
    """A region (from :meth:`FigureWidget.frame_regions`) is malformed."""


def front_end_available() -> bool:
    """Whether widgets show :class:`PagePicture` (else a core ``ipywidgets.Image``).

    True when ``anywidget`` is importable, its module ``picture.js`` was installed, and
    :data:`PICTURE_ENV` does not say ``image``.
    """
    choice = os.environ.get(PICTURE_ENV, "").strip().lower()
    if choice not in ("", "page", "image"):
        raise ValueError(f"{PICTURE_ENV} must be 'page' or 'image' (or unset); got {choice!r}")
    return _anywidget is not None and _ESM is not None and choice != "image"


# -- regions -------------------------------------------------------------------------------
def _name(where: str, key: str | None) -> str:
    return where if key is None else f"{where}[{key!r}]"


def _number(where: str, value: Any, key: str | None = None) -> float:
    # plain floats and ints first: a frame's regions hold hundreds of them
    if (type(value) is float or type(value) is int) and math.isfinite(value):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise RegionError(f"{_name(where, key)} must be a finite real number; got {value!r}")
    return float(value)


def _text(where: str, value: Any, key: str | None = None) -> str:
    if type(value) is not str and not isinstance(value, str):
        raise RegionError(f"{_name(where, key)} must be a string; got {type(value).__name__} "
                          f"{value!r}")
    return value[:MAX_TEXT]


def _box(where: str, value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise RegionError(f"{where} must be a dict with x0, y0, x1, y1; got {value!r}")
    box = {k: _number(where, value.get(k), k) for k in ("x0", "y0", "x1", "y1")}
    if box["x1"] <= box["x0"] or box["y1"] <= box["y0"]:
        raise RegionError(f"{where} must have x0 < x1 and y0 < y1; got {dict(value)!r}")
    return box


def _edit(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise RegionError(f"{where} must be a dict with label, value, min, max, step; "
                          f"got {value!r}")
    out: dict[str, Any] = {"label": _text(where, value.get("label"), "label")}
    for key in ("value", "min", "max", "step"):
        out[key] = _number(where, value.get(key), key)
    if not out["min"] < out["max"] or out["step"] <= 0:
        raise RegionError(f"{where} must have min < max and step > 0; got {dict(value)!r}")
    if not out["min"] <= out["value"] <= out["max"]:
        raise RegionError(f"{where}: value {out['value']!r} lies outside "
                          f"[{out['min']!r}, {out['max']!r}]")
    return out


def check_regions(regions: Any) -> list[dict[str, Any]]:
    """Validate the regions of a frame; returns them as plain JSON-ready dicts.

    Parameters
    ----------
    regions : sequence of dict
        See the module's docstring for the keys.

    Returns
    -------
    list of dict
        Each region with its numbers as floats and only the known keys.

    Raises
    ------
    RegionError
        Naming the region (by index and id) and what is wrong: a missing or
        duplicate id, an unknown shape, a coordinate that is not a finite
        number, too many regions or rows, an edit range that holds no value.
    """
    if isinstance(regions, (str, bytes, Mapping)) or not isinstance(regions, Sequence):
        raise RegionError(f"regions must be a list of dicts; got {type(regions).__name__}")
    if len(regions) > MAX_REGIONS:
        raise RegionError(f"at most {MAX_REGIONS} regions per frame; got {len(regions)}")
    out, ids = [], set()
    for i, region in enumerate(regions):
        if not isinstance(region, Mapping):
            raise RegionError(f"regions[{i}] must be a dict; got {type(region).__name__}")
        rid = region.get("id")
        where = f"regions[{i}] (id {rid!r})"
        if not isinstance(rid, str) or not rid:
            raise RegionError(f"{where}: 'id' must be a non-empty string")
        if rid in ids:
            raise RegionError(f"{where}: the id is used twice in one frame")
        ids.add(rid)
        shape = region.get("shape")
        if shape not in SHAPES:
            raise RegionError(f"{where}: 'shape' must be one of {', '.join(SHAPES)}; "
                              f"got {shape!r}")
        clean: dict[str, Any] = {"id": rid, "shape": shape}
        if shape == "circle":
            for key in ("x", "y", "r"):
                clean[key] = _number(where, region.get(key), key)
            if clean["r"] <= 0:
                raise RegionError(f"{where}: 'r' must be > 0; got {clean['r']!r}")
        elif shape == "rect":
            clean.update(_box(where, region))
        else:
            for key in ("x0", "y0", "x1", "y1"):
                clean[key] = _number(where, region.get(key), key)
            clean["width"] = _number(where, region.get("width", 8.0), "width")
            if clean["width"] <= 0:
                raise RegionError(f"{where}: 'width' must be > 0; got {clean['width']!r}")
        clean["title"] = _text(where, region.get("title", ""), "title")
        rows = region.get("rows", [])
        if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
            raise RegionError(f"{where}: 'rows' must be a list of [label, value] pairs")
        if len(rows) > MAX_ROWS:
            raise RegionError(f"{where}: at most {MAX_ROWS} rows; got {len(rows)}")
        clean["rows"] = []
        for j, row in enumerate(rows):
            if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != 2:
                raise RegionError(f"{where}: rows[{j}] must be a [label, value] pair; "
                                  f"got {row!r}")
            clean["rows"].append([_text(f"{where}: rows[{j}]", row[0], 0),
                                  _text(f"{where}: rows[{j}]", row[1], 1)])
        if region.get("zoom") is not None:
            clean["zoom"] = _box(f"{where}['zoom']", region["zoom"])
        if region.get("edit") is not None:
            clean["edit"] = _edit(f"{where}['edit']", region["edit"])
        select = region.get("select", False)
        if not isinstance(select, bool):
            raise RegionError(f"{where}: 'select' must be True or False; got {select!r}")
        if select:
            clean["select"] = True
        out.append(clean)
    return out


# -- the picture's front end ----------------------------------------------------------------
_Base = _anywidget.AnyWidget if _anywidget is not None else widgets.DOMWidget


class PagePicture(_Base):  # type: ignore[misc, valid-type]
    """PNG frames shown by the package's own front end (``picture.js``).

    Parameters
    ----------
    width : float
        The picture's width in CSS pixels (a 2x frame is shown at half its
        pixel width); narrower outputs scale it down.
    alt : str, optional
        The text alternative of the picture (screen readers, failed loads).
    language : str, optional
        The language of the tooltip's buttons and the messages.
    on_click, on_edit : callable, optional
        ``on_click(region_id)`` after a click on a region that selects;
        ``on_edit(region_id, value)`` after an edit field's value was applied.
        Both receive only ids of the current frame's regions and values
        already checked against the region's range.
    on_error : callable, optional
        ``on_error(text)`` when the page sent something that is refused (an
        unknown region, a value out of range) or a hook raised.

    Attributes
    ----------
    receipts : FrameReceipts or None
        Receives the frame numbers the page answers (set by the owner).
    """

    # The module's text, not its path: anywidget would watch a path with a signal
    # that holds every instance alive (a closed widget would never be collected).
    _esm = _ESM or ""
    png = traitlets.Bytes(b"").tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    width = traitlets.Float(0.0).tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    regions = traitlets.List().tag(sync=True)
    texts = traitlets.Dict().tag(sync=True)

    def __init__(self, width: float, alt: str = "", language: str | None = None,
                 on_click: Callable[[str], object] | None = None,
                 on_edit: Callable[[str, float], object] | None = None,
                 on_error: Callable[[str], object] | None = None, **kwargs: Any) -> None:
        if _anywidget is None:
            raise ImportError("PagePicture needs the anywidget package (pip install anywidget)")
        super().__init__(width=float(width), alt=alt, **kwargs)
        self.language = language
        self.texts = {key: tr(f"picture.js.{key}", language)
                      for key in ("apply", "cancel", "edit_hint", "select_hint")}
        self.receipts = None
        self._on_click, self._on_edit, self._on_error = on_click, on_edit, on_error
        self._by_id: dict[str, dict] = {}
        self.on_msg(self._handle_page_msg)

    @property
    def value(self) -> bytes:
        """The PNG shown (as ``ipywidgets.Image.value``); setting it shows a new frame."""
        return self.png

    @value.setter
    def value(self, png: bytes) -> None:
        self.show(png)

    def show(self, png: bytes, regions: list[dict] | None = None, frame: int = 0) -> None:
        """Send a frame, its regions and its number in one message.

        ``regions`` must have passed :func:`check_regions`; ``frame`` 0 asks
        for no receipt.
        """
        regions = regions or []
        png = bytes(png)
        self._by_id = {r["id"]: r for r in regions}
        with self.hold_sync():
            if png != self.png:  # an equal frame is not sent again
                self.png = png
                self.frame = frame
            if regions != self.regions:
                self.regions = regions

    # -- messages from the page ------------------------------------------------------------
    def _handle_page_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, Mapping):
            return
        kind = content.get("type")
        if kind == "shown":
            if self.receipts is not None:
                self.receipts.acknowledge(content.get("frame"))
            return
        if kind not in ("click", "edit"):
            return  # not ours to answer (a newer or older front end): ignore
        try:
            self._region_action(kind, content)
        except Exception as exc:  # noqa: BLE001 - a message from the page must never raise
            if self._on_error is not None:
                self._on_error(f"{type(exc).__name__}: {exc}")

    def _region_action(self, kind: str, content: Mapping) -> None:
        rid = content.get("id")
        region = self._by_id.get(rid) if isinstance(rid, str) else None
        if region is None:
            self._refuse(tr("picture.unknown_region", self.language, id=str(rid)[:80]))
            return
        if kind == "click":
            if not region.get("select"):
                self._refuse(tr("picture.not_selectable", self.language, id=rid))
            elif self._on_click is not None:
                self._on_click(rid)
            return
        edit = region.get("edit")
        if edit is None:
            self._refuse(tr("picture.not_editable", self.language, id=rid))
            return
        value = content.get("value")
        if (isinstance(value, bool) or not isinstance(value, Real)
                or not math.isfinite(value)):
            self._refuse(tr("picture.not_a_number", self.language, label=edit["label"],
                            value=str(value)[:40]))
            return
        if not edit["min"] <= value <= edit["max"]:
            self._refuse(tr("picture.out_of_range", self.language, label=edit["label"],
                            value=f"{value:g}", min=f"{edit['min']:g}",
                            max=f"{edit['max']:g}"))
            return
        if self._on_edit is not None:
            self._on_edit(rid, float(value))

    def _refuse(self, text: str) -> None:
        if self._on_error is not None:
            self._on_error(text)


def make_picture(width: float, alt: str = "", language: str | None = None,
                 **hooks: Any) -> widgets.DOMWidget:
    """The picture a widget shows: :class:`PagePicture`, or the core Image fallback.

    Parameters
    ----------
    width : float
        CSS width of the picture in pixels.
    alt : str, optional
    language : str, optional
    **hooks
        ``on_click``, ``on_edit``, ``on_error`` for :class:`PagePicture`
        (the fallback has no regions, so no hooks).
    """
    if front_end_available():
        return PagePicture(width, alt=alt, language=language, **hooks)
    return widgets.Image(format="png", layout=widgets.Layout(
        width=f"{width:g}px", max_width="100%", height="auto"))
