"""The 784-128-10 digit classifier: train it in seconds, then look inside its hidden layer.

One widget, four pictures of the same trained network (the views of
:mod:`~actviz_widgets.views.mnist`), chosen with the ``picture`` setting:

``"weights"``
    each hidden neuron's 784 incoming weights as a 28×28 image, a page of
    32 neurons at a time;
``"activity"``
    the hidden activations of every test digit, sorted by class, and the
    chosen neuron's activation across those digits;
``"timeline"``
    the activation map and the gradient map over training time (neurons ×
    recorded steps): neurons specialise, saturate or die as you watch;
``"mistakes"``
    the misclassified test digits, most confident first, with the network's
    ten probabilities.

Training runs :func:`~actviz_widgets.engine.mnist.train_mnist_classifier`
(the recipe :data:`~actviz_widgets.engine.mnist.MNIST_RECIPE`) in the
kernel's own thread, with a progress bar that follows the recorded steps,
and with BLAS limited to one thread while it runs (:func:`one_blas_thread`):
the matrices of one mini-batch are small, and on a small shared machine a
second BLAS thread mostly waits for the other core (measured here: 2 epochs
took 2.6 s with one thread and 43 s with two while other work ran).
"""

from __future__ import annotations

import ctypes
import html
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import numpy as np

from ..engine.activations import get_activation
from ..engine.case_study import class_means, confusion_matrix, sort_by_class
from ..engine.datasets import Dataset
from ..engine.mnist import (
    MNIST_RECIPE,
    MNIST_SIZES,
    MnistRun,
    NeuronTimeline,
    load_mnist,
    misclassified,
    neuron_order,
    recording_steps,
    train_mnist_classifier,
)
from ..engine.validation import check_int
from ..i18n import tr
from ..views.base import FigureView
from ..views.mnist import (
    HiddenActivityView,
    MisclassifiedView,
    NeuronTimelineView,
    WeightImagesView,
)
from .base import FigureWidget
from .settings import Choice, Integer
from .training import MAX_SEED

__all__ = ["MnistClassifier", "MnistState", "PICTURES", "TRAIN_ACTIVATIONS", "PAGE_SIZE",
           "MISTAKES_PER_PAGE", "MAX_EPOCHS", "one_blas_thread"]

#: The pictures offered: (English label, value of the ``picture`` setting); the labels
#: shown are the catalogue's ``"mnist.picture.<value>"`` in the widget's language.
PICTURES = tuple((tr(f"mnist.picture.{value}", "en"), value)
                 for value in ("weights", "activity", "timeline", "mistakes"))
#: Hidden activations a learner can train with (ReLU is the recipe's).
TRAIN_ACTIVATIONS = ("relu", "tanh", "sigmoid")
#: Neurons per page of the weights picture.
PAGE_SIZE = 32
#: Misclassified digits per page of the mistakes picture.
MISTAKES_PER_PAGE = 12
#: Most epochs the epochs slider offers.
MAX_EPOCHS = 20
_N_HIDDEN = MNIST_SIZES[1]
_N_CLASSES = MNIST_SIZES[-1]
#: Least time between two live frames of the timeline while training, in seconds.
_LIVE_FRAME_SECONDS = 0.4


# ---------------------------------------------------------------------------
# One BLAS thread while training
# ---------------------------------------------------------------------------

