"""Kernel folders built from notebooks/templates/: self-contained, validator-clean notebooks."""

from goldloop.notebooks.builder import build_kernel, kernel_slug

__all__ = ["build_kernel", "kernel_slug"]
