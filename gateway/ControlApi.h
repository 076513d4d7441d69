// The control plane's REST routes (IAM-02, IAM-03, IAM-08): administrators enrol and revoke
// reviewers and agents and replace the rules, on a listener of their own, authenticated with
// admin bearer tokens. Every change is recorded (who, what, before, after, when, why) before it
// takes effect.
//
//   GET  /v1/admin/reviewers                 POST /v1/admin/reviewers {id, role, key, why}
//   POST /v1/admin/reviewers/{id}/revoke {why}
//   GET  /v1/admin/agents                    POST /v1/admin/agents {id, tokenSha256, tools, why}
//   POST /v1/admin/agents/{id}/revoke {why}
//   GET  /v1/admin/policy                    PUT  /v1/admin/policy {version, rules, why}
//   GET  /v1/admin/changes?after=N&limit=M
#pragma once

#include "core/Result.h"
#include "core/policy/Policy.h"
#include "gateway/GatewayStore.h"
#include "gateway/HttpRequest.h"
#include "gateway/HttpResponder.h"

#include <optional>

#include <QJsonObject>
#include <QObject>

namespace countersign::gateway {

class Gateway;

class ControlApi final : public QObject
{
    Q_OBJECT

public:
    ControlApi(Gateway &gateway, QObject *parent);
    ~ControlApi() override;
    Q_DISABLE_COPY_MOVE(ControlApi)

    void handle(const HttpRequest &request, const HttpResponder &responder);

    // A whole policy document fits in a request body, with room for the reason.
    static constexpr qsizetype kMaxBodyBytes = (1 << 20) + 16 * 1024;
    static constexpr int kMaxWhyBytes = 1024;
    static constexpr int kDefaultChangesPage = 20;
    static constexpr int kMaxChangesPage = 100;

private:
    struct Admin
    {
        QString id; // copied: nothing here outlives a policy swap by pointing into the policy
    };

    [[nodiscard]] std::optional<Admin> authenticate(const HttpRequest &request, const HttpResponder &responder);
    [[nodiscard]] std::optional<QJsonObject> readBody(const HttpRequest &request, const HttpResponder &responder);
    void listReviewers(const HttpResponder &responder);
    void addReviewer(const Admin &admin, const HttpRequest &request, const HttpResponder &responder);
    void revokeReviewer(const Admin &admin, const QString &id, const HttpRequest &request, const HttpResponder &responder);
    void listAgents(const HttpResponder &responder);
    void addAgent(const Admin &admin, const HttpRequest &request, const HttpResponder &responder);
    void revokeAgent(const Admin &admin, const QString &id, const HttpRequest &request, const HttpResponder &responder);
    void showPolicy(const HttpResponder &responder);
    void setPolicy(const Admin &admin, const HttpRequest &request, const HttpResponder &responder);
    void listChanges(const HttpRequest &request, const HttpResponder &responder);
    // Records and applies next; answers with status and body (plus the change's seq and time),
    // or with the error.
    void apply(const Admin &admin, Result<Policy> next, PolicyChange change, int status, QJsonObject body,
               const HttpResponder &responder);

    Gateway &m_gateway;
};

} // namespace countersign::gateway
