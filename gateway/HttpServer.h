// The gateway's own minimal HTTP/1.1 server, over TLS (QSslServer) or, for loopback
// development only, plain TCP.
//
// Hand-written rather than QtHttpServer because QtHttpServer 6.4 buffers request bodies without
// any size limit (an agent could exhaust memory before a single check runs) and its responder
// cannot safely outlive the request, which long-polling needs. Here the limits are enforced
// from the head before a body byte is buffered, and deferred answers hold the connection weakly.
#pragma once

#include "core/Result.h"
#include "gateway/HttpRequestParser.h"
#include "gateway/HttpResponder.h"

#include <memory>

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>

class QTcpServer;

namespace countersign::gateway {

class HttpServer final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        HttpLimits limits;
        int requestTimeoutMs = 10'000; // to receive one complete request
        int maxConnections = 256;
    };

    HttpServer(HttpHandler handler, const Options &options, QObject *parent = nullptr);
    ~HttpServer() override;
    Q_DISABLE_COPY_MOVE(HttpServer)

    // Without a configuration the server speaks plain HTTP. Set before listen().
    void setSslConfiguration(const QSslConfiguration &configuration);

    // Error code "net.listen_failed".
    [[nodiscard]] Status listen(const QHostAddress &address, quint16 port);
    [[nodiscard]] quint16 serverPort() const;
    [[nodiscard]] int connectionCount() const { return m_connections; }

private:
    void acceptPending();

    HttpHandler m_handler;
    Options m_options;
    std::optional<QSslConfiguration> m_ssl;
    std::unique_ptr<QTcpServer> m_server;
    int m_connections = 0;
};

} // namespace countersign::gateway
