"""Declared settings: one line per setting, its control built and linked from it.

A widget declares each of its settings once, as a traitlet on the widget
class, with everything a control needs: type, default, range, step, label
and what a change does (``effect``)::

    class ActivationExplorer(FigureWidget):
        z = Number(1.0, -6.0, 6.0, step=0.01, label="z (pre-activation)")
        depth = Integer(5, 1, 20, label="depth n (layers)")

:meth:`SettingsOwner.control` builds the control and links it both ways:
the setting is the truth, the control shows it and sends the learner's
changes to it.  Validation lives in the trait (one place): a value that is
not a real number, is NaN, or lies outside the range raises ``TypeError`` or
``ValueError`` naming the setting; a refused value typed into a control is
shown as a message and the control goes back to the setting's value.

Why the page and the kernel always agree
----------------------------------------
An ipywidgets slider in the page (noUiSlider) snaps any value it is given to
its step grid and re-computes it from the handle's position, so a value the
kernel sets (w = 0.7886 after a gradient step, lr = 0.03 on a log slider)
comes back altered, and with ``continuous_update=True`` the page *sends* that
altered value back: on every kernel-side change and again whenever the
widget is displayed (noUiSlider fires its "update" event when the handler is
bound).  Messages from the page then arrive late and overwrite newer values.
A float slider here therefore has ``continuous_update=False``: the page only
sends a value on a learner's action (releasing a drag, a click on the track,
an arrow key, a value typed in the readout; see ipywidgets'
``handleSliderChangeEvent`` / ``handleTextChange``), never an echo, so the
kernel keeps 0.7886 exactly and the learner's value always wins.  The step
stays the declared one, so arrow keys move by it.  Integer sliders do the
same: the page rounds integers exactly, but a slider whose value and range
the kernel moves together (a step slider following training) can still
send a clamped value back while the two messages cross.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets

from ..i18n import has_key, resolve_language, tr

__all__ = ["Number", "Integer", "Choice", "Choices", "Flag", "SettingsOwner",
           "SettingSpec"]

#: What a change of a setting does (a widget's :meth:`SettingsOwner.settings_changed`
#: decides; these are conventions): ``"recompute"`` recompute and redraw,
#: ``"restart"`` rebuild the model (training starts again), ``"live"`` apply to
#: the running model without restarting, ``"display"`` redraw only.
EFFECTS = ("recompute", "restart", "live", "display")


@dataclass(frozen=True)
class SettingSpec:
    """What a control needs to know about a setting (kept in the trait's metadata)."""

    label: str  # English text, or "" when the owner's catalogue area holds it
    kind: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    fmt: str | None = None
    options: tuple = ()
    effect: str = "recompute"
    help: str = ""
    width: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def _is_real(value: Any) -> bool:
    return (not isinstance(value, (bool, np.bool_))
            and isinstance(value, (int, float, np.integer, np.floating)))


class _Setting:
    """Mixin: metadata, per-instance ranges and readable errors for a setting trait."""

    spec: SettingSpec

    def _bounds(self, obj: Any) -> tuple[float | None, float | None]:
        ranges = getattr(obj, "setting_ranges", None)
        if ranges is not None and self.name in ranges:
            return ranges[self.name]
        return self.spec.low, self.spec.high

    def _check_range(self, obj: Any, value: float, shown: Any) -> None:
        low, high = self._bounds(obj)
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{self.name} must be between {low:g} and {high:g}; got {shown!r}")


class Number(_Setting, traitlets.Float):
    """A real-valued setting in ``[low, high]``, shown as a slider.

    Parameters
    ----------
    default : float
    low, high : float
        The range (the slider's ends).
    step : float
        The slider's step: arrow keys move by it (in decades when ``log``).
    label : str
        The control's description.
    fmt : str, default ".2f"
        The readout's format.
    log : bool, default False
        A base-10 logarithmic slider (``low`` and ``high`` are values, not exponents).
    effect : str, default "recompute"
        One of :data:`EFFECTS`.
    help : str
        The control's tooltip.
    width : str, optional
        The control's CSS width.
    """

    def __init__(self, default: float, low: float, high: float, *, step: float, label: str,
                 fmt: str = ".2f", log: bool = False, effect: str = "recompute",
                 help: str = "", width: str | None = None) -> None:
        super().__init__(float(default))
        self.spec = SettingSpec(label=label, kind="log" if log else "float", low=float(low),
                                high=float(high), step=step, fmt=fmt, effect=effect,
                                help=help, width=width)

    def validate(self, obj: Any, value: Any) -> float:
        if not _is_real(value):
            raise TypeError(f"{self.name} must be a real number; got {value!r} of type "
                            f"{type(value).__name__}")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{self.name} must be a finite number; got {value!r}")
        self._check_range(obj, number, value)
        return number


class Integer(_Setting, traitlets.Int):
    """An integer setting in ``[low, high]``, shown as a slider (or a number box).

    Parameters
    ----------
    default, low, high : int
    label : str
    step : int, default 1
    text : bool, default False
        A number box instead of a slider (for seeds).
    effect, help, width
        As for :class:`Number`.
    """

    def __init__(self, default: int, low: int, high: int, *, label: str, step: int = 1,
                 text: bool = False, effect: str = "recompute", help: str = "",
                 width: str | None = None) -> None:
        super().__init__(int(default))
        self.spec = SettingSpec(label=label, kind="int_text" if text else "int", low=low,
                                high=high, step=step, effect=effect, help=help, width=width)

    def validate(self, obj: Any, value: Any) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{self.name} must be an integer; got {value!r} of type "
                            f"{type(value).__name__}")
        number = int(value)
        self._check_range(obj, number, value)
        return number


