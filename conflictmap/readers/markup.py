"""Markup formats: saved HTML pages, RSS/Atom feeds and XML article collections.

Here markup *is* the format, so it is parsed and reduced to text; scripts and
styles never reach an article. trafilatura and feedparser are imported inside
the functions that need them so reading plain text never pays for them, and
neither is ever given a URL to fetch: they only see bytes we already hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from conflictmap.articles import Article
from conflictmap.errors import ReadError
from conflictmap.readers.base import ReadFailure, host_of, make_article, primary_language
from conflictmap.readers.records import ALIASES, record_to_article

_DROP_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe",
              "svg", "button", "select", "figure", "figcaption")
_BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "td", "th")
_META_DATE_NAMES = ("article:published_time", "og:published_time", "pubdate", "publishdate", "publish-date",
                    "publish_date", "date", "dc.date", "dc.date.issued", "dcterms.created", "dcterms.issued",
                    "sailthru.date", "parsely-pub-date", "article.published", "datepublished", "og:updated_time",
                    "article:modified_time")
_META_AUTHOR_NAMES = ("author", "article:author", "byl", "sailthru.author", "parsely-author", "dc.creator")
_FEED_ROOTS = ("rss", "feed", "rdf")
_TEXT_KEYS = set(ALIASES["text"]) | set(ALIASES["summary"])


def _lxml_html(markup: str | bytes) -> Any:
    import lxml.html

    if isinstance(markup, str):
        # lxml refuses text that declares its own encoding; the text is decoded already.
        markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    return lxml.html.document_fromstring(markup)


def _meta(tree: Any) -> dict[str, str]:
    """All <meta> name/property -> content, lower-cased keys, first one wins."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        value = (element.get("content") or "").strip()
        if key and value:
            found.setdefault(key, value)
    return found


def _json_ld(tree: Any) -> dict[str, Any]:
    """The first schema.org NewsArticle-like object in the page's JSON-LD, if any."""
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):
            continue
        queue = data if isinstance(data, list) else [data]
        while queue:
            item = queue.pop(0)
            if not isinstance(item, dict):
                continue
            if "@graph" in item and isinstance(item["@graph"], list):
                queue.extend(item["@graph"])
            if any(key in item for key in ("datePublished", "headline", "articleBody")):
                return item
    return {}


def _ld_name(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(name for name in (_ld_name(v) for v in value) if name)
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return str(value or "")


def _first_text(tree: Any, xpath: str) -> str:
    for element in tree.xpath(xpath):
        text = element if isinstance(element, str) else element.text_content()
        text = " ".join(str(text).split())
        if text:
            return text
    return ""


def _lxml_text(tree: Any) -> str:
    """Fallback extraction: the paragraphs of <article>, <main> or <body>, furniture removed."""
    for element in list(tree.iter(*_DROP_TAGS)):
        element.drop_tree()
    containers = tree.xpath("//article") or tree.xpath("//main") or tree.xpath("//body") or [tree]
    container = max(containers, key=lambda el: len(el.text_content()))
    blocks = [" ".join(el.text_content().split()) for el in container.iter(*_BLOCK_TAGS)]
    blocks = [block for block in blocks if block]
    if not blocks:
        blocks = [" ".join(line.split()) for line in container.text_content().splitlines()]
    # Nested blocks (a <p> inside an <li>) repeat text; keep the first copy.
    seen: set[str] = set()
    return "\n\n".join(b for b in blocks if b and not (b in seen or seen.add(b)))


def _trafilatura_text(markup: str | bytes) -> str:
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a dependency
        return ""
    try:
        text = trafilatura.extract(markup, include_comments=False, include_tables=False, include_images=False,
                                   deduplicate=False, with_metadata=False)
    except Exception:  # trafilatura fails in assorted ways on broken pages; fall back to lxml
        return ""
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    return "\n\n".join(line for line in lines if line)


def _drop_repeated_header(text: str, title: str, author: str) -> str:
    """Remove the headline and byline that page extraction repeats at the top of the text."""
    paragraphs = text.split("\n\n")
    seen = {" ".join(title.lower().split())}
    if author:
        seen |= {author.lower(), f"by {author.lower()}"}
    while len(paragraphs) > 1 and " ".join(paragraphs[0].lower().split()) in seen:
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


def read_html_article(
    markup: str | bytes,
    *,
    origin: str = "",
    url: str | None = None,
    fetched_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
) -> Article:
    """An Article from a saved news page: main text plus title, site, author, date, canonical URL, language.

    Raises ReadError when the page has no readable text (an index page, an
    empty shell filled by JavaScript).
    """
    from lxml.etree import LxmlError

    try:
        tree = _lxml_html(markup)
    except (ValueError, TypeError, LxmlError) as exc:  # "Document is empty" for a page of only a comment
        raise ReadError(f"not readable HTML ({exc}); save the page again as HTML") from exc
    meta = _meta(tree)
    ld = _json_ld(tree)
    title = (meta.get("og:title") or meta.get("twitter:title") or str(ld.get("headline") or "")
             or _first_text(tree, "//h1") or _first_text(tree, "//title"))
    canonical = (_first_text(tree, "//link[@rel='canonical']/@href") or meta.get("og:url") or url)
    published_raw = next((meta[name] for name in _META_DATE_NAMES if name in meta), None)
    published_raw = (published_raw or str(ld.get("datePublished") or "")
                     or _first_text(tree, "//time[@pubdate]/@datetime | //*[@itemprop='datePublished']/@datetime")
                     or _first_text(tree, "//time/@datetime") or None)
    author = next((meta[name] for name in _META_AUTHOR_NAMES
                   if name in meta and not meta[name].startswith("http")), "")
    author = re.sub(r"^by\s+", "", author or _ld_name(ld.get("author"))
                    or _first_text(tree, "//*[@rel='author'] | //*[@itemprop='author']"), flags=re.I)
    source = (meta.get("og:site_name") or meta.get("application-name") or _ld_name(ld.get("publisher"))
              or host_of(canonical))
    language = primary_language(tree.get("lang") or tree.get("xml:lang") or meta.get("content-language")
                                or meta.get("og:locale"))
    # Text last: the lxml fallback prunes the tree the metadata was read from.
    text = _drop_repeated_header(_trafilatura_text(markup) or _lxml_text(tree), title, author)
    if not text.strip():
        raise ReadError("no article text found in the HTML; save the article page itself, "
                        "or copy its text into a .txt file")
    extra = dict(metadata or {})
    description = meta.get("og:description") or meta.get("description")
    if description:
        extra["description"] = description
    return make_article(text=text, title=title, url=canonical, source=source, author=author, published_raw=published_raw,
                        language=language, origin=origin, fetched_at=fetched_at, metadata=extra)  # it reads the date


def html_fragment_text(fragment: str) -> str:
    """Text of an HTML snippet (a feed item's content), scripts and styles removed."""
    if "<" not in fragment:
        return fragment.strip()
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, TypeError):
        return fragment.strip()
    for element in list(root.iter("script", "style", "noscript", "template")):
        element.drop_tree()
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    for element in root.iter(*_BLOCK_TAGS, "div"):
        element.tail = "\n\n" + (element.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().split("\n\n")]
    return "\n\n".join(line for line in lines if line)


