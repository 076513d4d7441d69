// The gateway's decision rules and expiry, in process with a manual clock: each refusal has its
// own code, time moves without sleeping, and a store that cannot write makes it fail closed.
#include "core/audit/AuditIndex.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditVerifier.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/json/Json.h"
#include "core/decision/SignedDecision.h"
#include "gateway/Gateway.h"

#include <map>

#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace countersign;
using namespace countersign::gateway;
using protocol::Verdict;

namespace {

QString hash(const char *token)
{
    return QString::fromLatin1(crypto::sha256Hex(token));
}

const QString kRita = QStringLiteral("rita@example.com");
const QString kSam = QStringLiteral("sam@example.com");
const QString kAlex = QStringLiteral("alex@example.com");   // analyst
const QString kCarol = QStringLiteral("carol@example.com"); // revoked
const QString kSession = QStringLiteral("ses-unit");

// A payments.transfer submission as the payments agent sends it.
Submission paymentSubmission(double amount, const QString &user = QStringLiteral("alice@example.com"))
{
    Submission submission;
    submission.tool = QStringLiteral("payments");
    submission.operation = QStringLiteral("transfer");
    submission.parameters = {{QStringLiteral("amount"), amount}};
    submission.user = Principal{user, QString()};
    submission.application = Principal{QStringLiteral("crm"), QString()};
    submission.sessionId = QStringLiteral("s-1");
    return submission;
}

using Mangle = std::function<QByteArray(QByteArray)>;
using ClaimsTweak = std::function<void(decision::DecisionClaims &)>;

} // namespace

Q_DECLARE_METATYPE(Mangle)
Q_DECLARE_METATYPE(ClaimsTweak)

class TestGatewayDecisions final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void submitBuildsTheAction();
    void approveResolvesAndPublishes();
    void dualApprovalCountsDistinctReviewers();
    void refusalsHaveTheirOwnCodes();
    void selfApprovalIsCaseInsensitive();
    void tooLateWhenTheDeadlinePassed();
    void expiryDeniesBySilence();
    void reopenedGatewayExpiresWhatIsOverdue();
    void undecidedActionIsEscalatedOnceAtItsPoint();
    void actionDecidedInTimeIsNotEscalated();
    void busyStoreFailsClosed();
    void auditTrailRecordsAndVerifies();
    void auditLogThatCannotWriteFailsClosed();
    void signedDecisionRefusals_data();
    void signedDecisionRefusals();
    void refusalsAreRecordedWithTheirToken();
    void resendIsAcknowledgedOnceReplayIsRefused();
    void credentialsAreRedactedBeforeAnythingIsStored();

private:
    using Tweak = std::function<void(decision::DecisionClaims &)>;
    [[nodiscard]] StoredAction submit(double amount, const QString &user = QStringLiteral("alice@example.com"));
    [[nodiscard]] QByteArray sign(const QString &signer, const StoredAction &action, Verdict verdict,
                                  const Tweak &tweak = {}, const Clock *clock = nullptr) const;
    [[nodiscard]] protocol::DecisionResult decide(const QString &reviewer, const StoredAction &action, Verdict verdict,
                                                  const QByteArray &digest = {});
    [[nodiscard]] protocol::DecisionResult send(const QString &sessionOf, const QString &actionId, const QByteArray &token);
    [[nodiscard]] const PolicyReviewer &reviewer(const QString &id) const;
    [[nodiscard]] ActionStatus status(const QString &id) const;

    std::map<QString, crypto::Ed25519PrivateKey> m_keys;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<Gateway> m_gateway;
    GatewayConfig m_config;
};

