"""The geoparser on real sentences: what it finds, where it puts it, and when.

Sentences are our own; each one names the place a careful reader would pick.
"""

from __future__ import annotations

import gc
import json

import pytest

from conflictmap.distance import km
from conflictmap.geoparser.names import normalize_name
from tests.conftest import shared_path

pytestmark = pytest.mark.accuracy


@pytest.fixture(scope="module")
def parser(full_parser):
    """Where each name lands is the point here: the full built gazetteer, not the unit-test fixture."""
    return full_parser


def places(parser, text, date=None, **kw):
    """The mentions in their flat `geoparse` contract shape, which most checks here are about."""
    return [m.to_dict() for m in parser.parse(text, date, **kw)]


def found(parser, text, surface, date=None):
    hits = [p for p in places(parser, text, date) if p["text"].rstrip(".") == surface]
    assert hits, f"{surface!r} not found in {text!r}"
    return hits[0]


def near(place, lat, lon, km_max=100):
    return km(place["lat"], place["lon"], lat, lon) <= km_max


def test_seed_article_places_and_no_people(parser):
    from conflictmap.readers import read_paths

    (article,) = list(read_paths([shared_path("seed", "iraq-crisis-2014-06-14.txt")]))
    out = places(parser, article.title + "\n\n" + article.text, article.published)
    by_surface = {}
    for p in out:
        by_surface.setdefault(p["text"].rstrip("."), p)
    assert near(by_surface["Iraq"], 33.0, 44.0) and near(by_surface["Iran"], 32.0, 53.0)
    assert near(by_surface["Mosul"], 36.34, 43.13, 20) and near(by_surface["Baghdad"], 33.34, 44.40, 20)
    assert by_surface["US"]["country_code"] == "US" and by_surface["America"]["country_code"] == "US"
    surfaces = {p["text"] for p in out}
    for person_or_group in ("Rouhani", "Hassan Rouhani", "Obama", "Barack Obama", "Isis", "Sunni", "Shia", "Saddam Hussein",
                            "Jack Simpson", "Rupert Colville", "Guardian", "UNAMI", "UN", "Sharia"):
        assert person_or_group not in surfaces
    # Mosul fell "on Thursday": the sentence is dated 12 June 2014, not the article's 14 June
    assert by_surface["Mosul"]["date"] == "2014-06-12" and by_surface["Mosul"]["date_cue"] == "on Thursday"


@pytest.mark.parametrize(
    "text, surface, lat, lon",
    [
        ("A fire broke out in Alexandria, Louisiana, on Monday night.", "Alexandria", 31.31, -92.45),
        ("Ancient papyri were found in Alexandria and Cairo last year.", "Alexandria", 31.20, 29.92),
        ("City officials in Paris, Texas, closed the courthouse.", "Paris", 33.66, -95.56),
        ("Leaders gathered in Paris while Berlin and Rome sent ministers.", "Paris", 48.86, 2.35),
        ("Russian tanks crossed into Georgia near Tbilisi and Gori.", "Georgia", 42.0, 43.5),
        ("Storms hit Georgia overnight, flooding roads around Atlanta and Macon.", "Georgia", 32.7, -83.4),
        ("Aid convoys reached Falluja before dawn, officials in Baghdad said.", "Falluja", 33.35, 43.78),
        ("Aid convoys reached Fallujah before dawn, officials in Baghdad said.", "Fallujah", 33.35, 43.78),
        ("Fighting continued around the Bayji refinery north of Baghdad.", "Bayji", 34.93, 43.49),
        ("Fighting continued in Baiji north of Baghdad.", "Baiji", 34.93, 43.49),
        ("Militants entered Tikrīt on Wednesday, a day after taking Mosul.", "Tikrīt", 34.60, 43.68),
        ("Thousands of Yazidis were trapped on Mount Sinjar in August.", "Mount Sinjar", 36.37, 41.7),
        ("Shelling hit Tal Afar, west of Mosul.", "Tal Afar", 36.37, 42.45),
        ("Iraq's parliament met in Baghdad.", "Iraq", 33.0, 44.0),
        ("The delegation flew from Amman to Riyadh and then Ankara.", "Riyadh", 24.69, 46.72),
        # issue 11: seats of power and capitals resolve to where they are
        ("In Washington, the White House and the Kremlin traded blame.", "Washington", 38.90, -77.04),
        ("In Washington, the White House and the Kremlin traded blame.", "White House", 38.90, -77.04),
        ("In Washington, the White House and the Kremlin traded blame.", "Kremlin", 55.75, 37.62),
        ("Officials in Washington said the talks would resume.", "Washington", 38.90, -77.04),
        ("Wildfires spread across eastern Washington state near Spokane.", "Washington", 47.4, -120.5),
        ("Downing Street said the prime minister would chair the meeting.", "Downing Street", 51.50, -0.13),
        ("The Kurdistan Regional Government said it would pay salaries.", "Kurdistan", 36.2, 44.0),
        ("The group now holds much of Aleppo province.", "Aleppo", 36.2, 37.5),
    ],
)
def test_resolution_uses_context(parser, text, surface, lat, lon):
    assert near(found(parser, text, surface), lat, lon, 161)


