// Deliberate approval: which actions need it (the highest tier, and chosen impact categories),
// and the one fact of an action a reviewer must retype to approve it — the amount of a payment,
// else the recipient, else the number of records — so that an approval cannot be given without
// reading what is being approved.
#pragma once

#include "core/action/Action.h"

#include <optional>

#include <QList>
#include <QString>

namespace countersign {

struct KeyFact
{
    enum class Kind { Amount, Recipient, RecordCount };

    Kind kind = Kind::Amount;
    QString parameter; // the parameter it comes from, e.g. "amount" or "beneficiary.iban"
    QString value;     // what must be typed: the value as the raw parameters show it

    // "the amount", "the recipient", "the number of records"
    [[nodiscard]] QString noun() const;

    friend bool operator==(const KeyFact &, const KeyFact &) = default;
};

// Financial and self-permission-change: the categories that need a deliberate approval by
// default, at any tier.
[[nodiscard]] QList<ImpactCategory> defaultDeliberateCategories();

// True for tier 4 actions and for actions in any of categories.
[[nodiscard]] bool requiresDeliberateApproval(const Action &action, const QList<ImpactCategory> &categories);

// The fact to retype, from the action's top-level parameters:
//   1. the amount: "amount" (a number, written as the raw parameters show it: 12400, 0.5)
//   2. else the recipient: "to", "recipient", "beneficiary", then "subject" (a permission
//      change's grantee). A string is taken as it is; an object by its "iban", "account",
//      "address", "email", "id" or "name" (the first that is a string); a list by its first
//      element, under the same rules.
//   3. else the record count: "count", "records", "recordCount", "rows", "rowCount",
//      "estimatedRows" (a whole number).
// Empty values and values with line breaks are skipped. No fact: std::nullopt, and the approval
// asks for the passphrase only.
[[nodiscard]] std::optional<KeyFact> keyFact(const Action &action);

// The typed text matches when, after trimming whitespace at both ends, it is exactly the value.
[[nodiscard]] bool keyFactMatches(const KeyFact &fact, const QString &typed);

} // namespace countersign
