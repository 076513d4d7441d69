// A log's leaves in memory with checkpoints signed by a given key: real RFC 6962 trees, real
// consistency proofs and real C2SP signed notes, for tests of witnesses without a gateway.
#pragma once

#include "core/audit/Checkpoint.h"
#include "core/audit/Merkle.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace countersign::testsupport {

struct MemoryTreeLog
{
    QString origin;
    QList<QByteArray> leaves;

    void appendMany(int count, const QByteArray &prefix)
    {
        for (int i = 0; i < count; ++i)
            leaves.append(audit::leafHash(QByteArray(prefix + QByteArray::number(i))));
    }
    [[nodiscard]] audit::LeafSource source() const
    {
        return [this](qint64 index) -> Result<QByteArray> { return leaves.at(index); };
    }
    [[nodiscard]] QByteArray root(qint64 size) const { return audit::rootOf(size, source()).value(); }
    [[nodiscard]] QByteArray note(qint64 size, const crypto::Ed25519PrivateKey &key) const
    {
        return audit::signNote(audit::checkpointText(audit::Checkpoint{origin, size, root(size), {}}), origin, key);
    }
    [[nodiscard]] QList<QByteArray> proof(qint64 first, qint64 second) const
    {
        return audit::consistencyProof(first, second, source()).value();
    }
};

} // namespace countersign::testsupport
