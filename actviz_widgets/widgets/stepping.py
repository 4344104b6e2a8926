"""Step through a computation: a ``position`` setting, its slider, Prev / Next and a Play widget.

Shared by the widgets that walk a pass step by step (the backpropagation
stepper, the computational graph).  The Play widget ticks in the page; it
is linked to the ``position`` setting here, in the kernel, never
``jslink``ed to the slider in the page (a late page-side link would pull a
step set from code back): a step set from code moves Play and the slider,
and the page's Play sends a step only while the learner plays it.
"""

from __future__ import annotations

import ipywidgets as widgets
import traitlets

from ..engine.validation import check_int

__all__ = ["Stepping"]


class Stepping:
    """Mixin for a widget with a declared integer setting ``position`` and ``n_steps``.

    Call :meth:`init_stepping` after building the ``position`` control; it
    creates :attr:`play`, :attr:`prev_button` and :attr:`next_button`, their
    texts from the ``stepping`` catalogue area in the widget's language.
    """

    def init_stepping(self, interval: int = 900) -> None:
        """Build Play, Prev and Next, linked to the ``position`` setting."""
        self.play = widgets.Play(value=self.position, min=0, max=self.n_steps - 1,
                                 interval=interval, description=self.tr("stepping.play"),
                                 tooltip=self.tr("stepping.play.help"))
        self.play.observe(self._from_play, names="value")
        self.observe(self._to_play, names="position")
        lay = widgets.Layout
        self.prev_button = widgets.Button(description=self.tr("stepping.prev"),
                                          icon="step-backward",
                                          tooltip=self.tr("stepping.prev.help"),
                                          layout=lay(width="80px"))
        self.next_button = widgets.Button(description=self.tr("stepping.next"),
                                          icon="step-forward", button_style="primary",
                                          tooltip=self.tr("stepping.next.help"),
                                          layout=lay(width="80px"))
        self.prev_button.on_click(self.guarded(self.prev))
        self.next_button.on_click(self.guarded(self.next))

    def go(self, k: int) -> None:
        """Show step ``k`` (clamped to 0 .. n_steps − 1)."""
        k = check_int("k", k)
        self.position = min(max(k, 0), self.n_steps - 1)

    def next(self) -> None:
        """One step forward (stays on the last step)."""
        self.go(self.position + 1)

    def prev(self) -> None:
        """One step back (stays on step 0)."""
        self.go(self.position - 1)

    def _from_play(self, change: dict) -> None:
        """The page's Play (while the learner plays) moves the step."""
        if change["new"] == self.position:
            return
        try:
            self.position = change["new"]
        except (TypeError, ValueError, traitlets.TraitError) as exc:
            self.setting_refused("position", exc)
            self.play.value = self.position  # Play shows the setting

    def _to_play(self, change: dict) -> None:
        """A step set from code or the slider moves Play too."""
        if self.play.value != change["new"]:
            self.play.value = change["new"]
