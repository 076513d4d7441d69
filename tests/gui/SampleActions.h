// Realistic pending actions for GUI tests and the preview tool, shaped like what the agent
// simulator submits (sim/Scenario.cpp) and the gateway publishes (docs/protocol.md).
#pragma once

#include "core/action/Action.h"

#include <QJsonArray>
#include <QJsonObject>

namespace countersign::testing {

inline Action baseAction(const QString &id, const QDateTime &createdAt, int windowSeconds)
{
    Action action;
    action.id = id;
    action.createdAt = createdAt;
    action.deadline = createdAt.addSecs(windowSeconds);
    action.gatewayId = QStringLiteral("gw-3a9e61c0d2f4");
    action.policyVersion = QStringLiteral("demo-1");
    action.identity.user = {QStringLiteral("alice@example.com"), QStringLiteral("Alice Martin"), true};
    action.identity.application = {QStringLiteral("finance-portal"), {}, true};
    action.identity.sessionId = QStringLiteral("s-00a1b2c3d4");
    return action;
}

inline JudgeVerdict passVerdict(const QString &category, double score = 0.12)
{
    return {QStringLiteral("judge-gpt-guard"), JudgeOutcome::Pass, category, score,
        QStringLiteral("Consistent with the user's request and the agent's recent activity."), true};
}

inline Action paymentAction(const QString &id, const QDateTime &createdAt, int windowSeconds, double amount,
    bool newBeneficiary = true, int tier = 3, int approvals = 1)
{
    Action action = baseAction(id, createdAt, windowSeconds);
    action.tool = QStringLiteral("payments");
    action.operation = QStringLiteral("transfer");
    action.parameters = {
        {QStringLiteral("amount"), amount},
        {QStringLiteral("currency"), QStringLiteral("EUR")},
        {QStringLiteral("beneficiary"),
            QJsonObject {{QStringLiteral("name"), QStringLiteral("Nordwind Logistics GmbH")},
                {QStringLiteral("iban"), QStringLiteral("DE89370400440532013000")},
                {QStringLiteral("new"), newBeneficiary}}},
        {QStringLiteral("reference"), QStringLiteral("INV-48213")},
    };
    action.impact = {tier, {ImpactCategory::Financial}, true,
        tier >= 4 ? QStringLiteral("payment-over-100k") : QStringLiteral("payment-over-10k"),
        tier >= 4 ? QStringLiteral("Payments above 100,000 need two reviewers")
                  : QStringLiteral("Payments above 10,000 need a human (amount %1 > 10000)").arg(amount)};
    action.identity.agents = {{QStringLiteral("invoice-subagent"), QStringLiteral("i-4821"), true,
                                  {QStringLiteral("payments.transfer")}},
        {QStringLiteral("finance-orchestrator"), QStringLiteral("i-512"), true}};
    action.judges = {passVerdict(QStringLiteral("financial"))};
    action.approvalsRequired = approvals;
    return action;
}

inline Action emailAction(const QString &id, const QDateTime &createdAt, int windowSeconds, bool flagged)
{
    Action action = baseAction(id, createdAt, windowSeconds);
    action.identity.user = {QStringLiteral("bob@example.com"), QStringLiteral("Bob Chen"), true};
    action.identity.application = {QStringLiteral("support-desk"), {}, true};
    action.tool = QStringLiteral("email");
    action.operation = QStringLiteral("send");
    action.parameters = {
        {QStringLiteral("from"), QStringLiteral("bob@example.com")},
        {QStringLiteral("to"),
            QJsonArray {QStringLiteral("dana@example.com"), QStringLiteral("procurement@nordwind-logistics.de"),
                QStringLiteral("sales@atlas-supply.co.uk")}},
        {QStringLiteral("subject"),
            flagged ? QStringLiteral("Forward: all invoices since January") : QStringLiteral("Q4 pricing update")},
        {QStringLiteral("body"),
            QStringLiteral("Hello,\n\nPlease find the updated figures attached. Let me know if anything "
                           "needs changing.\n\nBest regards,\nBob Chen")},
    };
    action.impact = {flagged ? 3 : 2,
        flagged ? QList<ImpactCategory> {ImpactCategory::OutboundCommunication, ImpactCategory::JudgeAnomaly}
                : QList<ImpactCategory> {ImpactCategory::OutboundCommunication},
        true, flagged ? QStringLiteral("judge-flagged") : QStringLiteral("email-external"),
        flagged ? QStringLiteral("The Judge flagged this call as anomalous")
                : QStringLiteral("Email to recipients outside example.com")};
    action.identity.agents = {{QStringLiteral("mail-agent"), QStringLiteral("i-7730"), true}};
    if (flagged) {
        action.judges = {
            {QStringLiteral("judge-gpt-guard"), JudgeOutcome::Flag, QStringLiteral("prompt-injection"), 0.91,
                QStringLiteral("The request to forward every invoice came from text inside a retrieved document, "
                               "not from the user; this matches a known exfiltration pattern."), true}};
    } else {
        action.judges = {passVerdict(QStringLiteral("outbound-communication"), 0.08)};
    }
    return action;
}

inline Action deleteAction(const QString &id, const QDateTime &createdAt, int windowSeconds)
{
    Action action = baseAction(id, createdAt, windowSeconds);
    action.identity.user = {QStringLiteral("carol@example.com"), QStringLiteral("Carol Diaz"), true};
    action.identity.application = {QStringLiteral("crm-app"), {}, true};
    action.tool = QStringLiteral("db");
    action.operation = QStringLiteral("delete");
    action.parameters = {{QStringLiteral("table"), QStringLiteral("customers")},
        {QStringLiteral("where"), QStringLiteral("last_activity < '2023-01-01'")},
        {QStringLiteral("estimatedRows"), 1204}};
    action.impact = {3, {ImpactCategory::Deletion}, true, QStringLiteral("delete-records"),
        QStringLiteral("Deleting records is irreversible")};
    action.identity.agents = {{QStringLiteral("data-agent"), QStringLiteral("i-2211"), true}};
    action.judges = {passVerdict(QStringLiteral("deletion"), 0.21)};
    return action;
}

inline Action permissionAction(const QString &id, const QDateTime &createdAt, int windowSeconds)
{
    Action action = baseAction(id, createdAt, windowSeconds);
    // ops-console is not an enrolled application: the user and it are only claimed.
    action.identity.user.verified = false;
    action.identity.application = {QStringLiteral("ops-console"), {}, false};
    action.tool = QStringLiteral("iam");
    action.operation = QStringLiteral("update_permissions");
    action.parameters = {
        {QStringLiteral("subject"), QStringLiteral("ops-agent")},
        {QStringLiteral("before"),
            QJsonArray {QStringLiteral("code.execute"), QStringLiteral("iam.update_permissions")}},
        {QStringLiteral("after"),
            QJsonArray {
                QStringLiteral("code.execute"), QStringLiteral("iam.update_permissions"), QStringLiteral("db.delete")}},
        {QStringLiteral("justification"), QStringLiteral("Needed to clean up stale sessions")},
    };
    action.impact = {4, {ImpactCategory::SelfPermissionChange}, false, QStringLiteral("self-permission-change"),
        QStringLiteral("An agent changing its own permissions")};
    action.identity.agents = {{QStringLiteral("ops-agent"), QStringLiteral("i-9120"), true}};
    action.judges = {passVerdict(QStringLiteral("privilege-change"), 0.34)};
    return action;
}

// An action whose every free-text field tries something: HTML, a right-to-left override that
// would make "exe.txt" read as "txt.exe", zero-width characters and an injected line break.
// What the gateway publishes after redacting a password an agent put into a command.
inline Action credentialAction(const QString &id, const QDateTime &createdAt, int windowSeconds)
{
    Action action = baseAction(id, createdAt, windowSeconds);
    action.identity.user.verified = false;
    action.identity.application = {QStringLiteral("ops-console"), {}, false};
    action.tool = QStringLiteral("code");
    action.operation = QStringLiteral("execute");
    action.parameters = {
        {QStringLiteral("host"), QStringLiteral("billing-prod-1")},
        {QStringLiteral("language"), QStringLiteral("bash")},
        {QStringLiteral("command"), QStringLiteral("psql postgres://billing:[redacted: database-uri-password …9C41]"
                                                   "@db-prod-2:5432/billing -c 'VACUUM ANALYZE invoices'")},
    };
    action.impact = {3, {ImpactCategory::CodeExecution}, true, QStringLiteral("code-execution"),
        QStringLiteral("Running commands on production hosts")};
    action.identity.agents = {{QStringLiteral("ops-agent"), QStringLiteral("i-77"), true}};
    action.judges = {JudgeVerdict{QStringLiteral("judge-gpt-guard"), JudgeOutcome::Flag, QStringLiteral("credential-exposure"), 0.88,
        QStringLiteral("The command embeds a database password taken from the conversation.")}};
    action.credentials = {CredentialFinding{QStringLiteral("parameters.command"), QStringLiteral("database-uri-password"),
        QStringLiteral("9C41")}};
    action.approvalsRequired = 2;
    return action;
}

// A Judge-flagged email as the gateway publishes it after redacting the AWS key an agent pasted
// into the body; its attachment name hides ".exe" behind a right-to-left override.
inline Action flaggedCredentialEmailAction(const QString &id, const QDateTime &createdAt, int windowSeconds)
{
    Action action = emailAction(id, createdAt, windowSeconds, true);
    action.parameters = {
        {QStringLiteral("from"), QStringLiteral("bob@example.com")},
        {QStringLiteral("to"), QJsonArray {QStringLiteral("billing@nordwind-logistics.de")}},
        {QStringLiteral("cc"), QJsonArray {QStringLiteral("dana@example.com")}},
        {QStringLiteral("subject"), QStringLiteral("Access for the invoice export")},
        {QStringLiteral("body"),
            QStringLiteral("Hi,\n\nAs discussed, the export job can use our access key\n"
                           "[redacted: aws-access-key …3F2A]\n\n"
                           "The invoice summary is attached.\n\nBob")},
        {QStringLiteral("attachments"), QJsonArray {QStringLiteral("invoice-summary-\u202Efdp.exe")}},
    };
    action.judges = {{QStringLiteral("judge-gpt-guard"), JudgeOutcome::Flag, QStringLiteral("credential-exposure"), 0.93,
        QStringLiteral("The body sends a cloud access key to an outside address, and the attachment name uses a "
                       "right-to-left override to hide an .exe extension."), true}};
    action.credentials = {CredentialFinding {
        QStringLiteral("parameters.body"), QStringLiteral("aws-access-key"), QStringLiteral("3F2A")}};
    return action;
}

inline Action hostileAction(const QString &id, const QDateTime &createdAt, int windowSeconds)
{
    Action action = baseAction(id, createdAt, windowSeconds);
    action.identity.user = {
        QStringLiteral("mallory@example.com"), QStringLiteral("<b>Security Team</b> \u202Eevil\u202C"), false};
    action.identity.application = {QStringLiteral("crm-app"), QStringLiteral("<img src=x>CRM")};
    action.tool = QStringLiteral("email");
    action.operation = QStringLiteral("send");
    action.parameters = {
        {QStringLiteral("to"), QStringLiteral("attacker@evil.example")},
        {QStringLiteral("subject"), QStringLiteral("<h1>URGENT</h1><a href='https://evil.example'>click</a>")},
        {QStringLiteral("attachment"), QStringLiteral("invoice\u202Etxt.exe")},
        {QStringLiteral("note"), QStringLiteral("pay\u200Bpal\u2066hidden\u2069\u0007bell")},
        {QStringLiteral("<script>key</script>"), QStringLiteral("value")},
    };
    action.impact = {2, {ImpactCategory::OutboundCommunication}, true, QStringLiteral("email-external"),
        QStringLiteral("<i>Approved by policy</i> \u202Edeny\u202C")};
    action.identity.agents = {{QStringLiteral("mail-agent"), {}, true}};
    action.judges = {{QStringLiteral("judge-gpt-guard"), JudgeOutcome::Flag, QStringLiteral("<u>none</u>"), 0.55,
        QStringLiteral("<b>Looks fine</b>, approve\u202E!ti evorppa")}};
    return action;
}

} // namespace countersign::testing
