// Signed statements: a flat JSON object in RFC 8785 canonical form, signed as an EdDSA compact
// JWS with the protected header {"alg":"EdDSA","kid":<RFC 7638 thumbprint>,"typ":"JOSE"}. The
// one shape behind reviewers' decisions (core/decision) and sign-ins (core/auth), so both are
// signed and checked by the same code.
#pragma once

#include "core/Result.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/Jws.h"
#include "core/json/Json.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

namespace countersign::crypto {

// The protected header's "typ".
inline constexpr char kStatementHeaderType[] = "JOSE";
// base64url of a 32-byte SHA-256 thumbprint.
inline constexpr qsizetype kThumbprintChars = 43;

// Signs the canonical form of payload. Empty if signing fails.
[[nodiscard]] QByteArray signStatement(const QJsonObject &payload, const Ed25519PrivateKey &key);

// Verifies token under key and returns its payload object. The signature is checked before
// anything in the token is interpreted. Error codes (kind is e.g. "decision"):
//   jws.*                 not a well-formed EdDSA compact JWS within maxBytes
//   <kind>.bad_signature  the signature is not valid under key
//   <kind>.key_mismatch   header "kid" is not the thumbprint of key
//   <kind>.malformed      header "typ" other than "JOSE", or the payload is not a JSON object
//                         within limits, or not in RFC 8785 canonical form
[[nodiscard]] Result<QJsonObject> verifyStatement(QByteArrayView token, const Ed25519PublicKey &key,
                                                  qsizetype maxBytes, const json::Limits &limits,
                                                  const QString &kind);

// The header "kid", read WITHOUT verifying anything: a lookup key for the enrolled key to verify
// with, and nothing more. Error codes: jws.*, "<kind>.malformed" if kid is missing or not the
// base64url of 32 bytes.
[[nodiscard]] Result<QString> statementKeyId(QByteArrayView token, qsizetype maxBytes, const QString &kind);

// A token parsed once, for a caller that looks up the verifying key by kid and then verifies
// (the audit verifier does this for every decision): parseStatement() is parseCompact() plus
// statementKeyId()'s rules, and verifyStatement() of the result is verifyStatement() of the
// token — the same checks in the same order, without parsing it again.
struct ParsedStatement
{
    ParsedJws jws;
    QString keyId; // the header's kid, not verified
};
[[nodiscard]] Result<ParsedStatement> parseStatement(QByteArrayView token, qsizetype maxBytes, const QString &kind);
[[nodiscard]] Result<QJsonObject> verifyStatement(const ParsedJws &jws, const Ed25519PublicKey &key,
                                                  const json::Limits &limits, const QString &kind);

// True if text is strict base64url of exactly bytes bytes.
[[nodiscard]] bool isBase64UrlOf(const QString &text, qsizetype bytes);

} // namespace countersign::crypto
