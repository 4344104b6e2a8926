"""Render each widget's current picture into docs/images/ for the README.

Usage::

    .venv/bin/python tools/render_pictures.py

Every picture comes from the widget's own view (``widget.save``), at the
settings written below, so the README shows exactly what a learner sees.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import actviz_widgets as av  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    explorer = av.ActivationExplorer(activations=("sigmoid", "tanh", "relu"), z=2.5, depth=8)
    explorer.save(OUT / "activation_explorer.png")
    neuron = av.SingleNeuron()
    neuron.step()
    neuron.step()
    neuron.save(OUT / "single_neuron.png")
    stepper = av.PassStepperWidget()
    stepper.go(6)
    stepper.save(OUT / "pass_stepper.png")
    playground = av.Playground(dataset="circles", hidden_layers=2, neurons=6, show_gradients=True)
    playground.step(frames=60)
    playground.save(OUT / "playground.png")
    health = av.GradientHealth()
    health.apply_preset("vanishing")
    health.train(20)
    health.save(OUT / "gradient_health.png")
    dead = av.DeadNeurons(lr=3.0)
    dead.train(30)
    dead.save(OUT / "dead_neurons.png")
    dists = av.Distributions()
    dists.train(100)
    dists.save(OUT / "distributions.png")
    check = av.GradientCheck()
    check.save(OUT / "gradient_check.png")
    digits = av.DigitsCaseStudy()
    digits.save(OUT / "digits_case_study.png")
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(OUT.parents[1]))


if __name__ == "__main__":
    main()
