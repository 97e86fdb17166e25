-- The files contributions carry, kept beside the log (which records each one's SHA-256, size
-- and kind): sealed under the key of their author's words (the member, or for an anonymous
-- inhabitant the consultation), so that an erasure that destroys the key leaves nothing
-- readable, and deletes the rows too. One row per author and content: the same file sent twice
-- by one author is kept once.
CREATE TABLE contribution_files (
    subject_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sealed TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (subject_id, sha256)
);
-- What the read model shows of a contribution's file (its name stays in `attachment`, sealed).
ALTER TABLE proj_contributions ADD COLUMN file_sha256 TEXT;
ALTER TABLE proj_contributions ADD COLUMN file_media_type TEXT;
ALTER TABLE proj_contributions ADD COLUMN file_size INTEGER;
