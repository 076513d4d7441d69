// The simulated workload and its demo policy.
#include "sim/Scenario.h"

#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/SecureBuffer.h"

#include <QJsonArray>
#include <QMessageAuthenticationCode>

namespace countersign::sim {

QJsonObject policyRule(const QString &id, const QString &tool, const QString &operation, const QJsonArray &when,
                 int tier, const QStringList &categories, bool irreversible, int deadlineSeconds,
                 int approvals, const QString &reason)
{
    QJsonObject object{{QStringLiteral("id"), id},
                       {QStringLiteral("when"), when},
                       {QStringLiteral("tier"), tier},
                       {QStringLiteral("categories"), QJsonArray::fromStringList(categories)},
                       {QStringLiteral("irreversible"), irreversible},
                       {QStringLiteral("deadlineSeconds"), deadlineSeconds},
                       {QStringLiteral("approvals"), approvals},
                       {QStringLiteral("reason"), reason}};
    if (!tool.isEmpty())
        object.insert(QStringLiteral("tool"), tool);
    if (!operation.isEmpty())
        object.insert(QStringLiteral("operation"), operation);
    return object;
}

QJsonObject policyCondition(const QString &param, const QString &op, const QJsonValue &value)
{
    return {{QStringLiteral("param"), param}, {QStringLiteral("op"), op}, {QStringLiteral("value"), value}};
}

QList<SimAgent> demoAgents()
{
    return {
        {QStringLiteral("payments-agent"), {QStringLiteral("payments.transfer")}},
        {QStringLiteral("mail-agent"), {QStringLiteral("email.send")}},
        {QStringLiteral("data-agent"), {QStringLiteral("db.delete"), QStringLiteral("crm.export")}},
        {QStringLiteral("ops-agent"), {QStringLiteral("iam.update_permissions"), QStringLiteral("code.execute")}},
        {QStringLiteral("invoice-subagent"), {QStringLiteral("payments.transfer")}},
        // Delegates invoice work to invoice-subagent but never declared payments itself: the
        // console warns that the sub-agent holds a tool its parent did not declare.
        {QStringLiteral("finance-orchestrator"), {QStringLiteral("invoices.read")}},
    };
}

QStringList demoApplications()
{
    return {QStringLiteral("finance-portal"), QStringLiteral("support-desk"), QStringLiteral("crm-app")};
}

QStringList demoJudges()
{
    return {QStringLiteral("judge-gpt-guard")};
}

crypto::Ed25519PrivateKey signerKey(const QByteArray &secret, const QString &id)
{
    const QByteArray seed = QMessageAuthenticationCode::hash("countersign-sim-signer:" + id.toUtf8(), secret,
                                                             QCryptographicHash::Sha256);
    auto key = crypto::Ed25519PrivateKey::fromSeed(crypto::SecureBuffer(seed));
    Q_ASSERT(key.ok()); // any 32 bytes are a seed
    return std::move(key).value();
}

QByteArray agentToken(const QByteArray &secret, const QString &agentId)
{
    return QMessageAuthenticationCode::hash("countersign-sim-agent:" + agentId.toUtf8(), secret,
                                            QCryptographicHash::Sha256)
        .toHex();
}

QJsonObject demoPolicy(const QByteArray &secret, const QList<QPair<QString, QJsonObject>> &reviewerKeys,
                       const QList<QPair<QString, QByteArray>> &adminTokenHashes)
{
    QJsonArray agents;
    for (const SimAgent &agent : demoAgents()) {
        agents.append(QJsonObject{
            {QStringLiteral("id"), agent.id},
            {QStringLiteral("tokenSha256"), QString::fromLatin1(crypto::sha256Hex(agentToken(secret, agent.id)))},
            {QStringLiteral("tools"), QJsonArray::fromStringList(agent.tools)},
        });
    }
    QJsonArray reviewers;
    for (const auto &[id, jwk] : reviewerKeys) {
        reviewers.append(QJsonObject{{QStringLiteral("id"), id},
                                     {QStringLiteral("role"), QStringLiteral("reviewer")},
                                     {QStringLiteral("key"), jwk}});
    }
    QJsonArray admins;
    for (const auto &[id, hash] : adminTokenHashes)
        admins.append(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("tokenSha256"), QString::fromLatin1(hash)}});
    const QJsonArray rules{
        policyRule(QStringLiteral("payment-over-100k"), QStringLiteral("payments"), QStringLiteral("transfer"),
             {policyCondition(QStringLiteral("amount"), QStringLiteral("gt"), 100000)}, 4,
             {QStringLiteral("financial")}, true, 600, 2,
             QStringLiteral("Payments above 100,000 need two reviewers")),
        policyRule(QStringLiteral("payment-over-10k"), QStringLiteral("payments"), QStringLiteral("transfer"),
             {policyCondition(QStringLiteral("amount"), QStringLiteral("gt"), 10000)}, 3,
             {QStringLiteral("financial")}, true, 300, 2,
             QStringLiteral("Payments above 10,000 need a human")),
        policyRule(QStringLiteral("delete-records"), QStringLiteral("db"), QStringLiteral("delete"), {}, 3,
             {QStringLiteral("deletion")}, true, 240, 2, QStringLiteral("Deleting records is irreversible")),
        policyRule(QStringLiteral("email-external"), QStringLiteral("email"), QStringLiteral("send"),
             {policyCondition(QStringLiteral("to"), QStringLiteral("domainNotIn"), QJsonArray{QStringLiteral("example.com")})},
             2, {QStringLiteral("outbound-communication")}, true, 180, 1,
             QStringLiteral("Email to recipients outside example.com")),
        policyRule(QStringLiteral("pii-export"), QStringLiteral("crm"), QStringLiteral("export"), {}, 3,
             {QStringLiteral("sensitive-data")}, false, 300, 2,
             QStringLiteral("Bulk export of customer personal data")),
        policyRule(QStringLiteral("self-permission-change"), QStringLiteral("iam"), QStringLiteral("update_permissions"), {}, 4,
             {QStringLiteral("self-permission-change")}, false, 300, 2,
             QStringLiteral("An agent changing its own permissions")),
        policyRule(QStringLiteral("code-execution"), QStringLiteral("code"), QStringLiteral("execute"), {}, 3,
             {QStringLiteral("code-execution")}, true, 180, 2,
             QStringLiteral("Running commands on production hosts")),
        [] {
            QJsonObject judged = policyRule(QStringLiteral("judge-flagged"), {}, {}, {}, 3,
                                      {QStringLiteral("judge-anomaly")}, false, 300, 2,
                                      QStringLiteral("The Judge flagged this call as anomalous"));
            judged.insert(QStringLiteral("judgeFlagged"), true);
            return judged;
        }(),
    };
    auto signers = [&secret](const QStringList &ids) {
        QJsonArray entries;
        for (const QString &id : ids) {
            entries.append(QJsonObject{{QStringLiteral("id"), id},
                                       {QStringLiteral("key"), crypto::publicKeyToJwk(signerKey(secret, id).publicKey())}});
        }
        return entries;
    };
    return {{QStringLiteral("version"), QStringLiteral("demo-1")},
            {QStringLiteral("applications"), signers(demoApplications())},
            {QStringLiteral("judges"), signers(demoJudges())},
            {QStringLiteral("admins"), admins},
            {QStringLiteral("reviewers"), reviewers},
            {QStringLiteral("agents"), agents},
            {QStringLiteral("rules"), rules}};
}

