// Deriving an entry's browse-index row from what the gateway records (docs/audit.md, "What the
// gateway records"): who, on whose behalf, which tool, what came of it, and the words to search.
#include "core/audit/AuditIndex.h"

#include "core/crypto/Base64Url.h"
#include "core/decision/SignedDecision.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"

#include <QJsonArray>
#include <QJsonValue>

namespace countersign::audit {

namespace {

constexpr int kMaxJsonDepth = 40;

// Hashes, keys, tokens and timestamps make an index large and are never what a person types:
// a long run of base64url/hex/JWS characters without spaces, or an RFC 3339 time.
bool isOpaque(const QString &text)
{
    if (text.size() >= 20 && text.size() <= 30 && text.at(4) == QLatin1Char('-') && text.at(7) == QLatin1Char('-')
        && text.at(10) == QLatin1Char('T'))
        return true;
    if (text.size() < 32)
        return false;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        const bool token = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'-'
            || u == u'_' || u == u'.' || u == u'=' || u == u'+' || u == u'/';
        if (!token)
            return false;
    }
    return true;
}

class SearchText final
{
public:
    void add(const QString &text)
    {
        if (text.isEmpty() || isOpaque(text) || m_text.size() >= kMaxSearchTextChars)
            return;
        if (!m_text.isEmpty())
            m_text.append(QLatin1Char(' '));
        m_text.append(QStringView(text).left(kMaxSearchTextChars - m_text.size()));
    }

    // Strings (and, with keysAndNumbers, member names and numbers) anywhere in value.
    void addJson(const QJsonValue &value, bool keysAndNumbers, int depth = 0)
    {
        if (depth > kMaxJsonDepth || m_text.size() >= kMaxSearchTextChars)
            return;
        switch (value.type()) {
        case QJsonValue::String:
            add(value.toString());
            break;
        case QJsonValue::Double:
            if (keysAndNumbers)
                add(QString::fromLatin1(json::formatNumber(value.toDouble())));
            break;
        case QJsonValue::Array: {
            const QJsonArray array = value.toArray();
            for (const QJsonValue &element : array)
                addJson(element, keysAndNumbers, depth + 1);
            break;
        }
        case QJsonValue::Object: {
            const QJsonObject object = value.toObject();
            for (auto it = object.begin(); it != object.end(); ++it) {
                if (keysAndNumbers)
                    add(it.key());
                addJson(it.value(), keysAndNumbers, depth + 1);
            }
            break;
        }
        default:
            break;
        }
    }

