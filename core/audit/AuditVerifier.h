// Verification of an audit log file from first principles, trusting nothing the file says about
// itself: the hash chain entry by entry, every leaf hash recomputed from the entry's content, the
// Merkle tree rebuilt, every stored checkpoint's signature and root, every accepted decision's
// JWS against the enrolled reviewer keys, and the file's own integrity (a row deleted, rows
// swapped, bytes flipped, the file truncated, the append-only triggers dropped).
#pragma once

#include "core/Result.h"
#include "core/crypto/Ed25519.h"

#include <functional>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace countersign::audit {

class AuditLog;

inline constexpr qsizetype kMaxReviewersJsonBytes = qsizetype{4} << 20;

struct EnrolledReviewer
{
    QString id;
    QString keyId;                // RFC 7638 thumbprint, base64url
    crypto::Ed25519PublicKey key;
};

// Reads the reviewer list as `countersign-gateway admin reviewers list` prints it
// ({"reviewers":[{"id","role","key":<JWK>,"keyId",...}]}), or a bare array of the same objects.
// Revoked reviewers are kept: their decisions from before the revocation still verify.
// Error "audit.invalid_reviewers" naming the entry and field; "json.*" for text that is not JSON.
[[nodiscard]] Result<QList<EnrolledReviewer>> parseReviewerKeys(QByteArrayView json);

// What the signature of a decision entry says, checked against the enrolled reviewer keys.
struct DecisionSignature
{
    enum class Status {
        Verified,       // a valid signature by the key enrolled for the reviewer it names
        Invalid,        // malformed, does not verify, or names another reviewer than its key's
        KeyNotEnrolled, // signed by a key none of the given reviewers has
        DigestMismatch, // verified, but for another action or another digest than the one given
        NoToken,        // the entry has no decision token
    };
    Status status = Status::NoToken;
    QString reviewer;   // the enrolled reviewer whose key verified it (Verified, DigestMismatch)
    QString keyId;      // the token's key id (attacker-chosen unless Verified)
    QString detail;     // what was wrong, for a person ("does not verify under rita's key: ...")
    QString reason;     // the decision's reason claim, once verified
};

// Checks a decision entry's payload ("token": the compact JWS) against reviewers, looked up by the
// token's key id. With actionId and actionDigest (64 lowercase hex, the SHA-256 of the action as
// shown), a decision that verifies but names another action or digest is DigestMismatch.
[[nodiscard]] DecisionSignature checkDecisionSignature(const QJsonObject &payload,
                                                       const QHash<QString, EnrolledReviewer> &reviewersByKeyId,
                                                       const QString &actionId = {}, const QByteArray &actionDigest = {});
[[nodiscard]] QHash<QString, EnrolledReviewer> reviewersByKeyId(const QList<EnrolledReviewer> &reviewers);

// The reviewer keys a log enrols itself: the reviewers of the policy file the gateway started
// with (the "bootstrap" control.change lists them) and every key in the before and after of its
// control.change entries for reviewers (reviewers.add, reviewers.revoke), revoked ones included.
[[nodiscard]] Result<QList<EnrolledReviewer>> reviewerKeysFromLog(const AuditLog &log);

struct VerifyOptions
{
    // Checks each "decision.accepted" entry's token; without any, decisions are not checked
    // (and the report says so).
    std::optional<QList<EnrolledReviewer>> reviewers;
    // Whether reviewers is every key that may sign (the gateway's own list). When it may not be
    // (the console reads the keys a log enrols itself, which leaves out reviewers that came with
    // the policy file), a decision by a key not among them is counted as not checked instead of
    // failing; one that does not verify under a key that is there still fails.
    bool reviewersComplete = true;
    // Checks each checkpoint's signature; without it, only the roots are checked.
    std::optional<crypto::Ed25519PublicKey> gatewayKey;
    // Called every few thousand entries with (entries checked, entries in the log); returning
    // false cancels the verification.
    std::function<bool(qint64 done, qint64 total)> progress;
};

// A stored checkpoint as the verifier found it.
struct CheckpointResult
{
    enum class Signature { Verified, Invalid, NotChecked };
    qint64 size = 0;
    QByteArray root;        // 32 bytes, as the note states it
    bool rootMatches = false; // the root recomputed from the first size entries
    Signature signature = Signature::NotChecked;
};

struct VerifyReport
{
    bool ok = false;
    bool cancelled = false;
    qint64 entriesChecked = 0;
    qint64 firstBadSeq = 0;   // the first entry found bad; 0 if the failure is not one entry's
    QString code;             // e.g. "audit.hash_mismatch"; empty when ok
    QString reason;           // what was wrong, for a person
    QByteArray root;          // recomputed RFC 6962 root of the entries checked
    int checkpointsChecked = 0;
    // Each checkpoint reached, in order of size; the last one is the failure if a checkpoint failed.
    QList<CheckpointResult> checkpoints;
    qint64 decisionsChecked = 0;
    qint64 decisionsByUnknownKeys = 0; // with reviewersComplete = false: signed by keys not given
    QStringList notChecked;   // what could not be checked for lack of keys
};

// Failure codes in the report: audit.seq_gap, audit.hash_mismatch, audit.chain_broken,
// audit.entry_invalid, audit.unreadable (the file is damaged or truncated at an entry),
// audit.tail_missing, audit.checkpoint_invalid, audit.checkpoint_signature,
// audit.checkpoint_root, audit.decision_invalid, audit.schema_tampered, audit.corrupt,
// audit.truncated (shorter than its SQLite header records: the entries in the whole pages that
// are left are read from a corrected copy, so the first lost entry is still named).
// The function itself fails only when the file cannot be read as an audit log at all
// (audit.unavailable, audit.foreign_file, audit.unsupported_version, audit.corrupt).
[[nodiscard]] Result<VerifyReport> verifyLog(const QString &path, const VerifyOptions &options);

} // namespace countersign::audit
