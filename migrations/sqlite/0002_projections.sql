-- Read models, derived from the event log alone (see projections/). Each projection records in
-- proj_checkpoints the last log position it applied, in the same transaction as its rows.
-- Dates are ISO 8601 text (YYYY-MM-DD), which sorts and compares as dates on both backends.

CREATE TABLE proj_checkpoints (
    projection  TEXT    PRIMARY KEY,
    position    INTEGER    NOT NULL
);
INSERT INTO proj_checkpoints (projection, position) VALUES
    ('timeline', 0), ('register', 0), ('consultations', 0), ('decisions', 0);

CREATE TABLE proj_timeline (
    position        INTEGER    PRIMARY KEY,
    community_id    TEXT,
    aggregate_type  TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    sequence        INTEGER    NOT NULL,
    event_type      TEXT    NOT NULL,
    actor           TEXT    NOT NULL,
    command_id      TEXT,
    recorded_at     TEXT    NOT NULL
);
CREATE INDEX proj_timeline_community ON proj_timeline (community_id, position);

CREATE TABLE proj_communities (
    community_id                TEXT PRIMARY KEY,
    name                        TEXT NOT NULL,
    communes                    INTEGER NOT NULL,
    rules_adopted_on            TEXT,
    travel_expenses_reimbursed  INTEGER
);

CREATE TABLE proj_colleges (
    college_id        TEXT PRIMARY KEY,
    community_id      TEXT NOT NULL,
    name              TEXT NOT NULL,
    is_users_college  INTEGER NOT NULL
);

CREATE TABLE proj_bodies (
    body_id       TEXT PRIMARY KEY,
    community_id  TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL
);

CREATE TABLE proj_associations (
    association_id       TEXT PRIMARY KEY,
    community_id         TEXT NOT NULL,
    name                 TEXT NOT NULL,
    approval_level       TEXT,
    approval_granted_on  TEXT,
    approval_expires_on  TEXT,
    engagement_form      TEXT,
    engaged_since        TEXT,
    withdrawn_on         TEXT
);
CREATE INDEX proj_associations_community ON proj_associations (community_id);

CREATE TABLE proj_members (
    member_id               TEXT PRIMARY KEY,
    community_id            TEXT NOT NULL,
    name                    TEXT NOT NULL,
    kind                    TEXT NOT NULL,
    profession              TEXT,
    admitted_on             TEXT NOT NULL,
    departed_on             TEXT,
    college_id              TEXT,
    mandate_association_id  TEXT,
    mandate_start           TEXT,
    mandate_end             TEXT,
    mandate_ended_on        TEXT,
    lives_in_territory      INTEGER,
    commune                 TEXT,
    cadre_intervention      TEXT
);
CREATE INDEX proj_members_community ON proj_members (community_id);

CREATE TABLE proj_seats (
    member_id  TEXT NOT NULL,
    body_id    TEXT NOT NULL,
    since      TEXT NOT NULL,
    left_on    TEXT,
    PRIMARY KEY (member_id, body_id)
);

CREATE TABLE proj_consultations (
    consultation_id  TEXT PRIMARY KEY,
    community_id     TEXT NOT NULL,
    subject          TEXT NOT NULL,
    moment           TEXT NOT NULL,
    mission          TEXT NOT NULL,
    rung             TEXT NOT NULL,
    method           TEXT NOT NULL,
    opens_on         TEXT NOT NULL,
    closes_on        TEXT NOT NULL,
    answer_deadline  TEXT NOT NULL,
    closed_on        TEXT,
    synthesis        TEXT
);
CREATE INDEX proj_consultations_community ON proj_consultations (community_id);

CREATE TABLE proj_contributions (
    contribution_id    TEXT PRIMARY KEY,
    consultation_id    TEXT NOT NULL,
    community_id       TEXT NOT NULL,
    author_member_id   TEXT,
    anonymous_commune  TEXT,
    kind               TEXT NOT NULL,
    text               TEXT NOT NULL,
    submitted_on       TEXT NOT NULL,
    attachment         TEXT,
    amendments         INTEGER NOT NULL,
    withdrawn_on       TEXT
);
CREATE INDEX proj_contributions_consultation ON proj_contributions (consultation_id);
CREATE INDEX proj_contributions_author ON proj_contributions (author_member_id);

CREATE TABLE proj_decisions (
    decision_id   TEXT PRIMARY KEY,
    community_id  TEXT NOT NULL,
    body_id       TEXT NOT NULL,
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,
    moment        TEXT NOT NULL,
    mission       TEXT NOT NULL,
    proposed_on   TEXT NOT NULL,
    status        TEXT NOT NULL,
    voted_on      TEXT,
    tally         TEXT,
    amendments    INTEGER NOT NULL,
    withdrawn_on  TEXT
);
CREATE INDEX proj_decisions_community ON proj_decisions (community_id);

CREATE TABLE proj_decision_consultations (
    decision_id      TEXT NOT NULL,
    consultation_id  TEXT NOT NULL,
    PRIMARY KEY (decision_id, consultation_id)
);

CREATE TABLE proj_answers (
    decision_id         TEXT NOT NULL,
    contribution_id     TEXT NOT NULL,
    consultation_id     TEXT NOT NULL,
    disposition         TEXT NOT NULL,
    rationale           TEXT,
    written_on          TEXT NOT NULL,
    published_on        TEXT,
    first_published_on  TEXT,
    revisions           INTEGER NOT NULL,
    answered_by         TEXT NOT NULL,
    PRIMARY KEY (decision_id, contribution_id)
);
CREATE INDEX proj_answers_contribution ON proj_answers (contribution_id);

CREATE TABLE proj_milestones (
    position     INTEGER PRIMARY KEY,
    decision_id  TEXT NOT NULL,
    happened_on  TEXT NOT NULL,
    milestone    TEXT NOT NULL
);

CREATE TABLE proj_indicators (
    decision_id  TEXT NOT NULL,
    indicator    TEXT NOT NULL,
    period       TEXT NOT NULL,
    value        REAL NOT NULL,
    target       REAL,
    reported_on  TEXT NOT NULL,
    PRIMARY KEY (decision_id, indicator, period)
);