@pytest.mark.parametrize(
    "text, not_a_place",
    [
        ("Jordan Henderson scored twice for the visitors.", "Jordan"),
        ("The Washington Post reported the leak on Friday.", "Washington"),
        ("President Obama spoke to reporters about the crisis.", "Obama"),
        ("Sunni and Shia leaders met to discuss the ceasefire.", "Sunni"),
        ("Isis fighters seized the town, Isis said in a statement.", "Isis"),
        ("Mr. Lincoln said the budget would pass.", "Lincoln"),
        # issue 11: acronyms, names and dates give no pin
        ("Allies agreed at the NATO summit to form a coalition.", "NATO"),
        ("Followers of Moqtada al-Sadr marched through the capital.", "Sadr"),
        ("He was kidnapped in Syria in March 2013.", "March"),
        ("Haider al-Abadi, a member of the Dawa party, was named.", "Dawa"),
        ("Western governments rejected the plan.", "Western"),
        ("James Foley was a reporter. Foley had worked in Libya.", "Foley"),
    ],
)
def test_people_groups_and_organisations_are_not_places(parser, text, not_a_place):
    assert not_a_place not in {p["text"] for p in places(parser, text)}


def test_every_place_has_the_contract_fields_and_candidates(parser):
    out = places(parser, "Refugees fled Sinjar for Erbil and Dohuk.", "2014-08-04")
    assert [normalize_name(p["name"]) for p in out][:1] == ["sinjar"]
    for p in out:
        assert text_at(p, "Refugees fled Sinjar for Erbil and Dohuk.")
        assert 0 < p["confidence"] <= 1 and p["date"] == "2014-08-04"
        assert isinstance(p["geonameid"], int) and p["country_code"] == "IQ"
        assert all(c["geonameid"] != p["geonameid"] and {"name", "lat", "lon", "country_code", "score"} <= set(c)
                   for c in p["candidates"])
    assert any(p["candidates"] for p in out), "an ambiguous name (Sinjar: the town or the district) keeps its alternatives"


def test_each_mention_carries_its_sentence_and_where_it_starts(parser):
    text = "Talks began in Geneva on Monday.  Later, troops entered Kirkuk. Dr. Smith stayed in Erbil."
    out = parser.parse(text, "2014-06-14")
    assert [m.text for m in out] == ["Geneva", "Kirkuk", "Erbil"]
    assert [m.sentence for m in out] == ["Talks began in Geneva on Monday.", "Later, troops entered Kirkuk.",
                                         "Dr. Smith stayed in Erbil."]
    for m in out:
        assert text[m.sentence_start : m.sentence_start + len(m.sentence)] == m.sentence
        assert m.sentence[m.start - m.sentence_start : m.end - m.sentence_start] == m.text
    assert out[0].date == "2014-06-09" and out[1].date == "2014-06-14"


def text_at(p, text):
    return text[p["start"] : p["end"]] == p["text"]


