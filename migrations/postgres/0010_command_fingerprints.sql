-- Who sent each command and a digest of what it said, so that a repeated command id is
-- answered only to the same actor with the same command, and a create sent again without a
-- command id can be recognised. The digest is SHA-256 of the command's canonical JSON: no
-- text of the command is kept here. Commands recorded before this migration have neither;
-- the service then answers a repeat only to the actor named in the events' metadata.
ALTER TABLE commands ADD COLUMN actor TEXT;
ALTER TABLE commands ADD COLUMN command_hash TEXT;
-- The command that created a record is found from the record's first event.
CREATE INDEX commands_first_position ON commands (first_position);
