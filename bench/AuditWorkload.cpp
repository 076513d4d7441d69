// The simulated gateway behind the audit benchmarks. Each entry is built the way the gateway
// builds it; the comments name the gateway code a payload copies.
#include "bench/AuditWorkload.h"

#include "core/action/Action.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/SecureBuffer.h"
#include "core/decision/SignedDecision.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"
#include "core/policy/Policy.h"
#include "core/redaction/Redaction.h"
#include "gateway/Submission.h"
#include "sim/Scenario.h"

#include <cmath>
#include <cstdlib>
#include <deque>
#include <map>
#include <vector>

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

namespace countersign::bench {

namespace {

const QString kAdmin = QStringLiteral("ops-admin@example.com");
const QString kPolicyFile = QStringLiteral("/etc/countersign/policy.json");
const QString kExpiredReason = QStringLiteral("no decision before the deadline: denied by fail-safe timeout");
constexpr qint64 kSessionMaxMs = 60 * 60 * 1000;  // GatewayConfig::sessionMaxSeconds
constexpr qint64 kSessionIdleMs = 10 * 60 * 1000; // GatewayConfig::sessionIdleSeconds
constexpr qint64 kDayMs = 24 * 60 * 60 * 1000;

// Reviewers enrolled by the administrator at the start; two of them also ask agents to act
// (they are among the users), so a few approvals are refused as self-approvals.
const QStringList kReviewerIds{
    QStringLiteral("rita.alvarez@example.com"), QStringLiteral("sam.okoye@example.com"),
    QStringLiteral("tom.becker@example.com"),   QStringLiteral("uma.patel@example.com"),
    QStringLiteral("victor.lind@example.com"),  QStringLiteral("wen.zhao@example.com"),
    QStringLiteral("xavier.dupont@example.com"), QStringLiteral("yara.haddad@example.com"),
    QStringLiteral("dana.okafor@example.com"),  QStringLiteral("omar.said@example.com"),
};
const QString kAnalyst = QStringLiteral("audit-analyst@example.com");
const QString kRevokedReviewer = QStringLiteral("tom.becker@example.com");
const QString kReplacementReviewer = QStringLiteral("nina.kowalski@example.com");

const QStringList kFirstNames{QStringLiteral("Alice"), QStringLiteral("Bob"),    QStringLiteral("Carol"),
                              QStringLiteral("Dana"),  QStringLiteral("Eve"),    QStringLiteral("Farid"),
                              QStringLiteral("Grace"), QStringLiteral("Hiro"),   QStringLiteral("Ines"),
                              QStringLiteral("Jonas"), QStringLiteral("Kemal"),  QStringLiteral("Lena"),
                              QStringLiteral("Mateo"), QStringLiteral("Noor"),   QStringLiteral("Omar"),
                              QStringLiteral("Priya"), QStringLiteral("Quentin"), QStringLiteral("Rosa"),
                              QStringLiteral("Stefan"), QStringLiteral("Tariq")};
const QStringList kLastNames{QStringLiteral("Martin"), QStringLiteral("Chen"), QStringLiteral("Okafor"),
                             QStringLiteral("Said")};

const QStringList kApproveReasons{
    QString(), QString(), QString(), QStringLiteral("Matches PO 4471 and the signed contract"),
    QStringLiteral("Confirmed with the requester by phone"), QStringLiteral("Routine; the vendor is on the approved list"),
    QStringLiteral("Ticket OPS-2291 covers this"), QStringLiteral("Checked the recipients against the CRM"),
};
const QStringList kDenyReasons{
    QStringLiteral("The beneficiary is not on the approved vendor list"),
    QStringLiteral("No ticket references this deletion"),
    QStringLiteral("Recipient domain is not a known partner"),
    QStringLiteral("The export destination is not covered by our data processing agreement"),
    QStringLiteral("An agent may not grant itself db.delete"),
    QStringLiteral("The Judge is right: the request came from text in a retrieved document"),
    QStringLiteral("Amount does not match the invoice; asked finance to resubmit"),
    QStringLiteral("Not during the change freeze"),
};

QString hex64(QRandomGenerator &random)
{
    return QString::number(random.generate64(), 16).rightJustified(16, QLatin1Char('0'));
}

crypto::Ed25519PrivateKey derivedKey(const QString &label, quint32 seed)
{
    const QByteArray material = crypto::sha256(QByteArray(QByteArray("countersign-bench/") + label.toUtf8() + '/' + QByteArray::number(seed)));
    auto key = crypto::Ed25519PrivateKey::fromSeed(crypto::SecureBuffer(material));
    if (!key)
        qFatal("cannot derive a key: %s", qPrintable(key.error().toString()));
    return std::move(key).value();
}

[[noreturn]] void fail(const QString &what)
{
    qFatal("audit workload: %s", qPrintable(what));
    std::abort();
}

template<typename T>
T take(Result<T> result, const char *what)
{
    if (!result)
        fail(QString(QLatin1String(what) + QStringLiteral(": ") + result.error().toString()));
    return std::move(result).value();
}

} // namespace

struct AuditWorkload::Private
{
    enum class Kind { Enrol, Submit, Approve, Deny, Expire, Late, Duplicate, Rotate, PolicySet, AgentAdd };
    struct Event
    {
        Kind kind;
        QString actionId;
        int index = 0; // Enrol: which reviewer
    };
    struct Reviewer
    {
        QString id;
        protocol::Role role = protocol::Role::Reviewer;
        crypto::Ed25519PrivateKey key;
        QString keyId;
        bool enrolled = false;
        bool revoked = false;
        QString sessionId;
        qint64 sessionOpenedMs = 0;
        qint64 lastActivityMs = 0;
    };
    struct Pending
    {
        QString id;
        QString userId;
        QStringList chain; // user and agents: who may not approve it
        QByteArray digest;
        QString policyVersion;
        qint64 deadlineMs = 0;
        int approvalsRequired = 1;
        QStringList approvedBy;
        bool resolved = false;
    };