    [[nodiscard]] QString text() const { return m_text; }

private:
    QString m_text;
};

QString toolName(const QString &tool, const QString &operation)
{
    if (tool.isEmpty())
        return {};
    return operation.isEmpty() ? tool : QString(tool + QLatin1Char('.') + operation);
}

// The action of a submission, read straight from its JSON (cheaper on the append path than
// Action::fromJson, and it reads an action fromJson would refuse just as well).
void addAction(SearchText &text, IndexFields &fields, const QJsonObject &action)
{
    const auto string = [](const QJsonObject &object, const char *key) { return object.value(QLatin1String(key)).toString(); };
    // RFC 8693 shape: the user is the subject, the outermost actor the acting agent, the
    // deepest the application; instances and names are searchable too.
    const QJsonObject identity = action.value(QStringLiteral("identity")).toObject();
    fields.user = string(identity, "sub");
    fields.tool = toolName(string(action, "tool"), string(action, "operation"));

    text.add(string(action, "id"));
    text.add(string(action, "tool"));
    text.add(string(action, "operation"));
    text.add(fields.user);
    text.add(string(identity, "name"));
    QJsonObject actor = identity.value(QStringLiteral("act")).toObject();
    for (int depth = 0; !actor.isEmpty() && depth <= ActionLimits::maxAgents; ++depth) {
        if (depth == 0)
            fields.agent = string(actor, "sub");
        text.add(string(actor, "sub"));
        text.add(string(actor, "instance"));
        text.add(string(actor, "name"));
        actor = actor.value(QStringLiteral("act")).toObject();
    }
    const QJsonObject impact = action.value(QStringLiteral("impact")).toObject();
    text.add(string(impact, "rule"));
    text.add(string(impact, "reason"));
    text.addJson(impact.value(QStringLiteral("categories")), false);
    const QJsonArray judges = action.value(QStringLiteral("judge")).toArray();
    for (const QJsonValue &judge : judges) {
        const QJsonObject verdict = judge.toObject();
        if (string(verdict, "verdict") != QLatin1String("pass"))
            fields.flagged = true; // "flag", or anything that is not a pass
        text.add(string(verdict, "judgeId"));
        text.add(string(verdict, "category"));
        text.add(string(verdict, "rationale"));
    }
    const QJsonArray credentials = action.value(QStringLiteral("credentials")).toArray();
    for (const QJsonValue &credential : credentials) {
        text.add(string(credential.toObject(), "kind"));
        text.add(string(credential.toObject(), "path"));
    }
    text.addJson(action.value(QStringLiteral("parameters")), true);
}

void copyFromSubmission(IndexFields &fields, const IndexFields *submission)
{
    if (!submission)
        return;
    if (fields.agent.isEmpty())
        fields.agent = submission->agent;
    if (fields.user.isEmpty())
        fields.user = submission->user;
    if (fields.tool.isEmpty())
        fields.tool = submission->tool;
    fields.flagged = fields.flagged || submission->flagged;
}

QString decisionOutcome(const QJsonObject &payload)
{
    const QString verdict = payload.value(QStringLiteral("verdict")).toString();
    if (verdict == QLatin1String("deny"))
        return QLatin1String(outcome::kDeniedByReviewer);
    if (verdict != QLatin1String("approve"))
        return {};
    const QJsonValue approvals = payload.value(QStringLiteral("approvals"));
    const QJsonValue required = payload.value(QStringLiteral("approvalsRequired"));
    if (approvals.isDouble() && required.isDouble() && approvals.toDouble() < required.toDouble())
        return QLatin1String(outcome::kApprovalPartial);
    return QLatin1String(outcome::kApproved);
}

} // namespace

QStringList outcomeNames()
{
    return {QLatin1String(outcome::kApproved),         QLatin1String(outcome::kApprovalPartial),
            QLatin1String(outcome::kDeniedByReviewer), QLatin1String(outcome::kDeniedByTimeout),
            QLatin1String(outcome::kRefusedByPolicy),  QLatin1String(outcome::kRefusedInvalid),
            QLatin1String(outcome::kPending),          QLatin1String(outcome::kAllowedByPolicy)};
}

QString outcomeTitle(const QString &name)
{
    if (name == QLatin1String(outcome::kApproved))
        return QStringLiteral("Approved");
    if (name == QLatin1String(outcome::kApprovalPartial))
        return QStringLiteral("Approval, quorum not yet reached");
    if (name == QLatin1String(outcome::kDeniedByReviewer))
        return QStringLiteral("Denied by a reviewer");
    if (name == QLatin1String(outcome::kDeniedByTimeout))
        return QStringLiteral("Denied by timeout");
    if (name == QLatin1String(outcome::kRefusedByPolicy))
        return QStringLiteral("Refused by policy");
    if (name == QLatin1String(outcome::kRefusedInvalid))
        return QStringLiteral("Refused as invalid");
    if (name == QLatin1String(outcome::kPending))
        return QStringLiteral("Submitted for review");
    if (name == QLatin1String(outcome::kAllowedByPolicy))
        return QStringLiteral("Allowed by policy");
    return name;
}

Result<Action> actionFromRecordedJson(const QJsonObject &actionJson)
{
    Result<Action> action = Action::fromJson(actionJson);
    if (action)
        return action;
    const QJsonValue created = actionJson.value(QStringLiteral("createdAt"));
    if (!created.isString() || actionJson.value(QStringLiteral("deadline")) != created)
        return action;
    // Allowed by policy: read it with a deadline just after its creation, then put back the
    // deadline it was recorded with.
    const std::optional<QDateTime> createdAt = json::parseTimestamp(created.toString());
    if (!createdAt)
        return action;
    QJsonObject adjusted = actionJson;
    adjusted.insert(QStringLiteral("deadline"), json::formatTimestamp(createdAt->addMSecs(1)));
    Result<Action> allowed = Action::fromJson(adjusted);
    if (!allowed)
        return action;
    allowed.value().deadline = allowed.value().createdAt;
    return allowed;
}