ScenarioGenerator::ScenarioGenerator(quint32 seed) : m_random(seed) {}

QStringList ScenarioGenerator::kinds()
{
    return {QStringLiteral("payment-large"),  QStringLiteral("email-external"), QStringLiteral("delete-records"),
            QStringLiteral("payment-small"),  QStringLiteral("pii-export"),     QStringLiteral("self-permission"),
            QStringLiteral("code-execution"), QStringLiteral("judge-flagged"),  QStringLiteral("email-internal"),
            QStringLiteral("subagent-payment"), QStringLiteral("leaked-credential"), QStringLiteral("payment-dual")};
}

QString ScenarioGenerator::pick(const QStringList &items)
{
    return items.at(static_cast<qsizetype>(m_random.bounded(static_cast<quint32>(items.size()))));
}

int ScenarioGenerator::between(int low, int high)
{
    return low + static_cast<int>(m_random.bounded(static_cast<quint32>(high - low + 1)));
}

QJsonObject ScenarioGenerator::context(const QString &user, const QString &userName, const QString &app,
                                       const QJsonArray &parents)
{
    QJsonObject object{
        {QStringLiteral("user"), QJsonObject{{QStringLiteral("id"), user}, {QStringLiteral("name"), userName}}},
        {QStringLiteral("application"), QJsonObject{{QStringLiteral("id"), app}}},
        {QStringLiteral("agentInstance"), QStringLiteral("i-%1").arg(between(1000, 9999))},
        {QStringLiteral("sessionId"), QStringLiteral("s-%1").arg(m_random.generate64() & 0xffffffffffULL, 10, 16, QLatin1Char('0'))},
    };
    if (!parents.isEmpty())
        object.insert(QStringLiteral("parentAgents"), parents);
    return object;
}

