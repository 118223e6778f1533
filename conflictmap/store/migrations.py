"""The SQLite store's schema, as the ordered list of steps that build it.

Kept apart from the store's code so that a schema change reads as one appended entry,
and so that another backend can keep its own list with the same numbering.
"""

from __future__ import annotations

from conflictmap.store.schema import (CONFIDENCE_COLUMNS, CONFIDENCE_FILL, CONFIDENT, CORRECTION_LOG, EFFECTIVE_MENTIONS, FIRST_TABLES,
                                      LEAN_AND_MONTHS, SQLITE_TYPES)

# The triggers that keep the per-place-and-day counts (schema 5; schema 7 makes them again
# with the "already counted" probe kept to the article's own mentions)
DAY_COUNT_TRIGGERS = """
    CREATE TRIGGER place_days_ins AFTER INSERT ON mentions BEGIN
        INSERT INTO place_days (place_id, day, demonym, mentions, articles)
        VALUES (new.place_id, COALESCE(new.date, ''), new.reason LIKE 'demonym%', 1,
                NOT EXISTS (SELECT 1 FROM mentions o WHERE o.article_id = new.article_id AND o.id != new.id
                            AND o.place_id = new.place_id AND COALESCE(o.date, '') = COALESCE(new.date, '')
                            AND (o.reason LIKE 'demonym%') = (new.reason LIKE 'demonym%')))
        ON CONFLICT (place_id, day, demonym) DO UPDATE SET mentions = mentions + 1, articles = articles + excluded.articles;
    END;
    CREATE TRIGGER place_days_del AFTER DELETE ON mentions BEGIN
        UPDATE place_days SET mentions = mentions - 1,
            articles = articles - NOT EXISTS (SELECT 1 FROM mentions o WHERE o.article_id = old.article_id
                AND o.place_id = old.place_id AND COALESCE(o.date, '') = COALESCE(old.date, '')
                AND (o.reason LIKE 'demonym%') = (old.reason LIKE 'demonym%'))
        WHERE place_id = old.place_id AND day = COALESCE(old.date, '') AND demonym = (old.reason LIKE 'demonym%');
        DELETE FROM place_days WHERE place_id = old.place_id AND day = COALESCE(old.date, '')
            AND demonym = (old.reason LIKE 'demonym%') AND mentions <= 0;
    END;
"""

# What a month row does when one of its day rows goes: its first and last day read again, and
# the row itself gone when nothing is left in it (schema 7's trigger, and schema 9's)
_MONTH_ROW_GONE = """            first_day = (SELECT MIN(day) FROM place_days WHERE place_id = old.place_id AND demonym = old.demonym
                         AND day >= substr(old.day, 1, 7) AND day <= substr(old.day, 1, 7) || '-99'),
            last_day = (SELECT MAX(day) FROM place_days WHERE place_id = old.place_id AND demonym = old.demonym
                        AND day >= substr(old.day, 1, 7) AND day <= substr(old.day, 1, 7) || '-99')
            WHERE place_id = old.place_id AND month = substr(old.day, 1, 7) AND demonym = old.demonym;
        DELETE FROM place_months WHERE place_id = old.place_id AND month = substr(old.day, 1, 7) AND demonym = old.demonym
            AND mentions <= 0;
    END;
"""

