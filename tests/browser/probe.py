"""Kernel-side half of the browser tests: describe a widget, ask the engine what it should show.

This file is not imported by the test process.  Its source is sent to the
kernel of the notebook under test (see ``harness.KernelProbe``) and becomes
the module ``actviz_browser_probe`` there; the test calls its functions with
:func:`call`, which answers in JSON.  It only reads widgets (it never sets a
trait), so it sends no widget messages and cannot move what the browser shows;
:func:`watch_front_end` wraps ipywidgets' ``set_state`` only to record what
the page sends back.

Every widget class a lesson shows needs an entry in :data:`EXPECTATIONS`:
which slider and which buttons the browser moves, and how to recompute with
the engine, independently of the widget, what the widget must hold or print
afterwards.  A check is ``[what, got, want]``; the test compares numbers with
a tight tolerance and everything else with ``==``.
"""

from __future__ import annotations

import hashlib
import json

import ipywidgets
import numpy as np
from IPython import get_ipython

# ipywidgets views drawn as a `.widget-slider` / `button.widget-button` in the page.
SLIDER_VIEWS = {"IntSliderView", "FloatSliderView", "FloatLogSliderView",
                "IntRangeSliderView", "FloatRangeSliderView", "SelectionSliderView",
                "SelectionRangeSliderView"}
BUTTON_VIEWS = {"ButtonView"}

_saved: dict = {}  # what the engine predicted before a click, checked after it
_front_end_changes: list = []  # slider values the page changed by itself


def call(function: str, expression: str, *args) -> str:
    """Evaluate ``expression`` (e.g. ``"Out[4]"``) in the user's namespace, apply a probe."""
    widget = eval(expression, get_ipython().user_ns)  # noqa: S307 - test code, own kernel
    return json.dumps(globals()[function](widget, *args), default=_plain)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot send {type(value).__name__} to the test")


# -- what the page shows ------------------------------------------------------------------
def walk(widget):
    """The widget and its descendants in the order the page lays them out."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def _shown(widget) -> bool:
    layout = getattr(widget, "layout", None)
    return layout is None or (layout.display != "none" and layout.visibility != "hidden")


def sliders(widget) -> list:
    return [w for w in walk(widget) if getattr(w, "_view_name", None) in SLIDER_VIEWS]


def buttons(widget) -> list:
    return [w for w in walk(widget) if getattr(w, "_view_name", None) in BUTTON_VIEWS]


def image(widget):
    """The widget's own picture: ``widget.image`` for a FigureWidget, else the first Image."""
    own = getattr(widget, "image", None)
    if isinstance(own, ipywidgets.Image) or isinstance(getattr(own, "value", None), bytes):
        return own  # the core Image, or the package's own picture (same ``value``)
    return next((w for w in walk(widget) if isinstance(w, ipywidgets.Image)), None)


def image_sha(widget) -> str | None:
    img = image(widget)
    return hashlib.sha256(bytes(img.value)).hexdigest() if img is not None else None


def _slider(s) -> dict:
    """What the test needs of a slider: its value, whether it is at its top, its readout."""
    entry = {"label": s.description, "usable": _shown(s) and not s.disabled}
    if hasattr(s, "options"):  # SelectionSlider: the readout prints the option's label
        entry.update(kind="selection", value=s.index, at_max=s.index == len(s.options) - 1,
                     text=s.label)
    elif isinstance(s.value, tuple):  # range sliders: the arrow keys move the lower handle
        entry.update(kind="range", value=list(s.value), at_max=s.value[0] >= s.value[1])
    else:
        entry.update(kind="number", value=s.value, at_max=s.value >= s.max)
    return entry


def describe(widget) -> dict:
    """Class, sliders, buttons and picture, in page order."""
    from actviz_widgets.widgets.base import FigureWidget
    return {
        "cls": type(widget).__name__,
        "figure_widget": isinstance(widget, FigureWidget),
        "sliders": [_slider(s) for s in sliders(widget)],
        "buttons": [{"label": b.description, "usable": _shown(b) and not b.disabled}
                    for b in buttons(widget)],
        "image_sha": image_sha(widget),
        "error": getattr(widget, "error", None),
    }


