-- The model every dialect shares (issue H): what the other dialects need
-- of a notification besides the agent's fields, targets as their own
-- table so that "has all of these targets" is an index range, and
-- idempotency keys for POST /v1/notifications.

ALTER TABLE notifications
  ADD COLUMN body_format TINYINT    NOT NULL DEFAULT 0 AFTER body, -- 0 text, 1 markdown, 2 html
  ADD COLUMN actions     TEXT       NULL,                -- JSON array [{label,url}]
  ADD COLUMN targets     TEXT       NULL,                -- JSON array of uuids (as rendered)
  ADD COLUMN template_id BINARY(16) NULL,                -- templates.id
  ADD KEY notes_template (user_id, deleted, template_id, created),
  ADD CONSTRAINT notes_actions CHECK (actions IS NULL OR JSON_VALID(actions)),
  ADD CONSTRAINT notes_targets CHECK (targets IS NULL OR JSON_VALID(targets));

CREATE TABLE note_targets (
  notification_id BINARY(16) NOT NULL,
  user_id         BINARY(16) NOT NULL,      -- the recipient, for the range
  target          BINARY(16) NOT NULL,
  PRIMARY KEY (notification_id, target),
  KEY targets_user (user_id, target, notification_id),
  CONSTRAINT targets_note FOREIGN KEY (notification_id)
    REFERENCES notifications (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- One row per (principal, key): a second request with the key finds it,
-- or waits on its row lock while the first is still in its transaction.
CREATE TABLE idempotency_keys (
  tenant          VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  principal       VARCHAR(300) NOT NULL,    -- role:user of the caller
  idem_key        VARCHAR(255) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  request_hash    BINARY(32)   NOT NULL,    -- SHA-256 of the request body
  notification_id BINARY(16)   NOT NULL,
  created         BIGINT       NOT NULL,
  PRIMARY KEY (tenant, principal, idem_key),
  KEY idempotency_age (created)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
