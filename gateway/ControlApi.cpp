// Routing, authentication, strict body parsing and recording of the control plane's requests.
#include "gateway/ControlApi.h"

#include "core/json/FieldReader.h"
#include "core/json/Json.h"
#include "gateway/Gateway.h"
#include "gateway/GatewayLog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrlQuery>

namespace countersign::gateway {

namespace {

constexpr QByteArrayView kPrefix("/v1/admin/");

HttpResponse notFound()
{
    return errorResponse(404, QStringLiteral("http.not_found"), QStringLiteral("no such resource"));
}

HttpResponse methodNotAllowed(const QByteArray &allowed)
{
    HttpResponse response = errorResponse(405, QStringLiteral("http.method_not_allowed"),
                                          QStringLiteral("use %1 here").arg(QString::fromLatin1(allowed)));
    response.extraHeaders.append(qMakePair(QByteArray("Allow"), allowed));
    return response;
}

int statusFor(const QString &code)
{
    if (code == QLatin1String("policy.not_found"))
        return 404;
    if (code == QLatin1String("policy.duplicate_id") || code == QLatin1String("policy.duplicate_key")
        || code == QLatin1String("policy.already_revoked") || code == QLatin1String("policy.same_version"))
        return 409;
    if (code == QLatin1String("json.too_large"))
        return 413;
    if (code.startsWith(QLatin1String("store.")) || code.startsWith(QLatin1String("audit.")))
        return 503;
    return 400;
}

HttpResponse errorFor(const Error &error)
{
    if (error.code.startsWith(QLatin1String("store."))) {
        return errorResponse(503, QStringLiteral("store.unavailable"),
                             QStringLiteral("the gateway cannot record the change right now; nothing was changed"));
    }
    if (error.code.startsWith(QLatin1String("audit."))) {
        return errorResponse(503, QStringLiteral("audit.unavailable"),
                             QStringLiteral("the gateway cannot write the change to its audit log right now; nothing was changed"));
    }
    return errorResponse(statusFor(error.code), error.code, error.message);
}

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
    return value.split(';').first().trimmed().toLower() == "application/json";
}

// The reason every change needs: present, a string, not blank, bounded.
QString readWhy(json::FieldReader &reader, const QJsonObject &body)
{
    const QString why = reader.string(body, {}, QStringLiteral("why"), ControlApi::kMaxWhyBytes);
    if (!reader.failed() && why.trimmed().isEmpty())
        reader.fail(QStringLiteral("why"), QStringLiteral("must say why (not blank)"));
    return why.trimmed();
}

QByteArray canonical(const QJsonValue &value)
{
    return json::canonicalize(value);
}

// "/v1/admin/reviewers/rita%40example.com/revoke" → the decoded id, if the path has that shape.
std::optional<QString> idBefore(const QByteArray &rest, QByteArrayView collection, QByteArrayView action)
{
    if (!rest.startsWith(collection) || !rest.endsWith(action))
        return std::nullopt;
    const QByteArray encoded = rest.mid(collection.size(), rest.size() - collection.size() - action.size());
    if (encoded.isEmpty() || encoded.size() > 3 * 128 || encoded.contains('/'))
        return std::nullopt;
    const QString id = QString::fromUtf8(QByteArray::fromPercentEncoding(encoded));
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9._:@/+-]{1,128}$"));
    if (!pattern.match(id).hasMatch())
        return std::nullopt;
    return id;
}

} // namespace

ControlApi::ControlApi(Gateway &gateway, QObject *parent) : QObject(parent), m_gateway(gateway) {}

ControlApi::~ControlApi() = default;

void ControlApi::handle(const HttpRequest &request, const HttpResponder &responder)
{
    // Authentication before routing: an unknown caller learns nothing, not even which paths exist.
    const std::optional<Admin> admin = authenticate(request, responder);
    if (!admin)
        return;
    if (!request.path.startsWith(kPrefix)) {
        responder.send(notFound());
        return;
    }
    const QByteArray rest = request.path.mid(kPrefix.size());
    const QByteArray &method = request.method;

    if (rest == "reviewers") {
        if (method == "GET")
            listReviewers(responder);
        else if (method == "POST")
            addReviewer(*admin, request, responder);
        else
            responder.send(methodNotAllowed("GET, POST"));
        return;
    }
    if (rest == "agents") {
        if (method == "GET")
            listAgents(responder);
        else if (method == "POST")
            addAgent(*admin, request, responder);
        else
            responder.send(methodNotAllowed("GET, POST"));
        return;
    }
    if (rest == "policy") {
        if (method == "GET")
            showPolicy(responder);
        else if (method == "PUT")
            setPolicy(*admin, request, responder);
        else
            responder.send(methodNotAllowed("GET, PUT"));
        return;
    }
    if (rest == "changes") {
        if (method == "GET")
            listChanges(request, responder);
        else
            responder.send(methodNotAllowed("GET"));
        return;
    }
    if (const auto id = idBefore(rest, "reviewers/", "/revoke")) {
        if (method == "POST")
            revokeReviewer(*admin, *id, request, responder);
        else
            responder.send(methodNotAllowed("POST"));
        return;
    }
    if (const auto id = idBefore(rest, "agents/", "/revoke")) {
        if (method == "POST")
            revokeAgent(*admin, *id, request, responder);
        else
            responder.send(methodNotAllowed("POST"));
        return;
    }
    responder.send(notFound());
}

