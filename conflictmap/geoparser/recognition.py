"""Recognition: find the spans of a text that name places.

Two steps, both pure functions of the text and the gazetteer:
1. `Recognizer.spans()` proposes every capitalised word run whose folded form is a
   gazetteer name, abbreviation or demonym (longest match wins).
2. `recognition_cues.describe()` gives each proposal its named cues, which a small
   logistic model (`model/recognizer.json`, learned by `scripts/train_recognizer.py`
   with cross-validation) weighs; a few rules sit outside the model (`_judge`).
The word lists live in `wordlists.py`, the token and span records in `spans.py`.
"""

from __future__ import annotations

import json
import math
from itertools import repeat
from operator import mul
from collections.abc import Sequence
from pathlib import Path

from conflictmap.distance import between
from conflictmap.geoparser.gazetteer import Gazetteer, GazetteerEntry
from conflictmap.geoparser.names import normalize_name
from conflictmap.geoparser.place_slots import (
    AIRPORT_CODES,
    family_names,
    SLOT_SCORE,
    island_or_town,
    lift_list_members,
    mark_slots,
    only_airports,
    unknown_place_name,
)
from conflictmap.geoparser.recognition_cues import FEATURES, WordStats, describe
from conflictmap.geoparser.spans import Span, Tokens, is_cap, tokenize
from conflictmap.geoparser.wordlists import (
    AREA_WORDS,
    ARTICLE_PREFIXES,
    AVIATION,
    AVIATION_WINDOW,
    BODIES,
    CONNECTORS,
    JOINERS,
    MONTHS,
    NAME_ONLY_WITH,
    NATURAL_FEATURES,
    PREPOSITIONS,
    SEAT_OF_POWER,
)

MODEL_PATH = Path(__file__).resolve().parent / "model" / "recognizer.json"
MAX_TOKENS = 6
CONTRACTIONS = frozenset("s t d ll re ve m".split())  # what follows an apostrophe in English words

