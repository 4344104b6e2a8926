"""A training loop with history, rewind and restore, for the training playground.

A :class:`Trainer` owns one network, one dataset and one optimiser. Each call
of :meth:`Trainer.step` takes optimisation steps on mini-batches and appends
what a learner wants to see to :attr:`Trainer.history`.

Batches
    ``batch_size=None`` (or any size >= the training set) uses the whole
    training set, in its stored order, every step; one step is one epoch.
    Otherwise epoch ``e`` (counting from 0) visits the training set in the
    order ``numpy.random.default_rng([seed, e]).permutation(n_train)``, in
    consecutive slices of ``batch_size`` (the last one may be smaller).
    Because the order depends only on the seed and the epoch, a run is
    reproducible bit for bit, after :meth:`Trainer.rewind` and after
    :meth:`Trainer.restore` alike.

What a history row holds (for step ``k``)
    ``train_loss``, ``test_loss``, accuracies and ``dead_fraction`` are
    measured on the *whole* training/test set with the weights *after* step
    ``k``. The gradient norms are those of the mini-batch gradient that step
    ``k`` applied. ``test_loss``/``test_acc`` are ``None`` (not lists) when
    there is no test set, and the accuracies are ``None`` for regression, so
    every list that exists has one finite value per row.

Divergence
    When a loss, a gradient or a weight stops being finite, the step is
    undone (weights, batch position, and counters are those of the previous
    step), the optimiser's state is cleared, and :class:`TrainingDiverged`
    is raised; NumPy's overflow warnings are silenced meanwhile because the
    exception says what happened.

Bounded memory: thinning
    However long training runs, the history holds at most ``max_rows`` rows
    and ``max_snapshots`` snapshots, so memory and the time to draw the
    history stay constant. Rows are recorded every ``record_every`` steps;
    when there are more than ``max_rows``, only the rows at multiples of
    ``2 × record_every`` are kept (and the latest), and from then on only
    rows at those multiples stay once a newer row arrives. The next time
    the history is full the spacing doubles again, and so on: the rows kept
    are always evenly spaced over the whole run, plus the latest row.
    Snapshots are thinned the same way from ``snapshot_every``; the step-0
    snapshot (0 is a multiple of everything) and the latest one are always
    kept, so :meth:`Trainer.rewind` and a restore of the latest step always
    work, and :meth:`Trainer.restore` works at any step still listed in
    ``history.snapshots``. By default ``max_rows`` is
    :data:`DEFAULT_MAX_ROWS` and ``max_snapshots`` is
    :data:`MAX_SNAPSHOTS`, fewer for a large network so that the snapshots
    hold at most :data:`SNAPSHOT_VALUES` numbers (about 64 MB).
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .datasets import Dataset
from .network import MLP
from .optimizers import make_optimizer
from .validation import check_int

__all__ = ["History", "Snapshot", "Trainer", "TrainingDiverged", "DEFAULT_MAX_ROWS",
           "MAX_SNAPSHOTS", "SNAPSHOT_VALUES", "default_max_snapshots"]

#: Rows a history keeps by default before it is thinned.
DEFAULT_MAX_ROWS: int = 2000
#: Most snapshots a history keeps by default.
MAX_SNAPSHOTS: int = 1000
#: By default the snapshots hold at most this many numbers in all (64 MB).
SNAPSHOT_VALUES: int = 8_000_000
# The fewest rows or snapshots a history may be limited to (step 0, the latest, two more).
_MIN_KEPT = 4


def default_max_snapshots(n_params: int) -> int:
    """How many snapshots a network of ``n_params`` parameters keeps by default.

    :data:`MAX_SNAPSHOTS`, or fewer so that they hold at most
    :data:`SNAPSHOT_VALUES` numbers, but never fewer than 4.
    """
    n_params = check_int("n_params", n_params, minimum=1)
    return max(_MIN_KEPT, min(MAX_SNAPSHOTS, SNAPSHOT_VALUES // n_params))


class TrainingDiverged(ArithmeticError):
    """Training produced a non-finite loss, gradient or weight.

    Attributes
    ----------
    step : int
        The step that failed (its update was not kept).
    epoch : int
        The epoch (counting from 1) that step belonged to.
    loss : float
        The mini-batch loss at that step, or the non-finite value measured.
    """

    def __init__(self, message: str, step: int, epoch: int, loss: float) -> None:
        super().__init__(message)
        self.step = step
        self.epoch = epoch
        self.loss = loss


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Copies of the weights and biases after a step.

    Attributes
    ----------
    step : int
        Steps taken when the copy was made (0 = the initial weights).
    epoch : int
        Completed epochs at that moment.
    position : int
        Samples of the current epoch already used (where batching resumes).
    weights, biases : list of numpy.ndarray
        The network's parameters.
    """

    step: int
    epoch: int
    position: int
    weights: list
    biases: list