void TestGatewayDecisions::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_keys.clear();
    for (const QString &id : {kRita, kSam, kAlex, kCarol})
        m_keys.emplace(id, crypto::Ed25519PrivateKey::generate().value());
    auto x = [this](const QString &id) {
        return crypto::publicKeyToJwk(m_keys.at(id).publicKey()).value(QStringLiteral("x")).toString();
    };
    const QByteArray policy = QStringLiteral(R"({"version":"unit-1",
        "reviewers":[{"id":"rita@example.com","role":"reviewer","key":{"kty":"OKP","crv":"Ed25519","x":"%1"}},
                     {"id":"sam@example.com","role":"reviewer","key":{"kty":"OKP","crv":"Ed25519","x":"%2"}},
                     {"id":"alex@example.com","role":"analyst","key":{"kty":"OKP","crv":"Ed25519","x":"%3"}},
                     {"id":"carol@example.com","role":"reviewer","key":{"kty":"OKP","crv":"Ed25519","x":"%5"},
                      "revokedAt":"2025-12-31T00:00:00Z"}],
        "agents":[{"id":"payments-agent","tokenSha256":"%4","tools":["payments.transfer"]}],
        "rules":[{"id":"dual","tool":"payments","when":[{"param":"amount","op":"gte","value":100000}],
                  "tier":4,"categories":["financial"],"deadlineSeconds":60,"approvals":2,"reason":"Two people"},
                 {"id":"escalating","tool":"payments","when":[{"param":"amount","op":"eq","value":55555}],
                  "tier":3,"categories":["financial"],"deadlineSeconds":100,"approvals":1,"reason":"Escalates",
                  "escalation":{"group":"finance-leads","atPercent":75}},
                 {"id":"single","tool":"payments","when":[{"param":"amount","op":"gt","value":10000}],
                  "tier":3,"categories":["financial"],"deadlineSeconds":60,"approvals":1,"reason":"One person"}]})")
                                 .arg(x(kRita), x(kSam), x(kAlex), hash("p"), x(kCarol))
                                 .toUtf8();
    QFile file(m_dir->filePath(QStringLiteral("policy.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(policy);
    file.close();
    m_config = GatewayConfig{};
    m_config.dataDir = m_dir->filePath(QStringLiteral("data"));
    m_config.policyPath = file.fileName();
    m_config.insecurePlaintext = true; // no listeners in this test: no TLS identity needed
    m_config.storeBusyTimeoutMs = 50;
    m_clock = std::make_unique<ManualClock>();
    m_gateway = std::make_unique<Gateway>(m_config, *m_clock);
    const Status opened = m_gateway->open();
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().toString()));
}

void TestGatewayDecisions::cleanup()
{
    m_gateway.reset();
    m_dir.reset();
}

StoredAction TestGatewayDecisions::submit(double amount, const QString &user)
{
    auto stored = m_gateway->submit(*m_gateway->policy().agentForToken("p"), paymentSubmission(amount, user));
    if (!stored)
        qFatal("%s", qPrintable(stored.error().toString()));
    return stored.value();
}

const PolicyReviewer &TestGatewayDecisions::reviewer(const QString &id) const
{
    for (const PolicyReviewer &entry : m_gateway->policy().reviewers()) {
        if (entry.id == id)
            return entry;
    }
    qFatal("no reviewer");
}

QByteArray TestGatewayDecisions::sign(const QString &signer, const StoredAction &action, Verdict verdict,
                                      const Tweak &tweak, const Clock *clock) const
{
    decision::DecisionClaims claims;
    claims.actionId = action.id;
    claims.actionDigest = action.digest;
    claims.verdict = verdict;
    claims.reason = QStringLiteral("reason of ") + signer;
    claims.reviewer = signer;
    claims.gatewayId = m_gateway->gatewayId();
    claims.policyVersion = QStringLiteral("unit-1");
    if (tweak)
        tweak(claims);
    auto token = decision::signDecision(claims, m_keys.at(signer), clock ? *clock : *m_clock);
    if (!token)
        qFatal("%s", qPrintable(token.error().toString()));
    return token.value();
}

protocol::DecisionResult TestGatewayDecisions::send(const QString &sessionOf, const QString &actionId, const QByteArray &token)
{
    protocol::Decision decision;
    decision.requestId = QStringLiteral("req-1");
    decision.actionId = actionId;
    decision.token = token;
    return m_gateway->decide(reviewer(sessionOf), kSession, decision);
}

protocol::DecisionResult TestGatewayDecisions::decide(const QString &id, const StoredAction &action, Verdict verdict,
                                                      const QByteArray &digest)
{
    return send(id, action.id, sign(id, action, verdict, [&](decision::DecisionClaims &claims) {
                    if (!digest.isEmpty())
                        claims.actionDigest = digest;
                }));
}

ActionStatus TestGatewayDecisions::status(const QString &id) const
{
    return m_gateway->findAction(id).value()->status;
}

