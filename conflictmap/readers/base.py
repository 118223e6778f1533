"""What every reader shares: the failure record, byte decoding and the Article builder."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from urllib.parse import urlsplit

from conflictmap.articles import Article, article_id
from conflictmap.errors import ReadError
from conflictmap.readers.dates import implausible_note, parse_published, plausible

MB = 1_000_000
DEFAULT_MAX_BYTES = 20 * MB


@dataclass(frozen=True)
class ReadFailure:
    """One input (a file, a URL, a line of a record file) that could not become an Article.

    Readers yield these next to the articles instead of raising, so one bad
    line never stops a batch; `reason` is one line telling the user what to do.
    """

    origin: str
    reason: str

    def __post_init__(self) -> None:
        # A file name that is not UTF-8, or a reason quoting a lone surrogate, must
        # still print on any terminal and store in any database.
        object.__setattr__(self, "origin", printable(self.origin))
        object.__setattr__(self, "reason", " ".join(printable(self.reason).split()))

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(value: Any) -> str:
    """Text safe to print and store: undecodable file-name bytes shown as \\xNN, lone surrogates as U+FFFD.

    Python keeps the bytes of a non-UTF-8 file name as lone surrogates
    ("caf\\udce9.txt"); writing those to a terminal or SQLite raises, which once
    stopped a whole run on one odd name.
    """
    text = value if isinstance(value, str) else str(value)
    if not _SURROGATE.search(text):
        return text
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") \
        if _only_escapes(text) else text
    return _SURROGATE.sub("\ufffd", text)


def _only_escapes(text: str) -> bool:
    """True when every surrogate is one of os.fsdecode's escaped bytes (U+DC80-U+DCFF)."""
    return all("\udc80" <= ch <= "\udcff" for ch in _SURROGATE.findall(text))


def clean_value(value: Any) -> Any:
    """`printable` applied through lists and dicts (a record's metadata), other values as they are."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [clean_value(item) for item in value]
    if isinstance(value, dict):
        return {clean_value(str(key)): clean_value(item) for key, item in value.items()}
    return value


def too_big_reason(size: int | None, max_bytes: int, *, hint: str = "split it or raise --max-bytes") -> str:
    limit = f"{max_bytes / MB:g} MB"
    if size is None:
        return f"file is over the {limit} limit; {hint}"
    return f"file is {size / MB:.1f} MB, over the {limit} limit; {hint}"


# --- bytes -> text -------------------------------------------------------------

_MAGIC = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ", "xz archive"),
    (b"7z\xbc\xaf", "7-Zip archive"),
    (b"Rar!", "RAR archive"),
    (b"\x7fELF", "program"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xd0\xcf\x11\xe0", "old Office document"),
)
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_CONTROL_BYTES = frozenset(range(0, 9)) | frozenset(range(14, 32)) - {27}


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'-be' when every other byte is NUL, as in Windows "Unicode" text saved without a BOM."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= len(odd) * 0.9 and even.count(0) <= len(even) * 0.1:
        return "utf-16-le"
    if even.count(0) >= len(even) * 0.9 and odd.count(0) <= len(odd) * 0.1:
        return "utf-16-be"
    return None


def binary_kind(head: bytes) -> str | None:
    """A short description when `head` (the first few KB) is not text, else None."""
    for bom, _ in _BOMS:
        if head.startswith(bom):
            return None
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if b"\x00" in head:
        return None if utf16_without_bom(head) else "contains NUL bytes"
    if head and sum(byte in _CONTROL_BYTES for byte in head) > len(head) // 10:
        return "mostly control characters"
    return None


def binary_reason(kind: str) -> str:
    return f"binary file ({kind}); give a text, HTML, JSON, CSV or RSS file"


NOT_TEXT = "not text in any encoding Conflict Map knows (random or binary bytes); give a text, HTML, JSON, CSV or RSS file"
_HIGH_RUN = re.compile(rb"[\x80-\xff]{3,}")
# Multi-byte East Asian encodings: their bytes also decode as cp1252/latin-1 (as mojibake),
# so they must be recognised before the Western guess.
_CJK = frozenset({"shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004",
                  "euc_jisx0213", "iso2022_jp", "gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs",
                  "cp950", "euc_kr", "cp949", "johab", "iso2022_kr"})


def legacy_encoding(data: bytes) -> str | None:
    """Name the legacy encoding of bytes that are not UTF-8, or None when they are not text at all.

    Western news copied from old pages is cp1252 (curly quotes at 0x91-0x94) or
    latin-1: their non-ASCII bytes stand alone ("caf\xe9", "\x93quote\x94").
    charset-normalizer guesses poorly on short Western texts (it says cp1250
    for English), so its answer is taken for those only when it is an East Asian
    multi-byte encoding that decodes the whole sample; Cyrillic, Greek, Arabic
    or CJK text (whole words of high bytes in a row) is left to it entirely, and
    bytes it finds no encoding for are not text.
    """
    from charset_normalizer import from_bytes

    sample = data[:200_000]
    high = sum(byte >= 0x80 for byte in sample)
    in_runs = sum(len(run) for run in _HIGH_RUN.findall(sample))
    best = from_bytes(sample).best()
    if best is not None and best.encoding in _CJK:
        return best.encoding
    if in_runs <= high * 0.3:
        if any(0x80 <= byte <= 0x9F for byte in sample):
            try:
                sample.decode("cp1252")
                return "cp1252"
            except UnicodeDecodeError:
                return "latin-1"
        return "latin-1"
    return best.encoding if best is not None else None


def decode_bytes(data: bytes, *, hint: str | None = None) -> tuple[str, str]:
    """(text, encoding): a byte-order mark, UTF-8, a declared charset, then a guess.

    Raises ReadError when the bytes are no text in any encoding, so random bytes
    never become an article of mojibake.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("-sig", "")
            except UnicodeDecodeError:
                break
    wide = utf16_without_bom(data[:8192])  # before UTF-8: its NULs are valid UTF-8 too
    if wide:
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if hint:
        try:
            return data.decode(hint), hint
        except (UnicodeDecodeError, LookupError):
            pass
    name = legacy_encoding(data)
    if name is None:
        raise ReadError(NOT_TEXT)
    try:
        return data.decode(name), name
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1"), "latin-1"


