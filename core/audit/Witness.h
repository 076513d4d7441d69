// A witness of a log's signed tree heads: it holds the last checkpoint it accepted and accepts a
// newer one only with a consistency proof that the newer tree extends it (RFC 9162 2.1.4). A log
// whose history was rewritten, truncated or forked cannot produce such a proof, so a witness
// that keeps its last checkpoint catches it the next time it is shown a checkpoint.
#pragma once

#include "core/Result.h"
#include "core/audit/Checkpoint.h"
#include "core/crypto/Ed25519.h"

#include <optional>

#include <QByteArray>
#include <QList>
#include <QString>

namespace countersign::audit {

// A checkpoint whose note was verified, with the note kept verbatim as evidence.
struct WitnessedCheckpoint
{
    Checkpoint checkpoint;
    QByteArray note;
};

// Verifies note as a checkpoint signed by key under the name origin, for the log origin.
// Errors: the verifyNote() codes ("note.malformed", "note.unverified", "note.bad_signature",
// "note.too_large"), "checkpoint.malformed", and "checkpoint.wrong_origin" for a checkpoint of
// another log.
[[nodiscard]] Result<WitnessedCheckpoint> readSignedCheckpoint(QByteArrayView note, const QString &origin,
                                                               const crypto::Ed25519PublicKey &key);

enum class WitnessStep {
    Accept,        // the new checkpoint extends the last one (or is the first): keep it
    Same,          // the same tree head again: nothing new
    NeedProof,     // a larger tree: ask for the consistency proof from last to next
    Inconsistent,  // the log's history no longer extends the last checkpoint
};

struct WitnessVerdict
{
    WitnessStep step = WitnessStep::Inconsistent;
    QString reason; // for Inconsistent: what does not hold, naming both tree heads
};

// What to do with next given the last accepted checkpoint (none: the first one is accepted on
// trust) and, for a larger tree, the consistency proof the log gave (nullopt: not asked yet).
// A smaller tree, the same size with another root, or a proof that does not verify is
// Inconsistent; so is a checkpoint of another origin.
[[nodiscard]] WitnessVerdict witness(const std::optional<WitnessedCheckpoint> &last, const WitnessedCheckpoint &next,
                                     const std::optional<QList<QByteArray>> &proof);

// "size 1234, root ab12cd34…" for messages.
[[nodiscard]] QString describeTreeHead(const Checkpoint &checkpoint);

} // namespace countersign::audit
