"""The English display name of a place, chosen from the spellings GeoNames already carries.

GeoNames names places by formal romanisation (Tikrīt, Al Fallūjah, ‘Ayn al ‘Arab, Tall ‘Afar);
English news writes Tikrit, Fallujah, Kobani, Tal Afar. Both are among a place's alternate
names, so the choice is made from data, never typed in per place:

* every candidate is folded to plain ASCII letters (accents and ayin/hamza marks dropped);
* it scores by how often English text uses it (wordfreq, Zipf scale), plus a little for how
  many of GeoNames' spellings fold to it (a spelling many languages' editors agree on is the
  widespread one), minus a penalty for each extra word and for words that are ordinary
  English ("Tall" in "Tall Afar" says nothing about how often the name is written);
* the folded GeoNames name keeps its place when English text already writes it often
  (Kyiv, Kharkiv, Zhengzhou) and otherwise unless a candidate beats it clearly;
* a candidate is never a word the dictionary knows ("Chin", "Mubarak": a common word, a
  person or another place), a code ("NY", "DEZ"), a shortening
  of the GeoNames name ("Der Zor", "Victoria" for Ciudad Victoria, or one of its words respelt:
  "Yunus" for Khan Yunis), a multi-word form sharing
  no word with the GeoNames name (a foreign transliteration, "Tao Trang"), or the
  own name of a bigger place (Al Khums is not "Homs": that frequency belongs to Syria's Homs);
* a word a longer form brings in, neither the name's nor a respelling of one of its words,
  is never one the dictionary knows: "Jan" in the Spanish "Jan Yunis" for Khan Yunis, "Jar"
  in "Rahim Jar Han" are frequent as themselves, not as the town;
* another name altogether (one word, no respelling of the name: Kobani for ‘Ayn al ‘Arab,
  but also Caesarea for Kayseri, Lamy for N'Djamena, Stavropol for Tolyatti) mostly owes its
  frequency to something else: an old name, a person, another place. It must beat the name
  by `ANOTHER_MARGIN`, be no other place's own name (`elsewhere`), and be no more frequent
  than a town's name plausibly is (`ANOTHER_MAX_ZIPF`: "Homo" is not Qom). Spellings are
  compared with their spaces and hyphens dropped, so "Naypyidaw" respells "Nay Pyi Taw".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Callable, Iterable

# Marks that romanise ayin/hamza: they are not written in English news.
_MARKS = str.maketrans({"‘": "", "ʿ": "", "ʾ": "", "`": "", "ʻ": "", "ʼ": "", "’": "'", "´": "'"})
_EXTRA_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe",
                             "Ł": "L", "Ø": "O", "Đ": "D", "Ð": "D", "Æ": "Ae", "Œ": "Oe", "ħ": "h", "Ħ": "H", "ə": "e", "Ə": "E"})
_SPACES = re.compile(r"\s+")
_WORD_SPLIT = re.compile(r"[ -]")
_ZIPF_SPLIT = re.compile(r"[ \-.]+")
_FORM = re.compile(r"^[A-Z](?:[A-Za-z .-]|(?<=[A-Za-z])'(?=[a-z]))*[A-Za-z]$")  # an apostrophe only inside a word: Cox's, Sa'dah
# Articles and particles inside romanised names; they are neither words to count nor capitals to require.
ARABIC_ARTICLES = frozenset("al el ar as ash ad adh an at ath az ez es ed er et en esh eth".split())
GLUE = frozenset("al el ar as ash ad adh an at ath az ad ed er es et ez en ul ud ur de del la le les di da do dos das du van von der of and bin bani"
                 " e i ye".split())  # the Persian ezafe: Mazar-e Sharif, Mazar-i-Sharif

MARGIN = 0.3  # how much better than the current name a candidate must score
MIN_SCORE = 1.0  # below this no candidate is known well enough to replace the current name
STABLE = 2.5  # a current name scoring this much is what English text writes: keep it
WORD_PENALTY = 1.0  # a phrase is written far less often than its rarest word
ORDINARY_PENALTY = 1.0
AGREEMENT_WEIGHT = 0.3
RESPELT_EDITS = 2  # a respelling of a name (Kiev/Kyiv, Odessa/Odesa), not another name (Cancun is not Changchun)
RESPELT_RATIO = 0.75  # nor a short name a third of which is different (Judah is not Jeddah)
WRITTEN_MIN_POP = 100_000  # below this a short respelling's frequency is mostly a word or a person's (Jonah, Olga)
ANOTHER_MARGIN = 0.7  # another name must be written clearly more than the name (Kobani +0.77; Bost +0.35 is a surname)
ANOTHER_RATIO = 0.7  # below this share of letters in common, two one-word names are two names (Lamy, N'Djamena)
ANOTHER_FAMILY = 3  # spellings that must write another name: a living name many editors give, not one source's old one
ANOTHER_MAX_ZIPF = 3.0  # a one-word name written more than this is a word or a person before it is a town


def folded(name: str | None) -> str | None:
    """`name` in plain ASCII letters (accents and ayin/hamza marks dropped), or None if it is not Latin-script.

    A place's own name is always shown so, whatever its form: "Mazar-e Sharif", "Usti nad Labem".
    """
    if not name:
        return None
    s = name.strip().translate(_MARKS).replace("–", "-")
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s.translate(_EXTRA_FOLD))
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
        if not s.isascii():
            return None
    return _SPACES.sub(" ", s).strip(" -") or None


@lru_cache(maxsize=200_000)
def english_form(name: str | None) -> str | None:
    """`name` as English text would print it, or None if it is not Latin-script or not shaped like a name."""
    s = (folded(name) or "").strip(" '-")
    if not s or not _FORM.match(s):
        return None
    words = _WORD_SPLIT.split(s)
    if any(w and w[0].islower() and w.lower() not in GLUE for w in words):
        return None  # 'mo sul', 'alhlt': transliteration keys, not names
    return s


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    try:
        import wordfreq
    except ImportError:  # the cue is simply absent; names stay GeoNames' (folded)
        return {}
    return wordfreq.get_frequency_dict("en")


def zipf(form: str) -> float:
    """Zipf frequency of a (multi-word) form, combining words the way wordfreq does (1/f = sum 1/f_i)."""
    freqs = _frequencies()
    words = [w for w in _ZIPF_SPLIT.split(form.lower()) if w]
    if not words:
        return 0.0
    inv = 0.0
    for w in words:
        f = freqs.get(w) or freqs.get(w.replace("'", ""))
        if not f:
            return 0.0
        inv += 1.0 / f
    return max(0.0, math.log10(1.0 / inv) + 9.0)


def _respelling(a: str, b: str) -> bool:
    """Are two words the same word spelt another way ('yunus', 'yunis')? One letter in five may differ."""
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def _words(form: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(form.lower()) if w]


def _letters(form: str) -> str:
    """The letters of a name without a leading Arabic article: 'Ar Raqqah', 'al-Raqqah' -> 'raqqah'."""
    words = _WORD_SPLIT.split(form.lower(), maxsplit=1)
    core = words[1] if len(words) == 2 and words[0] in ARABIC_ARTICLES else form.lower()
    return "".join(ch for ch in core if ch.isalpha())


def _clipped(form: str, base: str) -> bool:
    """Is `form` only the name with letters left out ('Pikin' of Pikine, 'Elst' of Elista)?

    English drops a final h (Raqqah, Raqqa); any other letter missing, and none changed, is a
    slip or a word that happens to be inside the name, not a way to spell it.
    """
    a, b = _letters(form), _letters(base)
    if b.endswith("h") and not a.endswith("h"):
        b = b[:-1]
    if len(a) >= len(b):
        return False
    rest = iter(b)
    return all(ch in rest for ch in a)


def _joined(form: str) -> str:
    return re.sub(r"[ \-']", "", form.lower())


def choose(
    current: str,
    alternates: Iterable[str],
    ordinary: Callable[[str], bool],
    taken: Callable[[str], bool] = lambda form: False,
    known: Callable[[str], bool] = lambda word: False,
    elsewhere: Callable[[str], bool] = lambda form: False,
) -> str:
    """The display name for a place called `current` in GeoNames, given its alternate names.

    `ordinary(word)` says whether a lower-case word is an ordinary English word;
    `taken(form)` whether the form is the own name of a bigger place; `known(word)` whether
    the dictionary knows the word at all (a surname, another place: "Mubarak", "Odessa");
    `elsewhere(form)` whether the form is the own name of any other place, whatever its size.
    When no spelling replaces GeoNames' name, it is shown folded all the same ("Mazar-e Sharif").
    """
    chosen = _choose(current, alternates, ordinary, taken, known, elsewhere)
    return chosen if chosen != current else (folded(current) or current)


def _choose(
    current: str,
    alternates: Iterable[str],
    ordinary: Callable[[str], bool],
    taken: Callable[[str], bool],
    known: Callable[[str], bool],
    elsewhere: Callable[[str], bool],
) -> str:
    base = english_form(current) or current
    if base == current.strip() and zipf(base) >= STABLE:
        return base  # English already writes GeoNames' name (Kyiv, Baghdad, Paris)
    counts: Counter[str] = Counter()
    for form in [current, *alternates]:
        f = english_form(form)
        if f:
            counts[f] += 1
    if not counts:
        return base
    base_words = {w for w in _words(base) if w not in GLUE}

    def brought_in(word: str) -> bool:
        return word not in base_words and not any(_respelling(word, w) for w in base_words)

    def another_name(form: str) -> bool:
        """One word that neither shares nor respells a word of the name: a name of another origin."""
        words = [w for w in _words(form) if w not in GLUE]
        if len(words) != 1 or not brought_in(words[0]):
            return False
        return SequenceMatcher(None, _joined(form), _joined(base)).ratio() < ANOTHER_RATIO  # Derna/Darnah is a respelling

    scores: dict[str, float] = {}

    def score(form: str) -> float:
        if form in scores:
            return scores[form]
        words = _words(form)
        content = [w for w in words if w not in GLUE]
        s = zipf(form) + AGREEMENT_WEIGHT * math.log2(counts.get(form, 1))
        s -= WORD_PENALTY * (len(words) - 1)
        s -= ORDINARY_PENALTY * sum(1 for w in content if ordinary(w.replace("'", "")))
        scores[form] = s
        return s

    def eligible(form: str) -> bool:
        if form == base:
            return True
        if not any(ch.islower() for ch in form):
            return False  # a code: 'NY', 'DEZ'
        words = _words(form)
        content = [w for w in words if w not in GLUE]
        if not content:
            return False
        if len(words) == 1 and (known(words[0].replace("'", "")) or any(w.startswith(words[0]) and len(w) - len(words[0]) >= 2 for w in base_words)):
            return False  # 'Mubarak' is a man before it is Mobarakeh; 'Sams' is not Samsun
        letters = sum(ch.isalpha() for ch in form)
        if len(words) == 1 and (ordinary(words[0].replace("'", "")) or (letters < 4 and not base.lower().endswith(" " + form.lower()))):
            return False
        if len(words) > 1 and not base_words.intersection(content):
            return False
        if len(words) > 1 and any(brought_in(w) and known(w.replace("'", "")) for w in content):
            return False  # 'Jan Yunis': the frequency of 'jan' is the month's and the name's
        if set(content) < base_words:
            return False  # a shortening ('Der Zor' for Deir ez-Zor, 'Victoria' for Ciudad Victoria) is another name
        if len(content) == 1 and len(base_words) > 1 and any(_respelling(content[0], w) for w in base_words):
            return False  # 'Yunus' for Khan Yunis: one word of the name, spelt another way, is a shortening too
        head, _, rest = base.lower().partition(" ")
        if rest == form.lower() and head not in ARABIC_ARTICLES:
            return False  # 'La Paz' is not 'Paz'; only the Arabic article is dropped in English
        if counts[form] < 2 and _clipped(form, base):
            return False  # one source's 'Pikin' for Pikine, 'Mias' for Miass, 'Jibo' for Djibo: a slip or a word
        return not taken(form)

    current_score = score(base) if base in counts else 0.0
    if base == current.strip() and current_score >= STABLE:
        return base
    candidates = [f for f in sorted(counts) if eligible(f)]
    if not candidates:
        return base
    def family(form: str) -> int:
        """How many of GeoNames' spellings write this name, in one spelling or another."""
        return sum(n for f, n in counts.items() if _respelling(_joined(f), _joined(form)))

    candidates = [f for f in candidates if not another_name(f) or (
        score(f) >= current_score + ANOTHER_MARGIN and zipf(f) <= ANOTHER_MAX_ZIPF
        and family(f) >= ANOTHER_FAMILY and not elsewhere(f))]
    if not candidates:
        return base
    best = max(candidates, key=lambda f: (score(f), counts[f], f == base))
    best_score = score(best)
    if best != base and best_score >= MIN_SCORE and best_score >= current_score + MARGIN:
        return best
    return base


