"""Errors a user can act on. Each message says what went wrong and what to do about it."""


class BilatError(Exception):
    """Base class: the CLI prints the message of these as one line, without a traceback."""


class StoreError(BilatError):
    """The store file cannot be opened, read or written."""


class InputError(BilatError):
    """A file, date or value the user gave cannot be used."""