class Choice(_Setting, traitlets.Any):
    """One value out of fixed options, shown as a dropdown, toggle buttons or a selection slider.

    Parameters
    ----------
    default : object
    options : sequence of (label, value) or of values
    label : str
    widget : {"dropdown", "toggle", "slider"}, default "dropdown"
    effect, help, width
        As for :class:`Number`.
    """

    def __init__(self, default: Any, options: Sequence, *, label: str,
                 widget: str = "dropdown", effect: str = "recompute", help: str = "",
                 width: str | None = None) -> None:
        pairs = tuple(o if isinstance(o, tuple) else (str(o), o) for o in options)
        super().__init__(default)
        self.allow_none = False  # (traitlets' Any would skip validate for None)
        self.spec = SettingSpec(label=label, kind=widget, options=pairs, effect=effect,
                                help=help, width=width)

    def values(self, obj: Any = None) -> list:
        """The allowed values (per instance where the owner narrows them)."""
        narrowed = getattr(obj, "setting_options", None)
        pairs = narrowed[self.name] if narrowed and self.name in narrowed else self.spec.options
        return [v for _, v in pairs]

    def validate(self, obj: Any, value: Any) -> Any:
        allowed = self.values(obj)
        folded = value.strip().lower() if isinstance(value, str) else None
        for v in allowed:
            if v is None or value is None:
                if v is value:
                    return v
            elif isinstance(v, str) or isinstance(value, str):
                if isinstance(v, str) and v.lower() == folded:
                    return v
            elif _is_real(v) and _is_real(value):
                if float(v) == float(value):
                    return v
            elif isinstance(v, (bool, np.bool_)) and isinstance(value, (bool, np.bool_)):
                if bool(v) == bool(value):
                    return v
            elif not _is_real(v) and not _is_real(value) and v == value:
                return v  # e.g. tuples
        raise ValueError(f"{self.name} must be one of {allowed}; got {value!r}")


