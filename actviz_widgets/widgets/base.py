"""The base of every widget: controls, a picture of a view, a message line.

A widget is an ``ipywidgets.VBox`` (so it composes in ``HBox``/``VBox`` and
displays by itself) holding its controls, an ``ipywidgets.Image`` showing
its :class:`~actviz_widgets.views.base.FigureView` as PNG, and an HTML line
for messages.  Control callbacks never raise into the front end: an error
becomes a readable message and the widget keeps working.  No front-end code
beyond ipywidgets' core, so the widgets run in JupyterLab, Notebook 7,
Voilà, VS Code and Colab.
"""

from __future__ import annotations

import html
import math
import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets

from ..views.base import FigureView

__all__ = ["FigureWidget", "make_continuous"]


class FigureWidget(widgets.VBox):
    """Controls above a live picture of a view, with an error/message line.

    Subclasses build their controls and view, call ``super().__init__`` with
    them, connect controls through :meth:`watch`, and implement
    :meth:`update`, which recomputes the model from the controls and
    updates the view's artists.

    Parameters
    ----------
    view : FigureView
        What is drawn.
    controls : list of ipywidgets.Widget
        Rows of controls shown above the picture.
    footer : list of ipywidgets.Widget, optional
        Widgets shown under the picture.

    Attributes
    ----------
    view : FigureView
        The rendering layer.
    image : ipywidgets.Image
        The current frame (PNG bytes in ``image.value``).
    message : ipywidgets.HTML
        Empty, or a message such as an error from the last change.
    error : str or None
        The last error message, or ``None`` when the last update worked.
    """

    def __init__(self, view: FigureView, controls: list[widgets.Widget],
                 footer: list[widgets.Widget] | None = None, **kwargs: Any) -> None:
        self.view = view
        width, _ = view.canvas.get_width_height()
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{width}px", max_width="100%", height="auto"))
        self.message = widgets.HTML(value="")
        self.error: str | None = None
        self._hold = 0
        self._pending = False
        for control in controls:
            make_continuous(control)
        super().__init__(children=[*controls, self.image, self.message, *(footer or [])],
                         **kwargs)

    # -- public ----------------------------------------------------------------------------
    @property
    def figure(self):
        """The view's matplotlib figure."""
        return self.view.figure

    def refresh(self) -> bool:
        """Recompute and redraw from the current control values.

        Returns
        -------
        bool
            True if the update worked; False if it failed, in which case the
            error is shown in :attr:`message` and kept in :attr:`error`, and the
            picture keeps its last good frame.
        """
        if self._hold:
            self._pending = True
            return True
        try:
            self.update()
            png = self.view.to_png()
        except Exception as exc:  # noqa: BLE001 - a callback must never raise into the page
            self.show_error(exc)
            return False
        self.error = None
        with self.hold_sync():
            self.image.value = png
            if self.message.value.startswith('<div class="actviz-error"'):
                self.message.value = ""
        return True

    def save(self, path: str | os.PathLike, dpi: float | None = None) -> None:
        """Save the current picture as PNG, SVG or PDF (chosen by the extension)."""
        self.view.save(path, dpi=dpi)

    def show_error(self, exc: BaseException | str) -> None:
        """Show an error as a readable message under the picture."""
        text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        self.error = text
        self.message.value = ('<div class="actviz-error" style="color:#b00020">⚠ '
                              f"{html.escape(text)}</div>")

    def show_note(self, text: str) -> None:
        """Show an informative (non-error) note under the picture."""
        self.message.value = f'<div class="actviz-note" style="color:#555">{html.escape(text)}</div>'

    def update(self) -> None:
        """Recompute the model from the controls and update the view (subclasses)."""
        raise NotImplementedError

    # -- helpers for subclasses ------------------------------------------------------------
    def watch(self, control: widgets.Widget, handler: Callable[[], None] | None = None,
              names: str = "value") -> None:
        """Call ``handler`` (default: :meth:`refresh`) when ``control`` changes.

        The handler is guarded: an exception becomes a message. Values a page
        merely echoes back are ignored: a slider view reports every value the
        kernel sets, off in the last bit, and sometimes late, after the kernel
        has already moved on (lesson cells set several values in a row). A
        late echo of an earlier kernel value is undone, so the page and the
        kernel agree on the kernel's latest value.
        """
        sent = deque([getattr(control, names, None)], maxlen=16)  # values the kernel set
        reverting = False

        def on_change(change: dict) -> None:
            nonlocal reverting
            old, new = change.get("old"), change.get("new")
            if reverting or _same_number(old, new):
                return  # a front end's echo of a value the kernel set, off in the last bit
            if not getattr(control, "_property_lock", None):
                sent.append(new)  # the kernel set it
            elif isinstance(new, float) and any(_same_number(new, v) or new == v
                                                for v in sent if v != old):
                reverting = True  # a stale echo from the page: put the kernel's value back
                try:
                    setattr(control, names, old)
                finally:
                    reverting = False
                return
            if handler is None:
                self.refresh()
                return
            try:
                handler()
            except Exception as exc:  # noqa: BLE001
                self.show_error(exc)

        control.observe(on_change, names=names)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Change several controls at once: one redraw and one sync message at the end."""
        self._hold += 1
        try:
            with self.hold_sync():
                yield
        finally:
            self._hold -= 1
            if not self._hold and self._pending:
                self._pending = False
                self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict | None:
        # Live front ends render the widget view; static renderers (HTML
        # export, GitHub) fall back to the last frame as a PNG, and nbval
        # compares only the short, stable text/plain.
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        bundle["text/plain"] = repr(self)
        if self.image.value:
            import base64
            bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def make_continuous(control: widgets.Widget) -> None:
    """Give every float slider in ``control`` (recursively) a continuous track.

    A browser slider with a ``step`` snaps any value the kernel sets onto its
    grid and sends the snapped value back: a gradient step to w = 0.7886
    would come back as 0.79 and the widget would redraw the wrong numbers.
    Without a step the page keeps the kernel's value (the readout still
    rounds it for display).
    """
    if isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider)):
        control.step = None
    for child in getattr(control, "children", ()):
        make_continuous(child)


def _same_number(old: Any, new: Any) -> bool:
    """True if two floats differ only by rounding (a page echoing a value back)."""
    return (isinstance(old, float) and isinstance(new, float) and old != new
            and math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12))
