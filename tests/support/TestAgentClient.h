// An agent for tests: HTTPS requests to the gateway's agent API through QNetworkAccessManager,
// accepting the gateway's self-signed certificate only if it matches the pinned fingerprint, and
// a raw TLS client for the byte-level cases (missing Content-Length, slow requests).
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QObject>
#include <QUrl>

namespace countersign::testsupport {

struct HttpResult
{
    int status = 0; // 0: no HTTP response
    QByteArray body;
    QJsonObject json;
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    bool pinMismatch = false;

    // error.code of an error body, if any.
    [[nodiscard]] QString errorCode() const;
    [[nodiscard]] QString describe() const; // for failure messages
};

class TestAgentClient final : public QObject
{
    Q_OBJECT

public:
    TestAgentClient(QUrl baseUrl, QByteArray pinnedFingerprint, QObject *parent = nullptr);
    Q_DISABLE_COPY_MOVE(TestAgentClient)

    // token empty: no Authorization header. Blocks (running the event loop) until the reply.
    [[nodiscard]] HttpResult post(const QString &path, const QByteArray &body, const QByteArray &token,
                                  const QByteArray &contentType = "application/json", int timeoutMs = 20'000);
    [[nodiscard]] HttpResult get(const QString &path, const QByteArray &token, int timeoutMs = 80'000);
    [[nodiscard]] HttpResult send(const QByteArray &method, const QString &path, const QByteArray &token,
                                  int timeoutMs = 20'000);

    // The same requests without waiting; collect with wait().
    [[nodiscard]] QNetworkReply *postAsync(const QString &path, const QByteArray &body, const QByteArray &token,
                                           const QByteArray &contentType = "application/json");
    [[nodiscard]] QNetworkReply *getAsync(const QString &path, const QByteArray &token);
    [[nodiscard]] static HttpResult wait(QNetworkReply *reply, int timeoutMs);

    // Writes bytes on a fresh TLS (or plain) connection and returns everything the server sent
    // until it closed the connection or timeoutMs passed.
    [[nodiscard]] QByteArray rawExchange(const QByteArray &bytes, int timeoutMs = 15'000);

private:
    [[nodiscard]] QNetworkRequest request(const QString &path, const QByteArray &token) const;

    QUrl m_baseUrl;
    QByteArray m_pin;
    QNetworkAccessManager m_manager;
};

} // namespace countersign::testsupport
