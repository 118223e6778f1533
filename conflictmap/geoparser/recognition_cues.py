"""The cues recognition reads around each proposed name, by name.

Each proposal is described the way a reader weighs it: the word before ("in",
"President"), the word after ("Post", a surname), capitals, how common the word is in
English, how big the best matching place is, and what the rest of the document says
(the same name used as a person, the countries it names, other places nearby). The
learned model (`recognition.Recognizer`) weighs these cues by name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from conflictmap.distance import between
from conflictmap.geoparser.gazetteer import KIND_RANK, Gazetteer, GazetteerEntry
from conflictmap.geoparser.names import normalize_name
from conflictmap.geoparser.spans import WORD, Span, Tokens, is_cap
from conflictmap.geoparser.wordlists import (
    ARTICLES,
    FUNCTION_WORDS,
    GENERIC,
    NAME_ONLY_HEADS,
    ORG_HEADS,
    PERSON_TITLES,
    PLACE_HEADS,
    PREPOSITIONS,
    SEAT_OF_POWER,
    SPEECH_VERBS,
    STATE_NOUNS,
    MOTION_VERBS,
)

NEAR_KM = 200.0  # "near another place of the story", for recognition

FEATURES: tuple[str, ...] = (
    "bias",
    "multi_token",
    "sent_initial",
    "prev_prep",
    "prev_title",
    "prev_motion",
    "prev_cap",
    "prev_given_name",
    "next_cap",
    "next_org_head",
    "next_place_head",
    "qualified",
    "qualifies",
    "all_caps",
    "kind_country",
    "kind_admin",
    "kind_region",
    "kind_city",
    "kind_landmark",
    "log_pop",
    "zipf",
    "zipf_sq",
    "lower_in_doc",
    "given_name",
    "via_abbrev",
    "via_demonym",
    "possessive",
    "log_candidates",
    "in_org_run",
    "primary_name",
    "doc_support",
    "short",
    "title_line",
    "dict_common",
    "dict_proper",
    "generic",
    "next_said",
    "unknown_word",
    "person_pattern",
    "pop_unknown",
    "near_other",
    "in_named_area",
    "famous_foreign",
    "said_area",
    "next_its",
    "person_in_doc",
    "wordy_small",
    "kind_airport",
)


def describe(tokens: Tokens, spans: Sequence[Span], words: WordStats) -> None:
    """Fill `span.cues` for every span, using the other spans of the document too."""
    text = tokens.text
    lower_words = frozenset(w for w in tokens.words if w.islower())
    span_at = {s.first: s for s in spans}
    lasts = {s.last for s in spans}
    title_end = text.find("\n")
    # what each span's candidate places are, read by several cues below
    known = {id(s): place_facts(s) for s in spans}
    kinds = {k: f.kind for k, f in known.items()}
    for s in spans:
        facts = known[id(s)]
        c = dict(_word_cues(s, words, facts))
        first_word = tokens.words[s.first]
        prev = tokens.words[s.first - 1] if s.first > 0 else ""
        prev_gap = tokens.gap(s.first - 1) if s.first > 0 else ""
        nxt = tokens.words[s.last + 1] if s.last + 1 < len(tokens) else ""
        next_gap = tokens.gap(s.last) if s.last + 1 < len(tokens) else ""
        c["sent_initial"] = float(tokens.sent_initial[s.first])
        low_prev = prev.lower()
        after2 = tokens.words[s.last + 2] if s.last + 2 < len(tokens) else ""
        modifies = next_gap == " " and (nxt.islower() and nxt not in FUNCTION_WORDS
                                        or nxt in ("and", "or") and after2.islower() and after2 not in ARTICLES)
        c["prev_prep"] = float(low_prev in PREPOSITIONS and not prev_gap.strip())
        if not c["prev_prep"] and low_prev == "the" and s.first > 1 and not modifies:
            # "in the Gulf", but not "in the Foley video": there "in" governs the video
            c["prev_prep"] = float(tokens.words[s.first - 2].lower() in PREPOSITIONS)
        c["prev_motion"] = float(low_prev in MOTION_VERBS and prev_gap == " ")
        # "Gen. Allen" but not "...the prime minister. Turkey said": a title's dot is not a full stop
        c["prev_title"] = float(low_prev in PERSON_TITLES and (prev_gap == " " or prev_gap == ". " and not tokens.sent_initial[s.first]))
        prev_cap = bool(prev) and is_cap(prev) and prev_gap == " " and not tokens.sent_initial[s.first]
        c["prev_cap"] = float(prev_cap)
        c["prev_given_name"] = float(prev_cap and words.given_name(prev.lower()))
        next_cap = bool(nxt) and is_cap(nxt) and next_gap == " " and not tokens.sent_initial[s.last + 1]
        c["next_cap"] = float(next_cap)
        c["next_org_head"] = float(next_gap in (" ", "-") and nxt.lower() in ORG_HEADS and is_cap(nxt))
        c["next_name_head"] = float(next_gap in (" ", "-") and nxt.lower() in NAME_ONLY_HEADS and is_cap(nxt))
        c["next_place_head"] = float(next_gap == " " and nxt.lower() in PLACE_HEADS)
        # "Alexandria, Louisiana" / "Mosul, Iraq": a place qualified by a bigger one.
        after = s.last + 1
        c["qualified"] = float(after in span_at and next_gap.strip() == "," and known[id(span_at[after])].bigger)
        if not c["qualified"] and next_gap.strip() == "," and after < len(tokens) and is_cap(nxt):
            # "London, Ont." / "Paris, Tenn.": an abbreviated province or state the gazetteer may not list
            abbr = nxt.lower()
            if 2 <= len(abbr) <= 5 and text[tokens.ends[after] : tokens.ends[after] + 1] == "." and any(
                normalize_name(p.admin1_name).startswith(abbr) for p in s.places if p.kind not in ("country", "admin1")
            ):
                s.qualifier_prefix = abbr
                c["qualified"] = 1.0
        c["qualifies"] = float(prev_gap.strip() == "," and (s.first - 1) in lasts and facts.bigger)
        kind = kinds[id(s)]
        c["lower_in_doc"] = float(s.last == s.first and first_word.lower() in lower_words)
        c["possessive"] = float(next_gap in ("'", "’") and nxt == "s")
        # "Georgia's president", "the Georgia parliament": what only a country has (read by resolution)
        k = s.last + 2 if c["possessive"] else s.last + 1
        c["state_noun"] = float(k < len(tokens) and tokens.gap(k - 1) == " " and tokens.words[k].lower() in STATE_NOUNS)
        c["in_org_run"] = float(_in_org_run(tokens, s))
        c["title_line"] = float(0 <= title_end and s.start < title_end)
        single = s.last == s.first
        # "Jordan said" has a speaker; in "the agency in Geneva said" the speaker is the agency
        c["next_said"] = float(next_gap in (" ", ", ") and nxt.lower() in SPEECH_VERBS and not c["prev_prep"])
        # "Jordan Henderson": a given name followed by another capitalised word
        c["person_pattern"] = float(single and c["given_name"] and next_cap and nxt.lower() not in PLACE_HEADS)
        # "Jordan said", "Washington warned": a country, province or capital speaking for its government
        c["said_area"] = c["next_said"] * float(kind in ("country", "admin1") or facts.capital)
        # "Jordan said its pilots": a body, not a person, is the subject
        # "US officials", "US and allied aircraft": a name used as a modifier speaks of an actor, not a setting
        # (read by resolution, not a recognition weight)
        c["attributive"] = float(modifies and not c["prev_prep"])
        c["next_its"] = float(any(tokens.words[k].lower() == "its" for k in range(s.last + 1, min(len(tokens), s.last + 6))))
        s.cues = c
    # A name written once after a given name or a title ("James Foley", "President Obama")
    # is a person's wherever else the document writes it.
    people = {s.key for s in spans if s.last == s.first and (s.cues["prev_given_name"] or s.cues["prev_title"])}
    # The countries and provinces the document names (demonyms too): a town inside one is likelier a place.
    named_countries = {p.country_code for s in spans if kinds[id(s)] == "country" and not s.cues["attributive"] for p in s.places
                       if (p.kind == "country" or s.via == "demonym") and p.country_code}
    named_admin1 = {(p.country_code, p.admin1_code) for s in spans if s.via != "demonym" and kinds[id(s)] == "admin1"
                    for p in s.places if p.kind == "admin1"}
    for s in spans:
        s.cues["person_in_doc"] = float(s.key in people and not (s.cues["prev_given_name"] or s.cues["prev_title"]))
        s.cues["in_named_area"] = float(s.via != "demonym" and kinds[id(s)] not in ("country", "continent", "region") and any(
            p.country_code in named_countries or (p.country_code, p.admin1_code) in named_admin1 for p in s.places[:30]
            if p.kind not in ("country", "continent", "region")
        ))
    # GazetteerEntry names cluster: a candidate within NEAR_KM of another name's best-known
    # place is likelier a place than a word that happens to match a far-off village.
    tops = [max(s.places, key=lambda p: p.population) if s.via != "demonym" else None for s in spans]
    # 2-degree cells (neighbours cover 200 km), each place once with the first two names
    # that point to it: a long text repeating "Baghdad" costs no more per name than an
    # article, and a name repeated is not its own neighbour
    grid: dict[tuple[int, int], dict[int, tuple[GazetteerEntry, list[str]]]] = {}
    for s, t in zip(spans, tops):
        if t is not None and t.kind not in ("country", "region", "continent"):
            _, owners = grid.setdefault((int(t.lat // 2), int(t.lon // 2)), {}).setdefault(t.geonameid, (t, []))
            if len(owners) < 2 and s.key not in owners:
                owners.append(s.key)
    # a name written again with the same candidates has the same answer: asked once per document
    near: dict[tuple[str, int], float] = {}
    for s in spans:
        if s.via == "demonym":
            s.cues["near_other"] = 0.0
            continue
        seen = (s.key, id(s.places))
        if seen not in near:
            near[seen] = float(_near_other(s, grid))
        s.cues["near_other"] = near[seen]
    # A name used once as a place ("in Jordan") lends support to its other uses.
    support: dict[str, float] = {}
    for s in spans:
        strength = s.cues["prev_prep"] + s.cues["qualified"] + s.cues["qualifies"]
        support[s.key] = max(support.get(s.key, 0.0), strength)
    for s in spans:
        s.cues["doc_support"] = float(support.get(s.key, 0.0) > 0)


def _near_other(s: Span, grid: dict[tuple[int, int], dict[int, tuple[GazetteerEntry, list[str]]]]) -> bool:
    """Does one of the span's first 30 candidates lie within NEAR_KM of another name's best-known place?"""
    for p in s.places[:30]:
        a, b = int(p.lat // 2), int(p.lon // 2)
        for da in (-1, 0, 1):
            for db in (-1, 0, 1):
                cell = grid.get((a + da, b + db))
                if not cell:
                    continue
                for gid, (t, owners) in cell.items():
                    if (owners[0] != s.key or len(owners) > 1) and p.geonameid != gid and between(p, t) < NEAR_KM:
                        return True
    return False


class PlaceFacts(NamedTuple):
    """What a span's candidate places are, whatever the text around them says."""

    kind: str  # of the likeliest place (`_best_kind`)
    population: int  # of the biggest
    airport: bool
    seat: bool  # a curated seat of power
    capital: bool  # a national capital among them
    primary: bool  # one whose display name is the name as written
    bigger: bool  # an area that can qualify a town ("Mosul, Iraq")


