"""Recognition: find the spans of a text that name places.

Two steps, both pure functions of the text and the gazetteer:
1. `spans()` proposes every capitalised word run whose folded form is a
   gazetteer name, abbreviation or demonym (longest match wins).
2. `features()` describes each proposal by cues a reader uses: the word before
   ("in", "President"), the word after ("Post", a surname), capitals, how common
   the word is in English, how big the best matching place is.
A small logistic model (`model/recognizer.json`, learned by
`scripts/train_recognizer.py` with cross-validation) weighs the cues.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from conflictmap.geoparser.distance import between
from conflictmap.geoparser.gazetteer import KIND_RANK, Gazetteer, GazetteerEntry
from conflictmap.geoparser.names import normalize_name
from conflictmap.geoparser.sentences import sentences

# Feature code of the curated seats of power (geodata/curated/seats_of_power.csv): GeoNames'
# "administrative facility", which the gazetteer holds for nothing else.
SEAT_OF_POWER = "ADMF"
# GeoNames feature codes of rivers, seas, lakes, straits, islands, ranges and valleys.
NATURAL_FEATURES = frozenset("STM STMS SEA GULF BAY LK LKS OCN STRT CHN ISL ISLS MTS VAL".split())
NEAR_KM = 200.0  # "near another place of the story", for recognition
MODEL_PATH = Path(__file__).resolve().parent / "model" / "recognizer.json"
MAX_TOKENS = 6

_TOKEN = re.compile(r"[^\W_]+")
# What may stand between two words of one name: "New York", "Tal-Afar", "U.S.", "St. Louis".
_JOINERS = {" ", "-", ".", "'", "’", "‘", "‐", "–", ". ", ".-", " - "}
CONNECTORS = frozenset(
    "of the de del della di da do dos das du des la le les el al ad ar as ash az en et y upon on sur am an der den van von bin ibn and i".split()
)
# A lowercase article glued to the next word by a hyphen: "al-Qaim", "as-Sukhnah", and its
# French-style spellings: "Deir ez-Zor", "Ras el-Ain", "Jisr esh-Shughur".
_ARTICLE_PREFIXES = frozenset("al el ad ar as ash az an at ath ul ez es ed er et en esh eth".split())
PREPOSITIONS = frozenset(
    "in at on from near to into across outside inside around throughout toward towards via between within through"
    " onto over under beyond along against".split()
)
# Verbs that take a place as their object in news: "reached Falluja", "seized Mosul".
MOTION_VERBS = frozenset(
    "reached entered fled left visited attacked seized captured took stormed shelled bombed struck hit besieged surrounded"
    " retook recaptured liberated evacuated invaded occupied raided toured flew drove travelled traveled returned moved"
    " arrived leaving reaching entering fleeing visiting attacking seizing capturing".split()
)
PERSON_TITLES = frozenset(
    "president mr mrs ms miss dr sen senator gov governor rep representative minister premier king queen prince princess"
    " sheikh sheik ayatollah imam pope cardinal bishop rev reverend father coach judge justice officer sgt sergeant lt"
    " lieutenant capt captain col colonel gen general maj major cpl corporal pvt deputy sheriff mayor chairman chief"
    " secretary ambassador commissioner councilman councilwoman superintendent professor prof st saint lord lady sir"
    " dame uncle aunt brother sister mother mr. mrs. dr. gov. sen. rep. gen. col. lt. capt. sgt. pres. mme mlle herr"
    " emir caliph spokesman spokeswoman actor actress singer player striker midfielder defender goalkeeper author".split()
)
ORG_HEADS = frozenset(
    "post times tribune herald journal news gazette chronicle telegraph guardian independent observer examiner star"
    " daily weekly magazine press radio tv television network university college school academy institute hospital"
    " clinic center centre church mosque cathedral council department dept police fire sheriff bank corp corporation"
    " inc co company ltd llc group party club fc united city's airlines airways railway railroad motors energy oil"
    " petroleum gas foundation association society union league federation committee commission authority board"
    " agency bureau ministry office court senate assembly parliament congress army navy force forces guard regiment"
    " brigade division battalion state's stadium arena hotel mall restaurant street st avenue ave road rd boulevard"
    " blvd highway hwy drive lane square park memorial bridge tunnel airport station terminal tower building hall"
    " house palace museum library gallery theater theatre zoo studios records cup open games olympics summit accord"
    " agreement treaty declaration conference convention prize award festival fair show series marathon trophy"
    " senators rangers kings jets giants nationals capitals wizards hawks bulls bears lions tigers".split()
)
# Words that name a direction or a kind of area: "Central", "North" alone are rarely a place.
GENERIC = frozenset(
    "north south east west central northern southern eastern western northeast northwest southeast southwest"
    " upper lower middle inner outer greater region district union delta city county state capital island islands"
    " coast valley river lake mountain mountains park square center centre downtown midtown uptown".split()
)
# Words after a name that make it the subject or object, not a modifier ("Iraq has", "Gao on Saturday").
FUNCTION_WORDS = frozenset(
    "and or but of on in at to from for with by as is was were are be been has had have will would could should may"
    " might can did does do not its their his her said says that which who than".split()
)
ARTICLES = frozenset("the a an its their his her this that these those".split())
SPEECH_VERBS = frozenset("said says told added explained noted stated wrote argued asked replied insisted admitted announced".split())
# Heads of names whose first word is a place but which are not about that place: papers,
# broadcasters, companies, sports clubs. (A police force or council named after its town
# is about that town, so those heads stay soft cues in ORG_HEADS.)
NAME_ONLY_HEADS = frozenset(
    "post times tribune herald journal gazette chronicle telegraph guardian independent observer examiner star"
    " daily weekly magazine press radio tv television network airlines airways motors bank corp corporation inc"
    " co company ltd llc fc united club cowboys senators rangers kings jets giants nationals capitals wizards hawks"
    " bulls bears lions tigers yankees mets redskins braves falcons saints".split()
)
AREA_WORDS = {"regional": "region", "provincial": "province", "province": "province", "governorate": "governorate",
              "region": "region", "state": "state", "district": "district"}
PLACE_HEADS = frozenset("county parish province governorate district region state city town village borough township".split())

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


@dataclass
class Span:
    """A proposed place name: where it is, what it matched, and the cues around it."""

    start: int
    end: int
    text: str
    key: str
    first: int
    last: int
    places: tuple[GazetteerEntry, ...]
    via: str
    demonym: GazetteerEntry | None = None
    cues: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    # "London, Ont.": the letters of an abbreviated province or state after a comma
    qualifier_prefix: str = ""
    # matched through the kind of area written after it ("Kurdistan Regional", "Aleppo province")
    area_word: bool = False


@dataclass(frozen=True)
class Tokens:
    """Word tokens of a text with their offsets and the sentence each one starts."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    sent_initial: tuple[bool, ...]

    def word(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]

    def gap(self, i: int) -> str:
        """Text between token i and token i+1."""
        return self.text[self.ends[i] : self.starts[i + 1]]

    def __len__(self) -> int:
        return len(self.starts)


