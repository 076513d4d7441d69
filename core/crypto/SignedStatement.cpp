// Canonical JSON statements in EdDSA compact JWS: signing, verification, key-id lookup.
#include "core/crypto/SignedStatement.h"

#include "core/crypto/Base64Url.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/Jws.h"
#include "core/json/CanonicalCheck.h"

#include <QJsonValue>

namespace countersign::crypto {

namespace {

const QString kKid = QStringLiteral("kid");
const QString kTyp = QStringLiteral("typ");

Error statementError(const QString &kind, const char *what, const QString &message)
{
    return makeError(kind + QLatin1Char('.') + QLatin1String(what), message);
}

} // namespace

bool isBase64UrlOf(const QString &text, qsizetype bytes)
{
    const auto decoded = base64UrlDecode(text.toLatin1());
    return decoded && decoded.value().size() == bytes;
}

QByteArray signStatement(const QJsonObject &payload, const Ed25519PrivateKey &key)
{
    const QJsonObject header{{kKid, QString::fromLatin1(jwkThumbprint(key.publicKey()))},
                             {kTyp, QString::fromLatin1(kStatementHeaderType)}};
    return signCompact(header, json::canonicalize(payload), key);
}

Result<QJsonObject> verifyStatement(QByteArrayView token, const Ed25519PublicKey &key, qsizetype maxBytes,
                                    const json::Limits &limits, const QString &kind)
{
    auto parsed = parseCompact(token, maxBytes);
    if (!parsed)
        return parsed.error();
    return verifyStatement(parsed.value(), key, limits, kind);
}

Result<QJsonObject> verifyStatement(const ParsedJws &jws, const Ed25519PublicKey &key, const json::Limits &limits,
                                    const QString &kind)
{
    // Nothing in the token is interpreted until the signature holds under the caller's key.
    if (const Status verified = verify(jws, key); !verified)
        return statementError(kind, "bad_signature", verified.error().message);

    const QString thumbprint = QString::fromLatin1(jwkThumbprint(key));
    const QJsonValue headerKid = jws.header().value(kKid);
    if (!headerKid.isString() || headerKid.toString() != thumbprint)
        return statementError(kind, "key_mismatch",
                              QStringLiteral("header.kid: must be %1, the thumbprint of the verifying key").arg(thumbprint));
    if (const QJsonValue typ = jws.header().value(kTyp);
        !typ.isUndefined()
        && (!typ.isString()
            || typ.toString().compare(QLatin1String(kStatementHeaderType), Qt::CaseInsensitive) != 0))
        return statementError(kind, "malformed",
                              QStringLiteral("header.typ: must be \"%1\"").arg(QLatin1String(kStatementHeaderType)));

    // One statement, one spelling: the signed bytes must be exactly the canonical form of an
    // object. Checked in one pass first; only a refusal is parsed to say what is wrong.
    const bool canonical = bool(json::checkCanonicalObject(jws.payload(), limits));
    auto document = json::parse(jws.payload(), limits);
    if (!document)
        return statementError(kind, "malformed", QStringLiteral("payload: ") + document.error().toString());
    if (!document.value().isObject())
        return statementError(kind, "malformed", QStringLiteral("payload: must be a JSON object"));
    if (!canonical)
        return statementError(kind, "malformed", QStringLiteral("payload: not in RFC 8785 canonical form"));
    return document.value().toObject();
}

Result<QString> statementKeyId(QByteArrayView token, qsizetype maxBytes, const QString &kind)
{
    auto parsed = parseStatement(token, maxBytes, kind);
    if (!parsed)
        return parsed.error();
    return parsed.value().keyId;
}

Result<ParsedStatement> parseStatement(QByteArrayView token, qsizetype maxBytes, const QString &kind)
{
    auto parsed = parseCompact(token, maxBytes);
    if (!parsed)
        return parsed.error();
    const QJsonValue kid = parsed.value().header().value(kKid);
    if (!kid.isString())
        return statementError(kind, "malformed", QStringLiteral("header.kid: missing or not a string"));
    const QString text = kid.toString();
    if (text.size() != kThumbprintChars || !isBase64UrlOf(text, 32))
        return statementError(kind, "malformed",
                              QStringLiteral("header.kid: must be an RFC 7638 thumbprint (base64url of 32 bytes)"));
    return ParsedStatement{std::move(parsed).value(), text};
}

} // namespace countersign::crypto