# Schema 9: the same day counts, and the month counts that follow them, with each bucket's
# confidence sum and number of mentions with a confidence (schema.CONFIDENCE_COLUMNS)
_NEW_SUM, _OLD_SUM = CONFIDENT.format(m="new.", one="new.confidence"), CONFIDENT.format(m="old.", one="old.confidence")
_NEW_ONE, _OLD_ONE = CONFIDENT.format(m="new.", one="1"), CONFIDENT.format(m="old.", one="1")
CONFIDENCE_COUNT_TRIGGERS = f"""
    CREATE TRIGGER place_days_ins AFTER INSERT ON mentions BEGIN
        INSERT INTO place_days (place_id, day, demonym, mentions, articles, confidence_sum, confident)
        VALUES (new.place_id, COALESCE(new.date, ''), new.reason LIKE 'demonym%', 1,
                NOT EXISTS (SELECT 1 FROM mentions o WHERE o.article_id = new.article_id AND o.id != new.id
                            AND +o.place_id = new.place_id AND COALESCE(o.date, '') = COALESCE(new.date, '')
                            AND (o.reason LIKE 'demonym%') = (new.reason LIKE 'demonym%')),
                {_NEW_SUM}, {_NEW_ONE})
        ON CONFLICT (place_id, day, demonym) DO UPDATE SET mentions = mentions + 1, articles = articles + excluded.articles,
            confidence_sum = confidence_sum + excluded.confidence_sum, confident = confident + excluded.confident;
    END;
    CREATE TRIGGER place_days_del AFTER DELETE ON mentions BEGIN
        UPDATE place_days SET mentions = mentions - 1,
            articles = articles - NOT EXISTS (SELECT 1 FROM mentions o WHERE o.article_id = old.article_id
                AND +o.place_id = old.place_id AND COALESCE(o.date, '') = COALESCE(old.date, '')
                AND (o.reason LIKE 'demonym%') = (old.reason LIKE 'demonym%')),
            confidence_sum = confidence_sum - {_OLD_SUM}, confident = confident - {_OLD_ONE}
        WHERE place_id = old.place_id AND day = COALESCE(old.date, '') AND demonym = (old.reason LIKE 'demonym%');
        DELETE FROM place_days WHERE place_id = old.place_id AND day = COALESCE(old.date, '')
            AND demonym = (old.reason LIKE 'demonym%') AND mentions <= 0;
    END;
    CREATE TRIGGER place_months_ins AFTER INSERT ON place_days BEGIN
        INSERT INTO place_months (place_id, month, demonym, mentions, articles, first_day, last_day, confidence_sum, confident)
            SELECT new.place_id, substr(new.day, 1, 7), new.demonym, new.mentions, new.articles, MIN(day), MAX(day),
                   new.confidence_sum, new.confident
            FROM place_days WHERE place_id = new.place_id AND demonym = new.demonym
                AND day >= substr(new.day, 1, 7) AND day <= substr(new.day, 1, 7) || '-99'
            ON CONFLICT (place_id, month, demonym) DO UPDATE SET mentions = mentions + excluded.mentions,
                articles = articles + excluded.articles, first_day = excluded.first_day, last_day = excluded.last_day,
                confidence_sum = confidence_sum + excluded.confidence_sum, confident = confident + excluded.confident;
    END;
    CREATE TRIGGER place_months_upd AFTER UPDATE ON place_days BEGIN
        UPDATE place_months SET mentions = mentions + new.mentions - old.mentions, articles = articles + new.articles - old.articles,
            confidence_sum = confidence_sum + new.confidence_sum - old.confidence_sum, confident = confident + new.confident - old.confident
            WHERE place_id = new.place_id AND month = substr(new.day, 1, 7) AND demonym = new.demonym;
    END;
    CREATE TRIGGER place_months_del AFTER DELETE ON place_days BEGIN
        UPDATE place_months SET mentions = mentions - old.mentions, articles = articles - old.articles,
            confidence_sum = confidence_sum - old.confidence_sum, confident = confident - old.confident,
{_MONTH_ROW_GONE}"""

