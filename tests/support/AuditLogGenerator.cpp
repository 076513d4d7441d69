// A gateway's day, written to an audit log: enrolments, sign-ins, submissions of varied tools by
// varied agents for varied users, approvals (single and dual), denials with reasons, expiries,
// refusals by policy and of decisions, authentication failures, and signed checkpoints.
#include "tests/support/AuditLogGenerator.h"

#include "core/Clock.h"
#include "core/action/Action.h"
#include "core/audit/AuditLog.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/decision/SignedDecision.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>

namespace countersign::testsupport {

namespace {

const QString kGatewayId = QStringLiteral("gw-3a9e61c0d2f4");
const QString kPolicyVersion = QStringLiteral("policy-7");

struct Tool
{
    const char *tool;
    const char *operation;
    const char *agent;
};

const Tool kTools[] = {
    {"payments", "transfer", "invoice-subagent"}, {"email", "send", "mail-agent"},         {"db", "delete", "data-agent"},
    {"crm", "lookup", "crm-agent"},               {"iam", "update_permissions", "ops-agent"}, {"code", "execute", "ops-agent"},
};
const char *const kUsers[] = {"alice@example.com", "bob@example.com", "carol@example.com", "dan@example.com"};
const char *const kReviewers[] = {"rita@example.com", "sam@example.com", "tess@example.com"};
const char *const kDenyReasons[] = {
    "Beneficiary not on the approved vendor list",
    "Recipient outside the company; confirm with the user first",
    "Deleting customer records needs a ticket",
};

QJsonObject parametersFor(const Tool &tool, int i, QRandomGenerator &random)
{
    const QString what = QLatin1String(tool.tool);
    if (what == QLatin1String("payments")) {
        return {{QStringLiteral("amount"), 1000 + int(random.bounded(90000))},
                {QStringLiteral("currency"), QStringLiteral("EUR")},
                {QStringLiteral("beneficiary"),
                 QJsonObject{{QStringLiteral("name"), QStringLiteral("Nordwind Logistics GmbH")},
                             {QStringLiteral("iban"), QStringLiteral("DE89370400440532013000")}}},
                {QStringLiteral("reference"), QStringLiteral("INV-%1").arg(48000 + i)}};
    }
    if (what == QLatin1String("email")) {
        return {{QStringLiteral("to"), QJsonArray{QStringLiteral("procurement@nordwind-logistics.de")}},
                {QStringLiteral("subject"), QStringLiteral("Q%1 pricing update").arg(1 + i % 4)},
                {QStringLiteral("body"), QStringLiteral("Hello, please find the updated figures attached. Best regards")}};
    }
    if (what == QLatin1String("db")) {
        return {{QStringLiteral("table"), QStringLiteral("customers")},
                {QStringLiteral("where"), QStringLiteral("last_activity < '2023-01-01'")},
                {QStringLiteral("estimatedRows"), 100 + int(random.bounded(5000))}};
    }
    if (what == QLatin1String("crm")) {
        return {{QStringLiteral("customer"), QStringLiteral("C-%1").arg(1000 + i)},
                {QStringLiteral("fields"), QJsonArray{QStringLiteral("name"), QStringLiteral("tier")}}};
    }
    if (what == QLatin1String("iam")) {
        return {{QStringLiteral("subject"), QStringLiteral("ops-agent")},
                {QStringLiteral("after"), QJsonArray{QStringLiteral("code.execute"), QStringLiteral("db.delete")}},
                {QStringLiteral("justification"), QStringLiteral("Needed to clean up stale sessions")}};
    }
    return {{QStringLiteral("host"), QStringLiteral("billing-prod-1")},
            {QStringLiteral("command"), QStringLiteral("systemctl restart billing")}};
}

class Writer final
{
public:
    Writer(audit::AuditLog &log, ManualClock &clock, const AuditLogSpec &spec, const crypto::Ed25519PrivateKey &gatewayKey,
           GeneratedAuditLog &out)
        : m_log(log), m_clock(clock), m_spec(spec), m_gatewayKey(gatewayKey), m_out(out)
    {
    }