@pytest.mark.parametrize(
    "sentence, expected, cue",
    [
        ("Militants took Mosul on Tuesday.", "2014-06-10", "on Tuesday"),
        ("Kurdish forces entered Kirkuk yesterday.", "2014-06-13", "yesterday"),
        ("Kurdish forces retook Zumar on 18 August.", "2014-08-18", "on 18 August"),
        ("Talks in Geneva resumed last week.", "2014-06-07", "last week"),
        ("Erbil is calm.", "2014-06-14", ""),
    ],
)
def test_each_mention_is_dated_from_its_sentence(parser, sentence, expected, cue):
    article_day = "2014-08-20" if "August" in sentence else "2014-06-14"
    p = places(parser, sentence, article_day)[0]
    assert p["date"] == expected and p["date_cue"].lower() == cue.lower()


def test_demonyms_are_optional(parser):
    text = "Iranian officials met Iraqi leaders."
    assert {p["name"] for p in places(parser, text)} == {"Iran", "Iraq"}
    assert places(parser, text, demonyms=False) == []


def test_offsets_are_python_string_indices_with_non_ascii_text(parser):
    text = "“Émigrés” returned to Kobanî — and to Raqqa — on Friday."
    out = places(parser, text, "2014-10-03")
    assert [p["text"] for p in out] == ["Kobanî", "Raqqa"]
    for p in out:
        assert text[p["start"] : p["end"]] == p["text"]


def test_the_gazetteer_speaks_geopy(parser):
    from geopy.location import Location

    gaz = parser.gazetteer
    loc = gaz.geocode("Mosul")
    assert isinstance(loc, Location) and abs(loc.latitude - 36.34) < 0.2 and loc.raw["country_code"] == "IQ"
    assert gaz.geocode("Nowhere-at-all-ville") is None
    many = gaz.geocode("Alexandria", exactly_one=False)
    assert len(many) > 3 and {loc.raw["country_code"] for loc in many} >= {"EG", "US"}
    assert gaz.geocode("Alexandria", country="US").raw["country_code"] == "US"
    assert gaz.geocode("U.S.").raw["country_code"] == "US"


# -- issue 11: famous names, metonymy, outlet context --------------------------------------


def test_a_country_that_speaks_is_still_a_place(parser):
    assert found(parser, "Jordan said its pilots had struck targets in Syria.", "Jordan")["country_code"] == "JO"


@pytest.mark.parametrize("text, surface", [("Kyiv said the attack killed three.", "Kyiv"),
                                           ("Moscow struck back, and Kiev said the attack killed three.", "Kiev")])
def test_a_capital_that_speaks_is_still_a_place(full_parser, text, surface):
    """Issue 11 item 1: "Kyiv said" is Ukraine's government speaking, from Kyiv."""
    assert found(full_parser, text, surface)["name"] == "Kyiv"


def test_the_outlet_puts_its_own_town_first(parser):
    text = "Paris police said two people were hurt in the crash on Main Street."
    assert found(parser, text, "Paris")["country_code"] == "FR"  # no context: the best-known Paris
    local = [p for p in places(parser, text, source="Paris Post-Intelligencer, Tennessee") if p["text"] == "Paris"]
    assert local and local[0]["admin1"] == "Tennessee"


def test_an_outlets_town_lies_in_the_country_of_its_domain(parser):
    """Issue 11: a London, Ontario paper writing "London police"; its .ca address says which London.
    A dateline in the same paper stays where it says (wire copy from England)."""
    text = "London police are searching for a missing teenager."
    local = [p for p in places(parser, text, source="The London Free Press", url="https://lfpress.ca/news") if p["text"] == "London"]
    assert [p["country_code"] for p in local] == ["CA"]
    assert [p["country_code"] for p in places(parser, text, source="The London Free Press") if p["text"] == "London"] == ["GB"]
    wire = places(parser, "LONDON (Reuters) - " + text, url="https://globalnews.ca/news")
    assert {p["country_code"] for p in wire if p["text"].lower() == "london"} == {"GB"}


def test_outlet_context_is_read_but_never_tagged_and_offsets_stay_the_bodys(parser):
    text = "Clashes continued near Mosul."
    out = places(parser, text, title="Fighting in Baghdad and Erbil", source="Baghdad Times", url="https://example.iq/a")
    assert [p["text"] for p in out] == ["Mosul"]
    assert text[out[0]["start"] : out[0]["end"]] == "Mosul"