_FACTS: dict[tuple[int, str, str], tuple[tuple[GazetteerEntry, ...], PlaceFacts]] = {}
_FACTS_MAX = 100_000


def place_facts(s: Span) -> PlaceFacts:
    """`PlaceFacts` of a span, worked out once per process for each name and candidate list.

    Common names have hundreds of candidates, and every article repeats the same few
    hundred names: reading the list once is most of recognition's saving. The list is
    kept beside its facts, so an id is never mistaken for a later list's.
    """
    key = (id(s.places), s.key, s.via)
    hit = _FACTS.get(key)
    if hit is not None and hit[0] is s.places:
        return hit[1]
    places = s.places
    facts = PlaceFacts(
        kind=_best_kind(s),
        population=max((p.population for p in places), default=0),
        airport=any(p.feature_code in ("AIRP", "AIRF") for p in places),
        seat=any(p.feature_code == SEAT_OF_POWER for p in places),
        capital=any(p.feature_code == "PPLC" for p in places),
        primary=any(p.key == s.key for p in places),
        bigger=_is_bigger(s),
    )
    if len(_FACTS) >= _FACTS_MAX:
        _FACTS.clear()
    _FACTS[key] = (places, facts)
    return facts


_WORD_CUES: dict[tuple[int, str, str, bool], tuple[tuple[GazetteerEntry, ...], dict[str, float]]] = {}


