// A real countersign-gateway process on loopback for integration tests: its own temporary data
// directory, a generated policy with fresh random tokens, ephemeral ports, and the URLs and
// certificate fingerprint it announces in its ready file.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

namespace countersign::testsupport {

class GatewayProcess final
{
public:
    // Identities in the generated policy.
    static inline const QString kPaymentsAgent = QStringLiteral("payments-agent");
    static inline const QString kSupportAgent = QStringLiteral("support-agent");
    static inline const QString kRita = QStringLiteral("rita@example.com");   // reviewer
    static inline const QString kSam = QStringLiteral("sam@example.com");     // reviewer
    static inline const QString kAlex = QStringLiteral("alex@example.com");   // analyst

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

    [[nodiscard]] QUrl agentUrl() const { return m_agentUrl; }
    [[nodiscard]] QUrl consoleUrl() const { return m_consoleUrl; }
    [[nodiscard]] QByteArray fingerprint() const { return m_fingerprint; }
    [[nodiscard]] QString gatewayId() const { return m_gatewayId; }
    // The action-signing public key from the ready file: raw 32 bytes (for
    // ConnectionSettings::gatewayPublicKey) and its RFC 7638 thumbprint.
    [[nodiscard]] QByteArray gatewayPublicKey() const { return m_gatewayPublicKey; }
    [[nodiscard]] QByteArray signingKeyThumbprint() const { return m_signingKeyThumbprint; }
    [[nodiscard]] QByteArray agentToken(const QString &agentId) const { return m_tokens.value(agentId); }
    [[nodiscard]] QByteArray reviewerToken(const QString &reviewerId) const { return m_tokens.value(reviewerId); }
    [[nodiscard]] QString dataDir() const;
    [[nodiscard]] QString logPath() const;
    [[nodiscard]] QByteArray logText() const;
    // Rows in the gateway's actions table (read through SQLite, independently of the API);
    // -1 if the database cannot be read.
    [[nodiscard]] qint64 storedActionCount() const;

private:
    void writePolicy();

    Options m_options;
    QTemporaryDir m_dir;
    QProcess m_process;
    QHash<QString, QByteArray> m_tokens;
    QUrl m_agentUrl;
    QUrl m_consoleUrl;
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