def test_a_dateline_is_strong_context(parser):
    p = found(parser, "LONDON, Ont. — London police are asking for help after a break-in downtown.", "London")
    assert p["country_code"] == "CA" and p["admin1"] == "Ontario"
    later = [m for m in places(parser, "LONDON, Ont. — London police are asking for help after a break-in downtown.")]
    assert all(m["country_code"] == "CA" for m in later if m["text"] == "London")
    assert found(parser, "WASHINGTON (AP) — The Senate passed the bill on Tuesday.", "WASHINGTON")["admin1"] == "District of Columbia"


def test_geoparse_lines_take_title_source_and_url(parser):
    import io

    from conflictmap.geoparser.parser import geoparse_lines

    lines = io.StringIO(json.dumps({"id": "a", "text": "London police said the road was closed.", "source": "The London Free Press",
                                    "title": "Road closed in London, Ontario", "url": "https://lfpress.ca/x"}) + "\n"
                        + json.dumps({"id": "b", "text": "Mosul.", "title": 7}) + "\n")
    out, errors = io.StringIO(), io.StringIO()
    assert geoparse_lines(lines, out, parser, errors=errors) == 0
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["places"][0]["country_code"] == "CA"
    assert "title" in errors.getvalue() and "left out" in errors.getvalue() and second["id"] == "b"


# -- issue 12 item 3: known conflict towns in short wire sentences ----------------------------


@pytest.mark.parametrize(
    "text, surface, country",
    [
        ("Shelling hit Kramatorsk overnight, the governor said.", "Kramatorsk", "UA"),
        ("Yazidis fled to Sinjar and Dohuk.", "Sinjar", "IQ"),
    ],
)
def test_conflict_towns_in_wire_sentences(parser, text, surface, country):
    assert found(parser, text, surface)["country_code"] == country


def test_long_texts_give_each_article_its_own_answer(parser):
    """The bounded context must not change what an article-sized text gets."""
    text = "Fighting near Mosul and Tal Afar, west of Erbil, displaced thousands to Dohuk."
    alone = [(p["text"], p["geonameid"]) for p in places(parser, text)]
    filler = " ".join(["Talks in Geneva continued."] * 60)
    long = [(p["text"], p["geonameid"]) for p in places(parser, filler + "\n\n" + text) if p["start"] > len(filler)]
    assert long == alone


# -- issue 12 item 1: GeoNames' own name kept beside the display name -------------------------


def test_geonames_name_beside_the_display_name_in_output_and_store(full_parser, any_store):
    """A journalist reads "Kobani"; an export matched against GeoNames needs "‘Ayn al ‘Arab" too."""
    import io

    from conflictmap import queries
    from conflictmap.articles import Article
    from conflictmap.filters import Filters
    from conflictmap.geoparser.parser import geoparse_lines
    from conflictmap.ingest import ingest_articles
    from conflictmap.mentions import Mention

    text = "Aid convoys reached Fallujah and Kobani on Monday."
    got = {p["text"]: p for p in places(full_parser, text)}
    assert (got["Fallujah"]["name"], got["Fallujah"]["geonames_name"]) == ("Fallujah", "Al Fallūjah")
    assert got["Kobani"]["name"] == "Kobani" and got["Kobani"]["geonames_name"] not in ("", "Kobani")
    lines = io.StringIO(json.dumps({"id": "k", "text": text}) + "\n")
    out = io.StringIO()
    geoparse_lines(lines, out, full_parser, errors=io.StringIO())
    assert {p["geonames_name"] for p in json.loads(out.getvalue())["places"]} == {"Al Fallūjah", got["Kobani"]["geonames_name"]}

    ingest_articles([Article(id="gn", title="t", text=text)], any_store, parser=full_parser)
    frame = queries.mentions(any_store, Filters())
    assert dict(zip(frame["name"], frame["geonames_name"])) == {"Fallujah": "Al Fallūjah", "Kobani": got["Kobani"]["geonames_name"]}
    assert "geonames_name" in queries.export(any_store, Filters(), "csv").splitlines()[0]
    stored = [Mention.from_dict(m) for m in any_store.article("gn")["mentions"]]
    assert {m.place.geonames_name for m in stored} == {"Al Fallūjah", got["Kobani"]["geonames_name"]}


