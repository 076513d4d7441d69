// Starting, restarting and inspecting a real gateway process for tests.
#include "tests/support/GatewayProcess.h"

#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/Jwk.h"
#include "core/auth/SignIn.h"
#include "core/Clock.h"
#include "sim/Scenario.h"
#include "tests/support/TestConsoleClient.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <sqlite3.h>

namespace countersign::testsupport {

namespace {

// The test policy's rules are irreversible from tier 3 up.
QJsonObject rule(const QString &id, const QString &tool, const QString &operation, const QJsonArray &when, int tier,
                 const QStringList &categories, int deadlineSeconds, int approvals, const QString &reason)
{
    return sim::policyRule(id, tool, operation, when, tier, categories, tier >= 3, deadlineSeconds, approvals, reason);
}

const auto condition = sim::policyCondition;

} // namespace

GatewayProcess::GatewayProcess() : GatewayProcess(Options{}) {}

GatewayProcess::GatewayProcess(const Options &options) : m_options(options)
{
    for (const QString &id : {kPaymentsAgent, kSupportAgent, kOrchestrator, kOps})
        m_tokens.insert(id, crypto::randomBytes(24).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    for (const QString &id : {kRita, kSam, kAlex, kMallory})
        m_reviewerKeys.emplace(id, crypto::Ed25519PrivateKey::generate().value());
    for (const QString &id : {kFinancePortal, kRetiredPortal, kJudge})
        m_signerKeys.emplace(id, crypto::Ed25519PrivateKey::generate().value());
    writePolicy();
}

GatewayProcess::~GatewayProcess()
{
    stop();
}

QString GatewayProcess::dataDir() const
{
    return m_dir.filePath(QStringLiteral("data"));
}

QString GatewayProcess::logPath() const
{
    return m_dir.filePath(QStringLiteral("gateway.log"));
}

QByteArray GatewayProcess::logText() const
{
    QFile file(logPath());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

const crypto::Ed25519PrivateKey &GatewayProcess::signerKey(const QString &id) const
{
    return m_signerKeys.at(id);
}

const crypto::Ed25519PrivateKey &GatewayProcess::reviewerKey(const QString &reviewerId) const
{
    return m_reviewerKeys.at(reviewerId);
}

ConnectionSettings GatewayProcess::connectionSettings(const QString &reviewerId, const QUrl &url) const
{
    ConnectionSettings settings;
    settings.url = url.isEmpty() ? m_consoleUrl : url;
    settings.pinnedSha256 = m_fingerprint;
    settings.gatewayPublicKey = m_gatewayPublicKey;
    const crypto::Ed25519PrivateKey *key = &reviewerKey(reviewerId);
    settings.signIn = [key, reviewerId](auth::SignInClaims claims) {
        claims.reviewer = reviewerId;
        return auth::signSignIn(claims, *key, SystemClock::instance());
    };
    return settings;
}

std::unique_ptr<TestConsoleClient> GatewayProcess::console(const QString &reviewerId) const
{
    return std::make_unique<TestConsoleClient>(m_consoleUrl, m_fingerprint, reviewerId, &reviewerKey(reviewerId));
}

QString GatewayProcess::readyFilePath() const
{
    return m_dir.filePath(QStringLiteral("ready.json"));
}

void GatewayProcess::writePolicy()
{
    auto hash = [this](const QString &id) { return QString::fromLatin1(crypto::sha256Hex(m_tokens.value(id))); };
    auto person = [this](const QString &id, const QString &role) {
        return QJsonObject{{QStringLiteral("id"), id},
                           {QStringLiteral("role"), role},
                           {QStringLiteral("key"), crypto::publicKeyToJwk(reviewerKey(id).publicKey())}};
    };
    const QJsonArray reviewers{
        person(kRita, QStringLiteral("reviewer")),
        person(kSam, QStringLiteral("reviewer")),
        person(kAlex, QStringLiteral("analyst")),
    };
    const QJsonArray admins{QJsonObject{{QStringLiteral("id"), kOps}, {QStringLiteral("tokenSha256"), hash(kOps)}}};
    const QJsonArray agents{
        QJsonObject{{QStringLiteral("id"), kPaymentsAgent}, {QStringLiteral("tokenSha256"), hash(kPaymentsAgent)},
                    {QStringLiteral("tools"), QJsonArray{QStringLiteral("payments.transfer"), QStringLiteral("email.send"), QStringLiteral("files.delete")}}},
        QJsonObject{{QStringLiteral("id"), kSupportAgent}, {QStringLiteral("tokenSha256"), hash(kSupportAgent)},
                    {QStringLiteral("tools"), QJsonArray{QStringLiteral("email.send"), QStringLiteral("crm.lookup")}}},
        QJsonObject{{QStringLiteral("id"), kOrchestrator}, {QStringLiteral("tokenSha256"), hash(kOrchestrator)},
                    {QStringLiteral("tools"), QJsonArray{QStringLiteral("invoices.read")}}},
    };
    const QJsonArray applications{
        QJsonObject{{QStringLiteral("id"), kFinancePortal},
                    {QStringLiteral("key"), crypto::publicKeyToJwk(signerKey(kFinancePortal).publicKey())}},
        QJsonObject{{QStringLiteral("id"), kRetiredPortal},
                    {QStringLiteral("key"), crypto::publicKeyToJwk(signerKey(kRetiredPortal).publicKey())},
                    {QStringLiteral("revokedAt"), QStringLiteral("2026-01-01T00:00:00.000Z")}},
    };
    const QJsonArray rules{
        rule(QStringLiteral("files-delete-quick"), QStringLiteral("files"), QStringLiteral("delete"), {}, 3,
             {QStringLiteral("deletion")}, m_options.shortDeadlineSeconds, 1, QStringLiteral("Deleting files needs a human")),
        rule(QStringLiteral("payment-dual"), QStringLiteral("payments"), QStringLiteral("transfer"),
             {condition(QStringLiteral("amount"), QStringLiteral("gte"), 100000)}, 4, {QStringLiteral("financial")}, 300, 2,
             QStringLiteral("Payments of 100,000 or more need two reviewers")),
        rule(QStringLiteral("payment-over-10k"), QStringLiteral("payments"), QStringLiteral("transfer"),
             {condition(QStringLiteral("amount"), QStringLiteral("gt"), 10000)}, 3, {QStringLiteral("financial")}, 300, 1,
             QStringLiteral("Payments above 10,000 need a human")),
        rule(QStringLiteral("email-external"), QStringLiteral("email"), QStringLiteral("send"),
             {condition(QStringLiteral("to"), QStringLiteral("domainNotIn"), QJsonArray{QStringLiteral("example.com")})}, 2,
             {QStringLiteral("outbound-communication")}, 300, 1, QStringLiteral("Mail leaving the company needs a human")),
        [] {
            QJsonObject flagged = rule(QStringLiteral("judge-flagged"), {}, {}, {}, 3, {QStringLiteral("judge-anomaly")}, 300, 1,
                                       QStringLiteral("A Judge flagged this call"));
            flagged.insert(QStringLiteral("judgeFlagged"), true);
            return flagged;
        }(),
    };
    const QJsonObject policy{{QStringLiteral("version"), kPolicyVersion},
                             {QStringLiteral("admins"), admins},
                             {QStringLiteral("reviewers"), reviewers},
                             {QStringLiteral("agents"), agents},
                             {QStringLiteral("applications"), applications},
                             {QStringLiteral("judges"), QJsonArray{QJsonObject{
                                 {QStringLiteral("id"), kJudge},
                                 {QStringLiteral("key"), crypto::publicKeyToJwk(signerKey(kJudge).publicKey())}}}},
                             {QStringLiteral("rules"), rules}};
    QFile file(m_dir.filePath(QStringLiteral("policy.json")));
    if (file.open(QIODevice::WriteOnly))
        file.write(QJsonDocument(policy).toJson());
}

bool GatewayProcess::start(QString *error)
{
    auto failed = [&](const QString &why) {
        if (error)
            *error = why + QStringLiteral("\n--- gateway log ---\n") + QString::fromUtf8(logText());
        stop();
        return false;
    };
    const QString readyPath = readyFilePath();
    QFile::remove(readyPath);
    m_process.setProgram(QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-gateway"));
    QStringList arguments{QStringLiteral("--data-dir"), dataDir(),
                          QStringLiteral("--policy"), m_dir.filePath(QStringLiteral("policy.json")),
                          QStringLiteral("--agent-port"), QStringLiteral("0"),
                          QStringLiteral("--console-port"), QStringLiteral("0"),
                          QStringLiteral("--ready-file"), readyPath};
    if (m_options.plaintext)
        arguments.append(QStringLiteral("--insecure-dev-plaintext"));
    arguments << QStringLiteral("--session-idle") << QString::number(m_options.sessionIdleSeconds)
              << QStringLiteral("--session-max") << QString::number(m_options.sessionMaxSeconds);
    m_process.setArguments(arguments);
    m_process.setStandardOutputFile(logPath(), QIODevice::Append);
    m_process.setStandardErrorFile(logPath(), QIODevice::Append);
    m_process.start();
    if (!m_process.waitForStarted(5000))
        return failed(QStringLiteral("cannot start %1: %2").arg(m_process.program(), m_process.errorString()));

    const QDeadlineTimer deadline(20'000);
    while (!QFile::exists(readyPath)) {
        if (m_process.state() == QProcess::NotRunning)
            return failed(QStringLiteral("the gateway exited with code %1").arg(m_process.exitCode()));
        if (deadline.hasExpired())
            return failed(QStringLiteral("the gateway was not ready within 20 s"));
        m_process.waitForFinished(50);
    }
    QFile ready(readyPath);
    if (!ready.open(QIODevice::ReadOnly))
        return failed(QStringLiteral("cannot read the ready file"));
    const QJsonObject json = QJsonDocument::fromJson(ready.readAll()).object();
    m_agentUrl = QUrl(json.value(QStringLiteral("agentUrl")).toString());
    m_consoleUrl = QUrl(json.value(QStringLiteral("consoleUrl")).toString());
    m_controlUrl = QUrl(json.value(QStringLiteral("controlUrl")).toString());
    m_fingerprint = json.value(QStringLiteral("fingerprint")).toString().toLatin1();
    m_gatewayId = json.value(QStringLiteral("gatewayId")).toString();
    auto publicKey = crypto::base64UrlDecode(json.value(QStringLiteral("signingKeyX")).toString().toLatin1());
    m_gatewayPublicKey = publicKey ? publicKey.value() : QByteArray();
    m_signingKeyThumbprint = json.value(QStringLiteral("signingKey")).toString().toLatin1();
    if (!m_agentUrl.isValid() || !m_consoleUrl.isValid() || m_gatewayId.isEmpty()
        || m_gatewayPublicKey.size() != crypto::kEd25519PublicKeySize || m_signingKeyThumbprint.isEmpty())
        return failed(QStringLiteral("the ready file is incomplete"));
    return true;
}

bool GatewayProcess::restart(QString *error)
{
    stop();
    return start(error);
}

void GatewayProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(10'000)) {
        m_process.kill();
        m_process.waitForFinished(5'000);
    }
}

void GatewayProcess::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.kill();
    m_process.waitForFinished(5'000);
}

QList<GatewayProcess::StoredDecision> GatewayProcess::storedDecisions(const QString &actionId) const
{
    const QByteArray path = QFile::encodeName(QDir(dataDir()).filePath(QStringLiteral("gateway.db")));
    sqlite3 *db = nullptr;
    QList<StoredDecision> decisions;
    if (sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt *statement = nullptr;
        const QByteArray id = actionId.toUtf8();
        if (sqlite3_prepare_v2(db, "SELECT accepted, code, reviewer, token FROM decisions WHERE action_id = ?1 ORDER BY id",
                               -1, &statement, nullptr) == SQLITE_OK
            && sqlite3_bind_text(statement, 1, id.constData(), static_cast<int>(id.size()), SQLITE_TRANSIENT) == SQLITE_OK) {
            while (sqlite3_step(statement) == SQLITE_ROW) {
                auto text = [&](int column) {
                    return QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(statement, column)),
                                      sqlite3_column_bytes(statement, column));
                };
                decisions.append(StoredDecision{sqlite3_column_int(statement, 0) == 1, QString::fromUtf8(text(1)),
                                                QString::fromUtf8(text(2)), text(3)});
            }
        }
        sqlite3_finalize(statement);
    }
    sqlite3_close_v2(db);
    return decisions;
}

qint64 GatewayProcess::storedActionCount() const
{
    const QByteArray path = QFile::encodeName(QDir(dataDir()).filePath(QStringLiteral("gateway.db")));
    sqlite3 *db = nullptr;
    qint64 count = -1;
    if (sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM actions", -1, &statement, nullptr) == SQLITE_OK
            && sqlite3_step(statement) == SQLITE_ROW)
            count = sqlite3_column_int64(statement, 0);
        sqlite3_finalize(statement);
    }
    sqlite3_close_v2(db);
    return count;
}

QSet<QString> GatewayProcess::pendingActionIds() const
{
    QSet<QString> ids;
    const QHash<QString, QString> statuses = actionStatuses();
    for (auto it = statuses.cbegin(); it != statuses.cend(); ++it) {
        if (it.value() == QLatin1String("pending"))
            ids.insert(it.key());
    }
    return ids;
}

QHash<QString, QString> GatewayProcess::actionStatuses() const
{
    const QByteArray path = QFile::encodeName(QDir(dataDir()).filePath(QStringLiteral("gateway.db")));
    sqlite3 *db = nullptr;
    QHash<QString, QString> statuses;
    if (sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT id, status FROM actions", -1, &statement, nullptr) == SQLITE_OK) {
            while (sqlite3_step(statement) == SQLITE_ROW) {
                statuses.insert(QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0))),
                                QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, 1))));
            }
        }
        sqlite3_finalize(statement);
    }
    sqlite3_close_v2(db);
    return statuses;
}

