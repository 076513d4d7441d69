// A reviewer's signed decision: a compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037)
// whose payload is the RFC 8785 canonical JSON of the claims below. It binds the verdict to one
// action (id and digest), one reviewer key (RFC 7638 thumbprint), one gateway (aud), one policy
// version and one moment (iat), and carries a fresh nonce (jti) so the gateway can refuse replays.
//
// Payload, member names exactly as written (canonical, so member order is fixed):
//   {"actionDigest":..,"actionId":..,"aud":..,"iat":<NumericDate seconds>,"jti":..,"kid":..,
//    "policyVersion":..,"reason":..,"sub":..,"typ":"countersign-decision+v1","verdict":"approve"|"deny"}
// Protected header: {"alg":"EdDSA","kid":<thumbprint>,"typ":"JOSE"}. When verifying, "Ed25519"
// (RFC 9864) is accepted as alg too.
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/SignedStatement.h"
#include "core/protocol/Protocol.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QString>

namespace countersign::decision {

// The payload's "typ": changes whenever the claims change meaning.
inline constexpr char kDecisionType[] = "countersign-decision+v1";
// Bound on the whole compact token and on the decoded payload, both checked before parsing.
inline constexpr qsizetype kMaxDecisionBytes = qsizetype{16} * 1024;
// Bytes of randomness in a generated jti.
inline constexpr qsizetype kNonceBytes = 16;

struct DecisionClaims
{
    QString actionId;                                  // identifier, at most 128 bytes
    QByteArray actionDigest;                           // 64 lowercase hex digits
    protocol::Verdict verdict = protocol::Verdict::Deny;
    QString reason;                                    // at most 2000 UTF-8 bytes; non-blank for deny
    QString reviewer;                                  // "sub": identifier
    QString keyId;                                     // "kid": RFC 7638 thumbprint, base64url
    QDateTime issuedAt;                                // "iat": UTC, whole seconds
    QString nonce;                                     // "jti": base64url of 16 random bytes
    QString gatewayId;                                 // "aud": identifier
    QString policyVersion;                             // identifier

    friend bool operator==(const DecisionClaims &, const DecisionClaims &) = default;
};

// Signs claims with key. Fills keyId with the thumbprint of key's public key (a non-empty keyId
// naming another key is refused: "decision.key_mismatch"), issuedAt from clock (truncated to
// whole seconds) and, when empty, nonce from the CSPRNG. Claims that verifyDecision() would
// refuse are refused here with "decision.invalid" and the field path (a deny without a reason,
// a reason over 2000 bytes, a digest that is not 64 lowercase hex digits, ...), so nothing is
// signed that the gateway cannot read. "crypto.failed" if signing itself fails.
[[nodiscard]] Result<QByteArray> signDecision(DecisionClaims claims, const crypto::Ed25519PrivateKey &key,
                                              const Clock &clock);

// Verifies a decision against the reviewer key the caller enrolled, then reads it strictly.
// Error codes:
//   jws.*                    the token is not a well-formed EdDSA compact JWS (see parseCompact)
//   decision.bad_signature   the signature is not valid under key
//   decision.key_mismatch    the header or payload "kid" is not the thumbprint of key
//   decision.malformed       header "typ" other than "JOSE"; the payload is not canonical JSON
//                            within 16 KiB, has unknown or missing members, a wrong "typ", or a
//                            member that breaks its rule (the message names the field path)
// The signature is checked before anything in the token is interpreted.
// Not checked here, because they need the gateway's state: that aud is this gateway, that
// actionId/actionDigest/policyVersion match the pending action, that iat is recent, that jti
// was not seen before, and that sub is the reviewer enrolled with key.
[[nodiscard]] Result<DecisionClaims> verifyDecision(QByteArrayView compactJws, const crypto::Ed25519PublicKey &key);

// The header "kid" of a decision, read WITHOUT verifying anything, so the gateway can look up
// which enrolled key to call verifyDecision() with. The value is attacker-chosen: use it only as
// a lookup key, and trust nothing else from a token until verifyDecision() has accepted it
// (which also checks that kid is the thumbprint of the key it was verified with). Error codes:
// the jws.* codes of parseCompact, "decision.malformed" if kid is missing or is not the
// base64url of a 32-byte SHA-256 thumbprint.
[[nodiscard]] Result<QString> decisionKeyId(QByteArrayView compactJws);

// A decision parsed once: parseDecision() reads the token and its kid (decisionKeyId()'s rules)
// without verifying anything, and verifyDecision() of the result is verifyDecision() of the
// token. For verifying many decisions, each by the key its kid names, without parsing twice.
[[nodiscard]] Result<crypto::ParsedStatement> parseDecision(QByteArrayView compactJws);
[[nodiscard]] Result<DecisionClaims> verifyDecision(const crypto::ParsedStatement &parsed, const crypto::Ed25519PublicKey &key);

} // namespace countersign::decision
