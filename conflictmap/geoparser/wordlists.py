"""The word lists recognition reads a name's surroundings by.

Hand-written English news vocabulary (our own): what may join the words of one name, the
prepositions and verbs that take a place, the titles and heads that make a name a
person's or an organisation's. Each list is one job; the cues that use them say why.
"""

from __future__ import annotations

# Feature code of the curated seats of power (geodata/curated/seats_of_power.csv): GeoNames'
# "administrative facility", which the gazetteer holds for nothing else.
SEAT_OF_POWER = "ADMF"
# GeoNames feature codes of rivers, seas, lakes, straits, islands, ranges and valleys.
NATURAL_FEATURES = frozenset("STM STMS SEA GULF BAY LK LKS OCN STRT CHN ISL ISLS MTS VAL".split())

# What may stand between two words of one name: "New York", "Tal-Afar", "U.S.", "St. Louis".
JOINERS = {" ", "-", ".", "'", "’", "‘", "‐", "–", ". ", ".-", " - "}
CONNECTORS = frozenset(
    "of the de del della di da do dos das du des la le les el al ad ar as ash az en et y upon on sur am an der den van von bin ibn and i".split()
)
# A lowercase article glued to the next word by a hyphen: "al-Qaim", "as-Sukhnah", and its
# French-style spellings: "Deir ez-Zor", "Ras el-Ain", "Jisr esh-Shughur".
ARTICLE_PREFIXES = frozenset("al el ad ar as ash az an at ath ul ez es ed er et en esh eth".split())
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
# What is said of a place as the subject of its sentence ("Gao was calm", "Kramatorsk came under
# fire", "Sinjar fell"): a verb of being or staying, then a state a town is in; or "came under";
# or "fell". (A person can be calm too: the slot only speaks for a name with no person reading.)
BEING_VERBS = frozenset("was were is are remained remains stayed stays been".split())
PLACE_STATES = frozenset(
    "calm quiet tense peaceful deserted besieged encircled cut calmer quieter under".split()
)
COMING_VERBS = frozenset("came comes come coming".split())
FALLING_VERBS = frozenset("fell falls".split())
# What only a sovereign state has, written after its name ("Georgia's president", "the Georgia
# parliament", "Georgia's ambassador"): the name is the country, not a namesake province or state.
# Not "army", "military" or "foreign": a US state has army posts, military bases and foreign trade.
STATE_NOUNS = frozenset(
    "president presidency premier prime parliament parliamentary embassy embassies ambassador envoy sovereignty".split()
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
# The kind of area written after a name ("Aleppo province", "Zaatari camp"): the gazetteer may hold the two together.
AREA_WORDS = {"regional": "region", "provincial": "province", "province": "province", "governorate": "governorate",
              "region": "region", "state": "state", "district": "district", "camp": "camp"}
# A kind word read only after a name the gazetteer does not know alone ("Ben Gurion airport",
# "Queen Alia airport"): after a town's name ("Cairo airport") it says nothing of which airport,
# and the town is the better pin.
NAME_ONLY_WITH = {"airport": "airport"}
PLACE_HEADS = frozenset("county parish province governorate district region state city town village borough township".split())
MONTHS = frozenset("january february march april may june july august september october november december".split())
BODIES = frozenset("party movement militia".split())
# Words of air travel: beside one of them a name that an airport answers to means the airport
# ("flights at Heathrow", "landed at Dulles"), not its namesake town or a person.
AVIATION = frozenset(
    "airport airports airline airlines airways airliner flight flights flew fly flying landed landing landings"
    " runway runways terminal terminals passenger passengers plane planes aircraft jet jets jetliner departures"
    " arrivals departure arrival takeoff hangar boarding gate gates baggage".split()
)
AVIATION_WINDOW = 12  # tokens either side
