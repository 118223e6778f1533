"""The tables both backends build alike, written once: each migration list fills in its own
column types (SQLite's `INTEGER PRIMARY KEY` and `REAL`, PostgreSQL's `BIGSERIAL` and
`DOUBLE PRECISION`), so the two schemas cannot drift apart where they mean the same thing.

A released migration's text must not change; these templates give exactly the tables the
first releases created (`tests/test_postgres.py` compares the two lists' tables).
"""

from __future__ import annotations

SQLITE_TYPES = {"key": "INTEGER PRIMARY KEY", "int": "INTEGER", "real": "REAL", "flag": "INTEGER"}
POSTGRES_TYPES = {"key": "BIGSERIAL PRIMARY KEY", "int": "BIGINT", "real": "DOUBLE PRECISION", "flag": "BOOLEAN"}

# 1: articles, places, mentions, corrections and the view that applies corrections at read time
FIRST_TABLES = """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        url TEXT,
        author TEXT NOT NULL DEFAULT '',
        published TEXT,
        day TEXT,
        published_raw TEXT NOT NULL DEFAULT '',
        date_note TEXT NOT NULL DEFAULT '',
        language TEXT,
        origin TEXT NOT NULL DEFAULT '',
        metadata TEXT NOT NULL DEFAULT '{{}}',
        geoparser TEXT NOT NULL DEFAULT '',
        added_at TEXT NOT NULL
    );
    CREATE INDEX articles_day ON articles(day);
    CREATE INDEX articles_source ON articles(source);
    CREATE TABLE places (
        id {key},
        geonameid {int} UNIQUE,
        name TEXT NOT NULL,
        lat {real} NOT NULL,
        lon {real} NOT NULL,
        country_code TEXT NOT NULL DEFAULT '',
        admin1 TEXT NOT NULL DEFAULT '',
        feature TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'city'
    );
    CREATE TABLE mentions (
        id {key},
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        surface TEXT NOT NULL,
        place_id {int} NOT NULL REFERENCES places(id),
        sentence TEXT NOT NULL DEFAULT '',
        sentence_start INTEGER NOT NULL DEFAULT 0,
        day TEXT,
        date_cue TEXT NOT NULL DEFAULT '',
        confidence {real} NOT NULL DEFAULT 0,
        reason TEXT NOT NULL DEFAULT '',
        candidates TEXT NOT NULL DEFAULT '[]',
        UNIQUE (article_id, start)
    );
    CREATE INDEX mentions_place ON mentions(place_id);
    CREATE INDEX mentions_day ON mentions(day);
    CREATE TABLE corrections (
        place_id {int} PRIMARY KEY REFERENCES places(id),
        action TEXT NOT NULL CHECK (action IN ('replace', 'reject')),
        new_place_id {int} REFERENCES places(id),
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
""" + """
    CREATE VIEW effective_mentions AS
        SELECT m.*, COALESCE(c.new_place_id, m.place_id) AS eff_place_id
        FROM mentions m LEFT JOIN corrections c ON c.place_id = m.place_id
        WHERE c.action IS NULL OR c.action = 'replace';
"""
# the view alone, as PostgreSQL makes it again after renaming columns (its views keep old names)
EFFECTIVE_MENTIONS = FIRST_TABLES[FIRST_TABLES.index("    CREATE VIEW"):]

# 5 (part): who corrected what, when, from where to where
CORRECTION_LOG = """
    CREATE TABLE correction_log (
        id {key},
        place_id {int} NOT NULL REFERENCES places(id),
        from_place_id {int} REFERENCES places(id),
        to_place_id {int} REFERENCES places(id),
        made_by TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX correction_log_place ON correction_log(place_id, id);
    INSERT INTO correction_log (place_id, from_place_id, to_place_id, note, created_at)
        SELECT place_id, place_id, new_place_id, note, created_at FROM corrections ORDER BY created_at;
"""

# The kept counts recounted from the mentions (migrations fill them so; a bulk load that
# bypassed the triggers runs COUNTS_REBUILD): per place and day, per place and month, per article and day.
PLACE_DAYS_FILL = """
    INSERT INTO place_days (place_id, day, demonym, mentions, articles)
        SELECT place_id, COALESCE(date, ''), reason LIKE 'demonym%', COUNT(*), COUNT(DISTINCT article_id)
        FROM mentions GROUP BY 1, 2, 3;
"""
PLACE_MONTHS_FILL = """
    INSERT INTO place_months (place_id, month, demonym, mentions, articles, first_day, last_day)
        SELECT place_id, substr(day, 1, 7), demonym, SUM(mentions), SUM(articles), MIN(day), MAX(day)
        FROM place_days GROUP BY 1, 2, 3;
"""
ARTICLE_DAYS_FILL = """
    INSERT INTO article_days (article_id, day, demonym, mentions)
        SELECT article_id, COALESCE(date, ''), reason LIKE 'demonym%', COUNT(*) FROM mentions m
        WHERE NOT EXISTS (SELECT 1 FROM corrections c WHERE c.place_id = m.place_id AND c.action = 'reject')
        GROUP BY 1, 2, 3;
"""

