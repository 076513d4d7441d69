// Strict incremental HTTP/1.1 request parsing.
#include "gateway/HttpRequestParser.h"

#include <cctype>

namespace countersign::gateway {

namespace {

// RFC 9110 tchar.
bool isTokenChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if ((u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// field-value: visible ASCII, space, tab and obs-text; no other control characters.
bool isFieldValue(QByteArrayView text)
{
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u == '\t' || (u >= 0x20 && u != 0x7f))
            continue;
        return false;
    }
    return true;
}

QByteArrayView trimmedOws(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t'))
        text = text.sliced(1);
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t'))
        text.chop(1);
    return text;
}

bool hasToken(QByteArrayView list, QByteArrayView token)
{
    for (QByteArrayView part : QByteArray(list.toByteArray()).split(',')) {
        if (trimmedOws(part).compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

constexpr QByteArrayView kHeadEnd("\r\n\r\n");

} // namespace

HttpRequestParser::State HttpRequestParser::fail(int status, const char *code, const QString &message)
{
    m_error = HttpParseError{status, QByteArray(code), message};
    m_state = State::Failed;
    return m_state;
}

bool HttpRequestParser::awaitingContinue() const
{
    return m_state == State::Incomplete && m_expectContinue && m_headLength > 0
           && m_buffer.size() == m_headLength;
}

HttpRequestParser::State HttpRequestParser::feed(QByteArrayView data)
{
    if (m_state == State::Failed)
        return m_state;
    m_buffer.append(data);
    if (m_state == State::Complete)
        return m_state;
    return parse();
}

HttpRequestParser::State HttpRequestParser::next()
{
    if (m_state != State::Complete)
        return m_state;
    m_buffer.remove(0, m_headLength + m_bodyLength);
    m_scanned = 0;
    m_headLength = 0;
    m_bodyLength = 0;
    m_expectContinue = false;
    m_request = HttpRequest{};
    m_state = State::Incomplete;
    return parse();
}

HttpRequestParser::State HttpRequestParser::parse()
{
    if (m_headLength == 0) {
        // RFC 9112 2.2: empty lines before the request line are ignored.
        while (m_buffer.startsWith("\r\n")) {
            m_buffer.remove(0, 2);
            m_scanned = 0;
        }
        // Bare CR or LF anywhere in the head would be read differently by other parsers.
        for (; m_scanned < m_buffer.size(); ++m_scanned) {
            const char c = m_buffer.at(m_scanned);
            if (c == '\n' && (m_scanned == 0 || m_buffer.at(m_scanned - 1) != '\r'))
                return fail(400, "http.bad_request", QStringLiteral("line ends must be CRLF"));
            if (m_scanned > 0 && m_buffer.at(m_scanned - 1) == '\r' && c != '\n')
                return fail(400, "http.bad_request", QStringLiteral("a CR must be followed by LF"));
            if (m_scanned >= 3 && QByteArrayView(m_buffer).sliced(m_scanned - 3, 4) == kHeadEnd) {
                m_headLength = m_scanned + 1;
                break;
            }
            if (m_scanned + 1 > m_limits.maxHeadBytes) {
                return fail(431, "http.head_too_large",
                            QStringLiteral("request head larger than %1 bytes").arg(m_limits.maxHeadBytes));
            }
        }
        if (m_headLength == 0)
            return m_state;
        // The head without its final CRLF CRLF.
        if (!parseHead(QByteArrayView(m_buffer).first(m_headLength - 4)))
            return m_state;
    }
    if (m_buffer.size() - m_headLength < m_bodyLength)
        return m_state;
    m_request.body = m_buffer.mid(m_headLength, m_bodyLength);
    m_state = State::Complete;
    return m_state;
}

bool HttpRequestParser::parseHead(QByteArrayView head)
{
    qsizetype start = 0;
    bool first = true;
    while (start <= head.size()) {
        qsizetype end = head.indexOf(QByteArrayView("\r\n"), start);
        if (end < 0)
            end = head.size();
        const QByteArrayView line = head.sliced(start, end - start);
        if (first) {
            if (!parseRequestLine(line))
                return false;
            first = false;
        } else if (!parseHeaderLine(line)) {
            return false;
        }
        start = end + 2;
    }
    return checkFraming();
}

bool HttpRequestParser::parseRequestLine(QByteArrayView line)
{
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype lastSpace = line.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace == firstSpace) {
        fail(400, "http.bad_request", QStringLiteral("malformed request line"));
        return false;
    }
    const QByteArrayView method = line.first(firstSpace);
    const QByteArrayView target = line.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = line.sliced(lastSpace + 1);
    if (!isToken(method)) {
        fail(400, "http.bad_request", QStringLiteral("malformed method"));
        return false;
    }
    // origin-form only: no absolute URLs, no '*', no spaces, no fragment, no control bytes.
    if (target.isEmpty() || target.front() != '/') {
        fail(400, "http.bad_request", QStringLiteral("the request target must start with '/'"));
        return false;
    }
    for (char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '#') {
            fail(400, "http.bad_request", QStringLiteral("invalid character in the request target"));
            return false;
        }
    }
    if (version == QByteArrayView("HTTP/1.1")) {
        m_request.minorVersion = 1;
    } else if (version == QByteArrayView("HTTP/1.0")) {
        m_request.minorVersion = 0;
    } else if (version.size() == 8 && version.startsWith("HTTP/") && version.at(6) == '.'
               && std::isdigit(static_cast<unsigned char>(version.at(5)))
               && std::isdigit(static_cast<unsigned char>(version.at(7)))) {
        fail(505, "http.version", QStringLiteral("only HTTP/1.1 and HTTP/1.0 are supported"));
        return false;
    } else {
        fail(400, "http.bad_request", QStringLiteral("malformed HTTP version"));
        return false;
    }
    m_request.method = method.toByteArray();
    m_request.target = target.toByteArray();
    const qsizetype question = target.indexOf('?');
    m_request.path = (question < 0 ? target : target.first(question)).toByteArray();
    m_request.query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();
    return true;
}

bool HttpRequestParser::parseHeaderLine(QByteArrayView line)
{
    if (!line.isEmpty() && (line.front() == ' ' || line.front() == '\t')) {
        fail(400, "http.bad_request", QStringLiteral("folded header lines are not accepted"));
        return false;
    }
    const qsizetype colon = line.indexOf(':');
    // No whitespace is allowed between the name and the colon (RFC 9112 5.1).
    if (colon <= 0 || !isToken(line.first(colon))) {
        fail(400, "http.bad_request", QStringLiteral("malformed header line"));
        return false;
    }
    const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
    if (!isFieldValue(value)) {
        fail(400, "http.bad_request", QStringLiteral("control character in a header value"));
        return false;
    }
    if (m_request.headers.size() >= m_limits.maxHeaders) {
        fail(431, "http.head_too_large", QStringLiteral("more than %1 headers").arg(m_limits.maxHeaders));
        return false;
    }
    m_request.headers.append({line.first(colon).toByteArray().toLower(), value.toByteArray()});
    return true;
}

bool HttpRequestParser::checkFraming()
{
    int hosts = 0;
    int lengths = 0;
    QByteArray length;
    for (const auto &[name, value] : std::as_const(m_request.headers)) {
        if (name == "host") {
            ++hosts;
        } else if (name == "content-length") {
            ++lengths;
            length = value;
        } else if (name == "transfer-encoding") {
            // Chunked bodies would need a second framing parser; agents send Content-Length.
            fail(501, "http.not_implemented", QStringLiteral("Transfer-Encoding is not supported; send Content-Length"));
            return false;
        }
    }
    if (m_request.minorVersion == 1 && hosts != 1) {
        fail(400, "http.bad_request", QStringLiteral("an HTTP/1.1 request needs exactly one Host header"));
        return false;
    }
    if (lengths > 1) {
        fail(400, "http.bad_request", QStringLiteral("more than one Content-Length header"));
        return false;
    }
    if (lengths == 1) {
        bool digits = !length.isEmpty() && length.size() <= 18;
        for (char c : std::as_const(length))
            digits = digits && c >= '0' && c <= '9';
        if (!digits) {
            fail(400, "http.bad_request", QStringLiteral("malformed Content-Length"));
            return false;
        }
        m_bodyLength = length.toLongLong();
        // Refused from the header alone, before a single body byte is read or buffered.
        if (m_bodyLength > m_limits.maxBodyBytes) {
            fail(413, "http.body_too_large",
                 QStringLiteral("body of %1 bytes exceeds the limit of %2 bytes").arg(m_bodyLength).arg(m_limits.maxBodyBytes));
            return false;
        }
    } else if (m_request.method == "POST" || m_request.method == "PUT" || m_request.method == "PATCH") {
        fail(411, "http.length_required", QStringLiteral("a request with a body needs Content-Length"));
        return false;
    }

    const QByteArray connection = m_request.header("connection");
    m_request.keepAlive = m_request.minorVersion == 1 ? !hasToken(connection, "close")
                                                      : hasToken(connection, "keep-alive");
    if (m_request.hasHeader("expect")) {
        if (m_request.header("expect").compare("100-continue", Qt::CaseInsensitive) != 0) {
            fail(417, "http.expectation_failed", QStringLiteral("only Expect: 100-continue is supported"));
            return false;
        }
        m_expectContinue = m_bodyLength > 0;
    }
    return true;
}

} // namespace countersign::gateway
