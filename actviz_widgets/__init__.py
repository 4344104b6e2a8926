"""actviz_widgets: Jupyter widgets that show how neural networks compute and learn.

The engine (pure NumPy) is imported eagerly and re-exported here.  Views
(matplotlib) and widgets (ipywidgets) load on first use, so
``import actviz_widgets`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from .engine import *  # noqa: F403  (the engine's public names are the package's)
from .engine import __all__ as _engine_all

__version__ = "0.1.0"

# Public names provided by the lazily imported layers: name -> module.
_LAZY: dict[str, str] = {
    "ActivationExplorer": ".widgets.activation_explorer",
    "SingleNeuron": ".widgets.single_neuron",
    "ComputationalGraph": ".widgets.graph",
    "BackpropStepper": ".widgets.pass_stepper",
    "PassStepperWidget": ".widgets.pass_stepper",  # the former name of BackpropStepper
    "Playground": ".widgets.playground",
    "GradientHealth": ".widgets.gradient_health",
    "DeadNeurons": ".widgets.dead_neurons",
    "Distributions": ".widgets.distributions",
    "GradientCheck": ".widgets.gradient_check",
    "DigitsCaseStudy": ".widgets.digits",
    "MnistClassifier": ".widgets.mnist",
    "TrainingComparison": ".widgets.comparison",
    "BranchComparison": ".widgets.branch",
    "set_pixel_ratio": ".views.base",
    "set_language": ".i18n",
    "get_language": ".i18n",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'actviz_widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [*_engine_all, *_LAZY, "__version__"]
