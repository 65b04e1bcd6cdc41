-- FOLIO mod-notify (issue I): a delivery whose message was rendered when
-- it was queued.  mod-notify renders an event's template with the
-- notification's context at request time (template-request, then
-- message-delivery); Herald does the same with a template of the tenant
-- and queues the result, so the dispatcher sends it as it is.  NULL: the
-- delivery's template is rendered at send time, as before.

ALTER TABLE deliveries
  ADD COLUMN subject   TEXT       NULL,
  ADD COLUMN body      MEDIUMTEXT NULL,
  ADD COLUMN body_html TINYINT(1) NOT NULL DEFAULT 0;
