-- Chain version 2: from the first event appended after this migration, an event's hash also
-- covers its community_id column (ARCHITECTURE.md, "Hashing"). Events already recorded keep
-- their version 1 hash: history is not rewritten.

-- How each event was hashed: 1 for every event recorded before, 2 for every one after (the
-- store writes it; the default only labels the rows already there).
ALTER TABLE events ADD COLUMN chain_version INTEGER NOT NULL DEFAULT 1
    CHECK ((chain_version >= 1) AND (chain_version <= 2));

-- The position of the first version 2 event, set by the append that writes it, under the
-- head's lock. Every version 2 hash commits to it.
ALTER TABLE log_head ADD COLUMN chain_v2_from INTEGER CHECK (chain_v2_from >= 1);