void TestGatewayDecisions::submitBuildsTheAction()
{
    QSignalSpy published(m_gateway.get(), &Gateway::eventPublished);
    const StoredAction action = submit(20000);
    QCOMPARE(action.status, ActionStatus::Pending);
    QCOMPARE(action.rule, QStringLiteral("single"));
    QCOMPARE(action.createdAt, m_clock->nowUtc());
    QCOMPARE(action.deadline, m_clock->nowUtc().addSecs(60));
    QCOMPARE(action.digest, crypto::sha256Hex(action.actionJson));
    QCOMPARE(published.count(), 1);
    auto frame = protocol::parseServerFrame(published.first().at(1).toByteArray());
    QVERIFY2(frame, qPrintable(frame ? QString() : frame.error().toString()));
    const auto &pending = std::get<protocol::ActionPending>(frame.value());
    QCOMPARE(pending.digest, action.digest);
    QCOMPARE(pending.action.identity.actingAgent().id, QStringLiteral("payments-agent"));
    QCOMPARE(pending.action.impact.reason, QStringLiteral("One person: amount 20000 > 10000"));
    // Signed by the gateway's own key, over this action's id, digest and gateway id.
    QVERIFY(!pending.signature.isEmpty());
    const Status verified = protocol::verifyActionSignature(pending, m_gateway->signingPublicKey());
    QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().toString()));
    QCOMPARE(crypto::jwkThumbprint(m_gateway->signingPublicKey()), m_gateway->signingKeyThumbprint());
    const auto other = std::move(crypto::Ed25519PrivateKey::generate()).value();
    QCOMPARE(protocol::verifyActionSignature(pending, other.publicKey()).error().code, QStringLiteral("action.wrong_key"));
    // The snapshot repeats the signature that was published.
    const auto snapshot = m_gateway->snapshotFrames();
    QVERIFY(snapshot);
    QCOMPARE(snapshot.value().size(), 1);
    const auto fromSnapshot = protocol::parseServerFrame(snapshot.value().first());
    QVERIFY(fromSnapshot);
    QCOMPARE(std::get<protocol::ActionPending>(fromSnapshot.value()).signature, pending.signature);
    QCOMPARE(m_gateway->findAction(action.id).value()->signature, pending.signature);

    const StoredAction allowed = submit(5);
    QCOMPARE(allowed.status, ActionStatus::Allowed);
    QCOMPARE(published.count(), 1);
}

void TestGatewayDecisions::approveResolvesAndPublishes()
{
    const StoredAction action = submit(20000);
    QSignalSpy resolved(m_gateway.get(), &Gateway::actionResolved);
    const auto result = decide(QStringLiteral("rita@example.com"), action, Verdict::Approve);
    QVERIFY(result.accepted);
    QCOMPARE(result.requestId, QStringLiteral("req-1"));
    QCOMPARE(resolved.count(), 1);
    const StoredAction stored = *m_gateway->findAction(action.id).value();
    QCOMPARE(stored.status, ActionStatus::Approved);
    QCOMPARE(stored.decidedBy, QStringLiteral("rita@example.com"));
    QCOMPARE(stored.reason, QStringLiteral("reason of rita@example.com"));
}

void TestGatewayDecisions::dualApprovalCountsDistinctReviewers()
{
    const StoredAction action = submit(250000);
    QCOMPARE(action.approvalsRequired, 2);
    QVERIFY(decide(QStringLiteral("rita@example.com"), action, Verdict::Approve).accepted);
    QCOMPARE(status(action.id), ActionStatus::Pending);
    QCOMPARE(decide(QStringLiteral("rita@example.com"), action, Verdict::Approve).code,
             QStringLiteral("decision.duplicate_approval"));
    QVERIFY(decide(QStringLiteral("sam@example.com"), action, Verdict::Approve).accepted);
    QCOMPARE(status(action.id), ActionStatus::Approved);
    QCOMPARE(m_gateway->findAction(action.id).value()->decidedBy, QStringLiteral("rita@example.com,sam@example.com"));

    // One deny is a veto even after an approval.
    const StoredAction vetoed = submit(300000);
    QVERIFY(decide(QStringLiteral("rita@example.com"), vetoed, Verdict::Approve).accepted);
    QVERIFY(decide(QStringLiteral("sam@example.com"), vetoed, Verdict::Deny).accepted);
    QCOMPARE(status(vetoed.id), ActionStatus::Denied);
}

void TestGatewayDecisions::refusalsHaveTheirOwnCodes()
{
    const StoredAction action = submit(20000);
    QCOMPARE(decide(kAlex, action, Verdict::Approve).code, QStringLiteral("decision.forbidden_role"));
    QCOMPARE(decide(QStringLiteral("rita@example.com"), action, Verdict::Approve, QByteArray(64, '0')).code,
             QStringLiteral("decision.digest_mismatch"));
    StoredAction ghost = action;
    ghost.id = QStringLiteral("act-unknown");
    QCOMPARE(decide(QStringLiteral("rita@example.com"), ghost, Verdict::Approve).code, QStringLiteral("decision.unknown_action"));
    QCOMPARE(status(action.id), ActionStatus::Pending);
    QVERIFY(decide(QStringLiteral("rita@example.com"), action, Verdict::Deny).accepted);
    QCOMPARE(decide(QStringLiteral("sam@example.com"), action, Verdict::Approve).code, QStringLiteral("decision.already_resolved"));
}