std::optional<ControlApi::Admin> ControlApi::authenticate(const HttpRequest &request, const HttpResponder &responder)
{
    HttpResponse response;
    QString code;
    if (!request.hasHeader("authorization")) {
        code = QStringLiteral("auth.missing_token");
        response = errorResponse(401, code, QStringLiteral("send Authorization: Bearer <admin token>"));
    } else {
        const auto token = bearerToken(request);
        // Only administrators' tokens open the control plane: an agent's or anything else is
        // unknown here, and the answer does not say which.
        const PolicyAdmin *admin = token ? m_gateway.policy().adminForToken(*token) : nullptr;
        if (admin)
            return Admin{admin->id};
        code = QStringLiteral("auth.unknown_token");
        response = errorResponse(401, code, QStringLiteral("the bearer token is not an administrator's token on this gateway"));
    }
    response.extraHeaders.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Bearer")));
    qCInfo(lcGateway).noquote() << "control request refused code=" + code;
    // On record without the token; refused whether or not the record could be written.
    (void)m_gateway.recordAudit(QStringLiteral("auth.failed"), QStringLiteral("unauthenticated"), QString(),
                                {{QStringLiteral("code"), code}, {QStringLiteral("plane"), QStringLiteral("control")}});
    responder.send(response);
    return std::nullopt;
}

std::optional<QJsonObject> ControlApi::readBody(const HttpRequest &request, const HttpResponder &responder)
{
    if (!isJsonContentType(request.header("content-type"))) {
        responder.send(errorResponse(415, QStringLiteral("http.unsupported_media_type"),
                                     QStringLiteral("send Content-Type: application/json")));
        return std::nullopt;
    }
    json::Limits limits;
    limits.maxBytes = kMaxBodyBytes;
    limits.maxDepth = 16;
    auto parsed = json::parse(request.body, limits);
    if (!parsed) {
        responder.send(errorFor(parsed.error()));
        return std::nullopt;
    }
    if (!parsed.value().isObject()) {
        responder.send(errorResponse(400, QStringLiteral("request.invalid"), QStringLiteral("the body must be a JSON object")));
        return std::nullopt;
    }
    return parsed.value().toObject();
}

void ControlApi::apply(const Admin &admin, Result<Policy> next, PolicyChange change, int status, QJsonObject body,
                       const HttpResponder &responder)
{
    if (!next) {
        qCInfo(lcGateway).noquote() << "control change refused command=" + change.command << "admin=" + admin.id
                                    << "code=" + next.error().code;
        responder.send(errorFor(next.error()));
        return;
    }
    change.actor = admin.id;
    auto recorded = m_gateway.applyPolicyChange(std::move(next).value(), std::move(change));
    if (!recorded) {
        responder.send(errorFor(recorded.error()));
        return;
    }
    body.insert(QStringLiteral("change"),
                QJsonObject{{QStringLiteral("seq"), static_cast<double>(recorded.value().seq)},
                            {QStringLiteral("at"), json::formatTimestamp(recorded.value().at)}});
    responder.send(jsonResponse(status, body));
}

void ControlApi::listReviewers(const HttpResponder &responder)
{
    QJsonArray reviewers;
    for (const PolicyReviewer &reviewer : m_gateway.policy().reviewers())
        reviewers.append(Policy::reviewerJson(reviewer));
    responder.send(jsonResponse(200, {{QStringLiteral("reviewers"), reviewers}}));
}

