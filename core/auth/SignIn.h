// Reviewer sign-in: proof of possession of the enrolled Ed25519 key, bound to one TLS
// connection. The gateway opens every console connection with a challenge (a fresh nonce); the
// console answers with a compact JWS over the RFC 8785 canonical claims below, signed by the
// reviewer's key. The channel binding is the RFC 5929 "tls-server-end-point" value: the SHA-256
// of the gateway certificate the console actually saw on this connection. A relay that
// terminates TLS with any other certificate cannot forward a sign-in the gateway accepts, and a
// sign-in captured on one connection is useless on another (the nonce is per connection).
//
// Payload, member names exactly as written (canonical, so member order is fixed):
//   {"aud":<gateway id>,"cb":<base64url of the binding>,"cbType":"tls-server-end-point"|"none",
//    "iat":<NumericDate seconds>,"kid":<RFC 7638 thumbprint>,"nonce":<the challenge nonce>,
//    "sub":<reviewer id>,"typ":"countersign-signin+v1"}
// Protected header: {"alg":"EdDSA","kid":<thumbprint>,"typ":"JOSE"}.
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "core/crypto/Ed25519.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QString>

namespace countersign::auth {

inline constexpr char kSignInType[] = "countersign-signin+v1";
inline constexpr char kChannelBindingServerEndPoint[] = "tls-server-end-point";
// Only on a plaintext listener (tests of the protocol itself): there is no channel to bind to.
inline constexpr char kChannelBindingNone[] = "none";
inline constexpr qsizetype kMaxSignInBytes = 4096;
// Bytes of randomness in a challenge nonce.
inline constexpr qsizetype kChallengeNonceBytes = 32;

struct SignInClaims
{
    QString gatewayId;          // "aud"
    QByteArray channelBinding;  // "cb", raw bytes (32 for tls-server-end-point, empty for none)
    QString channelBindingType; // "cbType"
    QDateTime issuedAt;         // "iat", whole seconds
    QString keyId;              // "kid"
    QString nonce;              // the challenge's nonce, base64url of 32 bytes
    QString reviewer;           // "sub"

    friend bool operator==(const SignInClaims &, const SignInClaims &) = default;
};

// A fresh challenge nonce: base64url of 32 bytes from the CSPRNG.
[[nodiscard]] QString newChallengeNonce();

// The RFC 5929 tls-server-end-point binding for a certificate in DER: SHA-256 of it (the hash
// RFC 5929 section 4.1 prescribes for certificates signed with SHA-1, MD5 or SHA-256, which is
// what the gateway's ECDSA P-256/SHA-256 certificate uses).
[[nodiscard]] QByteArray serverEndPointBinding(QByteArrayView certificateDer);

// Signs the claims; fills keyId and issuedAt (from clock). Claims the verifier would refuse are
// refused with "signin.invalid" and the field path; "crypto.failed" if signing fails.
[[nodiscard]] Result<QByteArray> signSignIn(SignInClaims claims, const crypto::Ed25519PrivateKey &key,
                                            const Clock &clock);

// Verifies the token under key, then reads the claims strictly. Error codes:
//   jws.*               not a well-formed EdDSA compact JWS of at most 4 KiB
//   signin.bad_signature  the signature does not verify under key
//   signin.key_mismatch   header or payload "kid" is not the thumbprint of key
//   signin.malformed      payload not canonical, unknown or missing members, wrong "typ"
// What needs the connection's state (aud, nonce, binding, iat window, that sub owns key) is the
// caller's to check.
[[nodiscard]] Result<SignInClaims> verifySignIn(QByteArrayView token, const crypto::Ed25519PublicKey &key);

} // namespace countersign::auth
