"""One error tree for the whole library, so callers can catch ours and nothing else."""


class ConflictMapError(Exception):
    """Base of every error the library raises on purpose."""


class ReadError(ConflictMapError, ValueError):
    """An input file or record could not be read; the message says what to fix."""


class FetchError(ReadError):
    """A URL was refused or could not be fetched; the message says why and what to do."""


class StoreError(ConflictMapError):
    """The store could not be opened or written; the message says what to do."""


class GazetteerError(ConflictMapError):
    """The gazetteer is missing or broken; the message names the build command."""


class AssetsError(ConflictMapError):
    """The vendored browser files are missing or cannot serve this map."""


class MapDataError(ConflictMapError, ValueError):
    """The places frame or an option cannot be drawn; the message says what to fix."""
