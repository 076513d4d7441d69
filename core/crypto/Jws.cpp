// Compact JWS with EdDSA: signing with canonical headers and strict parsing.
#include "core/crypto/Jws.h"

#include "core/crypto/Base64Url.h"
#include "core/crypto/Jwk.h"
#include "core/json/Json.h"

#include <QString>

namespace countersign::crypto {

namespace {

// Protected headers are a few short members; these bounds keep a hostile one cheap to refuse
// while leaving room for "kid", "typ", "cty" and a small embedded "jwk".
json::Limits headerLimits()
{
    json::Limits limits;
    limits.maxBytes = 4096;
    limits.maxDepth = 4;
    limits.maxStringBytes = 1024;
    limits.maxArrayLength = 16;
    limits.maxObjectMembers = 32;
    return limits;
}

Error jwsError(const char *code, const QString &message)
{
    return makeError(QString::fromLatin1(code), message);
}

// The header rules that both the parser and the signer apply, so the signer never writes a
// token the parser refuses.
Status checkHeader(const QJsonObject &header)
{
    const QJsonValue alg = header.value(QStringLiteral("alg"));
    if (alg.isUndefined())
        return jwsError("jws.bad_header", QStringLiteral("header: \"alg\" is missing"));
    if (!alg.isString())
        return jwsError("jws.unsupported_alg", QStringLiteral("header: \"alg\" must be a string"));
    // "Ed25519" is the fully-specified name (RFC 9864) for what RFC 8037 calls "EdDSA" with an
    // Ed25519 key; the key type is fixed by the caller's key, so both mean the same here.
    const QString name = alg.toString();
    if (name != QLatin1String("EdDSA") && name != QLatin1String("Ed25519"))
        return jwsError("jws.unsupported_alg",
                        QStringLiteral("header: alg \"") + name.left(64)
                            + QStringLiteral("\" is not accepted; only \"EdDSA\" and \"Ed25519\" are"));
    if (header.contains(QStringLiteral("crit")))
        return jwsError("jws.crit_unsupported",
                        QStringLiteral("header: \"crit\" names extensions that must be understood, and none are"));
    if (header.contains(QStringLiteral("b64")) && header.value(QStringLiteral("b64")) != QJsonValue(true))
        return jwsError("jws.bad_header",
                        QStringLiteral("header: \"b64\" other than true (RFC 7797 unencoded payload) is not supported"));
    return {};
}

Result<QJsonObject> parseHeader(QByteArrayView json)
{
    auto parsed = json::parse(json, headerLimits());
    if (!parsed)
        return jwsError("jws.bad_header", QStringLiteral("header: the decoded JSON is invalid: ")
                                              + parsed.error().toString());
    if (!parsed.value().isObject())
        return jwsError("jws.bad_header", QStringLiteral("header: the decoded JSON is not an object"));
    QJsonObject header = parsed.value().toObject();
    if (auto checked = checkHeader(header); !checked)
        return checked.error();
    return header;
}

} // namespace

QByteArray signCompact(const QJsonObject &header, QByteArrayView payload, const Ed25519PrivateKey &key)
{
    QJsonObject protectedHeader = header;
    protectedHeader.insert(QStringLiteral("alg"), QStringLiteral("EdDSA"));
    const QByteArray headerJson = json::canonicalize(protectedHeader);
    // Parsing our own header back applies exactly the limits and rules a receiver applies.
    if (!parseHeader(headerJson))
        return {};

    QByteArray token = base64UrlEncode(headerJson);
    token += '.';
    token += base64UrlEncode(payload);
    const QByteArray signature = key.sign(token);
    if (signature.size() != kEd25519SignatureSize)
        return {};
    token += '.';
    token += base64UrlEncode(signature);
    return token;
}

Result<ParsedJws> parseCompact(QByteArrayView text, qsizetype maxBytes)
{
    if (text.size() > maxBytes)
        return jwsError("jws.too_large", QStringLiteral("the JWS is %1 bytes, more than the %2 allowed")
                                             .arg(text.size())
                                             .arg(maxBytes));

    if (text.isEmpty())
        return jwsError("jws.malformed", QStringLiteral("the JWS is empty"));

    const qsizetype firstDot = text.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : text.indexOf('.', firstDot + 1);
    if (secondDot < 0)
        return jwsError("jws.malformed",
                        QStringLiteral("a compact JWS has three parts separated by '.', this has %1")
                            .arg(text.count('.') + 1));
    if (const qsizetype extra = text.indexOf('.', secondDot + 1); extra >= 0)
        return jwsError("jws.malformed",
                        QStringLiteral("a compact JWS has three parts separated by '.', this has %1 (extra '.' at byte %2)")
                            .arg(text.count('.') + 1)
                            .arg(extra));

    const QByteArrayView headerText = text.first(firstDot);
    const QByteArrayView payloadText = text.sliced(firstDot + 1, secondDot - firstDot - 1);
    const QByteArrayView signatureText = text.sliced(secondDot + 1);

    // Decoding all three before interpreting any keeps the error for a damaged token about its
    // encoding rather than whatever the damaged bytes happen to decode to.
    auto headerJson = base64UrlDecode(headerText, 0);
    if (!headerJson)
        return jwsError("jws.bad_base64", QStringLiteral("header: ") + headerJson.error().message);
    auto payload = base64UrlDecode(payloadText, firstDot + 1);
    if (!payload)
        return jwsError("jws.bad_base64", QStringLiteral("payload: ") + payload.error().message);
    auto signature = base64UrlDecode(signatureText, secondDot + 1);
    if (!signature)
        return jwsError("jws.bad_base64", QStringLiteral("signature: ") + signature.error().message);

    if (headerText.isEmpty())
        return jwsError("jws.bad_header", QStringLiteral("header: empty (byte 0)"));
    auto header = parseHeader(headerJson.value());
    if (!header)
        return header.error();

    if (signature.value().size() != kEd25519SignatureSize)
        return jwsError("jws.bad_signature",
                        QStringLiteral("signature (from byte %1): %2 bytes, an Ed25519 signature is 64")
                            .arg(secondDot + 1)
                            .arg(signature.value().size()));

    ParsedJws parsed;
    parsed.m_header = std::move(header).value();
    parsed.m_payload = std::move(payload).value();
    parsed.m_signingInput = text.first(secondDot).toByteArray();
    parsed.m_signature = std::move(signature).value();
    return parsed;
}

Status verify(const ParsedJws &jws, const Ed25519PublicKey &key)
{
    if (!key.verify(jws.signingInput(), jws.signature()))
        return jwsError("jws.bad_signature",
                        QStringLiteral("signature: not valid for this header and payload under the key with JWK thumbprint ")
                            + QString::fromLatin1(jwkThumbprint(key)));
    return {};
}

} // namespace countersign::crypto
