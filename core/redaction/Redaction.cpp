// The credential patterns, how overlapping finds are resolved, and the JSON walk.
#include "core/redaction/Redaction.h"

#include "core/crypto/Digest.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

namespace countersign::redaction {

namespace {

// A pattern for one credential kind. The secret is the named group "s" when there is one (so a
// rule can require context, "Authorization: Bearer ", and leave the context readable), else the
// whole match. A validator can refuse a match the pattern alone cannot judge.
struct Rule
{
    const char *kind;
    QRegularExpression pattern;
    std::function<bool(QStringView secret)> accept;
};

QRegularExpression re(const char *pattern, QRegularExpression::PatternOptions options = QRegularExpression::NoPatternOption)
{
    QRegularExpression expression(QString::fromLatin1(pattern), options | QRegularExpression::UseUnicodePropertiesOption);
    Q_ASSERT_X(expression.isValid(), "redaction", qPrintable(expression.errorString()));
    return expression;
}

constexpr auto kI = QRegularExpression::CaseInsensitiveOption;

// Bits per character of the value's own character distribution.
double entropy(QStringView text)
{
    if (text.isEmpty())
        return 0;
    QHash<QChar, int> counts;
    for (const QChar c : text)
        ++counts[c];
    double bits = 0;
    for (const int count : std::as_const(counts)) {
        const double p = double(count) / double(text.size());
        bits -= p * std::log2(p);
    }
    return bits;
}

// Not a secret: our own marker, a template variable, or a mask.
bool isPlaceholder(QStringView value)
{
    static const QRegularExpression placeholder(QStringLiteral("^(?:\\[redacted|\\$\\{|\\{\\{|<[^>]*>$|%[A-Za-z_]+%$|\\*+$|x+$|\\.+$)"),
                                                QRegularExpression::CaseInsensitiveOption);
    return placeholder.match(value.toString()).hasMatch();
}

bool highEntropy(QStringView value)
{
    return value.size() >= 8 && !isPlaceholder(value) && entropy(value) >= 3.0;
}

bool basicCredentials(QStringView value)
{
    const QByteArray decoded = QByteArray::fromBase64(value.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    return decoded.contains(':');
}

bool notPlaceholder(QStringView value)
{
    return !isPlaceholder(value);
}

const QList<Rule> &rules()
{
    // Specific formats first: where two finds overlap, the earlier rule names the kind.
    static const QList<Rule> list{
        {"pem-private-key", re("-----BEGIN (?:RSA |EC |DSA |ENCRYPTED |ANY )?PRIVATE KEY-----[\\s\\S]*?(?:-----END (?:RSA |EC |DSA |ENCRYPTED |ANY )?PRIVATE KEY-----|$)"), {}},
        {"openssh-private-key", re("-----BEGIN OPENSSH PRIVATE KEY-----[\\s\\S]*?(?:-----END OPENSSH PRIVATE KEY-----|$)"), {}},
        {"pgp-private-key", re("-----BEGIN PGP PRIVATE KEY BLOCK-----[\\s\\S]*?(?:-----END PGP PRIVATE KEY BLOCK-----|$)"), {}},
        {"aws-access-key", re("(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}(?![A-Za-z0-9])"), {}},
        {"aws-secret-key", re("aws.{0,24}?(?:secret|sk).{0,16}?[=:\"'\\s]\\s*[\"']?(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])", kI), {}},
        {"gcp-api-key", re("(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), {}},
        {"gcp-service-account-key", re("\"private_key_id\"\\s*:\\s*\"(?<s>[0-9a-f]{40})\""), {}},
        {"azure-storage-key", re("AccountKey\\s*=\\s*(?<s>[A-Za-z0-9+/]{86}==)", kI), {}},
        {"azure-sas-token", re("[?&]sig=(?<s>[A-Za-z0-9%+/=]{20,})", kI), {}},
        {"azure-client-secret", re("(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])"), {}},
        {"github-token", re("(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])"), {}},
        {"gitlab-token", re("(?<![A-Za-z0-9_-])gl(?:pat|dt|ptt|rt|cbt|oas|soat)-[A-Za-z0-9_-]{20,}"), {}},
        {"slack-webhook", re("https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{16,}"), {}},
        {"slack-token", re("(?<![A-Za-z0-9])xox[abposre]-[A-Za-z0-9-]{10,}"), {}},
        {"stripe-key", re("(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"), {}},
        {"stripe-webhook-secret", re("(?<![A-Za-z0-9])whsec_[A-Za-z0-9+/=]{24,}"), {}},
        {"anthropic-key", re("(?<![A-Za-z0-9])sk-ant-[A-Za-z0-9_-]{20,}"), {}},
        {"openai-key", re("(?<![A-Za-z0-9])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"), {}},
        {"sendgrid-key", re("(?<![A-Za-z0-9])SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{16,64}"), {}},
        {"npm-token", re("(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"), {}},
        {"google-oauth-secret", re("(?<![A-Za-z0-9])GOCSPX-[A-Za-z0-9_-]{20,}"), {}},
        {"huggingface-token", re("(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9])"), {}},
        {"jwt", re("(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*"), {}},
        {"database-uri-password", re("(?<![A-Za-z0-9+.-])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse)://[^\\s:/@?#]{0,256}:(?<s>[^\\s@/?#]{1,256})@", kI), notPlaceholder},
        {"url-credentials", re("(?<![A-Za-z0-9+.-])[a-z][a-z0-9+.-]{1,20}://[^\\s:/@?#]{0,256}:(?<s>[^\\s@/?#]{1,256})@", kI), notPlaceholder},
        {"jdbc-password", re("jdbc:[^\\s]*?[;?&:]password=(?<s>[^;&\\s]+)", kI), notPlaceholder},
        {"connection-string-password", re("(?:^|;)\\s*(?:password|pwd)\\s*=\\s*(?<s>[^;\\s][^;]*)", kI), notPlaceholder},
        {"basic-auth", re("\\bbasic\\s+(?<s>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])", kI), basicCredentials},
        {"bearer-token", re("\\bbearer\\s+(?<s>[A-Za-z0-9._~+/-]{16,}=*)", kI), notPlaceholder},
        {"token-parameter", re("[?&](?:access_token|refresh_token|id_token|token|api_key|apikey|api-key|key|client_secret|secret|password|passwd|auth|signature|code)=(?<s>[^&#\\s\"']{6,})", kI), notPlaceholder},
        {"secret-assignment", re("\\b(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|auth[_-]?token|access[_-]?token|token|client[_-]?secret|private[_-]?key)\\b[\"']?\\s*[:=]\\s*[\"']?(?<s>[^\\s\"',;&]{8,})", kI), highEntropy},
    };
    return list;
}

struct Match
{
    qsizetype start = 0;
    qsizetype end = 0; // one past the secret
    int rule = 0;
};

// A member name that says its value is a secret, and the kind it names.
QString secretFieldKind(const QString &name)
{
    static const QRegularExpression secretName(
        QStringLiteral("^(?:.*[_-])?(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|access[_-]?key|secret[_-]?key|"
                       "private[_-]?key(?:[_-]?id)?|token|access[_-]?token|refresh[_-]?token|auth[_-]?token|id[_-]?token|"
                       "session[_-]?token|authorization|credentials?|cookie|set-cookie)$"),
        QRegularExpression::CaseInsensitiveOption);
    if (!secretName.match(name).hasMatch())
        return {};
    const QString lower = name.toLower();
    if (lower.contains(QLatin1String("private_key_id")) || lower.contains(QLatin1String("privatekeyid")))
        return QStringLiteral("gcp-service-account-key");
    if (lower.contains(QLatin1String("pass")) || lower.endsWith(QLatin1String("pwd")))
        return QStringLiteral("password-field");
    if (lower.contains(QLatin1String("authorization")))
        return QStringLiteral("authorization-header");
    if (lower.contains(QLatin1String("cookie")))
        return QStringLiteral("cookie");
    return QStringLiteral("secret-field");
}

} // namespace

QStringList kinds()
{
    QStringList names;
    for (const Rule &rule : rules())
        names.append(QString::fromLatin1(rule.kind));
    names << QStringLiteral("password-field") << QStringLiteral("authorization-header") << QStringLiteral("cookie")
          << QStringLiteral("secret-field");
    names.removeDuplicates();
    return names;
}

QString marker(const QString &kind, QStringView secret)
{
    const QByteArray hash = crypto::sha256(secret.toUtf8());
    return QStringLiteral("[redacted: %1 …%2]").arg(kind, QString::fromLatin1(hash.left(2).toHex().toUpper()));
}

Redacted redactText(const QString &input)
{
    Redacted result;
    QString text = input;
    QString tail;
    if (text.size() > kMaxScanChars) {
        tail = QStringLiteral("[redacted: unscanned …%1 more characters]").arg(text.size() - kMaxScanChars);
        text.truncate(kMaxScanChars);
    }

    QList<Match> matches;
    const QList<Rule> &all = rules();
    for (int r = 0; r < all.size(); ++r) {
        const Rule &rule = all.at(r);
        const bool hasGroup = rule.pattern.namedCaptureGroups().contains(QStringLiteral("s"));
        auto it = rule.pattern.globalMatch(text);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            const qsizetype start = hasGroup ? m.capturedStart(QStringLiteral("s")) : m.capturedStart();
            const qsizetype end = hasGroup ? m.capturedEnd(QStringLiteral("s")) : m.capturedEnd();
            if (start < 0 || end <= start)
                continue;
            if (rule.accept && !rule.accept(QStringView(text).mid(start, end - start)))
                continue;
            matches.append(Match{start, end, r});
        }
    }
    // A marker already in the text (from an earlier pass, or typed by the agent) is opaque: a
    // find that would swallow part of it is dropped, so redacting twice changes nothing.
    static const QRegularExpression markerPattern(QStringLiteral("\\[redacted: [^\\]\\n]{1,80}\\]"));
    QList<QPair<qsizetype, qsizetype>> markers;
    for (auto it = markerPattern.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        markers.append({m.capturedStart(), m.capturedEnd()});
    }
    matches.removeIf([&markers](const Match &m) {
        return std::any_of(markers.cbegin(), markers.cend(),
                           [&m](const auto &marker) { return m.start < marker.second && marker.first < m.end; });
    });
    // Earliest first; at the same start the earlier rule, then the longer find.
    std::sort(matches.begin(), matches.end(), [](const Match &a, const Match &b) {
        if (a.start != b.start)
            return a.start < b.start;
        if (a.rule != b.rule)
            return a.rule < b.rule;
        return a.end > b.end;
    });
    QList<Match> chosen;
    qsizetype reached = 0;
    for (const Match &m : std::as_const(matches)) {
        if (m.start < reached) {
            // Overlaps a find already taken: extend it rather than leave part of a secret.
            if (!chosen.isEmpty() && m.end > chosen.last().end)
                chosen.last().end = m.end;
            reached = std::max(reached, m.end);
            continue;
        }
        chosen.append(m);
        reached = m.end;
    }

    QString out;
    out.reserve(text.size());
    qsizetype at = 0;
    for (const Match &m : std::as_const(chosen)) {
        out.append(QStringView(text).mid(at, m.start - at));
        const QString kind = QString::fromLatin1(all.at(m.rule).kind);
        const QStringView secret = QStringView(text).mid(m.start, m.end - m.start);
        const QString mark = marker(kind, secret);
        out.append(mark);
        result.findings.append(Finding{kind, mark.mid(mark.size() - 5, 4), QString()});
        at = m.end;
    }
    out.append(QStringView(text).mid(at));
    out.append(tail);
    result.text = out;
    return result;
}

QJsonValue redactJson(const QJsonValue &value, QList<Finding> *findings, const QString &path)
{
    auto note = [&](const QList<Finding> &found) {
        if (!findings)
            return;
        for (Finding finding : found) {
            finding.path = path;
            findings->append(finding);
        }
    };
    if (value.isString()) {
        Redacted redacted = redactText(value.toString());
        note(redacted.findings);
        return redacted.text;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        QJsonArray out;
        for (qsizetype i = 0; i < array.size(); ++i)
            out.append(redactJson(array.at(i), findings, QStringLiteral("%1[%2]").arg(path).arg(i)));
        return out;
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        QJsonObject out;
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString childPath = path.isEmpty() ? it.key() : QString(path + QLatin1Char('.') + it.key());
            const QString kind = secretFieldKind(it.key());
            const QJsonValue child = it.value();
            const bool scalar = child.isString() || child.isDouble();
            const QString text = child.isString() ? child.toString() : QString::number(child.toDouble(), 'g', 17);
            if (!kind.isEmpty() && scalar && !text.isEmpty() && !isPlaceholder(text)) {
                const QString mark = marker(kind, text);
                out.insert(it.key(), mark);
                if (findings)
                    findings->append(Finding{kind, mark.mid(mark.size() - 5, 4), childPath});
                continue;
            }
            out.insert(it.key(), redactJson(child, findings, childPath));
        }
        return out;
    }
    return value;
}

} // namespace countersign::redaction
