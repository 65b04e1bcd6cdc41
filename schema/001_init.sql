-- Herald's domain model: one store behind every dialect.
-- Ids are UUIDs kept as BINARY(16); times are milliseconds since the epoch
-- (BIGINT), so no time-zone setting of any host changes what a client sees.
-- Names, types and subjects compare byte-wise, without padding
-- (utf8mb4_nopad_bin; utf8mb4_bin pads with spaces): "Bob", "bob"
-- and "bob " are three users.

CREATE TABLE users (
  id          BINARY(16)   NOT NULL,
  tenant      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  username    VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  email       VARCHAR(320) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
  created     BIGINT       NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY users_name (tenant, username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE notifications (
  id          BINARY(16)   NOT NULL,
  tenant      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  user_id     BINARY(16)   NOT NULL,           -- recipient
  sender      VARCHAR(255) NULL,
  type        VARCHAR(64)  NOT NULL,           -- agent type, folio eventConfigName, coder template
  subject     VARCHAR(512) NOT NULL DEFAULT '',-- title
  body        MEDIUMTEXT   NOT NULL,           -- message text / content / HtmlSummary
  link        VARCHAR(2048) NULL,
  icon        VARCHAR(255) NULL,
  payload     MEDIUMTEXT   NOT NULL,           -- JSON object: dialect-specific remainder
  template    VARCHAR(255) NULL,               -- e-mail template requested
  lang        VARCHAR(16)  NULL,
  email       TINYINT(1)   NOT NULL DEFAULT 0, -- e-mail requested
  created     BIGINT       NOT NULL,
  updated     BIGINT       NOT NULL,
  seen        TINYINT(1)   NOT NULL DEFAULT 0,
  seen_at     BIGINT       NULL,
  deleted     TINYINT(1)   NOT NULL DEFAULT 0, -- soft delete, never undone
  deleted_at  BIGINT       NULL,
  PRIMARY KEY (id),
  -- Every list, count and sort of a user's notifications is a range of one
  -- of these (InnoDB appends the primary key, the tie-breaker).
  KEY notes_by_time   (user_id, deleted, created),
  KEY notes_seen      (user_id, deleted, seen, created),
  KEY notes_type      (user_id, deleted, type, created),
  KEY notes_type_seen (user_id, deleted, type, seen, created),
  KEY notes_subject   (user_id, deleted, subject),
  CONSTRAINT notes_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT notes_payload CHECK (JSON_VALID(payload))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE system_notification_types (
  name        VARCHAR(64)  NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

INSERT INTO system_notification_types (name)
  VALUES ('announcement'), ('maintenance'), ('warning');

CREATE TABLE system_notifications (
  id              BINARY(16)  NOT NULL,
  tenant          VARCHAR(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  type            VARCHAR(64) NOT NULL,
  message         MEDIUMTEXT  NOT NULL,
  activation      BIGINT      NOT NULL,
  deactivation    BIGINT      NOT NULL,
  dismissible     TINYINT(1)  NOT NULL DEFAULT 0,
  logins_disabled TINYINT(1)  NOT NULL DEFAULT 0,
  created         BIGINT      NOT NULL,
  PRIMARY KEY (id),
  KEY system_active  (tenant, deactivation, activation),
  KEY system_created (tenant, created),
  CONSTRAINT system_type FOREIGN KEY (type)
    REFERENCES system_notification_types (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- A user's state for one system notification: written only when the user
-- acts on it, so a broadcast costs one row however many users exist.  A
-- missing row is below every state.  1 received, 2 seen, 3 dismissed.
CREATE TABLE system_states (
  user_id         BINARY(16) NOT NULL,
  system_id       BINARY(16) NOT NULL,
  state           TINYINT    NOT NULL,
  acknowledged_at BIGINT     NULL,                -- set by "seen"
  updated         BIGINT     NOT NULL,
  PRIMARY KEY (user_id, system_id),
  KEY states_system (system_id),
  CONSTRAINT states_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT states_system FOREIGN KEY (system_id)
    REFERENCES system_notifications (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE templates (
  id          BINARY(16)   NOT NULL,
  tenant      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  name        VARCHAR(255) NOT NULL,
  kind        VARCHAR(16)  NOT NULL DEFAULT 'custom',  -- system | custom
  grp         VARCHAR(255) NULL,
  title_tmpl  TEXT         NOT NULL,
  body_tmpl   MEDIUMTEXT   NOT NULL,
  body_html   TINYINT(1)   NOT NULL DEFAULT 0,
  actions     TEXT         NOT NULL,                   -- JSON array
  methods     VARCHAR(255) NOT NULL DEFAULT '',        -- e.g. "smtp,webhook"
  enabled_by_default TINYINT(1) NOT NULL DEFAULT 1,
  created     BIGINT       NOT NULL,
  updated     BIGINT       NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY templates_name (tenant, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE preferences (
  user_id     BINARY(16)  NOT NULL,
  template_id BINARY(16)  NOT NULL,
  disabled    TINYINT(1)  NOT NULL,
  updated     BIGINT      NOT NULL,
  PRIMARY KEY (user_id, template_id),
  CONSTRAINT prefs_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT prefs_template FOREIGN KEY (template_id)
    REFERENCES templates (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- Transactional outbox: written in the notification's own transaction,
-- drained by "herald dispatch" off the request path.
CREATE TABLE deliveries (
  id              BINARY(16)  NOT NULL,
  notification_id BINARY(16)  NOT NULL,
  method          VARCHAR(16) NOT NULL,          -- smtp | webhook
  state           VARCHAR(16) NOT NULL DEFAULT 'pending', -- pending|sent|failed
  attempts        INT         NOT NULL DEFAULT 0,
  next_attempt    BIGINT      NOT NULL,
  lease_until     BIGINT      NULL,
  lease_owner     BINARY(16)  NULL,              -- the dispatcher holding it
  sent_at         BIGINT      NULL,
  address         VARCHAR(320) NULL,
  template        VARCHAR(255) NULL,
  last_error      VARCHAR(1024) NULL,
  created         BIGINT      NOT NULL,
  updated         BIGINT      NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY deliveries_once (notification_id, method),
  KEY deliveries_due (state, next_attempt),
  CONSTRAINT deliveries_note FOREIGN KEY (notification_id)
    REFERENCES notifications (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE api_tokens (
  id          BINARY(16)  NOT NULL,
  hash        BINARY(32)  NOT NULL,              -- SHA-256 of the token
  tenant      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  username    VARCHAR(255) NOT NULL,
  role        VARCHAR(16) NOT NULL,              -- user | service | admin
  created     BIGINT      NOT NULL,
  expires     BIGINT      NULL,
  revoked     BIGINT      NULL,
  last_used   BIGINT      NULL,
  PRIMARY KEY (id),
  UNIQUE KEY tokens_hash (hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
