#!/usr/bin/env bash
# The README's worked example, runnable end to end against a running service: a procurement on the
# built-in questionnaire, two suppliers who answer and submit, a clarification, the evaluation
# panel's marks and moderation, the decision, and the three PDF reports written to the current
# directory. Every block between the "# ---" lines is a README block, verbatim (a test checks).
#
#   TOKEN=aidd_pat_... bash examples/worked-example.sh        # from the repository root
#
# Needs curl and node. API defaults to http://localhost:3000.
set -euo pipefail
OUT=${OUT:-$PWD}
cd "$(dirname "$0")/.."
: "${TOKEN:?set TOKEN to the personal access token of an admin}"
REPO=$PWD
# Work in a scratch directory, with the example answer files at examples/ as in the repository.
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
cd "$WORK"; ln -s "$REPO/examples" examples
QID=$(curl -sf "${API:-http://localhost:3000}/v1/questionnaires?builtIn=true" -H "Authorization: Bearer $TOKEN" | node -pe 'JSON.parse(require("fs").readFileSync(0)).items.find(q => q.version === "1.1.0").id')

# ---
API=${API:-http://localhost:3000}
json() { node -pe "const v=JSON.parse(require('fs').readFileSync(0));$1"; }
user() {  # name, email, role → "id token"
  curl -s -X POST $API/v1/users -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$1\",\"email\":\"$2\",\"role\":\"$3\"}" | json 'v.user.id + " " + v.token'
}

# 0. The evaluation panel, named on the procurement before it opens: an evaluator and a moderator.
read EVALUATOR_ID EVALUATOR <<< "$(user 'Eve Evaluator' eve@example.gov.uk evaluator)"
read MODERATOR_ID MODERATOR <<< "$(user 'Mo Moderator' mo@example.gov.uk officer)"

# 1. An officer creates a procurement on the built-in questionnaire; the triage sets the risk tier
#    (here "medium": personal data in a public-facing service that decides nothing about anyone). Then opens it.
PID=$(curl -s -X POST $API/v1/procurements -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"title\":\"Council tax chatbot\",\"reference\":\"DD-2027-001\",\"questionnaireId\":\"$QID\",\"deadline\":\"2027-03-31T17:00:00Z\",
       \"evaluatorIds\":[\"$EVALUATOR_ID\"],\"moderatorId\":\"$MODERATOR_ID\",
       \"triage\":{\"triage.decision_role\":\"advisory\",\"triage.access_decisions\":\"no\",\"triage.data_categories\":[\"personal\"],
       \"triage.public_facing\":\"yes\",\"triage.vulnerable_people\":\"no\",\"triage.people_affected\":20000,
       \"triage.workforce_management\":\"no\",\"triage.generative_ai\":\"yes\",\"triage.existing_contract\":\"no\"}}" | json v.id)
curl -s -X POST $API/v1/procurements/$PID/open -H "Authorization: Bearer $TOKEN" | json v.status        # open

# 2. Invite two suppliers. A token (and the link carrying it) is shown once; the invitation email
#    goes out through SMTP_URL, or, without it, waits in the outbox with the token redacted.
INVITE=$(curl -s -X POST $API/v1/procurements/$PID/invitations -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"supplierName":"Acme AI Ltd","contactEmail":"bids@acme.example"}')
SUPPLIER=$(echo "$INVITE" | json v.token); INVITATION=$(echo "$INVITE" | json v.id); RID=$(echo "$INVITE" | json v.responseId)
INVITE2=$(curl -s -X POST $API/v1/procurements/$PID/invitations -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"supplierName":"Bright Analytics Ltd","contactEmail":"tenders@bright.example"}')
SUPPLIER2=$(echo "$INVITE2" | json v.token); RID2=$(echo "$INVITE2" | json v.responseId)
curl -s $API/v1/outbox -H "Authorization: Bearer $TOKEN" | json 'v.items[0].text'

# 3. The supplier reads its questions (the ETag is its response's version), saves one answer with
#    If-Match, then several at once (all or nothing), and keeps a copy of its answers.
curl -s $API/v1/supplier/response -H "Authorization: Bearer $SUPPLIER" -D - -o /dev/null | grep -i etag   # etag: "1"
curl -s -X PUT $API/v1/supplier/response/answers/data_protection.training_on_council_data -H "Authorization: Bearer $SUPPLIER" \
  -H 'If-Match: "1"' -H 'Content-Type: application/json' -d '{"value":"never"}' | json v.responseVersion          # 2
curl -s -X PATCH $API/v1/supplier/response/answers -H "Authorization: Bearer $SUPPLIER" -H 'Content-Type: application/json' \
  -d '{"answers":{"security.cyber_essentials":{"value":"ce_plus"},"security.incident_notification_hours":{"value":24},
       "data_protection.retention_days":{"value":30,"comment":"Logs only","confidential":true,"confidentialReason":"Commercial terms"}}}' | json 'Object.keys(v.saved)'
