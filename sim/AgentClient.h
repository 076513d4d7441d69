// An agent's HTTPS client for the gateway's agent API: submit an action, long-poll its outcome,
// exchange an identity token for a delegation to a sub-agent.
// The gateway's self-signed certificate is accepted only when it matches the pinned fingerprint.
#pragma once

#include "core/Result.h"

#include <functional>

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>

namespace countersign::sim {

struct HttpAnswer
{
    int status = 0;       // HTTP status; 0 when no answer came (network or TLS failure)
    QJsonObject body;     // the JSON body, empty when there was none or it was not JSON
    QString transportError;
};

class AgentClient final : public QObject
{
    Q_OBJECT

public:
    AgentClient(QUrl baseUrl, QByteArray pinnedSha256, QByteArray bearerToken, QObject *parent = nullptr);
    Q_DISABLE_COPY_MOVE(AgentClient)

    using Callback = std::function<void(const HttpAnswer &)>;

    // POST /v1/actions with the submission body.
    void submit(const QJsonObject &submission, Callback done);
    // POST /v1/actions with a raw body (for tests of malformed input).
    void submitRaw(const QByteArray &body, const QByteArray &contentType, Callback done);
    // POST /v1/token: RFC 8693 token exchange of subjectToken for a delegation to audience.
    void exchangeToken(const QByteArray &subjectToken, const QString &audience, const QString &actorInstance,
                       Callback done);
    // GET /v1/actions/{id}?wait=seconds
    void outcome(const QString &actionId, int waitSeconds, Callback done);

private:
    void finish(class QNetworkReply *reply, const Callback &done);
    void guard(QNetworkReply *reply);

    QUrl m_baseUrl;
    QByteArray m_pin;
    QByteArray m_token;
    QNetworkAccessManager m_network;
};

} // namespace countersign::sim
