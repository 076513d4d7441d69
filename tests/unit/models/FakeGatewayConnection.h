// The models' test seam: the GUI tests' scripted connection (tests/gui/ScriptedGatewayConnection),
// connected from the start, with the few frames the model tests script named for them.
#pragma once

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/crypto/Digest.h"
#include "models/PendingQueueModel.h"
#include "tests/gui/ScriptedGatewayConnection.h"

#include <memory>

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace countersign::testing {

class FakeGatewayConnection final : public ScriptedGatewayConnection {
public:
    FakeGatewayConnection() { setState(State::Connected); }

    // A payment by payments-agent for alice@example.com, created at created, windowSeconds to
    // decide, numbered as the next event; not sent.
    protocol::ActionPending frame(
        const QString &id, const QDateTime &created, int windowSeconds, int tier = 2, int approvalsRequired = 1)
    {
        protocol::ActionPending frame;
        frame.seq = nextSeq();
        Action &action = frame.action;
        action.id = id;
        action.createdAt = created;
        action.deadline = created.addSecs(windowSeconds);
        action.gatewayId = QStringLiteral("gw-test");
        action.policyVersion = QStringLiteral("test-1");
        action.tool = QStringLiteral("payments");
        action.operation = QStringLiteral("transfer");
        action.parameters = QJsonObject {{QStringLiteral("amount"), 98765.43}};
        action.impact.tier = tier;
        action.impact.rule = QStringLiteral("rule-1");
        action.identity.user = {QStringLiteral("alice@example.com"), QStringLiteral("Alice")};
        action.identity.application = {QStringLiteral("finance-portal"), {}};
        action.identity.agents = {{QStringLiteral("payments-agent"), {}}};
        action.identity.sessionId = QStringLiteral("s-1");
        action.approvalsRequired = approvalsRequired;
        frame.digest = crypto::sha256Hex(id.toUtf8());
        return frame;
    }

    void send(const protocol::ActionPending &frame) { Q_EMIT actionPending(frame); }
    void resolve(const QString &id)
    {
        emitResolved(id, protocol::Outcome::Approved, QStringLiteral("rita@example.com"), QDateTime());
    }
    void update(const QString &id, int approvals, const QStringList &by) { emitUpdated(id, approvals, by); }
    void escalate(const QString &id, const QString &group, const QDateTime &at) { emitEscalated(id, group, at); }
    void resync() { emitResyncStarted(); }
    void subscribedNow() { emitSubscribed(true); }
};

// What the model tests build afresh for each test function: a hand-moved clock, server time in
// step with it, the fake connection and the pending queue over them. A test class derives from
// it privately, calls makeQueue() in init() and closeQueue() in cleanup().
class QueueModelFixture
{
protected:
    void makeQueue()
    {
        m_clock = std::make_unique<ManualClock>();
        m_time = std::make_unique<ServerTime>(*m_clock);
        m_now = m_clock->nowUtc();
        m_time->sync(m_now);
        m_connection = std::make_unique<FakeGatewayConnection>();
        m_model = std::make_unique<PendingQueueModel>(m_connection.get(), *m_time);
    }

    // For cleanup, after whatever the test built on the queue is gone.
    void closeQueue()
    {
        m_model.reset();
        m_connection.reset();
        m_time.reset();
        m_clock.reset();
    }

    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<ServerTime> m_time;
    std::unique_ptr<FakeGatewayConnection> m_connection;
    std::unique_ptr<PendingQueueModel> m_model;
    QDateTime m_now;
};

} // namespace countersign::testing
