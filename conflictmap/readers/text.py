"""Plain article text as copied off a news site, split into its parts.

A copy-paste from a news page has a fairly stable shape:

    Headline
    Standfirst (one or two short lines)
    By Reporter Name
    Saturday 14 June 2014 17:00 BST
    Photo caption (often pasted twice)
    Body paragraphs...
    Site furniture: "Join the conversation", "Log in", "© 2014"...

The rules below look for that shape near the top and the bottom of the text,
never in the middle, so an article that does not follow it keeps its body.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from conflictmap.articles import Article
from conflictmap.readers.dates import detect_dateline
from conflictmap.errors import ReadError
from conflictmap.readers.base import make_article, normalize_newlines

_HEADER_WINDOW = 10  # header lines (subtitle, byline, dateline, captions) sit right under the title
_LONG_LINE = 300  # longer than any headline or standfirst: body text has started
_URL_LINE = re.compile(r"https?://\S+$")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_BY = re.compile(r"by\s+", re.I)
_BYLINE_SPLIT = re.compile(r"\s*(?:\||\u2022|\u00b7|\s[-\u2013\u2014]\s|@)\s*")
_NAME_WORD = re.compile(
    r"(?:[A-Z][a-z]+(?:[-'\u2019][A-Z]?[a-z]+)*|[A-Z]\.|Mc[A-Z][a-z]+|[A-Z][a-z]*[A-Z][a-z]+"
    r"|(?:de|da|di|del|der|van|von|le|la|du|al|el|bin|ibn|ben)(?:-[A-Z][a-z]+)?)$"
)
_NOT_NAME_WORDS = frozenset(
    "The A An In On At Of For To And With From Says Said Live Update Updated Breaking News Video Photo Image "
    "Related Topics Topic More Most Read Share Save Follow Subscribe Comments Print Email Home World Sport "
    "Opinion Popular Latest Top Stories Business Politics Advertisement Sponsored Listen Watch Menu Search".split()
)
_CAPTION = re.compile(
    r"""^(?:(?:image|photo|photograph|picture|video|caption|credit|media\s+caption|image\s+copyright)s?\s*[:|]
         |image\s+(?:copyright|caption)\b|(?:getty|afp|reuters|ap|epa|pa)(?:\s+images)?(?:/.+)?$)
       |\((?:[^()]*\b)?(?:getty|afp|reuters|ap|epa|pa|images?|photo|photograph|file|credit)\b[^()]*\)\.?$
       |[/|]\s*(?:getty|afp|reuters|ap|epa|pa\s+wire|pa)(?:\s+images)?\.?$""",
    re.I | re.X,
)
# Lines that are never article prose wherever they stand.
_NOISE = re.compile(
    r"""^(?:advertisement|advertising|sponsored\s+content|story\s+continues\s+below.*|scroll\s+down\s+for\s+video
        |read\s+more\b.{0,120}|related\s*:.*|related\s+topics|see\s+also\s*:.*|media\s+playback\s+is\s+unsupported.*
        |share\s+this\s+(?:article|story|page)|skip\s+(?:to\s+content|advert))$""",
    re.I | re.X,
)
# Lines that start the site furniture after an article.
_TAIL = re.compile(
    r"""^(?:join\s+(?:our|the)\s+(?:commenting\s+forum|conversation|discussion|debate)
        |thank\s+you\s+for\s+(?:registering|subscribing|signing\s+up|reading|your\s+(?:feedback|support))
        |please\s+(?:refresh|log\s*in|sign\s*in|register|subscribe|enable|turn\s+off|disable)
        |(?:log|sign)\s*(?:in|up|out)\b|register(?:\s+(?:now|for\s+free|here|to\b.*))?$|subscribe\b
        |create\s+(?:an?\s+)?(?:free\s+)?account|already\s+(?:have\s+an\s+account|registered|a\s+subscriber)
        |(?:\d+\s+)?comments?(?:\s*\(\d+\))?$
        |(?:show|view|hide|load|read|see|post|add|leave)\s+(?:all\s+|a\s+)?(?:\d+\s+)?(?:comments?|reply)
        |share\s+(?:this|the)\s+(?:article|story|page|post)|share\s+(?:on|via)\b|share$
        |read\s+more\b|more\s+(?:on\s+this\s+story|stories|(?:from|in|on)\s+(?-i:[A-Z])[^.]*$)
        |related\s+(?:articles|stories|content|topics|coverage|news)|most\s+(?:read|popular|viewed|shared)
        |trending(?:\s+(?:now|stories|news))?$|you\s+(?:may|might)\s+also\s+like
        |recommended(?:\s+(?:for\s+you|stories|articles|reading|videos))?$
        |follow\s+(?:us|me)\b|(?:sign\s+up|subscribe)\s+(?:to|for)\b.*newsletter
        |(?:get|receive)\s+(?:our|the)\s+.*newsletter|newsletters?\b
        |\u00a9|\(c\)\s*\d{4}|copyright\s*(?:\u00a9|\(c\)|\d{4})|copyright$|all\s+rights\s+reserved
        |topics?\s*:|topics?$|tags?\s*:|reuse\s+this\s+content|about\s+sharing|filed\s+under|back\s+to\s+top
        |want\s+to\s+(?:bookmark|read\s+more|discuss)|we\s*(?:would|'d|\u2019d)\s+love\s+to\s+hear
        |(?:click|tap)\s+here|we\s+use\s+cookies|cookie\s+(?:policy|settings)
        |(?:additional\s+)?(?:reporting|editing|writing|compiled)\s+by\b|our\s+standards\b
        |privacy\s+policy|terms\s+(?:of|and)\s+(?:use|service|conditions)|report\s+(?:an?\s+)?(?:error|typo|correction))""",
    re.I | re.X,
)
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*$")


def _clean(line: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", line)).strip()


def _name(chunk: str) -> str | None:
    """'Jack Simpson' -> itself; anything that is not 2-4 name-like words -> None."""
    words = chunk.split()
    if not 2 <= len(words) <= 4:
        return None
    if any(word in _NOT_NAME_WORDS or not _NAME_WORD.match(word) for word in words):
        return None
    if not any(word[0].isupper() and len(word) > 2 for word in words):
        return None
    return " ".join(words)


def _author_in(line: str) -> str | None:
    """The name(s) in a byline, or None.

    "By Anne Barnard, Hwaida Saad and Rick Gladstone" gives the three names;
    "Martin Chulov in Beirut" and "Jack Simpson, Middle East editor" give the
    name alone. A line whose first part is not a name ("Rouhani says that it
    was willing to help") is never taken for a byline.
    """
    text = line.strip()
    by = _BY.match(text)
    if by:
        text = text[by.end():]
    if not text or len(text) > 100 or any(ch.isdigit() for ch in text):
        return None
    text = _BYLINE_SPLIT.split(text)[0]
    text = re.sub(r"\s+(?:in|for)\s+[A-Z].*$", "", text)
    if text.isupper():
        text = text.title()
    names: list[str] = []
    for chunk in re.split(r"\s*(?:,|&|\band\b)\s*", text):
        name = _name(chunk)
        if name is None:
            break
        names.append(name)
    return ", ".join(names) if names else None


def _is_caption(line: str, repeated: bool) -> bool:
    return (repeated and len(line) < 250) or bool(_CAPTION.search(line))


def _weight(line: str) -> int:
    """How much a line counts as article content: paragraphs do, short furniture lines do not."""
    return len(line) if len(line) > 80 else 0


def _tail_start(body: list[str]) -> int:
    """Index of the first line of site furniture at the end of the body (len(body) if none).

    A marker line only counts when little content follows it: "Read more" in
    the middle of an article is a link, at the end it is the site's footer.
    """
    before = [0]
    for line in body:
        before.append(before[-1] + _weight(line))
    total = before[-1]
    cut = len(body)
    for index in range(len(body) - 1, 0, -1):
        line = body[index]
        if len(line) <= 160 and _TAIL.match(line) and total - before[index] <= before[index] * 0.2:
            cut = index
    return cut


def _split_header_line(line: str) -> tuple[str | None, str | None]:
    """'By Jack Simpson | 14 June 2014' -> (author, date text); either may be None."""
    parts = [p for p in re.split(r"\s+[|\u2022\u00b7\u2013\u2014-]\s+", line) if p]
    if len(parts) != 2:
        return None, None
    author = _author_in(parts[0])
    found = detect_dateline([parts[1]])
    return (author, parts[1]) if author and found else (None, None)


def read_text_article(
    text: str,
    *,
    origin: str = "",
    fetched_at: datetime | None = None,
    url: str | None = None,
    source: str = "",
    metadata: dict[str, Any] | None = None,
) -> Article:
    """Turn raw article text (as copied off a news page) into an Article.

    The first line is the title; short lines under it are the subtitle, then a
    byline and a dateline if present; captions and repeated lines before the
    body are set aside in metadata; site furniture at the end is cut off
    (kept in metadata["boilerplate"]). Raises ReadError when there is no text.

    Example: read_text_article(Path("story.txt").read_text(), origin="story.txt")
    """
    lines = [_clean(line) for line in normalize_newlines(text).split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise ReadError("no text to read; give the article text, title on the first line")

    # Collapse lines pasted twice in a row, remembering which ones were (captions are).
    paras: list[str] = []
    repeated: list[bool] = []
    for line in lines:
        if paras and line == paras[-1]:
            repeated[-1] = True
        else:
            paras.append(line)
            repeated.append(False)

    meta: dict[str, Any] = dict(metadata or {})
    found_url = url
    if paras and _URL_LINE.fullmatch(paras[0]) and len(paras) > 1:
        found_url = found_url or paras[0]
        paras, repeated = paras[1:], repeated[1:]

    if len(paras[0]) > _LONG_LINE:
        # No headline line: the story starts straight away; its first sentence names it.
        title, start = "", 0
    else:
        title, start = paras[0], 1

    # The header: lines under the title up to the first long (body) line.
    window_end = start
    while window_end < min(len(paras), start + _HEADER_WINDOW) and len(paras[window_end]) <= _LONG_LINE:
        window_end += 1
    header = paras[start:window_end]

    author = ""
    published_raw: str | None = None
    marks: list[int] = []  # header positions of byline and dateline
    dateline = detect_dateline(header, reference=fetched_at)
    if dateline is not None:
        marks.append(dateline[0])
        published_raw = header[dateline[0]]
    for index, line in enumerate(header):
        if dateline is not None and index == dateline[0]:
            continue
        name = _author_in(line)
        near_date = dateline is not None and abs(index - dateline[0]) <= 1
        if name and (near_date or _BY.match(line)):
            author = name
            marks.append(index)
            break
        if dateline is None:
            combined_author, combined_date = _split_header_line(line)
            if combined_author:
                author, published_raw = combined_author, combined_date
                marks.append(index)
                break

    captions: list[str] = []
    subtitle: list[str] = []
    body_start = start
    if marks:
        first_mark, last_mark = min(marks), max(marks)
        for index in range(first_mark):
            line = header[index]
            (captions if _is_caption(line, repeated[start + index]) else subtitle).append(line)
        extra = [header[i] for i in range(first_mark + 1, last_mark) if i not in marks]
        if extra:
            meta["header_lines"] = extra
        body_start = start + last_mark + 1
    # Between the header and the first paragraph: captions, pasted-twice lines
    # and, under a byline or dateline, page furniture ("Shares", "3 min read").
    while body_start < len(paras) - 1:
        line = paras[body_start]
        if _is_caption(line, repeated[body_start]):
            captions.append(line)
        elif marks and (_NOISE.match(line) or (len(line) < 80 and not _SENTENCE_END.search(line))):
            meta.setdefault("header_lines", []).append(line)
        else:
            break
        body_start += 1

    body: list[str] = []
    dropped: list[str] = []
    for index in range(body_start, len(paras)):
        line = paras[index]
        if _NOISE.match(line):
            dropped.append(line)
        elif repeated[index] and len(line) < 250 and not _SENTENCE_END.search(line):
            captions.append(line)
        else:
            body.append(line)
    cut = _tail_start(body)
    tail = body[cut:]
    body = body[:cut]
    while body and _URL_LINE.fullmatch(body[-1]):
        found_url = found_url or body[-1]
        body.pop()
    for line in tail:
        if _URL_LINE.fullmatch(line) and not found_url:
            found_url = line
    if not body:
        # Everything looked like furniture: keep the text rather than lose the article.
        body, dropped, tail = paras[body_start:] or paras, [], []

    if subtitle:
        meta["subtitle"] = " ".join(subtitle)
    if captions:
        meta["captions"] = captions
    if dropped or tail:
        meta["boilerplate"] = dropped + tail

    body_text = "\n\n".join(body)
    missing = None if published_raw is not None else "no date found in the text; put a line like '14 June 2014' under the title"
    return make_article(text=body_text, title=title, url=found_url, source=source, author=author, published_raw=published_raw,
                        date_note=missing, origin=origin, fetched_at=fetched_at, metadata=meta)  # it reads the date