QString unverifiedDecisionReason(const QString &compactJws)
{
    if (compactJws.size() > decision::kMaxDecisionBytes)
        return {};
    const QList<QStringView> parts = QStringView(compactJws).split(QLatin1Char('.'));
    if (parts.size() != 3)
        return {};
    const Result<QByteArray> payload = crypto::base64UrlDecode(parts.at(1).toLatin1());
    if (!payload)
        return {};
    json::Limits limits;
    limits.maxBytes = decision::kMaxDecisionBytes;
    const Result<QJsonValue> claims = json::parse(payload.value(), limits);
    if (!claims || !claims.value().isObject())
        return {};
    return claims.value().toObject().value(QStringLiteral("reason")).toString();
}

IndexFields deriveIndexFields(const QString &kind, const QString &actor, const QString &subject,
                              const QJsonObject &payload, const IndexFields *submission)
{
    IndexFields fields;
    SearchText text;
    text.add(kind);
    text.add(actor);
    text.add(subject);

    if (kind == QLatin1String("submission.accepted")) {
        fields.actionId = subject;
        fields.agent = actor;
        const QString status = payload.value(QStringLiteral("status")).toString();
        fields.outcome = QLatin1String(status == QLatin1String("allowed") ? outcome::kAllowedByPolicy : outcome::kPending);
        addAction(text, fields, payload.value(QStringLiteral("action")).toObject());
        if (fields.agent.isEmpty())
            fields.agent = actor;
        if (fields.tool.isEmpty()) {
            fields.tool = toolName(payload.value(QStringLiteral("tool")).toString(),
                                   payload.value(QStringLiteral("operation")).toString());
        }
        text.add(payload.value(QStringLiteral("rule")).toString());
    } else if (kind == QLatin1String("submission.refused")) {
        fields.actionId = subject;
        fields.agent = actor;
        const QString code = payload.value(QStringLiteral("code")).toString();
        fields.outcome = QLatin1String(code.startsWith(QLatin1String("policy.")) ? outcome::kRefusedByPolicy
                                                                                 : outcome::kRefusedInvalid);
        fields.tool = toolName(payload.value(QStringLiteral("tool")).toString(),
                               payload.value(QStringLiteral("operation")).toString());
        copyFromSubmission(fields, submission);
        text.addJson(payload, false);
    } else if (kind == QLatin1String("decision.accepted") || kind == QLatin1String("decision.refused")) {
        fields.actionId = subject;
        fields.reviewer = actor;
        fields.outcome = kind == QLatin1String("decision.accepted") ? decisionOutcome(payload)
                                                                   : QLatin1String(outcome::kRefusedInvalid);
        copyFromSubmission(fields, submission);
        text.add(payload.value(QStringLiteral("verdict")).toString());
        text.add(payload.value(QStringLiteral("code")).toString());
        text.add(unverifiedDecisionReason(payload.value(QStringLiteral("token")).toString()));
    } else if (kind.startsWith(QLatin1String("action."))) {
        fields.actionId = subject;
        if (kind == QLatin1String("action.denied_by_timeout") || kind == QLatin1String("action.expired"))
            fields.outcome = QLatin1String(outcome::kDeniedByTimeout);
        copyFromSubmission(fields, submission);
        text.addJson(payload, false);
    } else if (kind.startsWith(QLatin1String("session."))) {
        fields.reviewer = actor;
        text.addJson(payload, false);
    } else if (kind == QLatin1String("control.change")) {
        if (payload.value(QStringLiteral("command")).toString().startsWith(QLatin1String("reviewers.")))
            fields.reviewer = subject;
        text.addJson(payload, false);
    } else {
        text.addJson(payload, false);
    }
    fields.searchText = text.text();
    return fields;
}

} // namespace countersign::audit
