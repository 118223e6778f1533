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
  own name of a bigger place (Al Khums is not "Homs": that frequency belongs to Syria's Homs).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Callable, Iterable

# Marks that romanise ayin/hamza: they are not written in English news.
_MARKS = str.maketrans({"‘": "", "ʿ": "", "ʾ": "", "`": "", "ʻ": "", "ʼ": "", "’": "'", "´": "'"})
_EXTRA_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe",
                             "Ł": "L", "Ø": "O", "Đ": "D", "Æ": "Ae", "Œ": "Oe"})
_SPACES = re.compile(r"\s+")
_WORD_SPLIT = re.compile(r"[ -]")
_ZIPF_SPLIT = re.compile(r"[ \-.]+")
_FORM = re.compile(r"^[A-Z](?:[A-Za-z .-]|(?<=[A-Za-z])'(?=[a-z]))*[A-Za-z]$")  # an apostrophe only inside a word: Cox's, Sa'dah
# Articles and particles inside romanised names; they are neither words to count nor capitals to require.
ARABIC_ARTICLES = frozenset("al el ar as ash ad adh an at ath az ez es ed er et en esh eth".split())
GLUE = frozenset("al el ar as ash ad adh an at ath az ad ed er es et ez en ul ud ur de del la le les di da do dos das du van von der of and bin bani".split())

MARGIN = 0.3  # how much better than the current name a candidate must score
MIN_SCORE = 1.0  # below this no candidate is known well enough to replace the current name
STABLE = 2.5  # a current name scoring this much is what English text writes: keep it
WORD_PENALTY = 1.0  # a phrase is written far less often than its rarest word
ORDINARY_PENALTY = 1.0
AGREEMENT_WEIGHT = 0.3
RESPELT_EDITS = 2  # a respelling of a name (Kiev/Kyiv, Odessa/Odesa), not another name (Cancun is not Changchun)
RESPELT_RATIO = 0.75  # nor a short name a third of which is different (Judah is not Jeddah)
WRITTEN_MIN_POP = 100_000  # below this a short respelling's frequency is mostly a word or a person's (Jonah, Olga)


@lru_cache(maxsize=200_000)
def english_form(name: str | None) -> str | None:
    """`name` in plain ASCII as English text would print it, or None if it is not Latin-script."""
    if not name:
        return None
    s = name.strip().translate(_MARKS)
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s.translate(_EXTRA_FOLD))
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
        if not s.isascii():
            return None
    s = _SPACES.sub(" ", s).strip(" '-")
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
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio() >= 0.8


def _words(form: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(form.lower()) if w]


def choose(
    current: str,
    alternates: Iterable[str],
    ordinary: Callable[[str], bool],
    taken: Callable[[str], bool] = lambda form: False,
    known: Callable[[str], bool] = lambda word: False,
) -> str:
    """The display name for a place called `current` in GeoNames, given its alternate names.

    `ordinary(word)` says whether a lower-case word is an ordinary English word;
    `taken(form)` whether the form is the own name of a bigger place; `known(word)` whether
    the dictionary knows the word at all (a surname, another place: "Mubarak", "Odessa").
    """
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
        if set(content) < base_words:
            return False  # a shortening ('Der Zor' for Deir ez-Zor, 'Victoria' for Ciudad Victoria) is another name
        if len(content) == 1 and len(base_words) > 1 and any(_respelling(content[0], w) for w in base_words):
            return False  # 'Yunus' for Khan Yunis: one word of the name, spelt another way, is a shortening too
        head, _, rest = base.lower().partition(" ")
        if rest == form.lower() and head not in ARABIC_ARTICLES:
            return False  # 'La Paz' is not 'Paz'; only the Arabic article is dropped in English
        return not taken(form)

    current_score = score(base) if base in counts else 0.0
    if base == current.strip() and current_score >= STABLE:
        return base
    candidates = [f for f in sorted(counts) if eligible(f)]
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
    from difflib import SequenceMatcher

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
