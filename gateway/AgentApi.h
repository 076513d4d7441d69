// The agent-facing REST routes: POST /v1/actions submits a tool call, GET /v1/actions/{id}
// reads (and long-polls) its outcome, POST /v1/token exchanges an identity token for a
// delegation to a sub-agent (RFC 8693). Every agent authenticates with its bearer token.
#pragma once

#include "gateway/HttpRequest.h"
#include "gateway/HttpResponder.h"

#include <QHash>
#include <QObject>

class QTimer;

namespace countersign {
struct PolicyAgent;
}

namespace countersign::gateway {

class Gateway;
struct StoredAction;

class AgentApi final : public QObject
{
    Q_OBJECT

public:
    AgentApi(Gateway &gateway, QObject *parent);
    ~AgentApi() override;
    Q_DISABLE_COPY_MOVE(AgentApi)

    void handle(const HttpRequest &request, const HttpResponder &responder);

    static constexpr int kMaxWaitSeconds = 60;
    // Long-polls held at once; more are answered at once with the current status.
    static constexpr int kMaxWaiters = 1024;

private:
    struct Waiter
    {
        QString actionId;
        HttpResponder responder;
        QTimer *timer = nullptr;
        QMetaObject::Connection clientGone;
    };

    [[nodiscard]] const PolicyAgent *authenticate(const HttpRequest &request, const HttpResponder &responder);
    void submit(const HttpRequest &request, const HttpResponder &responder);
    void status(const HttpRequest &request, const QString &actionId, const HttpResponder &responder);
    void exchangeToken(const HttpRequest &request, const HttpResponder &responder);
    void answerWaiters(const QString &actionId);
    void finishWaiter(quint64 key);
    void sendStatus(const StoredAction &action, const HttpResponder &responder);

    Gateway &m_gateway;
    QHash<quint64, Waiter> m_waiters;
    quint64 m_nextWaiter = 1;
};

} // namespace countersign::gateway