def root_tag(head: str) -> str:
    """The local name of the first element in an XML text ('rss', 'feed', 'articles')."""
    match = re.search(r"<(?![?!])([\w:.-]+)", head)
    return match.group(1).split(":")[-1].lower() if match else ""


def read_feed(data: bytes, *, origin: str, fetched_at: datetime | None = None,
              metadata: dict[str, Any] | None = None) -> Iterator[Article | ReadFailure]:
    """Articles from an RSS or Atom feed (bytes in hand; nothing is fetched)."""
    import feedparser

    parsed = feedparser.parse(data, resolve_relative_uris=False, sanitize_html=True)
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({str(problem).splitlines()[0][:120]})" if problem else ""
        yield ReadFailure(origin, f"no feed items found{detail}; give an RSS or Atom feed with <item>/<entry> elements")
        return
    feed_title = parsed.feed.get("title", "")
    for number, entry in enumerate(parsed.entries, 1):
        here = f"{origin}:item {number}"
        contents = entry.get("content") or []
        body = max((c.get("value", "") for c in contents), key=len, default="")
        summary_only = not body.strip()
        text = html_fragment_text(body or entry.get("summary", "") or "")
        if not text:
            yield ReadFailure(here, f"item {number}: no text or summary; the feed carries titles only, "
                              "so read the linked pages instead")
            continue
        extra = dict(metadata or {})
        if summary_only:
            extra["text_is_summary"] = True
        if entry.get("tags"):
            extra["tags"] = [tag.get("term") for tag in entry["tags"] if tag.get("term")]
        if entry.get("id"):
            extra["source_id"] = entry["id"]
        raw_date = entry.get("published") or entry.get("updated") or entry.get("created")
        yield make_article(
            text=text,
            title=html_fragment_text(entry.get("title", "")),
            url=entry.get("link"),
            source=feed_title,
            author=(entry.get("author_detail") or {}).get("name") or entry.get("author", ""),
            published_raw=raw_date,
            language=primary_language(entry.get("language") or parsed.feed.get("language")),
            origin=here,
            fetched_at=fetched_at,
            metadata=extra,
        )


def _leaf_record(element: Any) -> dict[str, Any]:
    """Attributes and leaf children of one XML record as a flat dict."""
    record: dict[str, Any] = {}
    for name, value in element.attrib.items():
        record[name.split("}")[-1]] = value
    for child in element:
        if not isinstance(child.tag, str) or len(child):
            continue  # comments, and nested structures such as annotations
        name = child.tag.split("}")[-1]
        value = (child.text or "").strip()
        if name in record and value:
            existing = record[name]
            record[name] = (existing if isinstance(existing, list) else [existing]) + [value]
        elif value:
            record[name] = value
    return record


def read_xml(data: bytes, *, origin: str, fetched_at: datetime | None = None,
             metadata: dict[str, Any] | None = None) -> Iterator[Article | ReadFailure]:
    """Articles from XML: a feed, or a collection of <article>-like elements with a <text> child."""
    head = data[:4096].decode("utf-8", "replace")
    if root_tag(head) in _FEED_ROOTS:
        yield from read_feed(data, origin=origin, fetched_at=fetched_at, metadata=metadata)
        return
    from lxml import etree

    # No entities, no network, no huge trees: the file is untrusted input.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        yield ReadFailure(origin, f"not well-formed XML ({exc}); fix the file or give it as JSON or CSV")
        return
    candidates = [el for el in root if isinstance(el.tag, str)]
    records = [el for el in candidates
               if any(isinstance(c.tag, str) and c.tag.split("}")[-1].lower() in _TEXT_KEYS for c in el)]
    if not records and any(isinstance(c.tag, str) and c.tag.split("}")[-1].lower() in _TEXT_KEYS for c in root):
        records = [root]
    if not records:
        yield ReadFailure(origin, "no articles found in the XML; give an RSS/Atom feed or one <article> "
                          "element per article with a <text> child")
        return
    for element in records:
        where = f"line {element.sourceline}"
        yield record_to_article(_leaf_record(element), origin=f"{origin}:{where}", where=where,
                                fetched_at=fetched_at, metadata=metadata)
