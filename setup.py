"""Only the optional C part: everything else is in pyproject.toml.

persearch/_spans.c speeds up highlighting (see its header). It is optional:
where no C compiler is found the build skips it and persearch runs its
pure-Python loop, which gives the same answers.
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("persearch._spans", ["persearch/_spans.c"], optional=True)])