def _word_cues(s: Span, words: WordStats, facts: PlaceFacts) -> dict[str, float]:
    """The cues of the name itself and its candidate places, whatever the text around it says.

    Every article repeats the same few hundred names: these are worked out once per process
    for each surface and candidate list (the list kept beside them, so an id is never
    mistaken for a later list's), and copied into each span's cues.
    """
    single = s.last == s.first
    memo = (id(s.places), s.text, s.via, single)
    hit = _WORD_CUES.get(memo)
    if hit is not None and hit[0] is s.places:
        return hit[1]
    c: dict[str, float] = {"bias": 1.0}
    c["multi_token"] = float(not single)
    first = WORD.match(s.text)  # the span's first token: it starts where the span does
    first_word = first.group() if first else s.text
    c["all_caps"] = float(s.via != "abbrev" and len(first_word) > 1 and s.text.isupper())
    kind = facts.kind
    c["kind_country"] = float(kind == "country")
    c["kind_admin"] = float(kind in ("admin1", "admin2"))
    c["kind_region"] = float(kind in ("region", "continent"))
    c["kind_city"] = float(kind == "city")
    # seats of power are judged by their own rule; the cue is about dams, bases, mountains
    airport = kind == "landmark" and facts.airport
    c["kind_landmark"] = float(kind == "landmark" and not airport and not facts.seat)
    # airports apart: the dev corpora annotate them as little as news maps need them
    c["kind_airport"] = float(airport)
    c["log_pop"] = math.log10(1 + facts.population) / 7.0
    # "US" in capitals is not the pronoun: word frequency only speaks for ordinary capitalised words
    z = words.zipf(s.key) / 8.0 if single and s.via != "abbrev" and not s.text.isupper() else 0.0
    c["zipf"] = z
    c["zipf_sq"] = z * z
    c["given_name"] = float(single and words.given_name(s.key))
    c["via_abbrev"] = float(s.via == "abbrev")
    c["via_demonym"] = float(s.via == "demonym")
    c["log_candidates"] = math.log(1 + len(s.places)) / 3.0
    c["primary_name"] = float(facts.primary)
    c["short"] = float(len(s.key) <= 3)
    c["dict_common"] = float(single and words.common(s.key))
    c["dict_proper"] = float(single and words.proper(s.key))
    c["generic"] = float(single and s.key in GENERIC)
    # a capitalised word English does not know at all is usually a foreign name
    c["unknown_word"] = float(single and words.dictionary(s.key) is None)
    # GeoNames leaves many towns' population at 0: unknown, not tiny
    c["pop_unknown"] = float(facts.population == 0)
    # a foreign name English does not know as a word yet writes often: a place in the news
    c["famous_foreign"] = c["unknown_word"] * c["primary_name"] * z
    # written far more often than a town of its size would be: mostly something else (a surname)
    c["wordy_small"] = max(0.0, z * 8 - math.log10(1 + facts.population) + 1) / 3 if single else 0.0
    if len(_WORD_CUES) >= _FACTS_MAX:
        _WORD_CUES.clear()
    _WORD_CUES[memo] = (s.places, c)
    return c


