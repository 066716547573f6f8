"""wargame: an agent-based strategic wargame of the Syrian war on Mesa."""

__version__ = "0.1.0"
