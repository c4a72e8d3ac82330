"""innoregion: the software that runs a science and technology innovation region."""

__version__ = "0.1.0"
