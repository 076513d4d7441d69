// A console for tests: a raw WebSocket to the gateway's console API with the reviewer's bearer
// token in the handshake and the certificate pinned, collecting every server frame parsed by
// the protocol's own strict parser.
#pragma once

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
    TestConsoleClient(QUrl url, QByteArray pinnedFingerprint, QByteArray token, QObject *parent = nullptr);
    ~TestConsoleClient() override;
    Q_DISABLE_COPY_MOVE(TestConsoleClient)

    // Connects and waits for the hello frame (true) or a close/error (false).
    [[nodiscard]] bool open(int timeoutMs = 10'000);
    void abort();
    void close();
    [[nodiscard]] bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    [[nodiscard]] bool pinMismatch() const { return m_pinMismatch; }
    [[nodiscard]] QWebSocketProtocol::CloseCode closeCode() const { return m_socket.closeCode(); }

    void send(const protocol::ClientFrame &frame);
    void sendText(const QString &text);

    // Sends subscribe and waits for subscribed (returned) or an error frame (nullopt).
    [[nodiscard]] std::optional<protocol::Subscribed> subscribe(qint64 since, int timeoutMs = 15'000);
    // Sends a decision and waits for its decision.result.
    [[nodiscard]] std::optional<protocol::DecisionResult> decide(const QString &actionId, const QByteArray &digest,
                                                                 protocol::Verdict verdict, const QString &reason,
                                                                 int timeoutMs = 15'000);

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
    QByteArray m_token;
    QWebSocket m_socket;
    QList<protocol::ServerFrame> m_frames;
    QStringList m_parseErrors;
    qint64 m_lastSeq = 0;
    bool m_pinMismatch = false;
    int m_requests = 0;
};

} // namespace countersign::testsupport