@dataclass(eq=False, repr=False)
class History:
    """What training recorded, one row per recorded step.

    Attributes
    ----------
    n_layers : int
        Weight layers L of the network (sets the width of the per-layer rows).
    step : list of int
        The step each row belongs to (rows are in increasing step order).
    epoch : list of float
        Epochs completed after that step, with a fraction for a partial epoch.
    train_loss : list of float
        Mean loss on the whole training set.
    test_loss : list of float or None
        Mean loss on the whole test set; ``None`` when there is no test set.
    train_acc, test_acc : list of float or None
        Accuracy in [0, 1]; ``None`` for regression (and ``test_acc`` without
        a test set).
    grad_norm_delta : list of list of float
        Per row, ``‖δ_l‖`` (Frobenius norm over the batch) for layers l = 1..L.
    grad_norm_W : list of list of float
        Per row, ``‖∂L/∂W‖`` of the weights into layers l = 1..L.
    dead_fraction : list of list of float
        Per row and hidden layer l = 1..L-1, the fraction of units whose
        pre-activation is <= 0 for every training sample.
    snapshots : dict of int to Snapshot
        Parameter copies by step, in increasing step order, always including
        step 0 and the latest one taken.
    max_rows, max_snapshots : int
        The most rows and snapshots kept; beyond them the history is thinned
        (see the module docstring). At least 4.
    """

    n_layers: int
    step: list = field(default_factory=list)
    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    test_loss: list | None = field(default_factory=list)
    train_acc: list | None = field(default_factory=list)
    test_acc: list | None = field(default_factory=list)
    grad_norm_delta: list = field(default_factory=list)
    grad_norm_W: list = field(default_factory=list)
    dead_fraction: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)
    max_rows: int = DEFAULT_MAX_ROWS
    max_snapshots: int = MAX_SNAPSHOTS
    # Thinning state: rows (snapshots) are kept at multiples of the grid (0: not thinned
    # yet); the extra step is the latest one, kept only until a newer one arrives.
    _row_grid: int = field(default=0, repr=False)
    _row_extra: int | None = field(default=None, repr=False)
    _snap_grid: int = field(default=0, repr=False)
    _snap_extra: int | None = field(default=None, repr=False)

    _ROWS = ("step", "epoch", "train_loss", "test_loss", "train_acc", "test_acc",
             "grad_norm_delta", "grad_norm_W", "dead_fraction")

    def __post_init__(self) -> None:
        self.max_rows = check_int("max_rows", self.max_rows, minimum=_MIN_KEPT)
        self.max_snapshots = check_int("max_snapshots", self.max_snapshots, minimum=_MIN_KEPT)

    @property
    def row_spacing(self) -> int:
        """Steps between kept rows once thinned (0 until the first thinning)."""
        return self._row_grid

    @property
    def snapshot_spacing(self) -> int:
        """Steps between kept snapshots once thinned (0 until the first thinning)."""
        return self._snap_grid

    def __len__(self) -> int:
        return len(self.step)

    def __repr__(self) -> str:
        if not self.step:
            return f"History(0 rows, snapshots at {len(self.snapshots)} steps)"
        return (f"History({len(self)} rows, steps {self.step[0]}..{self.step[-1]}, "
                f"last train_loss {self.train_loss[-1]:.4g}, "
                f"snapshots at {len(self.snapshots)} steps)")

    def as_arrays(self) -> dict[str, np.ndarray]:
        """The rows as NumPy arrays; fields that are ``None`` are left out.

        Returns
        -------
        dict of str to numpy.ndarray
            ``step`` (int), ``epoch`` and the losses/accuracies (float, shape
            ``(n,)``), ``grad_norm_delta`` and ``grad_norm_W`` (``(n, L)``) and
            ``dead_fraction`` (``(n, L - 1)``).
        """
        n, L = len(self), self.n_layers
        widths = {"grad_norm_delta": L, "grad_norm_W": L, "dead_fraction": L - 1}
        out: dict[str, np.ndarray] = {}
        for name in self._ROWS:
            values = getattr(self, name)
            if values is None:
                continue
            if name == "step":
                out[name] = np.array(values, dtype=np.int64)
            elif name in widths:
                out[name] = np.array(values, dtype=np.float64).reshape(n, widths[name])
            else:
                out[name] = np.array(values, dtype=np.float64)
        return out

    def truncate(self, step: int) -> None:
        """Drop every row and snapshot after ``step`` (keep ``step`` itself)."""
        step = check_int("step", step, minimum=0)
        cut = bisect.bisect_right(self.step, step)
        for name in self._ROWS:
            values = getattr(self, name)
            if values is not None:
                del values[cut:]
        for k in [k for k in self.snapshots if k > step]:
            del self.snapshots[k]
        if step == 0:  # back to the start: no thinning
            self._row_grid = self._snap_grid = 0
        last_row = self.step[-1] if self.step else None
        self._row_extra = last_row if self._row_grid and last_row % self._row_grid else None
        latest = next(reversed(self.snapshots), None)
        self._snap_extra = (latest if self._snap_grid and latest is not None
                            and latest % self._snap_grid else None)

    # -- adding (the Trainer's) ------------------------------------------------------------
    def _add_row(self, values: dict, every: int) -> None:
        """Append a row (``values`` by column name); thin the rows if there are too many.

        ``every`` is the recording interval, the spacing the first thinning doubles.
        """
        if self._row_extra is not None:
            if self.step and self.step[-1] == self._row_extra:
                for name in self._ROWS:
                    column = getattr(self, name)
                    if column is not None:
                        column.pop()
            self._row_extra = None
        for name in self._ROWS:
            column = getattr(self, name)
            if column is not None:
                column.append(values[name])
        step = values["step"]
        if self._row_grid and step % self._row_grid:
            self._row_extra = step
        if len(self.step) > self.max_rows:
            self._thin_rows(every)

    def _thin_rows(self, every: int) -> None:
        while len(self.step) > self.max_rows:
            self._row_grid = 2 * (self._row_grid or every)
            last = len(self.step) - 1
            keep = [i for i, k in enumerate(self.step) if k % self._row_grid == 0 or i == last]
            for name in self._ROWS:
                column = getattr(self, name)
                if column is not None:
                    column[:] = [column[i] for i in keep]
            self._row_extra = self.step[-1] if self.step[-1] % self._row_grid else None

    def _add_snapshot(self, snap: Snapshot, every: int) -> None:
        """Keep ``snap``; thin the snapshots if there are too many (see :meth:`_add_row`)."""
        snaps = self.snapshots
        if self._snap_extra is not None and self._snap_extra != snap.step:
            snaps.pop(self._snap_extra, None)
        self._snap_extra = None
        snaps[snap.step] = snap
        if self._snap_grid and snap.step % self._snap_grid:
            self._snap_extra = snap.step
        if len(snaps) > self.max_snapshots:
            self._thin_snapshots(every)

    def _thin_snapshots(self, every: int) -> None:
        snaps = self.snapshots
        while len(snaps) > self.max_snapshots:
            self._snap_grid = 2 * (self._snap_grid or every)
            latest = next(reversed(snaps))
            for k in [k for k in snaps if k % self._snap_grid and k != latest]:
                del snaps[k]
            self._snap_extra = latest if latest % self._snap_grid else None


