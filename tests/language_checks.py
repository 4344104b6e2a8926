"""Checks that a widget speaks the language it was built in (controls, messages, picture).

Used by the widget tests: a widget built with ``language="zh"`` must show
Chinese in every control label and tooltip and in its picture, with no
English word left over (names such as ReLU, tanh or Xavier excepted); one
built with ``language="en"`` must show exactly the English texts the tests
list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as widgets

import actviz_widgets as av
from actviz_widgets.views.readability import drawn_texts

#: A Chinese character.
CJK = re.compile(r"[\u3400-\u9fff]")
#: Latin words a Chinese text keeps: names of functions, initialisers and optimizers, and
#: the symbols of formulas (they are written the same in Chinese textbooks).
NAMES = {"ReLU", "Leaky", "tanh", "sigmoid", "Sigmoid", "Xavier", "Adam", "max", "GELU", "SiLU",
         "ELU", "softplus", "Swish"}


def picture_texts(view) -> list[str]:
    """Every line of text drawn in ``view``'s current frame."""
    return [box.text for box in drawn_texts(view)]


def english_words(texts) -> list[str]:
    """The words of three or more Latin letters in ``texts`` that are not :data:`NAMES`
    (nor mathtext commands such as ``\\mathdefault`` of log-axis tick labels)."""
    return [word for text in texts for word in re.findall(r"[A-Za-z]{3,}",
                                                          re.sub(r"\\[A-Za-z]+", "", text))
            if word not in NAMES]


def control_texts(widget) -> dict[str, tuple[str, str]]:
    """``{setting: (label, tooltip)}`` of every declared setting's control."""
    return {name: (control.description, control.tooltip or "")
            for name, control in widget.controls.items()}


def buttons(widget) -> list[widgets.Widget]:
    """Every button among the widget's controls (its rows, one level of boxes deep)."""
    found = []

    def walk(box) -> None:
        for child in getattr(box, "children", ()):
            if isinstance(child, (widgets.Button, widgets.ToggleButton)):
                found.append(child)
            walk(child)

    walk(widget)
    return found


def assert_speaks_chinese(widget, view=None) -> None:
    """Every control label, tooltip, option and button, and the picture, in Chinese."""
    for name, (label, tooltip) in control_texts(widget).items():
        assert CJK.search(label), (name, label)
        assert not english_words([label, tooltip]), (name, label, tooltip)
        assert not tooltip or CJK.search(tooltip), (name, tooltip)
        options = getattr(widget.controls[name], "options", ())
        labels = [o[0] if isinstance(o, tuple) else o for o in options]
        assert not english_words(labels), (name, labels)
    for button in buttons(widget):
        assert CJK.search(button.description), button.description
        assert not button.tooltip or CJK.search(button.tooltip), button.tooltip
    texts = picture_texts(view if view is not None else widget.view)
    assert sum(bool(CJK.search(t)) for t in texts) >= 3, texts
    assert english_words(texts) == [], texts


@contextmanager
def current_language(name: str) -> Iterator[None]:
    """``av.set_language(name)`` for the block, then English again."""
    av.set_language(name)
    try:
        yield
    finally:
        av.set_language("en")
