"""Where English grammar leaves room only for a place: the rules for names the model cannot know.

The dev corpora (US local news, health news) hold few foreign towns, islands and airports, so
the learned model under-rates a foreign name written alone ("Malian troops entered Gao.",
"Boats reached Lesbos."). A reader needs no familiarity with the name there: the slot says it.
A name sits in a place slot when
- a preposition or a verb of motion governs it ("near Gao", "off Lampedusa", "reached Lesbos",
  "out of Kobani"),
- it is the subject of a passive verb of motion ("Sinjar was surrounded") or of what is said of
  a town's state ("Gao was calm", "Kramatorsk came under fire", "Sinjar fell"), or a big town
  opens a sentence ("Kramatorsk braced for an assault"), or
- it is a later member of a list whose first member sits in one ("struck Kyiv, Kharkiv and
  Odesa", "at Heathrow and Schiphol").
The slot only speaks for a name English does not know as a word or a person's name (the
dictionary and the given names tell), whose place is the name as written; "near Smith" or
"reached Harbour" stay the model's to judge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from conflictmap.geoparser.spans import Span, Tokens
from conflictmap.geoparser.wordlists import (
    BEING_VERBS,
    COMING_VERBS,
    FALLING_VERBS,
    MOTION_VERBS,
    NATURAL_FEATURES,
    PLACE_STATES,
    PREPOSITIONS,
    SPEECH_VERBS,
)

# "off the coast", "off Lampedusa": a preposition of place the model's list leaves out
SLOT_PREPOSITIONS = PREPOSITIONS | {"off"}
_PASSIVE = frozenset("was were is are been being".split())
# what joins the members of a list: ", ", " and ", ", and ", " or "
_LIST_JOIN = re.compile(r"\s*(?:,\s*(?:(?:and|or)\s+)?|\s(?:and|or)\s+)\Z")
AIRPORT_CODES = ("AIRP", "AIRF")
# the probability a name in a place slot gets: above any threshold the model has learned
SLOT_SCORE = 0.6


def _governed(tokens: Tokens, s: Span) -> bool:
    """A preposition or verb of motion right before the name (an article between allowed)."""
    k = s.first - 1
    if k < 0 or tokens.gap(k) != " ":
        return False
    word = tokens.words[k].lower()
    if word == "the" and k >= 1:
        k -= 1
        word = tokens.words[k].lower()
    if word in SLOT_PREPOSITIONS or word in MOTION_VERBS:
        return True
    # "out of Kobani", "north of Aleppo" are read by the model; "out of" is motion
    return word == "of" and k >= 1 and tokens.words[k - 1].lower() == "out"


def _passive_subject(tokens: Tokens, s: Span) -> bool:
    """"Sinjar was surrounded", "Gao was retaken": the name undergoes a motion verb."""
    k = s.last + 1
    if k + 1 >= len(tokens) or tokens.gap(s.last) != " " or tokens.words[k].lower() not in _PASSIVE:
        return False
    nxt = tokens.words[k + 1].lower()
    if nxt == "being" and k + 2 < len(tokens):
        nxt = tokens.words[k + 2].lower()
    return nxt in MOTION_VERBS


def _in_a_state(tokens: Tokens, s: Span) -> bool:
    """"Gao was calm", "Kramatorsk came under fire", "Sinjar fell to the militants": a town's state."""
    k = s.last + 1
    if k >= len(tokens) or tokens.gap(s.last) != " ":
        return False
    words = tokens.words
    word = words[k].lower()
    if word in FALLING_VERBS:
        return True
    if word in ("has", "had", "have") and k + 1 < len(tokens) and words[k + 1].lower() == "been":
        k += 1
        word = "been"
    if k + 1 >= len(tokens) or tokens.gap(k) != " ":
        return False
    nxt = words[k + 1].lower()
    if word in COMING_VERBS:
        return nxt == "under"
    if word in BEING_VERBS and nxt in ("again", "still", "largely", "mostly", "relatively") and k + 2 < len(tokens):
        nxt = words[k + 2].lower()
    return word in BEING_VERBS and nxt in PLACE_STATES


# a town opening a sentence is its subject's place when it is at least this big (see `_opens_a_clause`)
SUBJECT_TOWN_POPULATION = 100_000


def _opens_a_clause(tokens: Tokens, s: Span) -> bool:
    """"Kramatorsk braced for an assault.": a big town's bare name as the subject of a sentence.

    A sentence's first word is capitalised whatever it is, so the model reads nothing from its
    capital letter, and the dev corpora's local news opens few sentences with a foreign town.
    Only towns of SUBJECT_TOWN_POPULATION or more: the smaller namesakes of the names news
    makes subjects (Obama, Japan) stay the model's to judge, and a speaker is never a slot
    (`mark_slots`).
    """
    k = s.last + 1
    if not tokens.sent_initial[s.first] or k >= len(tokens) or tokens.gap(s.last) != " ":
        return False
    if not tokens.words[k].islower():
        return False
    return any(p.kind in ("city", "admin1", "admin2") and p.population >= SUBJECT_TOWN_POPULATION for p in s.places)


def _speaks(tokens: Tokens, s: Span) -> bool:
    """"Maliki said", "Maliki has said": the name is the subject of a verb of speech."""
    k = s.last + 1
    if k >= len(tokens) or tokens.gap(s.last) != " ":
        return False
    word = tokens.words[k].lower()
    if word in ("has", "had", "have") and k + 1 < len(tokens):
        word = tokens.words[k + 1].lower()
    return word in SPEECH_VERBS or word in ("say", "says")


