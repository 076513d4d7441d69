// JWS compact serialization (RFC 7515) with EdDSA over Ed25519 (RFC 8037): how a reviewer's
// signature over a canonical decision travels, and the strict parser for ones that arrive.
#pragma once

#include "core/Result.h"
#include "core/crypto/Ed25519.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>

namespace countersign::crypto {

class ParsedJws;

// Decisions are a few hundred bytes; 16 KiB leaves room for large parameters without letting a
// peer make the parser decode megabytes.
inline constexpr qsizetype kJwsDefaultMaxBytes = qsizetype{16} * 1024;

// Parses a compact JWS without trusting any of it. Error codes, each message naming the part
// ("header", "payload", "signature") and the byte offset in text where that makes sense:
//   jws.too_large        text is longer than maxBytes (checked before anything else)
//   jws.malformed        not exactly three '.'-separated parts
//   jws.bad_base64       a part is not strict unpadded base64url
//   jws.bad_header       the header is not a JSON object within limits, lacks "alg", or has
//                        "b64" other than true (unencoded payloads, RFC 7797, are not supported)
//   jws.unsupported_alg  "alg" is not "EdDSA" or "Ed25519" ("none" included)
//   jws.crit_unsupported the header has "crit": no extension is understood, so none may be
//                        declared critical (RFC 7515 section 4.1.11)
//   jws.bad_signature    the signature is not 64 bytes
[[nodiscard]] Result<ParsedJws> parseCompact(QByteArrayView text, qsizetype maxBytes = kJwsDefaultMaxBytes);

// What a compact JWS says, after parsing but before any signature check. Only parseCompact()
// makes one, so holding a ParsedJws means the header rules were checked and the parts belong
// together.
class ParsedJws final
{
public:
    // The decoded protected header.
    [[nodiscard]] const QJsonObject &header() const { return m_header; }
    // The decoded payload bytes.
    [[nodiscard]] const QByteArray &payload() const { return m_payload; }
    // "<header>.<payload>" exactly as received: what the signature covers.
    [[nodiscard]] const QByteArray &signingInput() const { return m_signingInput; }
    // The 64 signature bytes.
    [[nodiscard]] const QByteArray &signature() const { return m_signature; }

private:
    friend Result<ParsedJws> parseCompact(QByteArrayView text, qsizetype maxBytes);
    ParsedJws() = default;

    QJsonObject m_header;
    QByteArray m_payload;
    QByteArray m_signingInput;
    QByteArray m_signature;
};

// Signs payload as a compact JWS. The protected header is header with "alg" set to "EdDSA",
// serialized in RFC 8785 canonical form, so given no other members it is exactly RFC 8037's
// {"alg":"EdDSA"} ("eyJhbGciOiJFZERTQSJ9"). Returns an empty array, never a partial token, if
// header holds something parseCompact() would refuse ("crit", "b64" other than true, members
// that do not fit the header limits) or if signing fails. The token is about 4/3 of the payload
// size plus 120 bytes; parsing it needs a maxBytes at least that large.
[[nodiscard]] QByteArray signCompact(const QJsonObject &header, QByteArrayView payload, const Ed25519PrivateKey &key);

// Checks the signature of a parsed JWS with key. The key always comes from the caller: "jwk",
// "jku", "kid" and "x5*" header members are never used to find one, so a token cannot vouch for
// itself. Error code jws.bad_signature.
[[nodiscard]] Status verify(const ParsedJws &jws, const Ed25519PublicKey &key);

} // namespace countersign::crypto
