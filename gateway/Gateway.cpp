// Submission, decision and expiry logic of the reference gateway.
#include "gateway/Gateway.h"

#include "core/crypto/Digest.h"
#include "core/decision/SignedDecision.h"
#include "core/redaction/Redaction.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"
#include "gateway/AgentApi.h"
#include "gateway/ConsoleServer.h"
#include "gateway/ControlApi.h"
#include "gateway/GatewayLog.h"
#include "gateway/HttpServer.h"
#include "gateway/SigningKey.h"
#include "gateway/TlsIdentity.h"

#include <QDir>
#include <QJsonArray>
#include <QFileInfo>

namespace countersign::gateway {

Q_LOGGING_CATEGORY(lcGateway, "countersign.gateway")

namespace {

// Room left in a frame for everything around the action.
constexpr qsizetype kMaxActionBytes = protocol::kMaxServerFrameBytes - 4096;
// Re-checks at least this often, so a wall clock that jumps cannot delay expiry for long.
constexpr qint64 kMaxExpiryIntervalMs = 30'000;
constexpr qint64 kStoreRetryMs = 1'000;
constexpr int kCheckpointIntervalMs = 60'000;

const QString kExpiredReason = QStringLiteral("no decision before the deadline: denied by fail-safe timeout");
// Room left in an audit payload for before and after in full; larger ones go by digest (the
// whole documents stay in the store's policy_changes).
constexpr qsizetype kMaxInlineChangeBytes = 48 * 1024;

QJsonValue changeSide(const QByteArray &canonical, bool inline_)
{
    if (inline_) {
        if (auto parsed = json::parse(canonical); parsed)
            return parsed.value();
    }
    return QJsonObject{{QStringLiteral("sha256"), QString::fromLatin1(crypto::sha256Hex(canonical))},
                       {QStringLiteral("bytes"), static_cast<double>(canonical.size())}};
}

QJsonObject controlChangePayload(const PolicyChange &change, const Policy &next)
{
    const bool inline_ = change.before.size() + change.after.size() <= kMaxInlineChangeBytes;
    return {{QStringLiteral("command"), change.command},
            {QStringLiteral("why"), change.why.left(2000)},
            {QStringLiteral("before"), changeSide(change.before.isEmpty() ? QByteArray("null") : change.before, inline_)},
            {QStringLiteral("after"), changeSide(change.after.isEmpty() ? QByteArray("null") : change.after, inline_)},
            {QStringLiteral("policyVersion"), next.version()},
            {QStringLiteral("documentSha256"), QString::fromLatin1(crypto::sha256Hex(change.document))}};
}

QString randomId(const char *prefix, int bytes)
{
    return QLatin1String(prefix) + QString::fromLatin1(crypto::randomBytes(bytes).toHex());
}

protocol::DecisionResult refused(protocol::DecisionResult result, const QString &code, const QString &message)
{
    result.accepted = false;
    result.code = code;
    result.message = message;
    return result;
}

Result<QJsonObject> parseStoredAction(const QByteArray &canonical)
{
    json::Limits limits;
    limits.maxBytes = protocol::kMaxServerFrameBytes;
    limits.maxDepth = 40;
    auto parsed = json::parse(canonical, limits);
    if (!parsed || !parsed.value().isObject())
        return makeError(QStringLiteral("store.corrupt"), QStringLiteral("a stored action is not a JSON object"));
    return parsed.value().toObject();
}

} // namespace

Gateway::Gateway(GatewayConfig config, const Clock &clock, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_clock(clock)
{
    m_expiryTimer.setSingleShot(true);
    m_expiryTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_expiryTimer, &QTimer::timeout, this, &Gateway::expireOverdue);
    m_escalationTimer.setSingleShot(true);
    m_escalationTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_escalationTimer, &QTimer::timeout, this, &Gateway::escalateDue);
    m_checkpointTimer.setInterval(kCheckpointIntervalMs);
    connect(&m_checkpointTimer, &QTimer::timeout, this, [this] {
        if (m_audit && m_audit->size() > m_lastCheckpointSize)
            (void)signAuditCheckpoint();
    });
}

Gateway::~Gateway() = default;

