// The console's own append-only audit log: every action it was shown (as the gateway signed it),
// every decision it signed, what the gateway answered, and the gateway checkpoints it witnessed
// (see AuditWitness). It is an audit::AuditLog file like the gateway's, so countersign-audit and
// the audit browser read it, and it is evidence the console holds independently of the gateway.
#pragma once

#include "core/Result.h"
#include "core/audit/AuditIndexer.h"
#include "core/audit/AuditLog.h"
#include "core/protocol/Protocol.h"

#include <memory>
#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QString>
#include <QTimer>

namespace countersign {

class GatewayConnection;

class ConsoleJournal final : public QObject
{
    Q_OBJECT

public:
    // Opens or creates the journal at path (its directory is created, owner-only). Errors are
    // audit::AuditLog::open()'s.
    [[nodiscard]] static Result<std::unique_ptr<ConsoleJournal>> open(const QString &path);
    ~ConsoleJournal() override;
    Q_DISABLE_COPY_MOVE(ConsoleJournal)

    // Records what the connection shows and answers: each verified action.pending
    // ("action.shown") and each decision result ("decision.answered"), in batches a few times a
    // second so a burst of actions costs one durable write. The actor is the signed-in reviewer.
    void attach(GatewayConnection &connection);

    // Durably appends one entry now (after anything still batched), actor = the reviewer.
    [[nodiscard]] Status record(const QString &kind, const QString &subject, const QJsonObject &payload);
    // Writes what is batched; called by the batch timer and before anything durable.
    [[nodiscard]] Status flush();

    [[nodiscard]] Result<std::optional<audit::AuditEntry>> latest(const QString &kind, const QString &subject) const;
    // Every entry of these kinds written at or after since, oldest first (after a flush).
    [[nodiscard]] Result<QList<audit::AuditEntry>> entriesSince(const QStringList &kinds, const QDateTime &since);
    [[nodiscard]] const QString &path() const;
    [[nodiscard]] qint64 size() const;

    static constexpr int kBatchMs = 100;
    static constexpr int kIndexDelayMs = 1000;

Q_SIGNALS:
    // An entry could not be written: the console's record is incomplete from here.
    void writeFailed(const countersign::Error &error);

private:
    explicit ConsoleJournal(std::unique_ptr<audit::AuditLog> log);
    void queue(const QString &kind, const QString &subject, const QJsonObject &payload);
    void recordShown(const protocol::ActionPending &frame);

    std::unique_ptr<audit::AuditLog> m_log;
    audit::AuditIndexer m_indexer; // the browse index, a second behind the journal
    QList<audit::NewEntry> m_batch;
    QTimer m_batchTimer;
    QString m_actor = QStringLiteral("console"); // the reviewer once signed in
    QString m_gatewayId;
};

} // namespace countersign
