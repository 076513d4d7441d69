// The admin command line: argument parsing, the pinned HTTPS client of the control plane, and
// the output of each command.
#include "gateway/AdminClient.h"

#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/Jwk.h"
#include "core/json/Json.h"

#include <cstdio>
#include <optional>

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>
#include <QUrl>

namespace countersign::gateway {

namespace {

constexpr qsizetype kMaxTokenBytes = 512;
constexpr qsizetype kMaxKeyFileBytes = 64 * 1024;
constexpr qsizetype kMaxPolicyFileBytes = (1 << 20) + 16 * 1024;
constexpr qsizetype kMaxReadyFileBytes = 64 * 1024;
constexpr qint64 kMaxResponseBytes = 64 * 1024 * 1024;
constexpr int kTimeoutMs = 30'000;
const char kTokenVariable[] = "COUNTERSIGN_ADMIN_TOKEN";

const char kUsage[] =
    "usage: countersign-gateway admin [--url https://127.0.0.1:PORT] [--pin SHA256-HEX]\n"
    "                                 [--ready-file FILE] [--token-fd N] <command>\n"
    "\n"
    "commands:\n"
    "  reviewers list\n"
    "  reviewers add --id ID --role reviewer|analyst --key FILE --why TEXT   (FILE: Ed25519 JWK or PEM)\n"
    "  reviewers revoke ID --why TEXT\n"
    "  agents list\n"
    "  agents add --id ID --tools tool.op,tool.op --why TEXT   (prints the new token once)\n"
    "  agents revoke ID --why TEXT\n"
    "  policy show\n"
    "  policy set FILE --why TEXT                              (FILE: {\"version\", \"rules\"})\n"
    "  changes\n"
    "\n"
    "The admin token is read from the environment variable COUNTERSIGN_ADMIN_TOKEN or from file\n"
    "descriptor N (--token-fd N), never from the command line. --ready-file reads controlUrl and\n"
    "fingerprint from the gateway's ready file.\n"
    "\n"
    "exit codes: 0 done, 1 refused by the gateway, 2 usage or input error,\n"
    "            3 connection or TLS failure (including a certificate that does not match the pin)\n";

void printError(const QString &message)
{
    std::fprintf(stderr, "countersign-gateway admin: %s\n", qPrintable(message));
}

int usageError(const QString &message)
{
    printError(message);
    std::fprintf(stderr, "run 'countersign-gateway admin --help' for the commands\n");
    return AdminUsage;
}

void printJson(const QJsonValue &value)
{
    const QByteArray text = value.isArray() ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented)
                                            : QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented);
    std::fwrite(text.constData(), 1, static_cast<size_t>(text.size()), stdout);
    std::fflush(stdout);
}

// Reads at most limit bytes; more is an error, not a truncation.
std::optional<QByteArray> readLimited(QFile &file, qsizetype limit, QString *error)
{
    const QByteArray data = file.read(limit + 1);
    if (data.size() > limit) {
        *error = QStringLiteral("%1 is larger than %2 bytes").arg(file.fileName()).arg(limit);
        return std::nullopt;
    }
    return data;
}

std::optional<QByteArray> readFile(const QString &path, qsizetype limit, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return readLimited(file, limit, error);
}

// "AB:CD:…" or "abcd…": 64 hex digits, lowercased; empty when malformed.
QByteArray normalizePin(const QString &text)
{
    QByteArray hex;
    for (QChar c : text) {
        if (c == QLatin1Char(':') || c.isSpace())
            continue;
        const char ch = static_cast<char>(c.toLower().toLatin1());
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return {};
        hex.append(ch);
    }
    return hex.size() == 64 ? hex : QByteArray();
}

bool matchesPin(const QSslCertificate &certificate, const QByteArray &pin)
{
    return !certificate.isNull() && crypto::constantTimeEquals(crypto::sha256Hex(certificate.toDer()), pin);
}

