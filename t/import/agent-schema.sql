-- The DE notification-agent's PostgreSQL schema, as the original's own
-- table definitions give it (cyverse-archive/DiscoveryEnvironmentBackend
-- databases/notification-db/src/main/tables/*.sql, later
-- cyverse-de/de-database old-databases/notifications-db; agent.md §4):
-- bigint ids from sequences, uuids, "timestamp" columns without a zone,
-- the acknowledgment_state enum whose order is the ladder.  Typed here for
-- the import tests (t/import/10-agent.t); column names, types, defaults
-- and constraints follow the original.

CREATE SEQUENCE users_id_seq START WITH 1 INCREMENT BY 1 NO MAXVALUE
    NO MINVALUE CACHE 1;
CREATE TABLE users (
    id BIGINT DEFAULT nextval('users_id_seq'::regclass) NOT NULL,
    username VARCHAR(512) NOT NULL UNIQUE,
    PRIMARY KEY(id)
);

CREATE SEQUENCE notifications_id_seq START WITH 1 INCREMENT BY 1
    NO MAXVALUE NO MINVALUE CACHE 1;
CREATE TABLE notifications (
    id BIGINT DEFAULT nextval('notifications_id_seq'::regclass) NOT NULL,
    uuid UUID NOT NULL,
    type VARCHAR(32) NOT NULL,
    user_id BIGINT REFERENCES users(id) NOT NULL,
    subject TEXT NOT NULL,
    seen BOOLEAN DEFAULT FALSE NOT NULL,
    deleted BOOLEAN DEFAULT FALSE NOT NULL,
    date_created TIMESTAMP DEFAULT now() NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY(id)
);

CREATE TABLE analysis_execution_statuses (
    uuid UUID NOT NULL,
    status VARCHAR(32) NOT NULL,
    date_modified TIMESTAMP DEFAULT now() NOT NULL,
    PRIMARY KEY(uuid)
);

CREATE SEQUENCE email_notifications_id_seq START WITH 1 INCREMENT BY 1
    NO MAXVALUE NO MINVALUE CACHE 1;
CREATE TABLE email_notification_messages (
    id BIGINT DEFAULT nextval('email_notifications_id_seq'::regclass) NOT NULL,
    notification_id BIGINT REFERENCES notifications(id) NOT NULL,
    template VARCHAR(256) NOT NULL,
    address VARCHAR(1024) NOT NULL,
    date_sent TIMESTAMP DEFAULT now() NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY(id)
);

CREATE SEQUENCE system_notification_types_id_seq START WITH 1
    INCREMENT BY 1 NO MAXVALUE NO MINVALUE CACHE 1;
CREATE TABLE system_notification_types (
    id BIGINT DEFAULT nextval('system_notification_types_id_seq'::regclass)
        NOT NULL,
    name VARCHAR(32) NOT NULL UNIQUE,
    PRIMARY KEY(id)
);
INSERT INTO system_notification_types (name)
    VALUES ('announcement'), ('maintenance'), ('warning');

CREATE SEQUENCE system_notifications_id_seq START WITH 1 INCREMENT BY 1
    NO MAXVALUE NO MINVALUE CACHE 1;
CREATE TABLE system_notifications (
    id BIGINT DEFAULT nextval('system_notifications_id_seq'::regclass) NOT NULL,
    uuid UUID NOT NULL,
    system_notification_type_id BIGINT
        REFERENCES system_notification_types(id) NOT NULL,
    date_created TIMESTAMP DEFAULT now() NOT NULL,
    activation_date TIMESTAMP DEFAULT now() NOT NULL,
    deactivation_date TIMESTAMP,
    dismissible BOOLEAN DEFAULT FALSE NOT NULL,
    logins_disabled BOOLEAN DEFAULT FALSE NOT NULL,
    message TEXT,
    PRIMARY KEY(id)
);

CREATE TYPE acknowledgment_state AS ENUM
    ('unreceived', 'received', 'acknowledged', 'dismissed');
CREATE TABLE system_notification_acknowledgments (
    user_id BIGINT REFERENCES users(id) NOT NULL,
    system_notification_id BIGINT REFERENCES system_notifications(id) NOT NULL,
    state acknowledgment_state DEFAULT 'unreceived' NOT NULL,
    date_acknowledged TIMESTAMP DEFAULT NULL,
    PRIMARY KEY(user_id, system_notification_id)
);

CREATE TABLE version (
    version VARCHAR(20) NOT NULL,
    applied TIMESTAMP DEFAULT now(),
    PRIMARY KEY(version)
);
INSERT INTO version (version) VALUES ('1.8.0:20130516.01');
