-- API key scopes for least privilege (API keys only: access_tokens.kind = 'key').
-- procurements:read no longer reads answers or evidence, so every key holding it is given
-- responses:read too: it still reads answers, evidence and clarifications, now with the answers the
-- supplier marked confidential withheld. No key is given responses:read-confidential or
-- reports:read, so a scores:read key no longer downloads the PDF reports (the evaluation report
-- reproduces confidential answers). Every other scope stays as it was; scopes stay sorted, unique.
UPDATE "access_tokens"
SET "scopes" = (
  SELECT jsonb_agg(s.scope ORDER BY s.scope COLLATE "C")
  FROM jsonb_array_elements_text("access_tokens"."scopes" || '["responses:read"]'::jsonb) AS s(scope)
)
WHERE "kind" = 'key' AND "scopes" @> '["procurements:read"]'::jsonb AND NOT "scopes" @> '["responses:read"]'::jsonb;
