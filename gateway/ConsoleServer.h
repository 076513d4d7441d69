// The console-facing WebSocket listener (wss://…/v1/console): hands each connection to a
// session that signs the reviewer in, and fans committed events out to the sessions.
#pragma once

#include "core/Result.h"

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>

class QWebSocketServer;

namespace countersign::gateway {

class Gateway;

class ConsoleServer final : public QObject
{
    Q_OBJECT

public:
    ConsoleServer(Gateway &gateway, QObject *parent);
    ~ConsoleServer() override;
    Q_DISABLE_COPY_MOVE(ConsoleServer)

    // Without a configuration the server speaks plain ws://. Set before listen().
    void setSslConfiguration(const QSslConfiguration &configuration);
    // Error code "net.listen_failed".
    [[nodiscard]] Status listen(const QHostAddress &address, quint16 port);
    [[nodiscard]] quint16 serverPort() const;

    static constexpr int kMaxSessions = 64;

private:
    void acceptPending();
    void broadcast(qint64 seq, const QByteArray &frame);

    Gateway &m_gateway;
    std::optional<QSslConfiguration> m_ssl;
    QWebSocketServer *m_server = nullptr;
    int m_sessions = 0;
};

} // namespace countersign::gateway
