"""The base of every widget: declared settings, their controls, a picture, a message line.

A widget is an ``ipywidgets.VBox`` (so it composes in ``HBox``/``VBox`` and
displays by itself) holding its controls, a picture showing its
:class:`~actviz_widgets.views.base.FigureView` as PNG frames, and an HTML line
for messages.  Its settings are traits declared once on the class
(:mod:`.settings`); a change of any of them, from a control or from code,
reaches :meth:`FigureWidget.settings_changed`, which recomputes and redraws.
Control callbacks never raise into the front end: an error becomes a
readable message and the widget keeps working.  The picture is the package's
own small front end (:mod:`.picture`, an anywidget: frames decoded off the
page's main thread, receipts from the page, regions a learner can hover and
click), or a core ``ipywidgets.Image`` where that is not available; either
way the widgets run in JupyterLab, Notebook 7, Voilà, VS Code and Colab.
"""

from __future__ import annotations

import base64
import html
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets

from ..i18n import tr
from ..views.base import FigureView
from .picture import PagePicture, check_regions, make_picture
from .player import Player
from .receipts import FrameReceipts, LinkedCounters
from .settings import SettingsOwner

__all__ = ["FigureWidget"]

#: While Play runs, the picture's regions (tooltips: up to ~100 KB of JSON for a large
#: network) are sent at most this often; every frame's numbers again when play ends.
REGIONS_WHILE_PLAYING_S = 0.5
#: The kinds of message under the picture.
MESSAGE_KINDS = ("error", "note")
_MESSAGE_STYLE = {"error": ("actviz-error", "#b00020", "⚠ "), "note": ("actviz-note", "#555", "")}


