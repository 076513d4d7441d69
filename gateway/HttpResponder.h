// The right to answer one HTTP request, possibly much later (long-polls): holds the connection
// weakly, so an answer for a client that went away is dropped instead of written anywhere.
#pragma once

#include "gateway/HttpRequest.h"

#include <functional>

#include <QPointer>

namespace countersign::gateway {

class HttpConnection;

class HttpResponder final
{
public:
    HttpResponder() = default;
    HttpResponder(HttpConnection *connection, quint64 serial);

    // Sends the response if the connection is still there and still waiting for this request;
    // otherwise does nothing. Only the first call for a request has an effect.
    void send(const HttpResponse &response) const;
    [[nodiscard]] bool isConnected() const;
    // The connection object (destroyed when the client goes away), for lifetime connections.
    [[nodiscard]] QObject *connection() const;

private:
    QPointer<HttpConnection> m_connection;
    quint64 m_serial = 0;
};

using HttpHandler = std::function<void(const HttpRequest &, const HttpResponder &)>;

} // namespace countersign::gateway
