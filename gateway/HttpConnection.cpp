// Request/response cycle of one HTTP/1.1 connection, with keep-alive and deferred answers.
#include "gateway/HttpConnection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace countersign::gateway {

namespace {

constexpr qint64 kReadChunk = 16 * 1024;
// Bounds what Qt buffers for a connection whose request is still with the handler: past this,
// TCP flow control makes the client wait instead of the gateway holding its bytes.
constexpr qint64 kSocketReadBuffer = 64 * 1024;
// After a refused request: how long, and how much, is read and thrown away before closing.
constexpr int kDrainMs = 1000;
constexpr qint64 kMaxDrainBytes = 1024 * 1024;

QByteArray errorBody(const QByteArray &code, const QString &message)
{
    const QJsonObject error{{QStringLiteral("code"), QString::fromLatin1(code)},
                            {QStringLiteral("message"), message}};
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), error}}).toJson(QJsonDocument::Compact);
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, const HttpLimits &limits, int requestTimeoutMs,
                               const HttpHandler &handler, QObject *parent)
    : QObject(parent), m_socket(socket), m_parser(limits), m_handler(handler)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kSocketReadBuffer);
    m_requestTimer.setSingleShot(true);
    m_requestTimer.setInterval(requestTimeoutMs);
    connect(&m_requestTimer, &QTimer::timeout, this, &HttpConnection::onRequestTimeout);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::readIncoming);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::finish);
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        // The client left between the handshake and now: nothing to serve.
        QMetaObject::invokeMethod(this, &HttpConnection::finish, Qt::QueuedConnection);
        return;
    }
    waitForRequest();
    readIncoming();
}

HttpConnection::~HttpConnection()
{
    // The socket is a child and dies after this object: it must not call back into it.
    disconnect(m_socket, nullptr, this, nullptr);
}

void HttpConnection::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_closing = true;
    m_requestTimer.stop();
    Q_EMIT closed();
    deleteLater();
}

void HttpConnection::waitForRequest()
{
    m_continueSent = false;
    // The clock runs from the moment the connection is ready for a request: a client that
    // trickles bytes (or none) cannot hold a connection longer than this.
    m_requestTimer.start();
}

void HttpConnection::readIncoming()
{
    if (m_busy || m_closing)
        return;
    while (m_parser.state() == HttpRequestParser::State::Incomplete && m_socket->bytesAvailable() > 0)
        m_parser.feed(m_socket->read(kReadChunk));

    switch (m_parser.state()) {
    case HttpRequestParser::State::Incomplete:
        if (m_parser.awaitingContinue() && !m_continueSent) {
            m_continueSent = true;
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        }
        return;
    case HttpRequestParser::State::Failed:
        failRequest(m_parser.error());
        return;
    case HttpRequestParser::State::Complete:
        dispatch();
        return;
    }
}

void HttpConnection::dispatch()
{
    m_requestTimer.stop();
    m_busy = true;
    ++m_serial;
    // The handler may answer at once (re-entering respond()) or keep the responder for later.
    m_handler(m_parser.request(), HttpResponder(this, m_serial));
}

void HttpConnection::respond(quint64 serial, const HttpResponse &response)
{
    if (!m_busy || serial != m_serial || m_closing)
        return;
    m_busy = false;
    const bool close = response.closeConnection || !m_parser.request().keepAlive;
    write(response, close);
    if (close)
        return;
    // Continue on the next event-loop turn: pipelined requests never recurse into the handler.
    QMetaObject::invokeMethod(this, &HttpConnection::resumeAfterResponse, Qt::QueuedConnection);
}

void HttpConnection::resumeAfterResponse()
{
    if (m_closing || m_busy)
        return;
    waitForRequest();
    switch (m_parser.next()) {
    case HttpRequestParser::State::Complete:
        dispatch();
        return;
    case HttpRequestParser::State::Failed:
        failRequest(m_parser.error());
        return;
    case HttpRequestParser::State::Incomplete:
        readIncoming();
        return;
    }
}

void HttpConnection::failRequest(const HttpParseError &error)
{
    // After a framing error the position in the byte stream is unknown: answer and close. The
    // client may still be sending (a refused body); closing with unread bytes would reset the
    // connection and destroy the answer, so what arrives meanwhile is read and discarded for a
    // short, bounded time first.
    HttpResponse response;
    response.status = error.status;
    response.body = errorBody(error.code, error.message);
    m_socket->write(serialize(response, true));
    m_closing = true;
    disconnect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::readIncoming);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::discardIncoming);
    m_requestTimer.disconnect(this);
    connect(&m_requestTimer, &QTimer::timeout, m_socket, &QTcpSocket::disconnectFromHost);
    m_requestTimer.start(kDrainMs);
    discardIncoming();
}

void HttpConnection::discardIncoming()
{
    while (m_socket->bytesAvailable() > 0)
        m_drained += m_socket->read(kReadChunk).size();
    if (m_drained > kMaxDrainBytes)
        m_socket->abort();
}

void HttpConnection::onRequestTimeout()
{
    if (m_busy || m_closing)
        return;
    if (m_parser.bufferedBytes() == 0) {
        // An idle keep-alive connection: close quietly.
        m_closing = true;
        m_socket->disconnectFromHost();
        return;
    }
    HttpResponse response;
    response.status = 408;
    response.body = errorBody("http.timeout", QStringLiteral("the request did not arrive completely in time"));
    write(response, true);
}

QByteArray HttpConnection::serialize(const HttpResponse &response, bool close)
{
    QByteArray out;
    out.reserve(256 + response.body.size());
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
    out += "Content-Type: " + response.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    out += "Cache-Control: no-store\r\n";
    out += "X-Content-Type-Options: nosniff\r\n";
    for (const auto &[name, value] : response.extraHeaders)
        out += name + ": " + value + "\r\n";
    out += close ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
    out += "\r\n";
    out += response.body;
    return out;
}

void HttpConnection::write(const HttpResponse &response, bool close)
{
    m_socket->write(serialize(response, close));
    if (close) {
        m_closing = true;
        m_requestTimer.stop();
        // Flushes what was written, then closes; disconnected() deletes the connection.
        m_socket->disconnectFromHost();
    }
}

} // namespace countersign::gateway
