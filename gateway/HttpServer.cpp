// Listening socket, TLS and the connection limit of the gateway's HTTP server.
#include "gateway/HttpServer.h"

#include "gateway/HttpConnection.h"
#include "gateway/GatewayConfig.h"

#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>

namespace countersign::gateway {

HttpServer::HttpServer(HttpHandler handler, const Options &options, QObject *parent)
    : QObject(parent), m_handler(std::move(handler)), m_options(options)
{
}

HttpServer::~HttpServer()
{
    // Connections refer to m_handler: they go first.
    const auto children = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
    for (HttpConnection *connection : children)
        delete connection;
}

void HttpServer::setSslConfiguration(const QSslConfiguration &configuration)
{
    m_ssl = configuration;
}

Status HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_ssl) {
        auto server = std::make_unique<QSslServer>();
        server->setSslConfiguration(*m_ssl);
        // A TLS handshake gets the same patience as a request.
        server->setHandshakeTimeout(m_options.requestTimeoutMs);
        m_server = std::move(server);
    } else {
        m_server = std::make_unique<QTcpServer>();
    }
    connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this, &HttpServer::acceptPending);
    if (!m_server->listen(address, port)) {
        return listenFailed(address, port, m_server->errorString());
    }
    return {};
}

quint16 HttpServer::serverPort() const
{
    return m_server ? m_server->serverPort() : 0;
}

void HttpServer::acceptPending()
{
    while (m_server->hasPendingConnections()) {
        QTcpSocket *socket = m_server->nextPendingConnection();
        if (!socket)
            break;
        if (m_connections >= m_options.maxConnections) {
            // Over the limit: refuse at once rather than queue work the gateway cannot do.
            socket->abort();
            socket->deleteLater();
            continue;
        }
        ++m_connections;
        auto *connection = new HttpConnection(socket, m_options.limits, m_options.requestTimeoutMs,
                                              m_handler, this);
        connect(connection, &HttpConnection::closed, this, [this] { --m_connections; });
    }
}

} // namespace countersign::gateway
