"""The one thing pyproject.toml cannot say: where the lessons come from.

The lessons stay at the top of the repository (``notebooks/``), where
authors and ``make editions`` work on them; in the package they are
``actviz_widgets/lessons`` (the built editions only: see package-data in
pyproject.toml), so that ``python -m actviz_widgets lessons`` can copy them
out of an installed wheel.  Everything else is configured in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class FreshBuildPy(build_py):
    """Build the package from scratch in ``build/lib``.

    setuptools adds to what an earlier build left there, so a lesson renamed
    since (or a module removed) would ship twice, under both names.
    """

    def run(self):
        stale = Path(self.build_lib).resolve() / "actviz_widgets"
        # Never the sources themselves (an in-place or editable build).
        if not getattr(self, "editable_mode", False) and stale != HERE / "actviz_widgets":
            shutil.rmtree(stale, ignore_errors=True)
        super().run()


setup(
    # Namespace packages too: views/ and widgets/ have no __init__.py.
    packages=[*find_namespace_packages(include=["actviz_widgets", "actviz_widgets.*"],
                                       exclude=["*.__pycache__"]),
              "actviz_widgets.lessons"],
    package_dir={"actviz_widgets.lessons": "notebooks"},
    cmdclass={"build_py": FreshBuildPy},
)