curl -s $API/v1/supplier/response/export -H "Authorization: Bearer $SUPPLIER" -o answers.json   # PUT it to /import in the next bid

# 4. Evidence: a file per request, several per question; the type is read from the content.
printf '%%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n' > certificate.pdf
curl -s -X POST $API/v1/supplier/response/evidence -H "Authorization: Bearer $SUPPLIER" \
  -F questionKey=security.cyber_essentials_certificate -F file=@certificate.pdf | json 'v.evidence.sha256'
EVIDENCE=$(curl -s $API/v1/supplier/response/evidence -H "Authorization: Bearer $SUPPLIER" | json 'v.items[0].id')

# 5. Submitting now is refused with every required question and mandatory file still missing listed.
curl -s -X POST $API/v1/supplier/response/submit -H "Authorization: Bearer $SUPPLIER" \
  -H "Idempotency-Key: $(node -p 'crypto.randomUUID()')" -H 'Content-Type: application/json' -d '{"declaration":true}' \
  | json '[v.code, v.errors.length + " to do, e.g. " + v.errors[0].message]'

# 6. The officer follows progress, reminds the supplier, gives it a week more, and downloads its evidence.
curl -s $API/v1/procurements/$PID/responses -H "Authorization: Bearer $TOKEN" | json 'v.items.map(r => r.supplierName + ": " + r.outstanding + " outstanding")'
curl -s -X POST $API/v1/invitations/$INVITATION/remind -H "Authorization: Bearer $TOKEN" | json v.outboxId
curl -s -X POST $API/v1/responses/$RID/deadline-extension -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"deadline":"2027-04-07T17:00:00Z","reason":"Supplier asked on 20 March; system outage at their end"}' | json v.deadline
curl -s $API/v1/responses/$RID/evidence/$EVIDENCE -H "Authorization: Bearer $TOKEN" -o downloaded.pdf && cmp certificate.pdf downloaded.pdf && echo same

# 7. Both suppliers complete their answers (here from the files in examples/), add the remaining
#    evidence, and submit: the answers and evidence are frozen and a reference comes back.
submit() {  # supplier token, answers file
  curl -s -X PUT $API/v1/supplier/response/import -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    --data-binary @"$2" | json '"saved " + Object.keys(v.saved).length'
  for Q in security.cyber_essentials_certificate security.test_report_summary fairness.bias_test_results \
           environment.carbon_reduction_plan viability.financial_standing; do
    curl -s -X POST $API/v1/supplier/response/evidence -H "Authorization: Bearer $1" -F questionKey=$Q -F file=@certificate.pdf -o /dev/null
  done
  curl -s -X POST $API/v1/supplier/response/submit -H "Authorization: Bearer $1" \
    -H "Idempotency-Key: $(node -p 'crypto.randomUUID()')" -H 'Content-Type: application/json' -d '{"declaration":true}' | json v.status
}
submit $SUPPLIER examples/acme-ai-answers.json              # submitted
submit $SUPPLIER2 examples/bright-analytics-answers.json    # submitted

# 8. After submission: a clarification about one answer, optionally letting the supplier amend it.
CID=$(curl -s -X POST $API/v1/responses/$RID/clarifications -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"questionKey":"security.incident_notification_hours","question":"Is that 24 calendar hours?","allowAmend":true}' | json v.id)
curl -s -X POST $API/v1/supplier/response/clarifications/$CID/reply -H "Authorization: Bearer $SUPPLIER" -H 'Content-Type: application/json' \
  -d '{"reply":"Yes, calendar hours; we can commit to 12.","amendedAnswer":{"value":12}}' -o /dev/null -w '%{http_code}\n'   # 200
# ---
# 9. Evaluation. The officer closes the procurement and starts the evaluation; each panel member
#    declares any conflict of interest first. The evaluator marks every free-text answer (blind,
#    with a justification) and submits the set; the moderator sets the consensus mark and decides
#    any gateway only a person can decide.
curl -s -X POST $API/v1/procurements/$PID/close -H "Authorization: Bearer $TOKEN" | json v.status                  # closed
curl -s -X POST $API/v1/procurements/$PID/start-evaluation -H "Authorization: Bearer $TOKEN" | json v.status       # evaluating
for T in $EVALUATOR $MODERATOR; do
  curl -s -X POST $API/v1/procurements/$PID/declarations -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
    -d '{"hasConflict":false,"details":"No interest in any bidder."}' | json v.mayEvaluate