# After a colon, a semicolon or an opening quote, capitals say as little as at a sentence start.
_CLAUSE_START = re.compile(r"[:;][\"'”’)\]]*\s+[\"'“‘(\[]*$|^\s*[\"“‘]\s*$")


def tokenize(text: str) -> Tokens:
    """Word tokens with offsets, and whether each begins a sentence or clause (where capitals say less)."""
    starts: list[int] = []
    ends: list[int] = []
    initial: list[bool] = []
    bounds = iter(a for a, _ in sentences(text))
    next_start = next(bounds, None)
    prev_end = 0
    for m in _TOKEN.finditer(text):
        first = False
        while next_start is not None and next_start <= m.start():
            first = True
            next_start = next(bounds, None)
        if not first and starts:
            first = bool(_CLAUSE_START.search(text[prev_end : m.start()]))
        starts.append(m.start())
        ends.append(m.end())
        initial.append(first or len(starts) == 1)
        prev_end = m.end()
    return Tokens(text, tuple(starts), tuple(ends), tuple(initial))


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


class Recognizer:
    """Proposes and scores place spans; the gazetteer and the cue weights are its only state."""

    def __init__(self, gazetteer: Gazetteer, model: dict | None = None, *, words: WordStats | None = None) -> None:
        self.gaz = gazetteer
        self.model = model if model is not None else load_model()
        self.weights = [float(self.model.get("weights", {}).get(name, 0.0)) for name in FEATURES]
        self.threshold = float(self.model.get("threshold", 0.5))
        self.words = words or WordStats(gazetteer)

    # -- step 1: proposals ---------------------------------------------------------------

    def spans(self, tokens: Tokens) -> list[Span]:
        out: list[Span] = []
        n = len(tokens)
        i = 0
        while i < n:
            word = tokens.word(i)
            if not self._may_start(tokens, i, word):
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
        if _is_cap(word):
            return True
        return word in _ARTICLE_PREFIXES and i + 1 < len(tokens) and tokens.gap(i) == "-" and _is_cap(tokens.word(i + 1))

    def _longest(self, tokens: Tokens, i: int) -> Span | None:
        n = len(tokens)
        last = i
        ends = [i]
        while last + 1 < n and len(ends) < MAX_TOKENS:
            gap = tokens.gap(last)
            if gap not in _JOINERS or (gap == ". " and len(tokens.word(last)) > 3):
                break
            nxt = tokens.word(last + 1)
            if not (_is_cap(nxt) or nxt in CONNECTORS or nxt in _ARTICLE_PREFIXES):
                break
            last += 1
            if _is_cap(nxt):
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
            adjective = demonym is not None and j + 1 < len(tokens) and tokens.gap(j) == " " and tokens.word(j + 1).islower()
            if demonym is not None and (adjective or not places) and not abbrev:
                return self._span(tokens, i, j, surface, key, (demonym,), "demonym", demonym)
            if places and j + 1 < len(tokens) and tokens.gap(j) == " ":
                # "Aleppo province", "Kurdistan Regional Government": the kind of area written
                # after the name (or its adjective) says which namesake is meant.
                noun = AREA_WORDS.get(tokens.word(j + 1).lower())
                area = self.gaz.candidates(key + " " + noun) if noun else ()
                if area:
                    found = self._span(tokens, i, j, text[tokens.starts[i] : tokens.ends[j]], key, area, "name", None)
                    found.area_word = True
                    return found
            if places or abbrev:
                # "U.S." and "Ky." keep their final dot so the span reads as written.
                if dotted and (abbrev or len(tokens.word(j)) == 1):
                    end += 1
                via = "abbrev" if abbrev and not (places and surface.istitle()) else "name"
                merged = abbrev + tuple(p for p in places if p not in abbrev)
                return self._span(tokens, i, j, text[tokens.starts[i] : end], key, merged, via, None)
        return None

    def _span(self, tokens: Tokens, i: int, j: int, surface: str, key: str, places: tuple[GazetteerEntry, ...], via: str, demonym: GazetteerEntry | None) -> Span:
        start = tokens.starts[i]
        return Span(start, start + len(surface), surface, key, i, j, places, via, demonym)

    # -- step 2: cues ---------------------------------------------------------------------

    def features(self, tokens: Tokens, spans: Sequence[Span]) -> None:
        """Fill `span.cues` for every span, using the other spans of the document too."""
        text = tokens.text
        lower_words = _lower_words(text)
        span_at = {s.first: s for s in spans}
        lasts = {s.last for s in spans}
        title_end = text.find("\n")
        for s in spans:
            c: dict[str, float] = {"bias": 1.0}
            first_word = tokens.word(s.first)
            prev = tokens.word(s.first - 1) if s.first > 0 else ""
            prev_gap = tokens.gap(s.first - 1) if s.first > 0 else ""
            nxt = tokens.word(s.last + 1) if s.last + 1 < len(tokens) else ""
            next_gap = tokens.gap(s.last) if s.last + 1 < len(tokens) else ""
            c["multi_token"] = float(s.last > s.first)
            c["sent_initial"] = float(tokens.sent_initial[s.first])
            low_prev = prev.lower()
            after2 = tokens.word(s.last + 2) if s.last + 2 < len(tokens) else ""
            modifies = next_gap == " " and (nxt.islower() and nxt not in FUNCTION_WORDS
                                            or nxt in ("and", "or") and after2.islower() and after2 not in ARTICLES)
            c["prev_prep"] = float(low_prev in PREPOSITIONS and not prev_gap.strip())
            if not c["prev_prep"] and low_prev == "the" and s.first > 1 and not modifies:
                # "in the Gulf", but not "in the Foley video": there "in" governs the video
                c["prev_prep"] = float(tokens.word(s.first - 2).lower() in PREPOSITIONS)
            c["prev_motion"] = float(low_prev in MOTION_VERBS and prev_gap == " ")
            # "Gen. Allen" but not "...the prime minister. Turkey said": a title's dot is not a full stop
            c["prev_title"] = float(low_prev in PERSON_TITLES and (prev_gap == " " or prev_gap == ". " and not tokens.sent_initial[s.first]))
            prev_cap = bool(prev) and _is_cap(prev) and prev_gap == " " and not tokens.sent_initial[s.first]
            c["prev_cap"] = float(prev_cap)
            c["prev_given_name"] = float(prev_cap and self.words.given_name(prev.lower()))
            next_cap = bool(nxt) and _is_cap(nxt) and next_gap == " " and not tokens.sent_initial[s.last + 1]
            c["next_cap"] = float(next_cap)
            c["next_org_head"] = float(next_gap in (" ", "-") and nxt.lower() in ORG_HEADS and _is_cap(nxt))
            c["next_name_head"] = float(next_gap in (" ", "-") and nxt.lower() in NAME_ONLY_HEADS and _is_cap(nxt))
            c["next_place_head"] = float(next_gap == " " and nxt.lower() in PLACE_HEADS)
            # "Alexandria, Louisiana" / "Mosul, Iraq": a place qualified by a bigger one.
            after = s.last + 1
            c["qualified"] = float(after in span_at and next_gap.strip() == "," and _is_bigger(span_at[after]))
            if not c["qualified"] and next_gap.strip() == "," and after < len(tokens) and _is_cap(nxt):
                # "London, Ont." / "Paris, Tenn.": an abbreviated province or state the gazetteer may not list
                abbr = nxt.lower()
                if 2 <= len(abbr) <= 5 and text[tokens.ends[after] : tokens.ends[after] + 1] == "." and any(
                    normalize_name(p.admin1_name).startswith(abbr) for p in s.places if p.kind not in ("country", "admin1")
                ):
                    s.qualifier_prefix = abbr
                    c["qualified"] = 1.0
            c["qualifies"] = float(prev_gap.strip() == "," and (s.first - 1) in lasts and _is_bigger(s))
            c["all_caps"] = float(s.via != "abbrev" and len(first_word) > 1 and s.text.isupper())
            kind = _best_kind(s)
            c["kind_country"] = float(kind == "country")
            c["kind_admin"] = float(kind in ("admin1", "admin2"))
            c["kind_region"] = float(kind in ("region", "continent"))
            c["kind_city"] = float(kind == "city")
            # seats of power are judged by their own rule; the cue is about dams, bases, mountains
            airport = kind == "landmark" and any(p.feature_code in ("AIRP", "AIRF") for p in s.places)
            c["kind_landmark"] = float(kind == "landmark" and not airport and not any(p.feature_code == SEAT_OF_POWER for p in s.places))
            # airports apart: the dev corpora annotate them as little as news maps need them
            c["kind_airport"] = float(airport)
            c["log_pop"] = math.log10(1 + max((p.population for p in s.places), default=0)) / 7.0
            # "US" in capitals is not the pronoun: word frequency only speaks for ordinary capitalised words
            z = self.words.zipf(s.key) / 8.0 if s.last == s.first and s.via != "abbrev" and not s.text.isupper() else 0.0
            c["zipf"] = z
            c["zipf_sq"] = z * z
            c["lower_in_doc"] = float(s.last == s.first and first_word.lower() in lower_words)
            c["given_name"] = float(s.last == s.first and self.words.given_name(s.key))
            c["via_abbrev"] = float(s.via == "abbrev")
            c["via_demonym"] = float(s.via == "demonym")
            c["possessive"] = float(next_gap in ("'", "’") and nxt == "s")
            c["log_candidates"] = math.log(1 + len(s.places)) / 3.0
            c["in_org_run"] = float(_in_org_run(tokens, s))
            c["primary_name"] = float(any(p.key == s.key for p in s.places))
            c["short"] = float(len(s.key) <= 3)
            c["title_line"] = float(0 <= title_end and s.start < title_end)
            single = s.last == s.first
            c["dict_common"] = float(single and self.words.common(s.key))
            c["dict_proper"] = float(single and self.words.proper(s.key))
            c["generic"] = float(single and s.key in GENERIC)
            # "Jordan said" has a speaker; in "the agency in Geneva said" the speaker is the agency
            c["next_said"] = float(next_gap in (" ", ", ") and nxt.lower() in SPEECH_VERBS and not c["prev_prep"])
            # a capitalised word English does not know at all is usually a foreign name
            c["unknown_word"] = float(single and self.gaz.word(s.key) is None)
            # "Jordan Henderson": a given name followed by another capitalised word
            c["person_pattern"] = float(single and c["given_name"] and next_cap and nxt.lower() not in PLACE_HEADS)
            # GeoNames leaves many towns' population at 0: unknown, not tiny
            c["pop_unknown"] = float(max((p.population for p in s.places), default=0) == 0)
            # a foreign name English does not know as a word yet writes often: a place in the news
            c["famous_foreign"] = c["unknown_word"] * c["primary_name"] * z
            # written far more often than a town of its size would be: mostly something else (a surname)
            c["wordy_small"] = max(0.0, z * 8 - math.log10(1 + max((p.population for p in s.places), default=0)) + 1) / 3 if single else 0.0
            # "Jordan said", "Washington warned": a country, province or capital speaking for its government
            c["said_area"] = c["next_said"] * float(kind in ("country", "admin1") or any(p.feature_code == "PPLC" for p in s.places))
            # "Jordan said its pilots": a body, not a person, is the subject
            # "US officials", "US and allied aircraft": a name used as a modifier speaks of an actor, not a setting
            # (read by resolution, not a recognition weight)
            c["attributive"] = float(modifies and not c["prev_prep"])
            c["next_its"] = float(any(tokens.word(k).lower() == "its" for k in range(s.last + 1, min(len(tokens), s.last + 6))))
            s.cues = c
        # A name written once after a given name or a title ("James Foley", "President Obama")
        # is a person's wherever else the document writes it.
        people = {s.key for s in spans if s.last == s.first and (s.cues["prev_given_name"] or s.cues["prev_title"])}
        # The countries and provinces the document names (demonyms too): a town inside one is likelier a place.
        named_countries = {p.country_code for s in spans if _best_kind(s) == "country" and not s.cues["attributive"] for p in s.places
                           if (p.kind == "country" or s.via == "demonym") and p.country_code}
        named_admin1 = {(p.country_code, p.admin1_code) for s in spans if s.via != "demonym" and _best_kind(s) == "admin1"
                        for p in s.places if p.kind == "admin1"}
        for s in spans:
            s.cues["person_in_doc"] = float(s.key in people and not (s.cues["prev_given_name"] or s.cues["prev_title"]))
            s.cues["in_named_area"] = float(s.via != "demonym" and _best_kind(s) not in ("country", "continent", "region") and any(
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
        for s in spans:
            s.cues["near_other"] = float(s.via != "demonym" and any(
                (owners[0] != s.key or len(owners) > 1) and p.geonameid != gid and between(p, t) < NEAR_KM
                for p in s.places[:30]
                for da in (-1, 0, 1) for db in (-1, 0, 1)
                for gid, (t, owners) in grid.get((int(p.lat // 2) + da, int(p.lon // 2) + db), {}).items()
            ))
        # A name used once as a place ("in Jordan") lends support to its other uses.
        support: dict[str, float] = {}
        for s in spans:
            strength = s.cues["prev_prep"] + s.cues["qualified"] + s.cues["qualifies"]
            support[s.key] = max(support.get(s.key, 0.0), strength)
        for s in spans:
            s.cues["doc_support"] = float(support.get(s.key, 0.0) > 0)

    def vector(self, span: Span) -> list[float]:
        return [span.cues.get(name, 0.0) for name in FEATURES]

    def probability(self, span: Span) -> float:
        z = sum(w * x for w, x in zip(self.weights, self.vector(span)))
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
        kept = []
        for s in spans:
            s.cues["dateline"] = float(bool(dateline) and dateline[0] <= s.start < dateline[1])
            s.score = self._judge(tokens, s, outlet_end)
            if s.score >= self.threshold:
                kept.append(s)
        return kept

    def _judge(self, tokens: Tokens, s: Span, outlet_end: int) -> float:
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
        if _arabic_name_tail(tokens, s):
            # "Moqtada al-Sadr", "Nouri al-Maliki": the family part of a person's name.
            return 0.0
        if c["dateline"]:
            # "WASHINGTON (AP) —": a dateline names where the story was filed, by convention.
            return 0.95
        if self._acronym(tokens, s):
            # "the NATO summit": capitals in mixed-case text spell an acronym, and a town
            # that happens to share it (Nato, the Philippines) is not what the writer meant.
            return 0.0
        p = self.probability(s)
        if tokens.word(s.first - 1).lower() == "the" if s.first else False:
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


_MONTHS = frozenset("january february march april may june july august september october november december".split())
_BODIES = frozenset("party movement militia".split())


def _date_word(tokens: Tokens, s: Span) -> bool:
    """A month name beside a number ("March 2013", "10 June", "June 12") is a date."""
    if s.last != s.first or s.key not in _MONTHS:
        return False
    before = tokens.word(s.first - 1) if s.first > 0 else ""
    after = tokens.word(s.last + 1) if s.last + 1 < len(tokens) else ""
    return before.isdigit() or after.isdigit()


def _before_lower_word(tokens: Tokens, s: Span) -> bool:
    k = s.last + 1
    return k < len(tokens) and tokens.gap(s.last) == " " and tokens.word(k).islower()


def _names_a_party(tokens: Tokens, s: Span) -> bool:
    """'the Dawa party', 'the Baath movement': a capitalised name before a lower-case word for a political body."""
    return _before_lower_word(tokens, s) and tokens.word(s.last + 1) in _BODIES


def _arabic_name_tail(tokens: Tokens, s: Span) -> bool:
    """Is the span the 'al-X' part of a personal name, right after a capitalised given name?"""
    k = s.first
    if tokens.word(k).lower() in _ARTICLE_PREFIXES and k + 1 <= s.last and tokens.gap(k) == "-":
        article = k  # the span itself starts "al-"
    elif k >= 1 and tokens.word(k - 1).lower() in _ARTICLE_PREFIXES and tokens.gap(k - 1) == "-":
        article = k - 1
    else:
        return False
    if article < 1 or tokens.gap(article - 1) != " ":
        return False
    before = tokens.word(article - 1)
    return _is_cap(before) and before.lower() not in CONNECTORS and before.lower() not in PREPOSITIONS


def _lower_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _TOKEN.findall(text) if w.islower())


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
    if tokens.word(k).lower() == "the":
        k -= 1
    if k < 1 or tokens.word(k).lower() not in ("of", "in", "for", "and"):
        return False
    head = k - 1
    word = tokens.word(head)
    return _is_cap(word) and tokens.gap(head) == " " and word.lower() not in PREPOSITIONS


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

    def common(self, word: str) -> bool:
        """An ordinary English word ('baker', 'mobile'): the dictionary lists it in lower case."""
        return self._gaz.word(word) == 1

    def proper(self, word: str) -> bool:
        """Listed only as a proper noun ('Chicago')."""
        return self._gaz.word(word) == 0

    def given_name(self, word: str) -> bool:
        return self._gaz.given_name(word)


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
