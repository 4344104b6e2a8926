"""Mini-batches compared: the noise of a mini-batch gradient, and runs side by side.

Gradient noise
    Let ``g_i`` be the gradient of sample ``i``'s loss (all weights and
    biases as one vector), ``g = mean_i g_i`` the full-batch gradient and
    ``g_B`` the mean over a batch of ``B`` samples drawn without replacement
    from the ``N`` training samples (what a :class:`Trainer` step uses).
    ``g_B`` is right on average, ``E[g_B] = g``; its spread around ``g`` is

    ``E‖g_B − g‖² = (N − B) / (N − 1) · S / B``,  ``S = mean_i ‖g_i − g‖²``:

    about ``S / B`` for ``B ≪ N``, and 0 for the full batch.
    :func:`gradient_noise` computes both this exact value (from the
    per-sample gradients) and the mean over sampled batches.

Runs side by side
    :class:`RunSet` trains several copies of one network (the same initial
    weights, the same data, the same batch-order seed), each with its own
    batch size and learning-rate schedule, epoch by epoch, so their loss
    curves can be compared over steps or over epochs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .network import MLP
from .schedules import Schedule
from .training import Trainer, TrainingDiverged
from .validation import check_int

__all__ = ["per_sample_gradients", "GradientNoise", "gradient_noise", "RunSpec", "RunSet",
           "RECORDS_PER_EPOCH"]

#: A run records its training loss about this many times per epoch (at least every step
#: when an epoch has fewer steps).
RECORDS_PER_EPOCH = 10


def per_sample_gradients(net: MLP, X, y) -> np.ndarray:
    """Every sample's own loss gradient, one row each, from one forward and backward pass.

    Row ``i`` holds ``∂ℓ_i/∂W`` for each weight matrix (row-major, layer by
    layer), then ``∂ℓ_i/∂b`` for each bias, where ``ℓ_i`` is the loss of
    sample ``i`` alone.  The engine's δ is that of the *mean* loss, so
    ``∂ℓ_i/∂Wˡ = N · a_iˡ⁻¹ ⊗ δ_iˡ`` (``z_i`` depends on sample ``i`` only),
    and the rows' mean is the full-batch gradient.

    Returns
    -------
    numpy.ndarray
        Shape ``(N, n_params)``.
    """
    X = net.check_X(X)
    trace = net.forward(X)
    grads = net.backward(trace, y)
    n = X.shape[0]
    parts = [n * np.einsum("ij,ik->ijk", trace.a[l], grads.delta[l + 1]).reshape(n, -1)
             for l in range(net.n_layers)]
    parts += [n * grads.delta[l + 1] for l in range(net.n_layers)]
    return np.concatenate(parts, axis=1)


def _flat(grads) -> np.ndarray:
    return np.concatenate([d.ravel() for d in grads.dW] + [d.ravel() for d in grads.db])


@dataclass(frozen=True, eq=False)
class GradientNoise:
    """How far mini-batch gradients stray from the full-batch gradient.

    Attributes
    ----------
    batch_sizes : numpy.ndarray
        The batch sizes B measured (int).
    expected : numpy.ndarray
        ``E‖g_B − g‖²`` for each, exactly (see the module docstring).
    measured : numpy.ndarray
        The mean of ``‖g_B − g‖²`` over ``n_batches`` sampled batches each
        (each ``g_B`` from the engine's backward pass on the batch).
    full_norm2 : float
        ``‖g‖²``, the squared norm of the full-batch gradient.
    per_sample : float
        ``S = mean_i ‖g_i − g‖²``, the noise of a single sample.
    n_samples : int
        N.
    n_batches : int
    """

    batch_sizes: np.ndarray
    expected: np.ndarray
    measured: np.ndarray
    full_norm2: float
    per_sample: float
    n_samples: int
    n_batches: int


def gradient_noise(net: MLP, X, y, batch_sizes: Sequence[int], n_batches: int = 32,
                   seed: int = 0) -> GradientNoise:
    """Measure the spread of mini-batch gradients around the full-batch gradient.

    Parameters
    ----------
    net : MLP
        At the weights where the gradients are taken (not changed).
    X, y : array_like
        The training set (N samples).
    batch_sizes : sequence of int
        Each in 1..N.
    n_batches : int, default 32
        Batches sampled per size for :attr:`GradientNoise.measured`.
    seed : int, default 0
        Seed of the sampled batches.

    Returns
    -------
    GradientNoise
    """
    X = net.check_X(X)
    y = net.loss.check_targets(y, X.shape[0], net.sizes[-1])
    n = X.shape[0]
    sizes = np.array([check_int("batch_sizes", b, minimum=1, maximum=n) for b in batch_sizes],
                     dtype=np.int64)
    n_batches = check_int("n_batches", n_batches, minimum=1)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    rows = per_sample_gradients(net, X, y)
    g = rows.mean(axis=0)
    spread = float(np.mean(np.sum((rows - g) ** 2, axis=1)))
    expected = np.array([0.0 if n == 1 else (n - b) / (n - 1) * spread / b for b in sizes])
    measured = np.empty(len(sizes))
    for k, b in enumerate(sizes):
        total = 0.0
        for _ in range(n_batches):
            idx = rng.choice(n, size=int(b), replace=False)
            gb = _flat(net.backward(net.forward(X[idx]), y[idx]))
            total += float(np.sum((gb - g) ** 2))
        measured[k] = total / n_batches
    return GradientNoise(batch_sizes=sizes, expected=expected, measured=measured,
                         full_norm2=float(g @ g), per_sample=spread, n_samples=n,
                         n_batches=n_batches)


@dataclass(frozen=True)
class RunSpec:
    """One run of a :class:`RunSet`: its batch size and its schedule.

    Attributes
    ----------
    label : str
        What the picture's legend calls it.
    batch_size : int or None
        Samples per step; ``None`` for the full training set.
    schedule : Schedule
        The learning rate of each of its steps.
    """

    label: str
    batch_size: int | None
    schedule: Schedule


@dataclass(eq=False)
class _Run:
    spec: RunSpec
    trainer: Trainer
    steps_per_epoch: int
    diverged: str | None = None
    lrs: list = field(default_factory=list)  # the learning rate each step used


class RunSet:
    """Several runs from the same initial weights and data, trained epoch by epoch.

    Every run trains a copy of ``net`` (so all start from the same weights)
    with a :class:`Trainer` on the same data with the same batch-order
    ``seed``, plain gradient descent unless ``optimizer`` says otherwise;
    before each step the run's learning rate is set from its schedule at
    that step, as :func:`~actviz_widgets.engine.schedules.scheduled_steps` does.
    A run that diverges stops (its message is kept); the others go on.

    Parameters
    ----------
    net : MLP
        The initial network (copied, not changed).
    data : Dataset or tuple
        As for :class:`Trainer`.
    runs : sequence of RunSpec
    epochs : int
        The horizon: :meth:`step` stops there.
    seed : int, default 0
        The batch-order seed, the same for every run.
    optimizer : str, default "sgd"

    Attributes
    ----------
    specs : tuple of RunSpec
    trainers : list of Trainer
        One per run, in the order of ``runs``.
    """

    def __init__(self, net: MLP, data, runs: Sequence[RunSpec], epochs: int, seed: int = 0,
                 optimizer: str = "sgd") -> None:
        if not isinstance(net, MLP):
            raise TypeError(f"net must be an MLP; got {type(net).__name__}")
        runs = tuple(runs)
        if not runs or not all(isinstance(r, RunSpec) for r in runs):
            raise TypeError("runs must be a non-empty sequence of RunSpec")
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.specs = runs
        self._runs: list[_Run] = []
        for spec in runs:
            if not isinstance(spec.schedule, Schedule):
                raise TypeError(f"run {spec.label!r}: schedule must be a Schedule")
            trainer = Trainer(net.copy(), data, optimizer=optimizer, lr=spec.schedule(0),
                              batch_size=spec.batch_size, seed=seed, snapshot_every=10**9,
                              max_rows=100_000)
            bs = trainer.n_train if spec.batch_size is None else min(spec.batch_size,
                                                                     trainer.n_train)
            per_epoch = math.ceil(trainer.n_train / bs)
            # Measuring the loss on the whole training set costs as much as a step:
            # about RECORDS_PER_EPOCH rows per epoch draw a curve just as well.
            trainer.record_every = max(1, per_epoch // RECORDS_PER_EPOCH)
            self._runs.append(_Run(spec, trainer, per_epoch))
        self.trainers = [r.trainer for r in self._runs]
        self._epoch = 0

    # -- what a training widget uses ----------------------------------------------------------
    @property
    def step_count(self) -> int:
        """Epochs completed by every run (the set's clock)."""
        return self._epoch

    @property
    def epoch(self) -> int:
        """Epochs completed (the same as :attr:`step_count`)."""
        return self._epoch

    @property
    def done(self) -> bool:
        """Whether the horizon is reached."""
        return self._epoch >= self.epochs

    @property
    def n_train(self) -> int:
        return self.trainers[0].n_train

    def steps_per_epoch(self, k: int) -> int:
        """Steps run ``k`` takes per epoch: ``ceil(N / B)``."""
        return self._runs[k].steps_per_epoch

    def diverged(self, k: int) -> str | None:
        """The divergence message of run ``k``, or ``None``."""
        return self._runs[k].diverged

    def learning_rates(self, k: int) -> np.ndarray:
        """The learning rate each step of run ``k`` used so far."""
        return np.array(self._runs[k].lrs, dtype=float)

    def rewind(self) -> None:
        """Every run back to the initial weights, epoch 0."""
        for run in self._runs:
            run.trainer.rewind()
            run.diverged = None
            run.lrs.clear()
        self._epoch = 0

    def step(self, n: int = 1) -> None:
        """Train every run ``n`` more epochs (fewer at the horizon)."""
        n = check_int("n", n, minimum=0)
        for _ in range(min(n, self.epochs - self._epoch)):
            for run in self._runs:
                if run.diverged is None:
                    self._one_epoch(run)
            self._epoch += 1

    def _one_epoch(self, run: _Run) -> None:
        trainer, schedule = run.trainer, run.spec.schedule
        target = trainer.epoch + 1
        while trainer.epoch < target:
            lr = schedule.value(trainer.step_count)
            trainer.lr = lr
            try:
                trainer.step(1)
            except TrainingDiverged as exc:
                run.diverged = str(exc)
                return
            run.lrs.append(lr)

    def __repr__(self) -> str:
        return f"RunSet({[s.label for s in self.specs]}, epoch={self._epoch}/{self.epochs})"
