// The browse index: what the audit browser filters and searches by (agent, user, reviewer, tool,
// outcome, Judge flag, words), derived from the entries by AuditLog::updateIndex after they are
// appended. It is a convenience kept next to the evidence, never evidence itself: it is not
// hashed, the verifier does not read it, and anything shown as the record is read from the
// entry, not from here.
#pragma once

#include "core/Result.h"
#include "core/action/Action.h"

#include <optional>

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace countersign::audit {

// Outcomes as the index stores them (entry_index.outcome); an entry with no outcome (sessions,
// authentication, control-plane changes) has none.
namespace outcome {
inline constexpr char kApproved[] = "approved";                  // an approval that completed the quorum
inline constexpr char kApprovalPartial[] = "approval_partial";   // an approval below the quorum
inline constexpr char kDeniedByReviewer[] = "denied_by_reviewer";
inline constexpr char kDeniedByTimeout[] = "denied_by_timeout";
inline constexpr char kRefusedByPolicy[] = "refused_by_policy";  // a submission the policy refused (policy.*)
inline constexpr char kRefusedInvalid[] = "refused_invalid";     // any other refused submission or decision
inline constexpr char kPending[] = "pending";                    // a submission queued for reviewers
inline constexpr char kAllowedByPolicy[] = "allowed_by_policy";  // a submission no rule sent to a human
} // namespace outcome

// Every outcome name above, in the order a person reads them.
[[nodiscard]] QStringList outcomeNames();
// "Approved", "Denied by a reviewer", ... for an outcome name; the name itself if unknown.
[[nodiscard]] QString outcomeTitle(const QString &name);

// Bound on the searchable text kept per entry (characters): a payload of a megabyte is searchable
// by what its first 32 Ki characters say.
inline constexpr qsizetype kMaxSearchTextChars = 32 * 1024;

// One entry's row in the index. Empty strings are stored as NULL.
struct IndexFields
{
    QString actionId;
    QString agent;     // the acting agent
    QString user;      // on whose behalf
    QString reviewer;  // who decided (decisions), who signed in (sessions), whose enrolment changed
    QString tool;      // "tool.operation"
    QString outcome;   // one of outcome::*, or empty
    bool flagged = false; // a Judge flagged the action
    QString searchText;

    friend bool operator==(const IndexFields &, const IndexFields &) = default;
};

// The index row of an entry from its kind, actor, subject and payload. For an entry about an
// action that is not its submission (decision.*, action.*, a late submission.refused), the
// submission's fields are copied from `submission` when given, so "every decision for user X"
// finds decisions too. Never fails: what cannot be read is left empty.
[[nodiscard]] IndexFields deriveIndexFields(const QString &kind, const QString &actor, const QString &subject,
                                            const QJsonObject &payload, const IndexFields *submission);

// The action of a submission.accepted payload's "action" member, read with Action::fromJson. An
// action the policy allowed without a human was published with its deadline equal to its
// creation (nothing waits for it), which fromJson refuses for pending actions; such an action is
// read as it was recorded. Error "action.invalid" naming the field otherwise.
[[nodiscard]] Result<Action> actionFromRecordedJson(const QJsonObject &actionJson);

// The "reason" claim of a decision token, read WITHOUT verifying it: for search only.
[[nodiscard]] QString unverifiedDecisionReason(const QString &compactJws);

} // namespace countersign::audit
