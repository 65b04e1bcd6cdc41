-- Coder's store, the tables "herald import coder" reads, as coder/coder's
-- migrations leave them (coderd/database/dump.sql, which the migrations
-- generate): the enums they use, users, notification_templates,
-- inbox_notifications and notification_preferences, with their keys,
-- foreign keys and indexes.  Coder's other tables are left out.
CREATE TYPE login_type AS ENUM (
    'password', 'github', 'oidc', 'token', 'none', 'oauth2_provider_app');
CREATE TYPE user_status AS ENUM ('active', 'suspended', 'dormant');
CREATE TYPE notification_method AS ENUM ('smtp', 'webhook', 'inbox');
CREATE TYPE notification_template_kind AS ENUM ('system', 'custom');

CREATE TABLE users (
    id uuid NOT NULL,
    email text NOT NULL,
    username text DEFAULT ''::text NOT NULL,
    hashed_password bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    status user_status DEFAULT 'dormant'::user_status NOT NULL,
    rbac_roles text[] DEFAULT '{}'::text[] NOT NULL,
    login_type login_type DEFAULT 'password'::login_type NOT NULL,
    avatar_url text DEFAULT ''::text NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    last_seen_at timestamp without time zone DEFAULT '0001-01-01 00:00:00'::timestamp without time zone NOT NULL,
    quiet_hours_schedule text DEFAULT ''::text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    github_com_user_id bigint,
    hashed_one_time_passcode bytea,
    one_time_passcode_expires_at timestamp with time zone,
    is_system boolean DEFAULT false NOT NULL,
    is_service_account boolean DEFAULT false NOT NULL,
    chat_spend_limit_micros bigint,
    CONSTRAINT one_time_passcode_set CHECK ((((hashed_one_time_passcode IS NULL) AND (one_time_passcode_expires_at IS NULL)) OR ((hashed_one_time_passcode IS NOT NULL) AND (one_time_passcode_expires_at IS NOT NULL)))),
    CONSTRAINT users_chat_spend_limit_micros_check CHECK (((chat_spend_limit_micros IS NULL) OR (chat_spend_limit_micros > 0))),
    CONSTRAINT users_email_not_empty CHECK (((is_service_account = true) = (email = ''::text))),
    CONSTRAINT users_service_account_login_type CHECK (((is_service_account = false) OR (login_type = 'none'::login_type))),
    CONSTRAINT users_username_min_length CHECK ((length(username) >= 1))
);

CREATE TABLE notification_templates (
    id uuid NOT NULL,
    name text NOT NULL,
    title_template text NOT NULL,
    body_template text NOT NULL,
    actions jsonb,
    "group" text,
    method notification_method,
    kind notification_template_kind DEFAULT 'system'::notification_template_kind NOT NULL,
    enabled_by_default boolean DEFAULT true NOT NULL
);

CREATE TABLE inbox_notifications (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    template_id uuid NOT NULL,
    targets uuid[],
    title text NOT NULL,
    content text NOT NULL,
    icon text NOT NULL,
    actions jsonb NOT NULL,
    read_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE notification_preferences (
    user_id uuid NOT NULL,
    notification_template_id uuid NOT NULL,
    disabled boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);

ALTER TABLE ONLY users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE ONLY notification_templates
    ADD CONSTRAINT notification_templates_name_key UNIQUE (name);
ALTER TABLE ONLY notification_templates
    ADD CONSTRAINT notification_templates_pkey PRIMARY KEY (id);
ALTER TABLE ONLY inbox_notifications
    ADD CONSTRAINT inbox_notifications_pkey PRIMARY KEY (id);
ALTER TABLE ONLY notification_preferences
    ADD CONSTRAINT notification_preferences_pkey
    PRIMARY KEY (user_id, notification_template_id);

CREATE UNIQUE INDEX idx_users_email ON users USING btree (email)
    WHERE (deleted = false);
CREATE UNIQUE INDEX idx_users_username ON users USING btree (username)
    WHERE (deleted = false);
CREATE UNIQUE INDEX users_email_lower_idx ON users USING btree (lower(email))
    WHERE (deleted = false);
CREATE UNIQUE INDEX users_username_lower_idx ON users
    USING btree (lower(username)) WHERE (deleted = false);
CREATE INDEX idx_inbox_notifications_user_id_read_at
    ON inbox_notifications USING btree (user_id, read_at);
CREATE INDEX idx_inbox_notifications_user_id_template_id_targets
    ON inbox_notifications USING btree (user_id, template_id, targets);

ALTER TABLE ONLY inbox_notifications
    ADD CONSTRAINT inbox_notifications_template_id_fkey FOREIGN KEY
    (template_id) REFERENCES notification_templates(id) ON DELETE CASCADE;
ALTER TABLE ONLY inbox_notifications
    ADD CONSTRAINT inbox_notifications_user_id_fkey FOREIGN KEY (user_id)
    REFERENCES users(id) ON DELETE CASCADE;
ALTER TABLE ONLY notification_preferences
    ADD CONSTRAINT notification_preferences_notification_template_id_fkey
    FOREIGN KEY (notification_template_id)
    REFERENCES notification_templates(id) ON DELETE CASCADE;
ALTER TABLE ONLY notification_preferences
    ADD CONSTRAINT notification_preferences_user_id_fkey FOREIGN KEY
    (user_id) REFERENCES users(id) ON DELETE CASCADE;
