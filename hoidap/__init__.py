"""hoidap: Vietnamese question answering and clause search over policy documents."""

__version__ = "0.2.0"