def shown_widgets(_unused=None) -> list[list]:
    """``[execution count, class name, is a FigureWidget]`` of every widget in ``Out``."""
    from actviz_widgets.widgets.base import FigureWidget
    out = get_ipython().user_ns.get("Out", {})
    return [[n, type(w).__name__, isinstance(w, FigureWidget)] for n, w in sorted(out.items())
            if isinstance(w, ipywidgets.Widget)]


def slider_value(widget, index: int) -> dict:
    return _slider(sliders(widget)[index])


# -- what the page sends back by itself ---------------------------------------------------------
def training(widget) -> dict:
    """Where a training widget is: step, playing, learning rates (trainer's and setting's)."""
    return {"step": int(widget.trainer.step_count), "playing": bool(widget.playing),
            "lr": float(widget.trainer.lr), "lr_setting": float(widget.lr),
            "steps_per_frame": int(widget.STEPS_PER_FRAME), "error": widget.error}


def _differs(a, b) -> bool:
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) != len(b) or any(_differs(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) > 1e-9 * max(1.0, abs(a))
    return a != b


def watch_front_end(_unused=None) -> bool:
    """Record every slider value the front end changes (call before the notebook runs).

    A slider view moves a value the kernel set onto its own step grid and
    sends it back (0.5 on a log slider of 0.05-decade steps becomes
    0.501): the page then silently changes a lesson's settings, at a moment
    that depends on when it draws the widget.
    """
    if getattr(ipywidgets.Widget.set_state, "_actviz_probe", False):
        return False
    original = ipywidgets.Widget.set_state

    def set_state(self, sync_data):
        slider = "value" in sync_data and getattr(self, "_view_name", None) in SLIDER_VIEWS
        before = self.value if slider else None
        original(self, sync_data)
        if slider and _differs(before, self.value):
            _front_end_changes.append([self.description, before, self.value])

    set_state._actviz_probe = True
    ipywidgets.Widget.set_state = set_state
    return True


def front_end_changes(_unused=None) -> list:
    """``[label, value the kernel had, value the page sent]`` since the last call."""
    changes = list(_front_end_changes)
    _front_end_changes.clear()
    return changes


# -- the plan: what the browser moves -------------------------------------------------------
def plan(widget) -> dict:
    """Index of the slider and of the buttons to use, and whether the class is known."""
    spec = EXPECTATIONS.get(type(widget).__name__)
    all_sliders, all_buttons = sliders(widget), buttons(widget)
    if spec is None:
        usable = [i for i, s in enumerate(all_sliders) if _shown(s) and not s.disabled]
        usable_b = [i for i, b in enumerate(all_buttons) if _shown(b) and not b.disabled]
        return {"known": False, "slider": usable[0] if usable else None,
                "buttons": usable_b[:1]}
    slider_index = None
    for path in spec.sliders:
        try:
            candidate = eval(path, {"w": widget})  # noqa: S307
        except (AttributeError, IndexError, KeyError, TypeError):
            continue  # e.g. no input sliders for a batch: try the next one
        if candidate is not None and _shown(candidate) and not candidate.disabled:
            slider_index = _index(all_sliders, candidate)
            break
    button_indices = [_index(all_buttons, eval(path, {"w": widget}))  # noqa: S307
                      for path in spec.buttons]
    return {"known": True, "slider": slider_index, "buttons": button_indices}


def _index(items: list, item) -> int:
    return next(i for i, x in enumerate(items) if x is item)


def after_slider(widget) -> list:
    """Engine checks after the browser moved the planned slider."""
    spec = EXPECTATIONS.get(type(widget).__name__)
    return spec.after_slider(widget) if spec else []


def before_button(widget, index: int) -> dict:
    """Predict with the engine what clicking button ``index`` does.

    Returns ``{slider index: expected value}`` for the slider readouts the
    click must change (the page must print them).
    """
    spec = EXPECTATIONS.get(type(widget).__name__)
    if spec is None:
        return {}
    label = buttons(widget)[index].description
    _saved.clear()
    expected = spec.before_button(widget, label, _saved)
    return {str(_index(sliders(widget), s)): v for s, v in expected}


def after_button(widget, index: int) -> list:
    spec = EXPECTATIONS.get(type(widget).__name__)
    if spec is None:
        return []
    return spec.after_button(widget, buttons(widget)[index].description, _saved)


# -- what the engine says -----------------------------------------------------------------
def _close_all(what: str, got, want) -> list:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        return [[f"{what} shape", list(got.shape), list(want.shape)]]
    return [[f"{what}[{i}]", float(g), float(w)] for i, (g, w)
            in enumerate(zip(got.ravel(), want.ravel()))]


class ActivationExplorerChecks:
    """z slider: f(z), f'(z) and f'(z)^n for each selected activation, from the engine."""

    sliders = ("w.z_slider",)
    buttons = ()

    @staticmethod
    def after_slider(w) -> list:
        from actviz_widgets.engine.activations import get_activation
        z = float(w.z_slider.value)
        checks = [["explorer z", w.z, z]]
        for name in w.activations:
            act = get_activation(name)
            a = float(act(np.array([z]))[0])
            d = float(act.grad(np.array([z]), np.array([a]))[0])
            checks += [[f"f({z}) for {name}", w.values[name][0], a],
                       [f"f'({z}) for {name}", w.values[name][1], d],
                       [f"f'(z)^{w.depth} for {name}", w.chain_products[name][-1],
                        d ** w.depth]]
        return checks


class SingleNeuronChecks:
    """w1 slider: forward and backward of the engine's 2-1 MLP; the step button: w - lr*dL/dw."""

    sliders = ("w.sliders['w1']", "w.sliders['x1']")
    buttons = ("w.step_button",)

    @staticmethod
    def _engine(w):
        from actviz_widgets.engine.network import MLP
        v = {k: float(s.value) for k, s in w.sliders.items()}
        net = MLP([2, 1], activation=[], output_activation=w.activation_dropdown.value,
                  loss=w.loss_dropdown.value)
        net.set_params([np.array([[v["w1"]], [v["w2"]]])], [np.array([v["b"]])])
        trace = net.forward(np.array([[v["x1"], v["x2"]]]))
        grads = net.backward(trace, np.array([[v["y"]]]))
        return net, trace, grads

    @classmethod
    def after_slider(cls, w) -> list:
        _, trace, grads = cls._engine(w)
        return [["z", w.z, trace.z[1][0, 0]], ["a", w.a, trace.a[1][0, 0]],
                ["loss", w.loss, grads.loss], ["dL/da", w.dL_da, grads.dL_da[1][0, 0]],
                ["f'(z)", w.dadz, trace.dadz[1][0, 0]], ["delta", w.delta, grads.delta[1][0, 0]],
                *_close_all("dL/dw", w.dL_dw, grads.dW[0][:, 0]),
                ["dL/db", w.dL_db, grads.db[0][0]]]

    @classmethod
    def before_button(cls, w, label: str, saved: dict) -> list:
        net, _, grads = cls._engine(w)
        net.step(grads, lr=float(w.lr_slider.value))
        new = {"w1": net.weights[0][0, 0], "w2": net.weights[0][1, 0], "b": net.biases[0][0]}
        saved.update(new=new, history=len(w.history))
        return [(w.sliders[k], float(v)) for k, v in new.items()]

    @classmethod
    def after_button(cls, w, label: str, saved: dict) -> list:
        _, _, grads = cls._engine(w)
        checks = [[f"{k} after the step", w.sliders[k].value, v] for k, v in saved["new"].items()]
        return checks + [["history length", len(w.history), saved["history"] + 1],
                         ["loss after the step", w.history[-1], grads.loss]]


class PassStepperChecks:
    """x1 (else the step) slider: the engine's pass on the sliders' input; Next; Apply update."""

    sliders = ("w.input_sliders[0]", "w.step_slider")
    buttons = ("w.next_button", "w.apply_button")

    @staticmethod
    def _data(w):
        st = w.stepper
        X = np.array([[s.value for s in w.input_sliders]]) if w.input_sliders else st.X
        y = st.y
        if w.target_slider is not None:
            y = (np.array([int(w.target_slider.value)]) if w.net.loss.name == "cross_entropy"
                 else np.array([[float(w.target_slider.value)]]))
        return X, y

    @classmethod
    def after_slider(cls, w) -> list:
        X, y = cls._data(w)
        net = w.net.copy()
        trace = net.forward(X)
        grads = net.backward(trace, y)
        L = net.n_layers
        return [*_close_all("X", w.trace.X, X), *_close_all("output", w.trace.a[L], trace.a[L]),
                ["loss", w.grads.loss, grads.loss],
                *_close_all("dW[0]", w.grads.dW[0], grads.dW[0])]

    @classmethod
    def before_button(cls, w, label: str, saved: dict) -> list:
        from actviz_widgets.engine.stepper import PassStepper
        X, y = cls._data(w)
        lr = float(w.lr_slider.value)
        if label == "Next":
            target = min(w.step_slider.value + 1, w.step_slider.max)
            ref = PassStepper(w.net.copy(), X, y, lr)
            ref.go(target)
            saved.update(position=target, label=ref.state.step.label)
            return [(w.step_slider, target)]
        if label == "Apply update":
            net = w.net.copy()
            net.step(net.backward(net.forward(X), y), lr=lr)
            saved.update(weights=[W.copy() for W in net.weights],
                         biases=[b.copy() for b in net.biases])
            return [(w.step_slider, 0)]
        raise KeyError(f"no expectation for the button {label!r}")

    @staticmethod
    def after_button(w, label: str, saved: dict) -> list:
        if label == "Next":
            return [["position", w.position, saved["position"]],
                    ["step shown", w.state.step.label, saved["label"]]]
        checks = [["position", w.position, 0]]
        for l, (W, b) in enumerate(zip(saved["weights"], saved["biases"])):
            checks += _close_all(f"weights[{l}]", w.net.weights[l], W)
            checks += _close_all(f"biases[{l}]", w.net.biases[l], b)
        return checks


def _same_params(what: str, net, ref) -> list:
    checks = [[f"{what} sizes", list(net.sizes), list(ref.sizes)]]
    for l, (W, b) in enumerate(zip(ref.weights, ref.biases)):
        if l < len(net.weights) and net.weights[l].shape == W.shape:
            checks += _close_all(f"{what} weights[{l}]", net.weights[l], W)
            checks += _close_all(f"{what} biases[{l}]", net.biases[l], b)
    return checks


class TrainingChecks:
    """The buttons of every TrainingWidget: Train 1 is one full-batch gradient step of the
    engine; Reset goes back to the initial weights, which the engine builds again."""

    buttons = ("w.train_buttons[1]", "w.reset_button")

    @classmethod
    def before_button(cls, w, label: str, saved: dict) -> list:
        if label.startswith("Train "):
            n = int(label.split()[1])
            net = w.net.copy()
            X, y = w.trainer.X_train, w.trainer.y_train
            for _ in range(n):
                net.step(net.backward(net.forward(X), y), lr=float(w.lr_slider.value))
            saved.update(net=net, step=w.trainer.step_count + n)
        elif label == "Reset":
            saved.update(net=cls._fresh(w)[0], step=0)
        else:
            raise KeyError(f"no expectation for the button {label!r}")
        return []

    @staticmethod
    def after_button(w, label: str, saved: dict) -> list:
        return [*_same_params(f"network after {label}", w.net, saved["net"]),
                ["step", w.trainer.step_count, saved["step"]]]


class GradientHealthChecks(TrainingChecks):
    """Depth slider: the engine's network for the controls and its gradients."""

    sliders = ("w.depth_slider",)

    @staticmethod
    def _fresh(w):
        from actviz_widgets.engine.datasets import make_dataset
        from actviz_widgets.engine.network import MLP
        from actviz_widgets.widgets.gradient_health import WIDTH
        net = MLP([2] + [WIDTH] * w.depth_slider.value + [1],
                  activation=w.activation_dropdown.value, loss="bce",
                  init=w.init_dropdown.value, weight_scale=float(w.scale_slider.value),
                  seed=w.seed)
        data = make_dataset(w.dataset_dropdown.value, n_samples=200, seed=w.seed)
        return net, data

    @classmethod
    def after_slider(cls, w) -> list:
        net, data = cls._fresh(w)
        with np.errstate(all="ignore"):
            grads = net.backward(net.forward(data.X_train), data.y_train)
        return [*_same_params("network", w.net, net), ["step", w.trainer.step_count, 0],
                ["loss", w.grads.loss, grads.loss],
                *[r for l, dW in enumerate(grads.dW)
                  for r in _close_all(f"|dL/dW[{l}]|", np.linalg.norm(w.grads.dW[l]),
                                      np.linalg.norm(dW))]]


class DeadNeuronsChecks(TrainingChecks):
    """Depth slider: the engine's network (hidden biases set to the slider) and its dead units."""

    sliders = ("w.depth_slider", "w.bias_slider")

    @staticmethod
    def _fresh(w):
        from actviz_widgets.engine.datasets import make_dataset
        from actviz_widgets.engine.network import MLP
        from actviz_widgets.widgets.dead_neurons import WIDTH
        net = MLP([2] + [WIDTH] * w.depth_slider.value + [1],
                  activation=w.activation_toggle.value, loss="bce", seed=w.seed)
        weights, biases = net.get_params()
        net.set_params(weights, [np.full_like(b, float(w.bias_slider.value))
                                 for b in biases[:-1]] + [biases[-1]])
        data = make_dataset(w.dataset_dropdown.value, n_samples=200, seed=w.seed)
        return net, data

    @classmethod
    def after_slider(cls, w) -> list:
        net, data = cls._fresh(w)
        trace = net.forward(data.X_train)
        # dead: z <= 0 for every training sample
        dead = sum(int(np.all(trace.z[l] <= 0, axis=0).sum()) for l in range(1, net.n_layers))
        return [*_same_params("network", w.net, net), ["step", w.trainer.step_count, 0],
                ["dead units", w.n_dead, dead],
                ["loss", w.loss, net.loss_value(data.X_train, data.y_train)]]


class DistributionsChecks(GradientHealthChecks):
    """As GradientHealth: the depth slider rebuilds the engine's network; Train 10; Reset."""

    buttons = ("w.train_buttons[10]", "w.reset_button")

    @staticmethod
    def _fresh(w):
        from actviz_widgets.engine.datasets import make_dataset
        from actviz_widgets.engine.network import MLP
        from actviz_widgets.widgets.distributions import WIDTH
        net = MLP([2] + [WIDTH] * w.depth_slider.value + [1],
                  activation=w.activation_dropdown.value, loss="bce",
                  init=w.init_dropdown.value, weight_scale=float(w.scale_slider.value),
                  seed=w.seed)
        return net, make_dataset(w.dataset_dropdown.value, n_samples=200, seed=w.seed)

    @classmethod
    def after_slider(cls, w) -> list:
        net, data = cls._fresh(w)
        return [*_same_params("network", w.net, net), ["step", w.trainer.step_count, 0],
                *_close_all("training inputs", w.trainer.X_train, data.X_train)]


class GradientCheckChecks:
    """ε slider: backprop's ∂L/∂w, the engine's central difference at the new ε, their error."""

    sliders = ("w.eps_slider",)
    buttons = ()

    @staticmethod
    def after_slider(w) -> list:
        from actviz_widgets.engine.gradcheck import numeric_gradient, relative_error
        layer, i, j = w.weight_index
        eps = float(w.eps_slider.value)
        net = w.net.copy()
        backprop = net.backward(net.forward(w.X), w.y).dW[layer][i, j]
        numeric = numeric_gradient(net, w.X, w.y, layer, i, j, eps=eps)
        return [["backprop dL/dw", w.backprop, backprop], ["numeric dL/dw", w.numeric, numeric],
                ["relative error", w.rel_error, relative_error(backprop, numeric)]]


class DigitsChecks:
    """Digit slider: the chosen test digit and δ = ∂L/∂z of its loss, from the engine."""

    sliders = ("w.sample_slider", "w.neuron_slider")
    buttons = ()

    @staticmethod
    def after_slider(w) -> list:
        from actviz_widgets.engine.datasets import load_digits
        data = load_digits()
        # the slider's position k is the k-th test digit once they are sorted by class
        order = np.argsort(data.y_test, kind="stable")
        k = int(w.sample_slider.value)
        x, label = data.X_test[order[k]:order[k] + 1], data.y_test[order[k]:order[k] + 1]
        net = w.net.copy()
        grads = net.backward(net.forward(x), label)
        return [["label", w.label, int(label[0])],
                *_close_all("delta", w.sample_delta, grads.delta[1][0])]


class PlaygroundChecks:
    """Neurons slider: a new engine network from the controls; Step: one frame of training."""

    sliders = ("w.neurons_slider", "w.layers_slider")
    buttons = ("w.step_button",)

    @staticmethod
    def after_slider(w) -> list:
        from actviz_widgets.engine.network import MLP
        sine = w.dataset_select.value == "sine"
        ref = MLP([1 if sine else 2] + [w.neurons_slider.value] * w.layers_slider.value + [1],
                  activation=w.activation_select.value,
                  output_activation="linear" if sine else "sigmoid",
                  loss=w.loss_select.value, seed=int(w.seed_text.value))
        return [*_same_params("network", w.net, ref), ["step", w.trainer.step_count, 0]]

    @staticmethod
    def before_button(w, label: str, saved: dict) -> list:
        from actviz_widgets.engine.training import Trainer
        # The slider restarted training, so a new engine Trainer with the same
        # settings, from the same initial weights, must take the same steps.
        if w.trainer.step_count != 0:
            raise AssertionError(f"expected training at step 0, got {w.trainer.step_count}")
        s = w.settings()
        ref = Trainer(w.net.copy(), w.data, optimizer=s["optimizer"], lr=s["lr"],
                      batch_size=w.trainer.batch_size, weight_decay=s["l2"], seed=s["seed"])
        ref.step(s["steps_per_frame"])
        saved.update(net=ref.net, step=ref.step_count)
        return [(w.history_slider, ref.step_count)]

    @staticmethod
    def after_button(w, label: str, saved: dict) -> list:
        return [*_same_params("network after Step", w.net, saved["net"]),
                ["step", w.trainer.step_count, saved["step"]]]


class TrainingComparisonChecks:
    """Learning-rate (else epochs) slider: every run restarts from the engine's initial
    weights with its schedule's first rate; Train 1 epoch: each run equals a fresh engine
    Trainer driven by its schedule; Reset: the initial weights again."""

    sliders = ("w.lr_slider", "w.epochs_slider")
    buttons = ("w.train_buttons[1]", "w.reset_button")

    @staticmethod
    def _fresh(w):
        from actviz_widgets.engine.datasets import make_dataset
        from actviz_widgets.engine.network import MLP
        from actviz_widgets.engine.schedules import make_schedule, scaled_lr
        from actviz_widgets.widgets.comparison import BATCH_SIZES, REFERENCE_BATCH, SIZES
        s = w.settings()
        net = MLP(list(SIZES), activation="tanh", output_activation="sigmoid", loss="bce",
                  seed=s["seed"])
        data = make_dataset(s["dataset"], n_samples=200, noise=0.1, seed=s["seed"])
        lr, epochs = float(w.lr_slider.value), int(w.epochs_slider.value)
        pairs = ([(b, s["schedule"]) for b in BATCH_SIZES] if s["compare"] == "batch" else
                 [(s["batch_size"], n) for n in ("constant", "step", "cosine", "warmup_cosine")])
        runs = []
        for batch, name in pairs:
            b = data.n_train if batch is None else batch
            per_epoch = -(-data.n_train // b)
            rate = scaled_lr(lr, b, REFERENCE_BATCH) if s["scaling"] == "linear" else lr
            runs.append((batch, per_epoch, make_schedule(
                name, rate, epochs * per_epoch, warmup_steps=s["warmup"] * per_epoch)))
        return net, data, runs

    @classmethod
    def after_slider(cls, w) -> list:
        from actviz_widgets.engine.minibatch import gradient_noise
        net, data, runs = cls._fresh(w)
        checks = [["epoch", w.trainer.epoch, 0], ["horizon", w.trainer.epochs,
                                                  int(w.epochs_slider.value)]]
        for k, (t, (batch, _, schedule)) in enumerate(zip(w.trainer.trainers, runs)):
            checks += _same_params(f"run {k}", t.net, net)
            checks += [[f"run {k} batch size", t.batch_size, batch],
                       [f"run {k} first learning rate", w.runs[k].schedule(0), schedule(0)]]
        state = w.state
        noise = gradient_noise(net, data.X_train, data.y_train, list(state.noise_sizes),
                               n_batches=1)
        return checks + _close_all("gradient noise", state.noise_expected, noise.expected)

    @classmethod
    def before_button(cls, w, label: str, saved: dict) -> list:
        from actviz_widgets.engine.schedules import scheduled_steps
        from actviz_widgets.engine.training import Trainer
        net, data, runs = cls._fresh(w)
        if label.startswith("Train "):
            if w.trainer.epoch != 0:
                raise AssertionError(f"expected the runs at epoch 0, got {w.trainer.epoch}")
            nets = []
            for batch, per_epoch, schedule in runs:
                ref = Trainer(net.copy(), data, lr=schedule(0), batch_size=batch,
                              seed=w.seed)
                scheduled_steps(ref, schedule, per_epoch)
                nets.append(ref.net)
            saved.update(nets=nets, epoch=1)
        elif label == "Reset":
            saved.update(nets=[net] * len(runs), epoch=0)
        else:
            raise KeyError(f"no expectation for the button {label!r}")
        return []

    @staticmethod
    def after_button(w, label: str, saved: dict) -> list:
        checks = [["epoch", w.trainer.epoch, saved["epoch"]]]
        for k, (t, ref) in enumerate(zip(w.trainer.trainers, saved["nets"])):
            checks += _same_params(f"run {k} after {label}", t.net, ref)
        return checks


class MnistChecks:
    """The shown selector (neuron, record, weights page or mistakes page): the engine's
    hidden activations, class means, timeline record and misclassified digits."""

    sliders = ("w.neuron_slider", "w.record_slider", "w.page_slider", "w.mistakes_slider")
    buttons = ()

    @staticmethod
    def after_slider(w) -> list:
        from actviz_widgets.engine.case_study import class_means
        from actviz_widgets.engine.mnist import misclassified
        j, record = int(w.neuron_slider.value), int(w.record_slider.value)
        page, mistakes_page = int(w.page_slider.value), int(w.mistakes_slider.value)
        net = w.net.copy()
        order = np.argsort(w.y_test, kind="stable")
        hidden = net.forward(w.X_test[order]).a[1]
        means = class_means(hidden, w.y_test[order], 10)[:, j]
        wrong, probs = misclassified(net, w.X_test, w.y_test)
        first = 12 * mistakes_page
        s, tl = w.state, w.timeline
        return [["neuron", s.neuron, j], ["record", s.record, record],
                ["step", s.step, int(tl.steps[record])],
                ["preferred class", s.preferred_class, int(np.argmax(means))],
                *_close_all("class means", s.class_mean, means),
                ["sum of the neuron's activations", float(np.sum(s.neuron_activations)),
                 float(np.sum(hidden[:, j]))],
                ["record activation", s.record_activation, float(tl.activation[j, record])],
                ["record gradient", s.record_gradient, float(tl.gradient[j, record])],
                ["page neurons", s.page_neurons.tolist(), list(range(32 * page, 32 * page + 32))],
                ["mistakes shown", s.mistakes.tolist(), wrong[first:first + 12].tolist()],
                *_close_all("their probabilities", s.mistake_probabilities,
                            probs[first:first + 12])]


class ComputationalGraphChecks:
    """w1 slider (an expression: the step slider): values and gradients against the engine's
    MLP([2, 1]) for the neuron, against a fresh engine graph's backward() for an expression;
    Next."""

    sliders = ("w.sliders['w1']", "w.step_slider")
    buttons = ("w.next_button",)

    @staticmethod
    def _leaves(w) -> dict:
        if w.graph_dropdown.value == "neuron":
            return {k: float(s.value) for k, s in w.sliders.items()}
        return {k: float(w.expression_sliders[k].value) for k in w.leaf_values()}

    @classmethod
    def after_slider(cls, w) -> list:
        from actviz_widgets.engine import expression_graph
        from actviz_widgets.engine.network import MLP
        v = cls._leaves(w)
        checks = [["step shown", w.state.index, int(w.step_slider.value)]]
        if w.graph_dropdown.value != "neuron":
            ref = expression_graph(w.graph_dropdown.value, **v)
            factor = 2.0 if w.mode == "accumulate" else 1.0
            if w.mode != "wrong_order":  # (finite differences: tests/test_graph_widget.py)
                ref.backward()
                checks += [[f"df/d{k}", w.gradients[k], factor * ref.gradients()[k]]
                           for k in v]
            return checks + [["output", w.values[ref.structure.nodes[-1].name],
                              ref.output.data]]
        net = MLP([2, 1], activation=[], output_activation=w.activation_dropdown.value,
                  loss=w.loss_dropdown.value)
        net.set_params([np.array([[v["w1"]], [v["w2"]]])], [np.array([v["b"]])])
        trace = net.forward(np.array([[v["x1"], v["x2"]]]))
        grads = net.backward(trace, np.array([[v["y"]]]))
        checks += [["z", w.values["z"], trace.z[1][0, 0]], ["a", w.values["a"], trace.a[1][0, 0]],
                   ["L", w.values["L"], grads.loss]]
        if w.mode == "normal":
            checks += [["dL/dw1", w.gradients["w1"], grads.dW[0][0, 0]],
                       ["dL/dw2", w.gradients["w2"], grads.dW[0][1, 0]],
                       ["dL/db", w.gradients["b"], grads.db[0][0]]]
        return checks

    @staticmethod
    def before_button(w, label: str, saved: dict) -> list:
        if label != "Next":
            raise KeyError(f"no expectation for the button {label!r}")
        target = min(int(w.step_slider.value) + 1, int(w.step_slider.max))
        saved.update(position=target, title=w.trace[target].title)
        return [(w.step_slider, target)]

    @staticmethod
    def after_button(w, label: str, saved: dict) -> list:
        return [["position", w.position, saved["position"]],
                ["step shown", w.state.title, saved["title"]]]


#: Widget class name -> what the browser moves and what the engine says it must show.
EXPECTATIONS = {
    "ActivationExplorer": ActivationExplorerChecks,
    "SingleNeuron": SingleNeuronChecks,
    "ComputationalGraph": ComputationalGraphChecks,
    "BackpropStepper": PassStepperChecks,
    "GradientHealth": GradientHealthChecks,
    "DeadNeurons": DeadNeuronsChecks,
    "Distributions": DistributionsChecks,
    "GradientCheck": GradientCheckChecks,
    "DigitsCaseStudy": DigitsChecks,
    "MnistClassifier": MnistChecks,
    "Playground": PlaygroundChecks,
    "TrainingComparison": TrainingComparisonChecks,
}
