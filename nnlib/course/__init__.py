"""The course's own tools: showing library source in a chapter, exercise self-checks, releasing
student versions, and opening the course in JupyterLab.

These are not part of the neural-network library; a learner never needs to read them.
"""

from nnlib.course.source import show_source

__all__ = ["show_source"]
