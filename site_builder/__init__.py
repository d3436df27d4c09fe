"""Static-site generator for fact-check ("debunk") case databases."""

__version__ = "0.1.0"
