// Ed25519 public keys as JSON Web Keys (RFC 7517, RFC 8037) and their RFC 7638 thumbprints,
// the form in which reviewers' keys are enrolled and referred to.
#pragma once

#include "core/Result.h"
#include "core/crypto/Ed25519.h"

#include <QByteArray>
#include <QJsonObject>

namespace countersign::crypto {

// {"kty":"OKP","crv":"Ed25519","x":"<base64url of the 32-byte key>"}.
[[nodiscard]] QJsonObject publicKeyToJwk(const Ed25519PublicKey &key);

// Reads a public Ed25519 JWK. Refuses a "d" member (a private key sent where a public one was
// expected has already leaked; accepting it would hide that), any kty other than "OKP", any crv
// other than "Ed25519", and an "x" that is not strict base64url of 32 bytes. The optional
// members "use", "alg" and "key_ops" must, when present, allow signature verification with
// EdDSA; other members are ignored, as RFC 7517 section 4 requires. Error code "jwk.invalid".
[[nodiscard]] Result<Ed25519PublicKey> publicKeyFromJwk(const QJsonObject &jwk);

// The RFC 7638 JWK thumbprint: base64url(SHA-256(canonical {"crv","kty","x"})), 43 characters.
[[nodiscard]] QByteArray jwkThumbprint(const Ed25519PublicKey &key);

} // namespace countersign::crypto