done
# The amended answer counts only once the moderator accepts it, saying why it clarifies the tender.
curl -s -X POST $API/v1/responses/$RID/clarifications/$CID/amendment-decision -H "Authorization: Bearer $MODERATOR" -H 'Content-Type: application/json' \
  -d '{"decision":"accept","reason":"It states in calendar hours what the tender offered; nothing new is offered."}' -o /dev/null -w '%{http_code}\n'   # 200
for R in $RID $RID2; do
  TO_MARK=$(curl -s $API/v1/responses/$R/panel-view -H "Authorization: Bearer $EVALUATOR" | json 'v.questionsToMark.join(" ")')
  SCORE=$([ $R = $RID ] && echo 3 || echo 2)
  for Q in $TO_MARK; do
    curl -s -X PUT $API/v1/responses/$R/marks/$Q -H "Authorization: Bearer $EVALUATOR" -H 'Content-Type: application/json' \
      -d "{\"score\":$SCORE,\"justification\":\"Specific about who does what and when; evidence supports the claim.\"}" -o /dev/null
    curl -s -X PUT $API/v1/responses/$R/moderation/$Q -H "Authorization: Bearer $MODERATOR" -H 'Content-Type: application/json' \
      -d "{\"score\":$SCORE,\"rationale\":\"Agreed with the evaluator after reading the answer and its evidence.\"}" -o /dev/null
  done
  curl -s -X POST $API/v1/responses/$R/marks/submit -H "Authorization: Bearer $EVALUATOR" | json '"marked " + v.marks'
  for G in $(curl -s $API/v1/responses/$R/evaluation -H "Authorization: Bearer $TOKEN" | json 'v.gateways.filter(g => g.outcome === "pending").map(g => g.questionKey).join(" ")'); do
    curl -s -X PUT $API/v1/responses/$R/gateways/$G -H "Authorization: Bearer $MODERATOR" -H 'Content-Type: application/json' \
      -d '{"outcome":"pass","rationale":"The evidence shows the requirement is met."}' -o /dev/null
  done
  curl -s $API/v1/responses/$R/evaluation -H "Authorization: Bearer $TOKEN" | json '[v.supplierName, v.overallScore, v.rating, v.provisional ? "provisional" : "final"].join(", ")'
done

# Sign-offs, printed in each evaluation report's sign-off block: the evaluator and the moderator in
# their panel roles, the officer as approver (an API key cannot sign off: a sign-off is a person's).
curl -s -X POST $API/v1/procurements/$PID/approvals -H "Authorization: Bearer $EVALUATOR" -H 'Content-Type: application/json' -d '{"role":"evaluator"}' | json v.role
curl -s -X POST $API/v1/procurements/$PID/approvals -H "Authorization: Bearer $MODERATOR" -H 'Content-Type: application/json' -d '{"role":"moderator"}' | json v.role
curl -s -X POST $API/v1/procurements/$PID/approvals -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"role":"approver","comment":"Recommended to the procurement board."}' | json v.role

# 10. Results, ranked, and the decision: an award needs final scores and every gateway passed.
curl -s $API/v1/procurements/$PID/results -H "Authorization: Bearer $TOKEN" | json 'v.items.map(r => r.rank + ". " + r.supplierName + " " + r.overallScore)'
WINNER=$(curl -s $API/v1/procurements/$PID/results -H "Authorization: Bearer $TOKEN" | json 'v.items.find(r => r.rank === 1).responseId')
curl -s -X POST $API/v1/procurements/$PID/decision -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"outcome\":\"award\",\"responseId\":\"$WINNER\",\"rationale\":\"Highest score; every gateway passed.\"}" | json v.procurementStatus   # decided

# 11. The reports, as PDFs: the evaluation report of a response (for the council), the comparison of
#     every response, and each bidder's assessment summary (Procurement Act 2023 s.50, to send them).
#     The same evaluation always gives the same file; X-Content-SHA256 is its hash.
curl -s $API/v1/responses/$RID/report.pdf -H "Authorization: Bearer $TOKEN" -o evaluation-report.pdf -D - | grep -i -E '^(content-disposition|x-content-sha256)'
curl -s $API/v1/procurements/$PID/comparison.pdf -H "Authorization: Bearer $TOKEN" -o comparison-report.pdf -D - | grep -i '^content-disposition'
for R in $RID $RID2; do
  curl -s $API/v1/responses/$R/assessment-summary.pdf -H "Authorization: Bearer $TOKEN" -o assessment-summary-$R.pdf -D - | grep -i '^content-disposition'
done

# Every step above that changed something, contacted a supplier or produced a report is in the audit log.
curl -s "$API/v1/audit-events?limit=100" -H "Authorization: Bearer $TOKEN" | json 'v.items.map(e => e.action).join(" ")'
# ---

cp evaluation-report.pdf comparison-report.pdf assessment-summary-*.pdf "$OUT/"