def test_an_apostrophe_inside_a_romanised_name_keeps_the_name_whole(full_parser):
    """Issue 12 item 2: "Sa'dah" is found as written, as "Saada" is; "Iraq's" is still Iraq."""
    got = {p["text"]: p for p in places(full_parser, "Airstrikes hit Sa'dah overnight; Houthis held Sana'a. Iraq's army waited.")}
    assert got["Sa'dah"]["country_code"] == "YE" and got["Sana'a"]["country_code"] == "YE"
    assert got["Iraq"]["kind"] == "country"


# -- issue 12 items 3-4: place slots; issue 11/12: bare airport names -------------------------


@pytest.mark.parametrize(
    "text, surface, country",
    [
        ("Malian troops entered Gao on Saturday.", "Gao", "ML"),
        ("Sinjar was surrounded.", "Sinjar", "IQ"),
        ("Russian missiles struck Kyiv, Kharkiv and Odesa before dawn.", "Kharkiv", "UA"),
        ("The coastguard rescued 300 people off Lampedusa.", "Lampedusa", "IT"),
        ("Flights were cancelled at Heathrow and Schiphol as the strike spread.", "Schiphol", "NL"),
        ("Gao was calm on Sunday after the attack.", "Gao", "ML"),
        ("Kramatorsk came under fire again.", "Kramatorsk", "UA"),
        ("Sinjar fell to the militants in August.", "Sinjar", "IQ"),
        ("Kharkiv has been under curfew since Friday.", "Kharkiv", "UA"),
        ("Kramatorsk braced for an assault.", "Kramatorsk", "UA"),
        ("Donetsk lies in ruins.", "Donetsk", "UA"),
    ],
)
def test_a_lone_foreign_name_in_a_place_slot_is_a_place(full_parser, text, surface, country):
    """A preposition, a verb of motion, a passive of one, a list led by one, or what is said of a
    town's state ("was calm", "came under fire", "fell") leaves room only for a place."""
    assert found(full_parser, text, surface)["country_code"] == country


@pytest.mark.parametrize(
    "text",
    [
        "Prime Minister Nouri al-Maliki spoke on Sunday. Security forces loyal to Maliki were deployed.",
        "Maliki has said he will challenge the nomination. The vote left Maliki with few allies.",
        "Parliament failed to vote on Maliki's request.",
    ],
)
def test_a_place_slot_does_not_pin_a_person(full_parser, text):
    assert not [p for p in places(full_parser, text) if p["text"] == "Maliki"]


@pytest.mark.parametrize("text", ["Copernicus was a great astronomer.", "The Harbour was busy at noon.",
                                  "Ms Stinson said the plan was sound."])
def test_a_bare_name_only_an_airport_has_needs_strong_evidence(full_parser, text):
    """LGL's "Copernicus", "Harbour", "Stinson": the gazetteer knows them only as airports."""
    assert not [p for p in places(full_parser, text) if p["kind"] == "landmark"]


@pytest.mark.parametrize(
    "text, surface, country",
    [
        ("Flights were cancelled at Heathrow.", "Heathrow", "GB"),  # not Heathrow, Florida (a town of 6,000)
        ("Heathrow said the third runway would open in 2030.", "Heathrow", "GB"),
        ("Passengers flew into Dulles on Monday.", "Dulles", "US"),
        ("Flights into O'Hare were delayed by snow.", "O'Hare", "US"),
        ("He landed at Ben Gurion Airport.", "Ben Gurion Airport", "IL"),
        ("He landed at Ben Gurion airport.", "Ben Gurion", "IL"),  # known only with its kind word
        ("Queen Alia airport reopened.", "Queen Alia", "JO"),
        ("Passengers at Schiphol and Gatwick waited for hours.", "Gatwick", "GB"),
    ],
)
def test_a_name_an_airport_answers_to_beside_air_travel_is_the_airport(full_parser, text, surface, country):
    got = found(full_parser, text, surface)
    assert (got["kind"], got["country_code"]) == ("landmark", country), got


