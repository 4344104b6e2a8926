"""The digits case study: a 64-32-10 network trained in seconds, and what its hidden layer does."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES, get_activation
from ..engine.case_study import (
    DIGITS_RECIPE,
    DIGITS_SIZES,
    class_means,
    confusion_matrix,
    sort_by_class,
    train_digits,
)
from ..engine.datasets import load_digits
from ..engine.network import MLP
from ..engine.validation import check_int
from ..views.digits import DigitsView
from .base import FigureWidget
from .settings import Choice, Integer

__all__ = ["DigitsCaseStudy", "DigitsState"]


def _frozen(array: np.ndarray) -> np.ndarray:
    """A read-only copy of ``array``."""
    copy = np.array(array, copy=True)
    copy.flags.writeable = False
    return copy


@dataclass(frozen=True)
class DigitsState:
    """What the digits case study draws for the chosen digit and neuron (read-only).

    Attributes
    ----------
    activation : str
        The hidden activation of the network drawn.
    accuracy : float
        Its test accuracy.
    position : int
        The chosen digit's position among the test digits sorted by class.
    neuron : int
        The chosen hidden neuron.
    label, predicted : int
        The digit's true class and the network's most probable class.
    image : numpy.ndarray
        ``(64,)`` the digit's pixels in [0, 1].
    probabilities : numpy.ndarray
        ``(10,)`` the output probabilities for the digit.
    delta : numpy.ndarray
        ``(32,)`` δ = ∂L/∂z of the hidden neurons for the digit's loss.
    neuron_activations : numpy.ndarray
        ``(n_test,)`` the chosen neuron's activation for every sorted test digit.
    incoming : numpy.ndarray
        ``(64,)`` the chosen neuron's incoming weights.
    """

    activation: str
    accuracy: float
    position: int
    neuron: int
    label: int
    predicted: int
    image: np.ndarray
    probabilities: np.ndarray
    delta: np.ndarray
    neuron_activations: np.ndarray
    incoming: np.ndarray


class DigitsCaseStudy(FigureWidget):
    """Train a 64-32-10 network on the 8×8 digits and look inside its hidden layer.

    The network is trained with the engine's
    :func:`~actviz_widgets.engine.case_study.train_digits` recipe (well under
    a second; a progress bar follows the epochs) once per activation and
    kept, so going back to an activation is instant.  The views: the hidden
    activations of every test digit (sorted by class), the mean activation
    per class, one neuron across the digits, its incoming weights as an 8×8
    image, and for one digit its pixels, the output probabilities and the
    gradient of its loss with respect to each hidden neuron's pre-activation
    (δ = ∂L/∂z); the confusion matrix of the test split.

    Parameters
    ----------
    activation : str, default "relu"
        The hidden activation; changing it trains (or fetches) its network.
    sample : int, default 0
        The chosen digit: its position among the test digits sorted by class
        (0 .. n_test − 1).
    neuron : int, default 0
        The chosen hidden neuron (0 .. 31).
    seed : int, default 0
        Seed of the initial weights and the mini-batch order.
    language : str, optional
        ``"en"`` or ``"zh"``: the language of the labels, messages and
        picture (:mod:`actviz_widgets.i18n`); default: the current language.

    Attributes
    ----------
    activation, sample, neuron
        The settings (assign to change; the controls follow). If training
        for a new activation fails, the setting goes back to the network shown.
    activation_dropdown : ipywidgets.Dropdown
    sample_slider, neuron_slider : ipywidgets.IntSlider
    progress : ipywidgets.IntProgress
        Epochs trained (``max`` = the recipe's epochs); full when done.
    status : ipywidgets.HTML
        What was trained, how long it took and its test accuracy.
    data : Dataset
        ``load_digits()``.
    order : numpy.ndarray
        Test-set indices sorted by class: the sample ``k`` is test digit ``order[k]``.
    class_starts : numpy.ndarray
        Where each class starts among the sorted digits (11 entries).
    X_sorted, y_sorted : numpy.ndarray
        The test digits and labels in that order.
    net : MLP
        The trained network for the current activation.
    train_seconds : float or None
        How long its training took (``None`` if it came from the cache).
    hidden : numpy.ndarray
        ``(n_test, 32)`` hidden activations of the sorted test digits.
    probabilities : numpy.ndarray
        ``(n_test, 10)`` output probabilities.
    predicted : numpy.ndarray
        Most probable class per sorted digit.
    confusion : numpy.ndarray
        ``(10, 10)`` counts, true × predicted.
    class_mean : numpy.ndarray
        ``(10, 32)`` mean hidden activation per class.
    accuracy : float
        Test accuracy.
    sample_delta : numpy.ndarray
        δ = ∂L/∂z of the 32 hidden neurons for the chosen digit's loss.
    state : DigitsState
        What is drawn for the chosen digit and neuron (read-only).
    """

    # labels, tooltips and option labels: the catalogue's "digits.<setting>…" keys
    i18n_area = "digits"
    activation = Choice("relu", [(get_activation(n).display_name, n) for n in ACTIVATION_NAMES],
                        label="", effect="restart", width="260px")
    sample = Integer(0, 0, 358, label="", effect="display", width="520px")
    neuron = Integer(0, 0, DIGITS_SIZES[1] - 1, label="", effect="display", width="330px")

    def __init__(self, activation: str = "relu", sample: int = 0, neuron: int = 0,
                 seed: int = 0, language: str | None = None) -> None:
        self.seed = check_int("seed", seed, minimum=0)
        self.data = load_digits()
        n_test, n_hidden = self.data.n_test, DIGITS_SIZES[1]
        self.setting_ranges = {"sample": (0, n_test - 1)}  # (the split's size)
        self.init_settings(dict(activation=activation, sample=sample, neuron=neuron),
                           language=language)
        self.order, self.class_starts = sort_by_class(self.data.y_test, self.data.n_classes)
        self.X_sorted = self.data.X_test[self.order]
        self.y_sorted = self.data.y_test[self.order]
        self._trained: dict[str, tuple[list, list, float]] = {}
        self.net: MLP | None = None
        self._shown: str | None = None  # the activation whose network is shown
        self.train_seconds: float | None = None
        self.sample_delta = np.full(n_hidden, np.nan)
        self._drawn: DigitsState | None = None

        self.activation_dropdown = self.control("activation")
        self.sample_slider = self.control("sample")
        self.neuron_slider = self.control("neuron")
        self.progress = widgets.IntProgress(value=0, min=0, max=DIGITS_RECIPE["epochs"],
                                            description=self.tr("digits.training"),
                                            style={"description_width": "initial"},
                                            layout=widgets.Layout(width="260px"))
        self.status = widgets.HTML(value="")
        rows = [widgets.HBox([self.activation_dropdown, self.progress, self.status]),
                widgets.HBox([self.sample_slider, self.neuron_slider])]
        self._use(self.activation)  # trains (the bar follows) before the view exists
        super().__init__(DigitsView(self.class_starts, n_hidden=n_hidden, language=self.language),
                         rows)
        self._draw_network()
        self.refresh()

    # -- training --------------------------------------------------------------------------
    def _use(self, activation: str) -> None:
        """Make the network for ``activation`` current, training it first if needed.

        Nothing changes if training fails.
        """
        cached = self._trained.get(activation)
        if cached is None:
            self.progress.bar_style = ""

            def on_epoch(done: int, total: int, _trainer) -> None:
                self.progress.value = done
                self.progress.description = self.tr("digits.training_progress", done=done,
                                                    total=total)

            start = time.perf_counter()
            try:
                trainer = train_digits(activation, self.data, seed=self.seed,
                                       on_epoch=on_epoch)
            except Exception:
                self.progress.bar_style = "danger"
                self.progress.description = self.tr("digits.failed")
                raise
            seconds = time.perf_counter() - start
            cached = (*trainer.net.get_params(), seconds)
            self._trained[activation] = cached
            train_seconds = seconds
        else:
            train_seconds = None
        weights, biases, seconds = cached
        net = MLP(list(DIGITS_SIZES), activation=activation, loss="cross_entropy",
                  seed=self.seed)
        net.set_params(weights, biases)
        # everything about the whole test split, computed once per network
        trace = net.forward(self.X_sorted)
        probabilities = net.predict(self.X_sorted)
        predicted = probabilities.argmax(axis=1)
        self.net, self._shown, self.train_seconds = net, activation, train_seconds
        self.hidden = trace.a[1]
        self.probabilities = probabilities
        self.predicted = predicted
        self.confusion = confusion_matrix(self.y_sorted, predicted, self.data.n_classes)
        self.class_mean = class_means(self.hidden, self.y_sorted, self.data.n_classes)
        self.accuracy = float(np.mean(predicted == self.y_sorted))
        self.progress.value = self.progress.max
        self.progress.description = self.tr("digits.trained")
        self.progress.bar_style = "success"
        how = (self.tr("digits.status_trained", seconds=f"{seconds:.2f}")
               if train_seconds is not None else self.tr("digits.status_kept"))
        name = html.escape(self.activation_name(activation))
        self.status.value = self.tr("digits.status", name=name, how=how,
                                    epochs=DIGITS_RECIPE["epochs"],
                                    accuracy=f"{100 * self.accuracy:.1f}")

    def activation_name(self, name: str) -> str:
        """Activation ``name`` as the menu and the picture write it, in the widget's language."""
        return {value: label for label, value in self.localized_spec("activation").options}[name]

    def _draw_network(self) -> None:
        self.view.set_network(self.hidden, self.class_mean, self.confusion, self.accuracy,
                              self.activation_name(self._shown))

    def settings_changed(self, names: set[str]) -> None:
        """A new activation trains (or fetches) its network; then redraw."""
        if "activation" in names and self.activation != self._shown:
            try:
                self._use(self.activation)
            except Exception as exc:  # noqa: BLE001 - shown; the network shown stays
                self.activation = self._shown  # the setting goes back to what is shown
                self.show_error(exc)
                return
            self._draw_network()
        self.refresh()

    # -- the chosen digit and neuron -------------------------------------------------------
    @property
    def position(self) -> int:
        """The chosen digit's position among the sorted test digits (the ``sample`` setting)."""
        return self.sample

    @property
    def label(self) -> int:
        """The chosen digit's true class."""
        return int(self.y_sorted[self.sample])

    @property
    def state(self) -> DigitsState | None:
        """What is drawn for the chosen digit and neuron (a read-only snapshot)."""
        return self._drawn

    def update(self) -> None:
        """Recompute the chosen digit's gradients and draw the digit and the neuron."""
        k, j = self.sample, self.neuron
        x = self.X_sorted[k:k + 1]
        _, grads = self.net.loss_and_gradients(x, self.y_sorted[k:k + 1])
        delta = grads.delta[1][0].copy()
        label = int(self.y_sorted[k])
        probabilities = self.probabilities[k]
        column, incoming = self.hidden[:, j], self.net.weights[0][:, j]
        self.view.update(k, j, x[0], label, probabilities, delta, column, incoming)
        self.sample_delta = delta
        self._drawn = DigitsState(
            activation=self._shown, accuracy=self.accuracy, position=k, neuron=j, label=label,
            predicted=int(self.predicted[k]), image=_frozen(x[0]),
            probabilities=_frozen(probabilities), delta=_frozen(delta),
            neuron_activations=_frozen(column), incoming=_frozen(incoming))

    def __repr__(self) -> str:
        return (f"DigitsCaseStudy(activation={self.activation!r}, "
                f"sample={self.sample}, neuron={self.neuron})")