// What a pinned self-signed certificate legitimately raises; nothing else (expiry, a broken
// chain) is forgiven by a pin.
bool pinForgivesAll(const QList<QSslError> &errors)
{
    for (const QSslError &error : errors) {
        switch (error.error()) {
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::CertificateUntrusted:
        case QSslError::HostNameMismatch:
            break;
        default:
            return false;
        }
    }
    return true;
}

// The token: from --token-fd N or the environment; trailing newline removed. Never logged.
std::optional<QByteArray> readToken(const QCommandLineParser &parser, const QCommandLineOption &tokenFd, QString *error)
{
    QByteArray token;
    if (parser.isSet(tokenFd)) {
        bool ok = false;
        const int fd = parser.value(tokenFd).toInt(&ok);
        if (!ok || fd < 0) {
            *error = QStringLiteral("--token-fd: not a file descriptor: %1").arg(parser.value(tokenFd));
            return std::nullopt;
        }
        QFile file;
        if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
            *error = QStringLiteral("--token-fd %1: %2").arg(fd).arg(file.errorString());
            return std::nullopt;
        }
        auto read = readLimited(file, kMaxTokenBytes + 2, error);
        if (!read)
            return std::nullopt;
        token = read->trimmed();
    } else {
        token = qgetenv(kTokenVariable).trimmed();
        if (token.isEmpty()) {
            *error = QStringLiteral("no admin token: set %1 or pass --token-fd N").arg(QLatin1String(kTokenVariable));
            return std::nullopt;
        }
    }
    if (token.isEmpty() || token.size() > kMaxTokenBytes) {
        *error = QStringLiteral("the admin token must be 1 to %1 bytes").arg(kMaxTokenBytes);
        return std::nullopt;
    }
    for (char c : std::as_const(token)) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            *error = QStringLiteral("the admin token holds a space or a control character");
            return std::nullopt;
        }
    }
    return token;
}

struct Reply
{
    int status = 0; // 0: no HTTP answer
    QJsonValue json;
    QString failure; // why there is no answer
};

class ControlClient final
{
public:
    ControlClient(QUrl base, QByteArray pin, QByteArray token)
        : m_base(std::move(base)), m_pin(std::move(pin)), m_token(std::move(token))
    {
        QObject::connect(&m_manager, &QNetworkAccessManager::sslErrors, &m_manager,
                         [this](QNetworkReply *reply, const QList<QSslError> &errors) {
                             if (matchesPin(reply->sslConfiguration().peerCertificate(), m_pin) && pinForgivesAll(errors))
                                 reply->ignoreSslErrors(errors);
                             else
                                 reply->setProperty("pinMismatch", true);
                         });
        // Checked again once encrypted: whatever was forgiven, only the pinned certificate passes.
        QObject::connect(&m_manager, &QNetworkAccessManager::encrypted, &m_manager, [this](QNetworkReply *reply) {
            if (!matchesPin(reply->sslConfiguration().peerCertificate(), m_pin)) {
                reply->setProperty("pinMismatch", true);
                reply->abort();
            }
        });
    }

