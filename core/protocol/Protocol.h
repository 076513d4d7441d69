// The console ⇄ gateway protocol v1 (docs/protocol.md is the normative description): frame
// types, their JSON form, and strict parsers for both directions.
#pragma once

#include "core/Result.h"
#include "core/action/Action.h"
#include "core/crypto/Ed25519.h"

#include <optional>
#include <variant>

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace countersign::protocol {

inline constexpr int kVersion = 1;
inline constexpr char kConsolePath[] = "/v1/console";

// Limits on frames, checked before parsing.
inline constexpr qsizetype kMaxServerFrameBytes = 1 << 20; // one action.pending with its action
// A decision frame carries a signed decision of up to decision::kMaxDecisionBytes (16 KiB).
inline constexpr qsizetype kMaxClientFrameBytes = 24 * 1024;
inline constexpr qsizetype kMaxReasonBytes = 2000;

enum class Outcome { Approved, Denied, Expired, Withdrawn };
[[nodiscard]] QString outcomeName(Outcome outcome); // "approved", "denied", "expired", "withdrawn"
[[nodiscard]] std::optional<Outcome> outcomeFromName(const QString &name);

enum class Verdict { Approve, Deny };
[[nodiscard]] QString verdictName(Verdict verdict); // "approve", "deny"

enum class Role { Reviewer, Analyst, Admin };
[[nodiscard]] QString roleName(Role role);
[[nodiscard]] std::optional<Role> roleFromName(const QString &name);

// ---- server → console ----------------------------------------------------------------------

// The first frame on every connection: what the console must sign to open a session. Nothing
// but "signin" and "ping" is accepted until it has.
struct Challenge
{
    QString gatewayId;
    QString nonce;          // base64url of 32 random bytes, fresh for this connection
    QDateTime serverTime;
    QString channelBinding; // "tls-server-end-point" (RFC 5929) or "none" on a plaintext listener
};

// Sent once the sign-in holds: the session is open.
struct Hello
{
    QString gatewayId;
    QDateTime serverTime;
    int protocolVersion = kVersion;
    QString reviewer;
    Role role = Role::Reviewer;
    qint64 head = 0; // highest event seq at the time of the frame
    // RFC 7638 thumbprint of the gateway's action-signing key. Informational only: the console
    // verifies against the key it was configured with, never against what the gateway says.
    QByteArray signingKey;
    QString sessionId;          // for logs and for an administrator revoking it
    QDateTime sessionExpiresAt; // absolute end of the session
    int sessionIdleSeconds = 0; // the session ends after this long without a frame from the console
};

// Event frames carry seq: strictly increasing on a connection, and gapless when replayed.
struct ActionPending
{
    qint64 seq = 0;
    Action action;
    QJsonObject actionJson; // exactly as received: the digest is computed over this
    QByteArray digest;      // lowercase hex SHA-256 of the RFC 8785 form of actionJson
    int approvals = 0;      // approvals so far
    // Compact JWS (EdDSA, "kid" = the gateway key's thumbprint) by the gateway over
    // actionSignaturePayload(): see verifyActionSignature(). Parsing only checks it is present.
    QByteArray signature;
};

struct ActionUpdated
{
    qint64 seq = 0;
    QString actionId;
    int approvals = 0;
    QStringList approvedBy;
};

struct ActionResolved
{
    qint64 seq = 0;
    QString actionId;
    Outcome outcome = Outcome::Denied;
    QString reason;
    QString decidedBy; // reviewer(s) or "gateway" for expiry
    QDateTime resolvedAt;
};

// An action still undecided at the point its rule escalates: the gateway has told the rule's
// escalation group (an event, so replay and snapshot carry it too).
struct ActionEscalated
{
    qint64 seq = 0;
    QString actionId;
    QString group;
    QDateTime at;
};

// Sent once after the snapshot or replay that answers a subscribe: from here on, live events.
struct Subscribed
{
    qint64 since = 0;
    qint64 head = 0;
    bool snapshot = false; // true: pending snapshot (since was 0), false: gapless replay
};

struct DecisionResult
{
    QString requestId;
    QString actionId;
    bool accepted = false;
    QString code;    // empty when accepted; e.g. "decision.digest_mismatch"
    QString message; // for a person
    QDateTime at;    // when the gateway recorded it
};

struct ErrorFrame
{
    QString code;
    QString message;
    QString requestId; // may be empty
};

struct Pong
{
    QString nonce;
    QDateTime serverTime;
};

// A signed tree head of the gateway's audit log: a C2SP tlog-checkpoint as a signed note by the
// gateway's action-signing key, origin and key name "countersign/<gatewayId>". Sent right after
// "subscribed" (the latest, signed afresh if the log grew) and whenever the gateway signs a new
// one. Consoles witness it: see ProveConsistency and docs/protocol.md.
inline constexpr qsizetype kMaxCheckpointNoteBytes = 8 * 1024;
// A consistency proof has at most 2 * 63 hashes (RFC 9162 2.1.4: about 2 log2(size)).
inline constexpr qsizetype kMaxProofHashes = 128;

struct AuditCheckpoint
{
    QByteArray note; // the signed note, verbatim
};

// The answer to ProveConsistency: RFC 9162 consistency proof between the two tree sizes.
struct ConsistencyProof
{
    QString requestId;
    qint64 first = 0;
    qint64 second = 0;
    QList<QByteArray> proof; // 32-byte hashes, in the order RFC 9162 2.1.4.2 verifies them
};

using ServerFrame = std::variant<Challenge, Hello, ActionPending, ActionUpdated, ActionResolved, Subscribed,
                                 DecisionResult, ErrorFrame, Pong, AuditCheckpoint, ConsistencyProof, ActionEscalated>;

[[nodiscard]] QByteArray serialize(const ServerFrame &frame);
// Error codes: "frame.too_large", the json.* codes, "frame.invalid" (with the field path),
// "frame.unknown_type", "frame.digest_mismatch", "action.invalid" for the embedded action, and
// "action.unsigned" for an action.pending without a "signature" (which is present but not
// verified here: that needs the pinned key, see verifyActionSignature()).
[[nodiscard]] Result<ServerFrame> parseServerFrame(QByteArrayView text);

// ---- action signatures ---------------------------------------------------------------------

// The statement the gateway signs for each published action, in RFC 8785 canonical form:
// {"actionDigest":"<hex>","actionId":"...","gatewayId":"..."}. The digest covers the whole
// action, so signing it signs the action.
[[nodiscard]] QByteArray actionSignaturePayload(const QString &actionId, const QByteArray &digest,
                                                const QString &gatewayId);
// The compact JWS for ActionPending::signature: header {"alg":"EdDSA","kid":<thumbprint of
// key>} over actionSignaturePayload(). Empty if signing fails.
[[nodiscard]] QByteArray signAction(const QString &actionId, const QByteArray &digest,
                                    const QString &gatewayId, const crypto::Ed25519PrivateKey &key);
// Checks frame.signature against the pinned gateway key. Error codes, each message naming the
// action id and what failed:
//   action.unsigned       no signature
//   action.wrong_key      the signature's "kid" is not the pinned key's thumbprint (the gateway
//                         was re-keyed, or someone else signed)
//   action.bad_signature  not a valid JWS, the signature does not verify under the pinned key,
//                         or the signed statement names another action, digest or gateway
[[nodiscard]] Status verifyActionSignature(const ActionPending &frame, const crypto::Ed25519PublicKey &key);

// ---- console → server ----------------------------------------------------------------------

struct Subscribe
{
    qint64 since = 0; // the last event seq the console holds; 0 for none
};

// Answers a challenge: a compact JWS by the reviewer's key over auth::SignInClaims.
struct SignIn
{
    QByteArray token;
};

struct Decision
{
    QString requestId;
    QString actionId; // routing only: must equal the actionId signed inside token
    QByteArray token; // the reviewer's signed decision (core/decision), a compact JWS
};

struct Ping
{
    QString nonce;
};

// Asks for the consistency proof from the tree of size first (a checkpoint the console holds)
// to the tree of size second (the latest checkpoint it was sent): 1 <= first <= second <= the
// log's size. Answered by a ConsistencyProof, or an error frame with the requestId
// ("audit.invalid_range", "audit.unavailable").
struct ProveConsistency
{
    QString requestId;
    qint64 first = 0;
    qint64 second = 0;
};

using ClientFrame = std::variant<SignIn, Subscribe, Decision, Ping, ProveConsistency>;

[[nodiscard]] QByteArray serialize(const ClientFrame &frame);
[[nodiscard]] Result<ClientFrame> parseClientFrame(QByteArrayView text);

} // namespace countersign::protocol

// Frames travel in queued signals and QSignalSpy: make them known to the meta-type system.
Q_DECLARE_METATYPE(countersign::protocol::Challenge)
Q_DECLARE_METATYPE(countersign::protocol::Hello)
Q_DECLARE_METATYPE(countersign::protocol::ActionPending)
Q_DECLARE_METATYPE(countersign::protocol::ActionUpdated)
Q_DECLARE_METATYPE(countersign::protocol::ActionResolved)
Q_DECLARE_METATYPE(countersign::protocol::ActionEscalated)
Q_DECLARE_METATYPE(countersign::protocol::Subscribed)
Q_DECLARE_METATYPE(countersign::protocol::DecisionResult)
Q_DECLARE_METATYPE(countersign::protocol::AuditCheckpoint)
Q_DECLARE_METATYPE(countersign::protocol::ConsistencyProof)
