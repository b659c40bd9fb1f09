"""Errors that a user can act on. Stages print their message alone (no traceback) and exit 2."""


def printable(text) -> str:
    """Text for a one-line message or log: characters that are not printable (line breaks,
    terminal escapes, bytes of a file name that are not UTF-8) shown as Python escapes."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in str(text))


class NextgenreError(Exception):
    """An error whose message tells the user what to fix."""


class ParamsError(NextgenreError):
    """A setting in params.yaml has a wrong type or an unknown value."""


class RawDataError(NextgenreError):
    """A raw data folder does not fit the raw schema. The message names file, row and column."""

    def __init__(self, file, row, column, problem):
        self.file, self.row, self.column, self.problem = str(file), row, column, problem
        where = printable(self.file) + (f", row {row}" if row is not None else "")
        if column is not None:
            where += f", column '{printable(column)}'"
        super().__init__(f"{where}: {problem}")


class EncoderError(NextgenreError):
    """A text encoder cannot be found or loaded."""


class OutputError(NextgenreError):
    """A stage's output cannot be written (folder not writable, disk full)."""
