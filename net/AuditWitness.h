// The console as a witness of the gateway's audit log. For every checkpoint the gateway sends,
// it checks the signature against the pinned gateway key, then asks for the consistency proof
// from the last checkpoint it witnessed and verifies it (audit::witness). A gateway whose history
// no longer extends what this console saw raises an alarm naming both checkpoints, and the
// evidence (both signed notes and the proof) is kept in the console's journal. The last
// witnessed checkpoint lives in the journal too, so the check survives restarts.
#pragma once

#include "core/Result.h"
#include "core/audit/Witness.h"
#include "core/crypto/Ed25519.h"
#include "core/protocol/Protocol.h"

#include <optional>

#include <QObject>
#include <QString>

namespace countersign {

class ConsoleJournal;
class GatewayConnection;

struct WitnessAlarm
{
    QString code;     // "audit.inconsistent", "audit.bad_checkpoint", "audit.unproven"
    QString title;    // one line for a person
    QString detail;   // both tree heads, what failed, where the evidence is
};

class AuditWitness final : public QObject
{
    Q_OBJECT

public:
    AuditWitness(GatewayConnection &connection, ConsoleJournal &journal, crypto::Ed25519PublicKey gatewayKey,
                 QObject *parent = nullptr);

    // The last checkpoint this console accepted for the connected gateway's log.
    [[nodiscard]] const std::optional<audit::WitnessedCheckpoint> &last() const { return m_last; }
    [[nodiscard]] const std::optional<WitnessAlarm> &alarm() const { return m_alarm; }

    // Journal entry kinds.
    static constexpr char kWitnessed[] = "checkpoint.witnessed";
    static constexpr char kInconsistent[] = "checkpoint.inconsistent";
    static constexpr char kRejected[] = "checkpoint.rejected";

Q_SIGNALS:
    // A checkpoint was verified and is now the last one held.
    void witnessed(qint64 size);
    // Raised once per problem; it stays raised (alarm()) until the console restarts.
    void alarmRaised(const countersign::WitnessAlarm &alarm);

private:
    void onHello(const protocol::Hello &hello);
    void onCheckpoint(const protocol::AuditCheckpoint &frame);
    void onProof(const protocol::ConsistencyProof &frame);
    void onProofRefused(const QString &requestId, const Error &error);
    void judge(const audit::WitnessedCheckpoint &next, const std::optional<QList<QByteArray>> &proof);
    void accept(const audit::WitnessedCheckpoint &next, const QList<QByteArray> &proof);
    void raise(const QString &code, const QString &title, const QString &detail, const QJsonObject &evidence);
    [[nodiscard]] QString origin() const;

    GatewayConnection &m_connection;
    ConsoleJournal &m_journal;
    crypto::Ed25519PublicKey m_gatewayKey;
    QString m_gatewayId;
    std::optional<audit::WitnessedCheckpoint> m_last;
    // The checkpoint waiting for its proof, and the request that asks for it.
    std::optional<audit::WitnessedCheckpoint> m_waiting;
    QString m_requestId;
    std::optional<WitnessAlarm> m_alarm;
};

} // namespace countersign

Q_DECLARE_METATYPE(countersign::WitnessAlarm)
