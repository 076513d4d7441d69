// The simulated workload: agents, the actions they attempt (covering the control set's
// examples of high-impact calls), and the demo policy that governs them.
#pragma once

#include "core/crypto/Ed25519.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

namespace countersign::sim {

struct SimAgent
{
    QString id;
    QStringList tools; // declared "tool.operation" allowlist
};

struct Submission
{
    QString kind;    // e.g. "payment-large", for the report
    QString agentId; // who submits it (its token authenticates it)
    QJsonObject body;
};

// The agents of the demo deployment and their declared tools.
[[nodiscard]] QList<SimAgent> demoAgents();

// The bearer token of an agent, derived from the simulator's secret so that the policy file
// holds only its hash and no token is ever written to disk.
[[nodiscard]] QByteArray agentToken(const QByteArray &secret, const QString &agentId);

// The applications enrolled in the demo policy, each with a key that signs its users'
// assertions. "ops-console" is deliberately not among them: its agents' users stay claimed.
[[nodiscard]] QStringList demoApplications();

// The Judges enrolled in the demo policy, each with a key that signs its verdicts.
[[nodiscard]] QStringList demoJudges();

// An application's or a Judge's Ed25519 key, derived from the simulator's secret like the
// agents' tokens: the policy file holds only the public half and no private key is ever
// written to disk.
[[nodiscard]] crypto::Ed25519PrivateKey signerKey(const QByteArray &secret, const QString &id);

// One rule and one condition of a policy file, in the format of docs/protocol.md section 6.
[[nodiscard]] QJsonObject policyRule(const QString &id, const QString &tool, const QString &operation,
                                     const QJsonArray &when, int tier, const QStringList &categories,
                                     bool irreversible, int deadlineSeconds, int approvals, const QString &reason);
[[nodiscard]] QJsonObject policyCondition(const QString &param, const QString &op, const QJsonValue &value);

// The demo policy: agents with their token hashes, applications with their public keys, reviewers with their public keys (JWK),
// administrators with their token hashes, and the routing rules.
[[nodiscard]] QJsonObject demoPolicy(const QByteArray &secret, const QList<QPair<QString, QJsonObject>> &reviewerKeys,
                                     const QList<QPair<QString, QByteArray>> &adminTokenHashes = {});

class ScenarioGenerator final
{
public:
    explicit ScenarioGenerator(quint32 seed);

    // The next realistic submission. Kinds rotate through every case of the control set with
    // some routine calls that policy lets through without a human.
    [[nodiscard]] Submission next();

    [[nodiscard]] static QStringList kinds();

private:
    QJsonObject context(const QString &user, const QString &userName, const QString &app,
                        const QJsonArray &parents = {});
    QJsonObject passVerdict(const QString &category);
    QString pick(const QStringList &items);
    int between(int low, int high);

    QRandomGenerator m_random;
    quint64 m_counter = 0;
};

} // namespace countersign::sim
