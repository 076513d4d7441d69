// Deferred, lifetime-safe answers to HTTP requests.
#include "gateway/HttpResponder.h"

#include "gateway/HttpConnection.h"

namespace countersign::gateway {

HttpResponder::HttpResponder(HttpConnection *connection, quint64 serial)
    : m_connection(connection), m_serial(serial)
{
}

void HttpResponder::send(const HttpResponse &response) const
{
    if (m_connection)
        m_connection->respond(m_serial, response);
}

bool HttpResponder::isConnected() const
{
    return !m_connection.isNull();
}

QObject *HttpResponder::connection() const
{
    return m_connection.data();
}

} // namespace countersign::gateway
