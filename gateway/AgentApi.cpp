// Routing, authentication, validation and long-polling of the agent API.
#include "gateway/AgentApi.h"

#include "core/json/FieldReader.h"
#include "core/json/Json.h"
#include "gateway/Gateway.h"
#include "gateway/GatewayLog.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimer>
#include <QUrlQuery>

namespace countersign::gateway {

namespace {

constexpr QByteArrayView kActionsPath("/v1/actions");
constexpr QByteArrayView kActionPrefix("/v1/actions/");
constexpr QByteArrayView kTokenPath("/v1/token");
constexpr qsizetype kMaxTokenRequestBytes = 16 * 1024;

const QString kTokenExchangeGrant = QStringLiteral("urn:ietf:params:oauth:grant-type:token-exchange");
const QString kJwtTokenType = QStringLiteral("urn:ietf:params:oauth:token-type:jwt");

// RFC 6749 section 5.2 error response, as RFC 8693 section 2.2.2 asks of the token endpoint.
HttpResponse oauthError(const QString &error, const QString &description)
{
    HttpResponse response = jsonResponse(400, {{QStringLiteral("error"), error},
                                               {QStringLiteral("error_description"), description}});
    response.extraHeaders.append(qMakePair(QByteArray("Cache-Control"), QByteArray("no-store")));
    return response;
}

// Gateway error codes → HTTP status.
int statusFor(const QString &code)
{
    if (code == QLatin1String("policy.tool_not_declared") || code.startsWith(QLatin1String("identity."))
        || code.startsWith(QLatin1String("judge.")))
        return 403;
    if (code == QLatin1String("submission.too_large"))
        return 413;
    // The store or the audit log cannot take the write: refused, try again later (fail closed).
    if (code.startsWith(QLatin1String("store.")) || code.startsWith(QLatin1String("audit.")))
        return 503;
    return 400;
}

HttpResponse methodNotAllowed(const QByteArray &allow, const QString &hint)
{
    HttpResponse response = errorResponse(405, QStringLiteral("http.method_not_allowed"), hint);
    response.extraHeaders.append(qMakePair(QByteArray("Allow"), allow));
    return response;
}

HttpResponse storeUnavailable()
{
    return errorResponse(503, QStringLiteral("store.unavailable"),
                         QStringLiteral("the gateway cannot record actions right now; nothing was stored"));
}

// "Bearer <token>": the scheme is case-insensitive (RFC 9110 11.1), the token is not.
std::optional<QByteArray> bearerToken(const HttpRequest &request)
{
    const QByteArray header = request.header("authorization");
    if (header.size() < 8 || header.left(7).compare("Bearer ", Qt::CaseInsensitive) != 0)
        return std::nullopt;
    const QByteArray token = header.mid(7).trimmed();
    if (token.isEmpty() || token.size() > 512)
        return std::nullopt;
    return token;
}

bool isJsonContentType(const QByteArray &value)
{
    const QByteArray mediaType = value.split(';').first().trimmed().toLower();
    return mediaType == "application/json";
}

} // namespace

AgentApi::AgentApi(Gateway &gateway, QObject *parent) : QObject(parent), m_gateway(gateway)
{
    connect(&m_gateway, &Gateway::actionResolved, this, &AgentApi::answerWaiters);
}

AgentApi::~AgentApi() = default;

void AgentApi::handle(const HttpRequest &request, const HttpResponder &responder)
{
    if (request.path == kActionsPath) {
        if (request.method != "POST") {
            responder.send(methodNotAllowed("POST", QStringLiteral("use POST to submit an action")));
            return;
        }
        submit(request, responder);
        return;
    }
    if (request.path == kTokenPath) {
        if (request.method != "POST") {
            responder.send(methodNotAllowed("POST", QStringLiteral("use POST for a token exchange")));
            return;
        }
        exchangeToken(request, responder);
        return;
    }
    if (request.path.startsWith(kActionPrefix)) {
        const QByteArray id = request.path.mid(kActionPrefix.size());
        static const QRegularExpression idPattern(QStringLiteral("^[A-Za-z0-9._:@+-]{1,128}$"));
        if (!idPattern.match(QString::fromLatin1(id)).hasMatch()) {
            responder.send(errorResponse(404, QStringLiteral("http.not_found"), QStringLiteral("no such resource")));
            return;
        }
        if (request.method != "GET") {
            responder.send(methodNotAllowed("GET", QStringLiteral("use GET to read an action")));
            return;
        }
        status(request, QString::fromLatin1(id), responder);
        return;
    }
    responder.send(errorResponse(404, QStringLiteral("http.not_found"), QStringLiteral("no such resource")));
}

const PolicyAgent *AgentApi::authenticate(const HttpRequest &request, const HttpResponder &responder)
{
    HttpResponse response;
    QString code;
    if (!request.hasHeader("authorization")) {
        code = QStringLiteral("auth.missing_token");
        response = errorResponse(401, code, QStringLiteral("send Authorization: Bearer <agent token>"));
    } else {
        const auto token = bearerToken(request);
        const PolicyAgent *agent = token ? m_gateway.policy().agentForToken(*token) : nullptr;
        if (agent)
            return agent;
        code = QStringLiteral("auth.unknown_token");
        response = errorResponse(401, code, QStringLiteral("the bearer token is not enrolled with this gateway"));
    }
    response.extraHeaders.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Bearer")));
    qCInfo(lcGateway).noquote() << "request refused code=" + code;
    // On record without the token; refused whether or not the record could be written.
    (void)m_gateway.recordAudit(QStringLiteral("auth.failed"), QStringLiteral("unauthenticated"), QString(),
                                {{QStringLiteral("code"), code}, {QStringLiteral("plane"), QStringLiteral("agent")}});
    responder.send(response);
    return nullptr;
}

void AgentApi::submit(const HttpRequest &request, const HttpResponder &responder)
{
    // Authentication first: nothing about the body is revealed to an unknown caller.
    const PolicyAgent *agent = authenticate(request, responder);
    if (!agent)
        return;
    if (!isJsonContentType(request.header("content-type"))) {
        responder.send(errorResponse(415, QStringLiteral("http.unsupported_media_type"),
                                     QStringLiteral("send Content-Type: application/json")));
        return;
    }
    json::Limits limits;
    limits.maxBytes = 256 * 1024;
    limits.maxDepth = 32;
    auto parsed = json::parse(request.body, limits);
    if (!parsed) {
        qCInfo(lcGateway).noquote() << "submission refused agent=" + agent->id << "code=" + parsed.error().code;
        responder.send(errorResponse(400, parsed.error().code, parsed.error().message));
        return;
    }
    if (!parsed.value().isObject()) {
        responder.send(errorResponse(400, QStringLiteral("submission.invalid"),
                                     QStringLiteral("the submission must be a JSON object")));
        return;
    }
    auto submission = Submission::fromJson(parsed.value().toObject());
    if (!submission) {
        qCInfo(lcGateway).noquote() << "submission refused agent=" + agent->id << "code=" + submission.error().code;
        responder.send(errorResponse(400, submission.error().code, submission.error().message));
        return;
    }
    auto stored = m_gateway.submit(*agent, submission.value());
    if (!stored) {
        const QString &code = stored.error().code;
        if (code.startsWith(QLatin1String("store.")))
            responder.send(storeUnavailable());
        else
            responder.send(errorResponse(statusFor(code), code, stored.error().message));
        return;
    }
    const StoredAction &action = stored.value();
    if (action.status == ActionStatus::Allowed) {
        responder.send(jsonResponse(200, {{QStringLiteral("id"), action.id},
                                          {QStringLiteral("status"), QStringLiteral("allowed")}}));
        return;
    }
    responder.send(jsonResponse(202, {{QStringLiteral("id"), action.id},
                                      {QStringLiteral("status"), QStringLiteral("pending")},
                                      {QStringLiteral("deadline"), json::formatTimestamp(action.deadline)},
                                      {QStringLiteral("digest"), QString::fromLatin1(action.digest)},
                                      {QStringLiteral("rule"), action.rule},
                                      {QStringLiteral("tier"), action.tier}}));
}

void AgentApi::exchangeToken(const HttpRequest &request, const HttpResponder &responder)
{
    const PolicyAgent *agent = authenticate(request, responder);
    if (!agent)
        return;
    const QByteArray mediaType = request.header("content-type").split(';').first().trimmed().toLower();
    if (mediaType != "application/x-www-form-urlencoded") {
        responder.send(errorResponse(415, QStringLiteral("http.unsupported_media_type"),
                                     QStringLiteral("send Content-Type: application/x-www-form-urlencoded")));
        return;
    }
    if (request.body.size() > kMaxTokenRequestBytes) {
        responder.send(oauthError(QStringLiteral("invalid_request"),
                                  QStringLiteral("the request is larger than %1 bytes").arg(kMaxTokenRequestBytes)));
        return;
    }
    // RFC 6749 section 3.2: no parameter more than once; the ones RFC 8693 defines that this
    // gateway does not use are refused rather than ignored.
    QHash<QString, QString> parameters;
    const QStringList known{QStringLiteral("grant_type"), QStringLiteral("subject_token"),
                            QStringLiteral("subject_token_type"), QStringLiteral("audience"),
                            QStringLiteral("actor_instance")};
    for (const QByteArray &pair : request.body.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        auto decode = [](QByteArray part) {
            return QString::fromUtf8(QByteArray::fromPercentEncoding(part.replace('+', ' ')));
        };
        const QString name = decode(equals < 0 ? pair : pair.left(equals));
        const QString value = equals < 0 ? QString() : decode(pair.mid(equals + 1));
        if (!known.contains(name)) {
            responder.send(oauthError(QStringLiteral("invalid_request"),
                                      QStringLiteral("unsupported parameter (this endpoint takes %1)").arg(known.join(QStringLiteral(", ")))));
            return;
        }
        if (parameters.contains(name)) {
            responder.send(oauthError(QStringLiteral("invalid_request"), name + QStringLiteral(": sent more than once")));
            return;
        }
        parameters.insert(name, value);
    }
    if (parameters.value(QStringLiteral("grant_type")) != kTokenExchangeGrant) {
        responder.send(oauthError(QStringLiteral("unsupported_grant_type"),
                                  QStringLiteral("grant_type: must be ") + kTokenExchangeGrant));
        return;
    }
    for (const QString &required : {QStringLiteral("subject_token"), QStringLiteral("subject_token_type"), QStringLiteral("audience")}) {
        if (parameters.value(required).isEmpty()) {
            responder.send(oauthError(QStringLiteral("invalid_request"), required + QStringLiteral(": missing")));
            return;
        }
    }
    if (parameters.value(QStringLiteral("subject_token_type")) != kJwtTokenType) {
        responder.send(oauthError(QStringLiteral("invalid_request"), QStringLiteral("subject_token_type: must be ") + kJwtTokenType));
        return;
    }
    static const QRegularExpression instancePattern(QStringLiteral("^[A-Za-z0-9._:@/+-]{1,128}$"));
    const QString instance = parameters.value(QStringLiteral("actor_instance"));
    if (parameters.contains(QStringLiteral("actor_instance")) && !instancePattern.match(instance).hasMatch()) {
        responder.send(oauthError(QStringLiteral("invalid_request"),
                                  QStringLiteral("actor_instance: 1 to 128 of A-Z a-z 0-9 . _ : @ / + -")));
        return;
    }
    auto issued = m_gateway.exchangeToken(*agent, parameters.value(QStringLiteral("subject_token")).toUtf8(),
                                          parameters.value(QStringLiteral("audience")), instance);
    if (!issued) {
        const QString &code = issued.error().code;
        qCInfo(lcGateway).noquote() << "token exchange refused agent=" + agent->id << "code=" + code << issued.error().message;
        if (code.startsWith(QLatin1String("audit.")) || code.startsWith(QLatin1String("store.")))
            responder.send(storeUnavailable());
        else if (code == QLatin1String("identity.invalid_target"))
            responder.send(oauthError(QStringLiteral("invalid_target"), issued.error().message));
        else if (code == QLatin1String("identity.too_deep"))
            responder.send(oauthError(QStringLiteral("invalid_request"), issued.error().message));
        else
            responder.send(oauthError(QStringLiteral("invalid_grant"), issued.error().message));
        return;
    }
    HttpResponse response = jsonResponse(200, {{QStringLiteral("access_token"), QString::fromLatin1(issued.value().token)},
                                               {QStringLiteral("issued_token_type"), kJwtTokenType},
                                               {QStringLiteral("token_type"), QStringLiteral("N_A")},
                                               {QStringLiteral("expires_in"), issued.value().expiresIn}});
    response.extraHeaders.append(qMakePair(QByteArray("Cache-Control"), QByteArray("no-store")));
    responder.send(response);
}

void AgentApi::status(const HttpRequest &request, const QString &actionId, const HttpResponder &responder)
{
    const PolicyAgent *agent = authenticate(request, responder);
    if (!agent)
        return;

    int wait = 0;
    const QUrlQuery query(QString::fromLatin1(request.query));
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        bool ok = false;
        const int seconds = value.toInt(&ok);
        static const QRegularExpression digits(QStringLiteral("^[0-9]{1,2}$"));
        if (key != QLatin1String("wait") || !digits.match(value).hasMatch() || !ok || seconds > kMaxWaitSeconds) {
            responder.send(errorResponse(400, QStringLiteral("request.invalid"),
                                         QStringLiteral("the only query parameter is wait=0..%1 (seconds)").arg(kMaxWaitSeconds)));
            return;
        }
        wait = seconds;
    }

