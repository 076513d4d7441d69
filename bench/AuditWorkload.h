// A simulated gateway's audit trail, for the audit benchmarks: the entries a gateway would append,
// in the order and with the payloads it would append them (gateway/Gateway.cpp, ControlApi.cpp,
// ConsoleSession.cpp, AgentApi.cpp), over a simulated clock. Submissions come from the
// simulator's scenarios (sim/Scenario.h) and are read, judged by the policy, redacted and
// published exactly as Gateway::submit does; decisions are real EdDSA JWS signed by enrolled
// reviewer keys; reviewers are enrolled by control.change entries. Deterministic given the seed:
// the keys are derived from it, and so is every id, nonce and time.
#pragma once

#include "core/audit/AuditLog.h"
#include "core/crypto/Ed25519.h"

#include <memory>

#include <QByteArray>
#include <QDateTime>
#include <QMap>
#include <QString>

namespace countersign::bench {

struct WorkloadOptions
{
    quint32 seed = 1;
    QDateTime start = QDateTime(QDate(2026, 1, 5), QTime(7, 0), Qt::UTC);
    // Mean time between two agent submissions (exponentially distributed). With the decisions,
    // sessions and refusals around them a submission brings about 2.3 entries, so the default
    // puts 1,000,000 entries in about a month.
    double meanSubmissionGapMs = 6000;
};

struct TimedEntry
{
    QDateTime at; // when the simulated gateway appends it
    audit::NewEntry entry;
};

class AuditWorkload final
{
public:
    explicit AuditWorkload(const WorkloadOptions &options);
    ~AuditWorkload();
    Q_DISABLE_COPY_MOVE(AuditWorkload)

    // The next entry, in append order (times never go back).
    [[nodiscard]] TimedEntry next();

    // The gateway's action-signing key, which signs checkpoints; its origin "countersign/<id>".
    [[nodiscard]] const crypto::Ed25519PrivateKey &gatewayKey() const;
    [[nodiscard]] QString gatewayId() const;
    [[nodiscard]] QString origin() const;
    // The reviewers enrolled so far (revoked ones included), as `countersign-gateway admin
    // reviewers list` prints them: what `countersign-audit verify --reviewers` reads.
    [[nodiscard]] QByteArray reviewersJson() const;

    [[nodiscard]] qint64 signaturesMade() const;     // decision JWS signed
    [[nodiscard]] QMap<QString, qint64> kindCounts() const; // entries handed out, by kind

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace countersign::bench
