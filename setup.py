"""The one thing pyproject.toml cannot say: where the lessons come from.

The lessons stay at the top of the repository (``notebooks/``), where
authors and ``make editions`` work on them; in the package they are
``actviz_widgets/lessons`` (the built editions only: see package-data in
pyproject.toml), so that ``actviz-lessons`` can copy them out of an
installed wheel.  Everything else is configured in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

setup(
    # Namespace packages too: views/ and widgets/ have no __init__.py.
    packages=[*find_namespace_packages(include=["actviz_widgets", "actviz_widgets.*"],
                                       exclude=["*.__pycache__"]),
              "actviz_widgets.lessons"],
    package_dir={"actviz_widgets.lessons": "notebooks"},
)