    auto found = m_gateway.findAction(actionId);
    if (!found) {
        responder.send(storeUnavailable());
        return;
    }
    // Another agent's action does not exist as far as this agent can tell.
    if (!found.value() || found.value()->agentId != agent->id) {
        responder.send(errorResponse(404, QStringLiteral("action.not_found"), QStringLiteral("no such action")));
        return;
    }
    const StoredAction &action = *found.value();
    if (action.status != ActionStatus::Pending || wait == 0 || m_waiters.size() >= kMaxWaiters) {
        sendStatus(action, responder);
        return;
    }

    if (!responder.isConnected())
        return;
    const quint64 key = m_nextWaiter++;
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, key] { finishWaiter(key); });
    // A client that goes away frees its slot at once rather than at the end of its wait.
    const QMetaObject::Connection gone =
        connect(responder.connection(), &QObject::destroyed, this, [this, key] {
            if (auto it = m_waiters.find(key); it != m_waiters.end()) {
                it->timer->deleteLater();
                m_waiters.erase(it);
            }
        });
    m_waiters.insert(key, Waiter{actionId, responder, timer, gone});
    timer->start(wait * 1000);
}

void AgentApi::answerWaiters(const QString &actionId)
{
    QList<quint64> keys;
    for (auto it = m_waiters.cbegin(); it != m_waiters.cend(); ++it) {
        if (it->actionId == actionId)
            keys.append(it.key());
    }
    for (quint64 key : std::as_const(keys))
        finishWaiter(key);
}