def _best_kind(s: Span) -> str:
    if s.via == "demonym":
        return "country"
    best = max(s.places, key=lambda p: (KIND_RANK.get(p.kind, 0), p.population))
    return best.kind


def _is_bigger(s: Span) -> bool:
    return any(p.kind in ("country", "admin1", "admin2", "region", "continent") for p in s.places)


def _in_org_run(tokens: Tokens, s: Span) -> bool:
    """Is the span inside a longer proper name, e.g. 'Islamic State in Iraq', 'Bank of America'?

    True when a capitalised word that is not sentence-initial stands right before
    the span, joined by 'of'/'in'/'for'/'and' (+ optional 'the').
    """
    k = s.first - 1
    if k < 1:
        return False
    if tokens.words[k].lower() == "the":
        k -= 1
    if k < 1 or tokens.words[k].lower() not in ("of", "in", "for", "and"):
        return False
    head = k - 1
    word = tokens.words[head]
    return is_cap(word) and tokens.gap(head) == " " and word.lower() not in PREPOSITIONS


class WordStats:
    """How common a word is in English, whether it is an ordinary word, and whether it is a given name.

    Frequencies come from wordfreq; the dictionary and given names are tables of
    the gazetteer (built from Debian's word list and gender-guesser). Each answer
    is looked up once per process.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._gaz = gazetteer
        self._zipf = None

    @lru_cache(maxsize=200_000)  # noqa: B019 - one WordStats per process
    def zipf(self, word: str) -> float:
        if self._zipf is None:
            try:
                from wordfreq import zipf_frequency

                self._zipf = zipf_frequency
            except ImportError:
                self._zipf = lambda w, lang: 0.0
        return float(self._zipf(word, "en"))

    def dictionary(self, word: str) -> int | None:
        """1 if an ordinary English word, 0 if listed only as a proper noun, None if the dictionary lacks it."""
        return self._gaz.word(word)

    def common(self, word: str) -> bool:
        """An ordinary English word ('baker', 'mobile'): the dictionary lists it in lower case."""
        return self._gaz.word(word) == 1

    def proper(self, word: str) -> bool:
        """Listed only as a proper noun ('Chicago')."""
        return self._gaz.word(word) == 0

    def given_name(self, word: str) -> bool:
        return self._gaz.given_name(word)

