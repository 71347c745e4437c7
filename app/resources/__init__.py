"""Bundled assets (icons, the .desktop file, the user guide), found through importlib.resources.

A regular package, not a namespace one: importlib.resources.files() then gives a real directory, in a source
checkout, an editable install and a plain `pip install .` alike, and setuptools' package discovery finds it."""