@pytest.mark.parametrize("text", ["John Foster Dulles flew to Paris.", "Secretary Dulles boarded the plane."])
def test_a_surname_beside_air_travel_is_no_airport(full_parser, text):
    assert not [p for p in places(full_parser, text) if p["text"] == "Dulles"]


def test_a_town_before_the_word_airport_stays_the_town(full_parser):
    """"Cairo airport" says nothing of which of the Cairos' airports: the city is the better pin."""
    got = found(full_parser, "Flights at Cairo airport resumed.", "Cairo")
    assert (got["kind"], got["country_code"]) == ("city", "EG")


def test_a_qualified_namesake_of_an_airport_stays_the_town(full_parser):
    got = found(full_parser, "He flew home to Heathrow, Florida, in 2010.", "Heathrow")
    assert (got["kind"], got["country_code"]) == ("city", "US")


def test_a_parse_sets_older_objects_aside_and_gives_them_back(full_parser):
    """Full collections during a parse walk only its own objects (docs/benchmarks.md, long texts)."""
    seen = []

    def probe(phase, info):
        if phase == "start":
            seen.append(gc.get_freeze_count())

    text = " ".join(["Flights from Mosul to Baghdad and Erbil resumed on Monday."] * 2000)
    gc.callbacks.append(probe)
    try:
        full_parser.parse(text)
    finally:
        gc.callbacks.remove(probe)
    assert seen and min(seen) > 0  # collections ran, and with the older objects frozen
    assert gc.get_freeze_count() == 0


def test_a_program_that_froze_objects_itself_keeps_its_freeze(full_parser):
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 1000
        full_parser.parse("Strikes hit Mosul.")
        # an unfreeze would empty the permanent generation; refcounting may still free a few frozen objects
        assert gc.get_freeze_count() > 0.9 * frozen
    finally:
        gc.unfreeze()


def test_parses_in_threads_share_one_freeze(full_parser):
    from concurrent.futures import ThreadPoolExecutor
    texts = ["Strikes hit Mosul and Kirkuk on Monday. " * 200] * 8
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(full_parser.parse, texts))
    assert all(r and r[0].place.name == "Mosul" for r in results)
    assert gc.get_freeze_count() == 0


# -- issue 12 item 3 / issue 11 item 1: a town as the subject of a short sentence, a town in a list ----


# (the towns whose state the sentence tells, "Gao was calm", are among the place slots' cases above)


@pytest.mark.parametrize("text", ["Mr Gao was calm after the verdict.", "Gao Yan was calm after the verdict.",
                                  "Gao said he was tired. Gao was calm after the verdict."])
def test_a_surname_whose_state_the_sentence_tells_stays_a_person(full_parser, text):
    """A title, a following name or the name speaking says it is a person's."""
    assert not [p for p in places(full_parser, text) if p["text"] == "Gao"]


@pytest.mark.parametrize("text", ["Paris and Geneva hosted talks.", "Geneva and Paris hosted talks.",
                                  "Vienna, Paris or Geneva may host talks."])
def test_a_town_listed_beside_a_place_is_a_place(full_parser, text):
    """Geneva is also a given name: beside a place in a list it reads as a town (which Geneva is resolution's job)."""
    assert found(full_parser, text, "Geneva")["kind"] == "city"
    assert found(full_parser, text, "Geneva")["country_code"] == "CH"


def test_a_hamlet_beside_a_namesake_is_no_witness_for_a_famous_name(full_parser):
    """"Vienna" beside "Geneva" is the capital: a hamlet called Vienna a few miles from Geneva,
    New York says nothing about Geneva; Paris, Tennessee beside Henry County still holds."""
    assert found(full_parser, "Talks in Vienna and Geneva ended.", "Geneva")["country_code"] == "CH"
    tn = found(full_parser, "A fire in Paris destroyed a barn, Henry County officials said.", "Paris")
    assert (tn["country_code"], tn["admin1"]) == ("US", "Tennessee")


