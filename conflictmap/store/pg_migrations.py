"""The PostgreSQL store's schema: the same ordered steps as SQLite's, numbered alike.

Entry N here builds what entry N of `migrations.MIGRATIONS` builds for SQLite, in
PostgreSQL's terms (a generated `tsvector` column with a GIN index instead of FTS5;
plpgsql triggers instead of SQLite's). Never edit a released entry; append.
The table `schema_version` records how many have run.
"""

from __future__ import annotations

from conflictmap.store.schema import (CONFIDENCE_COLUMNS, CONFIDENCE_FILL, CONFIDENT, CORRECTION_LOG, EFFECTIVE_MENTIONS, FIRST_TABLES,
                                      LEAN_AND_MONTHS, POSTGRES_TYPES)

# The day counts' "is this article already counted in this bucket?" probe, a lateral lookup of the
# article's own mentions (schema 7 says why), and the upsert of the bucket after it: as the
# functions of schema 7 and schema 9 (which adds the confidence sums after it) both write them
_ADDED_PROBE = """        LEFT JOIN LATERAL (SELECT TRUE AS yes FROM mentions o WHERE o.article_id = g.article_id AND +o.place_id = g.place_id
                           AND COALESCE(o.date, '') = g.day AND (o.reason LIKE 'demonym%') = g.demonym
                           AND o.id NOT IN (SELECT id FROM changed) LIMIT 1) seen ON TRUE
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (place_id, day, demonym) DO UPDATE
            SET mentions = t.mentions + excluded.mentions, articles = t.articles + excluded.articles"""
_REMOVED_PROBE = """        LEFT JOIN LATERAL (SELECT TRUE AS yes FROM mentions o WHERE o.article_id = g.article_id AND +o.place_id = g.place_id
                           AND COALESCE(o.date, '') = g.day AND (o.reason LIKE 'demonym%') = g.demonym LIMIT 1) seen ON TRUE
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (place_id, day, demonym) DO UPDATE
            SET mentions = t.mentions + excluded.mentions, articles = t.articles + excluded.articles"""

