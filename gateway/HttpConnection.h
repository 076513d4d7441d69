// One client connection of the HTTP server: reads requests one at a time under the parser's
// limits and a deadline, hands each to the handler, and writes exactly one response per request.
#pragma once

#include "gateway/HttpRequestParser.h"
#include "gateway/HttpResponder.h"

#include <QObject>
#include <QTimer>

class QTcpSocket;

namespace countersign::gateway {

class HttpConnection final : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of socket. handler must outlive the connection (the server owns both).
    HttpConnection(QTcpSocket *socket, const HttpLimits &limits, int requestTimeoutMs,
                   const HttpHandler &handler, QObject *parent);
    ~HttpConnection() override;
    Q_DISABLE_COPY_MOVE(HttpConnection)

    // Answers the request with this serial, if it is the one in progress.
    void respond(quint64 serial, const HttpResponse &response);

Q_SIGNALS:
    void closed();

private:
    void readIncoming();
    void dispatch();
    void failRequest(const HttpParseError &error);
    void onRequestTimeout();
    void write(const HttpResponse &response, bool close);
    void discardIncoming();
    static QByteArray serialize(const HttpResponse &response, bool close);
    void resumeAfterResponse();
    void waitForRequest();
    void finish();

    QTcpSocket *m_socket;
    HttpRequestParser m_parser;
    const HttpHandler &m_handler;
    QTimer m_requestTimer;
    quint64 m_serial = 0;
    bool m_busy = false;          // a request is with the handler
    bool m_closing = false;       // no more requests on this connection
    bool m_continueSent = false;
    bool m_finished = false;
    qint64 m_drained = 0;
};

} // namespace countersign::gateway
