-- Notifications: an outbox fed from the event log (see ledger/src/notify/). Like a read model,
-- the outbox has a checkpoint, the last log position it turned into notifications, moved in
-- the same transaction as the rows it inserted. Unlike the events, these rows change: they
-- are claimed, sent, retried and, for personal data, erased.

CREATE TABLE notify_checkpoint (
    name      TEXT    PRIMARY KEY,
    position  BIGINT  NOT NULL
);
INSERT INTO notify_checkpoint (name, position) VALUES ('outbox', 0);

-- How each person wishes to be told: a member (subject = member id) or an anonymous
-- inhabitant who left an address with a contribution (subject = contribution id). The address
-- is personal data: erasing the member, or the inhabitant unsubscribing, removes it.
CREATE TABLE notify_contacts (
    subject_id         TEXT  PRIMARY KEY,
    email              TEXT,
    lang               TEXT  NOT NULL,
    unsubscribe_token  TEXT  NOT NULL UNIQUE,
    unsubscribed_at    TEXT
);

-- One row per notification. `notification_key` is stable (a UUID v5 of the event and the
-- recipient): the same notification is the same row, and is sent as the e-mail's Message-ID
-- and the webhook's delivery id. Channels: `email`, `webhook`, `member` (in the service).
-- Status: `queued`, `sent`, `failed`, `cancelled` (e-mail, webhook); `unread`, `read` (member).
CREATE TABLE notify_outbox (
    notification_key  TEXT    PRIMARY KEY,
    position          BIGINT  NOT NULL,
    community_id      TEXT,
    channel           TEXT    NOT NULL,
    subject_id        TEXT,
    member_id         TEXT,
    recipient         TEXT,
    lang              TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    attempts          BIGINT  NOT NULL,
    next_attempt_at   TEXT    NOT NULL,
    last_error        TEXT,
    created_at        TEXT    NOT NULL,
    sent_at           TEXT
);
CREATE INDEX notify_outbox_due ON notify_outbox (status, next_attempt_at);
CREATE INDEX notify_outbox_member ON notify_outbox (member_id, position);
CREATE INDEX notify_outbox_subject ON notify_outbox (subject_id);