    Reply send(const QByteArray &method, const QString &path, const QString &query = {},
               const std::optional<QJsonObject> &body = std::nullopt)
    {
        QUrl url = m_base;
        // The path arrives percent-encoded (ids may hold '@', '/', '+'): kept exactly as given.
        url.setPath(path, QUrl::TolerantMode);
        if (!query.isEmpty())
            url.setQuery(query);
        QNetworkRequest request(url);
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        request.setRawHeader("Authorization", "Bearer " + m_token);
        request.setRawHeader("Accept", "application/json");
        QByteArray payload;
        if (body) {
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
            payload = json::canonicalize(*body);
        }
        QNetworkReply *reply = m_manager.sendCustomRequest(request, method, payload);
        QEventLoop loop;
        QTimer timer;
        timer.setSingleShot(true);
        bool timedOut = false;
        bool tooLarge = false;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
            timedOut = true;
            reply->abort();
        });
        QObject::connect(reply, &QNetworkReply::downloadProgress, &loop, [&](qint64 received, qint64) {
            if (received > kMaxResponseBytes) {
                tooLarge = true;
                reply->abort();
            }
        });
        timer.start(kTimeoutMs);
        if (!reply->isFinished())
            loop.exec();

        Reply result;
        const QByteArray data = reply->readAll();
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->property("pinMismatch").toBool()) {
            result.status = 0;
            result.failure = QStringLiteral("TLS: the gateway's certificate does not match the pinned fingerprint %1 "
                                            "(or fails a check a pin cannot forgive)")
                                 .arg(QString::fromLatin1(m_pin));
        } else if (timedOut) {
            result.status = 0;
            result.failure = QStringLiteral("no answer from %1 within %2 s").arg(m_base.toString()).arg(kTimeoutMs / 1000);
        } else if (tooLarge) {
            result.status = 0;
            result.failure = QStringLiteral("the answer is larger than %1 bytes").arg(kMaxResponseBytes);
        } else if (result.status == 0) {
            result.failure = QStringLiteral("cannot reach %1: %2").arg(m_base.toString(), reply->errorString());
        } else {
            json::Limits limits;
            limits.maxBytes = kMaxResponseBytes;
            limits.maxDepth = 40;
            limits.maxArrayLength = 100'000;
            auto parsed = json::parse(data, limits);
            if (parsed)
                result.json = parsed.value();
            else if (result.status < 400)
                result.failure = QStringLiteral("the gateway's answer is not JSON: ") + parsed.error().message;
        }
        reply->deleteLater();
        return result;
    }

private:
    QUrl m_base;
    QByteArray m_pin;
    QByteArray m_token;
    QNetworkAccessManager m_manager;
};

// 0 when the reply is a success with a JSON body; otherwise prints why and returns the exit code.
int check(const Reply &reply)
{
    if (reply.status == 0) {
        printError(reply.failure);
        return AdminConnection;
    }
    if (reply.status >= 400) {
        const QJsonObject error = reply.json.toObject().value(QStringLiteral("error")).toObject();
        const QString code = error.value(QStringLiteral("code")).toString();
        if (code.isEmpty())
            printError(QStringLiteral("refused: HTTP %1").arg(reply.status));
        else
            printError(QStringLiteral("refused: %1: %2").arg(code, error.value(QStringLiteral("message")).toString()));
        return AdminRefused;
    }
    if (!reply.failure.isEmpty()) {
        printError(reply.failure);
        return AdminConnection;
    }
    return AdminOk;
}

// The reviewer's public key as a minimal JWK, from a file holding a JWK or a PEM public key.
std::optional<QJsonObject> readPublicKey(const QString &path, QString *error)
{
    auto data = readFile(path, kMaxKeyFileBytes, error);
    if (!data)
        return std::nullopt;
    if (data->contains("-----BEGIN")) {
        auto key = crypto::Ed25519PublicKey::fromPem(data->trimmed());
        if (!key) {
            *error = QStringLiteral("%1: %2").arg(path, key.error().message);
            return std::nullopt;
        }
        return crypto::publicKeyToJwk(key.value());
    }
    auto parsed = json::parse(*data);
    if (!parsed || !parsed.value().isObject()) {
        *error = QStringLiteral("%1: neither a PEM public key nor a JWK object%2")
                     .arg(path, parsed ? QString() : QStringLiteral(" (") + parsed.error().message + QLatin1Char(')'));
        return std::nullopt;
    }
    auto key = crypto::publicKeyFromJwk(parsed.value().toObject());
    if (!key) {
        *error = QStringLiteral("%1: %2").arg(path, key.error().message);
        return std::nullopt;
    }
    return crypto::publicKeyToJwk(key.value());
}

QString encodedId(const QString &id)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(id));
}

} // namespace

int runAdminCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")});
    const QCommandLineOption urlOption(QStringLiteral("url"), {}, QStringLiteral("URL"));
    const QCommandLineOption pinOption(QStringLiteral("pin"), {}, QStringLiteral("SHA256"));
    const QCommandLineOption readyOption(QStringLiteral("ready-file"), {}, QStringLiteral("FILE"));
    const QCommandLineOption tokenFdOption(QStringLiteral("token-fd"), {}, QStringLiteral("N"));
    const QCommandLineOption idOption(QStringLiteral("id"), {}, QStringLiteral("ID"));
    const QCommandLineOption roleOption(QStringLiteral("role"), {}, QStringLiteral("ROLE"));
    const QCommandLineOption keyOption(QStringLiteral("key"), {}, QStringLiteral("FILE"));
    const QCommandLineOption whyOption(QStringLiteral("why"), {}, QStringLiteral("TEXT"));
    const QCommandLineOption toolsOption(QStringLiteral("tools"), {}, QStringLiteral("LIST"));
    parser.addOptions({help, urlOption, pinOption, readyOption, tokenFdOption, idOption, roleOption, keyOption,
                       whyOption, toolsOption});
    if (!parser.parse(QStringList{QStringLiteral("countersign-gateway admin")} + arguments))
        return usageError(parser.errorText());
    if (parser.isSet(help)) {
        std::fputs(kUsage, stdout);
        return AdminOk;
    }
    const QStringList words = parser.positionalArguments();
    if (words.isEmpty())
        return usageError(QStringLiteral("no command"));

    // Which command, and which options and operands it takes.
    const QString command = words.value(0) + QLatin1Char(' ') + words.value(1);
    struct Shape
    {
        const char *name;
        int operands; // after the two command words
        QList<const QCommandLineOption *> required;
    };
    const QList<Shape> shapes{
        {"reviewers list", 0, {}},
        {"reviewers add", 0, {&idOption, &roleOption, &keyOption, &whyOption}},
        {"reviewers revoke", 1, {&whyOption}},
        {"agents list", 0, {}},
        {"agents add", 0, {&idOption, &toolsOption, &whyOption}},
        {"agents revoke", 1, {&whyOption}},
        {"policy show", 0, {}},
        {"policy set", 1, {&whyOption}},
    };
    const Shape *shape = nullptr;
    const Shape changesShape{"changes", 0, {}};
    if (words.value(0) == QLatin1String("changes")) {
        shape = &changesShape;
    } else {
        for (const Shape &candidate : shapes) {
            if (command == QLatin1String(candidate.name))
                shape = &candidate;
        }
    }
    if (!shape)
        return usageError(QStringLiteral("unknown command: %1").arg(words.join(QLatin1Char(' ')).left(200)));
    const int commandWords = shape == &changesShape ? 1 : 2;
    if (words.size() != commandWords + shape->operands) {
        return usageError(QStringLiteral("%1 takes %2 operand(s)").arg(QLatin1String(shape->name)).arg(shape->operands));
    }
    for (const QCommandLineOption *option : {&idOption, &roleOption, &keyOption, &whyOption, &toolsOption}) {
        if (parser.isSet(*option) && !shape->required.contains(option))
            return usageError(QStringLiteral("%1 does not take --%2").arg(QLatin1String(shape->name), option->names().constFirst()));
        if (!parser.isSet(*option) && shape->required.contains(option))
            return usageError(QStringLiteral("%1 needs --%2").arg(QLatin1String(shape->name), option->names().constFirst()));
    }
    const QString operand = words.value(commandWords);
    const QString why = parser.value(whyOption);
    if (parser.isSet(whyOption) && why.trimmed().isEmpty())
        return usageError(QStringLiteral("--why must say why"));

    // Where, and which certificate to trust.
    QString urlText = parser.value(urlOption);
    QString pinText = parser.value(pinOption);
    if (parser.isSet(readyOption)) {
        QString error;
        auto ready = readFile(parser.value(readyOption), kMaxReadyFileBytes, &error);
        if (!ready)
            return usageError(QStringLiteral("--ready-file: ") + error);
        auto parsed = json::parse(*ready);
        if (!parsed || !parsed.value().isObject())
            return usageError(QStringLiteral("--ready-file: not a JSON object"));
        const QJsonObject object = parsed.value().toObject();
        if (urlText.isEmpty())
            urlText = object.value(QStringLiteral("controlUrl")).toString();
        if (pinText.isEmpty())
            pinText = object.value(QStringLiteral("fingerprint")).toString();
    }
    if (urlText.isEmpty())
        return usageError(QStringLiteral("no gateway: pass --url https://HOST:PORT or --ready-file FILE"));
    const QUrl url(urlText, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || url.port() <= 0 || (!url.path().isEmpty() && url.path() != QLatin1String("/"))
        || url.hasQuery() || !url.userInfo().isEmpty())
        return usageError(QStringLiteral("--url: expected https://HOST:PORT, got %1").arg(urlText.left(200)));
    QByteArray pin;
    if (url.scheme() == QLatin1String("https")) {
        if (pinText.isEmpty())
            return usageError(QStringLiteral("--pin SHA256-HEX (or --ready-file) is required: the gateway's certificate is self-signed"));
        pin = normalizePin(pinText);
        if (pin.isEmpty())
            return usageError(QStringLiteral("--pin: expected the certificate's SHA-256 as 64 hex digits"));
    } else if (url.scheme() == QLatin1String("http")) {
        // Only a development gateway on loopback speaks plain HTTP; the token must not cross a network in clear.
        if (!QHostAddress(url.host()).isLoopback())
            return usageError(QStringLiteral("--url: http:// is refused except on a loopback address; use https://"));
    } else {
        return usageError(QStringLiteral("--url: expected https://HOST:PORT, got %1").arg(urlText.left(200)));
    }

    // Inputs are read and checked before anything is sent.
    std::optional<QJsonObject> body;
    QByteArray newAgentToken;
    if (command == QLatin1String("reviewers add")) {
        const QString role = parser.value(roleOption);
        if (role != QLatin1String("reviewer") && role != QLatin1String("analyst"))
            return usageError(QStringLiteral("--role must be reviewer or analyst"));
        QString error;
        auto key = readPublicKey(parser.value(keyOption), &error);
        if (!key)
            return usageError(QStringLiteral("--key: ") + error);
        body = QJsonObject{{QStringLiteral("id"), parser.value(idOption)}, {QStringLiteral("role"), role},
                           {QStringLiteral("key"), *key}, {QStringLiteral("why"), why}};
    } else if (command == QLatin1String("agents add")) {
        QJsonArray tools;
        for (const QString &tool : parser.value(toolsOption).split(QLatin1Char(','), Qt::SkipEmptyParts))
            tools.append(tool.trimmed());
        if (tools.isEmpty())
            return usageError(QStringLiteral("--tools: list at least one tool.operation"));
        // The token exists here and on the agent's side only; the gateway keeps its hash.
        newAgentToken = crypto::base64UrlEncode(crypto::randomBytes(32));
        body = QJsonObject{{QStringLiteral("id"), parser.value(idOption)},
                           {QStringLiteral("tokenSha256"), QString::fromLatin1(crypto::sha256Hex(newAgentToken))},
                           {QStringLiteral("tools"), tools}, {QStringLiteral("why"), why}};
    } else if (command == QLatin1String("policy set")) {
        QString error;
        auto data = readFile(operand, kMaxPolicyFileBytes, &error);
        if (!data)
            return usageError(error);
        json::Limits limits;
        limits.maxBytes = kMaxPolicyFileBytes;
        auto parsed = json::parse(*data, limits);
        if (!parsed || !parsed.value().isObject()) {
            return usageError(QStringLiteral("%1: not a JSON object%2")
                                  .arg(operand, parsed ? QString() : QStringLiteral(" (") + parsed.error().message + QLatin1Char(')')));
        }
        body = parsed.value().toObject();
        if (body->contains(QStringLiteral("why")))
            return usageError(QStringLiteral("%1: give the reason with --why, not in the file").arg(operand));
        body->insert(QStringLiteral("why"), why);
    } else if (shape->operands == 1) {
        body = QJsonObject{{QStringLiteral("why"), why}};
    }

    QString error;
    const auto token = readToken(parser, tokenFdOption, &error);
    if (!token)
        return usageError(error);
    ControlClient client(url, pin, *token);

    if (command == QLatin1String("reviewers list") || command == QLatin1String("agents list")) {
        const QString collection = words.value(0);
        const Reply reply = client.send("GET", QStringLiteral("/v1/admin/") + collection);
        if (const int code = check(reply))
            return code;
        printJson(reply.json.toObject().value(collection).toArray());
        return AdminOk;
    }
    if (command == QLatin1String("reviewers add") || command == QLatin1String("agents add")) {
        const QString collection = words.value(0);
        const Reply reply = client.send("POST", QStringLiteral("/v1/admin/") + collection, {}, body);
        if (const int code = check(reply))
            return code;
        if (collection == QLatin1String("agents")) {
            // Shown once, on stdout alone, so that a script can capture it.
            std::fprintf(stdout, "%s\n", newAgentToken.constData());
            std::fflush(stdout);
            std::fprintf(stderr, "agent %s enrolled (change %lld); its token was printed once above: give it to the agent now, "
                                 "it cannot be shown again\n",
                         qPrintable(parser.value(idOption)),
                         static_cast<long long>(reply.json.toObject().value(QStringLiteral("change")).toObject().value(QStringLiteral("seq")).toDouble()));
        } else {
            printJson(reply.json.toObject().value(QStringLiteral("reviewer")).toObject());
        }
        return AdminOk;
    }
    if (command == QLatin1String("reviewers revoke") || command == QLatin1String("agents revoke")) {
        const QString collection = words.value(0);
        const Reply reply = client.send("POST", QStringLiteral("/v1/admin/%1/%2/revoke").arg(collection, encodedId(operand)), {}, body);
        if (const int code = check(reply))
            return code;
        std::fprintf(stderr, "%s revoked\n", qPrintable(operand.left(128)));
        return AdminOk;
    }
    if (command == QLatin1String("policy show")) {
        const Reply reply = client.send("GET", QStringLiteral("/v1/admin/policy"));
        if (const int code = check(reply))
            return code;
        printJson(reply.json.toObject());
        return AdminOk;
    }
    if (command == QLatin1String("policy set")) {
        const Reply reply = client.send("PUT", QStringLiteral("/v1/admin/policy"), {}, body);
        if (const int code = check(reply))
            return code;
        std::fprintf(stderr, "policy version %s in force\n",
                     qPrintable(reply.json.toObject().value(QStringLiteral("version")).toString().left(128)));
        return AdminOk;
    }
    // changes: every page, in order.
    QJsonArray all;
    qint64 after = 0;
    for (;;) {
        const Reply reply = client.send("GET", QStringLiteral("/v1/admin/changes"),
                                        QStringLiteral("after=%1&limit=100").arg(after));
        if (const int code = check(reply))
            return code;
        const QJsonObject page = reply.json.toObject();
        for (const QJsonValue &change : page.value(QStringLiteral("changes")).toArray())
            all.append(change);
        if (!page.contains(QStringLiteral("next")))
            break;
        const qint64 next = static_cast<qint64>(page.value(QStringLiteral("next")).toDouble());
        if (next <= after) {
            printError(QStringLiteral("the gateway's change list does not advance"));
            return AdminConnection;
        }
        after = next;
    }
    printJson(all);
    return AdminOk;
}

} // namespace countersign::gateway
