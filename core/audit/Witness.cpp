// Witnessing signed tree heads: signature and origin first, then size, root and consistency.
#include "core/audit/Witness.h"

#include "core/audit/Merkle.h"

namespace countersign::audit {

Result<WitnessedCheckpoint> readSignedCheckpoint(QByteArrayView note, const QString &origin,
                                                 const crypto::Ed25519PublicKey &key)
{
    Result<VerifiedNote> verified = verifyNote(note, {NoteVerifier(origin, key)});
    if (!verified)
        return verified.error();
    Result<Checkpoint> checkpoint = parseCheckpoint(verified.value().text);
    if (!checkpoint)
        return checkpoint.error();
    if (checkpoint.value().origin != origin) {
        return makeError(QStringLiteral("checkpoint.wrong_origin"),
                         QStringLiteral("the checkpoint is for the log \"%1\", not \"%2\"")
                             .arg(checkpoint.value().origin.left(200), origin));
    }
    return WitnessedCheckpoint{std::move(checkpoint).value(), note.toByteArray()};
}

QString describeTreeHead(const Checkpoint &checkpoint)
{
    return QStringLiteral("size %1, root %2").arg(checkpoint.size).arg(QString::fromLatin1(checkpoint.rootHash.toHex()));
}

WitnessVerdict witness(const std::optional<WitnessedCheckpoint> &last, const WitnessedCheckpoint &next,
                       const std::optional<QList<QByteArray>> &proof)
{
    if (!last)
        return {WitnessStep::Accept, {}};
    const Checkpoint &held = last->checkpoint;
    const Checkpoint &shown = next.checkpoint;
    const auto inconsistent = [&](const QString &what) {
        return WitnessVerdict{WitnessStep::Inconsistent,
                              QStringLiteral("%1. Witnessed before: %2; now: %3")
                                  .arg(what, describeTreeHead(held), describeTreeHead(shown))};
    };
    if (shown.origin != held.origin)
        return inconsistent(QStringLiteral("The checkpoint is for another log (%1)").arg(shown.origin.left(200)));
    if (shown.size < held.size)
        return inconsistent(QStringLiteral("The log shrank"));
    if (shown.size == held.size) {
        if (shown.rootHash == held.rootHash)
            return {WitnessStep::Same, {}};
        return inconsistent(QStringLiteral("The log was rewritten: the same size with another root"));
    }
    if (!proof)
        return {WitnessStep::NeedProof, {}};
    if (held.size == 0) // an empty tree is a prefix of every tree
        return {WitnessStep::Accept, {}};
    if (Status consistent = verifyConsistency(held.size, shown.size, held.rootHash, shown.rootHash, *proof); !consistent)
        return inconsistent(QStringLiteral("The log's history was rewritten (%1)").arg(consistent.error().message));
    return {WitnessStep::Accept, {}};
}

} // namespace countersign::audit