@pytest.mark.parametrize("text", ["Russia invaded Georgia in 2008.", "Georgia and Ukraine want to join NATO.",
                                  "Officials in Washington said Georgia's president would visit.",
                                  "Turkey and Georgia signed a gas deal."])
def test_georgia_beside_its_neighbours_or_its_president_is_the_country(full_parser, text):
    """A neighbour named (as actor or setting), a list of countries, or what only a state has."""
    assert found(full_parser, text, "Georgia")["country_code"] == "GE"


@pytest.mark.parametrize("text", ["Florida and Georgia braced for the storm.", "Georgia's governor signed the bill.",
                                  "Atlanta, Georgia was hit by storms.", "Georgia's military bases employ thousands."])
def test_georgia_beside_american_places_stays_the_state(full_parser, text):
    got = found(full_parser, text, "Georgia")
    assert (got["country_code"], got["kind"]) == ("US", "admin1")


def test_a_family_name_alone_is_the_person_the_text_named_in_full(full_parser):
    """"Nouri al-Maliki" ... "Late on Sunday, Maliki had accused": the bare family name is his."""
    text = "Parliament put Abadi forward in place of Prime Minister Nouri al-Maliki. Late on Sunday, Maliki had accused the president."
    assert not [p for p in places(full_parser, text) if p["text"] == "Maliki"]


@pytest.mark.parametrize("text", ["Paris and Mr Geneva met.", "Paris and Geneva Smith met.",
                                  "Paris and Geneva Post reporters met."])
def test_a_list_does_not_make_a_person_or_a_paper_a_place(full_parser, text):
    assert not [p for p in places(full_parser, text) if p["text"].startswith("Geneva")]


def test_resolution_cues_are_the_ones_the_model_weighs(full_parser):
    """`resolve` sums a candidate's cues by name: each cue dict holds exactly the names
    STANDING and CONTEXT declare (and training writes weights for)."""
    from conflictmap.geoparser.parser import dateline_end
    from conflictmap.geoparser.resolution_context import candidates, read_context
    from conflictmap.geoparser.resolution_cues import CONTEXT, STANDING, context, standing
    from conflictmap.geoparser.sentences import sentences
    from conflictmap.geoparser.spans import tokenize

    text = "Russia invaded Georgia near Tbilisi."
    tokens = tokenize(text, sentences(text))
    spans = full_parser.recognizer.recognize(text, tokens, dateline=(0, dateline_end(text)))
    cands = candidates(spans)
    ctx = read_context(spans, cands)
    assert len(spans) == 3
    for i in range(len(spans)):
        rows, said = standing(i, spans, cands, ctx), context(i, spans, cands, ctx)
        assert rows and len(rows) == len(said) == len(cands[i])
        assert all(set(row) == set(STANDING) for row in rows)
        assert all(set(row) == set(CONTEXT) for row in said)
    assert set(full_parser.recognizer.model["resolver"]) <= set(STANDING) | set(CONTEXT)


@pytest.mark.parametrize("text", ["Rohingya refugees live in camps near Cox's Bazar.", "Aid reached Cox’s Bazar on Monday."])
def test_a_possessive_inside_a_name_is_part_of_it(parser, text):
    """"Cox's Bazar": the "'s" joins two words of one name; "Iraq's Mosul" stays two places."""
    assert found(parser, text, text[text.index("Cox"):text.index("Bazar") + 5])["country_code"] == "BD"
    assert {p["text"] for p in places(parser, "Iraq's Mosul fell.")} == {"Iraq", "Mosul"}


@pytest.mark.parametrize("text, town, country", [
    ("GOMA, Congo (Reuters) - Rebels seized the airport on Monday.", "GOMA", "CD"),
    ("Brazzaville, Congo, was calm on Monday.", "Brazzaville", "CG"),
    ("Shelling hit Alexandria, Louisiana, overnight.", "Alexandria", "US"),
])
def test_the_name_after_a_town_is_where_the_town_is(parser, text, town, country):
    """"GOMA, Congo": the qualifier is the town's own country, whichever Congo that makes it."""
    assert found(parser, text, town)["country_code"] == country
    qualifier = text.split(",")[1].split("(")[0].strip()
    assert found(parser, text, qualifier)["country_code"] == country