def _edits(a: str, b: str) -> int:
    """Letters to insert, drop or change to turn `a` into `b` (Levenshtein distance)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def written_more(
    display: str,
    alternates: Iterable[str],
    ordinary: Callable[[str], bool],
    taken: Callable[[str], bool] = lambda form: False,
) -> str | None:
    """The respelling of a place's name that English text writes more often than its display name, if any.

    The display name stays GeoNames' when English already writes it (Kyiv) or when the other
    spelling is a dictionary word (Odessa), yet archives and wire copy still write the older
    romanisation (Kiev, Odessa) far more. A story that writes it names the place as plainly as
    its main name would, so the geoparser counts it as a main name too. To be that, a spelling
    must be the same name respelt (the same first letter and words, at most `RESPELT_EDITS`
    letters different: Hanna is not Khanna),
    given by at least two of GeoNames' spellings (several sources agree; "Monterey" once for
    Monterrey is a slip), written often (Zipf ≥ `STABLE`) and more than the display name, not an
    ordinary English word, and not the own name of a bigger place (its frequency is theirs).
    Another name (Bombay for Mumbai, Saigon) is not a respelling and is left to population.
    """
    counts = Counter(f for f in map(english_form, alternates) if f)
    shown = display.lower()
    best, best_zipf = None, max(zipf(display), STABLE)
    for form in sorted(counts):
        low = form.lower()
        if form == display or counts[form] < 2 or low[0] != shown[0] or not any(ch.islower() for ch in form):
            continue
        if sum(ch.isalpha() for ch in form) < 4 or len(_words(form)) != len(_words(display)):
            continue
        if _edits(low, shown) > RESPELT_EDITS or SequenceMatcher(None, low, shown).ratio() < RESPELT_RATIO:
            continue
        if any(ordinary(w.replace("'", "")) for w in _words(form) if w not in GLUE):
            continue
        z = zipf(form)
        if z > best_zipf and not taken(form):
            best, best_zipf = form, z
    return best