class Choices(_Setting, traitlets.Any):
    """Several values out of fixed options (a multiple selection); stored as a tuple."""

    def __init__(self, default: Sequence, options: Sequence, *, label: str, rows: int = 5,
                 at_least: int = 1, effect: str = "recompute", help: str = "",
                 width: str | None = None) -> None:
        pairs = tuple(o if isinstance(o, tuple) else (str(o), o) for o in options)
        super().__init__(tuple(default))
        self.allow_none = False
        self.at_least = at_least
        self.spec = SettingSpec(label=label, kind="multi", options=pairs, effect=effect,
                                help=help, width=width, extra={"rows": rows})

    def validate(self, obj: Any, value: Any) -> tuple:
        if isinstance(value, str):
            value = (value,)
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"{self.name} must be a sequence of choices; got {value!r}")
        allowed = [v for _, v in self.spec.options]
        chosen = []
        for item in value:
            key = item.strip().lower() if isinstance(item, str) else item
            if key not in allowed:
                raise ValueError(f"{self.name}: {item!r} is not one of {allowed}")
            chosen.append(key)
        if len(set(chosen)) < self.at_least:
            count = "one" if self.at_least == 1 else str(self.at_least)
            raise ValueError(f"{self.name}: select at least {count} (Ctrl/⌘-click to select "
                             f"several); got {tuple(value)!r}")
        # in the options' order, without repeats: the same selection is the same value
        return tuple(v for v in allowed if v in chosen)


class Flag(_Setting, traitlets.Bool):
    """A yes/no setting, shown as a checkbox."""

    def __init__(self, default: bool, *, label: str, effect: str = "recompute",
                 help: str = "") -> None:
        super().__init__(bool(default))
        self.spec = SettingSpec(label=label, kind="flag", effect=effect, help=help)

    def validate(self, obj: Any, value: Any) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{self.name} must be True or False; got {value!r}")
        return bool(value)


# -- controls ------------------------------------------------------------------------------
_STYLE = {"description_width": "initial"}


def make_control(spec: SettingSpec, value: Any, options: tuple | None = None,
                 bounds: tuple | None = None) -> widgets.Widget:
    """A new ipywidgets control for a setting, showing ``value``."""
    layout = widgets.Layout(width=spec.width) if spec.width else widgets.Layout()
    common = dict(description=spec.label, style=dict(_STYLE), layout=layout)
    low, high = bounds if bounds is not None else (spec.low, spec.high)
    if spec.kind == "float":
        control = widgets.FloatSlider(value=value, min=low, max=high, step=spec.step,
                                      readout_format=spec.fmt, continuous_update=False,
                                      **common)
    elif spec.kind == "log":
        control = widgets.FloatLogSlider(value=value, base=10, min=math.log10(low),
                                         max=math.log10(high), step=spec.step,
                                         readout_format=spec.fmt, continuous_update=False,
                                         **common)
    elif spec.kind == "int":
        control = widgets.IntSlider(value=value, min=low, max=high, step=spec.step,
                                    continuous_update=False, **common)
    elif spec.kind == "int_text":
        control = widgets.BoundedIntText(value=value, min=low, max=high, step=spec.step,
                                         **common)
    elif spec.kind in ("dropdown", "toggle", "slider"):
        pairs = list(options if options is not None else spec.options)
        cls = {"dropdown": widgets.Dropdown, "toggle": widgets.ToggleButtons,
               "slider": widgets.SelectionSlider}[spec.kind]
        control = cls(options=pairs, value=value, **common)
    elif spec.kind == "multi":
        pairs = list(spec.options)
        control = widgets.SelectMultiple(options=pairs, value=tuple(value),
                                         rows=spec.extra.get("rows", 5), **common)
    elif spec.kind == "flag":
        control = widgets.Checkbox(value=value, indent=False, **common)
    else:  # pragma: no cover - the trait classes above are the only makers of specs
        raise ValueError(f"unknown control kind {spec.kind!r}")
    if spec.help:
        control.tooltip = spec.help
    return control


