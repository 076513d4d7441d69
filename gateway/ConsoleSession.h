// One console connection: the channel-bound sign-in that opens a reviewer session, the
// session's idle and absolute limits, then subscribe (snapshot or gapless replay), live events,
// signed decisions routed to the gateway, and pings.
#pragma once

#include "core/policy/Policy.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>
#include <QWebSocketProtocol>

class QWebSocket;

namespace countersign::gateway {

class Gateway;

class ConsoleSession final : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of socket and sends it the sign-in challenge.
    ConsoleSession(QWebSocket *socket, Gateway &gateway, QObject *parent);
    ~ConsoleSession() override;
    Q_DISABLE_COPY_MOVE(ConsoleSession)

    // Sends a committed event if this session is subscribed and has not had it yet.
    void deliver(qint64 seq, const QByteArray &frame);
    // Ends the session unless its reviewer is still enrolled, unrevoked and in the same role
    // under the current policy ("session.revoked").
    void recheckEnrolment();
    // Sends a signed audit checkpoint if this session is subscribed.
    void sendCheckpoint(const QByteArray &note);

    [[nodiscard]] bool isSignedIn() const { return m_signedIn; }
    [[nodiscard]] const PolicyReviewer &reviewer() const { return m_reviewer; }
    [[nodiscard]] const QString &sessionId() const { return m_sessionId; }

    static constexpr int kMaxBadFrames = 10;
    // A console further behind than this gets resume.unknown_sequence and takes a snapshot.
    static constexpr qint64 kMaxReplayEvents = 50'000;
    // A connection that has not signed in by then is closed ("auth.timeout").
    static constexpr int kSignInTimeoutMs = 10'000;

Q_SIGNALS:
    void closed();

private:
    void onTextMessage(const QString &text);
    void onBinaryMessage(const QByteArray &data);
    void signIn(const QByteArray &token);
    void refuseSignIn(const QString &code, const QString &message);
    void badFrame(const QString &code, const QString &message);
    void subscribe(qint64 since);
    // Tells the console why (an error frame with code), then closes.
    void endSession(const QString &code, const QString &message);
    // Puts "session.closed" on record once, however the session ends.
    void recordClose(const QString &code);
    void sendError(const QString &code, const QString &message, const QString &requestId = {});
    void send(const QByteArray &frame);
    void closeSession(QWebSocketProtocol::CloseCode code, const QString &reason);

    QWebSocket *m_socket;
    Gateway &m_gateway;
    QString m_nonce;          // this connection's challenge
    QByteArray m_binding;     // tls-server-end-point value the console must have signed
    bool m_signedIn = false;
    bool m_closeRecorded = false; // "session.closed" is in the audit log
    PolicyReviewer m_reviewer; // valid once signed in
    QString m_sessionId;
    QDateTime m_expiresAt;
    QTimer m_idleTimer;
    QTimer m_lifetimeTimer;
    bool m_subscribed = false;
    qint64 m_lastSeq = 0; // highest event seq this connection has been given
    int m_badFrames = 0;
    bool m_closing = false;
};

} // namespace countersign::gateway