class Recognizer:
    """Proposes and scores place spans; the gazetteer and the cue weights are its only state."""

    def __init__(self, gazetteer: Gazetteer, model: dict | None = None, *, words: WordStats | None = None) -> None:
        self.gaz = gazetteer
        self.model = model if model is not None else load_model()
        self.weights = [float(self.model.get("weights", {}).get(name, 0.0)) for name in FEATURES]
        self._names_used = [name for name, w in zip(FEATURES, self.weights) if w]
        self._weights_used = [w for w in self.weights if w]
        self.threshold = float(self.model.get("threshold", 0.5))
        self.words = words or WordStats(gazetteer)

    # -- step 1: proposals ---------------------------------------------------------------

    def spans(self, tokens: Tokens) -> list[Span]:
        out: list[Span] = []
        n = len(tokens)
        words = tokens.words
        i = 0
        while i < n:
            word = words[i]
            # most words are lower case and start nothing (the test inlined: it runs on every word)
            if not word[0].isupper() and (word not in ARTICLE_PREFIXES or not self._may_start(tokens, i, word)):
                i += 1
                continue
            found = self._longest(tokens, i)
            if found is None:
                i += 1
                continue
            out.append(found)
            i = found.last + 1
        return out

    def _may_start(self, tokens: Tokens, i: int, word: str) -> bool:
        if is_cap(word):
            return True
        return word in ARTICLE_PREFIXES and i + 1 < len(tokens) and tokens.gap(i) == "-" and is_cap(tokens.words[i + 1])

    def _longest(self, tokens: Tokens, i: int) -> Span | None:
        n = len(tokens)
        last = i
        ends = [i]
        while last + 1 < n and len(ends) < MAX_TOKENS:
            gap = tokens.gap(last)
            if gap not in JOINERS or (gap == ". " and len(tokens.words[last]) > 3):
                break
            nxt = tokens.words[last + 1]
            if gap in ("'", "’") and nxt == "s" and last + 2 < n and tokens.gap(last + 1) == " " and is_cap(tokens.words[last + 2]):
                last += 1  # "Cox's Bazar", "St John's Wood": the longer name is tried first, then "Iraq" of "Iraq's Mosul"
                continue
            # "Sa'dah", "Ma'rib", "Sana'a": an apostrophe inside a romanised name, not "Iraq's"
            inside = gap in ("'", "’") and nxt.islower() and nxt not in CONTRACTIONS
            if not (is_cap(nxt) or nxt in CONNECTORS or nxt in ARTICLE_PREFIXES or inside):
                break
            last += 1
            if is_cap(nxt) or inside:
                ends.append(last)
        text = tokens.text
        for j in reversed(ends):
            surface = text[tokens.starts[i] : tokens.ends[j]]
            key = normalize_name(surface)
            if not key or key.isdigit():
                continue
            demonym = self.gaz.demonym(key)
            places = self.gaz.candidates(key)
            end = tokens.ends[j]
            dotted = text[end : end + 1] == "."
            abbrev = self.gaz.abbreviation(key) if (surface.isupper() or dotted) else ()
            # "Saudi aircraft": a name that is also a nationality, used as an adjective
            adjective = demonym is not None and j + 1 < len(tokens) and tokens.gap(j) == " " and tokens.words[j + 1].islower()
            if demonym is not None and (adjective or not places) and not abbrev:
                return self._span(tokens, i, j, surface, key, (demonym,), "demonym", demonym)
            if j + 1 < len(tokens) and tokens.gap(j) == " ":
                # "Aleppo province", "Kurdistan Regional Government": the kind of area written
                # after the name (or its adjective) says which namesake is meant; "Ben Gurion
                # airport": the gazetteer may know the name only with its kind word.
                after = tokens.words[j + 1].lower()
                noun = AREA_WORDS.get(after) if places else AREA_WORDS.get(after) or NAME_ONLY_WITH.get(after)
                area = self.gaz.candidates(key + " " + noun) if noun else ()
                if area:
                    found = self._span(tokens, i, j, text[tokens.starts[i] : tokens.ends[j]], key, area, "name", None)
                    found.area_word = True
                    return found
            if places or abbrev:
                # "U.S." and "Ky." keep their final dot so the span reads as written.
                if dotted and (abbrev or len(tokens.words[j]) == 1 and tokens.gap(j - 1) not in ("'", "’")):
                    end += 1
                via = "abbrev" if abbrev and not (places and surface.istitle()) else "name"
                # (the gazetteer's own tuple when there is no abbreviation: the same name then shares
                # one candidate list, and the cues read per list are read once)
                merged = abbrev + tuple(p for p in places if p not in abbrev) if abbrev else places
                return self._span(tokens, i, j, text[tokens.starts[i] : end], key, merged, via, None)
        return None

    def _span(self, tokens: Tokens, i: int, j: int, surface: str, key: str, places: tuple[GazetteerEntry, ...], via: str, demonym: GazetteerEntry | None) -> Span:
        start = tokens.starts[i]
        return Span(start, start + len(surface), surface, key, i, j, places, via, demonym)

    # -- step 2: cues ---------------------------------------------------------------------

    def features(self, tokens: Tokens, spans: Sequence[Span]) -> None:
        """Fill `span.cues` for every span, using the other spans of the document too."""
        describe(tokens, spans, self.words)

    def vector(self, span: Span) -> list[float]:
        return [span.cues.get(name, 0.0) for name in FEATURES]

    def probability(self, span: Span) -> float:
        # cues with no weight add nothing: only the weighted ones are read
        z = sum(map(mul, self._weights_used, map(span.cues.get, self._names_used, repeat(0.0))))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def recognize(self, text: str, tokens: Tokens | None = None, *, outlet_end: int = 0,
                  dateline: tuple[int, int] | None = None) -> list[Span]:
        """Spans judged to be places, each with `score` = the model's probability.

        `outlet_end`: the text starts with the outlet's name this long (context only);
        `dateline`: where the text's dateline place sits, (start, end) offsets.
        """
        tokens = tokens or tokenize(text)
        spans = self.spans(tokens)
        self.features(tokens, spans)
        family = family_names(tokens.text)
        mark_slots(tokens, spans, family)
        for s in spans:
            s.cues["dateline"] = float(bool(dateline) and dateline[0] <= s.start < dateline[1])
            s.score = self._judge(tokens, s, outlet_end, family)
        lift_list_members(tokens, spans, self.threshold, outlet_end)
        return [s for s in spans if s.score >= self.threshold]

    def _judge(self, tokens: Tokens, s: Span, outlet_end: int, family: frozenset[str] = frozenset()) -> float:
        """The model's probability, inside the few rules that sit outside it (each says why)."""
        c = s.cues
        if s.start < outlet_end:
            # The outlet's name ("Hamilton Spectator") is read for its town, never by sentence cues.
            return 0.9 if any(p.kind in ("city", "admin1", "admin2") and p.population >= 1000 for p in s.places) and not c["dict_common"] else 0.0
        if s.via == "demonym":
            # An adjective of nationality is unambiguous once found; whether it counts
            # as a mention is the user's choice (the `demonyms` option), not the model's.
            return 0.9 if not c["prev_title"] else 0.0
        if c["next_name_head"]:
            # The rule for names inside organisations: a place name that only brands a
            # paper, company or club ("the Washington Post", "Dallas Cowboys") is not a
            # place; one that says where a body works ("Gainesville Police") names the place.
            return 0.0
        if s.area_word:
            # "Kurdistan Regional Government": the body is named for the area it governs
            return max(self.probability(s), 0.9)
        if _date_word(tokens, s) or _names_a_party(tokens, s) or c["generic"] and _before_lower_word(tokens, s):
            # "in March 2013" is a date; "the Dawa party" a political body; "Western governments" an adjective
            return 0.0
        if _arabic_name_tail(tokens, s) or s.first == s.last and s.text in family:
            # "Moqtada al-Sadr", "Nouri al-Maliki": the family part of a person's name, and that
            # name alone wherever else the text writes it ("Late on Sunday, Maliki had accused...")
            return 0.0
        if c["dateline"]:
            # "WASHINGTON (AP) —": a dateline names where the story was filed, by convention.
            return 0.95
        if self._acronym(tokens, s):
            # "the NATO summit": capitals in mixed-case text spell an acronym, and a town
            # that happens to share it (Nato, the Philippines) is not what the writer meant.
            return 0.0
        p = self.probability(s)
        if c["said_area"] and not (c["given_name"] or c["prev_title"] or c["prev_given_name"]) and _big_capital(s):
            # "Kyiv said", "Ankara warned": a large capital that speaks is its government (issue 11 item 1);
            # the dev corpora's local news has too few of them for the model to learn it
            return max(p, 0.9)
        in_slot = bool(c.get("slot")) and unknown_place_name(s)
        if any(q.feature_code in AIRPORT_CODES for q in s.places) and _aviation(tokens, s):
            # "flights at Heathrow", "landed at Dulles": beside words of air travel a name an airport
            # answers to is the airport; the dev corpora annotate airports too rarely to learn it
            # (resolution reads the same cue to prefer the airport to a namesake town)
            c["aviation"] = 1.0
            # ...unless it reads as a person's surname ("John Foster Dulles flew"): a capitalised
            # word before it that is not itself a place ("London Heathrow" is two places)
            person = c["prev_title"] or c["prev_given_name"] or (c["prev_cap"] and not _after_place(tokens, s, self.gaz))
            if not person:
                return max(p, 0.9)
        if only_airports(s):
            # "Copernicus", "Harbour", "Stinson": a bare name the gazetteer knows only as an
            # airport's needs strong evidence: a place slot, and a name English does not use otherwise
            return max(p, SLOT_SCORE) if in_slot else 0.0
        if in_slot and island_or_town(s):
            # "near Gao", "reached Lesbos", "Sinjar was surrounded": grammar leaves room only for a
            # place, and the dev corpora hold too few foreign towns for the model to learn them
            return max(p, SLOT_SCORE)
        if tokens.words[s.first - 1].lower() == "the" if s.first else False:
            if any(q.feature_code in NATURAL_FEATURES for q in s.places) and not c["prev_title"]:
                # "the Tigris", "the Aegean", "the Alps": English names a river, sea or range with
                # "the", and the dev corpora hold too few of them for the model to learn it
                return max(p, 0.9)
        if any(q.feature_code == SEAT_OF_POWER for q in s.places) and not (c["prev_title"] or c["prev_given_name"]):
            # "the White House", "the Kremlin": seats of power (curated) are named for what they are.
            return max(p, 0.9)
        return p

    def _acronym(self, tokens: Tokens, s: Span) -> bool:
        if s.via != "name" or s.last != s.first or not s.text.isupper() or len(s.text) < 2:
            return False
        if any(p.kind in ("country", "admin1", "continent", "region") for p in s.places):
            return False
        # a headline or a line written all in capitals says nothing about this word (the
        # line's first 200 characters either side tell)
        text = tokens.text
        line_start = max(text.rfind("\n", 0, s.start) + 1, s.start - 200)
        line_end = text.find("\n", s.end, s.end + 200)
        letters = [ch for ch in text[line_start : line_end if line_end >= 0 else s.end + 200] if ch.isalpha()]
        return sum(ch.isupper() for ch in letters) < 0.6 * len(letters)