void AgentApi::finishWaiter(quint64 key)
{
    const auto it = m_waiters.find(key);
    if (it == m_waiters.end())
        return;
    const Waiter waiter = it.value();
    m_waiters.erase(it);
    waiter.timer->deleteLater();
    disconnect(waiter.clientGone);
    if (!waiter.responder.isConnected())
        return;
    auto found = m_gateway.findAction(waiter.actionId);
    if (!found || !found.value()) {
        waiter.responder.send(storeUnavailable());
        return;
    }
    sendStatus(*found.value(), waiter.responder);
}

void AgentApi::sendStatus(const StoredAction &action, const HttpResponder &responder)
{
    QJsonObject body{{QStringLiteral("id"), action.id},
                     {QStringLiteral("status"), statusName(action.status)},
                     {QStringLiteral("reason"), action.reason},
                     {QStringLiteral("decidedBy"), action.decidedBy},
                     {QStringLiteral("deadline"), json::formatTimestamp(action.deadline)},
                     {QStringLiteral("digest"), QString::fromLatin1(action.digest)}};
    if (action.resolvedAt.isValid())
        body.insert(QStringLiteral("resolvedAt"), json::formatTimestamp(action.resolvedAt));
    responder.send(jsonResponse(200, body));
}

} // namespace countersign::gateway