QHash<QString, GatewayProcess::Resolution> GatewayProcess::resolutions() const
{
    const QByteArray path = QFile::encodeName(QDir(dataDir()).filePath(QStringLiteral("gateway.db")));
    sqlite3 *db = nullptr;
    QHash<QString, Resolution> resolved;
    const auto text = [](sqlite3_stmt *statement, int column) {
        return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, column)));
    };
    if (sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT id, status, deadline, resolved_at FROM actions WHERE resolved_at IS NOT NULL",
                               -1, &statement, nullptr) == SQLITE_OK) {
            while (sqlite3_step(statement) == SQLITE_ROW) {
                resolved.insert(text(statement, 0),
                                Resolution{text(statement, 1), QDateTime::fromString(text(statement, 2), Qt::ISODateWithMs),
                                           QDateTime::fromString(text(statement, 3), Qt::ISODateWithMs)});
            }
        }
        sqlite3_finalize(statement);
    }
    sqlite3_close_v2(db);
    return resolved;
}

QByteArray submissionBody(const QString &tool, const QString &operation, const QJsonObject &parameters,
                          const QString &userId, const QString &sessionId)
{
    const QJsonObject body{
        {QStringLiteral("tool"), tool},
        {QStringLiteral("operation"), operation},
        {QStringLiteral("parameters"), parameters},
        {QStringLiteral("context"),
         QJsonObject{{QStringLiteral("user"), QJsonObject{{QStringLiteral("id"), userId}, {QStringLiteral("name"), QStringLiteral("Alice")}}},
                     {QStringLiteral("application"), QJsonObject{{QStringLiteral("id"), QStringLiteral("crm-app")}}},
                     {QStringLiteral("agentInstance"), QStringLiteral("i-42")},
                     {QStringLiteral("parentAgents"),
                      QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("orchestrator")}, {QStringLiteral("instance"), QStringLiteral("i-7")}}}},
                     {QStringLiteral("sessionId"), sessionId}}},
    };
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace countersign::testsupport