Status Gateway::open()
{
    QDir dir(m_config.dataDir);
    if (!dir.exists() && !QDir().mkpath(m_config.dataDir))
        return makeError(QStringLiteral("gateway.data_dir"), QStringLiteral("cannot create %1").arg(m_config.dataDir));
    // The directory holds the TLS key and what agents asked to do: owner only.
    QFile::setPermissions(m_config.dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    GatewayStore::Options storeOptions;
    storeOptions.busyTimeoutMs = m_config.storeBusyTimeoutMs;
    auto store = GatewayStore::open(dir.filePath(QStringLiteral("gateway.db")), storeOptions);
    if (!store)
        return store.error();
    m_store = std::move(store).value();

    // No audit, no service: a gateway that cannot record what it does refuses to start.
    audit::AuditLog::Options auditOptions;
    auditOptions.clock = &m_clock;
    auditOptions.busyTimeoutMs = m_config.storeBusyTimeoutMs;
    auto auditLog = audit::AuditLog::open(auditLogPath(), auditOptions);
    if (!auditLog)
        return auditLog.error();
    m_audit = std::move(auditLog).value();
    m_auditIndexer = std::make_unique<audit::AuditIndexer>(*m_audit);
    // The index is not evidence: failing to update it costs the audit browser its newest entries
    // for a while, never an action or a decision. The next append tries again.
    connect(m_auditIndexer.get(), &audit::AuditIndexer::failed, this, [](const Error &error) {
        qCWarning(lcGateway).noquote() << "audit index update failed code=" + error.code << error.message;
    });

    if (Status loaded = loadPolicy(); !loaded)
        return loaded;

    // Also in plaintext mode: consoles verify every action against this key.
    auto signingKey = SigningKey::loadOrCreate(m_config.dataDir);
    if (!signingKey)
        return signingKey.error();
    m_signingKey = std::make_unique<SigningKey>(std::move(signingKey).value());

    if (!m_config.insecurePlaintext) {
        auto tls = TlsIdentity::loadOrCreate(m_config.dataDir, m_store->gatewayId());
        if (!tls)
            return tls.error();
        m_tls = std::make_unique<TlsIdentity>(std::move(tls).value());
    }

    auto pending = m_store->pendingActions();
    if (!pending)
        return pending.error();
    auto escalated = m_store->pendingEscalations();
    if (!escalated)
        return escalated.error();
    for (const StoredAction &action : pending.value()) {
        m_deadlines.insert(action.id, action.deadline);
        if (const QDateTime at = escalationTime(action); at.isValid() && !escalated.value().contains(action.id))
            m_escalations.insert(action.id, at);
    }
    // Whatever passed its deadline while the gateway was down is denied now, before anyone can
    // connect and decide it.
    expireOverdue();
    escalateDue();
    // The history so far is signed before anything new is added to it.
    if (auto checkpoint = signAuditCheckpoint(); !checkpoint && checkpoint.error().code != QLatin1String("audit.empty"))
        return checkpoint.error();
    m_checkpointTimer.start();
    m_auditIndexer->start(); // whatever the last run appended and did not index
    return {};
}

Status Gateway::listen()
{
    m_agentApi = new AgentApi(*this, this);
    m_httpServer = new HttpServer(
        [api = m_agentApi](const HttpRequest &request, const HttpResponder &responder) {
            api->handle(request, responder);
        },
        HttpServer::Options{}, this);
    m_consoleServer = new ConsoleServer(*this, this);
    if (m_tls) {
        m_httpServer->setSslConfiguration(m_tls->serverConfiguration());
        m_consoleServer->setSslConfiguration(m_tls->serverConfiguration());
    }
    if (Status status = m_httpServer->listen(m_config.listenAddress, m_config.agentPort); !status)
        return status;
    if (Status status = m_consoleServer->listen(m_config.listenAddress, m_config.consolePort); !status)
        return status;
    return listenControlPlane();
}

// IAM-03: administration has its own listener, on loopback by default, with its own routes and
// its own credentials (admin tokens). The agent listener and the console WebSocket know none of
// its paths.
Status Gateway::listenControlPlane()
{
    m_controlApi = new ControlApi(*this, this);
    HttpServer::Options options;
    options.limits.maxBodyBytes = ControlApi::kMaxBodyBytes;
    m_controlServer = new HttpServer(
        [api = m_controlApi](const HttpRequest &request, const HttpResponder &responder) {
            api->handle(request, responder);
        },
        options, this);
    if (m_tls)
        m_controlServer->setSslConfiguration(m_tls->serverConfiguration());
    return m_controlServer->listen(m_config.controlAddress, m_config.controlPort);
}

// The policy in force is the last one recorded in the store. On the very first start (an empty
// store) the --policy file is recorded as change 1; afterwards the file is only compared, and a
// file that differs is ignored (changes go through the control plane, where they are recorded).
Status Gateway::loadPolicy()
{
    std::optional<Result<Policy>> fromFile;
    if (!m_config.policyPath.isEmpty())
        fromFile = Policy::load(m_config.policyPath);

    auto stored = m_store->latestPolicyDocument();
    if (!stored)
        return stored.error();
    if (stored.value()) {
        auto policy = Policy::fromJson(*stored.value());
        if (!policy) {
            return makeError(QStringLiteral("store.corrupt"),
                             QStringLiteral("the recorded policy does not load: ") + policy.error().toString());
        }
        m_policy = std::move(policy).value();
        if (fromFile) {
            if (!fromFile->ok()) {
                qCWarning(lcGateway).noquote() << "policy file ignored: the policy recorded in the store is in force"
                                               << "(version" << m_policy.version() + QStringLiteral("); the file does not load:")
                                               << fromFile->error().code;
            } else if (json::canonicalize(fromFile->value().toJson()) != *stored.value()) {
                qCWarning(lcGateway).noquote()
                    << "policy file ignored: it differs from the policy recorded in the store, which is in force (version"
                    << m_policy.version() + QStringLiteral("); change the policy with countersign-gateway admin");
            }
        }
        return {};
    }

    if (!fromFile) {
        return makeError(QStringLiteral("policy.missing"),
                         QStringLiteral("no policy is recorded yet: start the gateway once with --policy FILE"));
    }
    if (!fromFile->ok())
        return fromFile->error();
    PolicyChange bootstrap;
    bootstrap.actor = QStringLiteral("bootstrap");
    bootstrap.command = QStringLiteral("bootstrap");
    bootstrap.target = fromFile->value().version();
    bootstrap.before = "null";
    // The reviewers' keys are on record from the start, so the log alone says which keys its
    // decisions must verify under (audit::reviewerKeysFromLog).
    QJsonArray reviewers;
    for (const PolicyReviewer &reviewer : fromFile->value().reviewers())
        reviewers.append(Policy::reviewerJson(reviewer));
    bootstrap.after = json::canonicalize(QJsonObject{{QStringLiteral("version"), fromFile->value().version()},
                                                      {QStringLiteral("policyFile"), QFileInfo(m_config.policyPath).absoluteFilePath()},
                                                      {QStringLiteral("reviewers"), reviewers}});
    bootstrap.why = QStringLiteral("initial policy from the policy file");
    auto recorded = applyPolicyChange(std::move(*fromFile).value(), std::move(bootstrap));
    if (!recorded)
        return recorded.error();
    return {};
}

Result<PolicyChange> Gateway::applyPolicyChange(Policy next, PolicyChange change)
{
    change.at = m_clock.nowUtc();
    change.document = json::canonicalize(next.toJson());
    if (Status audited = recordAudit(QStringLiteral("control.change"), change.actor, change.target, controlChangePayload(change, next));
        !audited) {
        qCWarning(lcGateway).noquote() << "policy change refused command=" + change.command << "actor=" + change.actor
                                       << "code=" + audited.error().code;
        return audited.error();
    }
    auto seq = m_store->appendPolicyChange(change);
    if (!seq) {
        qCWarning(lcGateway).noquote() << "policy change refused command=" + change.command << "actor=" + change.actor
                                       << "code=" + seq.error().code;
        return seq.error();
    }
    change.seq = seq.value();
    // Recorded first, in force second: a change that is in force is always on record.
    m_policy = std::move(next);
    qCInfo(lcGateway).noquote() << QStringLiteral("policy change %1 command=%2 target=%3 actor=%4 version=%5")
                                       .arg(QString::number(change.seq), change.command, change.target, change.actor,
                                            m_policy.version());
    Q_EMIT policyChanged();
    return change;
}

Result<QList<PolicyChange>> Gateway::policyChanges(qint64 after, int limit) const
{
    return m_store->policyChanges(after, limit);
}

QUrl Gateway::controlUrl() const
{
    QUrl url;
    url.setScheme(m_tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(m_config.controlAddress.toString());
    url.setPort(m_controlServer ? m_controlServer->serverPort() : m_config.controlPort);
    return url;
}

QString Gateway::gatewayId() const
{
    return m_store ? m_store->gatewayId() : QString();
}

qint64 Gateway::head() const
{
    return m_store ? m_store->head() : 0;
}

QByteArray Gateway::fingerprint() const
{
    return m_tls ? m_tls->fingerprint() : QByteArray();
}

QByteArray Gateway::signingKeyThumbprint() const
{
    return m_signingKey ? m_signingKey->thumbprint() : QByteArray();
}

const crypto::Ed25519PublicKey &Gateway::signingPublicKey() const
{
    Q_ASSERT(m_signingKey);
    return m_signingKey->publicKey();
}

QUrl Gateway::agentUrl() const
{
    QUrl url;
    url.setScheme(m_tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(m_config.listenAddress.toString());
    url.setPort(m_httpServer ? m_httpServer->serverPort() : m_config.agentPort);
    return url;
}

QUrl Gateway::consoleUrl() const
{
    QUrl url;
    url.setScheme(m_tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(m_config.listenAddress.toString());
    url.setPort(m_consoleServer ? m_consoleServer->serverPort() : m_config.consolePort);
    url.setPath(QLatin1String(protocol::kConsolePath));
    return url;
}

Error Gateway::refuseSubmission(const PolicyAgent &agent, const Submission &submission, const Error &why)
{
    qCInfo(lcGateway).noquote() << "submission refused agent=" + agent.id
                                       << "tool=" + submission.tool + QLatin1Char('.') + submission.operation
                                << "code=" + why.code << why.message;
    // On record by its code: the message may quote more than identifiers. The tool and
    // operation passed the identifier rules when the submission was read.
    const Status audited = recordAudit(QStringLiteral("submission.refused"), agent.id, QString(),
                                       {{QStringLiteral("code"), why.code},
                                        {QStringLiteral("tool"), submission.tool},
                                        {QStringLiteral("operation"), submission.operation}});
    return audited ? why : audited.error();
}

Result<StoredAction> Gateway::submit(const PolicyAgent &agent, const Submission &submission)
{
    if (Status allowed = m_policy.authorizeTool(agent, submission.tool, submission.operation); !allowed)
        return refuseSubmission(agent, submission, allowed.error());
    auto identity = resolveIdentity(submission, agent, identityTrust(), m_clock.nowUtc());
    if (!identity)
        return refuseSubmission(agent, submission, identity.error());
    auto judges = resolveJudges(submission, m_policy, m_store->gatewayId(), m_clock.nowUtc());
    if (!judges)
        return refuseSubmission(agent, submission, judges.error());
    const PolicyOutcome outcome = m_policy.evaluate(submission.tool, submission.operation, submission.parameters,
                                                    anyFlagged(judges.value()));

    // IAM-07: nothing an agent sent is stored or published with a credential in it.
    const Action action = buildAction(submission,
                                      ActionOrigin{randomId("act-", 8), m_clock.nowUtc(), m_store->gatewayId(),
                                                   m_policy.version(), std::move(identity).value(),
                                                   std::move(judges).value()},
                                      outcome);

    const QJsonObject actionJson = action.toJson();
    if (outcome.needsHuman) {
        // Belt and braces: what is published must pass the same validation consoles apply.
        if (auto check = Action::fromJson(actionJson); !check)
            return makeError(QStringLiteral("submission.invalid"), check.error().message);
    }
    const QByteArray canonical = json::canonicalize(actionJson);
    if (canonical.size() > kMaxActionBytes) {
        return makeError(QStringLiteral("submission.too_large"),
                         QStringLiteral("the action would be %1 bytes in canonical form; the limit is %2")
                             .arg(canonical.size())
                             .arg(kMaxActionBytes));
    }

    StoredAction stored;
    stored.id = action.id;
    stored.agentId = agent.id;
    stored.actionJson = canonical;
    stored.digest = crypto::sha256Hex(canonical);
    stored.createdAt = action.createdAt;
    stored.deadline = action.deadline;
    stored.tier = action.impact.tier;
    stored.rule = action.impact.rule;
    stored.approvalsRequired = action.approvalsRequired;

    QString logLine = QStringLiteral("submission %1 agent=%2 tool=%3.%4").arg(action.id, agent.id, action.tool, action.operation);
    if (!action.credentials.isEmpty())
        logLine += QStringLiteral(" credentials-redacted=%1").arg(action.credentials.size());
    // On record before it is allowed or queued; the parameters only by the action's digest.
    QJsonObject accepted{{QStringLiteral("digest"), QString::fromLatin1(stored.digest)},
                               {QStringLiteral("tool"), action.tool},
                               {QStringLiteral("operation"), action.operation},
                               {QStringLiteral("status"), outcome.needsHuman ? QStringLiteral("pending") : QStringLiteral("allowed")},
                               {QStringLiteral("rule"), stored.rule},
                               {QStringLiteral("tier"), stored.tier},
                               {QStringLiteral("policyVersion"), action.policyVersion},
                               {QStringLiteral("deadline"), json::formatTimestamp(stored.deadline)},
                               {QStringLiteral("approvalsRequired"), stored.approvalsRequired}};
    if (!action.credentials.isEmpty())
        accepted.insert(QStringLiteral("credentials"), actionJson.value(QStringLiteral("credentials")));
    // Exactly what a reviewer is shown (already redacted), so an analyst can see it months later.
    accepted.insert(QStringLiteral("action"), actionJson);
    if (Status audited = recordAudit(QStringLiteral("submission.accepted"), agent.id, action.id, accepted); !audited) {
        qCWarning(lcGateway).noquote() << logLine << "refused code=" + audited.error().code;
        return audited.error();
    }
    // What was put on record but then could not be stored is put on record as refused.
    const auto refusedAfterAudit = [&](const Error &error) {
        if (Status noted = recordAudit(QStringLiteral("submission.refused"), agent.id, action.id,
                                       {{QStringLiteral("code"), error.code}});
            !noted)
            qCWarning(lcGateway).noquote() << logLine << "refusal not audited:" << noted.error().message;
        return error;
    };
    if (!outcome.needsHuman) {
        stored.status = ActionStatus::Allowed;
        stored.reason = action.impact.reason;
        stored.decidedBy = QStringLiteral("policy");
        stored.resolvedAt = action.createdAt;
        if (Status inserted = m_store->insertAllowed(stored); !inserted) {
            qCWarning(lcGateway).noquote() << logLine << "refused code=store.unavailable";
            return refusedAfterAudit(inserted.error());
        }
        qCInfo(lcGateway).noquote() << logLine << "status=allowed";
        return stored;
    }

    protocol::ActionPending frame;
    frame.actionJson = actionJson;
    frame.digest = stored.digest;
    // The gateway vouches for what it publishes: consoles refuse an action without this.
    frame.signature = protocol::signAction(action.id, stored.digest, action.gatewayId, m_signingKey->privateKey());
    if (frame.signature.isEmpty()) {
        qCWarning(lcGateway).noquote() << logLine << "refused code=crypto.failed";
        return refusedAfterAudit(makeError(QStringLiteral("crypto.failed"), QStringLiteral("the action could not be signed")));
    }
    stored.signature = frame.signature;
    auto event = m_store->insertPending(stored, frame);
    if (!event) {
        qCWarning(lcGateway).noquote() << logLine << "refused code=store.unavailable";
        return refusedAfterAudit(event.error());
    }
    stored.status = ActionStatus::Pending;
    stored.publishedSeq = event.value().seq;
    qCInfo(lcGateway).noquote() << logLine << "status=pending rule=" + stored.rule
                                << "tier=" + QString::number(stored.tier);
    m_deadlines.insert(stored.id, stored.deadline);
    if (const QDateTime at = escalationTime(stored); at.isValid())
        m_escalations.insert(stored.id, at);
    publish(event.value());
    scheduleExpiry();
    scheduleEscalation();
    return stored;
}

Result<QList<DecisionRecord>> Gateway::decisionRecords(const QString &actionId) const
{
    return m_store->decisionsFor(actionId);
}

Result<std::optional<StoredAction>> Gateway::findAction(const QString &id) const
{
    return m_store->action(id);
}

protocol::DecisionResult Gateway::decide(const PolicyReviewer &signedIn, const QString &sessionId,
                                        const protocol::Decision &decision)
{
    protocol::DecisionResult result;
    result.requestId = decision.requestId;
    result.actionId = decision.actionId;
    result.at = m_clock.nowUtc();

    DecisionRecord record;
    record.at = result.at;
    record.sessionId = sessionId;
    record.reviewer = signedIn.id;
    record.actionId = decision.actionId;
    record.token = decision.token;
    const QString logLine = QStringLiteral("decision %1 session=%2 reviewer=%3").arg(decision.actionId, sessionId, signedIn.id);
    // Every refusal is answered, logged and kept with the token as it arrived.
    const auto refuse = [&](const QString &code, const QString &message) {
        qCInfo(lcGateway).noquote() << logLine << "refused code=" + code;
        record.accepted = false;
        record.code = code;
        record.message = message;
        if (Status kept = m_store->recordRefusedDecision(record); !kept)
            qCWarning(lcGateway).noquote() << logLine << "refusal not recorded:" << kept.error().message;
        // The token whole up to the size a decision may have (larger ones by digest, so the
        // refusal still fits), the reason by its code: the message can quote what the token claims.
        const bool whole = decision.token.size() <= decision::kMaxDecisionBytes;
        if (Status audited = recordAudit(QStringLiteral("decision.refused"), signedIn.id, decision.actionId,
                                         {{QStringLiteral("code"), code},
                                          {QStringLiteral("session"), sessionId},
                                          {whole ? QStringLiteral("token") : QStringLiteral("tokenSha256"),
                                           QString::fromLatin1(whole ? decision.token : crypto::sha256Hex(decision.token))}});
            !audited)
            qCWarning(lcGateway).noquote() << logLine << "refusal not audited:" << audited.error().message;
        return refused(result, code, message);
    };

    // Who signed, before anything else is read from the token.
    auto keyId = decision::decisionKeyId(decision.token);
    if (!keyId)
        return refuse(QStringLiteral("decision.malformed"), keyId.error().message);
    record.keyId = keyId.value();
    if (keyId.value() != signedIn.keyId) {
        return refuse(QStringLiteral("decision.wrong_key"),
                      QStringLiteral("signed by key %1, but this session signed in with %2").arg(keyId.value(), signedIn.keyId));
    }
    // The policy of now, not of sign-in: a key revoked since is refused here even before the
    // session is ended.
    const PolicyReviewer *reviewer = m_policy.reviewerForKeyId(keyId.value());
    if (!reviewer || reviewer->id != signedIn.id)
        return refuse(QStringLiteral("decision.revoked_key"), QStringLiteral("key %1 is no longer enrolled").arg(keyId.value()));
    if (reviewer->role != protocol::Role::Reviewer) {
        return refuse(QStringLiteral("decision.forbidden_role"),
                      QStringLiteral("the %1 role may not decide actions").arg(protocol::roleName(reviewer->role)));
    }
    auto verified = decision::verifyDecision(decision.token, *reviewer->key);
    if (!verified) {
        const QString code = verified.error().code.startsWith(QLatin1String("decision.")) ? verified.error().code
                                                                                           : QStringLiteral("decision.malformed");
        return refuse(code, verified.error().message);
    }
    const decision::DecisionClaims &claims = verified.value();
    record.verdict = protocol::verdictName(claims.verdict);
    record.nonce = claims.nonce;
    if (claims.reviewer != reviewer->id) {
        return refuse(QStringLiteral("decision.subject_mismatch"),
                      QStringLiteral("sub: the key is enrolled for %1, not %2").arg(reviewer->id, claims.reviewer));
    }
    if (claims.gatewayId != gatewayId()) {
        return refuse(QStringLiteral("decision.wrong_audience"),
                      QStringLiteral("aud: signed for gateway %1, this is %2").arg(claims.gatewayId, gatewayId()));
    }
    if (claims.actionId != decision.actionId) {
        return refuse(QStringLiteral("decision.action_mismatch"),
                      QStringLiteral("actionId: the frame names %1 but the signature covers %2").arg(decision.actionId, claims.actionId));
    }
    auto earlier = m_store->acceptedDecision(claims.nonce);
    if (!earlier)
        return refuse(QStringLiteral("store.unavailable"), earlier.error().message);
    if (earlier.value()) {
        // The same signed decision sent again (a console resending after a lost answer or a
        // crash, however long ago) is acknowledged once more and changes nothing; anything else
        // reusing the nonce is a replay.
        if (earlier.value()->token == decision.token) {
            result.accepted = true;
            result.message = QStringLiteral("already recorded");
            qCInfo(lcGateway).noquote() << logLine << "resent; already recorded";
            return result;
        }
        return refuse(QStringLiteral("decision.replayed"),
                      QStringLiteral("jti: nonce %1 was already used by an accepted decision").arg(claims.nonce));
    }
    const int skew = m_config.maxClockSkewSeconds;
    if (qAbs(claims.issuedAt.secsTo(result.at)) > skew) {
        return refuse(QStringLiteral("decision.stale"),
                      QStringLiteral("iat: %1 is more than %2 s from the gateway's clock (%3)")
                          .arg(json::formatTimestamp(claims.issuedAt))
                          .arg(skew)
                          .arg(json::formatTimestamp(result.at)));
    }

    auto found = m_store->action(decision.actionId);
    if (!found)
        return refuse(QStringLiteral("store.unavailable"), found.error().message);
    if (!found.value())
        return refuse(QStringLiteral("decision.unknown_action"), QStringLiteral("no such action"));
    const StoredAction &action = *found.value();
    if (action.status != ActionStatus::Pending) {
        return refuse(QStringLiteral("decision.already_resolved"),
                      QStringLiteral("the action is already %1").arg(statusName(action.status)));
    }
    if (claims.actionDigest != action.digest) {
        return refuse(QStringLiteral("decision.digest_mismatch"),
                      QStringLiteral("the decision signs digest %1 but the action's digest is %2")
                          .arg(QString::fromLatin1(claims.actionDigest), QString::fromLatin1(action.digest)));
    }
    if (result.at >= action.deadline) {
        // The timer may not have fired yet; the deadline is what counts.
        expireOverdue();
        return refuse(QStringLiteral("decision.too_late"),
                      QStringLiteral("the deadline %1 has passed").arg(json::formatTimestamp(action.deadline)));
    }
    auto json = parseStoredAction(action.actionJson);
    if (!json)
        return refuse(QStringLiteral("store.unavailable"), json.error().message);
    auto published = Action::fromJson(json.value());
    if (!published)
        return refuse(QStringLiteral("store.unavailable"), published.error().message);
    if (claims.policyVersion != published.value().policyVersion) {
        return refuse(QStringLiteral("decision.policy_mismatch"),
                      QStringLiteral("policyVersion: signed under %1 but the action was evaluated under %2")
                          .arg(claims.policyVersion, published.value().policyVersion));
    }
    // Nobody approves their own request, or their own agent's (IAM-05). Denying it is always
    // allowed: it can only make the outcome safer.
    const IdentityContext &identity = published.value().identity;
    bool own = reviewer->id.compare(identity.user.id, Qt::CaseInsensitive) == 0;
    for (const AgentIdentity &agent : identity.agents)
        own = own || reviewer->id.compare(agent.id, Qt::CaseInsensitive) == 0;
    if (own && claims.verdict == protocol::Verdict::Approve) {
        return refuse(QStringLiteral("decision.self_approval"),
                      QStringLiteral("%1 is in this action's identity chain and may not approve it").arg(reviewer->id));
    }
    const QString reason = claims.reason;
    record.accepted = true;
    record.message = claims.verdict == protocol::Verdict::Approve ? QStringLiteral("approve") : QStringLiteral("deny");

    if (claims.verdict == protocol::Verdict::Approve && action.approvedBy.contains(reviewer->id, Qt::CaseInsensitive)) {
        return refuse(QStringLiteral("decision.duplicate_approval"),
                      QStringLiteral("%1 has already approved this action; another reviewer must").arg(reviewer->id));
    }
    // Approvals counted with this one (a deny ends the action whatever the count).
    const int approvalsAfter = int(action.approvedBy.size()) + (claims.verdict == protocol::Verdict::Approve ? 1 : 0);
    // On record before it takes effect: if the audit log cannot take it, the decision is not
    // accepted and the action stays as it was.
    if (Status audited = recordAudit(QStringLiteral("decision.accepted"), reviewer->id, action.id,
                                     {{QStringLiteral("token"), QString::fromLatin1(decision.token)},
                                      {QStringLiteral("verdict"), protocol::verdictName(claims.verdict)},
                                      {QStringLiteral("digest"), QString::fromLatin1(action.digest)},
                                      {QStringLiteral("session"), sessionId},
                                      {QStringLiteral("approvals"), approvalsAfter},
                                      {QStringLiteral("approvalsRequired"), action.approvalsRequired}});
        !audited)
        return refuse(audited.error().code, audited.error().message);

    Result<StoredEvent> event = makeError(QString(), QString());
    bool resolved = false;
    if (claims.verdict == protocol::Verdict::Approve) {
        QStringList approvedBy = action.approvedBy;
        approvedBy.append(reviewer->id);
        if (approvedBy.size() >= action.approvalsRequired) {
            event = resolve(action, protocol::Outcome::Approved, approvedBy, reason, approvedBy.join(QLatin1Char(',')),
                            &record);
            resolved = true;
            result.message = QStringLiteral("approved");
        } else {
            protocol::ActionUpdated update;
            update.actionId = action.id;
            update.approvedBy = approvedBy;
            event = m_store->recordApproval(update, record);
            result.message = QStringLiteral("approval %1 of %2 recorded").arg(approvedBy.size()).arg(action.approvalsRequired);
        }
    } else {
        event = resolve(action, protocol::Outcome::Denied, action.approvedBy, reason, reviewer->id, &record);
        resolved = true;
        result.message = QStringLiteral("denied");
    }
    if (!event) {
        // Fail closed: nothing was recorded, so nothing is announced. A nonce accepted in the
        // meantime is a replay like any other.
        if (event.error().code == QLatin1String("store.duplicate_nonce"))
            return refuse(QStringLiteral("decision.replayed"), event.error().message);
        return refuse(QStringLiteral("store.unavailable"), event.error().message);
    }
    result.accepted = true;
    qCInfo(lcGateway).noquote() << logLine << "accepted" << result.message;
    publish(event.value());
    if (resolved) {
        m_deadlines.remove(action.id);
        m_escalations.remove(action.id);
        scheduleExpiry();
        Q_EMIT actionResolved(action.id);
    }
    return result;
}

Result<StoredEvent> Gateway::resolve(const StoredAction &action, protocol::Outcome outcome,
                                     const QStringList &approvedBy, const QString &reason,
                                     const QString &decidedBy, const DecisionRecord *decision)
{
    protocol::ActionResolved frame;
    frame.actionId = action.id;
    frame.outcome = outcome;
    frame.reason = reason;
    frame.decidedBy = decidedBy;
    frame.resolvedAt = m_clock.nowUtc();
    return m_store->resolve(frame, approvedBy, decision);
}

void Gateway::publish(const StoredEvent &event)
{
    Q_EMIT eventPublished(event.seq, event.frame);
}

void Gateway::expireOverdue()
{
    if (!m_store)
        return;
    const QDateTime now = m_clock.nowUtc();
    bool retry = false;
    const QStringList ids = m_deadlines.due(now);
    for (const QString &id : ids) {
        auto found = m_store->action(id);
        if (!found) {
            retry = true;
            continue;
        }
        if (!found.value() || found.value()->status != ActionStatus::Pending) {
            m_deadlines.remove(id);
            continue;
        }
        // Denied either way: an expiry the audit log cannot take is still an expiry (the safe
        // outcome), and is retried on record with the next attempt's failure logged.
        if (Status audited = recordAudit(QStringLiteral("action.denied_by_timeout"), QStringLiteral("gateway"), id,
                                         {{QStringLiteral("deadline"), json::formatTimestamp(found.value()->deadline)},
                                          {QStringLiteral("approvedBy"), QJsonArray::fromStringList(found.value()->approvedBy)},
                                          {QStringLiteral("reason"), kExpiredReason}});
            !audited)
            qCWarning(lcGateway).noquote() << "expiry of" << id << "not audited code=" + audited.error().code;
        auto event = resolve(*found.value(), protocol::Outcome::Expired, found.value()->approvedBy,
                             kExpiredReason, QStringLiteral("gateway"));
        if (!event) {
            // Not recorded: it stays pending (and undecidable, its deadline has passed) until a
            // later attempt succeeds.
            qCWarning(lcGateway).noquote() << "expiry of" << id << "failed code=" + event.error().code;
            retry = true;
            continue;
        }
        qCInfo(lcGateway).noquote() << "expired" << id;
        m_deadlines.remove(id);
        m_escalations.remove(id);
        publish(event.value());
        Q_EMIT actionResolved(id);
    }
    scheduleExpiry();
    if (retry)
        m_expiryTimer.start(kStoreRetryMs);
}

void Gateway::scheduleExpiry()
{
    if (m_deadlines.isEmpty()) {
        m_expiryTimer.stop();
        return;
    }
    const QDateTime earliest = m_deadlines.earliest();
    const qint64 wait = std::clamp<qint64>(m_clock.nowUtc().msecsTo(earliest), 0, kMaxExpiryIntervalMs);
    m_expiryTimer.start(static_cast<int>(wait));
}

QDateTime Gateway::escalationTime(const StoredAction &action, QString *group) const
{
    for (const PolicyRule &rule : m_policy.rules()) {
        if (rule.id != action.rule)
            continue;
        if (rule.escalationGroup.isEmpty())
            return {};
        if (group)
            *group = rule.escalationGroup;
        const qint64 window = action.createdAt.msecsTo(action.deadline);
        return action.createdAt.addMSecs(window * rule.escalationPercent / 100);
    }
    return {};
}

void Gateway::escalateDue()
{
    if (!m_store)
        return;
    const QDateTime now = m_clock.nowUtc();
    const QStringList ids = m_escalations.due(now);
    for (const QString &id : ids) {
        m_escalations.remove(id);
        auto found = m_store->action(id);
        if (!found || !found.value() || found.value()->status != ActionStatus::Pending)
            continue;
        QString group;
        if (!escalationTime(*found.value(), &group).isValid())
            continue; // the rule no longer escalates
        protocol::ActionEscalated frame;
        frame.actionId = id;
        frame.group = group;
        frame.at = now;
        // On record first; an escalation the audit log cannot take is not announced (the deadline
        // still denies the action).
        if (Status audited = recordAudit(QStringLiteral("action.escalated"), QStringLiteral("gateway"), id,
                                         {{QStringLiteral("group"), group},
                                          {QStringLiteral("deadline"), json::formatTimestamp(found.value()->deadline)},
                                          {QStringLiteral("approvedBy"), QJsonArray::fromStringList(found.value()->approvedBy)}});
            !audited) {
            qCWarning(lcGateway).noquote() << "escalation of" << id << "not audited code=" + audited.error().code;
            continue;
        }
        auto event = m_store->recordEscalation(frame);
        if (!event) {
            qCWarning(lcGateway).noquote() << "escalation of" << id << "failed code=" + event.error().code;
            continue;
        }
        qCInfo(lcGateway).noquote() << "escalated" << id << "to" << group;
        publish(event.value());
    }
    scheduleEscalation();
}

void Gateway::scheduleEscalation()
{
    if (m_escalations.isEmpty()) {
        m_escalationTimer.stop();
        return;
    }
    const qint64 wait = std::clamp<qint64>(m_clock.nowUtc().msecsTo(m_escalations.earliest()), 0, kMaxExpiryIntervalMs);
    m_escalationTimer.start(static_cast<int>(wait));
}

Result<QList<QByteArray>> Gateway::snapshotFrames() const
{
    auto pending = m_store->pendingActions();
    if (!pending)
        return pending.error();
    auto escalations = m_store->pendingEscalations();
    if (!escalations)
        return escalations.error();
    // Each pending action, and right after it its escalation if it has one. Frames go out in
    // ascending seq: the escalation of an older action may be newer than a later action.
    QList<StoredEvent> events;
    events.reserve(pending.value().size() + escalations.value().size());
    for (const StoredAction &action : pending.value()) {
        auto json = parseStoredAction(action.actionJson);
        if (!json)
            return json.error();
        protocol::ActionPending frame;
        frame.seq = action.publishedSeq;
        frame.actionJson = json.value();
        frame.digest = action.digest;
        frame.approvals = static_cast<int>(action.approvedBy.size());
        frame.signature = action.signature; // the signature published with it, unchanged
        events.append(StoredEvent{frame.seq, protocol::serialize(frame)});
        if (auto it = escalations.value().constFind(action.id); it != escalations.value().cend())
            events.append(it.value());
    }
    std::sort(events.begin(), events.end(), [](const StoredEvent &a, const StoredEvent &b) { return a.seq < b.seq; });
    QList<QByteArray> frames;
    frames.reserve(events.size());
    for (const StoredEvent &event : std::as_const(events))
        frames.append(event.frame);
    return frames;
}

Result<QList<StoredEvent>> Gateway::eventsAfter(qint64 since, int limit) const
{
    return m_store->eventsAfter(since, limit);
}

QString Gateway::auditLogPath() const
{
    return QDir(m_config.dataDir).filePath(QStringLiteral("audit.db"));
}

QString Gateway::auditOrigin() const
{
    return QStringLiteral("countersign/") + gatewayId();
}

Result<QList<QByteArray>> Gateway::auditConsistencyProof(qint64 first, qint64 second) const
{
    if (!m_audit)
        return makeError(QStringLiteral("audit.unavailable"), QStringLiteral("the audit log is not open"));
    const qint64 size = m_audit->size();
    if (first < 1 || first > second || second > size) {
        return makeError(QStringLiteral("audit.invalid_range"),
                         QStringLiteral("a consistency proof needs 1 <= first <= second <= %1 (the log's size); "
                                        "asked for %2 to %3")
                             .arg(size)
                             .arg(first)
                             .arg(second));
    }
    // O(second) leaf reads: fine at one proof per console per checkpoint; see docs/audit.md.
    Result<QList<QByteArray>> proof = audit::consistencyProof(first, second, m_audit->leafSource());
    if (!proof)
        return makeError(QStringLiteral("audit.unavailable"), proof.error().message);
    return proof;
}

Result<audit::StoredCheckpoint> Gateway::signAuditCheckpoint()
{
    if (!m_audit || !m_signingKey)
        return makeError(QStringLiteral("audit.unavailable"), QStringLiteral("the audit log is not open"));
    auto checkpoint = m_audit->writeCheckpoint(auditOrigin(), m_signingKey->privateKey());
    if (!checkpoint) {
        if (checkpoint.error().code != QLatin1String("audit.empty"))
            qCWarning(lcGateway).noquote() << "audit checkpoint failed code=" + checkpoint.error().code << checkpoint.error().message;
        return checkpoint.error();
    }
    if (checkpoint.value().size > m_lastCheckpointSize) {
        m_lastCheckpointSize = checkpoint.value().size;
        qCInfo(lcGateway).noquote() << "audit checkpoint size=" + QString::number(checkpoint.value().size)
                                    << "root=" + QString::fromLatin1(checkpoint.value().rootHash.toHex());
        Q_EMIT auditCheckpointSigned(checkpoint.value().note);
    }
    return checkpoint;
}

identity::IdentityTrust Gateway::identityTrust() const
{
    return identity::IdentityTrust{&m_policy, &m_signingKey->publicKey(),
                                   QString::fromLatin1(m_signingKey->thumbprint()), m_store->gatewayId()};
}

Result<identity::IssuedToken> Gateway::exchangeToken(const PolicyAgent &agent, QByteArrayView subjectToken,
                                                     const QString &audience, const QString &actorInstance)
{
    const QDateTime now = m_clock.nowUtc();
    auto subject = identity::verifyIdentityToken(subjectToken, identityTrust(), agent.id, now);
    if (!subject)
        return subject.error();
    const PolicyAgent *next = m_policy.agentById(audience);
    if (!next || next->revokedAt.isValid() || next->id == agent.id) {
        return makeError(QStringLiteral("identity.invalid_target"),
                         QStringLiteral("audience: not an enrolled, active agent other than the requester"));
    }
    // The requester and the agent it hands over to each take a slot of the action's chain.
    if (subject.value().delegators.size() + 2 > ActionLimits::maxAgents) {
        return makeError(QStringLiteral("identity.too_deep"),
                         QStringLiteral("the delegation would pass %1 agents").arg(ActionLimits::maxAgents));
    }
    const identity::IssuedToken issued = identity::issueDelegationToken(
        subject.value(), AgentIdentity{agent.id, actorInstance, true, {}}, next->id, m_store->gatewayId(), now,
        m_signingKey->privateKey());
    // IAM-08: a delegation widens who acts for a user; it is on record before the token exists
    // anywhere but here.
    if (Status audited = recordAudit(QStringLiteral("identity.delegated"), agent.id, next->id,
                                     {{QStringLiteral("user"), subject.value().user.id},
                                      {QStringLiteral("application"), subject.value().application.id},
                                      {QStringLiteral("sessionId"), subject.value().sessionId},
                                      {QStringLiteral("depth"), subject.value().delegators.size() + 1},
                                      {QStringLiteral("expiresIn"), issued.expiresIn}});
        !audited)
        return audited.error();
    qCInfo(lcGateway).noquote() << "delegation agent=" + agent.id << "to=" + next->id
                                << "depth=" + QString::number(subject.value().delegators.size() + 1);
    return issued;
}

Status Gateway::recordAudit(const QString &kind, const QString &actor, const QString &subject, const QJsonObject &payload)
{
    if (!m_audit)
        return makeError(QStringLiteral("audit.unavailable"), QStringLiteral("the audit log is not open"));
    auto entry = m_audit->append(audit::NewEntry{kind, actor, subject, payload});
    if (!entry) {
        qCWarning(lcGateway).noquote() << "audit append failed kind=" + kind << "code=" + entry.error().code
                                       << entry.error().message;
        return entry.error();
    }
    m_auditIndexer->appended();
    return {};
}

} // namespace countersign::gateway