class FigureWidget(widgets.VBox, SettingsOwner):
    """Controls above a live picture of a view, with an error/message line.

    Subclasses that draw things a learner can point at (neurons, edges)
    override :meth:`frame_regions` (where they are, and the numbers their
    tooltips show) and :meth:`region_clicked` / :meth:`region_edited` (what a
    click or an edited value does).

    Subclasses declare their settings (:mod:`.settings`), call
    :meth:`init_settings` with the constructor's values, build their controls
    with :meth:`control`, call ``super().__init__`` with the view and the
    rows of controls, and implement :meth:`update` (recompute from the
    settings, then update the view) and :attr:`state`.

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
    image : PagePicture or ipywidgets.Image
        The picture (PNG bytes of the current frame in ``image.value``):
        the package's own front end, or the core Image fallback
        (:func:`~.picture.front_end_available`).
    message : ipywidgets.HTML
        Empty, or a message such as an error from the last change.
    message_kind : str or None
        ``"error"``, ``"note"`` or ``None`` (no message).
    error : str or None
        The last error message, or ``None`` when the last update worked.
    controls : dict of str -> ipywidgets.Widget
        The control of each setting that has one.
    receipts : FrameReceipts
        Which frames the page has shown (Play skips drawing while it is
        behind, and stops when a page that showed it is gone).
    """

    def __init__(self, view: FigureView, controls: list[widgets.Widget],
                 footer: list[widgets.Widget] | None = None, **kwargs: Any) -> None:
        self.view = view
        width, _ = view.css_size  # a 2x frame is shown at half its pixel width
        language = getattr(self, "language", None)
        self.image = make_picture(width, alt=tr("picture.alt", language,
                                                name=type(self).__name__),
                                  language=language, on_click=self._on_region_click,
                                  on_edit=self._on_region_edit, on_error=self.show_error)
        self.message = widgets.HTML(value="")
        self.message_kind: str | None = None
        self.error: str | None = None
        self._redraw_held = 0
        self._redraw_pending = False
        self.receipts = FrameReceipts()
        self._counters: LinkedCounters | None = None
        self._regions_in: list | None = None  # frame_regions()' last list, and checked
        self._regions_out: list[dict] = []
        self._regions_at = -float("inf")  # when they were last computed (time.monotonic)
        if isinstance(self.image, PagePicture):
            self.image.receipts = self.receipts  # each view answers the frames it shows
            hidden: list[widgets.Widget] = []
        else:
            self._counters = LinkedCounters(self.receipts)
            hidden = self._counters.widgets
        super().__init__(children=[*controls, self.image, self.message, *(footer or []),
                                   *hidden], **kwargs)
        player = getattr(self, "player", None)
        if isinstance(player, Player):  # Play stops when no page shows the picture any more
            player.abandoned = self._page_gone
            player.after_play = self.play_ended
        self.settings_live = True  # from now on a settings change recomputes and redraws

    # -- public ----------------------------------------------------------------------------
    @property
    def figure(self):
        """The view's matplotlib figure."""
        return self.view.figure

    @property
    def state(self) -> Any:
        """A read-only snapshot of what is drawn (subclasses)."""
        raise NotImplementedError

    def refresh(self) -> bool:
        """Recompute and redraw from the current settings.

        Returns
        -------
        bool
            True if the update worked; False if it failed, in which case the
            error is shown in :attr:`message` and kept in :attr:`error`, and the
            picture keeps its last good frame.
        """
        if self._redraw_held:
            self._redraw_pending = True
            return True
        try:
            self.update()
            png = self.view.to_png()
        except Exception as exc:  # noqa: BLE001 - a callback must never raise into the page
            self.show_error(exc)
            return False
        self.error = None
        if self.message_kind == "error":
            self.clear_message()
        # a frame equal to the one shown sends no picture, so it asks for no receipt
        frame = self.receipts.frame_sent() if png != self.image.value else 0
        if isinstance(self.image, PagePicture):
            player = getattr(self, "player", None)
            playing = isinstance(player, Player) and player.playing
            if not playing or time.monotonic() - self._regions_at >= REGIONS_WHILE_PLAYING_S:
                self._regions_out = self._checked_regions()
            self.image.show(png, self._regions_out, frame)  # picture, regions, number: one message
        else:
            self.image.value = png
            if frame:
                self._counters.frame_sent(frame)  # after the picture: the page keeps the order
        return True

    def save(self, path: str | os.PathLike, dpi: float | None = None) -> None:
        """Save the current picture as PNG, SVG or PDF (chosen by the extension)."""
        self.view.save(path, dpi=dpi)

    def show_error(self, exc: BaseException | str) -> None:
        """Show an error as a readable message under the picture."""
        text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        self.error = text
        self._show("error", text)

    def show_note(self, text: str) -> None:
        """Show an informative (non-error) note under the picture."""
        self._show("note", text)

    def clear_message(self, kind: str | None = None) -> None:
        """Remove the message (only if it is of ``kind``, when given)."""
        if kind is None or self.message_kind == kind:
            self.message.value = ""
            self.message_kind = None

    def update(self) -> None:
        """Recompute the model from the settings and update the view (subclasses)."""
        raise NotImplementedError

    # -- the picture's regions -------------------------------------------------------------
    def frame_regions(self) -> list[dict]:
        """Where the things a learner can point at are in the current frame (subclasses).

        Called after each redraw; the regions travel with the frame.  See
        :mod:`.picture` for the keys (``id``, ``shape``, coordinates in CSS
        pixels of the picture, ``title``, ``rows``, optional ``zoom``,
        ``edit``, ``select``).  Returning the very list of the last frame
        (unchanged) skips checking it again.  Default: none.
        """
        return []

    def region_clicked(self, region_id: str) -> None:
        """A click on a region that has ``"select": True`` (subclasses; default: nothing)."""

    def region_edited(self, region_id: str, value: float) -> None:
        """A value typed into a region's edit field, already within its range (subclasses)."""

    def close(self) -> None:
        """Close the widget, its controls and picture (the page forgets them all)."""
        player = getattr(self, "player", None)
        if player is not None:
            player.pause()  # no animation outlives its widget
        counters = getattr(self, "_counters", None)
        if counters is not None:
            counters.close()
        for child in _descendants(self):
            child.close()
        getattr(self, "controls", {}).clear()
        super().close()

    # -- settings --------------------------------------------------------------------------
    def settings_changed(self, names: set[str]) -> None:
        """Recompute and redraw (subclasses may do more, e.g. restart training)."""
        self.refresh()

    def setting_refused(self, name: str, exc: BaseException) -> None:
        """A control sent a value its setting refused: say so, keep the setting."""
        self.show_error(exc)

    # -- helpers for subclasses ------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Change several things at once: one redraw and one sync message at the end."""
        self._redraw_held += 1
        try:
            with self.hold_sync(), self.hold():
                yield
        finally:
            self._redraw_held -= 1
            if not self._redraw_held and self._redraw_pending:
                self._redraw_pending = False
                self.refresh()

    def guarded(self, action: Callable[[], object]) -> Callable[..., None]:
        """``action`` as a click handler whose errors become messages."""
        def handler(*_args: Any) -> None:
            try:
                action()
            except Exception as exc:  # noqa: BLE001 - a click must never raise into the page
                self.show_error(exc)
        return handler

    def _checked_regions(self) -> list[dict]:
        """This frame's regions, checked (the very list of the last frame is not checked again)."""
        self._regions_at = time.monotonic()
        try:
            raw = self.frame_regions()
            if raw is not self._regions_in:
                self._regions_out = check_regions(raw)
                self._regions_in = raw
            return self._regions_out
        except Exception as exc:  # noqa: BLE001 - the picture is still right; say why
            self._regions_in = None  # it cannot be pointed at
            self.show_error(exc)
            return []

    def play_ended(self) -> None:
        """Play ended (paused, or by itself): what was sent only now and then while
        playing goes to the page now: the last frame's regions (subclasses add theirs)."""
        if isinstance(self.image, PagePicture) and self.image.png:
            self.image.show(self.image.png, self._checked_regions(), 0)

    def _on_region_click(self, region_id: str) -> None:
        try:
            self.region_clicked(region_id)
        except Exception as exc:  # noqa: BLE001 - a click must never raise into the page
            self.show_error(exc)

    def _on_region_edit(self, region_id: str, value: float) -> None:
        try:
            self.region_edited(region_id, value)
        except Exception as exc:  # noqa: BLE001 - an edit must never raise into the page
            self.show_error(exc)

    def _page_gone(self) -> bool:
        """Whether the page that showed the picture stopped answering (Play then stops)."""
        if not self.receipts.page_gone():
            return False
        self.show_note(tr("picture.play_stopped_unseen", getattr(self, "language", None)))
        return True

    def _show(self, kind: str, text: str) -> None:
        css, colour, mark = _MESSAGE_STYLE[kind]
        self.message_kind = kind
        self.message.value = (f'<div class="{css}" style="color:{colour}">{mark}'
                              f"{html.escape(text)}</div>")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict | None:
        # Live front ends render the widget view; static renderers (HTML
        # export, GitHub) fall back to the last frame as a PNG, and nbval
        # compares only the short, stable text/plain.
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        bundle["text/plain"] = repr(self)
        if self.image.value:
            bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _descendants(widget: widgets.Widget) -> list[widgets.Widget]:
    found = []
    for child in getattr(widget, "children", ()):
        found.append(child)
        found.extend(_descendants(child))
    return found
