// Credential redaction (IAM-07): the one engine the gateway runs before anything an agent sent
// is stored or published, and the console runs before anything is displayed, logged, copied or
// exported. It finds credentials by their published formats (cloud keys, forge and chat tokens,
// payment and model-provider keys, JWTs, private keys, passwords in URIs and connection
// strings, authorization headers, token parameters) and by context (a member or assignment
// named like a secret, whose value is not an ordinary id), and replaces each with
// "[redacted: <kind> …<4 hex>]". The 4 hex digits are the start of the SHA-256 of the secret: the
// same credential gets the same mark everywhere, and no character of it is shown.
#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace countersign::redaction {

// Texts longer than this are redacted in their first kMaxScanChars characters and the rest is
// replaced by "[redacted: unscanned …]": nothing is let through unexamined.
inline constexpr qsizetype kMaxScanChars = 256 * 1024;

struct Finding
{
    QString kind;        // e.g. "aws-access-key", "github-token", "password-in-uri"
    QString fingerprint; // 4 uppercase hex digits of SHA-256(secret)
    QString path;        // field path for JSON values ("recipients[2].note"), empty for plain text
};

struct Redacted
{
    QString text;
    QList<Finding> findings;
};

// Every credential kind the engine knows, for documentation and tests.
[[nodiscard]] QStringList kinds();

// The marker that replaces a secret: "[redacted: aws-access-key …3F2A]".
[[nodiscard]] QString marker(const QString &kind, QStringView secret);

// Redacts credentials in free text.
[[nodiscard]] Redacted redactText(const QString &text);

// Redacts every string in a JSON value (object member values, array elements); a member whose
// name says it holds a secret ("password", "client_secret", "apiKey", "authorization", ...)
// has a non-empty string value redacted whole, whatever it looks like. Member names are kept
// (they are the agent's words, but not secrets). findings gets the field path of each.
[[nodiscard]] QJsonValue redactJson(const QJsonValue &value, QList<Finding> *findings = nullptr,
                                    const QString &path = {});

// The flag an action carrying a credential gets.
inline constexpr char kCredentialFlag[] = "credential in agent context — treat as compromised and rotate";

} // namespace countersign::redaction
