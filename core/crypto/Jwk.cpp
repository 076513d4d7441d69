// Ed25519 public JWKs and RFC 7638 thumbprints.
#include "core/crypto/Jwk.h"

#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/json/Json.h"

#include <optional>

#include <QJsonArray>
#include <QString>

namespace countersign::crypto {

namespace {

Error invalidJwk(const QString &what)
{
    return makeError(QStringLiteral("jwk.invalid"), what);
}

// Member present but not a string, or a string with the wrong value: both say which.
std::optional<Error> requireString(const QJsonObject &jwk, const QString &name, const QString &expected)
{
    const QJsonValue value = jwk.value(name);
    if (value.isUndefined())
        return invalidJwk(name + QStringLiteral(": missing"));
    if (!value.isString())
        return invalidJwk(name + QStringLiteral(": must be a string"));
    if (value.toString() != expected)
        return invalidJwk(name + QStringLiteral(": \"") + value.toString() + QStringLiteral("\" is not supported, only \"")
                          + expected + QStringLiteral("\""));
    return std::nullopt;
}

} // namespace

QJsonObject publicKeyToJwk(const Ed25519PublicKey &key)
{
    return QJsonObject{{QStringLiteral("kty"), QStringLiteral("OKP")},
                       {QStringLiteral("crv"), QStringLiteral("Ed25519")},
                       {QStringLiteral("x"), QString::fromLatin1(base64UrlEncode(key.raw()))}};
}

Result<Ed25519PublicKey> publicKeyFromJwk(const QJsonObject &jwk)
{
    if (jwk.contains(QStringLiteral("d")))
        return invalidJwk(QStringLiteral("d: a private key was given where a public key was expected"));
    if (auto error = requireString(jwk, QStringLiteral("kty"), QStringLiteral("OKP")))
        return *error;
    if (auto error = requireString(jwk, QStringLiteral("crv"), QStringLiteral("Ed25519")))
        return *error;

    // RFC 7517 4.2-4.4: a key marked for another purpose must not be used to verify signatures.
    if (jwk.contains(QStringLiteral("use"))) {
        if (auto error = requireString(jwk, QStringLiteral("use"), QStringLiteral("sig")))
            return *error;
    }
    if (jwk.contains(QStringLiteral("alg"))) {
        const QJsonValue alg = jwk.value(QStringLiteral("alg"));
        if (alg != QJsonValue(QStringLiteral("EdDSA")) && alg != QJsonValue(QStringLiteral("Ed25519")))
            return invalidJwk(QStringLiteral("alg: only \"EdDSA\" or \"Ed25519\" may be used with an Ed25519 key"));
    }
    if (jwk.contains(QStringLiteral("key_ops"))) {
        const QJsonValue ops = jwk.value(QStringLiteral("key_ops"));
        if (!ops.isArray() || !ops.toArray().contains(QStringLiteral("verify")))
            return invalidJwk(QStringLiteral("key_ops: must be an array that includes \"verify\""));
    }

    const QJsonValue x = jwk.value(QStringLiteral("x"));
    if (x.isUndefined())
        return invalidJwk(QStringLiteral("x: missing"));
    if (!x.isString())
        return invalidJwk(QStringLiteral("x: must be a string"));
    const QString text = x.toString();
    // Non-ASCII cannot be base64url; checked first so toLatin1 cannot fold it into something valid.
    for (const QChar c : text) {
        if (c.unicode() > 0x7F)
            return invalidJwk(QStringLiteral("x: not base64url (non-ASCII character)"));
    }
    auto raw = base64UrlDecode(text.toLatin1());
    if (!raw)
        return invalidJwk(QStringLiteral("x: ") + raw.error().message);
    if (raw.value().size() != kEd25519PublicKeySize)
        return invalidJwk(QStringLiteral("x: an Ed25519 public key is 32 bytes, not %1").arg(raw.value().size()));
    auto key = Ed25519PublicKey::fromRaw(raw.value());
    if (!key)
        return invalidJwk(QStringLiteral("x: ") + key.error().message);
    return key;
}

QByteArray jwkThumbprint(const Ed25519PublicKey &key)
{
    // RFC 7638 section 3.2: only the required members, in lexicographic order, no whitespace.
    // Written out rather than canonicalised (decision verification computes it for every
    // token): every member is ASCII with nothing to escape (base64url's alphabet included), so
    // this is exactly their RFC 8785 form, as the RFC 8037 example in the tests checks.
    QByteArray required;
    required.reserve(80);
    required.append(R"({"crv":"Ed25519","kty":"OKP","x":")").append(base64UrlEncode(key.raw())).append(R"("})");
    return base64UrlEncode(sha256(required));
}

} // namespace countersign::crypto
