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
// More signature lines than this make a note malformed (the spec asks verifiers for a limit and
// at least 16; golang.org/x/mod/sumdb/note also stops at 100).
inline constexpr qsizetype kMaxNoteSignatures = 100;
// The longest verifier key text parseVerifierKey() reads, in UTF-16 code units.
inline constexpr qsizetype kMaxVerifierKeyLength = 4096;

struct Checkpoint
{
    QString origin;        // e.g. "countersign.example/gw-3a9e61c0d2f4"
    qint64 size = 0;
    QByteArray rootHash;   // 32 bytes
    QStringList extensions; // further lines, in order

    friend bool operator==(const Checkpoint &, const Checkpoint &) = default;
};

// A named Ed25519 verifier key of signed-note: "name+hash+base64(0x01 || 32-byte key)". The
// key hash is derived from the name and key (the constructor computes it); verifyNote() matches
// signature lines on the name and the hash it derives itself, so the two cannot disagree.
struct NoteVerifier
{
    explicit NoteVerifier(QString verifierName, crypto::Ed25519PublicKey verifierKey);

    QString name;
    quint32 keyHash = 0;
    crypto::Ed25519PublicKey key;
};
[[nodiscard]] quint32 noteKeyHash(const QString &name, const crypto::Ed25519PublicKey &key);
// The vkey text; and its parser (error "note.invalid_key"), which requires a valid key name, the
// hash as 8 lowercase hex digits matching the name and key, canonical base64 of signature type
// 0x01 and a valid Ed25519 key (Ed25519PublicKey::fromRaw), in at most kMaxVerifierKeyLength.
[[nodiscard]] QString verifierKeyText(const QString &name, const crypto::Ed25519PublicKey &key);
[[nodiscard]] Result<NoteVerifier> parseVerifierKey(QStringView text);

// The checkpoint's note text (body), ending with a newline. Written as given: parseCheckpoint()
// of the result gives the checkpoint back exactly when the checkpoint is valid (non-empty origin
// and extension lines without newlines or other control characters, size >= 0, 32-byte root).
[[nodiscard]] QByteArray checkpointText(const Checkpoint &checkpoint);
// Strict parse of a note body as a checkpoint (C2SP tlog-checkpoint v1.0.0): valid UTF-8 without
// control characters other than newline, ending with a newline, at most kMaxNoteBytes; a
// non-empty origin; the size in decimal without leading zeroes, at most 2^63 - 1; the root hash
// as canonical standard base64 of 32 bytes; extension lines non-empty. Error
// "checkpoint.malformed" naming the line.
[[nodiscard]] Result<Checkpoint> parseCheckpoint(QByteArrayView text);

// The body, a blank line, and one signature line by key under name. Empty (never a note that
// would not verify) if text is not a valid note text (valid UTF-8, no control characters other
// than newline, ending with a newline), name is not a valid key name (non-empty, no Unicode
// spaces, plus signs or control characters), the note would exceed kMaxNoteBytes, or signing
// fails.
[[nodiscard]] QByteArray signNote(QByteArrayView text, const QString &name, const crypto::Ed25519PrivateKey &key);

struct VerifiedNote
{
    QByteArray text;              // the body
    QStringList verifiedBy;       // names of the verifiers whose signature held
};
// Splits and verifies a signed note (C2SP signed-note v1.0.0) against the known verifiers: the
// text is everything up to the last blank line; every line after it must be a signature line
// "— name base64(key hash || signature)" ending with a newline, at most kMaxNoteSignatures of
// them, in canonical standard base64. At least one signature must verify; signatures by unknown
// keys (name and key hash not both matching a verifier) are ignored, one by a known key that
// does not verify is an error. Error codes "note.malformed" (with the byte offset),
// "note.unverified" (no known key signed it), "note.bad_signature", "note.too_large" (over
// kMaxNoteBytes).
[[nodiscard]] Result<VerifiedNote> verifyNote(QByteArrayView note, const QList<NoteVerifier> &verifiers);

} // namespace countersign::audit
