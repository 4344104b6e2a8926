"""Pure-NumPy neural-network engine behind the widgets.

Nothing here imports matplotlib or ipywidgets: views and widgets build on
this layer, never the other way round.
"""

from .activations import ACTIVATION_NAMES, ACTIVATIONS, Activation, get_activation
from .datasets import DATASET_NAMES, Dataset, load_digits, make_dataset
from .gradcheck import GradCheckResult, gradient_check, numeric_gradient, relative_error
from .initializers import INIT_NAMES
from .losses import LOSS_NAMES, LOSSES, Loss, get_loss, softmax
from .network import MLP, Gradients, Trace
from .optimizers import OPTIMIZER_NAMES, SGD, Adam, Optimizer, make_optimizer
from .serialization import load_network, save_network
from .stepper import PassStepper, Step, StepState
from .training import History, Snapshot, Trainer, TrainingDiverged
from .mnist import (MNIST_RECIPE, MNIST_SIZES, MnistRun, NeuronRecorder, NeuronTimeline,
                    load_mnist, train_mnist_classifier)
from .graph import (Graph, GraphEdge, GraphNode, GraphStep, GraphStructure, GraphTrace, Value,
                    binary_cross_entropy, squared_error, total)
from .graph_builders import EXPRESSION_NAMES, EXPRESSIONS, expression_graph, neuron_graph
from .training import DEFAULT_MAX_ROWS, MAX_SNAPSHOTS, default_max_snapshots
from .schedules import (SCHEDULE_NAMES, Constant, Cosine, Schedule, StepDecay, Warmup,
                        make_schedule, scaled_lr, scheduled_steps)
from .minibatch import GradientNoise, RunSet, RunSpec, gradient_noise, per_sample_gradients
from .branch import BRANCH_SETTINGS, Branch, Change
from .user_data import UserData, load_user_data, read_csv
from .validation import (MAX_BATCH_VALUES, MAX_BINS, MAX_GRID_N, MAX_LAYERS, MAX_NOISE,
                         MAX_PARAMETERS, MAX_SAMPLES, MAX_UNITS, MAX_WEIGHT_SCALE)

__all__ = [
    "ACTIVATION_NAMES", "ACTIVATIONS", "Activation", "get_activation",
    "DATASET_NAMES", "Dataset", "load_digits", "make_dataset",
    "GradCheckResult", "gradient_check", "numeric_gradient", "relative_error",
    "INIT_NAMES",
    "LOSS_NAMES", "LOSSES", "Loss", "get_loss", "softmax",
    "MLP", "Gradients", "Trace",
    "OPTIMIZER_NAMES", "SGD", "Adam", "Optimizer", "make_optimizer",
    "load_network", "save_network",
    "PassStepper", "Step", "StepState",
    "History", "Snapshot", "Trainer", "TrainingDiverged",
    "MNIST_RECIPE", "MNIST_SIZES", "MnistRun", "NeuronRecorder", "NeuronTimeline",
    "load_mnist", "train_mnist_classifier",
    "Graph", "GraphEdge", "GraphNode", "GraphStep", "GraphStructure", "GraphTrace", "Value",
    "binary_cross_entropy", "squared_error", "total",
    "EXPRESSION_NAMES", "EXPRESSIONS", "expression_graph", "neuron_graph",
    "DEFAULT_MAX_ROWS", "MAX_SNAPSHOTS", "default_max_snapshots",
    "SCHEDULE_NAMES", "Constant", "Cosine", "Schedule", "StepDecay", "Warmup", "make_schedule",
    "scaled_lr", "scheduled_steps",
    "GradientNoise", "RunSet", "RunSpec", "gradient_noise", "per_sample_gradients",
    "MAX_BATCH_VALUES", "MAX_BINS", "MAX_GRID_N", "MAX_LAYERS", "MAX_NOISE", "MAX_PARAMETERS",
    "MAX_SAMPLES", "MAX_UNITS", "MAX_WEIGHT_SCALE",
    "BRANCH_SETTINGS", "Branch", "Change",
    "UserData", "load_user_data", "read_csv",
]
