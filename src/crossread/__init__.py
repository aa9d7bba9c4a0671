"""crossread: read the same news story across many outlets."""

__version__ = "0.1.0"