# Each entry upgrades the schema by one version; never edit a released entry,
# append a new one.  PRAGMA user_version records how many have run.
MIGRATIONS: list[str] = [
    # 1: the first schema
    FIRST_TABLES.format(**SQLITE_TYPES) + """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_ins AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_del AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    END;
    """,
    # 2: the full-text index keyed by article id (not by SQLite's implicit rowid, which
    #    VACUUM may renumber), and a revision counter that every write bumps, so caches
    #    know when what they hold is stale
    """
    DROP TRIGGER articles_fts_ins;
    DROP TRIGGER articles_fts_del;
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        id UNINDEXED, title, text, tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO articles_fts (id, title, text) SELECT id, title, text FROM articles;
    CREATE TRIGGER articles_fts_ins AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (id, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_upd AFTER UPDATE OF title, text ON articles BEGIN
        UPDATE articles_fts SET title = new.title, text = new.text WHERE id = old.id;
    END;
    CREATE TRIGGER articles_fts_del AFTER DELETE ON articles BEGIN
        DELETE FROM articles_fts WHERE id = old.id;
    END;
    CREATE TABLE revision (n INTEGER NOT NULL);
    INSERT INTO revision VALUES (0);
    CREATE TRIGGER rev_articles_ins AFTER INSERT ON articles BEGIN UPDATE revision SET n = n + 1; END;
    CREATE TRIGGER rev_articles_upd AFTER UPDATE ON articles BEGIN UPDATE revision SET n = n + 1; END;
    CREATE TRIGGER rev_articles_del AFTER DELETE ON articles BEGIN UPDATE revision SET n = n + 1; END;
    CREATE TRIGGER rev_mentions_ins AFTER INSERT ON mentions BEGIN UPDATE revision SET n = n + 1; END;
    CREATE TRIGGER rev_mentions_del AFTER DELETE ON mentions BEGIN UPDATE revision SET n = n + 1; END;
    CREATE TRIGGER rev_corrections_ins AFTER INSERT ON corrections BEGIN UPDATE revision SET n = n + 1; END;
    CREATE TRIGGER rev_corrections_upd AFTER UPDATE ON corrections BEGIN UPDATE revision SET n = n + 1; END;
    CREATE TRIGGER rev_corrections_del AFTER DELETE ON corrections BEGIN UPDATE revision SET n = n + 1; END;
    """,
    # 3: a mention's columns named as the `Mention` record names its fields, so a key is
    #    the same word from the geoparser to the pages (surface -> text, day -> date)
    """
    ALTER TABLE mentions RENAME COLUMN surface TO text;
    ALTER TABLE mentions RENAME COLUMN day TO date;
    DROP INDEX mentions_day;
    CREATE INDEX mentions_date ON mentions(date);
    """,
    # 4: a key of each article's text (whitespace made uniform, hashed), so the same story
    #    arriving again through another format, file name or URL is known as stored.
    #    text_key() is a function the store registers on its connection (sqlite.text_key).
    """
    ALTER TABLE articles ADD COLUMN text_key TEXT;
    UPDATE articles SET text_key = text_key(text);
    CREATE INDEX articles_text_key ON articles(text_key);
    CREATE TRIGGER articles_text_key_ins AFTER INSERT ON articles WHEN new.text_key IS NULL BEGIN
        UPDATE articles SET text_key = text_key(new.text) WHERE rowid = new.rowid;
    END;
    """,
    # 5: counts by place and day kept up to date by triggers, so a view sums a few thousand
    #    buckets instead of recounting every raw mention; who made a correction, and the
    #    history of every correction (who, when, from what, to what)
    """
    CREATE TABLE place_days (
        place_id INTEGER NOT NULL,
        day TEXT NOT NULL,
        demonym INTEGER NOT NULL,
        mentions INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        PRIMARY KEY (place_id, day, demonym)
    ) WITHOUT ROWID;
    CREATE INDEX place_days_day ON place_days(day);
    INSERT INTO place_days (place_id, day, demonym, mentions, articles)
        SELECT place_id, COALESCE(date, ''), reason LIKE 'demonym%', COUNT(*), COUNT(DISTINCT article_id)
        FROM mentions GROUP BY 1, 2, 3;
    """ + DAY_COUNT_TRIGGERS + """
    ALTER TABLE corrections ADD COLUMN made_by TEXT NOT NULL DEFAULT '';
    """ + CORRECTION_LOG.format(**SQLITE_TYPES) + """
    CREATE TRIGGER rev_correction_log_ins AFTER INSERT ON correction_log BEGIN UPDATE revision SET n = n + 1; END;
    """,
    # 6: the day index of the counts covers what a view sums, so a year's view reads the
    #    index alone instead of looking every bucket up
    """
    DROP INDEX place_days_day;
    CREATE INDEX place_days_day ON place_days(day, demonym, place_id, mentions, articles);
    """,
    # 7: lean mention rows (runners-up in a side table; the full-text index reads the text
    #    from the articles instead of keeping a second copy, keyed by a stable integer of
    #    its own since VACUUM may renumber rowids), and counts per place and month and per
    #    article and day beside those per place and day (schema.LEAN_AND_MONTHS says why)
    """
    DROP VIEW effective_mentions;
    """ + LEAN_AND_MONTHS.format(**SQLITE_TYPES, without_rowid=" WITHOUT ROWID") + """
    ALTER TABLE mentions DROP COLUMN candidates;
    """ + EFFECTIVE_MENTIONS + """
    CREATE TRIGGER place_months_ins AFTER INSERT ON place_days BEGIN
        INSERT INTO place_months (place_id, month, demonym, mentions, articles, first_day, last_day)
            SELECT new.place_id, substr(new.day, 1, 7), new.demonym, new.mentions, new.articles, MIN(day), MAX(day)
            FROM place_days WHERE place_id = new.place_id AND demonym = new.demonym
                AND day >= substr(new.day, 1, 7) AND day <= substr(new.day, 1, 7) || '-99'
            ON CONFLICT (place_id, month, demonym) DO UPDATE SET mentions = mentions + excluded.mentions,
                articles = articles + excluded.articles, first_day = excluded.first_day, last_day = excluded.last_day;
    END;
    CREATE TRIGGER place_months_upd AFTER UPDATE ON place_days BEGIN
        UPDATE place_months SET mentions = mentions + new.mentions - old.mentions, articles = articles + new.articles - old.articles
            WHERE place_id = new.place_id AND month = substr(new.day, 1, 7) AND demonym = new.demonym;
    END;
    CREATE TRIGGER place_months_del AFTER DELETE ON place_days BEGIN
        UPDATE place_months SET mentions = mentions - old.mentions, articles = articles - old.articles,
""" + _MONTH_ROW_GONE + """    CREATE TRIGGER article_days_ins AFTER INSERT ON mentions
        WHEN NOT EXISTS (SELECT 1 FROM corrections c WHERE c.place_id = new.place_id AND c.action = 'reject') BEGIN
        INSERT INTO article_days (article_id, day, demonym, mentions)
            VALUES (new.article_id, COALESCE(new.date, ''), new.reason LIKE 'demonym%', 1)
            ON CONFLICT (article_id, day, demonym) DO UPDATE SET mentions = mentions + 1;
    END;
    CREATE TRIGGER article_days_del AFTER DELETE ON mentions
        WHEN NOT EXISTS (SELECT 1 FROM corrections c WHERE c.place_id = old.place_id AND c.action = 'reject') BEGIN
        UPDATE article_days SET mentions = mentions - 1
            WHERE article_id = old.article_id AND day = COALESCE(old.date, '') AND demonym = (old.reason LIKE 'demonym%');
        DELETE FROM article_days WHERE article_id = old.article_id AND day = COALESCE(old.date, '')
            AND demonym = (old.reason LIKE 'demonym%') AND mentions <= 0;
    END;
    DROP TRIGGER articles_fts_ins;
    DROP TRIGGER articles_fts_upd;
    DROP TRIGGER articles_fts_del;
    DROP TABLE articles_fts;
    ALTER TABLE articles ADD COLUMN fts_rowid INTEGER;
    UPDATE articles SET fts_rowid = rowid;
    CREATE UNIQUE INDEX articles_fts_rowid ON articles(fts_rowid);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='fts_rowid', tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
    CREATE TRIGGER articles_fts_key AFTER INSERT ON articles WHEN new.fts_rowid IS NULL BEGIN
        UPDATE articles SET fts_rowid = (SELECT COALESCE(MAX(fts_rowid), 0) + 1 FROM articles) WHERE rowid = new.rowid;
    END;
    CREATE TRIGGER articles_fts_ins AFTER UPDATE OF fts_rowid ON articles WHEN old.fts_rowid IS NULL BEGIN
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.fts_rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_upd AFTER UPDATE OF title, text ON articles WHEN old.fts_rowid IS NOT NULL BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.fts_rowid, old.title, old.text);
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.fts_rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_del AFTER DELETE ON articles WHEN old.fts_rowid IS NOT NULL BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.fts_rowid, old.title, old.text);
    END;
        -- the day counts' "is this article already counted here?" probe reads the article's own
    -- mentions (the unique key), never every mention of the place: `+` keeps the place index out
    DROP TRIGGER place_days_ins;
    DROP TRIGGER place_days_del;
    """ + DAY_COUNT_TRIGGERS.replace("o.place_id = ", "+o.place_id = ") + """
    """,
    # 8 (geoparser, issue 12): GeoNames' own name beside the display name; NULL for places
    #    stored before (a regeoparse fills it) and for points picked by hand
    """
    ALTER TABLE places ADD COLUMN geonames_name TEXT;
    """,
    # 9: a confidence sum and the number of mentions with a confidence in every day and month
    #    count, so a view's mean confidence per place comes from the counts it reads anyway
    #    (schema.CONFIDENCE_COLUMNS); the triggers are made again with the sums, and the
    #    covering indexes of the counts cover the sums too
    """
    DROP TRIGGER place_days_ins;
    DROP TRIGGER place_days_del;
    DROP TRIGGER place_months_ins;
    DROP TRIGGER place_months_upd;
    DROP TRIGGER place_months_del;
    """ + CONFIDENCE_COLUMNS.format(**SQLITE_TYPES) + CONFIDENCE_FILL + CONFIDENCE_COUNT_TRIGGERS + """
    DROP INDEX place_days_day;
    CREATE INDEX place_days_day ON place_days(day, demonym, place_id, mentions, articles, confidence_sum, confident);
    DROP INDEX place_months_month;
    CREATE INDEX place_months_month ON place_months(month, demonym, place_id, mentions, articles, first_day, last_day,
                                                    confidence_sum, confident);
    """,
]