def _big_capital(s: Span) -> bool:
    """Is one of the span's places a national capital of a million people or more?"""
    return any(q.feature_code == "PPLC" and q.population >= 1_000_000 for q in s.places)


def _aviation(tokens: Tokens, s: Span) -> bool:
    """Is a word of air travel within AVIATION_WINDOW tokens of the span, in its own sentence?"""
    words, starts = tokens.words, tokens.sent_initial
    lo = s.first
    while lo > 0 and s.first - lo < AVIATION_WINDOW and not starts[lo]:
        lo -= 1
    hi = s.last + 1
    while hi < len(words) and hi - s.last <= AVIATION_WINDOW and not starts[hi]:
        hi += 1
    return any(words[k].lower() in AVIATION for k in range(lo, hi) if not s.first <= k <= s.last)


def _after_place(tokens: Tokens, s: Span, gaz: Gazetteer) -> bool:
    """Is the word before the span (less a possessive "'s") a place beside the span's airport?

    "London Heathrow", "Chicago's O'Hare": the city names where the airport is. "John Foster
    Dulles": no Foster lies near the airport, so the capital before it is a person's name.
    """
    if s.first == 0:
        return False
    before = tokens.words[s.first - 1]
    for tail in ("'s", "’s"):
        before = before.removesuffix(tail)
    airports = [p for p in s.places if p.feature_code in AIRPORT_CODES]
    return any(between(p, q) < 100 for q in gaz.candidates(normalize_name(before))[:50] for p in airports) if before else False