void TestGatewayDecisions::selfApprovalIsCaseInsensitive()
{
    const StoredAction action = submit(20000, QStringLiteral("Rita@Example.com"));
    QCOMPARE(decide(QStringLiteral("rita@example.com"), action, Verdict::Approve).code, QStringLiteral("decision.self_approval"));
    // Denying one's own request is always safe.
    QCOMPARE(status(action.id), ActionStatus::Pending);
    QVERIFY(decide(QStringLiteral("rita@example.com"), action, Verdict::Deny).accepted);
}

void TestGatewayDecisions::tooLateWhenTheDeadlinePassed()
{
    const StoredAction action = submit(20000);
    QSignalSpy resolved(m_gateway.get(), &Gateway::actionResolved);
    m_clock->advanceMs(60'000); // exactly at the deadline: already too late
    const auto result = decide(QStringLiteral("rita@example.com"), action, Verdict::Approve);
    QVERIFY(!result.accepted);
    QCOMPARE(result.code, QStringLiteral("decision.too_late"));
    QCOMPARE(status(action.id), ActionStatus::Expired);
    QCOMPARE(resolved.count(), 1);
}

void TestGatewayDecisions::expiryDeniesBySilence()
{
    const StoredAction early = submit(20000);
    m_clock->advanceMs(30'000);
    const StoredAction late = submit(20000);
    QSignalSpy published(m_gateway.get(), &Gateway::eventPublished);
    m_clock->advanceMs(30'001);
    m_gateway->expireOverdue();
    QCOMPARE(status(early.id), ActionStatus::Expired);
    QCOMPARE(status(late.id), ActionStatus::Pending);
    const StoredAction expired = *m_gateway->findAction(early.id).value();
    QCOMPARE(expired.decidedBy, QStringLiteral("gateway"));
    QCOMPARE(expired.reason, QStringLiteral("no decision before the deadline: denied by fail-safe timeout"));
    QCOMPARE(published.count(), 1);
    auto frame = protocol::parseServerFrame(published.first().at(1).toByteArray());
    QVERIFY(frame);
    QCOMPARE(std::get<protocol::ActionResolved>(frame.value()).outcome, protocol::Outcome::Expired);
}

void TestGatewayDecisions::reopenedGatewayExpiresWhatIsOverdue()
{
    const StoredAction action = submit(20000);
    m_gateway.reset();
    m_clock->advanceMs(120'000);
    m_gateway = std::make_unique<Gateway>(m_config, *m_clock);
    QVERIFY(m_gateway->open());
    QCOMPARE(status(action.id), ActionStatus::Expired);
}

void TestGatewayDecisions::undecidedActionIsEscalatedOnceAtItsPoint()
{
    QSignalSpy published(m_gateway.get(), &Gateway::eventPublished);
    const StoredAction action = submit(55555); // rule "escalating": 100 s window, at 75 %
    const StoredAction other = submit(20000);  // rule "single": no escalation
    published.clear();
    m_clock->advanceMs(74'000);
    m_gateway->escalateDue();
    QCOMPARE(published.count(), 0);
    m_clock->advanceMs(1'000);
    m_gateway->escalateDue();
    QCOMPARE(published.count(), 1);
    auto frame = protocol::parseServerFrame(published.first().at(1).toByteArray());
    QVERIFY(frame);
    const auto escalated = std::get<protocol::ActionEscalated>(frame.value());
    QCOMPARE(escalated.actionId, action.id);
    QCOMPARE(escalated.group, QStringLiteral("finance-leads"));
    QCOMPARE(escalated.at, m_clock->nowUtc());
    m_gateway->escalateDue();
    QCOMPARE(published.count(), 1); // once

    // A fresh console's snapshot carries it, in seq order after the action.
    auto snapshot = m_gateway->snapshotFrames();
    QVERIFY(snapshot);
    QCOMPARE(snapshot.value().size(), 3);
    QVERIFY(std::holds_alternative<protocol::ActionEscalated>(protocol::parseServerFrame(snapshot.value().last()).value()));
    QCOMPARE(std::get<protocol::ActionPending>(protocol::parseServerFrame(snapshot.value().at(1)).value()).action.id, other.id);

    // A restart does not escalate it again; it is on the audit log once.
    m_gateway = std::make_unique<Gateway>(m_config, *m_clock);
    QSignalSpy afterRestart(m_gateway.get(), &Gateway::eventPublished);
    QVERIFY(m_gateway->open());
    m_gateway->escalateDue();
    for (const QList<QVariant> &event : std::as_const(afterRestart)) // the other one expired meanwhile
        QVERIFY(!std::holds_alternative<protocol::ActionEscalated>(protocol::parseServerFrame(event.at(1).toByteArray()).value()));
    auto log = audit::AuditLog::open(m_gateway->auditLogPath(), {.readOnly = true});
    QVERIFY(log);
    audit::EntryFilter filter;
    filter.kinds = {QStringLiteral("action.escalated")};
    const auto entries = log.value()->entries(0, 10, filter);
    QVERIFY(entries);
    QCOMPARE(entries.value().size(), 1);
    QCOMPARE(entries.value().first().subject, action.id);
}

void TestGatewayDecisions::actionDecidedInTimeIsNotEscalated()
{
    QSignalSpy published(m_gateway.get(), &Gateway::eventPublished);
    const StoredAction action = submit(55555);
    QVERIFY(decide(kRita, action, Verdict::Deny).accepted);
    published.clear();
    m_clock->advanceMs(80'000);
    m_gateway->escalateDue();
    QCOMPARE(published.count(), 0);
}

void TestGatewayDecisions::busyStoreFailsClosed()
{
    const StoredAction action = submit(20000);
    sqlite3 *other = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(m_config.dataDir + QStringLiteral("/gateway.db")).constData(), &other), SQLITE_OK);
    QCOMPARE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

    QSignalSpy published(m_gateway.get(), &Gateway::eventPublished);
    const auto result = decide(QStringLiteral("rita@example.com"), action, Verdict::Approve);
    QVERIFY(!result.accepted);
    QCOMPARE(result.code, QStringLiteral("store.unavailable"));
    auto refused = m_gateway->submit(*m_gateway->policy().agentForToken("p"), paymentSubmission(50000));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, QStringLiteral("store.unavailable"));
    QCOMPARE(published.count(), 0);

    QCOMPARE(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
    QCOMPARE(status(action.id), ActionStatus::Pending);
    QVERIFY(decide(QStringLiteral("rita@example.com"), action, Verdict::Approve).accepted);
}

void TestGatewayDecisions::auditTrailRecordsAndVerifies()
{
    const StoredAction approved = submit(20000);
    QVERIFY(decide(kRita, approved, Verdict::Approve).accepted);
    const StoredAction expired = submit(20000);
    QVERIFY(!decide(kSam, approved, Verdict::Approve).accepted); // already resolved: refused
    m_clock->advanceMs(60'001);
    m_gateway->expireOverdue();
    QCOMPARE(status(expired.id), ActionStatus::Expired);
    Submission undeclared;
    undeclared.tool = QStringLiteral("shell");
    undeclared.operation = QStringLiteral("exec");
    undeclared.user = Principal{QStringLiteral("a"), QString()};
    undeclared.application = Principal{QStringLiteral("b"), QString()};
    undeclared.sessionId = QStringLiteral("s");
    QVERIFY(!m_gateway->submit(*m_gateway->policy().agentForToken("p"), undeclared));

    audit::AuditLog::Options readOnly;
    readOnly.readOnly = true;
    auto log = audit::AuditLog::open(m_gateway->auditLogPath(), readOnly);
    QVERIFY2(log, qPrintable(log ? QString() : log.error().toString()));
    auto entries = log.value()->entries(0, 100);
    QVERIFY(entries);
    QStringList kinds;
    for (const audit::AuditEntry &entry : entries.value())
        kinds.append(entry.kind + QLatin1Char(' ') + entry.subject);
    QCOMPARE(kinds, (QStringList{QStringLiteral("control.change unit-1"),
                                 QStringLiteral("submission.accepted ") + approved.id,
                                 QStringLiteral("decision.accepted ") + approved.id,
                                 QStringLiteral("submission.accepted ") + expired.id,
                                 QStringLiteral("decision.refused ") + approved.id,
                                 QStringLiteral("action.denied_by_timeout ") + expired.id,
                                 QStringLiteral("submission.refused ")}));
    const audit::AuditEntry &decision = entries.value().at(2);
    QCOMPARE(decision.actor, kRita);
    QVERIFY(decision.payload.contains("\"verdict\":\"approve\""));
    QVERIFY(decision.payload.contains("\"approvals\":1,\"approvalsRequired\":1"));
    // The submission's entry holds the action exactly as published: what the reviewer saw.
    const QJsonObject submitted = QJsonDocument::fromJson(entries.value().at(1).payload).object();
    const QByteArray shown = json::canonicalize(submitted.value(QStringLiteral("action")).toObject());
    QCOMPARE(shown, approved.actionJson);
    QCOMPARE(crypto::sha256Hex(shown), approved.digest);

    // The browse index follows the appends from the gateway's event loop.
    QTRY_COMPARE(log.value()->indexedSize().value(), log.value()->size());
    audit::BrowseFilter timeouts;
    timeouts.outcomes = {QString::fromLatin1(audit::outcome::kDeniedByTimeout)};
    const auto timedOut = log.value()->browse(0, 10, timeouts);
    QVERIFY(timedOut);
    QCOMPARE(timedOut.value().size(), 1);
    QCOMPARE(timedOut.value().constFirst().actionId, expired.id);

    // The gateway's own trail verifies, decisions included, against the enrolled keys.
    audit::VerifyOptions options;
    QList<audit::EnrolledReviewer> enrolled;
    for (const PolicyReviewer &entry : m_gateway->policy().reviewers())
        enrolled.append(audit::EnrolledReviewer{entry.id, entry.keyId, *entry.key});
    options.reviewers = enrolled;
    // The log names those keys itself, from the policy the gateway started with.
    const auto fromLog = audit::reviewerKeysFromLog(*log.value());
    QVERIFY(fromLog);
    QCOMPARE(fromLog.value().size(), enrolled.size());
    for (const audit::EnrolledReviewer &reviewer : std::as_const(enrolled)) {
        QVERIFY2(std::any_of(fromLog.value().cbegin(), fromLog.value().cend(),
                             [&](const audit::EnrolledReviewer &logged) {
                                 return logged.id == reviewer.id && logged.keyId == reviewer.keyId && logged.key == reviewer.key;
                             }),
                 qPrintable(reviewer.id));
    }
    // Signed with the key consoles pin: one checkpoint from open(), one now.
    auto checkpoint = m_gateway->signAuditCheckpoint();
    QVERIFY2(checkpoint, qPrintable(checkpoint ? QString() : checkpoint.error().toString()));
    QCOMPARE(checkpoint.value().size, 7);
    QVERIFY(checkpoint.value().note.startsWith(QString(m_gateway->auditOrigin() + QStringLiteral("\n7\n")).toUtf8()));
    options.gatewayKey = m_gateway->signingPublicKey();
    const auto report = audit::verifyLog(m_gateway->auditLogPath(), options);
    QVERIFY(report);
    QVERIFY2(report.value().ok, qPrintable(report.value().reason));
    QCOMPARE(report.value().decisionsChecked, 1);
    QCOMPARE(report.value().checkpointsChecked, 2);
    QVERIFY(report.value().notChecked.isEmpty());
}

void TestGatewayDecisions::auditLogThatCannotWriteFailsClosed()
{
    const StoredAction action = submit(20000);
    // Another writer holds audit.db: the append cannot be made durable within the timeout.
    sqlite3 *other = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(m_gateway->auditLogPath()).constData(), &other), SQLITE_OK);
    QCOMPARE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

    QSignalSpy published(m_gateway.get(), &Gateway::eventPublished);
    const auto result = decide(kRita, action, Verdict::Approve);
    QVERIFY(!result.accepted);
    QCOMPARE(result.code, QStringLiteral("audit.unavailable"));
    QCOMPARE(status(action.id), ActionStatus::Pending);
    // A small amount is allowed by policy without a human: it must not run unaudited either.
    auto refused = m_gateway->submit(*m_gateway->policy().agentForToken("p"), paymentSubmission(5));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, QStringLiteral("audit.unavailable"));
    QCOMPARE(published.count(), 0);

    QCOMPARE(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
    QVERIFY(decide(kRita, action, Verdict::Approve).accepted);
    QCOMPARE(status(action.id), ActionStatus::Approved);
}

void TestGatewayDecisions::signedDecisionRefusals_data()
{
    // Who the session signed in as, who signs, how the claims or the token are changed, and the
    // code the gateway must answer with. Each row runs on a fresh gateway and a fresh action.
    QTest::addColumn<QString>("session");
    QTest::addColumn<QString>("signer");
    QTest::addColumn<Mangle>("mangle");
    QTest::addColumn<ClaimsTweak>("tweak");
    QTest::addColumn<QString>("code");
    const Mangle keep = [](QByteArray token) { return token; };
    const Tweak none;
    QTest::newRow("another reviewer's key on this session") << kRita << kSam << keep << none << "decision.wrong_key";
    QTest::newRow("revoked key") << kCarol << kCarol << keep << none << "decision.revoked_key";
    QTest::newRow("analyst") << kAlex << kAlex << keep << none << "decision.forbidden_role";
    QTest::newRow("signature bit flipped")
        << kRita << kRita << Mangle([](QByteArray token) -> QByteArray {
               const qsizetype dot = token.lastIndexOf('.');
               QByteArray signature = crypto::base64UrlDecode(token.mid(dot + 1)).value();
               signature[5] = static_cast<char>(signature[5] ^ 0x01);
               return token.left(dot + 1) + crypto::base64UrlEncode(signature);
           })
        << none << "decision.bad_signature";
    QTest::newRow("payload swapped")
        << kRita << kRita << Mangle([](QByteArray token) -> QByteArray {
               const QList<QByteArray> parts = token.split('.');
               QByteArray payload = crypto::base64UrlDecode(parts.at(1)).value();
               payload.replace("\"approve\"", "\"deny\"");
               return parts.at(0) + '.' + crypto::base64UrlEncode(payload) + '.' + parts.at(2);
           })
        << none << "decision.bad_signature";
    QTest::newRow("not a JWS") << kRita << kRita
                               << Mangle([](QByteArray) { return QByteArray("approve"); })
                               << none << "decision.malformed";
    QTest::newRow("subject is someone else")
        << kRita << kRita << keep << Tweak([](decision::DecisionClaims &c) { c.reviewer = kSam; }) << "decision.subject_mismatch";
    QTest::newRow("other gateway")
        << kRita << kRita << keep << Tweak([](decision::DecisionClaims &c) { c.gatewayId = QStringLiteral("gw-000000000000"); })
        << "decision.wrong_audience";
    QTest::newRow("signed for another action")
        << kRita << kRita << keep << Tweak([](decision::DecisionClaims &c) { c.actionId = QStringLiteral("act-other"); })
        << "decision.action_mismatch";
    QTest::newRow("other digest")
        << kRita << kRita << keep << Tweak([](decision::DecisionClaims &c) { c.actionDigest = QByteArray(64, 'a'); })
        << "decision.digest_mismatch";
    QTest::newRow("other policy version")
        << kRita << kRita << keep << Tweak([](decision::DecisionClaims &c) { c.policyVersion = QStringLiteral("unit-0"); })
        << "decision.policy_mismatch";
}

void TestGatewayDecisions::signedDecisionRefusals()
{
    QFETCH(QString, session);
    QFETCH(QString, signer);
    QFETCH(Mangle, mangle);
    QFETCH(ClaimsTweak, tweak);
    QFETCH(QString, code);
    const StoredAction action = submit(20000);
    QSignalSpy published(m_gateway.get(), &Gateway::eventPublished);
    const auto result = send(session, action.id, mangle(sign(signer, action, Verdict::Approve, tweak)));
    QVERIFY(!result.accepted);
    QCOMPARE(result.code, code);
    QVERIFY(!result.message.isEmpty());
    QCOMPARE(status(action.id), ActionStatus::Pending);
    QCOMPARE(published.count(), 0);
}

void TestGatewayDecisions::refusalsAreRecordedWithTheirToken()
{
    const StoredAction fresh = submit(20000);
    // Signed by a console whose clock is 301 s behind: outside the 300 s the gateway allows.
    const ManualClock behind(m_clock->nowUtc().addSecs(-301));
    const QByteArray old = sign(kRita, fresh, Verdict::Approve, {}, &behind);
    const auto refused = send(kRita, fresh.id, old);
    QCOMPARE(refused.code, QStringLiteral("decision.stale"));
    const auto accepted = decide(kRita, fresh, Verdict::Approve);
    QVERIFY(accepted.accepted);

    const auto records = m_gateway->decisionRecords(fresh.id);
    QVERIFY(records);
    QCOMPARE(records.value().size(), 2);
    QCOMPARE(records.value().at(0).code, QStringLiteral("decision.stale"));
    QCOMPARE(records.value().at(0).token, old);
    QVERIFY(!records.value().at(0).accepted);
    QCOMPARE(records.value().at(0).sessionId, kSession);
    QVERIFY(records.value().at(1).accepted);
    QCOMPARE(records.value().at(1).verdict, QStringLiteral("approve"));
    QCOMPARE(records.value().at(1).keyId, QString::fromLatin1(crypto::jwkThumbprint(m_keys.at(kRita).publicKey())));
    // The stored token still verifies: anyone can check it later against the enrolled key.
    QVERIFY(decision::verifyDecision(records.value().at(1).token, m_keys.at(kRita).publicKey()));
}

void TestGatewayDecisions::resendIsAcknowledgedOnceReplayIsRefused()
{
    const StoredAction action = submit(250000); // two approvals needed
    const QByteArray token = sign(kRita, action, Verdict::Approve);
    QVERIFY(send(kRita, action.id, token).accepted);
    // A console resending after a lost answer: acknowledged, nothing counted twice.
    const auto again = send(kRita, action.id, token);
    QVERIFY(again.accepted);
    QCOMPARE(again.message, QStringLiteral("already recorded"));
    QCOMPARE(m_gateway->findAction(action.id).value()->approvedBy, QStringList{kRita});
    // The nonce of an accepted decision in another decision: a replay.
    const QString nonce = decision::verifyDecision(token, m_keys.at(kRita).publicKey()).value().nonce;
    const StoredAction other = submit(20000);
    const auto replay = send(kRita, other.id, sign(kRita, other, Verdict::Approve, [&](decision::DecisionClaims &c) {
                                 c.nonce = nonce;
                             }));
    QCOMPARE(replay.code, QStringLiteral("decision.replayed"));
    QCOMPARE(status(other.id), ActionStatus::Pending);
}

void TestGatewayDecisions::credentialsAreRedactedBeforeAnythingIsStored()
{
    const QString key = QStringLiteral("AKIAIOSFODNN7EXAMPLE");
    const QString password = QStringLiteral("S3cr3t-pa55");
    Submission submission;
    submission.tool = QStringLiteral("payments");
    submission.operation = QStringLiteral("transfer");
    submission.parameters = {{QStringLiteral("amount"), 20000},
                             {QStringLiteral("memo"), QString(QStringLiteral("use ") + key)},
                             {QStringLiteral("callback"), QString(QStringLiteral("postgres://app:") + password + QStringLiteral("@db/x"))}};
    submission.user = Principal{QStringLiteral("alice@example.com"), QStringLiteral("Alice")};
    submission.application = Principal{QStringLiteral("crm"), QString()};
    submission.sessionId = QStringLiteral("s-1");
    submission.claimedVerdicts = {JudgeVerdict{QStringLiteral("judge-1"), JudgeOutcome::Flag, QStringLiteral("exfiltration"), 0.9,
                                      QString(QStringLiteral("the memo carries ") + key)}};
    QSignalSpy published(m_gateway.get(), &Gateway::eventPublished);
    auto stored = m_gateway->submit(*m_gateway->policy().agentForToken("p"), submission);
    QVERIFY(stored);
    // The policy judged the real amount; nothing stored or published holds a secret.
    QCOMPARE(stored.value().status, ActionStatus::Pending);
    for (const QByteArray &bytes : {stored.value().actionJson, published.first().at(1).toByteArray(),
                                    m_gateway->findAction(stored.value().id).value()->actionJson}) {
        QVERIFY2(!bytes.contains(key.toUtf8()), bytes.constData());
        QVERIFY2(!bytes.contains(password.toUtf8()), bytes.constData());
    }
    const Action action = Action::fromJson(QJsonDocument::fromJson(stored.value().actionJson).object()).value();
    QStringList found;
    for (const CredentialFinding &finding : action.credentials)
        found.append(finding.path + QLatin1Char('=') + finding.kind);
    found.sort();
    QCOMPARE(found, (QStringList{QStringLiteral("judge[0].rationale=aws-access-key"),
                                 QStringLiteral("parameters.callback=database-uri-password"),
                                 QStringLiteral("parameters.memo=aws-access-key")}));
    QCOMPARE(action.parameters.value(QStringLiteral("amount")).toInt(), 20000);
    QVERIFY(action.parameters.value(QStringLiteral("memo")).toString().startsWith(QStringLiteral("use [redacted: aws-access-key …")));
}

QTEST_GUILESS_MAIN(TestGatewayDecisions)
#include "TestGatewayDecisions.moc"