PG_MIGRATIONS: list[str] = [
    # 1: the first schema
    FIRST_TABLES.format(**POSTGRES_TYPES) + """
    -- a place picked on the map has no gazetteer id: its name and rounded point key it
    CREATE UNIQUE INDEX places_point ON places (name, round(lat::numeric, 4), round(lon::numeric, 4)) WHERE geonameid IS NULL;
    """,
    # 2: full-text search (PostgreSQL's own: a tsvector kept by the database, accents
    #    folded, with a GIN index) and a revision counter that every write bumps once,
    #    at commit, so caches know when what they hold is stale
    """
    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE TEXT SEARCH CONFIGURATION conflictmap (COPY = simple);
    ALTER TEXT SEARCH CONFIGURATION conflictmap ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    ALTER TABLE articles ADD COLUMN search tsvector
        GENERATED ALWAYS AS (to_tsvector('conflictmap'::regconfig, title || ' ' || text)) STORED;
    CREATE INDEX articles_search ON articles USING gin (search);
    CREATE TABLE revision (n BIGINT NOT NULL);
    INSERT INTO revision VALUES (0);
    CREATE FUNCTION bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- once per transaction, and as late as possible (the trigger is deferred to
        -- commit), so concurrent writers hold the counter's row lock only for an instant
        IF current_setting('conflictmap.bumped', true) IS DISTINCT FROM 'yes' THEN
            PERFORM set_config('conflictmap.bumped', 'yes', true);
            UPDATE revision SET n = n + 1;
        END IF;
        RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER rev_articles AFTER INSERT OR UPDATE OR DELETE ON articles
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_revision();
    CREATE CONSTRAINT TRIGGER rev_mentions AFTER INSERT OR DELETE ON mentions
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_revision();
    CREATE CONSTRAINT TRIGGER rev_corrections AFTER INSERT OR UPDATE OR DELETE ON corrections
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_revision();
    """,
    # 3: a mention's columns named as the `Mention` record names its fields (surface -> text, day -> date)
    """
    ALTER TABLE mentions RENAME COLUMN surface TO text;
    ALTER TABLE mentions RENAME COLUMN day TO date;
    ALTER INDEX mentions_day RENAME TO mentions_date;
    -- a view keeps the column names it was made with: make it again to take the new ones
    DROP VIEW effective_mentions;
    """ + EFFECTIVE_MENTIONS,
    # 4: a key of each article's text (spacing made uniform, hashed), so the same story
    #    arriving again through another format, file name or URL is known as stored. New
    #    rows get it from the store (sqlite.text_key, in Python); rows already here get the
    #    same hash computed in SQL (identical for texts whose spaces are ASCII).
    """
    ALTER TABLE articles ADD COLUMN text_key TEXT;
    UPDATE articles SET text_key = substr(encode(sha256(convert_to(
        regexp_replace(btrim(text, E' \t\n\r\f\v'), E'[ \t\n\r\f\v]+', ' ', 'g'), 'UTF8')), 'hex'), 1, 32);
    CREATE INDEX articles_text_key ON articles(text_key);
    """,
    # 5: counts by place and day kept up to date by triggers, so a view sums buckets
    #    instead of recounting every raw mention; who made a correction, and the history
    #    of every correction (who, when, from what, to what)
    """
    CREATE TABLE place_days (
        place_id BIGINT NOT NULL,
        day TEXT NOT NULL,
        demonym BOOLEAN NOT NULL,
        mentions INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        PRIMARY KEY (place_id, day, demonym)
    );
    CREATE INDEX place_days_day ON place_days(day);
    INSERT INTO place_days (place_id, day, demonym, mentions, articles)
        SELECT place_id, COALESCE(date, ''), reason LIKE 'demonym%', COUNT(*), COUNT(DISTINCT article_id)
        FROM mentions GROUP BY 1, 2, 3;
    -- Statement-level triggers over the rows a statement changed: an article's mentions
    -- (written in one statement or several) update each bucket once, in key order, so
    -- concurrent writers lock buckets in one order. An article counts once per bucket.
    CREATE FUNCTION place_days_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO place_days AS t (place_id, day, demonym, mentions, articles)
        SELECT g.place_id, g.day, g.demonym, SUM(g.n), SUM(CASE WHEN EXISTS (
                   SELECT 1 FROM mentions o WHERE o.article_id = g.article_id AND o.place_id = g.place_id
                   AND COALESCE(o.date, '') = g.day AND (o.reason LIKE 'demonym%') = g.demonym
                   AND o.id NOT IN (SELECT id FROM changed)) THEN 0 ELSE 1 END)
        FROM (SELECT article_id, place_id, COALESCE(date, '') AS day, reason LIKE 'demonym%' AS demonym, COUNT(*) AS n
              FROM changed GROUP BY 1, 2, 3, 4) g
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (place_id, day, demonym) DO UPDATE
            SET mentions = t.mentions + excluded.mentions, articles = t.articles + excluded.articles;
        RETURN NULL;
    END $$;
    CREATE FUNCTION place_days_remove() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO place_days AS t (place_id, day, demonym, mentions, articles)
        SELECT g.place_id, g.day, g.demonym, -SUM(g.n), -SUM(CASE WHEN EXISTS (
                   SELECT 1 FROM mentions o WHERE o.article_id = g.article_id AND o.place_id = g.place_id
                   AND COALESCE(o.date, '') = g.day AND (o.reason LIKE 'demonym%') = g.demonym) THEN 0 ELSE 1 END)
        FROM (SELECT article_id, place_id, COALESCE(date, '') AS day, reason LIKE 'demonym%' AS demonym, COUNT(*) AS n
              FROM changed GROUP BY 1, 2, 3, 4) g
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (place_id, day, demonym) DO UPDATE
            SET mentions = t.mentions + excluded.mentions, articles = t.articles + excluded.articles;
        DELETE FROM place_days t USING (SELECT DISTINCT place_id, COALESCE(date, '') AS day FROM changed) g
            WHERE t.place_id = g.place_id AND t.day = g.day AND t.mentions <= 0;
        RETURN NULL;
    END $$;
    CREATE TRIGGER place_days_ins AFTER INSERT ON mentions REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION place_days_add();
    CREATE TRIGGER place_days_del AFTER DELETE ON mentions REFERENCING OLD TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION place_days_remove();
    ALTER TABLE corrections ADD COLUMN made_by TEXT NOT NULL DEFAULT '';
    """ + CORRECTION_LOG.format(**POSTGRES_TYPES) + """
    CREATE CONSTRAINT TRIGGER rev_correction_log AFTER INSERT ON correction_log
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_revision();
    """,
    # 6: the day index of the counts covers what a view sums (index-only scans)
    """
    DROP INDEX place_days_day;
    CREATE INDEX place_days_day ON place_days (day, demonym, place_id) INCLUDE (mentions, articles);
    """,
    # 7: lean mention rows (runners-up in a side table) and counts per place and month and
    #    per article and day beside those per place and day (schema.LEAN_AND_MONTHS says why);
    #    the month rows follow every change of a day row (a row trigger on place_days)
    """
    DROP VIEW effective_mentions;
    """ + LEAN_AND_MONTHS.format(**POSTGRES_TYPES, without_rowid="") + """
    ALTER TABLE mentions DROP COLUMN candidates;
    """ + EFFECTIVE_MENTIONS + """
    CREATE FUNCTION place_months_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        r place_days%ROWTYPE;
        dm INTEGER;
        da INTEGER;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            r := OLD; dm := -OLD.mentions; da := -OLD.articles;
        ELSIF TG_OP = 'UPDATE' THEN
            r := NEW; dm := NEW.mentions - OLD.mentions; da := NEW.articles - OLD.articles;
        ELSE
            r := NEW; dm := NEW.mentions; da := NEW.articles;
        END IF;
        INSERT INTO place_months AS t (place_id, month, demonym, mentions, articles, first_day, last_day)
            SELECT r.place_id, substr(r.day, 1, 7), r.demonym, dm, da, MIN(d.day), MAX(d.day)
            FROM place_days d WHERE d.place_id = r.place_id AND d.demonym = r.demonym
                AND d.day >= substr(r.day, 1, 7) AND d.day <= substr(r.day, 1, 7) || '-99'
            ON CONFLICT (place_id, month, demonym) DO UPDATE SET mentions = t.mentions + excluded.mentions,
                articles = t.articles + excluded.articles, first_day = excluded.first_day, last_day = excluded.last_day;
        DELETE FROM place_months WHERE place_id = r.place_id AND month = substr(r.day, 1, 7) AND demonym = r.demonym
            AND mentions <= 0;
        RETURN NULL;
    END $$;
    CREATE TRIGGER place_months_follow AFTER INSERT OR UPDATE OR DELETE ON place_days
        FOR EACH ROW EXECUTE FUNCTION place_months_follow();
    CREATE FUNCTION article_days_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO article_days AS t (article_id, day, demonym, mentions)
            SELECT ch.article_id, COALESCE(ch.date, ''), ch.reason LIKE 'demonym%',
                   CASE WHEN TG_OP = 'DELETE' THEN -COUNT(*) ELSE COUNT(*) END
            FROM changed ch
            WHERE NOT EXISTS (SELECT 1 FROM corrections c WHERE c.place_id = ch.place_id AND c.action = 'reject')
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (article_id, day, demonym) DO UPDATE SET mentions = t.mentions + excluded.mentions;
        IF TG_OP = 'DELETE' THEN
            DELETE FROM article_days t USING (SELECT DISTINCT article_id FROM changed) g
                WHERE t.article_id = g.article_id AND t.mentions <= 0;
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER article_days_ins AFTER INSERT ON mentions REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION article_days_change();
    CREATE TRIGGER article_days_del AFTER DELETE ON mentions REFERENCING OLD TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION article_days_change();
    -- Count rows are updated in place over and over (a busy place on a busy day): with no
    -- count in a secondary index and room left in each page, PostgreSQL updates them as
    -- heap-only tuples instead of adding an index entry per update, so writes stay flat
    -- as the store grows. Views read month rows by month and day rows by day, then the row.
    DROP INDEX place_days_day;
    CREATE INDEX place_days_day ON place_days (day, demonym);
    DROP INDEX place_months_month;
    CREATE INDEX place_months_month ON place_months (month, demonym);
    -- and old row versions are vacuumed away after a few thousand updates, not a fifth of the table
    ALTER TABLE place_days SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);
    ALTER TABLE place_months SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000);
    ALTER TABLE article_days SET (fillfactor = 90);
        -- The day counts' "is this article already counted in this bucket?" probe, as a lateral
    -- lookup of the article's own mentions (its unique key; `+` keeps the place index out).
    -- Written as EXISTS, PostgreSQL (guessing the transition table's size) hashed it over
    -- every stored mention, so each article's write grew with the store.
    CREATE OR REPLACE FUNCTION place_days_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO place_days AS t (place_id, day, demonym, mentions, articles)
        SELECT g.place_id, g.day, g.demonym, SUM(g.n), SUM(CASE WHEN seen.yes THEN 0 ELSE 1 END)
        FROM (SELECT article_id, place_id, COALESCE(date, '') AS day, reason LIKE 'demonym%' AS demonym, COUNT(*) AS n
              FROM changed GROUP BY 1, 2, 3, 4) g
""" + _ADDED_PROBE + """;
        RETURN NULL;
    END $$;
    CREATE OR REPLACE FUNCTION place_days_remove() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO place_days AS t (place_id, day, demonym, mentions, articles)
        SELECT g.place_id, g.day, g.demonym, -SUM(g.n), -SUM(CASE WHEN seen.yes THEN 0 ELSE 1 END)
        FROM (SELECT article_id, place_id, COALESCE(date, '') AS day, reason LIKE 'demonym%' AS demonym, COUNT(*) AS n
              FROM changed GROUP BY 1, 2, 3, 4) g
""" + _REMOVED_PROBE + """;
        DELETE FROM place_days t USING (SELECT DISTINCT place_id, COALESCE(date, '') AS day FROM changed) g
            WHERE t.place_id = g.place_id AND t.day = g.day AND t.mentions <= 0;
        RETURN NULL;
    END $$;
    """,
    # 8 (geoparser, issue 12): GeoNames' own name beside the display name (NULL when unknown)
    """
    ALTER TABLE places ADD COLUMN geonames_name TEXT;
    """,
    # 9: a confidence sum and the number of mentions with a confidence in every day and month
    #    count (schema.CONFIDENCE_COLUMNS); filled with the month rows' follower switched off
    #    (the month sums are set from the day rows in one pass), then the three count
    #    functions made again with the sums
    CONFIDENCE_COLUMNS.format(**POSTGRES_TYPES) + """
    ALTER TABLE place_days DISABLE TRIGGER place_months_follow;
    """ + CONFIDENCE_FILL + """
    ALTER TABLE place_days ENABLE TRIGGER place_months_follow;
    CREATE OR REPLACE FUNCTION place_days_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO place_days AS t (place_id, day, demonym, mentions, articles, confidence_sum, confident)
        SELECT g.place_id, g.day, g.demonym, SUM(g.n), SUM(CASE WHEN seen.yes THEN 0 ELSE 1 END), SUM(g.total), SUM(g.confident)
        FROM (SELECT article_id, place_id, COALESCE(date, '') AS day, reason LIKE 'demonym%' AS demonym, COUNT(*) AS n,
                     SUM(""" + CONFIDENT.format(m="", one="confidence") + """) AS total, SUM(""" + CONFIDENT.format(m="", one="1") + """) AS confident
              FROM changed GROUP BY 1, 2, 3, 4) g
""" + _ADDED_PROBE + """,
                confidence_sum = t.confidence_sum + excluded.confidence_sum, confident = t.confident + excluded.confident;
        RETURN NULL;
    END $$;
    CREATE OR REPLACE FUNCTION place_days_remove() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO place_days AS t (place_id, day, demonym, mentions, articles, confidence_sum, confident)
        SELECT g.place_id, g.day, g.demonym, -SUM(g.n), -SUM(CASE WHEN seen.yes THEN 0 ELSE 1 END), -SUM(g.total), -SUM(g.confident)
        FROM (SELECT article_id, place_id, COALESCE(date, '') AS day, reason LIKE 'demonym%' AS demonym, COUNT(*) AS n,
                     SUM(""" + CONFIDENT.format(m="", one="confidence") + """) AS total, SUM(""" + CONFIDENT.format(m="", one="1") + """) AS confident
              FROM changed GROUP BY 1, 2, 3, 4) g
""" + _REMOVED_PROBE + """,
                confidence_sum = t.confidence_sum + excluded.confidence_sum, confident = t.confident + excluded.confident;
        DELETE FROM place_days t USING (SELECT DISTINCT place_id, COALESCE(date, '') AS day FROM changed) g
            WHERE t.place_id = g.place_id AND t.day = g.day AND t.mentions <= 0;
        RETURN NULL;
    END $$;
    CREATE OR REPLACE FUNCTION place_months_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        r place_days%ROWTYPE;
        dm INTEGER;
        da INTEGER;
        dc DOUBLE PRECISION;
        dn INTEGER;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            r := OLD; dm := -OLD.mentions; da := -OLD.articles; dc := -OLD.confidence_sum; dn := -OLD.confident;
        ELSIF TG_OP = 'UPDATE' THEN
            r := NEW; dm := NEW.mentions - OLD.mentions; da := NEW.articles - OLD.articles;
            dc := NEW.confidence_sum - OLD.confidence_sum; dn := NEW.confident - OLD.confident;
        ELSE
            r := NEW; dm := NEW.mentions; da := NEW.articles; dc := NEW.confidence_sum; dn := NEW.confident;
        END IF;
        INSERT INTO place_months AS t (place_id, month, demonym, mentions, articles, first_day, last_day, confidence_sum, confident)
            SELECT r.place_id, substr(r.day, 1, 7), r.demonym, dm, da, MIN(d.day), MAX(d.day), dc, dn
            FROM place_days d WHERE d.place_id = r.place_id AND d.demonym = r.demonym
                AND d.day >= substr(r.day, 1, 7) AND d.day <= substr(r.day, 1, 7) || '-99'
            ON CONFLICT (place_id, month, demonym) DO UPDATE SET mentions = t.mentions + excluded.mentions,
                articles = t.articles + excluded.articles, first_day = excluded.first_day, last_day = excluded.last_day,
                confidence_sum = t.confidence_sum + excluded.confidence_sum, confident = t.confident + excluded.confident;
        DELETE FROM place_months WHERE place_id = r.place_id AND month = substr(r.day, 1, 7) AND demonym = r.demonym
            AND mentions <= 0;
        RETURN NULL;
    END $$;
    """,
]
