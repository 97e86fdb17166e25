-- Ids of sub-records (a CPTS's collèges and bodies, a consultation's contributions) are chosen
-- by the caller but name their sub-record on their own across the log: each is claimed once,
-- whatever the CPTS, in the transaction that appends the event creating it (the append holds
-- the write lock, so two claims of one id cannot both be recorded). See domain/src/claims.rs.
CREATE TABLE claimed_ids (
    kind            TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    aggregate_type  TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    position        INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
);

-- The claims of the events already recorded; the first event to use an id keeps it.
INSERT OR IGNORE INTO claimed_ids (kind, id, aggregate_type, aggregate_id, position)
SELECT kind, id, aggregate_type, aggregate_id, position FROM (
    SELECT 'college' AS kind, json_extract(payload, '$.CollegeDefined.college_id') AS id,
           aggregate_type, aggregate_id, position
      FROM events WHERE aggregate_type = 'community' AND event_type = 'CollegeDefined'
    UNION ALL
    SELECT 'body', json_extract(payload, '$.BodyEstablished.body_id'),
           aggregate_type, aggregate_id, position
      FROM events WHERE aggregate_type = 'community' AND event_type = 'BodyEstablished'
    UNION ALL
    SELECT 'contribution', json_extract(payload, '$.ContributionSubmitted.contribution_id'),
           aggregate_type, aggregate_id, position
      FROM events WHERE aggregate_type = 'consultation' AND event_type = 'ContributionSubmitted'
)
WHERE id IS NOT NULL
ORDER BY position;

-- Events a projection could not apply: set aside with the reason, so that the projection
-- goes on with the others (its checkpoint moves past them). Emptied by a rebuild, which
-- sets aside again whatever still fails.
CREATE TABLE proj_set_aside (
    projection    TEXT    NOT NULL,
    position      INTEGER NOT NULL,
    community_id  TEXT,
    reason        TEXT    NOT NULL,
    set_aside_at  TEXT    NOT NULL,
    PRIMARY KEY (projection, position)
);
