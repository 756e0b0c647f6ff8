"""webstack's origin application: a small JSON API on the standard library.

Runs on the instance's system Python (Amazon Linux 2023 ships 3.9), so the
code keeps to what 3.9 understands.
"""

__version__ = "1.0.0"