def _date_word(tokens: Tokens, s: Span) -> bool:
    """A month name beside a number ("March 2013", "10 June", "June 12") is a date."""
    if s.last != s.first or s.key not in MONTHS:
        return False
    before = tokens.words[s.first - 1] if s.first > 0 else ""
    after = tokens.words[s.last + 1] if s.last + 1 < len(tokens) else ""
    return before.isdigit() or after.isdigit()


def _before_lower_word(tokens: Tokens, s: Span) -> bool:
    k = s.last + 1
    return k < len(tokens) and tokens.gap(s.last) == " " and tokens.words[k].islower()


def _names_a_party(tokens: Tokens, s: Span) -> bool:
    """'the Dawa party', 'the Baath movement': a capitalised name before a lower-case word for a political body."""
    return _before_lower_word(tokens, s) and tokens.words[s.last + 1] in BODIES


def _arabic_name_tail(tokens: Tokens, s: Span) -> bool:
    """Is the span the 'al-X' part of a personal name, right after a capitalised given name?"""
    k = s.first
    if tokens.words[k].lower() in ARTICLE_PREFIXES and k + 1 <= s.last and tokens.gap(k) == "-":
        article = k  # the span itself starts "al-"
    elif k >= 1 and tokens.words[k - 1].lower() in ARTICLE_PREFIXES and tokens.gap(k - 1) == "-":
        article = k - 1
    else:
        return False
    if article < 1 or tokens.gap(article - 1) != " ":
        return False
    before = tokens.words[article - 1]
    return is_cap(before) and before.lower() not in CONNECTORS and before.lower() not in PREPOSITIONS




def load_model(path: Path = MODEL_PATH) -> dict:
    """The learned cue weights; a neutral hand-set fallback keeps the parser usable before training."""
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"weights": FALLBACK_WEIGHTS, "threshold": 0.5, "trained_on": "hand-set fallback"}


FALLBACK_WEIGHTS = {
    "bias": 0.5,
    "sent_initial": -0.5,
    "prev_prep": 2.0,
    "prev_title": -4.0,
    "prev_cap": -2.0,
    "prev_given_name": -2.0,
    "next_cap": -2.0,
    "next_org_head": -3.0,
    "qualified": 2.0,
    "qualifies": 2.0,
    "all_caps": -1.5,
    "kind_country": 2.0,
    "kind_admin": 1.0,
    "log_pop": 2.0,
    "zipf": -6.0,
    "lower_in_doc": -2.0,
    "given_name": -1.0,
    "via_demonym": 1.0,
    "in_org_run": -3.0,
    "doc_support": 1.0,
}