_OPENBLAS_SYMBOLS = (("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
                     ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
                     ("openblas_get_num_threads", "openblas_set_num_threads"))


def _openblas_controls() -> tuple | None:
    """``(get, set)`` of the thread count of the OpenBLAS that NumPy's wheel bundles, or None."""
    package = Path(np.__file__).resolve().parent
    folders = (package.parent / "numpy.libs", package / ".dylibs")  # Linux/Windows, macOS wheels
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*openblas*")):
            try:
                library = ctypes.CDLL(str(path))  # the loaded library: the same handle
            except OSError:
                continue
            for get_name, set_name in _OPENBLAS_SYMBOLS:
                getter, setter = getattr(library, get_name, None), getattr(library, set_name, None)
                if getter is not None and setter is not None:
                    getter.restype = ctypes.c_int
                    setter.argtypes = [ctypes.c_int]
                    return getter, setter
    return None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with the BLAS behind NumPy on one thread; restore the count after.

    With ``threadpoolctl`` installed it is used; otherwise the OpenBLAS that
    NumPy's wheels bundle is asked directly.  With another BLAS (MKL,
    Accelerate) and no threadpoolctl, nothing changes.  No environment
    variable is read or set: the count is changed for this process only,
    for the duration of the block.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        with threadpool_limits(limits=1, user_api="blas"):
            yield
        return
    controls = _openblas_controls()
    if controls is None:
        yield
        return
    getter, setter = controls
    before = int(getter())
    setter(1)
    try:
        yield
    finally:
        setter(before)


# ---------------------------------------------------------------------------
# The widget
# ---------------------------------------------------------------------------

def _frozen(array) -> np.ndarray:
    copy = np.array(array, copy=True)
    copy.flags.writeable = False
    return copy


@dataclass(frozen=True)
class MnistState:
    """What the MNIST classifier widget shows (a read-only snapshot).

    Attributes
    ----------
    picture : str
        The picture shown (one of :data:`PICTURES`' values).
    activation : str
        The hidden activation of the network shown.
    epochs, seed : int
        How it was trained.
    accuracy : float
        Its accuracy on the test split.
    n_wrong : int
        Test digits it gets wrong.
    neuron : int
        The chosen hidden neuron.
    preferred_class : int
        The class with the neuron's largest mean activation over the test digits.
    class_mean : numpy.ndarray
        ``(10,)`` the neuron's mean activation over the test digits of each class.
    neuron_activations : numpy.ndarray
        ``(n_test,)`` its activation for each test digit, sorted by class.
    incoming : numpy.ndarray
        ``(784,)`` its incoming weights (``net.weights[0][:, neuron]``).
    page_neurons : numpy.ndarray
        The neurons on the chosen page of the weights picture.
    record, step : int
        The chosen training record and the training step it was made after.
    record_activation, record_gradient : float
        The neuron's mean activation and mean |∂L/∂z| over the probe batch then.
    mistakes : numpy.ndarray
        Test-split indices of the misclassified digits on the chosen page.
    mistake_probabilities : numpy.ndarray
        ``(len(mistakes), 10)`` the network's probabilities for them.
    pending : tuple or None
        ``(activation, epochs, seed)`` set for the next training when they
        differ from the network shown, else ``None``.
    """

    picture: str
    activation: str
    epochs: int
    seed: int
    accuracy: float
    n_wrong: int
    neuron: int
    preferred_class: int
    class_mean: np.ndarray
    neuron_activations: np.ndarray
    incoming: np.ndarray
    page_neurons: np.ndarray
    record: int
    step: int
    record_activation: float
    record_gradient: float
    mistakes: np.ndarray
    mistake_probabilities: np.ndarray
    pending: tuple | None


