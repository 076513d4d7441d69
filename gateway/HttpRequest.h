// One parsed HTTP/1.1 request and the response the gateway sends back: plain values shared by
// the parser, the connection and the routes.
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace countersign::gateway {

struct HttpRequest
{
    QByteArray method;  // "GET", "POST", ...
    QByteArray target;  // as sent: "/v1/actions/act-1?wait=5"
    QByteArray path;    // "/v1/actions/act-1"
    QByteArray query;   // "wait=5" (without '?'), possibly empty
    int minorVersion = 1; // HTTP/1.x
    QList<QPair<QByteArray, QByteArray>> headers; // names lowercased, values trimmed
    QByteArray body;
    bool keepAlive = true;

    // The value of the only header with this (lowercase) name; empty if absent.
    [[nodiscard]] QByteArray header(QByteArrayView lowercaseName) const
    {
        for (const auto &[name, value] : headers) {
            if (name == lowercaseName)
                return value;
        }
        return {};
    }
    [[nodiscard]] bool hasHeader(QByteArrayView lowercaseName) const
    {
        for (const auto &entry : headers) {
            if (entry.first == lowercaseName)
                return true;
        }
        return false;
    }
};

struct HttpResponse
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = "application/json";
    QList<QPair<QByteArray, QByteArray>> extraHeaders; // e.g. Allow, WWW-Authenticate
    bool closeConnection = false;
};

// A compact JSON body, and the error body every API of the gateway answers with:
// {"error":{"code":...,"message":...}}.
[[nodiscard]] inline HttpResponse jsonResponse(int status, const QJsonObject &body)
{
    HttpResponse response;
    response.status = status;
    response.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return response;
}

[[nodiscard]] inline HttpResponse errorResponse(int status, const QString &code, const QString &message)
{
    return jsonResponse(status, QJsonObject{{QStringLiteral("error"),
                                             QJsonObject{{QStringLiteral("code"), code},
                                                         {QStringLiteral("message"), message}}}});
}

[[nodiscard]] inline QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

} // namespace countersign::gateway
