// Signed tree heads in the C2SP formats: a tlog-checkpoint (origin line, tree size, base64 root
// hash, optional extension lines) carried as a C2SP signed-note with Ed25519 signatures
// (signature type 0x01, key hash = first 4 bytes of SHA-256(name || "\n" || 0x01 || public key)).
#pragma once

#include "core/Result.h"
#include "core/crypto/Ed25519.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace countersign::audit {

inline constexpr qsizetype kMaxNoteBytes = 1 << 20;

struct Checkpoint
{
    QString origin;        // e.g. "countersign.example/gw-3a9e61c0d2f4"
    qint64 size = 0;
    QByteArray rootHash;   // 32 bytes
    QStringList extensions; // further lines, in order

    friend bool operator==(const Checkpoint &, const Checkpoint &) = default;
};

// A named Ed25519 verifier key of signed-note: "name+hash+base64(0x01 || 32-byte key)".
struct NoteVerifier
{
    QString name;
    quint32 keyHash = 0;
    crypto::Ed25519PublicKey key;
};
[[nodiscard]] quint32 noteKeyHash(const QString &name, const crypto::Ed25519PublicKey &key);
// The vkey text; and its parser (error "note.invalid_key").
[[nodiscard]] QString verifierKeyText(const QString &name, const crypto::Ed25519PublicKey &key);
[[nodiscard]] Result<NoteVerifier> parseVerifierKey(QStringView text);

// The checkpoint's note text (body), ending with a newline.
[[nodiscard]] QByteArray checkpointText(const Checkpoint &checkpoint);
// Strict parse of a note body as a checkpoint. Error "checkpoint.malformed" with the line.
[[nodiscard]] Result<Checkpoint> parseCheckpoint(QByteArrayView text);

// The body, a blank line, and one signature line by key under name.
[[nodiscard]] QByteArray signNote(QByteArrayView text, const QString &name, const crypto::Ed25519PrivateKey &key);

struct VerifiedNote
{
    QByteArray text;              // the body
    QStringList verifiedBy;       // names of the verifiers whose signature held
};
// Splits and verifies a signed note against the known verifiers: at least one signature must
// verify; signatures by unknown keys are ignored, one by a known key that does not verify is an
// error. Error codes "note.malformed" (with the byte offset), "note.unverified" (no known key
// signed it), "note.bad_signature", "note.too_large" (over kMaxNoteBytes).
[[nodiscard]] Result<VerifiedNote> verifyNote(QByteArrayView note, const QList<NoteVerifier> &verifiers);

} // namespace countersign::audit
