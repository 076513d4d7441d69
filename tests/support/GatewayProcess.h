// A real countersign-gateway process on loopback for integration tests: its own temporary data
// directory, a generated policy with fresh random agent and admin tokens and fresh reviewer key
// pairs (generated at test time, never stored), ephemeral ports, and the URLs and certificate
// fingerprint it announces in its ready file.
#pragma once

#include "core/crypto/Ed25519.h"
#include "net/WebSocketGatewayConnection.h"

#include <map>
#include <memory>

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

namespace countersign::testsupport {

class TestConsoleClient;

class GatewayProcess final
{
public:
    // Identities in the generated policy.
    static inline const QString kPaymentsAgent = QStringLiteral("payments-agent");
    static inline const QString kSupportAgent = QStringLiteral("support-agent");
    // Declares only invoices.read: an agent it delegates to holds tools it did not declare.
    static inline const QString kOrchestrator = QStringLiteral("orchestrator");
    // An application enrolled by its Ed25519 key (signerKey()), one whose key is revoked, and an
    // enrolled Judge.
    static inline const QString kFinancePortal = QStringLiteral("finance-portal");
    static inline const QString kRetiredPortal = QStringLiteral("retired-portal");
    static inline const QString kJudge = QStringLiteral("judge-guard");
    static inline const QString kRita = QStringLiteral("rita@example.com");   // reviewer
    static inline const QString kSam = QStringLiteral("sam@example.com");     // reviewer
    static inline const QString kAlex = QStringLiteral("alex@example.com");   // analyst
    static inline const QString kOps = QStringLiteral("ops@example.com");     // admin (control plane)
    // Holds a reviewer key but is not in the policy.
    static inline const QString kMallory = QStringLiteral("mallory@example.com");
    static inline const QString kPolicyVersion = QStringLiteral("test-1");

    // Rules, in order:
    //   files-delete-quick  files.delete, deadline shortDeadlineSeconds
    //   payment-dual        payments.transfer amount >= 100000, two approvals
    //   payment-over-10k    payments.transfer amount > 10000
    //   email-external      email.send to an address outside example.com
    //   judge-flagged       any call a Judge flagged
    struct Options
    {
        int shortDeadlineSeconds = 3;
        bool plaintext = false;
        int sessionIdleSeconds = 600;
        int sessionMaxSeconds = 3600;
    };

    GatewayProcess();
    explicit GatewayProcess(const Options &options);
    ~GatewayProcess();
    Q_DISABLE_COPY_MOVE(GatewayProcess)

    // Starts the gateway and waits (at most 20 s) for its ready file. On failure, error says why.
    [[nodiscard]] bool start(QString *error = nullptr);
    // Stops and starts again on the same data directory and policy (ports change).
    [[nodiscard]] bool restart(QString *error = nullptr);
    void stop();
    // SIGKILL: no shutdown at all, as a crash or a power cut would leave it.
    void kill();

    [[nodiscard]] QUrl agentUrl() const { return m_agentUrl; }
    [[nodiscard]] QUrl consoleUrl() const { return m_consoleUrl; }
    // The control plane (administration), from the ready file's controlUrl.
    [[nodiscard]] QUrl controlUrl() const { return m_controlUrl; }
    // The ready file itself, for `countersign-gateway admin --ready-file`.
    [[nodiscard]] QString readyFilePath() const;
    [[nodiscard]] QByteArray fingerprint() const { return m_fingerprint; }
    [[nodiscard]] QString gatewayId() const { return m_gatewayId; }
    // The action-signing public key from the ready file: raw 32 bytes (for
    // ConnectionSettings::gatewayPublicKey) and its RFC 7638 thumbprint.
    [[nodiscard]] QByteArray gatewayPublicKey() const { return m_gatewayPublicKey; }
    [[nodiscard]] QByteArray signingKeyThumbprint() const { return m_signingKeyThumbprint; }
    [[nodiscard]] QByteArray agentToken(const QString &agentId) const { return m_tokens.value(agentId); }
    [[nodiscard]] QByteArray adminToken() const { return m_tokens.value(kOps); }
    // The private key of kFinancePortal, kRetiredPortal or kJudge, made for this run.
    [[nodiscard]] const crypto::Ed25519PrivateKey &signerKey(const QString &id) const;
    // The private key of kRita, kSam, kAlex or kMallory.
    [[nodiscard]] const crypto::Ed25519PrivateKey &reviewerKey(const QString &reviewerId) const;
    // What the real console connects with to this gateway as reviewerId: its URL (or url, e.g. a
    // proxy in front of it), the pinned certificate and gateway key, and sign-ins signed with
    // reviewerKey(reviewerId). This object must outlive the connection.
    [[nodiscard]] ConnectionSettings connectionSettings(const QString &reviewerId, const QUrl &url = {}) const;
    // A console client for reviewerId, signing with reviewerKey(reviewerId), not yet opened.
    [[nodiscard]] std::unique_ptr<TestConsoleClient> console(const QString &reviewerId) const;
    [[nodiscard]] QString dataDir() const;
    [[nodiscard]] QString logPath() const;
    [[nodiscard]] QByteArray logText() const;
    // Rows in the gateway's actions table (read through SQLite, independently of the API);
    // -1 if the database cannot be read.
    [[nodiscard]] qint64 storedActionCount() const;
    // Ids of the actions the gateway holds as pending, read the same way.
    [[nodiscard]] QSet<QString> pendingActionIds() const;
    // Every stored action's status ("pending", "denied", "expired", ...) by id.
    [[nodiscard]] QHash<QString, QString> actionStatuses() const;
    // Every resolved action's deadline and the moment it was resolved, by id.
    struct Resolution
    {
        QString status;
        QDateTime deadline;
        QDateTime resolvedAt;
    };
    [[nodiscard]] QHash<QString, Resolution> resolutions() const;
    // The gateway's record of every decision it received for an action, read through SQLite.
    struct StoredDecision
    {
        bool accepted = false;
        QString code;
        QString reviewer;
        QByteArray token;
    };
    [[nodiscard]] QList<StoredDecision> storedDecisions(const QString &actionId) const;

private:
    void writePolicy();

    Options m_options;
    QTemporaryDir m_dir;
    QProcess m_process;
    QHash<QString, QByteArray> m_tokens;
    std::map<QString, crypto::Ed25519PrivateKey> m_reviewerKeys;
    std::map<QString, crypto::Ed25519PrivateKey> m_signerKeys;
    QUrl m_agentUrl;
    QUrl m_consoleUrl;
    QUrl m_controlUrl;
    QByteArray m_fingerprint;
    QString m_gatewayId;
    QByteArray m_gatewayPublicKey;
    QByteArray m_signingKeyThumbprint;
};

// The JSON body of a submission (compact), for tests to send or corrupt.
[[nodiscard]] QByteArray submissionBody(const QString &tool, const QString &operation,
                                        const QJsonObject &parameters,
                                        const QString &userId = QStringLiteral("alice@example.com"),
                                        const QString &sessionId = QStringLiteral("s-1"));

} // namespace countersign::testsupport
