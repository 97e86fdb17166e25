-- The event log is append-only: the database itself refuses to change or remove an event,
-- whoever asks. Corrections are new events. See ARCHITECTURE.md, "Tamper evidence".

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on events is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- Nobody but the owner gets more than reading and appending by default.
REVOKE UPDATE, DELETE, TRUNCATE ON events FROM PUBLIC;
