"""gambit: a self-hostable battle server for people and AI players."""

__version__ = "0.1.0"