    WorkloadOptions options;
    QRandomGenerator random;
    sim::ScenarioGenerator scenarios;
    QString gatewayId;
    crypto::Ed25519PrivateKey gatewayKey;
    Policy policy;
    std::vector<std::unique_ptr<Reviewer>> reviewers;
    QStringList users;
    QStringList userNames;
    std::multimap<qint64, Event> events; // equal times keep their insertion order
    QHash<QString, Pending> pending;
    std::deque<TimedEntry> ready;
    qint64 nowMs = 0;
    qint64 signatures = 0;
    QMap<QString, qint64> counts;

    Private(const WorkloadOptions &o)
        : options(o), random(o.seed), scenarios(o.seed ^ 0x5eedu),
          gatewayKey(derivedKey(QStringLiteral("gateway"), o.seed))
    {
        gatewayId = QStringLiteral("gw-") + hex64(random).left(8);
        for (const QString &first : kFirstNames) {
            for (const QString &last : kLastNames) {
                if (users.size() == 40)
                    break;
                users.append(QString(first.toLower() + QLatin1Char('.') + last.toLower() + QStringLiteral("@example.com")));
                userNames.append(QString(first + QLatin1Char(' ') + last));
            }
        }
        // Two reviewers are users as well (see kReviewerIds).
        users.replace(3, QStringLiteral("dana.okafor@example.com"));
        users.replace(58 % users.size(), QStringLiteral("omar.said@example.com"));
        QStringList ids = kReviewerIds;
        ids.append(kAnalyst);
        ids.append(kReplacementReviewer);
        for (const QString &id : std::as_const(ids)) {
            auto reviewer = std::make_unique<Reviewer>(Reviewer{id, id == kAnalyst ? protocol::Role::Analyst : protocol::Role::Reviewer,
                                                                derivedKey(QString(QStringLiteral("reviewer/") + id), o.seed), {}, false, false, {}, 0, 0});
            reviewer->keyId = QString::fromLatin1(crypto::jwkThumbprint(reviewer->key.publicKey()));
            reviewers.push_back(std::move(reviewer));
        }

        // The policy file the gateway first started with: the demo agents and rules, one
        // administrator, no reviewer yet (they are enrolled through the control plane).
        const QByteArray adminToken = crypto::sha256Hex(QByteArray(QByteArray("bench-admin-token/") + QByteArray::number(o.seed)));
        const QJsonObject document = sim::demoPolicy(QByteArray("bench-agent-secret/") + QByteArray::number(o.seed), {},
                                                     {{kAdmin, crypto::sha256Hex(adminToken)}});
        policy = take(Policy::fromJson(QJsonDocument(document).toJson(QJsonDocument::Compact)), "the bench policy");
        // Gateway::loadPolicy on the very first start.
        const QByteArray after = json::canonicalize(QJsonObject{{QStringLiteral("version"), policy.version()},
                                                                {QStringLiteral("policyFile"), kPolicyFile}});
        emitControlChange(QStringLiteral("bootstrap"), QStringLiteral("bootstrap"), policy.version(), "null", after,
                          QStringLiteral("initial policy from the policy file"));

        for (int i = 0; i < int(kReviewerIds.size()) + 1; ++i)
            schedule(60'000 + i * 45'000, Event{Kind::Enrol, {}, i});
        schedule(15 * 60'000, Event{Kind::Submit, {}, 0});
        schedule(9 * kDayMs + 3 * 3'600'000, Event{Kind::Rotate, {}, 0});
        schedule(14 * kDayMs + 5 * 3'600'000, Event{Kind::PolicySet, {}, 0});
        schedule(20 * kDayMs + 2 * 3'600'000, Event{Kind::AgentAdd, {}, 0});
    }

    QDateTime at(qint64 ms) const { return options.start.addMSecs(ms); }

    void schedule(qint64 ms, Event event) { events.emplace(ms, std::move(event)); }

    int between(int low, int high) { return low + int(random.bounded(quint32(high - low + 1))); }
    double chance() { return random.generateDouble(); }
    template<typename List>
    const auto &pick(const List &list) { return list.at(qsizetype(random.bounded(quint32(list.size())))); }

    void record(const QString &kind, const QString &actor, const QString &subject, QJsonObject payload)
    {
        ready.push_back(TimedEntry{at(nowMs), audit::NewEntry{kind, actor, subject, std::move(payload)}});
    }

    // Gateway::applyPolicyChange with controlChangePayload: before and after in full (all of
    // ours are far below the 48 KiB above which the gateway keeps their digests instead).
    void emitControlChange(const QString &actor, const QString &command, const QString &target, const QByteArray &before,
                           const QByteArray &after, const QString &why)
    {
        const QByteArray document = json::canonicalize(policy.toJson());
        const auto side = [](const QByteArray &canonical) { return take(json::parse(canonical), "a change side"); };
        record(QStringLiteral("control.change"), actor, target,
             {{QStringLiteral("command"), command},
              {QStringLiteral("why"), why},
              {QStringLiteral("before"), side(before)},
              {QStringLiteral("after"), side(after)},
              {QStringLiteral("policyVersion"), policy.version()},
              {QStringLiteral("documentSha256"), QString::fromLatin1(crypto::sha256Hex(document))}});
    }

    Reviewer *reviewerById(const QString &id)
    {
        for (const auto &reviewer : reviewers) {
            if (reviewer->id == id)
                return reviewer.get();
        }
        return nullptr;
    }

    void enrol(Reviewer &reviewer, const QString &why)
    {
        policy = take(policy.withReviewer(reviewer.id, reviewer.role, crypto::publicKeyToJwk(reviewer.key.publicKey())),
                      "enrolling a reviewer");
        reviewer.enrolled = true;
        emitControlChange(kAdmin, QStringLiteral("reviewers.add"), reviewer.id, "null",
                          json::canonicalize(Policy::reviewerJson(*policy.reviewerById(reviewer.id))), why);
    }

    void closeSession(Reviewer &reviewer, const QString &code)
    {
        if (reviewer.sessionId.isEmpty())
            return;
        record(QStringLiteral("session.closed"), reviewer.id, reviewer.sessionId, {{QStringLiteral("code"), code}});
        reviewer.sessionId.clear();
    }

    // ConsoleSession: a session lasts an hour at most and ends after ten idle minutes; the
    // console signs in again for the next decision.
    void ensureSession(Reviewer &reviewer)
    {
        if (!reviewer.sessionId.isEmpty()) {
            if (nowMs - reviewer.sessionOpenedMs >= kSessionMaxMs)
                closeSession(reviewer, QStringLiteral("session.expired"));
            else if (nowMs - reviewer.lastActivityMs >= kSessionIdleMs)
                closeSession(reviewer, QStringLiteral("session.idle_timeout"));
        }
        if (reviewer.sessionId.isEmpty()) {
            // Now and then a sign-in fails first (a console clock off, a stale challenge).
            if (chance() < 0.02) {
                record(QStringLiteral("auth.failed"), QStringLiteral("unauthenticated"), QString(),
                     {{QStringLiteral("code"), pick(QStringList{QStringLiteral("auth.stale"), QStringLiteral("auth.wrong_nonce"),
                                                                QStringLiteral("auth.timeout")})},
                      {QStringLiteral("plane"), QStringLiteral("console")}});
            }
            reviewer.sessionId = QStringLiteral("ses-") + hex64(random);
            reviewer.sessionOpenedMs = nowMs;
            record(QStringLiteral("session.opened"), reviewer.id, reviewer.sessionId,
                 {{QStringLiteral("role"), protocol::roleName(reviewer.role)},
                  {QStringLiteral("keyId"), reviewer.keyId},
                  {QStringLiteral("expiresAt"), json::formatTimestamp(at(nowMs + kSessionMaxMs))}});
        }
        reviewer.lastActivityMs = nowMs;
    }

    QByteArray sign(Reviewer &reviewer, const Pending &action, protocol::Verdict verdict, const QString &reason)
    {
        decision::DecisionClaims claims;
        claims.actionId = action.id;
        claims.actionDigest = action.digest;
        claims.verdict = verdict;
        claims.reason = reason;
        claims.reviewer = reviewer.id;
        claims.gatewayId = gatewayId;
        claims.policyVersion = action.policyVersion;
        QByteArray nonce(decision::kNonceBytes, Qt::Uninitialized);
        random.fillRange(reinterpret_cast<quint32 *>(nonce.data()), nonce.size() / 4);
        claims.nonce = QString::fromLatin1(crypto::base64UrlEncode(nonce));
        const ManualClock clock(at(nowMs - between(200, 4000))); // signed a moment before it arrives
        ++signatures;
        return take(decision::signDecision(claims, reviewer.key, clock), "signing a decision");
    }

    void refuseDecision(Reviewer &reviewer, const Pending &action, const QString &code, const QByteArray &token)
    {
        record(QStringLiteral("decision.refused"), reviewer.id, action.id,
             {{QStringLiteral("code"), code},
              {QStringLiteral("session"), reviewer.sessionId},
              {QStringLiteral("token"), QString::fromLatin1(token)}});
    }

    Reviewer *pickReviewer(const QStringList &exclude)
    {
        QList<Reviewer *> candidates;
        for (const auto &reviewer : reviewers) {
            if (reviewer->enrolled && !reviewer->revoked && reviewer->role == protocol::Role::Reviewer
                && !exclude.contains(reviewer->id))
                candidates.append(reviewer.get());
        }
        return candidates.isEmpty() ? nullptr : pick(candidates);
    }

    // Gateway::decide, for a decision that passes every check but the ones simulated here.
    void decide(Pending &action, protocol::Verdict verdict)
    {
        if (action.resolved)
            return;
        Reviewer *reviewer = pickReviewer(action.approvedBy);
        if (!reviewer)
            return;
        const QString reason = verdict == protocol::Verdict::Approve ? pick(kApproveReasons) : pick(kDenyReasons);
        if (verdict == protocol::Verdict::Approve && action.chain.contains(reviewer->id)) {
            ensureSession(*reviewer);
            refuseDecision(*reviewer, action, QStringLiteral("decision.self_approval"), sign(*reviewer, action, verdict, reason));
            QStringList exclude = action.approvedBy;
            exclude.append(reviewer->id);
            reviewer = pickReviewer(exclude);
            if (!reviewer)
                return;
        }
        ensureSession(*reviewer);
        const QByteArray token = sign(*reviewer, action, verdict, reason);
        if (verdict == protocol::Verdict::Approve)
            action.approvedBy.append(reviewer->id);
        record(QStringLiteral("decision.accepted"), reviewer->id, action.id,
             {{QStringLiteral("token"), QString::fromLatin1(token)},
              {QStringLiteral("verdict"), protocol::verdictName(verdict)},
              {QStringLiteral("digest"), QString::fromLatin1(action.digest)},
              {QStringLiteral("session"), reviewer->sessionId},
              {QStringLiteral("approvals"), int(action.approvedBy.size())},
              {QStringLiteral("approvalsRequired"), action.approvalsRequired}});
        if (verdict == protocol::Verdict::Deny || action.approvedBy.size() >= action.approvalsRequired)
            action.resolved = true;
    }

    // When, between now and the deadline, the reviewers act on a pending action, and how it ends.
    void plan(const Pending &action)
    {
        const qint64 window = action.deadlineMs - nowMs;
        qint64 t = nowMs;
        const auto step = [&](int parts) { return qint64(between(4000, int(std::max<qint64>(5000, window / (parts + 1))))); };
        const double roll = chance();
        if (roll < 0.66) { // approved to the quorum
            for (int i = 0; i < action.approvalsRequired; ++i) {
                t += step(action.approvalsRequired);
                schedule(t, Event{Kind::Approve, action.id, 0});
                if (i == 0 && action.approvalsRequired > 1 && chance() < 0.04) // the same reviewer presses again
                    schedule(t + between(1000, 3000), Event{Kind::Duplicate, action.id, 0});
            }
            if (chance() < 0.03) // a reviewer who had not seen it was resolved
                schedule(t + between(2000, 20'000), Event{Kind::Late, action.id, 0});
        } else if (roll < 0.86) { // denied by a reviewer, sometimes after a first approval
            if (action.approvalsRequired > 1 && chance() < 0.4) {
                t += step(2);
                schedule(t, Event{Kind::Approve, action.id, 0});
            }
            schedule(t + step(2), Event{Kind::Deny, action.id, 0});
        } else { // nobody decided in time
            if (action.approvalsRequired > 1 && chance() < 0.4)
                schedule(t + step(2), Event{Kind::Approve, action.id, 0});
            schedule(action.deadlineMs, Event{Kind::Expire, action.id, 0});
            if (chance() < 0.25)
                schedule(action.deadlineMs + between(1000, 90'000), Event{Kind::Late, action.id, 0});
        }
    }

    // Gateway::submit.
    void submit()
    {
        if (chance() < 0.008) { // an agent with a stale or missing token (AgentApi)
            record(QStringLiteral("auth.failed"), QStringLiteral("unauthenticated"), QString(),
                 {{QStringLiteral("code"), chance() < 0.7 ? QStringLiteral("auth.unknown_token") : QStringLiteral("auth.missing_token")},
                  {QStringLiteral("plane"), QStringLiteral("agent")}});
        }
        if (chance() < 0.0005) { // someone probing the control plane
            record(QStringLiteral("auth.failed"), QStringLiteral("unauthenticated"), QString(),
                 {{QStringLiteral("code"), QStringLiteral("auth.unknown_token")}, {QStringLiteral("plane"), QStringLiteral("control")}});
        }
        sim::Submission scenario = scenarios.next();
        // Forty users rather than the simulator's three, so filters by user have something to do.
        const int who = between(0, int(users.size()) - 1);
        QJsonObject context = scenario.body.value(QStringLiteral("context")).toObject();
        context.insert(QStringLiteral("user"), QJsonObject{{QStringLiteral("id"), users.at(who)},
                                                           {QStringLiteral("name"), userNames.at(who)}});
        scenario.body.insert(QStringLiteral("context"), context);
        QJsonObject parameters = scenario.body.value(QStringLiteral("parameters")).toObject();
        if (parameters.contains(QStringLiteral("from"))) {
            parameters.insert(QStringLiteral("from"), users.at(who));
            scenario.body.insert(QStringLiteral("parameters"), parameters);
        }
        const PolicyAgent *agent = policy.agentById(scenario.agentId);
        if (!agent)
            fail(QStringLiteral("no agent ") + scenario.agentId);
        const gateway::Submission submission = take(gateway::Submission::fromJson(scenario.body), "a scenario submission");

        // An agent calling a tool it did not declare is refused before anything else.
        if (chance() < 0.015) {
            const QStringList undeclared{QStringLiteral("payments.transfer"), QStringLiteral("iam.update_permissions"),
                                         QStringLiteral("db.delete"), QStringLiteral("shell.run")};
            QString call = pick(undeclared);
            if (agent->tools.contains(call))
                call = QStringLiteral("shell.run");
            const QStringList parts = call.split(QLatin1Char('.'));
            record(QStringLiteral("submission.refused"), agent->id, QString(),
                 {{QStringLiteral("code"), QStringLiteral("policy.tool_not_declared")},
                  {QStringLiteral("tool"), parts.at(0)},
                  {QStringLiteral("operation"), parts.at(1)}});
            return;
        }
        if (Status allowed = policy.authorizeTool(*agent, submission.tool, submission.operation); !allowed)
            fail(allowed.error().toString());
        const PolicyOutcome outcome = policy.evaluate(submission.tool, submission.operation, submission.parameters,
                                                      anyFlagged(submission.claimedVerdicts));

        // The workload's submissions carry claimed identities, so no token is checked.
        IdentityContext claimed = take(gateway::resolveIdentity(submission, *agent, identity::IdentityTrust{&policy, nullptr, QString(), gatewayId},
                                                                 at(nowMs)),
                                        "a claimed identity");
        const Action action = gateway::buildAction(
            submission,
            gateway::ActionOrigin{QStringLiteral("act-") + hex64(random), at(nowMs), gatewayId, policy.version(), std::move(claimed),
                                  submission.claimedVerdicts},
            outcome);
        const QJsonObject actionJson = action.toJson();
        if (outcome.needsHuman)
            (void)take(Action::fromJson(actionJson), "a published action");
        const QByteArray digest = crypto::sha256Hex(json::canonicalize(actionJson));

        QJsonObject accepted{{QStringLiteral("digest"), QString::fromLatin1(digest)},
                             {QStringLiteral("tool"), action.tool},
                             {QStringLiteral("operation"), action.operation},
                             {QStringLiteral("status"), outcome.needsHuman ? QStringLiteral("pending") : QStringLiteral("allowed")},
                             {QStringLiteral("rule"), action.impact.rule},
                             {QStringLiteral("tier"), action.impact.tier},
                             {QStringLiteral("policyVersion"), action.policyVersion},
                             {QStringLiteral("deadline"), json::formatTimestamp(action.deadline)},
                             {QStringLiteral("approvalsRequired"), action.approvalsRequired}};
        if (!action.credentials.isEmpty())
            accepted.insert(QStringLiteral("credentials"), actionJson.value(QStringLiteral("credentials")));
        accepted.insert(QStringLiteral("action"), actionJson);
        record(QStringLiteral("submission.accepted"), agent->id, action.id, accepted);
        if (!outcome.needsHuman)
            return;

        Pending waiting;
        waiting.id = action.id;
        waiting.userId = action.identity.user.id;
        waiting.chain.append(action.identity.user.id);
        for (const AgentIdentity &identity : std::as_const(action.identity.agents))
            waiting.chain.append(identity.id);
        waiting.digest = digest;
        waiting.policyVersion = action.policyVersion;
        waiting.deadlineMs = nowMs + qint64(action.createdAt.msecsTo(action.deadline));
        waiting.approvalsRequired = action.approvalsRequired;
        plan(waiting);
        pending.insert(waiting.id, std::move(waiting));
    }

    void expire(Pending &action)
    {
        if (action.resolved)
            return;
        action.resolved = true;
        record(QStringLiteral("action.denied_by_timeout"), QStringLiteral("gateway"), action.id,
             {{QStringLiteral("deadline"), json::formatTimestamp(at(action.deadlineMs))},
              {QStringLiteral("approvedBy"), QJsonArray::fromStringList(action.approvedBy)},
              {QStringLiteral("reason"), kExpiredReason}});
    }

    void run(const Event &event)
    {
        switch (event.kind) {
        case Kind::Enrol: {
            Reviewer &reviewer = *reviewers.at(size_t(event.index));
            enrol(reviewer, reviewer.role == protocol::Role::Analyst
                                ? QStringLiteral("read-only access for the quarterly audit")
                                : QStringLiteral("joins the approvals rota (ticket SEC-%1)").arg(1200 + event.index));
            return;
        }
        case Kind::Submit:
            submit();
            schedule(nowMs + std::max<qint64>(1, qint64(-options.meanSubmissionGapMs * std::log(1.0 - chance()))),
                     Event{Kind::Submit, {}, 0});
            return;
        case Kind::Rotate: { // a reviewer leaves; a new one takes the seat
            Reviewer &leaving = *reviewerById(kRevokedReviewer);
            const QByteArray before = json::canonicalize(Policy::reviewerJson(*policy.reviewerById(leaving.id)));
            policy = take(policy.withReviewerRevoked(leaving.id, at(nowMs)), "revoking a reviewer");
            leaving.revoked = true;
            emitControlChange(kAdmin, QStringLiteral("reviewers.revoke"), leaving.id, before,
                              json::canonicalize(Policy::reviewerJson(*policy.reviewerById(leaving.id))),
                              QStringLiteral("left the company (HR-5521)"));
            closeSession(leaving, QStringLiteral("session.revoked"));
            enrol(*reviewerById(kReplacementReviewer), QStringLiteral("replaces tom.becker on the approvals rota"));
            return;
        }
        case Kind::PolicySet: { // payments between 10,000 and 15,000 no longer need a human
            QJsonObject rules = policy.rulesJson();
            QJsonArray list = rules.value(QStringLiteral("rules")).toArray();
            for (qsizetype i = 0; i < list.size(); ++i) {
                QJsonObject rule = list.at(i).toObject();
                if (rule.value(QStringLiteral("id")).toString() == QLatin1String("payment-over-10k")) {
                    rule.insert(QStringLiteral("when"), QJsonArray{QJsonObject{{QStringLiteral("param"), QStringLiteral("amount")},
                                                                               {QStringLiteral("op"), QStringLiteral("gt")},
                                                                               {QStringLiteral("value"), 15000}}});
                    list.replace(i, rule);
                }
            }
            const QByteArray before = json::canonicalize(rules);
            rules.insert(QStringLiteral("rules"), list);
            rules.insert(QStringLiteral("version"), QStringLiteral("demo-2"));
            policy = take(policy.withRules(rules), "changing the rules");
            emitControlChange(kAdmin, QStringLiteral("policy.set"), policy.version(), before, json::canonicalize(policy.rulesJson()),
                              QStringLiteral("raise the payment threshold to 15,000 as agreed with finance (CHG-118)"));
            return;
        }
        case Kind::AgentAdd: {
            const QString token = crypto::sha256Hex(QByteArray(QByteArray("bench-reporting-agent/") + QByteArray::number(options.seed)));
            policy = take(policy.withAgent(QStringLiteral("reporting-agent"), QString::fromLatin1(crypto::sha256Hex(token.toUtf8())),
                                           {QStringLiteral("crm.export")}),
                          "adding an agent");
            emitControlChange(kAdmin, QStringLiteral("agents.add"), QStringLiteral("reporting-agent"), "null",
                              json::canonicalize(Policy::agentJson(*policy.agentById(QStringLiteral("reporting-agent")))),
                              QStringLiteral("monthly churn report for the board"));
            return;
        }
        default:
            break;
        }
        auto found = pending.find(event.actionId);
        if (found == pending.end())
            return;
        Pending &action = found.value();
        switch (event.kind) {
        case Kind::Approve:
            decide(action, protocol::Verdict::Approve);
            break;
        case Kind::Deny:
            decide(action, protocol::Verdict::Deny);
            break;
        case Kind::Expire:
            expire(action);
            break;
        case Kind::Duplicate:
            if (!action.resolved && !action.approvedBy.isEmpty()) {
                if (Reviewer *again = reviewerById(action.approvedBy.constFirst()); again && !again->revoked) {
                    ensureSession(*again);
                    refuseDecision(*again, action, QStringLiteral("decision.duplicate_approval"),
                                   sign(*again, action, protocol::Verdict::Approve, QString()));
                }
            }
            break;
        case Kind::Late:
            if (action.resolved) {
                if (Reviewer *late = pickReviewer(action.approvedBy)) {
                    ensureSession(*late);
                    refuseDecision(*late, action, QStringLiteral("decision.already_resolved"),
                                   sign(*late, action, protocol::Verdict::Approve, QString()));
                }
            }
            break;
        default:
            break;
        }
        // Nothing is scheduled for an action after its last late decision.
        if (action.resolved && nowMs > action.deadlineMs + 100'000)
            pending.erase(found);
    }

    void refill()
    {
        while (ready.empty()) {
            auto first = events.begin();
            nowMs = first->first;
            const Event event = std::move(first->second);
            events.erase(first);
            run(event);
            // Resolved actions are kept until their late decisions have run, then dropped.
            if (event.kind == Kind::Submit && pending.size() > 4096) {
                for (auto it = pending.begin(); it != pending.end();) {
                    if (it->resolved && nowMs > it->deadlineMs + 100'000)
                        it = pending.erase(it);
                    else
                        ++it;
                }
            }
        }
    }
};

AuditWorkload::AuditWorkload(const WorkloadOptions &options) : d(std::make_unique<Private>(options)) {}
AuditWorkload::~AuditWorkload() = default;

TimedEntry AuditWorkload::next()
{
    d->refill();
    TimedEntry entry = std::move(d->ready.front());
    d->ready.pop_front();
    ++d->counts[entry.entry.kind];
    return entry;
}

const crypto::Ed25519PrivateKey &AuditWorkload::gatewayKey() const
{
    return d->gatewayKey;
}

QString AuditWorkload::gatewayId() const
{
    return d->gatewayId;
}

QString AuditWorkload::origin() const
{
    return QStringLiteral("countersign/") + d->gatewayId;
}

QByteArray AuditWorkload::reviewersJson() const
{
    QJsonArray list;
    for (const PolicyReviewer &reviewer : d->policy.reviewers())
        list.append(Policy::reviewerJson(reviewer));
    return QJsonDocument(QJsonObject{{QStringLiteral("reviewers"), list}}).toJson();
}

qint64 AuditWorkload::signaturesMade() const
{
    return d->signatures;
}

QMap<QString, qint64> AuditWorkload::kindCounts() const
{
    return d->counts;
}

} // namespace countersign::bench
