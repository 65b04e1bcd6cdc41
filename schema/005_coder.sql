-- What the Coder dialect (issue J) needs of the model: the daily
-- de-duplication flag of a template and its claims, the per-tenant
-- settings (notifier_paused), and Coder's own templates under the ids its
-- clients know (from coder/coder's migrations; none is invented here).

ALTER TABLE templates
  ADD COLUMN dedupe TINYINT(1) NOT NULL DEFAULT 0 AFTER enabled_by_default;

-- One row per (template, user, payload, targets, UTC day) a notification
-- was created for, when its template de-duplicates: a second insert of
-- the same hash fails, in the notification's own transaction.
CREATE TABLE note_dedupe (
  hash            BINARY(32) NOT NULL,      -- SHA-256, see src/model/prefs.c
  notification_id BINARY(16) NOT NULL,
  created         BIGINT     NOT NULL,
  PRIMARY KEY (hash),
  KEY dedupe_age (created),
  CONSTRAINT dedupe_note FOREIGN KEY (notification_id)
    REFERENCES notifications (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- Deployment settings, a tenant at a time; a missing row is the default.
CREATE TABLE settings (
  tenant      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  k           VARCHAR(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  v           BIGINT      NOT NULL,
  updated     BIGINT      NOT NULL,
  PRIMARY KEY (tenant, k)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- coder/coder migrations 000295 (Test Notification) and 000368 (Custom
-- Notification).  Both de-duplicate daily as Coder's enqueuer does; the
-- test and custom endpoints defeat it with a timestamp label.
INSERT INTO templates (id, tenant, name, kind, grp, title_tmpl, body_tmpl,
    body_html, actions, methods, enabled_by_default, dedupe, created, updated)
VALUES
  (UNHEX('c425f63e716a4bf4ae2478348f706c3f'), 'default', 'Test Notification',
   'system', 'Notification Events', 'A test notification',
   'Hi {{.UserName}},\n\nThis is a test notification.', 0, '[]', '', 1, 1,
   0, 0),
  (UNHEX('39b1e189c8574b0c877a511144c18516'), 'default', 'Custom Notification',
   'custom', 'Custom Events', '{{.Labels.custom_title}}',
   '{{.Labels.custom_message}}', 0, '[]', '', 1, 1, 0, 0)
ON DUPLICATE KEY UPDATE id = id;