    Status add(const audit::NewEntry &entry, ExpectedEntry expected)
    {
        expected.kind = entry.kind;
        expected.actor = entry.actor;
        expected.subject = entry.subject;
        m_pending.append(entry);
        m_expected.append(std::move(expected));
        if (m_spec.batchSize == 0 || m_pending.size() >= m_spec.batchSize)
            return flush();
        return {};
    }

    Status flush()
    {
        if (m_pending.isEmpty())
            return {};
        const Result<QList<audit::AuditEntry>> written = m_log.appendBatch(m_pending);
        if (!written)
            return written.error();
        for (qsizetype i = 0; i < written.value().size(); ++i) {
            m_expected[i].seq = written.value().at(i).seq;
            m_expected[i].time = written.value().at(i).time;
            m_out.entries.append(m_expected.at(i));
        }
        m_pending.clear();
        m_expected.clear();
        if (m_spec.index) {
            if (const Result<qint64> indexed = m_log.updateIndex(audit::kMaxIndexBatch); !indexed)
                return indexed.error();
        }
        if (m_spec.checkpointEvery > 0 && m_log.size() / m_spec.checkpointEvery > m_checkpointed) {
            m_checkpointed = m_log.size() / m_spec.checkpointEvery;
            if (Status signed_ = checkpoint(); !signed_)
                return signed_;
        }
        m_clock.advanceMs(m_spec.batchSize == 0 ? 60'000 + qint64(m_out.entries.size() % 5) * 30'000 : 1000);
        return {};
    }

