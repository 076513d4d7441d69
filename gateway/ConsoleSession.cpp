// Per-connection protocol handling of the console API.
#include "gateway/ConsoleSession.h"

#include "gateway/Gateway.h"
#include "gateway/GatewayLog.h"

#include <QTimer>
#include <QWebSocket>

namespace countersign::gateway {

namespace {

constexpr int kReplayPage = 1000;
// A console that stops reading must not make the gateway buffer without bound: past this it is
// disconnected, and it resumes from its last seq when it reconnects.
constexpr qint64 kMaxUnsentBytes = 32 * 1024 * 1024;
constexpr int kCloseGraceMs = 5000;

template<class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};
// Needed by clang 14, which does not deduce aggregate template arguments by itself.
template<class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

} // namespace

ConsoleSession::ConsoleSession(QWebSocket *socket, const PolicyReviewer &reviewer, Gateway &gateway,
                               QObject *parent)
    : QObject(parent), m_socket(socket), m_reviewer(reviewer), m_gateway(gateway)
{
    m_socket->setParent(this);
    m_socket->setMaxAllowedIncomingMessageSize(protocol::kMaxClientFrameBytes);
    m_socket->setMaxAllowedIncomingFrameSize(protocol::kMaxClientFrameBytes);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &ConsoleSession::onTextMessage);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &ConsoleSession::onBinaryMessage);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        Q_EMIT closed();
        deleteLater();
    });

    protocol::Hello hello;
    hello.gatewayId = m_gateway.gatewayId();
    hello.serverTime = m_gateway.clock().nowUtc();
    hello.reviewer = m_reviewer.id;
    hello.role = m_reviewer.role;
    hello.head = m_gateway.head();
    hello.signingKey = m_gateway.signingKeyThumbprint();
    send(protocol::serialize(hello));
}

ConsoleSession::~ConsoleSession()
{
    disconnect(m_socket, nullptr, this, nullptr);
}

void ConsoleSession::send(const QByteArray &frame)
{
    if (m_closing)
        return;
    m_socket->sendTextMessage(QString::fromUtf8(frame));
    if (m_socket->bytesToWrite() > kMaxUnsentBytes)
        closeSession(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("console is not reading"));
}

void ConsoleSession::closeSession(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_subscribed = false;
    m_socket->close(code, reason);
    // A peer that never answers the close handshake is cut off.
    QTimer::singleShot(kCloseGraceMs, m_socket, &QWebSocket::abort);
}

void ConsoleSession::sendError(const QString &code, const QString &message, const QString &requestId)
{
    send(protocol::serialize(protocol::ErrorFrame{code, message, requestId}));
}

void ConsoleSession::deliver(qint64 seq, const QByteArray &frame)
{
    if (!m_subscribed || seq <= m_lastSeq)
        return;
    m_lastSeq = seq;
    send(frame);
}

void ConsoleSession::badFrame(const QString &code, const QString &message)
{
    sendError(code, message);
    if (++m_badFrames >= kMaxBadFrames) {
        // A console that keeps sending garbage is broken or hostile; either way, stop.
        closeSession(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("too many invalid frames"));
    }
}

void ConsoleSession::onBinaryMessage(const QByteArray &)
{
    badFrame(QStringLiteral("frame.invalid"), QStringLiteral("frames are JSON text, not binary"));
}

void ConsoleSession::onTextMessage(const QString &text)
{
    auto parsed = protocol::parseClientFrame(text.toUtf8());
    if (!parsed) {
        badFrame(parsed.error().code, parsed.error().message);
        return;
    }
    std::visit(Overloaded{
                   [this](const protocol::Subscribe &frame) { subscribe(frame.since); },
                   [this](const protocol::Ping &frame) {
                       send(protocol::serialize(protocol::Pong{frame.nonce, m_gateway.clock().nowUtc()}));
                   },
                   [this](const protocol::Decision &frame) {
                       send(protocol::serialize(m_gateway.decide(m_reviewer, frame)));
                   },
               },
               parsed.value());
}

void ConsoleSession::subscribe(qint64 since)
{
    // Everything below runs without returning to the event loop, so no event can be
    // committed between the snapshot or replay and the first live event: nothing is lost
    // and nothing is sent twice.
    m_subscribed = false;
    const qint64 head = m_gateway.head();
    if (since > head) {
        sendError(QStringLiteral("resume.unknown_sequence"),
                  QStringLiteral("seq %1 is ahead of this gateway's head %2; subscribe from 0").arg(since).arg(head));
        return;
    }
    if (since > 0 && head - since > kMaxReplayEvents) {
        sendError(QStringLiteral("resume.unknown_sequence"),
                  QStringLiteral("seq %1 is more than %2 events behind; subscribe from 0 for a snapshot")
                      .arg(since)
                      .arg(kMaxReplayEvents));
        return;
    }

    if (since == 0) {
        auto frames = m_gateway.snapshotFrames();
        if (!frames) {
            sendError(QStringLiteral("store.unavailable"), frames.error().message);
            return;
        }
        for (const QByteArray &frame : frames.value())
            send(frame);
    } else {
        qint64 cursor = since;
        while (cursor < head) {
            auto events = m_gateway.eventsAfter(cursor, kReplayPage);
            if (!events) {
                sendError(QStringLiteral("store.unavailable"), events.error().message);
                return;
            }
            if (events.value().isEmpty())
                break;
            for (const StoredEvent &event : events.value()) {
                send(event.frame);
                cursor = event.seq;
            }
        }
    }
    m_lastSeq = head;
    m_subscribed = true;
    send(protocol::serialize(protocol::Subscribed{since, head, since == 0}));
    qCInfo(lcGateway).noquote() << "console" << m_reviewer.id << (since == 0 ? "snapshot" : "replay")
                                << "since" << since << "head" << head;
}

} // namespace countersign::gateway