QJsonObject ScenarioGenerator::passVerdict(const QString &category)
{
    return {{QStringLiteral("judgeId"), QStringLiteral("judge-gpt-guard")},
            {QStringLiteral("verdict"), QStringLiteral("pass")},
            {QStringLiteral("category"), category},
            {QStringLiteral("score"), between(2, 25) / 100.0},
            {QStringLiteral("rationale"), QStringLiteral("Consistent with the user's request and the agent's recent activity.")}};
}

Submission ScenarioGenerator::next()
{
    const QStringList all = kinds();
    // The dual-approval payment is rarer than the rest, as it is in real deployments.
    QString kind = all.at(static_cast<qsizetype>(m_counter % static_cast<quint64>(all.size() - 1)));
    if (m_counter % 23 == 22)
        kind = QStringLiteral("payment-dual");
    ++m_counter;

    const QStringList users{QStringLiteral("alice@example.com"), QStringLiteral("bob@example.com"),
                            QStringLiteral("carol@example.com")};
    const QStringList names{QStringLiteral("Alice Martin"), QStringLiteral("Bob Chen"), QStringLiteral("Carol Diaz")};
    const int who = between(0, 2);
    const QString user = users.at(who);
    const QString userName = names.at(who);

    Submission s;
    s.kind = kind;
    QJsonObject parameters;
    QString tool;
    QString operation;
    QJsonArray judge;

    const auto payment = [&](double amount, bool newBeneficiary) {
        tool = QStringLiteral("payments");
        operation = QStringLiteral("transfer");
        const QStringList beneficiaries{QStringLiteral("Nordwind Logistics GmbH"), QStringLiteral("Atlas Office Supply Ltd"),
                                        QStringLiteral("Kestrel Consulting SARL")};
        const QStringList ibans{QStringLiteral("DE89370400440532013000"), QStringLiteral("GB29NWBK60161331926819"),
                                QStringLiteral("FR1420041010050500013M02606")};
        const int b = between(0, 2);
        parameters = {{QStringLiteral("amount"), amount},
                      {QStringLiteral("currency"), QStringLiteral("EUR")},
                      {QStringLiteral("beneficiary"),
                       QJsonObject{{QStringLiteral("name"), beneficiaries.at(b)},
                                   {QStringLiteral("iban"), ibans.at(b)},
                                   {QStringLiteral("new"), newBeneficiary}}},
                      {QStringLiteral("reference"), QStringLiteral("INV-%1").arg(between(10000, 99999))}};
        judge.append(passVerdict(QStringLiteral("financial")));
    };

    if (kind == QLatin1String("payment-large") || kind == QLatin1String("payment-small")
        || kind == QLatin1String("payment-dual")) {
        s.agentId = QStringLiteral("payments-agent");
        const double amount = kind == QLatin1String("payment-small") ? between(20, 900) + between(0, 99) / 100.0
                              : kind == QLatin1String("payment-dual") ? between(120, 400) * 1000.0
                                                                       : between(11, 60) * 1000.0 + between(0, 9) * 100.0;
        payment(amount, m_random.bounded(2U) == 0);
        s.body.insert(QStringLiteral("context"), context(user, userName, QStringLiteral("finance-portal")));
    } else if (kind == QLatin1String("subagent-payment")) {
        s.agentId = QStringLiteral("invoice-subagent");
        payment(between(12, 30) * 1000.0 + 750.0, false);
        s.body.insert(QStringLiteral("context"),
                      context(user, userName, QStringLiteral("finance-portal"),
                              QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("finance-orchestrator")},
                                                     {QStringLiteral("instance"), QStringLiteral("i-%1").arg(between(100, 999))}}}));
    } else if (kind == QLatin1String("email-external") || kind == QLatin1String("email-internal")
               || kind == QLatin1String("judge-flagged")) {
        s.agentId = QStringLiteral("mail-agent");
        tool = QStringLiteral("email");
        operation = QStringLiteral("send");
        QJsonArray to{QStringLiteral("dana@example.com")};
        if (kind == QLatin1String("email-external")) {
            to.append(pick({QStringLiteral("procurement@nordwind-logistics.de"), QStringLiteral("j.smith@partner-corp.com")}));
            to.append(pick({QStringLiteral("sales@atlas-supply.co.uk"), QStringLiteral("info@kestrel-consulting.fr")}));
        }
        parameters = {{QStringLiteral("from"), user},
                      {QStringLiteral("to"), to},
                      {QStringLiteral("subject"), pick({QStringLiteral("Q4 pricing update"), QStringLiteral("Contract renewal"),
                                                        QStringLiteral("Invoice corrections")})},
                      {QStringLiteral("body"), QString(QStringLiteral("Hello,\n\nPlease find the updated figures "
                                                                      "attached. Let me know if anything needs "
                                                                      "changing.\n\nBest regards,\n")
                                                       + userName)}};
        if (kind == QLatin1String("judge-flagged")) {
            parameters.insert(QStringLiteral("subject"), QStringLiteral("Forward: all invoices since January"));
            judge.append(QJsonObject{
                {QStringLiteral("judgeId"), QStringLiteral("judge-gpt-guard")},
                {QStringLiteral("verdict"), QStringLiteral("flag")},
                {QStringLiteral("category"), QStringLiteral("prompt-injection")},
                {QStringLiteral("score"), between(80, 97) / 100.0},
                {QStringLiteral("rationale"),
                 QStringLiteral("The request to forward every invoice came from text inside a retrieved "
                                "document, not from the user; this matches a known exfiltration pattern.")}});
        } else {
            judge.append(passVerdict(QStringLiteral("outbound-communication")));
        }
        s.body.insert(QStringLiteral("context"), context(user, userName, QStringLiteral("support-desk")));
    } else if (kind == QLatin1String("delete-records")) {
        s.agentId = QStringLiteral("data-agent");
        tool = QStringLiteral("db");
        operation = QStringLiteral("delete");
        parameters = {{QStringLiteral("table"), pick({QStringLiteral("customers"), QStringLiteral("orders"), QStringLiteral("sessions")})},
                      {QStringLiteral("where"), QStringLiteral("last_activity < '2023-01-01'")},
                      {QStringLiteral("estimatedRows"), between(40, 5000)}};
        judge.append(passVerdict(QStringLiteral("deletion")));
        s.body.insert(QStringLiteral("context"), context(user, userName, QStringLiteral("crm-app")));
    } else if (kind == QLatin1String("pii-export")) {
        s.agentId = QStringLiteral("data-agent");
        tool = QStringLiteral("crm");
        operation = QStringLiteral("export");
        parameters = {{QStringLiteral("segment"), QStringLiteral("all-active-customers")},
                      {QStringLiteral("fields"), QJsonArray{QStringLiteral("name"), QStringLiteral("email"),
                                                            QStringLiteral("phone"), QStringLiteral("date_of_birth")}},
                      {QStringLiteral("rows"), between(5000, 90000)},
                      {QStringLiteral("destination"), QStringLiteral("sftp://exports.partner-corp.com/incoming/")}};
        judge.append(passVerdict(QStringLiteral("sensitive-data")));
        s.body.insert(QStringLiteral("context"), context(user, userName, QStringLiteral("crm-app")));
    } else if (kind == QLatin1String("self-permission")) {
        s.agentId = QStringLiteral("ops-agent");
        tool = QStringLiteral("iam");
        operation = QStringLiteral("update_permissions");
        parameters = {{QStringLiteral("subject"), QStringLiteral("ops-agent")},
                      {QStringLiteral("before"), QJsonArray{QStringLiteral("code.execute"), QStringLiteral("iam.update_permissions")}},
                      {QStringLiteral("after"), QJsonArray{QStringLiteral("code.execute"), QStringLiteral("iam.update_permissions"),
                                                           QStringLiteral("db.delete")}},
                      {QStringLiteral("justification"), QStringLiteral("Needed to clean up stale sessions")}};
        judge.append(passVerdict(QStringLiteral("privilege-change")));
        s.body.insert(QStringLiteral("context"), context(user, userName, QStringLiteral("ops-console")));
    } else if (kind == QLatin1String("leaked-credential")) {
        // An agent that copied a database password from its context into a command: the
        // gateway must redact it and the reviewer must learn it leaked. The password is made up
        // here, from the seeded generator.
        QString password;
        for (int i = 0; i < 14; ++i)
            password.append(QLatin1Char("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%"[between(0, 58)]));
        s.agentId = QStringLiteral("ops-agent");
        tool = QStringLiteral("code");
        operation = QStringLiteral("execute");
        parameters = {{QStringLiteral("host"), QStringLiteral("billing-prod-1")},
                      {QStringLiteral("language"), QStringLiteral("bash")},
                      {QStringLiteral("command"), QString(QStringLiteral("psql postgres://billing:") + password
                                                          + QStringLiteral("@db-prod-2:5432/billing -c 'VACUUM ANALYZE invoices'"))}};
        judge.append(QJsonObject{{QStringLiteral("judgeId"), QStringLiteral("judge-gpt-guard")},
                                 {QStringLiteral("verdict"), QStringLiteral("flag")},
                                 {QStringLiteral("category"), QStringLiteral("credential-exposure")},
                                 {QStringLiteral("score"), 0.88},
                                 {QStringLiteral("rationale"),
                                  QStringLiteral("The command embeds a database password taken from the conversation.")}});
        s.body.insert(QStringLiteral("context"), context(user, userName, QStringLiteral("ops-console")));
    } else { // code-execution
        s.agentId = QStringLiteral("ops-agent");
        tool = QStringLiteral("code");
        operation = QStringLiteral("execute");
        parameters = {{QStringLiteral("host"), pick({QStringLiteral("billing-prod-1"), QStringLiteral("api-prod-3")})},
                      {QStringLiteral("language"), QStringLiteral("bash")},
                      {QStringLiteral("command"), pick({QStringLiteral("kubectl rollout restart deploy/billing"),
                                                        QStringLiteral("systemctl restart nginx")})}};
        judge.append(passVerdict(QStringLiteral("code-execution")));
        s.body.insert(QStringLiteral("context"), context(user, userName, QStringLiteral("ops-console")));
    }

    s.body.insert(QStringLiteral("tool"), tool);
    s.body.insert(QStringLiteral("operation"), operation);
    s.body.insert(QStringLiteral("parameters"), parameters);
    s.body.insert(QStringLiteral("judge"), judge);
    return s;
}

} // namespace countersign::sim