# "Nouri al-Maliki": a capitalised given name, an Arabic article and the family name
_ARABIC_SURNAME = re.compile(r"\b[A-Z][\w'’]+ (?:al|el|as|ad|ar|ash|az|an|ul)-([A-Z][\w'’]*)")


def family_names(text: str) -> frozenset[str]:
    """The family names of people the text names in full ("Maliki" where it writes "Nouri al-Maliki")."""
    return frozenset(m.group(1) for m in _ARABIC_SURNAME.finditer(text))


def mark_slots(tokens: Tokens, spans: Sequence[Span], surnames: frozenset[str] | None = None) -> None:
    """Set `cues["slot"]` on every span: 1.0 when grammar leaves room only for a place there.

    `surnames`: the text's `family_names`, when the caller has them already.
    """
    text = tokens.text
    # a name the text has speak ("Maliki has said") is a person's, or stands for a government
    # (which the slot does not need: countries and capitals are the model's)
    speakers = {s.key for s in spans if _speaks(tokens, s)}
    if surnames is None:
        surnames = family_names(text)
    previous: Span | None = None
    for s in spans:
        # "on Maliki's request": the preposition governs what the name owns, not the name
        slot = not s.cues.get("possessive") and (_governed(tokens, s) or _passive_subject(tokens, s) or _in_a_state(tokens, s)
                                                     or _opens_a_clause(tokens, s))
        # "from Baghdad, Maliki said": a comma before a speaker ends the list
        listed = (not slot and previous is not None and bool(previous.cues.get("slot")) and not s.cues.get("next_said")
                  and bool(_LIST_JOIN.match(text, previous.end, s.start)))
        if (slot or listed) and (s.key in speakers or s.text in surnames):
            slot = listed = False
        s.cues["slot"] = float(slot or listed)
        # in "Heathrow and Schiphol" the capitalised word before "and" is a place of the list, not an organisation's name
        s.cues["slot_list"] = float(listed)
        previous = s


# a town this big that English also writes as a given name ("Geneva", "Florence") is a place in a list of places
LIST_TOWN_POPULATION = 100_000


def lift_list_members(tokens: Tokens, spans: Sequence[Span], threshold: float, outlet_end: int = 0) -> None:
    """"Paris and Geneva hosted talks": a name listed beside a name judged a place is a place too.

    Each span's `score` is set; a member of a list (", ", " and ", " or ") one of whose members
    is kept gets at least SLOT_SCORE when it is a town, province or natural feature, reads as
    nothing personal or corporate, and is not an ordinary English word; a name English knows
    (as a given name, say) must be a sizeable town's own name or a proper noun of the
    dictionary. Lists run both ways ("Geneva and Paris").
    """
    text = tokens.text
    groups: list[list[Span]] = []
    previous: Span | None = None
    for s in spans:
        if previous is not None and groups and _LIST_JOIN.match(text, previous.end, s.start):
            groups[-1].append(s)
        else:
            groups.append([s])
        previous = s
    for number, group in enumerate(groups):
        if len(group) < 2:
            continue
        for s in group:
            # resolution reads a list as one kind of place ("Georgia and Ukraine": countries)
            s.cues["list_group"] = float(number)
        if not any(s.score >= threshold and s.via != "demonym" for s in group):
            continue
        for s in group:
            # (a score of exactly 0 is a rule's verdict — a date, a party, a family name — not the model's doubt)
            if 0.0 < s.score < threshold and s.start >= outlet_end and _may_join_a_list(s):
                s.score = max(s.score, SLOT_SCORE)


def _may_join_a_list(s: Span) -> bool:
    c = s.cues
    if s.via != "name" or not island_or_town(s) or c.get("dict_common") or c.get("possessive"):
        return False
    # "the Bai Hassan and Kirkuk oil fields": a capitalised word before the name makes it part of a longer one
    person = c.get("prev_title") or c.get("prev_cap") or c.get("person_in_doc") or c.get("person_pattern")
    organisation = c.get("next_org_head") or c.get("next_name_head") or c.get("next_cap") or c.get("all_caps") or c.get("next_said")
    if person or organisation:
        return False
    if unknown_place_name(s):
        return True
    # "Israel and Hamas": a name neither a place's own nor known to the dictionary as a proper
    # noun (here a party, matching Hamm's alternate spelling) is not lifted for a big namesake
    known = c.get("primary_name") or c.get("dict_proper")
    return bool(known) and max(p.population for p in s.places) >= LIST_TOWN_POPULATION


def unknown_place_name(s: Span) -> bool:
    """A name the dictionary does not know, naming a place as written, with nothing personal about it.

    An airport's own name is never the bare word ("Amsterdam Airport Schiphol" for "Schiphol"),
    so for a name that only an airport has, the name need not be the place's whole name.
    """
    c = s.cues
    if s.via != "name" or not c.get("unknown_word") or not (c.get("primary_name") or only_airports(s)):
        return False
    person = c.get("prev_title") or c.get("prev_given_name") or c.get("given_name") or c.get("person_in_doc") or c.get("person_pattern")
    organisation = c.get("next_org_head") or c.get("next_cap") or c.get("all_caps") or c.get("in_org_run") and not c.get("slot_list")

    return not (person or organisation)


def only_airports(s: Span) -> bool:
    """Every candidate is an airport: a bare name ("Stinson", "Copernicus") that stands for one."""
    return s.last == s.first and bool(s.places) and all(p.feature_code in AIRPORT_CODES for p in s.places)


def island_or_town(s: Span) -> bool:
    """The kinds of place a slot speaks for: towns, provinces, districts, islands and other natural features."""
    return any(p.kind in ("city", "admin1", "admin2") or p.feature_code in NATURAL_FEATURES or p.feature_code in AIRPORT_CODES
               for p in s.places)