# --- small text helpers ---------------------------------------------------------


def has_letters(text: str) -> bool:
    """Does the text hold a word? "12345" or a page of punctuation is no article."""
    return any(ch.isalpha() for ch in text)


def json_problem(exc: ValueError) -> str:
    """One line for a ValueError from the json module that is not a syntax error."""
    message = str(exc)
    if "integer string conversion" in message or "digits" in message:
        return "a number with more than 4,300 digits, which no article field needs"
    return f"not valid JSON ({message.splitlines()[0][:120]})"

_STOPWORDS = {
    "en": frozenset("the and of to in is that for was on with said from has have are were by it his at as be this which".split()),
    "fr": frozenset("le la les des est une et du dans que qui pour pas sur au avec il ce sont été par".split()),
    "de": frozenset("der die und das ist nicht mit den ein eine zu von sich auf dem auch für im wurde".split()),
    "es": frozenset("el los las del que y en una por con para es se su al como fue más".split()),
    "it": frozenset("il di che e la per non una sono della del con gli nel alla è stato".split()),
    "pt": frozenset("o os as de que e do da em um uma para com não é no na dos foi".split()),
    "nl": frozenset("de het een en van is dat op te in niet met zijn voor door werd".split()),
}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str | None:
    """A cheap guess from stopwords in the first ~400 words; None when unsure.

    Good enough to tell English news from French or German; anything subtler
    belongs to a real language model, which the readers must not load.
    """
    words = [word.lower() for word in _WORD.findall(text[:4000])[:400]]
    if len(words) < 5:
        return None
    scores = {lang: sum(word in stop for word in words) for lang, stop in _STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (lang, hits), runner_up = ranked[0], ranked[1][1]
    return lang if hits >= max(2, len(words) * 0.12) and hits > runner_up else None


def primary_language(value: Any) -> str | None:
    """'en-GB', 'en_US' -> 'en'."""
    if not isinstance(value, str) or not value.strip():
        return None
    code = re.split(r"[-_]", value.strip())[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def host_of(url: str | None) -> str:
    """'https://www.bbc.co.uk/news/x' -> 'bbc.co.uk' (a usable source name when none is given)."""
    if not url:
        return ""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def title_from_text(text: str, limit: int = 120) -> str:
    """A stand-in title: the first line, or its first sentence when the line is long."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= limit:
        return first
    sentence = re.match(r".+?[.!?](?=\s|$)", first)
    if sentence and len(sentence.group(0)) <= limit:
        return sentence.group(0)
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut + "\u2026"


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def stream_encoding(stream: IO[bytes]) -> str | None:
    """Decide a record file's encoding from its first 64 KB, then rewind; None when it is not text."""
    sample = stream.read(65536)
    stream.seek(0)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if sample.startswith(bom):
            return name
    wide = utf16_without_bom(sample)
    if wide:
        return wide
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return legacy_encoding(sample)


def make_article(
    *,
    text: str,
    title: str = "",
    url: str | None = None,
    source: str = "",
    author: str = "",
    published_raw: Any = None,
    published: datetime | None = None,
    date_note: str | None = None,
    language: str | None = None,
    origin: str = "",
    fetched_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
) -> Article:
    """Build the Article every reader yields, filling what can be derived.

    The id comes from `article_id(url, text)`, so the same story read from a
    file, a feed or a URL is stored once.
    """
    text, title, source, author = (clean_value(v) for v in (text, title, source, author))
    url = clean_value(url.strip()) if isinstance(url, str) and url.strip() else None
    published_raw = clean_value(published_raw)
    if published is None and date_note is None:
        published, date_note = parse_published(published_raw, reference=fetched_at)
    raw = "" if published_raw is None else str(published_raw).strip()
    if published is not None and not plausible(published):
        raw = raw or published.isoformat()
        published, date_note = None, implausible_note(published)
    return Article(
        id=article_id(url, text),
        title=" ".join((title or title_from_text(text)).split()),
        text=text,
        source=" ".join(str(source or host_of(url)).split()),
        url=url,
        author=" ".join(str(author or "").split()),
        published=published,
        published_raw=raw,
        date_note=date_note or "",
        language=language if language else detect_language(text),
        origin=printable(origin),
        metadata=clean_value(dict(metadata or {})),
    )
