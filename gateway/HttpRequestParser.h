// Incremental, strict parser of HTTP/1.1 requests from untrusted bytes. Pure (no sockets, no
// event loop) so that it can be fuzzed and tested table-driven.
//
// Strict on purpose: anything two HTTP implementations could read differently (bare LF line
// ends, folded headers, several Content-Length headers, Transfer-Encoding, whitespace before a
// colon) is refused rather than guessed at, which closes the door on request smuggling.
#pragma once

#include "gateway/HttpRequest.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace countersign::gateway {

struct HttpLimits
{
    qsizetype maxHeadBytes = 16 * 1024; // request line + headers + the blank line
    int maxHeaders = 64;
    qsizetype maxBodyBytes = 256 * 1024;
};

struct HttpParseError
{
    int status = 400;    // the HTTP status to answer with
    QByteArray code;     // "http.bad_request", "http.head_too_large", ...
    QString message;     // for a person; never echoes request bytes
};

class HttpRequestParser final
{
public:
    enum class State { Incomplete, Complete, Failed };

    explicit HttpRequestParser(const HttpLimits &limits = {}) : m_limits(limits) {}
    Q_DISABLE_COPY_MOVE(HttpRequestParser)

    // Appends bytes and parses as far as they go. Once Complete or Failed, further bytes are
    // kept (Complete) or ignored (Failed) until next().
    State feed(QByteArrayView data);
    // After Complete: forgets the finished request and parses the bytes already buffered
    // after it (a pipelined request).
    State next();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] const HttpRequest &request() const { return m_request; }
    [[nodiscard]] const HttpParseError &error() const { return m_error; }
    // True once a valid head asked for "Expect: 100-continue" and its body has not arrived.
    [[nodiscard]] bool awaitingContinue() const;
    [[nodiscard]] bool headComplete() const { return m_headLength > 0; }
    [[nodiscard]] qsizetype bufferedBytes() const { return m_buffer.size(); }

private:
    State parse();
    State fail(int status, const char *code, const QString &message);
    bool parseHead(QByteArrayView head);
    bool parseRequestLine(QByteArrayView line);
    bool parseHeaderLine(QByteArrayView line);
    bool checkFraming();

    HttpLimits m_limits;
    QByteArray m_buffer;
    qsizetype m_scanned = 0;     // bytes of m_buffer already checked for line ends
    qsizetype m_headLength = 0;  // bytes of the head including the blank line, once found
    qsizetype m_bodyLength = 0;
    bool m_expectContinue = false;
    State m_state = State::Incomplete;
    HttpRequest m_request;
    HttpParseError m_error;
};

} // namespace countersign::gateway