class SettingsOwner(traitlets.HasTraits):
    """Mixin for a widget with declared settings (:class:`Number`, :class:`Choice` ...).

    Gives :meth:`control` (build and link a setting's control),
    :meth:`settings` (the values as a dict), :meth:`apply` (change several
    at once: one recompute), :meth:`set_range` / :meth:`set_options`
    (narrow or widen a setting for one instance; its control follows) and
    the observer that calls :meth:`settings_changed` with the names that
    changed (once the owner sets ``settings_live = True`` at the end of its
    construction).
    """

    # -- declarations ------------------------------------------------------------------------
    @classmethod
    def setting_names(cls) -> list[str]:
        """The declared settings, in declaration order."""
        return [name for name, trait in cls.class_traits().items()
                if isinstance(trait, _Setting)]

    @classmethod
    def setting_spec(cls, name: str) -> SettingSpec:
        """The declaration of setting ``name``."""
        trait = cls.class_traits().get(name)
        if not isinstance(trait, _Setting):
            raise ValueError(f"{cls.__name__} has no setting {name!r}; its settings are "
                             f"{cls.setting_names()}")
        return trait.spec

    #: The catalogue area holding this widget's texts (:mod:`actviz_widgets.i18n`):
    #: setting ``name``'s label is ``"<area>.<name>"``, its tooltip
    #: ``"<area>.<name>.help"`` and an option's label ``"<area>.<name>.<value>"``
    #: (the last two where the English catalogue has them).  ``None``: the
    #: declaration's own English ``label`` and ``help``.
    i18n_area: str | None = None

    def init_settings(self, values: Mapping[str, Any], language: str | None = None) -> None:
        """Set the language and the constructor's values (validated) before any control exists.

        Parameters
        ----------
        values : mapping
            The settings given to the constructor.
        language : str, optional
            ``"en"`` or ``"zh"``; default: :func:`actviz_widgets.i18n.get_language`.
        """
        self.language = resolve_language(language)
        self.setting_ranges: dict[str, tuple[float, float]] = getattr(self, "setting_ranges", {})
        self.setting_options: dict[str, tuple] = getattr(self, "setting_options", {})
        self.controls: dict[str, widgets.Widget] = {}
        self._links: dict[str, Any] = {}
        self._held = 0
        self._changed: set[str] = set()
        for name, value in values.items():
            self.setting_spec(name)  # unknown names fail loudly
            setattr(self, name, value)
        self.observe(self._on_setting, names=self.setting_names())

    def tr(self, key: str, /, **values: Any) -> str:
        """The text of catalogue ``key`` in this widget's language (see :func:`~actviz_widgets.i18n.tr`)."""
        return tr(key, getattr(self, "language", None), **values)

    def localized_spec(self, name: str) -> SettingSpec:
        """Setting ``name``'s declaration with its label, tooltip and option labels in this widget's language."""
        spec = self.setting_spec(name)
        area = self.i18n_area
        if area is None:
            return spec
        key = f"{area}.{name}"
        changes: dict[str, Any] = {"label": self.tr(key)}
        if has_key(key + ".help", "en"):
            changes["help"] = self.tr(key + ".help")
        if spec.options:
            changes["options"] = self._localized_options(name, spec.options)
        return replace(spec, **changes)

    def _localized_options(self, name: str, pairs: Sequence[tuple]) -> tuple:
        # An option's label comes from the catalogue where it has one ("xor" → "异或").
        if self.i18n_area is None:
            return tuple(pairs)
        key = f"{self.i18n_area}.{name}"
        return tuple((self.tr(f"{key}.{value}") if has_key(f"{key}.{value}", "en") else label,
                      value) for label, value in pairs)

    # -- values ------------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """Every setting's current value."""
        return {name: getattr(self, name) for name in self.setting_names()}

    def apply(self, **values: Any) -> None:
        """Change several settings at once: validated together, one recompute.

        Raises
        ------
        ValueError, TypeError
            If any value is refused; then no setting changes.
        """
        old = {name: getattr(self, name) for name in values}
        for name in values:
            self.setting_spec(name)
        try:
            with self.hold():
                for name, value in values.items():
                    setattr(self, name, value)
        except Exception:
            with self.hold():
                for name, value in old.items():
                    setattr(self, name, value)
            self._changed.clear()
            raise

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Collect setting changes; :meth:`settings_changed` runs once at the end."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
        if not self._held and self._changed:
            changed, self._changed = set(self._changed), set()
            self.settings_changed(changed)

    def set_range(self, name: str, low: float, high: float) -> None:
        """Give setting ``name`` the range ``[low, high]`` in this widget (and its control)."""
        spec = self.setting_spec(name)
        self.setting_ranges[name] = (low, high)
        control = self.controls.get(name)
        if control is not None:
            if spec.kind == "log":
                control.min, control.max = math.log10(low), math.log10(high)
            else:
                # widen first so that the control never clamps the value in between
                control.min, control.max = min(control.min, low), max(control.max, high)
                control.min, control.max = low, high

    def set_options(self, name: str, options: Sequence) -> None:
        """Narrow setting ``name`` to ``options`` (``(label, value)`` pairs or values).

        The setting keeps its value if still allowed, else takes the first option.
        """
        self.setting_spec(name)
        current = getattr(self, name)
        pairs = tuple(o if isinstance(o, tuple) else (str(o), o) for o in options)
        self.setting_options[name] = pairs
        values = [v for _, v in pairs]
        wanted = current if any(_equal(current, v) for v in values) else values[0]
        control = self.controls.get(name)
        if control is not None:
            # ipywidgets selects the first new option itself: the link is off meanwhile
            handler = self._links[name]
            control.unobserve(handler, names="value")
            try:
                control.options = list(self._localized_options(name, pairs))
                control.value = wanted
            finally:
                control.observe(handler, names="value")
        if not _equal(wanted, current):
            setattr(self, name, wanted)

    # -- controls ----------------------------------------------------------------------------
    def control(self, name: str, **layout: Any) -> widgets.Widget:
        """The control of setting ``name``, built once from its declaration and linked.

        A learner's change goes to the setting (a refused value becomes a
        message and the control shows the setting again); a change of the
        setting from code moves the control.
        """
        if name in self.controls:
            return self.controls[name]
        spec = self.localized_spec(name)
        options = self.setting_options.get(name)
        if options is not None:
            options = self._localized_options(name, options)
        control = make_control(spec, getattr(self, name), options,
                               self.setting_ranges.get(name))
        for key, value in layout.items():
            setattr(control.layout, key, value)

        def from_control(change: dict) -> None:
            value = change["new"]
            if spec.kind == "multi":
                value = tuple(value)
            if _equal(value, getattr(self, name)):
                return
            try:
                setattr(self, name, value)
            except (TypeError, ValueError, traitlets.TraitError) as exc:
                self.setting_refused(name, self.refusal(name, value, exc))
                control.value = getattr(self, name)  # the control shows the setting

        control.observe(from_control, names="value")
        self.controls[name] = control
        self._links[name] = from_control
        return control

    def _on_setting(self, change: dict) -> None:
        control = self.controls.get(change["name"])
        if control is not None and not _equal(control.value, change["new"]):
            control.value = change["new"]
        if not getattr(self, "settings_live", False):
            return  # still being constructed: the constructor computes once at its end
        self._changed.add(change["name"])
        if not self._held:
            changed, self._changed = set(self._changed), set()
            self.settings_changed(changed)

    # -- hooks -------------------------------------------------------------------------------
    def settings_changed(self, names: set[str]) -> None:
        """Called once after settings ``names`` changed (subclasses: recompute, redraw)."""

    def setting_refused(self, name: str, exc: BaseException) -> None:
        """A control sent a value the setting refused (subclasses show it)."""

    def refusal(self, name: str, value: Any, exc: BaseException) -> BaseException:
        """The error a learner reads when a control sends ``value`` that setting ``name`` refused.

        In English the setting's own message (it names the setting, the value and
        the range); in another language the same facts from the catalogue.
        """
        if self.language == "en":
            return exc
        spec = self.localized_spec(name)
        label = spec.label or name
        low, high = self.setting_ranges.get(name, (spec.low, spec.high))
        if spec.kind in ("float", "log", "int", "int_text") and low is not None \
                and high is not None:
            text = self.tr("common.refused_range", label=label, value=value,
                           low=f"{low:g}", high=f"{high:g}")
        else:
            text = self.tr("common.refused", label=label, value=value)
        return type(exc)(text) if isinstance(exc, (TypeError, ValueError)) else ValueError(text)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return tuple(a) == tuple(b)
    try:
        return bool(a == b) and type(a) is type(b) or (
            _is_real(a) and _is_real(b) and float(a) == float(b))
    except Exception:  # noqa: BLE001 - arrays and the like are simply "different"
        return False