# 9: each day and month count also keeps the sum of its mentions' confidence and how many
#    mentions have one (a confidence above 0), so a view's mean confidence per place is
#    SUM(confidence_sum) / SUM(confident) over the buckets it sums anyway, never a pass over
#    the raw mentions. A mention stored without a confidence (0) stays out of the mean, as
#    the raw read (`queries.places_with_confidence`) leaves it out.
CONFIDENT = "CASE WHEN {m}confidence > 0 THEN {one} ELSE 0 END"
PLACE_DAYS_REFILL = """
    INSERT INTO place_days (place_id, day, demonym, mentions, articles, confidence_sum, confident)
        SELECT place_id, COALESCE(date, ''), reason LIKE 'demonym%', COUNT(*), COUNT(DISTINCT article_id),
               SUM(""" + CONFIDENT.format(m="", one="confidence") + """), SUM(""" + CONFIDENT.format(m="", one="1") + """)
        FROM mentions GROUP BY 1, 2, 3;
"""
PLACE_MONTHS_REFILL = """
    INSERT INTO place_months (place_id, month, demonym, mentions, articles, first_day, last_day, confidence_sum, confident)
        SELECT place_id, substr(day, 1, 7), demonym, SUM(mentions), SUM(articles), MIN(day), MAX(day), SUM(confidence_sum),
               SUM(confident)
        FROM place_days GROUP BY 1, 2, 3;
"""
# the same sums set on count rows that exist already (migration 9 on a filled store)
CONFIDENCE_FILL = """
    UPDATE place_days SET confidence_sum = s.total, confident = s.n FROM (
        SELECT place_id, COALESCE(date, '') AS day, reason LIKE 'demonym%' AS demonym,
               SUM(""" + CONFIDENT.format(m="", one="confidence") + """) AS total, SUM(""" + CONFIDENT.format(m="", one="1") + """) AS n
        FROM mentions GROUP BY 1, 2, 3) s
        WHERE place_days.place_id = s.place_id AND place_days.day = s.day AND place_days.demonym = s.demonym;
    UPDATE place_months SET confidence_sum = s.total, confident = s.n FROM (
        SELECT place_id, substr(day, 1, 7) AS month, demonym, SUM(confidence_sum) AS total, SUM(confident) AS n
        FROM place_days GROUP BY 1, 2, 3) s
        WHERE place_months.place_id = s.place_id AND place_months.month = s.month AND place_months.demonym = s.demonym;
"""
CONFIDENCE_COLUMNS = """
    ALTER TABLE place_days ADD COLUMN confidence_sum {real} NOT NULL DEFAULT 0;
    ALTER TABLE place_days ADD COLUMN confident INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE place_months ADD COLUMN confidence_sum {real} NOT NULL DEFAULT 0;
    ALTER TABLE place_months ADD COLUMN confident INTEGER NOT NULL DEFAULT 0;
"""
COUNTS_REBUILD = ["DELETE FROM place_months", "DELETE FROM article_days", "DELETE FROM place_days",
                  PLACE_DAYS_REFILL.strip().rstrip(";"), PLACE_MONTHS_REFILL.strip().rstrip(";"), ARTICLE_DAYS_FILL.strip().rstrip(";")]

# 7 (part): lean mention rows and month counts.
#  - The runners-up (JSON) move out of the mention rows into a side table read only when an
#    excerpt or a correction shows them; most mentions have none, and views never read them.
#  - Counts per place and month follow the counts per day (kept by triggers on place_days),
#    so a window is whole months plus two partial edges; each month keeps its first and last day.
#  - A kept count of each article's visible mentions per day (mentions of rejected places
#    left out; the store adjusts it when a place is rejected or restored), so the totals count
#    distinct articles over a few rows per article instead of every raw mention.
LEAN_AND_MONTHS = """
    CREATE TABLE mention_candidates (
        mention_id {int} PRIMARY KEY REFERENCES mentions(id) ON DELETE CASCADE,
        candidates TEXT NOT NULL
    );
    INSERT INTO mention_candidates (mention_id, candidates) SELECT id, candidates FROM mentions WHERE candidates NOT IN ('', '[]');
    CREATE TABLE place_months (
        place_id {int} NOT NULL,
        month TEXT NOT NULL,
        demonym {flag} NOT NULL,
        mentions INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        first_day TEXT,
        last_day TEXT,
        PRIMARY KEY (place_id, month, demonym)
    ){without_rowid};
""" + PLACE_MONTHS_FILL + """    CREATE INDEX place_months_month ON place_months(month, demonym, place_id, mentions, articles, first_day, last_day);
    CREATE TABLE article_days (
        article_id TEXT NOT NULL,
        day TEXT NOT NULL,
        demonym {flag} NOT NULL,
        mentions INTEGER NOT NULL,
        PRIMARY KEY (article_id, day, demonym)
    ){without_rowid};
""" + ARTICLE_DAYS_FILL + """    CREATE INDEX article_days_day ON article_days(day, demonym, article_id);
"""