void ControlApi::addReviewer(const Admin &admin, const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = readBody(request, responder);
    if (!body)
        return;
    json::FieldReader reader(QStringLiteral("request.invalid"));
    reader.onlyKnownMembers(*body, {}, {QStringLiteral("id"), QStringLiteral("role"), QStringLiteral("key"), QStringLiteral("why")});
    const QString id = reader.identifier(*body, {}, QStringLiteral("id"));
    const QString roleText = reader.string(*body, {}, QStringLiteral("role"), 16);
    std::optional<protocol::Role> role;
    if (!reader.failed()) {
        role = protocol::roleFromName(roleText);
        if (!role || *role == protocol::Role::Admin)
            reader.fail(QStringLiteral("role"), QStringLiteral("must be \"reviewer\" or \"analyst\""));
    }
    const QJsonObject key = reader.object(*body, {}, QStringLiteral("key"));
    const QString why = readWhy(reader, *body);
    if (reader.failed()) {
        responder.send(errorFor(reader.error()));
        return;
    }
    auto next = m_gateway.policy().withReviewer(id, *role, key);
    PolicyChange change;
    change.command = QStringLiteral("reviewers.add");
    change.target = id;
    change.before = "null";
    change.why = why;
    QJsonObject answer;
    if (next) {
        const QJsonObject entry = Policy::reviewerJson(*next.value().reviewerById(id));
        change.after = canonical(entry);
        answer.insert(QStringLiteral("reviewer"), entry);
    }
    apply(admin, std::move(next), std::move(change), 201, answer, responder);
}

void ControlApi::revokeReviewer(const Admin &admin, const QString &id, const HttpRequest &request,
                                const HttpResponder &responder)
{
    const auto body = readBody(request, responder);
    if (!body)
        return;
    json::FieldReader reader(QStringLiteral("request.invalid"));
    reader.onlyKnownMembers(*body, {}, {QStringLiteral("why")});
    const QString why = readWhy(reader, *body);
    if (reader.failed()) {
        responder.send(errorFor(reader.error()));
        return;
    }
    const Policy &current = m_gateway.policy();
    auto next = current.withReviewerRevoked(id, m_gateway.clock().nowUtc());
    PolicyChange change;
    change.command = QStringLiteral("reviewers.revoke");
    change.target = id;
    change.why = why;
    QJsonObject answer;
    if (next) {
        change.before = canonical(Policy::reviewerJson(*current.reviewerById(id)));
        const QJsonObject entry = Policy::reviewerJson(*next.value().reviewerById(id));
        change.after = canonical(entry);
        answer.insert(QStringLiteral("reviewer"), entry);
    }
    apply(admin, std::move(next), std::move(change), 200, answer, responder);
}

void ControlApi::listAgents(const HttpResponder &responder)
{
    QJsonArray agents;
    for (const PolicyAgent &agent : m_gateway.policy().agents())
        agents.append(Policy::agentJson(agent));
    responder.send(jsonResponse(200, {{QStringLiteral("agents"), agents}}));
}

void ControlApi::addAgent(const Admin &admin, const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = readBody(request, responder);
    if (!body)
        return;
    json::FieldReader reader(QStringLiteral("request.invalid"));
    reader.onlyKnownMembers(*body, {}, {QStringLiteral("id"), QStringLiteral("tokenSha256"), QStringLiteral("tools"), QStringLiteral("why")});
    const QString id = reader.identifier(*body, {}, QStringLiteral("id"));
    const QString tokenSha256 = reader.string(*body, {}, QStringLiteral("tokenSha256"), 64);
    const QJsonArray toolsArray = reader.array(*body, {}, QStringLiteral("tools"), 1000);
    QStringList tools;
    for (qsizetype i = 0; !reader.failed() && i < toolsArray.size(); ++i) {
        if (!toolsArray.at(i).isString() || toolsArray.at(i).toString().size() > 129)
            reader.fail(json::FieldReader::index(QStringLiteral("tools"), i), QStringLiteral("must be \"tool.operation\""));
        else
            tools.append(toolsArray.at(i).toString());
    }
    const QString why = readWhy(reader, *body);
    if (reader.failed()) {
        responder.send(errorFor(reader.error()));
        return;
    }
    auto next = m_gateway.policy().withAgent(id, tokenSha256, tools);
    PolicyChange change;
    change.command = QStringLiteral("agents.add");
    change.target = id;
    change.before = "null";
    change.why = why;
    QJsonObject answer;
    if (next) {
        const QJsonObject entry = Policy::agentJson(*next.value().agentById(id));
        change.after = canonical(entry);
        answer.insert(QStringLiteral("agent"), entry);
    }
    apply(admin, std::move(next), std::move(change), 201, answer, responder);
}