    Status checkpoint()
    {
        if (m_log.size() == m_lastCheckpoint)
            return {};
        m_lastCheckpoint = m_log.size();
        const Result<audit::StoredCheckpoint> stored = m_log.writeCheckpoint(m_out.origin, m_gatewayKey);
        if (!stored)
            return stored.error();
        ++m_out.checkpoints;
        return {};
    }

private:
    audit::AuditLog &m_log;
    ManualClock &m_clock;
    const AuditLogSpec &m_spec;
    const crypto::Ed25519PrivateKey &m_gatewayKey;
    GeneratedAuditLog &m_out;
    QList<audit::NewEntry> m_pending;
    QList<ExpectedEntry> m_expected;
    qint64 m_checkpointed = 0;
    qint64 m_lastCheckpoint = 0;
};

QByteArray fakeToken(const decision::DecisionClaims &claims, const QString &keyId, const Clock &clock)
{
    const QJsonObject header{{QStringLiteral("alg"), QStringLiteral("EdDSA")}, {QStringLiteral("kid"), keyId},
                             {QStringLiteral("typ"), QStringLiteral("JOSE")}};
    const QJsonObject payload{{QStringLiteral("actionDigest"), QString::fromLatin1(claims.actionDigest)},
                              {QStringLiteral("actionId"), claims.actionId},
                              {QStringLiteral("aud"), claims.gatewayId},
                              {QStringLiteral("iat"), double(clock.nowUtc().toSecsSinceEpoch())},
                              {QStringLiteral("jti"), QStringLiteral("AAAAAAAAAAAAAAAAAAAAAA")},
                              {QStringLiteral("kid"), keyId},
                              {QStringLiteral("policyVersion"), claims.policyVersion},
                              {QStringLiteral("reason"), claims.reason},
                              {QStringLiteral("sub"), claims.reviewer},
                              {QStringLiteral("typ"), QLatin1String(decision::kDecisionType)},
                              {QStringLiteral("verdict"), protocol::verdictName(claims.verdict)}};
    return crypto::base64UrlEncode(json::canonicalize(header)) + '.' + crypto::base64UrlEncode(json::canonicalize(payload)) + '.'
        + crypto::base64UrlEncode(QByteArray(64, '\1'));
}

} // namespace

Result<GeneratedAuditLog> generateAuditLog(const QString &path, const AuditLogSpec &spec)
{
    GeneratedAuditLog out;
    out.path = path;
    out.origin = QStringLiteral("countersign/") + kGatewayId;
    ManualClock clock(QDateTime(QDate(2026, 3, 2), QTime(8, 0), Qt::UTC));
    audit::AuditLog::Options options;
    options.clock = &clock;
    Result<std::unique_ptr<audit::AuditLog>> opened = audit::AuditLog::open(path, options);
    if (!opened)
        return opened.error();
    audit::AuditLog &log = *opened.value();
    Result<crypto::Ed25519PrivateKey> gatewayKey = crypto::Ed25519PrivateKey::generate();
    if (!gatewayKey)
        return gatewayKey.error();
    out.gatewayKeyRaw = gatewayKey.value().publicKey().raw();
    Writer writer(log, clock, spec, gatewayKey.value(), out);
    QRandomGenerator random(spec.seed);

    // The policy file at first start, then the reviewers, enrolled by an administrator.
    const auto control = [](const QString &command, const QString &why, const QJsonValue &before, const QJsonValue &after) {
        return QJsonObject{{QStringLiteral("command"), command},
                           {QStringLiteral("why"), why},
                           {QStringLiteral("before"), before},
                           {QStringLiteral("after"), after},
                           {QStringLiteral("policyVersion"), kPolicyVersion},
                           {QStringLiteral("documentSha256"), QString(64, QLatin1Char('c'))}};
    };
    if (Status added = writer.add({QStringLiteral("control.change"), QStringLiteral("bootstrap"), kPolicyVersion,
                                   control(QStringLiteral("bootstrap"), QStringLiteral("initial policy from the policy file"),
                                           QJsonValue::Null,
                                           QJsonObject{{QStringLiteral("version"), kPolicyVersion},
                                                       {QStringLiteral("policyFile"), QStringLiteral("/etc/countersign/policy.json")}})},
                                  {});
        !added)
        return added.error();

    std::vector<crypto::Ed25519PrivateKey> reviewerKeys;
    QStringList keyIds;
    for (const char *reviewer : kReviewers) {
        Result<crypto::Ed25519PrivateKey> key = crypto::Ed25519PrivateKey::generate();
        if (!key)
            return key.error();
        const QString id = QLatin1String(reviewer);
        const QString keyId = QString::fromLatin1(crypto::jwkThumbprint(key.value().publicKey()));
        const QJsonObject enrolled{{QStringLiteral("id"), id},
                                   {QStringLiteral("role"), QStringLiteral("reviewer")},
                                   {QStringLiteral("key"), crypto::publicKeyToJwk(key.value().publicKey())},
                                   {QStringLiteral("keyId"), keyId}};
        ExpectedEntry expected;
        expected.reviewer = id;
        if (Status added = writer.add({QStringLiteral("control.change"), QStringLiteral("admin@example.com"), id,
                                       control(QStringLiteral("reviewers.add"), QStringLiteral("new reviewer on the finance team"),
                                               QJsonValue::Null, enrolled)},
                                      expected);
            !added)
            return added.error();
        out.reviewers.append(id);
        keyIds.append(keyId);
        reviewerKeys.push_back(std::move(key).value());
    }
    // Unsigned decisions name a key no reviewer has, so a verifier counts them as not checked.
    QString unenrolledKeyId;
    if (!spec.signDecisions) {
        Result<crypto::Ed25519PrivateKey> stranger = crypto::Ed25519PrivateKey::generate();
        if (!stranger)
            return stranger.error();
        unenrolledKeyId = QString::fromLatin1(crypto::jwkThumbprint(stranger.value().publicKey()));
    }
    for (int r = 0; r < out.reviewers.size(); ++r) {
        ExpectedEntry expected;
        expected.reviewer = out.reviewers.at(r);
        if (Status added = writer.add({QStringLiteral("session.opened"), out.reviewers.at(r), QStringLiteral("s-%1").arg(r + 1),
                                       {{QStringLiteral("role"), QStringLiteral("reviewer")}, {QStringLiteral("keyId"), keyIds.at(r)}}},
                                      expected);
            !added)
            return added.error();
    }

    for (int i = 0; i < spec.actions; ++i) {
        const Tool &tool = kTools[i % std::size(kTools)];
        const int scenario = i % 10;
        const bool flagged = scenario == 7 || scenario == 8;
        const QString user = QLatin1String(kUsers[(i / 3) % std::size(kUsers)]);
        const QString agent = QLatin1String(tool.agent);
        const QString toolName = QLatin1String(tool.tool) + QLatin1Char('.') + QLatin1String(tool.operation);

        if (i % 25 == 24) {
            if (Status added = writer.add({QStringLiteral("auth.failed"), QStringLiteral("unauthenticated"), QString(),
                                           {{QStringLiteral("code"), QStringLiteral("auth.invalid_token")},
                                            {QStringLiteral("plane"), QStringLiteral("agent")}}},
                                          {});
                !added)
                return added.error();
        }
        if (scenario == 4) {
            // Refused by policy before any action exists: no action id.
            ExpectedEntry expected;
            expected.agent = agent;
            expected.tool = QStringLiteral("shell.run");
            expected.outcome = QStringLiteral("refused_by_policy");
            if (Status added = writer.add({QStringLiteral("submission.refused"), agent, QString(),
                                           {{QStringLiteral("code"), QStringLiteral("policy.tool_not_declared")},
                                            {QStringLiteral("tool"), QStringLiteral("shell")},
                                            {QStringLiteral("operation"), QStringLiteral("run")}}},
                                          expected);
                !added)
                return added.error();
            continue;
        }

        Action action;
        action.id = QStringLiteral("act-%1").arg(quint32(random.generate()) ^ quint32(i), 8, 16, QLatin1Char('0'));
        action.createdAt = clock.nowUtc();
        const bool allowed = scenario == 5;
        const bool dual = scenario == 3;
        action.deadline = allowed ? action.createdAt : action.createdAt.addSecs(600);
        action.gatewayId = kGatewayId;
        action.policyVersion = kPolicyVersion;
        action.tool = QLatin1String(tool.tool);
        action.operation = QLatin1String(tool.operation);
        action.parameters = parametersFor(tool, i, random);
        if (i == spec.uniqueWordAction && !spec.uniqueWord.isEmpty()) {
            action.parameters.insert(QStringLiteral("note"), QStringLiteral("Per the %1 agreement").arg(spec.uniqueWord));
            out.uniqueWord = spec.uniqueWord;
            out.uniqueWordActionId = action.id;
        }
        action.impact = allowed ? Impact{1, {}, false, QStringLiteral("default-allow"), QStringLiteral("no policy rule requires a human")}
                                : Impact{dual ? 4 : 3, {ImpactCategory::Financial}, true, QStringLiteral("needs-review"),
                                         QStringLiteral("%1 needs a human").arg(toolName)};
        action.identity.user = {user, QString()};
        action.identity.application = {QStringLiteral("finance-portal"), QStringLiteral("Finance portal")};
        action.identity.agents = {{agent, QStringLiteral("i-%1").arg(100 + i % 7)}};
        action.identity.sessionId = QStringLiteral("s-agent-%1").arg(i % 5);
        action.judges = {JudgeVerdict{QStringLiteral("judge-gpt-guard"), flagged ? JudgeOutcome::Flag : JudgeOutcome::Pass,
                                      flagged ? QStringLiteral("prompt-injection") : QStringLiteral("routine"),
                                      flagged ? 0.91 : 0.1,
                                      flagged ? QStringLiteral("The instruction came from a retrieved document, not the user")
                                              : QStringLiteral("Consistent with the user's request")}};
        action.approvalsRequired = dual ? 2 : 1;
        const QJsonObject actionJson = action.toJson();
        const QByteArray digest = crypto::sha256Hex(json::canonicalize(actionJson)); // Action::digest(), once

        ExpectedEntry about;
        about.actionId = action.id;
        about.agent = agent;
        about.user = user;
        about.tool = toolName;
        about.flagged = flagged;

        ExpectedEntry submitted = about;
        submitted.outcome = allowed ? QStringLiteral("allowed_by_policy") : QStringLiteral("pending");
        const QJsonObject accepted{{QStringLiteral("digest"), QString::fromLatin1(digest)},
                                   {QStringLiteral("tool"), action.tool},
                                   {QStringLiteral("operation"), action.operation},
                                   {QStringLiteral("status"), allowed ? QStringLiteral("allowed") : QStringLiteral("pending")},
                                   {QStringLiteral("rule"), action.impact.rule},
                                   {QStringLiteral("tier"), action.impact.tier},
                                   {QStringLiteral("policyVersion"), kPolicyVersion},
                                   {QStringLiteral("deadline"), json::formatTimestamp(action.deadline)},
                                   {QStringLiteral("approvalsRequired"), action.approvalsRequired},
                                   {QStringLiteral("action"), actionJson}};
        if (Status added = writer.add({QStringLiteral("submission.accepted"), agent, action.id, accepted}, submitted); !added)
            return added.error();
        if (allowed)
            continue;

        const auto decide = [&](int reviewer, protocol::Verdict verdict, const QString &reason, int approvals) -> Status {
            decision::DecisionClaims claims;
            claims.actionId = action.id;
            claims.actionDigest = digest;
            claims.verdict = verdict;
            claims.reason = reason;
            claims.reviewer = out.reviewers.at(reviewer);
            claims.gatewayId = kGatewayId;
            claims.policyVersion = kPolicyVersion;
            QByteArray token;
            if (spec.signDecisions) {
                Result<QByteArray> signedToken = decision::signDecision(claims, reviewerKeys.at(size_t(reviewer)), clock);
                if (!signedToken)
                    return signedToken.error();
                token = signedToken.value();
            } else {
                token = fakeToken(claims, unenrolledKeyId, clock);
            }
            ExpectedEntry decided = about;
            decided.reviewer = claims.reviewer;
            decided.outcome = verdict == protocol::Verdict::Deny ? QStringLiteral("denied_by_reviewer")
                : approvals >= action.approvalsRequired          ? QStringLiteral("approved")
                                                                 : QStringLiteral("approval_partial");
            return writer.add({QStringLiteral("decision.accepted"), claims.reviewer, action.id,
                               {{QStringLiteral("token"), QString::fromLatin1(token)},
                                {QStringLiteral("verdict"), protocol::verdictName(verdict)},
                                {QStringLiteral("digest"), QString::fromLatin1(digest)},
                                {QStringLiteral("session"), QStringLiteral("s-%1").arg(reviewer + 1)},
                                {QStringLiteral("approvals"), approvals},
                                {QStringLiteral("approvalsRequired"), action.approvalsRequired}}},
                              decided);
        };
        const auto expire = [&]() -> Status {
            ExpectedEntry expired = about;
            expired.outcome = QStringLiteral("denied_by_timeout");
            return writer.add({QStringLiteral("action.denied_by_timeout"), QStringLiteral("gateway"), action.id,
                               {{QStringLiteral("deadline"), json::formatTimestamp(action.deadline)},
                                {QStringLiteral("approvedBy"), QJsonArray{}},
                                {QStringLiteral("reason"), QStringLiteral("no decision before the deadline: denied by fail-safe timeout")}}},
                              expired);
        };
        const int reviewer = i % 3;
        Status done;
        switch (scenario) {
        case 0:
        case 7:
            done = decide(reviewer, protocol::Verdict::Approve, QString(), 1);
            break;
        case 1:
        case 8:
            done = decide(reviewer, protocol::Verdict::Deny, QLatin1String(kDenyReasons[i % std::size(kDenyReasons)]), 0);
            break;
        case 3:
            done = decide(reviewer, protocol::Verdict::Approve, QString(), 1);
            if (done)
                done = decide((reviewer + 1) % 3, protocol::Verdict::Approve, QStringLiteral("second pair of eyes"), 2);
            break;
        case 6: {
            ExpectedEntry refused = about;
            refused.reviewer = out.reviewers.at(reviewer);
            refused.outcome = QStringLiteral("refused_invalid");
            done = writer.add({QStringLiteral("decision.refused"), refused.reviewer, action.id,
                               {{QStringLiteral("code"), QStringLiteral("decision.too_late")},
                                {QStringLiteral("session"), QStringLiteral("s-%1").arg(reviewer + 1)},
                                {QStringLiteral("token"), QStringLiteral("eyJhbGciOiJFZERTQSJ9.e30.AAAA")}}},
                              refused);
            if (done)
                done = expire();
            break;
        }
        default:
            done = expire();
            break;
        }
        if (!done)
            return done.error();
    }
    if (Status flushed = writer.flush(); !flushed)
        return flushed.error();
    if (spec.checkpointEvery > 0) {
        if (Status signed_ = writer.checkpoint(); !signed_)
            return signed_.error();
    }
    return out;
}

} // namespace countersign::testsupport
