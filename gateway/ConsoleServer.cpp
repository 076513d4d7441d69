// Handshake-time authentication and event fan-out of the console API.
#include "gateway/ConsoleServer.h"

#include "gateway/ConsoleSession.h"
#include "gateway/GatewayConfig.h"
#include "gateway/Gateway.h"
#include "gateway/GatewayLog.h"

#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

namespace countersign::gateway {

namespace {

void closeWithError(QWebSocket *socket, const QString &code, const QString &message,
                    QWebSocketProtocol::CloseCode closeCode)
{
    socket->sendTextMessage(QString::fromUtf8(protocol::serialize(protocol::ErrorFrame{code, message, {}})));
    socket->close(closeCode, code);
    QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    // A peer that never answers the close handshake is cut off.
    QTimer::singleShot(5000, socket, &QWebSocket::abort);
}

} // namespace

ConsoleServer::ConsoleServer(Gateway &gateway, QObject *parent) : QObject(parent), m_gateway(gateway)
{
    connect(&m_gateway, &Gateway::eventPublished, this, &ConsoleServer::broadcast);
    connect(&m_gateway, &Gateway::auditCheckpointSigned, this, [this](const QByteArray &note) {
        const auto sessions = findChildren<ConsoleSession *>(Qt::FindDirectChildrenOnly);
        for (ConsoleSession *session : sessions)
            session->sendCheckpoint(note);
    });
    // A revocation ends the reviewer's sessions at once, not at their next expiry.
    connect(&m_gateway, &Gateway::policyChanged, this, [this] {
        const auto sessions = findChildren<ConsoleSession *>(Qt::FindDirectChildrenOnly);
        for (ConsoleSession *session : sessions)
            session->recheckEnrolment();
    });
}

ConsoleServer::~ConsoleServer() = default;

void ConsoleServer::setSslConfiguration(const QSslConfiguration &configuration)
{
    m_ssl = configuration;
}

Status ConsoleServer::listen(const QHostAddress &address, quint16 port)
{
    m_server = new QWebSocketServer(QStringLiteral("countersign-gateway"),
                                    m_ssl ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this);
    if (m_ssl)
        m_server->setSslConfiguration(*m_ssl);
    m_server->setHandshakeTimeout(10'000);
    m_server->setMaxPendingConnections(kMaxSessions);
    connect(m_server, &QWebSocketServer::newConnection, this, &ConsoleServer::acceptPending);
    if (!m_server->listen(address, port)) {
        return listenFailed(address, port, m_server->errorString());
    }
    return {};
}

quint16 ConsoleServer::serverPort() const
{
    return m_server ? m_server->serverPort() : 0;
}

void ConsoleServer::acceptPending()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        // Limited before anything else, including sockets that are about to be refused.
        socket->setMaxAllowedIncomingMessageSize(protocol::kMaxClientFrameBytes);
        socket->setMaxAllowedIncomingFrameSize(protocol::kMaxClientFrameBytes);
        if (socket->requestUrl().path() != QLatin1String(protocol::kConsolePath)) {
            closeWithError(socket, QStringLiteral("http.not_found"), QStringLiteral("the console API is at /v1/console"),
                           QWebSocketProtocol::CloseCodePolicyViolated);
            continue;
        }
        if (m_sessions >= kMaxSessions) {
            closeWithError(socket, QStringLiteral("server.busy"), QStringLiteral("too many console connections"),
                           QWebSocketProtocol::CloseCodeGoingAway);
            continue;
        }
        ++m_sessions;
        // The session challenges the console at once; nothing else is served until the
        // reviewer's key has answered.
        auto *session = new ConsoleSession(socket, m_gateway, this);
        connect(session, &ConsoleSession::closed, this, [this] { --m_sessions; });
    }
}

void ConsoleServer::broadcast(qint64 seq, const QByteArray &frame)
{
    const auto sessions = findChildren<ConsoleSession *>(Qt::FindDirectChildrenOnly);
    for (ConsoleSession *session : sessions)
        session->deliver(seq, frame);
}

} // namespace countersign::gateway
