"""The digits case study: a 64-32-10 network trained in seconds, and what its hidden layer does."""

from __future__ import annotations

import time

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
from ..engine.validation import check_choice, check_int
from ..views.digits import DigitsView
from .base import FigureWidget

__all__ = ["DigitsCaseStudy"]


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
        The hidden activation; changing the dropdown retrains.
    sample : int, default 0
        The chosen digit: its position among the test digits sorted by class
        (0 .. n_test − 1).
    neuron : int, default 0
        The chosen hidden neuron (0 .. 31).
    seed : int, default 0
        Seed of the initial weights and the mini-batch order.

    Attributes
    ----------
    activation_dropdown : ipywidgets.Dropdown
    sample_slider, neuron_slider : ipywidgets.IntSlider
    progress : ipywidgets.IntProgress
        Epochs trained (``max`` = the recipe's epochs); full when done.
    status : ipywidgets.HTML
        What was trained, how long it took and its test accuracy.
    data : Dataset
        ``load_digits()``.
    order : numpy.ndarray
        Test-set indices sorted by class: the slider's position ``k`` is test
        digit ``order[k]``.
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
    """

    def __init__(self, activation: str = "relu", sample: int = 0, neuron: int = 0,
                 seed: int = 0) -> None:
        activation = check_choice("activation", activation, ACTIVATION_NAMES)
        self.seed = check_int("seed", seed, minimum=0)
        self.data = load_digits()
        n_test, n_hidden = self.data.n_test, DIGITS_SIZES[1]
        sample = check_int("sample", sample, minimum=0, maximum=n_test - 1)
        neuron = check_int("neuron", neuron, minimum=0, maximum=n_hidden - 1)
        self.order, self.class_starts = sort_by_class(self.data.y_test, self.data.n_classes)
        self.X_sorted = self.data.X_test[self.order]
        self.y_sorted = self.data.y_test[self.order]
        self._trained: dict[str, tuple[list, list, float]] = {}
        self.net: MLP | None = None
        self.train_seconds: float | None = None
        self.sample_delta = np.full(n_hidden, np.nan)

        style = {"description_width": "initial"}
        self.activation_dropdown = widgets.Dropdown(
            options=[(get_activation(n).display_name, n) for n in ACTIVATION_NAMES],
            value=activation, description="hidden activation", style=style,
            layout=widgets.Layout(width="260px"))
        self.progress = widgets.IntProgress(value=0, min=0, max=DIGITS_RECIPE["epochs"],
                                            description="training", style=style,
                                            layout=widgets.Layout(width="260px"))
        self.status = widgets.HTML(value="")
        self.sample_slider = widgets.IntSlider(
            value=sample, min=0, max=n_test - 1, description="test digit (sorted by class)",
            style=style, layout=widgets.Layout(width="520px"))
        self.neuron_slider = widgets.IntSlider(
            value=neuron, min=0, max=n_hidden - 1, description="hidden neuron", style=style,
            layout=widgets.Layout(width="330px"))
        rows = [widgets.HBox([self.activation_dropdown, self.progress, self.status]),
                widgets.HBox([self.sample_slider, self.neuron_slider])]
        self._use(activation)  # trains before the view exists: nothing to draw yet
        view = DigitsView(self.class_starts, n_hidden=n_hidden)
        super().__init__(view, rows)
        self._draw_network()
        self._activation = activation
        self.watch(self.activation_dropdown, self._on_activation)
        self.watch(self.sample_slider)
        self.watch(self.neuron_slider)
        self.refresh()

    # -- training --------------------------------------------------------------------------
    def _use(self, activation: str) -> None:
        """Make the network for ``activation`` current, training it first if needed."""
        cached = self._trained.get(activation)
        if cached is None:
            self.progress.bar_style = ""

            def on_epoch(done: int, total: int, _trainer) -> None:
                self.progress.value = done
                self.progress.description = f"training {done}/{total}"

            start = time.perf_counter()
            trainer = train_digits(activation, self.data, seed=self.seed, on_epoch=on_epoch)
            seconds = time.perf_counter() - start
            cached = (*trainer.net.get_params(), seconds)
            self._trained[activation] = cached
            self.train_seconds = seconds
        else:
            self.train_seconds = None
        weights, biases, seconds = cached
        net = MLP(list(DIGITS_SIZES), activation=activation, loss="cross_entropy",
                  seed=self.seed)
        net.set_params(weights, biases)
        # everything about the whole test split, computed once per network
        trace = net.forward(self.X_sorted)
        probabilities = net.predict(self.X_sorted)
        predicted = probabilities.argmax(axis=1)
        self.net = net
        self.hidden = trace.a[1]
        self.probabilities = probabilities
        self.predicted = predicted
        self.confusion = confusion_matrix(self.y_sorted, predicted, self.data.n_classes)
        self.class_mean = class_means(self.hidden, self.y_sorted, self.data.n_classes)
        self.accuracy = float(np.mean(predicted == self.y_sorted))
        self.progress.value = self.progress.max
        self.progress.description = "trained"
        self.progress.bar_style = "success"
        how = (f"trained in {seconds:.2f} s" if self.train_seconds is not None
               else "trained before (kept)")
        self.status.value = (f"{get_activation(activation).display_name}: {how} "
                             f"({DIGITS_RECIPE['epochs']} epochs of Adam); test accuracy "
                             f"<b>{100 * self.accuracy:.1f} %</b>")

    def _draw_network(self) -> None:
        self.view.set_network(self.hidden, self.class_mean, self.confusion, self.accuracy,
                              get_activation(self.activation_dropdown.value).display_name,
                              self.train_seconds)

    def _on_activation(self) -> None:
        """A new activation: train (or fetch) its network, then redraw everything."""
        new = self.activation_dropdown.value
        if new == self._activation:
            return
        try:
            self._use(new)
        except Exception:
            # leave nothing half-changed: back to the network that is shown
            self.activation_dropdown.value = self._activation
            self._use(self._activation)
            raise
        self._activation = new
        self._draw_network()
        self.refresh()

    # -- the chosen digit and neuron -------------------------------------------------------
    @property
    def position(self) -> int:
        """The chosen digit's position among the sorted test digits."""
        return int(self.sample_slider.value)

    @property
    def neuron(self) -> int:
        """The chosen hidden neuron."""
        return int(self.neuron_slider.value)

    @property
    def label(self) -> int:
        """The chosen digit's true class."""
        return int(self.y_sorted[self.position])

    def update(self) -> None:
        """Recompute the chosen digit's gradients and draw the digit and the neuron."""
        k, j = self.position, self.neuron
        x = self.X_sorted[k:k + 1]
        _, grads = self.net.loss_and_gradients(x, self.y_sorted[k:k + 1])
        self.sample_delta = grads.delta[1][0].copy()
        self.view.update(k, j, x[0], self.label, self.probabilities[k], self.sample_delta,
                         self.hidden[:, j], self.net.weights[0][:, j])

    def __repr__(self) -> str:
        return (f"DigitsCaseStudy(activation={self.activation_dropdown.value!r}, "
                f"sample={self.position}, neuron={self.neuron})")