void ControlApi::revokeAgent(const Admin &admin, const QString &id, const HttpRequest &request,
                             const HttpResponder &responder)
{
    const auto body = readBody(request, responder);
    if (!body)
        return;
    json::FieldReader reader(QStringLiteral("request.invalid"));
    reader.onlyKnownMembers(*body, {}, {QStringLiteral("why")});
    const QString why = readWhy(reader, *body);
    if (reader.failed()) {
        responder.send(errorFor(reader.error()));
        return;
    }
    const Policy &current = m_gateway.policy();
    auto next = current.withAgentRevoked(id, m_gateway.clock().nowUtc());
    PolicyChange change;
    change.command = QStringLiteral("agents.revoke");
    change.target = id;
    change.why = why;
    QJsonObject answer;
    if (next) {
        change.before = canonical(Policy::agentJson(*current.agentById(id)));
        const QJsonObject entry = Policy::agentJson(*next.value().agentById(id));
        change.after = canonical(entry);
        answer.insert(QStringLiteral("agent"), entry);
    }
    apply(admin, std::move(next), std::move(change), 200, answer, responder);
}

void ControlApi::showPolicy(const HttpResponder &responder)
{
    responder.send(jsonResponse(200, m_gateway.policy().rulesJson()));
}

void ControlApi::setPolicy(const Admin &admin, const HttpRequest &request, const HttpResponder &responder)
{
    auto body = readBody(request, responder);
    if (!body)
        return;
    json::FieldReader reader(QStringLiteral("request.invalid"));
    reader.onlyKnownMembers(*body, {}, {QStringLiteral("version"), QStringLiteral("rules"), QStringLiteral("why")});
    const QString why = readWhy(reader, *body);
    if (reader.failed()) {
        responder.send(errorFor(reader.error()));
        return;
    }
    body->remove(QStringLiteral("why"));
    const Policy &current = m_gateway.policy();
    auto next = current.withRules(*body);
    PolicyChange change;
    change.command = QStringLiteral("policy.set");
    change.why = why;
    change.before = canonical(current.rulesJson());
    QJsonObject answer;
    if (next) {
        change.target = next.value().version();
        const QJsonObject rules = next.value().rulesJson();
        change.after = canonical(rules);
        answer = rules;
    }
    apply(admin, std::move(next), std::move(change), 200, answer, responder);
}

void ControlApi::listChanges(const HttpRequest &request, const HttpResponder &responder)
{
    qint64 after = 0;
    int limit = kDefaultChangesPage;
    const QUrlQuery query(QString::fromLatin1(request.query));
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,15}$"));
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        const bool number = digits.match(value).hasMatch();
        if (key == QLatin1String("after") && number) {
            after = value.toLongLong();
        } else if (key == QLatin1String("limit") && number && value.toLongLong() >= 1 && value.toLongLong() <= kMaxChangesPage) {
            limit = value.toInt();
        } else {
            responder.send(errorResponse(400, QStringLiteral("request.invalid"),
                                         QStringLiteral("the query parameters are after=SEQ and limit=1..%1").arg(kMaxChangesPage)));
            return;
        }
    }
    // One more than asked for tells whether another page follows.
    auto changes = m_gateway.policyChanges(after, limit + 1);
    if (!changes) {
        responder.send(errorFor(changes.error()));
        return;
    }
    json::Limits limits;
    limits.maxBytes = 4 * kMaxBodyBytes;
    limits.maxDepth = 32;
    QJsonArray list;
    const QList<PolicyChange> &found = changes.value();
    for (qsizetype i = 0; i < found.size() && i < limit; ++i) {
        const PolicyChange &change = found.at(i);
        auto before = json::parse(change.before, limits);
        auto afterValue = json::parse(change.after, limits);
        if (!before || !afterValue) {
            responder.send(errorResponse(503, QStringLiteral("store.corrupt"),
                                         QStringLiteral("policy change %1 is unreadable").arg(change.seq)));
            return;
        }
        list.append(QJsonObject{{QStringLiteral("seq"), static_cast<double>(change.seq)},
                                {QStringLiteral("at"), json::formatTimestamp(change.at)},
                                {QStringLiteral("actor"), change.actor},
                                {QStringLiteral("command"), change.command},
                                {QStringLiteral("target"), change.target},
                                {QStringLiteral("before"), before.value()},
                                {QStringLiteral("after"), afterValue.value()},
                                {QStringLiteral("why"), change.why}});
    }
    QJsonObject body{{QStringLiteral("changes"), list}};
    if (found.size() > limit)
        body.insert(QStringLiteral("next"), static_cast<double>(found.at(limit - 1).seq));
    responder.send(jsonResponse(200, body));
}

} // namespace countersign::gateway
