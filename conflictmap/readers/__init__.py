"""Readers: turn news files, folders, feeds and pages into `Article` records.

`read_paths` is the one entry point the CLI and the dashboard use; it yields
`Article`s and `ReadFailure`s side by side, so a batch never stops on one bad
file or line. The format readers below it are public for callers that hold
text or bytes already (a paste box, an upload).
"""

from conflictmap.readers.base import DEFAULT_MAX_BYTES, ReadFailure, detect_language
from conflictmap.readers.markup import read_feed, read_html_article, read_xml
from conflictmap.readers.fetch import ALLOW_ENV, FetchError, fetch
from conflictmap.readers.formats import guarded, read_bytes, read_pasted, read_upload
from conflictmap.readers.paths import read_file, read_paths, read_url
from conflictmap.readers.csv_files import read_csv
from conflictmap.readers.json_files import read_json_lines, read_json_text
from conflictmap.readers.records import record_to_article
from conflictmap.readers.text import read_text_article

__all__ = [
    "ALLOW_ENV",
    "DEFAULT_MAX_BYTES",
    "FetchError",
    "ReadFailure",
    "detect_language",
    "fetch",
    "guarded",
    "read_bytes",
    "read_csv",
    "read_feed",
    "read_file",
    "read_html_article",
    "read_json_lines",
    "read_json_text",
    "read_pasted",
    "read_paths",
    "read_text_article",
    "read_upload",
    "read_url",
    "read_xml",
    "record_to_article",
]
