// Signed decisions on their way to the gateway, durable in the console's journal. A decision is
// written ("decision.signed", with its deadline) before it is sent and settled by the gateway's
// answer ("decision.answered"). One that is still unsettled when a session comes back (after a
// cut connection, or when the console starts again after a crash) is sent once more on that
// session ("decision.resent" is written first), unless its deadline has passed
// ("decision.abandoned"). Once per session, not once ever: a resend lost to a crash or a cut
// before it left the machine goes out again on the next session, so a signed decision is never
// silently dropped. The gateway acknowledges an identical resend without effect, so a decision it
// already had is not counted twice.
#pragma once

#include "core/Result.h"
#include "core/protocol/Protocol.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QString>

namespace countersign {

class ConsoleJournal;
class GatewayConnection;
class ServerTime;

class DecisionOutbox final : public QObject
{
    Q_OBJECT

public:
    // Reads the journal's unsettled decisions of the last kLookBackHours.
    DecisionOutbox(GatewayConnection &connection, ConsoleJournal &journal, const ServerTime &serverTime,
                   QObject *parent = nullptr);

    // Records the decision, then sends it. Errors: "connection.offline" (nothing recorded,
    // nothing sent), "journal.unavailable" (nothing sent). A decision recorded but not written to
    // the socket ("connection.send_failed") stays in the outbox and goes out on reconnect.
    [[nodiscard]] Status send(const protocol::Decision &decision, const QDateTime &deadline);

    struct Entry
    {
        protocol::Decision decision;
        QDateTime deadline;
    };
    // Decisions signed and not yet answered, by request id.
    [[nodiscard]] const QHash<QString, Entry> &unsettled() const { return m_unsettled; }

    static constexpr int kLookBackHours = 48;

Q_SIGNALS:
    // A decision from an earlier connection or run was sent again.
    void resent(const QString &requestId, const QString &actionId);
    // A decision from an earlier connection or run was not sent: its deadline had passed.
    void abandoned(const QString &requestId, const QString &actionId);

private:
    void load();
    void onSubscribed();
    void onResult(const protocol::DecisionResult &result);

    GatewayConnection &m_connection;
    ConsoleJournal &m_journal;
    const ServerTime &m_serverTime;
    QHash<QString, Entry> m_unsettled;
};

} // namespace countersign
