// One authenticated console connection: answers subscribe with a snapshot or a gapless
// replay, then forwards live events; routes decisions to the gateway and answers pings.
#pragma once

#include "core/policy/Policy.h"

#include <QObject>
#include <QWebSocketProtocol>

class QWebSocket;

namespace countersign::gateway {

class Gateway;

class ConsoleSession final : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of socket, which has passed authentication as reviewer.
    ConsoleSession(QWebSocket *socket, const PolicyReviewer &reviewer, Gateway &gateway, QObject *parent);
    ~ConsoleSession() override;
    Q_DISABLE_COPY_MOVE(ConsoleSession)

    // Sends a committed event if this session is subscribed and has not had it yet.
    void deliver(qint64 seq, const QByteArray &frame);

    static constexpr int kMaxBadFrames = 10;
    // A console further behind than this gets resume.unknown_sequence and takes a snapshot.
    static constexpr qint64 kMaxReplayEvents = 50'000;

Q_SIGNALS:
    void closed();

private:
    void onTextMessage(const QString &text);
    void onBinaryMessage(const QByteArray &data);
    void badFrame(const QString &code, const QString &message);
    void subscribe(qint64 since);
    void sendError(const QString &code, const QString &message, const QString &requestId = {});
    void send(const QByteArray &frame);
    void closeSession(QWebSocketProtocol::CloseCode code, const QString &reason);

    QWebSocket *m_socket;
    PolicyReviewer m_reviewer;
    Gateway &m_gateway;
    bool m_subscribed = false;
    qint64 m_lastSeq = 0; // highest event seq this connection has been given
    int m_badFrames = 0;
    bool m_closing = false;
};

} // namespace countersign::gateway