class MnistClassifier(FigureWidget):
    """Train the 784-128-10 digit classifier and look inside it, one picture at a time.

    Built without a ``run``, the widget trains the network at construction
    (:data:`~actviz_widgets.engine.mnist.MNIST_RECIPE`: ReLU, SGD with
    momentum, cosine learning rate, 10 epochs; a few seconds).  Given a
    :class:`~actviz_widgets.engine.mnist.MnistRun` it shows that network (a
    copy: the widget never changes the run).  The **Train** button trains a
    new network with the hidden activation, epochs and seed set in the
    controls, on the same data; the "over training" picture draws the
    records as they arrive.

    Parameters
    ----------
    run : MnistRun, optional
        A trained classifier to show (from
        :func:`~actviz_widgets.engine.mnist.train_mnist_classifier`).
    data : Dataset, optional
        The digits to train on (default :func:`~actviz_widgets.engine.mnist.load_mnist`);
        with a ``run``, default: the run's own training and test splits.
    picture : {"weights", "activity", "timeline", "mistakes"}, default "weights"
    neuron : int, default 0
        The chosen hidden neuron (0 .. 127).
    page : int, default 0
        The page of the weights picture: neurons ``32·page`` to ``32·page + 31``.
    record : int, optional
        The chosen training record (0 .. records − 1); default: the last.
    mistakes_page : int, default 0
        The page of the mistakes picture (12 digits a page, most confident first).
    activation, epochs, seed : optional
        What the next training uses; default: the run's, else the recipe's
        (ReLU, 10 epochs, seed 0).  Without a run, the first training.
    records : int, default 60
        How many records a training makes (spaced densest at the start).
    language : str, optional
        ``"en"`` or ``"zh"``: the language of the labels, messages and
        pictures (:mod:`actviz_widgets.i18n`); default: the current language.

    Attributes
    ----------
    run : MnistRun
        The run shown.
    net : MLP
        A copy of its network.
    timeline : NeuronTimeline
        Its activation and gradient maps over training time.
    X_test, y_test : numpy.ndarray
        The test split.
    order, class_starts : numpy.ndarray
        Test indices sorted by class, and where each class starts among them.
    hidden : numpy.ndarray
        ``(n_test, 128)`` hidden activations of the sorted test digits.
    probabilities : numpy.ndarray
        ``(n_test, 10)`` output probabilities of the sorted test digits.
    class_mean : numpy.ndarray
        ``(10, 128)`` mean hidden activation per class.
    neuron_rows : numpy.ndarray
        The neuron drawn in each row of the activity and timeline maps
        (grouped by preferred class, :func:`~actviz_widgets.engine.mnist.neuron_order`).
    confusion : numpy.ndarray
        ``(10, 10)`` counts, true × predicted.
    accuracy : float
    mistakes, mistake_probabilities : numpy.ndarray
        Test-split indices of every misclassified digit (most confident
        first) and their probabilities.
    train_seconds : float
        How long the run shown took to train.
    picture_toggle : ipywidgets.ToggleButtons
    neuron_slider, page_slider, record_slider, mistakes_slider : ipywidgets.IntSlider
    activation_dropdown : ipywidgets.Dropdown
    epochs_slider : ipywidgets.IntSlider
    seed_box : ipywidgets.BoundedIntText
    train_button : ipywidgets.Button
    progress : ipywidgets.IntProgress
        Records made by the training under way (``max``: all of them).
    status : ipywidgets.HTML
        What the network shown is, how long it trained and its test accuracy.
    views : dict of str to FigureView
        The picture of each ``picture`` value made so far (made when first shown).
    state : MnistState
    """

    # labels, tooltips and option labels: the catalogue's "mnist.<setting>…" keys
    i18n_area = "mnist"
    picture = Choice("weights", PICTURES, label="", widget="toggle", effect="display")
    neuron = Integer(0, 0, _N_HIDDEN - 1, label="", effect="display", width="330px")
    page = Integer(0, 0, _N_HIDDEN // PAGE_SIZE - 1, label="", effect="display", width="230px")
    record = Integer(0, 0, 59, label="", effect="display", width="400px")
    mistakes_page = Integer(0, 0, 1000, label="", effect="display", width="300px")
    activation = Choice("relu", [(get_activation(n).display_name, n) for n in TRAIN_ACTIVATIONS],
                        label="", effect="train", width="230px")
    epochs = Integer(MNIST_RECIPE["epochs"], 1, MAX_EPOCHS, label="", effect="train",
                     width="260px")
    seed = Integer(0, 0, MAX_SEED, text=True, label="", effect="train", width="150px")

    def __init__(self, run: MnistRun | None = None, *, data: Dataset | None = None,
                 picture: str = "weights", neuron: int = 0, page: int = 0,
                 record: int | None = None, mistakes_page: int = 0,
                 activation: str | None = None, epochs: int | None = None,
                 seed: int | None = None, records: int = 60,
                 language: str | None = None) -> None:
        if run is not None and not isinstance(run, MnistRun):
            raise TypeError("run must be an MnistRun (from train_mnist_classifier); got "
                            f"{type(run).__name__}")
        if data is not None and not isinstance(data, Dataset):
            raise TypeError(f"data must be a Dataset (e.g. load_mnist()); got "
                            f"{type(data).__name__}")
        self.records = check_int("records", records, minimum=2)
        self._data = data if data is not None or run is not None else load_mnist()
        if run is not None:
            defaults = dict(activation=run.net.activation_names[0], epochs=run.trainer.epoch,
                            seed=run.trainer.seed)
        else:
            defaults = dict(activation="relu", epochs=MNIST_RECIPE["epochs"], seed=0)
        given = dict(activation=activation, epochs=epochs, seed=seed)
        training = {k: defaults[k] if v is None else v for k, v in given.items()}
        self.init_settings(dict(picture=picture, neuron=neuron, page=page,
                                mistakes_page=mistakes_page, **training), language=language)
        self.views: dict[str, FigureView] = {}
        self._filled: dict[str, int] = {}  # picture -> version of the network it holds
        self._version = 0
        self._drawn: MnistState | None = None

        self.picture_toggle = self.control("picture")
        self.picture_toggle.style.button_width = "110px"
        self.neuron_slider = self.control("neuron")
        self.page_slider = self.control("page")
        self.page_slider.tooltip = self.tr("mnist.page_help", n=PAGE_SIZE)
        self.record_slider = self.control("record")
        self.mistakes_slider = self.control("mistakes_page")
        self.mistakes_slider.tooltip = self.tr("mnist.mistakes_page_help", n=MISTAKES_PER_PAGE)
        self.activation_dropdown = self.control("activation")
        self.epochs_slider = self.control("epochs")
        self.seed_box = self.control("seed")
        self.train_button = widgets.Button(description=self.tr("mnist.train"), icon="play",
                                           button_style="success",
                                           layout=widgets.Layout(width="90px"),
                                           tooltip=self.tr("mnist.train.help"))
        self.train_button.on_click(self.guarded(self.train))
        self.progress = widgets.IntProgress(value=0, min=0, max=self.records,
                                            description=self.tr("mnist.training"),
                                            style={"description_width": "initial"},
                                            layout=widgets.Layout(width="230px"))
        self.status = widgets.HTML(value="")
        rows = [widgets.HBox([self.activation_dropdown, self.epochs_slider, self.seed_box,
                              self.train_button, self.progress]),
                self.status,
                self.picture_toggle,
                widgets.HBox([self.neuron_slider, self.page_slider, self.record_slider,
                              self.mistakes_slider])]

        if run is None:
            run = self._train_run()  # the bar follows; nothing is drawn yet
        self._use(run, record)
        first = self._picture_view(self.picture)
        super().__init__(first, rows)
        self._show_controls()
        self._note_pending()
        self.refresh()

    # -- training --------------------------------------------------------------------------
    def _training_data(self) -> Dataset:
        """The digits to train on: the given data, else the split of the run shown."""
        if self._data is None:
            t = self.run.trainer
            self._data = Dataset(name="mnist", task="classification", X_train=t.X_train,
                                 y_train=t.y_train, X_test=t.X_test, y_test=t.y_test,
                                 n_classes=_N_CLASSES)
        return self._data

    def _train_run(self) -> MnistRun:
        """Train with the settings; the progress bar (and the live timeline) follow."""
        data = self._training_data()
        per_epoch = math.ceil(data.n_train / MNIST_RECIPE["batch_size"])
        steps = recording_steps(per_epoch * self.epochs, self.records)
        live = self._live_timeline(steps, per_epoch)
        self.progress.max = len(steps)
        self.progress.value = 0
        self.progress.bar_style = ""
        self.progress.description = self.tr("mnist.training")
        last_frame = [0.0]

        def on_record(_trainer, timeline: NeuronTimeline) -> None:
            done = timeline.n_records
            self.progress.value = done
            self.progress.description = self.tr("mnist.training_progress", done=done,
                                                total=len(steps))
            now = time.perf_counter()
            if live is not None and (now - last_frame[0] >= _LIVE_FRAME_SECONDS
                                     or done == len(steps)):
                last_frame[0] = now
                live.set_timeline(timeline.steps, timeline.activation, timeline.gradient,
                                  timeline.loss, timeline.accuracy,
                                  title=self._timeline_title(self.activation, self.epochs,
                                                             training=True))
                live.select(self.neuron, done - 1)
                self.image.value = live.to_png()

        try:
            with one_blas_thread():
                run = train_mnist_classifier(data, seed=self.seed, activation=self.activation,
                                             epochs=self.epochs, record=steps,
                                             on_record=on_record)
        except Exception:
            self.progress.bar_style = "danger"
            self.progress.description = self.tr("mnist.failed")
            self._filled.pop("timeline", None)  # the live frames are not the network shown
            raise
        return run

    def _live_timeline(self, steps: np.ndarray, per_epoch: int) -> NeuronTimelineView | None:
        """The timeline view to draw into while training (when it is the picture shown)."""
        if self.picture != "timeline" or not hasattr(self, "image"):
            return None
        view = self.views.get("timeline")
        if view is None or not np.array_equal(view.steps, steps):
            view = NeuronTimelineView(steps, n_hidden=_N_HIDDEN, steps_per_epoch=per_epoch,
                                      language=self.language)
            self.views["timeline"] = view
        self._filled.pop("timeline", None)
        self.view = view
        return view

    def train(self) -> None:
        """Train a new network with the activation, epochs and seed settings, and show it.

        If training fails, the network shown stays and the error is shown.
        """
        try:
            run = self._train_run()
        except Exception:
            self.refresh()  # the picture of the network shown, not the live frames
            raise
        with self.batch():  # one redraw for the new network and the settings it moves
            self._use(run, None)
            self._note_pending()
            self.refresh()

    def _use(self, run: MnistRun, record: int | None) -> None:
        """Make ``run`` the network shown: everything about the test split, computed once."""
        net = run.net.copy()
        t = run.trainer
        X_test, y_test = t.X_test, t.y_test
        order, starts = sort_by_class(y_test, _N_CLASSES)
        X_sorted, y_sorted = X_test[order], y_test[order]
        trace = net.forward(X_sorted)
        probabilities = net.predict(X_sorted)
        predicted = probabilities.argmax(axis=1)
        hidden = trace.a[1]
        means = class_means(hidden, y_sorted, _N_CLASSES)
        mistakes, mistake_probabilities = misclassified(net, X_test, y_test)
        self.run, self.net, self.timeline = run, net, run.timeline
        self.X_test, self.y_test = X_test, y_test
        if getattr(self, "class_starts", None) is not None and \
                not np.array_equal(self.class_starts, starts):
            self.views.pop("activity", None)  # other classes' sizes: a new picture
        self.order, self.class_starts = order, starts
        self.y_sorted = y_sorted
        self.hidden, self.probabilities, self.predicted = hidden, probabilities, predicted
        self.class_mean = means
        self.neuron_rows = neuron_order(means)
        self.confusion = confusion_matrix(y_sorted, predicted, _N_CLASSES)
        self.accuracy = float(np.mean(predicted == y_sorted))
        self.mistakes, self.mistake_probabilities = mistakes, mistake_probabilities
        self.train_seconds = float(run.seconds)
        self.progress.max = self.progress.value = run.timeline.n_records
        self.progress.description = self.tr("mnist.trained")
        self.progress.bar_style = "success"
        self.trained_with = (net.activation_names[0], int(t.epoch), int(t.seed))
        self._version += 1
        pages = max(1, math.ceil(len(mistakes) / MISTAKES_PER_PAGE))
        last = self.timeline.n_records - 1
        record = last if record is None else check_int("record", record, minimum=0,
                                                        maximum=last)
        with self.hold():
            self._narrow("record", last, record)
            self._narrow("mistakes_page", pages - 1, min(self.mistakes_page, pages - 1))
        act, epochs, seed = self.trained_with
        self.status.value = self.tr(
            "mnist.status", name=html.escape(self.activation_name(act)),
            epochs=self._epochs(epochs), seed=seed, seconds=f"{self.train_seconds:.1f}",
            accuracy=f"{100 * self.accuracy:.1f}", wrong=len(mistakes), total=len(y_test))

    def activation_name(self, name: str) -> str:
        """Activation ``name`` as the menu and the pictures write it, in the widget's language."""
        shown = {value: label for label, value in self.localized_spec("activation").options}
        return shown.get(name) or get_activation(name).display_name  # (a given run's own)

    def _epochs(self, n: int) -> str:
        """``"1 epoch"``, ``"10 epochs"`` in the widget's language."""
        return self.tr("mnist.epochs_one" if n == 1 else "mnist.epochs_many", n=n)

    def _narrow(self, name: str, high: int, value: int) -> None:
        """Give an index setting the range 0..high and the value ``value``."""
        self.set_range(name, 0, high)  # (its control clamps a value beyond it)
        setattr(self, name, value)

    # -- settings --------------------------------------------------------------------------
    def settings_changed(self, names: set[str]) -> None:
        """Training settings wait for Train (a note says so); the others redraw."""
        self._note_pending()
        if "picture" in names:
            self._show_controls()
        self.refresh()

    def _pending(self) -> tuple | None:
        wanted = (self.activation, self.epochs, self.seed)
        return None if wanted == self.trained_with else wanted

    def _note_pending(self) -> None:
        pending = self._pending()
        if pending is None:
            self.clear_message("note")
        elif self.message_kind != "error":
            act, epochs, seed = pending
            self.show_note(self.tr("mnist.pending", name=self.activation_name(act),
                                   epochs=self._epochs(epochs), seed=seed))

    def _show_controls(self) -> None:
        """Show only the selectors the chosen picture uses."""
        uses = {"weights": ("page",), "activity": ("neuron",),
                "timeline": ("neuron", "record"), "mistakes": ("mistakes_page",)}[self.picture]
        for name in ("neuron", "page", "record", "mistakes_page"):
            self.controls[name].layout.display = None if name in uses else "none"

    # -- drawing ---------------------------------------------------------------------------
    def _picture_view(self, picture: str) -> FigureView:
        """The view of ``picture``, made and filled with the network shown when needed."""
        view = self.views.get(picture)
        if view is None:
            language = self.language
            if picture == "weights":
                view = WeightImagesView(n_tiles=PAGE_SIZE, language=language)
            elif picture == "activity":
                view = HiddenActivityView(self.class_starts, n_hidden=_N_HIDDEN,
                                          language=language)
            elif picture == "timeline":
                per_epoch = math.ceil(self.run.trainer.n_train / MNIST_RECIPE["batch_size"])
                view = NeuronTimelineView(self.timeline.steps, n_hidden=_N_HIDDEN,
                                          steps_per_epoch=per_epoch, language=language)
            else:
                view = MisclassifiedView(n_tiles=MISTAKES_PER_PAGE, language=language)
            self.views[picture] = view
        if self._filled.get(picture) != self._version:
            self._fill(picture, view)
        return view

    def _fill(self, picture: str, view: FigureView) -> None:
        """Give a view what depends only on the network shown."""
        act, epochs, _ = self.trained_with
        name = self.activation_name(act)
        if picture == "activity":
            view.set_activations(self.hidden, order=self.neuron_rows,
                                 title=self.tr("mnist.activity_title", name=name,
                                               n=len(self.y_sorted),
                                               accuracy=f"{100 * self.accuracy:.1f}"))
        elif picture == "timeline":
            tl = self.timeline
            if not np.array_equal(view.steps, tl.steps):
                per_epoch = math.ceil(self.run.trainer.n_train / MNIST_RECIPE["batch_size"])
                view = NeuronTimelineView(tl.steps, n_hidden=_N_HIDDEN,
                                          steps_per_epoch=per_epoch, language=self.language)
                self.views["timeline"] = view
            view.set_timeline(tl.steps, tl.activation, tl.gradient, tl.loss, tl.accuracy,
                              order=self.neuron_rows,
                              title=self._timeline_title(act, epochs, training=False))
        self._filled[picture] = self._version

    def _timeline_title(self, activation: str, epochs: int, training: bool) -> str:
        name = self.activation_name(activation)
        key = "mnist.timeline_title_training" if training else "mnist.timeline_title_trained"
        return self.tr(key, name=name, epochs=self._epochs(epochs))

    def update(self) -> None:
        """Draw the chosen picture for the chosen neuron, page, record or mistakes."""
        view = self._picture_view(self.picture)
        view = self.views[self.picture]  # (a new timeline view may have replaced it)
        self.view = view
        j = self.neuron
        page_neurons = np.arange(self.page * PAGE_SIZE, (self.page + 1) * PAGE_SIZE)
        first = self.mistakes_page * MISTAKES_PER_PAGE
        shown = self.mistakes[first:first + MISTAKES_PER_PAGE]
        shown_p = self.mistake_probabilities[first:first + MISTAKES_PER_PAGE]
        if self.picture == "weights":
            view.update(self.net.weights[0], page_neurons)
        elif self.picture == "activity":
            view.select(j)
        elif self.picture == "timeline":
            view.select(j, self.record)
        else:
            n = len(self.mistakes)
            title = (self.tr("mnist.mistakes_title", n=n, per=MISTAKES_PER_PAGE) if n else
                     self.tr("mnist.mistakes_none"))
            # a new title redraws the whole figure: only when it changes
            view.update(self.X_test[shown], self.y_test[shown], shown_p,
                        title=None if title == view.title.get_text() else title)
        act, epochs, seed = self.trained_with
        tl = self.timeline
        column = self.class_mean[:, j]
        self._drawn = MnistState(
            picture=self.picture, activation=act, epochs=epochs, seed=seed,
            accuracy=self.accuracy, n_wrong=int(len(self.mistakes)), neuron=j,
            preferred_class=int(np.argmax(column)), class_mean=_frozen(column),
            neuron_activations=_frozen(self.hidden[:, j]),
            incoming=_frozen(self.net.weights[0][:, j]), page_neurons=_frozen(page_neurons),
            record=self.record, step=int(tl.steps[self.record]),
            record_activation=float(tl.activation[j, self.record]),
            record_gradient=float(tl.gradient[j, self.record]),
            mistakes=_frozen(shown), mistake_probabilities=_frozen(shown_p),
            pending=self._pending())

    @property
    def state(self) -> MnistState | None:
        """What is drawn (a read-only snapshot)."""
        return self._drawn

    def __repr__(self) -> str:
        return (f"MnistClassifier(picture={self.picture!r}, neuron={self.neuron}, "
                f"page={self.page}, record={self.record}, mistakes_page={self.mistakes_page}, "
                f"activation={self.activation!r}, epochs={self.epochs}, seed={self.seed})")
