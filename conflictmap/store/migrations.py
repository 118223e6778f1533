"""The SQLite store's schema, as the ordered list of steps that build it.

Kept apart from the store's code so that a schema change reads as one appended entry,
and so that another backend can keep its own list with the same numbering.
"""

from __future__ import annotations

# Each entry upgrades the schema by one version; never edit a released entry,
# append a new one.  PRAGMA user_version records how many have run.
MIGRATIONS: list[str] = [
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
        id INTEGER PRIMARY KEY,
        geonameid INTEGER UNIQUE,
        name TEXT NOT NULL,
        lat REAL NOT NULL,
        lon REAL NOT NULL,
        country_code TEXT NOT NULL DEFAULT '',
        admin1 TEXT NOT NULL DEFAULT '',
        feature TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'city'
    );
    CREATE TABLE mentions (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        surface TEXT NOT NULL,
        place_id INTEGER NOT NULL REFERENCES places(id),
        sentence TEXT NOT NULL DEFAULT '',
        sentence_start INTEGER NOT NULL DEFAULT 0,
        day TEXT,
        date_cue TEXT NOT NULL DEFAULT '',
        confidence REAL NOT NULL DEFAULT 0,
        reason TEXT NOT NULL DEFAULT '',
        candidates TEXT NOT NULL DEFAULT '[]',
        UNIQUE (article_id, start)
    );
    CREATE INDEX mentions_place ON mentions(place_id);
    CREATE INDEX mentions_day ON mentions(day);
    CREATE TABLE corrections (
        place_id INTEGER PRIMARY KEY REFERENCES places(id),
        action TEXT NOT NULL CHECK (action IN ('replace', 'reject')),
        new_place_id INTEGER REFERENCES places(id),
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE VIEW effective_mentions AS
        SELECT m.*, COALESCE(c.new_place_id, m.place_id) AS eff_place_id
        FROM mentions m LEFT JOIN corrections c ON c.place_id = m.place_id
        WHERE c.action IS NULL OR c.action = 'replace';
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
    ALTER TABLE corrections ADD COLUMN made_by TEXT NOT NULL DEFAULT '';
    CREATE TABLE correction_log (
        id INTEGER PRIMARY KEY,
        place_id INTEGER NOT NULL REFERENCES places(id),
        from_place_id INTEGER REFERENCES places(id),
        to_place_id INTEGER REFERENCES places(id),
        made_by TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX correction_log_place ON correction_log(place_id, id);
    INSERT INTO correction_log (place_id, from_place_id, to_place_id, note, created_at)
        SELECT place_id, place_id, new_place_id, note, created_at FROM corrections ORDER BY created_at;
    CREATE TRIGGER rev_correction_log_ins AFTER INSERT ON correction_log BEGIN UPDATE revision SET n = n + 1; END;
    """,
    # 6: the day index of the counts covers what a view sums, so a year's view reads the
    #    index alone instead of looking every bucket up
    """
    DROP INDEX place_days_day;
    CREATE INDEX place_days_day ON place_days(day, demonym, place_id, mentions, articles);
    """,
    # 7 (geoparser, issue 12): GeoNames' own name beside the display name; NULL for places
    #    stored before (a regeoparse fills it) and for points picked by hand
    """
    ALTER TABLE places ADD COLUMN geonames_name TEXT;
    """,
]
