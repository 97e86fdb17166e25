-- Every command that recorded events, by the id its client gave it: the same command sent
-- twice is recorded once, and answered with the events of its first execution.
CREATE TABLE commands (
    command_id      TEXT        PRIMARY KEY,
    aggregate_type  TEXT        NOT NULL,
    aggregate_id    TEXT        NOT NULL,
    first_position  BIGINT      NOT NULL REFERENCES events (position),
    last_position   BIGINT      NOT NULL REFERENCES events (position)
);
