// A console for tests: a raw WebSocket to the gateway's console API with the certificate
// pinned, answering the gateway's challenge with a channel-bound sign-in by the reviewer's key
// and signing decisions with it, collecting every server frame parsed by the protocol's own
// strict parser. Tests can take over any step to send what a broken or hostile console would.
#pragma once

#include "core/auth/SignIn.h"
#include "core/crypto/Ed25519.h"
#include "core/decision/SignedDecision.h"
#include "core/protocol/Protocol.h"

#include <functional>
#include <optional>

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QUrl>
#include <QWebSocket>

namespace countersign::testsupport {

class TestConsoleClient final : public QObject
{
    Q_OBJECT

public:
    // key (not owned, may be null: then nothing is signed) must outlive the client.
    TestConsoleClient(QUrl url, QByteArray pinnedFingerprint, QString reviewerId,
                      const crypto::Ed25519PrivateKey *key, QObject *parent = nullptr);
    ~TestConsoleClient() override;
    Q_DISABLE_COPY_MOVE(TestConsoleClient)

    // Connects, signs in and waits for the hello frame (true) or a close/error (false).
    [[nodiscard]] bool open(int timeoutMs = 10'000);
    // Connects and waits for the challenge only (for tests that sign in by hand).
    [[nodiscard]] std::optional<protocol::Challenge> openForChallenge(int timeoutMs = 10'000);
    // The sign-in claims this client would sign for challenge: channel binding from the
    // certificate this connection saw.
    [[nodiscard]] auth::SignInClaims signInClaims(const protocol::Challenge &challenge) const;
    // Sends a sign-in and waits for hello (true) or an error/close (false).
    [[nodiscard]] bool signIn(const QByteArray &token, int timeoutMs = 10'000);
    // Changes the sign-in claims before they are signed (for refusal tests).
    std::function<void(auth::SignInClaims &)> tamperSignIn;
    void abort();
    void close();
    [[nodiscard]] bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    [[nodiscard]] bool pinMismatch() const { return m_pinMismatch; }
    [[nodiscard]] QWebSocketProtocol::CloseCode closeCode() const { return m_socket.closeCode(); }

    void send(const protocol::ClientFrame &frame);
    void sendText(const QString &text);

    // Sends subscribe and waits for subscribed (returned) or an error frame (nullopt).
    [[nodiscard]] std::optional<protocol::Subscribed> subscribe(qint64 since, int timeoutMs = 15'000);
    // Signs a decision with this reviewer's key, sends it and waits for its decision.result.
    // The policy version is the one the action was published with (from its action.pending;
    // "test-1" if this client has not seen it). tweak may change the claims before signing.
    [[nodiscard]] std::optional<protocol::DecisionResult> decide(
        const QString &actionId, const QByteArray &digest, protocol::Verdict verdict, const QString &reason,
        const std::function<void(decision::DecisionClaims &)> &tweak = {}, int timeoutMs = 15'000);
    // The signed decision decide() would send (tweak and key as there; key null = this client's).
    [[nodiscard]] QByteArray signDecision(const QString &actionId, const QByteArray &digest, protocol::Verdict verdict,
                                          const QString &reason,
                                          const std::function<void(decision::DecisionClaims &)> &tweak = {},
                                          const crypto::Ed25519PrivateKey *key = nullptr) const;
    // Sends a decision frame with this exact token and waits for its decision.result.
    [[nodiscard]] std::optional<protocol::DecisionResult> sendDecision(const QString &actionId, const QByteArray &token,
                                                                       int timeoutMs = 15'000);
    // The tokens of every decision sent, in order.
    [[nodiscard]] const QList<QByteArray> &sentDecisions() const { return m_sentDecisions; }

    // Runs the event loop until predicate() holds or timeoutMs passes.
    bool waitUntil(const std::function<bool()> &predicate, int timeoutMs = 15'000);

    [[nodiscard]] const QList<protocol::ServerFrame> &frames() const { return m_frames; }
    [[nodiscard]] const QStringList &parseErrors() const { return m_parseErrors; }
    [[nodiscard]] std::optional<protocol::Hello> hello() const;
    // Highest event seq received so far.
    [[nodiscard]] qint64 lastSeq() const { return m_lastSeq; }

    template<typename T>
    [[nodiscard]] QList<T> framesOf() const
    {
        QList<T> result;
        for (const protocol::ServerFrame &frame : m_frames) {
            if (const T *typed = std::get_if<T>(&frame))
                result.append(*typed);
        }
        return result;
    }
    [[nodiscard]] std::optional<protocol::ActionPending> pending(const QString &actionId) const;
    [[nodiscard]] std::optional<protocol::ActionResolved> resolved(const QString &actionId) const;
    [[nodiscard]] std::optional<protocol::ErrorFrame> lastError() const;

private:
    void onText(const QString &text);

    QUrl m_url;
    QByteArray m_pin;
    QString m_reviewerId;
    const crypto::Ed25519PrivateKey *m_key;
    QList<QByteArray> m_sentDecisions;
    bool m_autoSignIn = true;
    QWebSocket m_socket;
    QList<protocol::ServerFrame> m_frames;
    QStringList m_parseErrors;
    qint64 m_lastSeq = 0;
    bool m_pinMismatch = false;
    int m_requests = 0;
};

} // namespace countersign::testsupport
