// HTTPS agent client with certificate pinning.
#include "sim/AgentClient.h"

#include "core/json/Json.h"
#include "net/PinnedCertificate.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QUrlQuery>

namespace countersign::sim {

AgentClient::AgentClient(QUrl baseUrl, QByteArray pinnedSha256, QByteArray bearerToken, QObject *parent)
    : QObject(parent), m_baseUrl(std::move(baseUrl)), m_pin(std::move(pinnedSha256)), m_token(std::move(bearerToken))
{
    m_network.setAutoDeleteReplies(false);
}

void AgentClient::guard(QNetworkReply *reply)
{
    // Accept the self-signed gateway only when it is the pinned one; verify the pin again once
    // encrypted, in case a CA-trusted but different certificate raised no errors at all.
    connect(reply, &QNetworkReply::sslErrors, reply, [this, reply](const QList<QSslError> &errors) {
        if (matchesPin(reply->sslConfiguration().peerCertificate(), m_pin) && pinForgivesAll(errors))
            reply->ignoreSslErrors(errors);
    });
    connect(reply, &QNetworkReply::encrypted, reply, [this, reply] {
        if (!matchesPin(reply->sslConfiguration().peerCertificate(), m_pin))
            reply->abort();
    });
}

void AgentClient::submit(const QJsonObject &submission, Callback done)
{
    submitRaw(QJsonDocument(submission).toJson(QJsonDocument::Compact), "application/json", std::move(done));
}

void AgentClient::submitRaw(const QByteArray &body, const QByteArray &contentType, Callback done)
{
    QUrl url = m_baseUrl;
    url.setPath(QStringLiteral("/v1/actions"));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    QNetworkReply *reply = m_network.post(request, body);
    guard(reply);
    connect(reply, &QNetworkReply::finished, this, [this, reply, done = std::move(done)] { finish(reply, done); });
}

void AgentClient::exchangeToken(const QByteArray &subjectToken, const QString &audience, const QString &actorInstance,
                                Callback done)
{
    QUrl url = m_baseUrl;
    url.setPath(QStringLiteral("/v1/token"));
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:token-exchange"));
    form.addQueryItem(QStringLiteral("subject_token"), QString::fromLatin1(subjectToken));
    form.addQueryItem(QStringLiteral("subject_token_type"), QStringLiteral("urn:ietf:params:oauth:token-type:jwt"));
    form.addQueryItem(QStringLiteral("audience"), audience);
    if (!actorInstance.isEmpty())
        form.addQueryItem(QStringLiteral("actor_instance"), actorInstance);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/x-www-form-urlencoded"));
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    QNetworkReply *reply = m_network.post(request, form.toString(QUrl::FullyEncoded).toUtf8());
    guard(reply);
    connect(reply, &QNetworkReply::finished, this, [this, reply, done = std::move(done)] { finish(reply, done); });
}

void AgentClient::outcome(const QString &actionId, int waitSeconds, Callback done)
{
    QUrl url = m_baseUrl;
    url.setPath(QStringLiteral("/v1/actions/") + actionId);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("wait"), QString::number(waitSeconds));
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setTransferTimeout((waitSeconds + 15) * 1000);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    QNetworkReply *reply = m_network.get(request);
    guard(reply);
    connect(reply, &QNetworkReply::finished, this, [this, reply, done = std::move(done)] { finish(reply, done); });
}

void AgentClient::finish(QNetworkReply *reply, const Callback &done)
{
    HttpAnswer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    if (answer.status == 0)
        answer.transportError = reply->errorString();
    // The gateway is pinned but its answers are still parsed under the same strict limits.
    if (auto parsed = json::parse(body); parsed.ok() && parsed.value().isObject())
        answer.body = parsed.value().toObject();
    reply->deleteLater();
    done(answer);
}

} // namespace countersign::sim
