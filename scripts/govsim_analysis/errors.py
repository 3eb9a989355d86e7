"""The one error type the package raises for bad input."""


class InputError(Exception):
    """A problem with the user's input (a missing folder or file, a malformed file, a bad option): the
    command lines report it as one line on stderr and exit with status 2, never with a traceback."""
