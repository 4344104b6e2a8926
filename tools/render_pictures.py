"""Render each widget's current picture into docs/images/ for the README.

Usage::

    .venv/bin/python tools/render_pictures.py            # English and Chinese
    .venv/bin/python tools/render_pictures.py --language zh

The Chinese pictures are written beside the English ones as ``<name>_zh.png``.

Every picture comes from the widget's own view (``widget.save``), at the
settings written below, so the README shows exactly what a learner sees.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import actviz_widgets as av  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"


def render(language: str) -> list[Path]:
    """Build every widget in ``language`` and save its picture; return the files written."""
    av.set_language(language)
    suffix = "" if language == "en" else f"_{language}"
    written: list[Path] = []

    def named(name: str) -> Path:  # docs/images/<name>.png, or <name>_zh.png
        path = OUT / f"{name}{suffix}.png"
        written.append(path)
        return path

    explorer = av.ActivationExplorer(activations=("sigmoid", "tanh", "relu"), z=2.5, depth=8)
    explorer.save(named("activation_explorer"))
    neuron = av.SingleNeuron()
    neuron.step()
    neuron.step()
    neuron.save(named("single_neuron"))
    graph = av.ComputationalGraph(graph="shared")
    graph.go(7)  # backward: q is used twice, so its gradient sums its two paths
    graph.save(named("computational_graph"))
    stepper = av.PassStepperWidget()
    stepper.go(6)
    stepper.save(named("pass_stepper"))
    playground = av.Playground(dataset="circles", hidden_layers=2, neurons=6, show_gradients=True)
    playground.step(frames=60)
    playground.save(named("playground"))
    circles = av.Playground(dataset="circles", lr=0.1)
    circles.step(frames=20)  # 100 steps
    branch = av.BranchComparison.from_playground(circles, lr=1.0)
    branch.train(200)
    branch.save(named("branch_comparison"))
    health = av.GradientHealth()
    health.apply_preset("vanishing")
    health.train(20)
    health.save(named("gradient_health"))
    dead = av.DeadNeurons(lr=3.0)
    dead.train(30)
    dead.save(named("dead_neurons"))
    dists = av.Distributions()
    dists.train(100)
    dists.save(named("distributions"))
    check = av.GradientCheck()
    check.save(named("gradient_check"))
    digits = av.DigitsCaseStudy()
    digits.save(named("digits_case_study"))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=["en", "zh"], action="append",
                        help="the pictures' language (default: both)")
    languages = parser.parse_args().language or ["en", "zh"]
    OUT.mkdir(parents=True, exist_ok=True)
    for language in languages:
        for path in render(language):
            print(path.relative_to(OUT.parents[1]))


if __name__ == "__main__":
    main()
