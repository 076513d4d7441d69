// Says in words what an action will do ("Transfer 12,400.00 EUR to …"), for the headline of
// the detail view, tooltips and notifications. Everything taken from the action is already
// passed through displayText(), so the result can go straight into a plain-text label.
#pragma once

#include "core/action/Action.h"

#include <QString>

class QLocale;

namespace countersign {

// One sentence for common kinds of action; "<tool>.<operation>" for the rest.
//   payments.transfer  "Transfer 12,400.00 EUR to ACME GmbH (new beneficiary)"
//                      reads amount, currency, beneficiary (string or {name, iban, account}),
//                      newBeneficiary
//   email.send         "Send an email to 3 recipients, 2 outside example.com"
//                      reads to, cc, bcc (string, comma-separated string, or array of strings
//                      or {address}); the home domain is that of from, else of the user
//   db.delete          "Delete 1,204 rows from customers"; reads rows (or rowCount,
//                      estimatedRows), table
//   code.execute       "Run “systemctl restart nginx” on api-prod-3"; reads command, host
//   crm.export         "Export 45,000 records of all-active-customers (name, email) to sftp://…";
//                      reads rows, segment, fields, destination
//   iam.update_permissions
//                      "Grant db.delete to ops-agent (its own permissions)"; reads subject,
//                      before, after
[[nodiscard]] QString actionSummary(const Action &action);
[[nodiscard]] QString actionSummary(const Action &action, const QLocale &locale);

// "payments.transfer", made safe for display.
[[nodiscard]] QString actionToolName(const Action &action);

// "Low", "Moderate", "High", "Critical" for tiers 1..4.
[[nodiscard]] QString tierTitle(int tier);

// "4:59", "59 s", "1:02:03", "expired" (ms <= 0). Rounds up, so "expired" shows exactly when
// no time is left.
[[nodiscard]] QString formatTimeLeft(qint64 ms);

} // namespace countersign
