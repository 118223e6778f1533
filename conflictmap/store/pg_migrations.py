"""The PostgreSQL store's schema: the same ordered steps as SQLite's, numbered alike.

Entry N here builds what entry N of `migrations.MIGRATIONS` builds for SQLite, in
PostgreSQL's terms (a generated `tsvector` column with a GIN index instead of FTS5;
plpgsql triggers instead of SQLite's). Never edit a released entry; append.
The table `schema_version` records how many have run.
"""

from __future__ import annotations

PG_MIGRATIONS: list[str] = [
    # 1: the first schema
    """
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
        metadata TEXT NOT NULL DEFAULT '{}',
        geoparser TEXT NOT NULL DEFAULT '',
        added_at TEXT NOT NULL
    );
    CREATE INDEX articles_day ON articles(day);
    CREATE INDEX articles_source ON articles(source);
    CREATE TABLE places (
        id BIGSERIAL PRIMARY KEY,
        geonameid BIGINT UNIQUE,
        name TEXT NOT NULL,
        lat DOUBLE PRECISION NOT NULL,
        lon DOUBLE PRECISION NOT NULL,
        country_code TEXT NOT NULL DEFAULT '',
        admin1 TEXT NOT NULL DEFAULT '',
        feature TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'city'
    );
    -- a place picked on the map has no gazetteer id: its name and rounded point key it
    CREATE UNIQUE INDEX places_point ON places (name, round(lat::numeric, 4), round(lon::numeric, 4)) WHERE geonameid IS NULL;
    CREATE TABLE mentions (
        id BIGSERIAL PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        surface TEXT NOT NULL,
        place_id BIGINT NOT NULL REFERENCES places(id),
        sentence TEXT NOT NULL DEFAULT '',
        sentence_start INTEGER NOT NULL DEFAULT 0,
        day TEXT,
        date_cue TEXT NOT NULL DEFAULT '',
        confidence DOUBLE PRECISION NOT NULL DEFAULT 0,
        reason TEXT NOT NULL DEFAULT '',
        candidates TEXT NOT NULL DEFAULT '[]',
        UNIQUE (article_id, start)
    );
    CREATE INDEX mentions_place ON mentions(place_id);
    CREATE INDEX mentions_day ON mentions(day);
    CREATE TABLE corrections (
        place_id BIGINT PRIMARY KEY REFERENCES places(id),
        action TEXT NOT NULL CHECK (action IN ('replace', 'reject')),
        new_place_id BIGINT REFERENCES places(id),
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE VIEW effective_mentions AS
        SELECT m.*, COALESCE(c.new_place_id, m.place_id) AS eff_place_id
        FROM mentions m LEFT JOIN corrections c ON c.place_id = m.place_id
        WHERE c.action IS NULL OR c.action = 'replace';
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
    CREATE VIEW effective_mentions AS
        SELECT m.*, COALESCE(c.new_place_id, m.place_id) AS eff_place_id
        FROM mentions m LEFT JOIN corrections c ON c.place_id = m.place_id
        WHERE c.action IS NULL OR c.action = 'replace';
    """,
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
    CREATE TABLE correction_log (
        id BIGSERIAL PRIMARY KEY,
        place_id BIGINT NOT NULL REFERENCES places(id),
        from_place_id BIGINT REFERENCES places(id),
        to_place_id BIGINT REFERENCES places(id),
        made_by TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX correction_log_place ON correction_log(place_id, id);
    INSERT INTO correction_log (place_id, from_place_id, to_place_id, note, created_at)
        SELECT place_id, place_id, new_place_id, note, created_at FROM corrections ORDER BY created_at;
    CREATE CONSTRAINT TRIGGER rev_correction_log AFTER INSERT ON correction_log
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_revision();
    """,
    # 6: the day index of the counts covers what a view sums (index-only scans)
    """
    DROP INDEX place_days_day;
    CREATE INDEX place_days_day ON place_days (day, demonym, place_id) INCLUDE (mentions, articles);
    """,
    # 7 (geoparser, issue 12): GeoNames' own name beside the display name (NULL when unknown)
    """
    ALTER TABLE places ADD COLUMN geonames_name TEXT;
    """,
]