def _unpack(data) -> tuple:
    """(X_train, y_train, X_test, y_test, task) from a Dataset or a tuple."""
    if isinstance(data, Dataset):
        has_test = data.X_test.shape[0] > 0
        return (data.X_train, data.y_train, data.X_test if has_test else None,
                data.y_test if has_test else None, data.task)
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)) and len(data) in (2, 4):
        parts = tuple(data)
        if len(parts) == 4 and (parts[2] is None) != (parts[3] is None):
            given, missing = ("y_test", "X_test") if parts[2] is None else ("X_test", "y_test")
            raise ValueError(f"data: {given} was given but {missing} is None; give both for a "
                             "test set, or pass (X_train, y_train) for none")
        for i, name in enumerate(("X_train", "y_train")):
            if parts[i] is None:
                raise TypeError(f"data: {name} must be an array; got None")
        return (*parts, None, None, None) if len(parts) == 2 else (*parts, None)
    raise TypeError("data must be a Dataset, (X_train, y_train) or "
                    f"(X_train, y_train, X_test, y_test); got {type(data).__name__}"
                    + (f" of length {len(data)}" if isinstance(data, Sequence) else ""))


def _check_part(net: MLP, X, y, part: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate one (X, y) pair against the network, naming the part in errors."""
    try:
        X = net.check_X(X)
        y = net.loss.check_targets(y, X.shape[0], net.sizes[-1])
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"data ({part} set): {exc}") from None
    return X, y


class Trainer:
    """Train an :class:`MLP` on a dataset, recording a history that can be rewound.

    Parameters
    ----------
    net : MLP
        The network; it is trained in place and its weights at construction
        are kept for :meth:`rewind`.
    data : Dataset or tuple
        A :class:`~actviz_widgets.engine.datasets.Dataset`, ``(X_train, y_train)``
        or ``(X_train, y_train, X_test, y_test)``. Checked against the network
        once, here.
    optimizer : {"sgd", "momentum", "adam"}, default "sgd"
        See :func:`~actviz_widgets.engine.optimizers.make_optimizer`.
    lr : float, default 0.1
        Learning rate (> 0), for every optimiser (Adam usually wants less);
        can be changed between steps.
    batch_size : int or None, default None
        Samples per step; ``None`` for the full training set. Can be changed
        between steps.
    weight_decay : float, default 0.0
        L2 strength on the weights; can be changed between steps.
    seed : int, default 0
        Seed of the mini-batch order.
    snapshot_every : int, default 1
        Keep a copy of the parameters every this many steps (and at step 0).
    record_every : int, default 1
        Measure and record a history row every this many steps; measuring on
        the whole training and test sets is the costly part of a step.
    max_rows : int, default DEFAULT_MAX_ROWS (2000)
        Most history rows kept; beyond, the rows are thinned to an even
        spacing (see the module docstring). At least 4; changeable.
    max_snapshots : int, optional
        Most snapshots kept, thinned the same way; by default
        :func:`default_max_snapshots` of the network's parameter count
        (1000 for the lessons' networks). At least 4; changeable.
    **optimizer_kwargs
        ``momentum``, ``beta1``, ``beta2``, ``eps``.

    Examples
    --------
    >>> from actviz_widgets.engine.datasets import make_dataset
    >>> net = MLP([2, 4, 4, 1], activation="tanh", loss="bce", seed=0)
    >>> trainer = Trainer(net, make_dataset("xor"), lr=0.5)
    >>> history = trainer.train(steps=100)
    >>> len(history)
    100
    """

    def __init__(self, net: MLP, data, optimizer: str = "sgd", lr: float = 0.1,
                 batch_size: int | None = None, weight_decay: float = 0.0, seed: int = 0,
                 snapshot_every: int = 1, record_every: int = 1,
                 max_rows: int = DEFAULT_MAX_ROWS, max_snapshots: int | None = None,
                 **optimizer_kwargs) -> None:
        if not isinstance(net, MLP):
            raise TypeError(f"net must be an MLP; got {type(net).__name__}")
        net.check_params()
        X_train, y_train, X_test, y_test, task = _unpack(data)
        self.X_train, self.y_train = _check_part(net, X_train, y_train, "training")
        self.X_test = self.y_test = None
        if X_test is not None:
            self.X_test, self.y_test = _check_part(net, X_test, y_test, "test")
        if task is None:  # tuples: losses for classes, or mse on 0/1 targets
            task = "classification" if (net.loss.name != "mse" or bool(
                np.isin(self.y_train, (0.0, 1.0)).all())) else "regression"
        #: Whether accuracies are measured.
        self.classification: bool = task == "classification"
        #: The network being trained.
        self.net: MLP = net
        #: The optimiser; ``trainer.lr`` and ``trainer.weight_decay`` forward to it.
        self.optimizer = make_optimizer(optimizer, lr=lr, weight_decay=weight_decay,
                                        **optimizer_kwargs)
        self._seed = check_int("seed", seed, minimum=0)
        self.batch_size = batch_size
        self.snapshot_every = snapshot_every
        self.record_every = record_every
        self._initial = net.get_params()
        self._stop = threading.Event()
        self._traces: dict = {}  # forward/backward buffers by number of rows
        self._grads: dict = {}
        self._prev = net.get_params()  # weights before the current step, for undoing it
        #: The recorded rows and snapshots (the same object for the trainer's lifetime).
        self.history = History(
            n_layers=net.n_layers,
            test_loss=None if self.X_test is None else [],
            train_acc=[] if self.classification else None,
            test_acc=[] if self.classification and self.X_test is not None else None,
            max_rows=max_rows,
            max_snapshots=(default_max_snapshots(net.n_params) if max_snapshots is None
                           else max_snapshots))
        self._order: np.ndarray | None = None
        self._order_epoch = -1
        self.rewind()

    # -- settings --------------------------------------------------------------------------
    @property
    def lr(self) -> float:
        """Learning rate; changing it keeps the optimiser's state."""
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = value

    @property
    def weight_decay(self) -> float:
        """L2 strength on the weights; changing it keeps the optimiser's state."""
        return self.optimizer.weight_decay

    @weight_decay.setter
    def weight_decay(self, value: float) -> None:
        self.optimizer.weight_decay = value

    @property
    def batch_size(self) -> int | None:
        """Samples per step (``None``: the full training set); changeable between steps.

        A new size takes effect at the current position in the epoch; a
        full-batch step always completes the current epoch.
        """
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        self._batch_size = None if value is None else check_int("batch_size", value, minimum=1)
        self._batch_bufs = {}

    @property
    def snapshot_every(self) -> int:
        """Keep a parameter snapshot every this many steps."""
        return self._snapshot_every

    @snapshot_every.setter
    def snapshot_every(self, value: int) -> None:
        self._snapshot_every = check_int("snapshot_every", value, minimum=1)

    @property
    def record_every(self) -> int:
        """Record a history row every this many steps."""
        return self._record_every

    @record_every.setter
    def record_every(self, value: int) -> None:
        self._record_every = check_int("record_every", value, minimum=1)

    @property
    def max_rows(self) -> int:
        """Most history rows kept (thinned beyond); lowering it thins at once."""
        return self.history.max_rows

    @max_rows.setter
    def max_rows(self, value: int) -> None:
        self.history.max_rows = check_int("max_rows", value, minimum=_MIN_KEPT)
        self.history._thin_rows(self._record_every)

    @property
    def max_snapshots(self) -> int:
        """Most snapshots kept (thinned beyond); lowering it thins at once."""
        return self.history.max_snapshots

    @max_snapshots.setter
    def max_snapshots(self, value: int) -> None:
        self.history.max_snapshots = check_int("max_snapshots", value, minimum=_MIN_KEPT)
        self.history._thin_snapshots(self._snapshot_every)

    @property
    def seed(self) -> int:
        """Seed of the mini-batch order (fixed at construction)."""
        return self._seed

    # -- state -----------------------------------------------------------------------------
    @property
    def step_count(self) -> int:
        """Optimisation steps taken since the start (or the restored step)."""
        return self._step_count

    @property
    def epoch(self) -> int:
        """Completed passes over the training set."""
        return self._epoch

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return int(self.X_train.shape[0])

    @property
    def diverged(self) -> str | None:
        """Message of the last divergence, or ``None`` (cleared by a successful step,
        :meth:`rewind` and :meth:`restore`)."""
        return self._diverged

    def __repr__(self) -> str:
        return (f"Trainer({self.net!r}, {self.optimizer!r}, batch_size={self._batch_size}, "
                f"step={self._step_count}, epoch={self._epoch})")

    # -- moving through time ---------------------------------------------------------------
    def rewind(self) -> None:
        """Go back to the initial weights with an empty history.

        The history keeps only the step-0 snapshot (it stays the same object).
        The optimiser's state is cleared and the batch order starts again, so
        training again gives bit-identical results.
        """
        self.net.set_params(*self._initial)
        self.optimizer.reset()
        self._step_count = self._epoch = self._position = 0
        self._diverged: str | None = None
        self.history.truncate(0)
        self._snapshot()

    def restore(self, step: int) -> None:
        """Set the network to its snapshot at ``step`` and drop the later history.

        Training resumes from there with the batch order of the original run;
        the optimiser's state (momentum, Adam moments) is not in snapshots and
        is cleared.

        Raises
        ------
        ValueError
            If there is no snapshot at ``step``; the message lists the steps
            that have one.
        """
        step = check_int("step", step, minimum=0)
        snap = self.history.snapshots.get(step)
        if snap is None:
            raise ValueError(f"no snapshot at step {step}; snapshots exist at steps "
                             f"{_describe_steps(sorted(self.history.snapshots))}")
        self.net.set_params(snap.weights, snap.biases)
        self.history.truncate(step)
        self.optimizer.reset()
        self._step_count, self._epoch, self._position = snap.step, snap.epoch, snap.position
        self._diverged = None

    # -- training --------------------------------------------------------------------------
    def step(self, n: int = 1) -> History:
        """Take ``n`` optimisation steps (mini-batches) and return the history.

        Raises
        ------
        TrainingDiverged
            If a loss, gradient or weight stops being finite; the failed step
            is undone.
        """
        n = check_int("n", n, minimum=0)
        self.net.check_params()  # once: the steps keep them finite
        self._run(n, watch_stop=False)
        return self.history

    def train(self, epochs: int | None = None, steps: int | None = None) -> History:
        """Train for a number of epochs or of steps (give exactly one).

        ``epochs=k`` runs until ``k`` more epochs have been completed.
        :meth:`stop`, called from another thread, makes it return after the
        current step; the stop request is cleared when ``train`` starts.

        Returns
        -------
        History
        """
        if (epochs is None) == (steps is None):
            raise ValueError(f"give exactly one of epochs and steps; got epochs={epochs!r}, "
                             f"steps={steps!r}")
        self._stop.clear()
        self.net.check_params()
        if steps is not None:
            self._run(check_int("steps", steps, minimum=0), watch_stop=True)
        else:
            target = self._epoch + check_int("epochs", epochs, minimum=0)
            while self._epoch < target and not self._stop.is_set():
                self._run(1, watch_stop=True)
        return self.history

    def stop(self) -> None:
        """Ask a running :meth:`train` to return after its current step (thread-safe)."""
        self._stop.set()

    # -- internals -------------------------------------------------------------------------
    def _run(self, n: int, watch_stop: bool) -> None:
        # Divergence is detected explicitly below; NumPy's overflow warnings would
        # only duplicate (or, under warnings-as-errors, pre-empt) that report.
        with np.errstate(all="ignore"):
            for _ in range(n):
                if watch_stop and self._stop.is_set():
                    break
                self._one_step()

    def _next_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The next batch; advances the epoch position."""
        n = self.n_train
        bs = self._batch_size
        if bs is None or bs >= n:
            self._epoch += 1
            self._position = 0
            return self.X_train, self.y_train
        if self._order_epoch != self._epoch:
            self._order = np.random.default_rng([self._seed, self._epoch]).permutation(n)
            self._order_epoch = self._epoch
        idx = self._order[self._position:self._position + bs]
        m = len(idx)
        bufs = self._batch_bufs.get(m)
        if bufs is None:
            bufs = self._batch_bufs[m] = (np.empty((m,) + self.X_train.shape[1:]),
                                          np.empty((m,) + self.y_train.shape[1:],
                                                   dtype=self.y_train.dtype))
        Xb, yb = bufs
        np.take(self.X_train, idx, axis=0, out=Xb)
        np.take(self.y_train, idx, axis=0, out=yb)
        self._position += m
        if self._position >= n:
            self._epoch += 1
            self._position = 0
        return Xb, yb

    def _forward(self, X: np.ndarray):
        # X was checked once in __init__, and the parameters are finite (checked when
        # step() or train() starts; every update is checked)
        tr = self.net.forward(X, out=self._traces.get(len(X)), check=False)
        self._traces[len(X)] = tr
        return tr

    def _one_step(self) -> None:
        net = self.net
        k = self._step_count + 1
        before = (self._epoch, self._position)
        Xb, yb = self._next_batch()
        trace = self._forward(Xb)
        grads = net.backward(trace, yb, out=self._grads.get(len(Xb)))
        self._grads[len(Xb)] = grads
        if not math.isfinite(grads.loss):
            self._diverge(k, before, grads.loss, f"the loss became {grads.loss}", undo=False)
        try:
            dWs, dbs = net.check_gradients(grads)
        except FloatingPointError:
            self._diverge(k, before, grads.loss, "the gradients stopped being finite",
                          undo=False)
        for keep, W in zip(self._prev[0] + self._prev[1], net.weights + net.biases):
            np.copyto(keep, W)
        try:
            # Weights and gradients are finite here, so a non-finite weight can only come
            # from an overflow or invalid operation in the update: trapping those is
            # much cheaper than scanning every weight after each step.
            with np.errstate(over="raise", invalid="raise"):
                self.optimizer.apply(net, dWs, dbs)
        except FloatingPointError:
            self._diverge(k, before, grads.loss, "the weight update overflowed", undo=True)
        if k % self._record_every == 0:
            self._record(k, grads, before)
        self._step_count = k
        self._diverged = None
        if k % self._snapshot_every == 0:
            self._snapshot()

    def _record(self, k: int, grads, before: tuple[int, int]) -> None:
        """Measure the network after step ``k`` and append a history row."""
        net, h, L = self.net, self.history, self.net.n_layers
        tr = self._forward(self.X_train)
        train_loss = net.loss.value(tr.z[L], tr.a[L], self.y_train)
        dead = [int(np.count_nonzero(tr.z[l].max(axis=0) <= 0.0)) / net.sizes[l]
                for l in range(1, L)]
        train_acc = self._accuracy(tr) if self.classification else None
        test_loss = test_acc = None
        if self.X_test is not None:
            tt = self._forward(self.X_test)
            test_loss = net.loss.value(tt.z[L], tt.a[L], self.y_test)
            test_acc = self._accuracy(tt, test=True) if self.classification else None
        for what, value in (("training-set loss", train_loss), ("test-set loss", test_loss)):
            if value is not None and not math.isfinite(value):
                self._diverge(k, before, value, f"the {what} became {value}", undo=True)
        h._add_row({
            "step": k, "epoch": self._epoch + self._position / self.n_train,
            "train_loss": train_loss, "test_loss": test_loss, "train_acc": train_acc,
            "test_acc": test_acc,
            "grad_norm_delta": [math.sqrt(np.vdot(d, d)) for d in grads.delta[1:]],
            "grad_norm_W": [math.sqrt(np.vdot(d, d)) for d in grads.dW],
            "dead_fraction": dead}, self._record_every)

    def _accuracy(self, tr, test: bool = False) -> float:
        y = self.y_test if test else self.y_train
        out = tr.a[-1]
        if self.net.loss.name == "cross_entropy":
            labels = y if y.ndim == 1 else y.argmax(axis=1)
            return int(np.count_nonzero(out.argmax(axis=1) == labels)) / len(labels)
        return int(np.count_nonzero((out > 0.5) == (y > 0.5))) / y.size

    def current_snapshot(self) -> Snapshot:
        """A copy of the run as it is now: step, epoch, position in the batch order, weights.

        Not added to the history; for starting another run from exactly here
        (:class:`~actviz_widgets.engine.branch.Branch`) when the live step has no
        kept snapshot.
        """
        w, b = self.net.get_params()
        return Snapshot(self._step_count, self._epoch, self._position, w, b)

    def _snapshot(self) -> None:
        w, b = self.net.get_params()
        self.history._add_snapshot(Snapshot(self._step_count, self._epoch, self._position, w, b),
                                   self._snapshot_every)

    def _diverge(self, k: int, before: tuple[int, int], loss: float, why: str,
                 undo: bool) -> None:
        """Undo step ``k``, clear the optimiser state and raise TrainingDiverged."""
        if undo:
            for keep, W in zip(self._prev[0] + self._prev[1], self.net.weights + self.net.biases):
                np.copyto(W, keep)
        self._epoch, self._position = before
        self.optimizer.reset()
        epoch = before[0] + 1
        try:
            self.net.check_params()
        except (TypeError, ValueError) as exc:  # changed behind the trainer's back
            self._diverged = (f"{why} at step {k} (epoch {epoch}) because the network's "
                              f"parameters were changed outside the trainer: {exc}")
        else:
            self._diverged = (f"{why} at step {k} (epoch {epoch}) with learning rate "
                              f"{self.lr:g}; training stopped and the weights from step "
                              f"{k - 1} were kept — try a smaller learning rate")
        raise TrainingDiverged(self._diverged, step=k, epoch=epoch, loss=float(loss))


def _describe_steps(steps: list[int]) -> str:
    """A short list of step numbers: all of them, or the ends of a long list."""
    if len(steps) <= 8:
        return ", ".join(map(str, steps))
    return (", ".join(map(str, steps[:3])) + ", ..., " + ", ".join(map(str, steps[-3:]))
            + f" ({len(steps)} snapshots)")
