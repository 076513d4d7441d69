// The simulated workload's driver.
#include "sim/Simulator.h"

#include "core/identity/IdentityToken.h"
#include "core/judge/SignedVerdict.h"

#include <QDateTime>
#include <QJsonArray>

namespace countersign::sim {

namespace {
// Long-polls held open at once per agent: well under QNetworkAccessManager's six connections
// per host, so one agent's submissions never queue behind its own polls.
constexpr int kPollsPerAgent = 4;
constexpr int kPollWaitSeconds = 20;
} // namespace

Simulator::Simulator(SimulatorSettings settings, QTextStream &out, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)), m_out(out), m_generator(m_settings.seed)
{
    m_submitTimer.setInterval(std::max(1, static_cast<int>(1000.0 / std::max(0.001, m_settings.ratePerSecond))));
    connect(&m_submitTimer, &QTimer::timeout, this, &Simulator::submitNext);
    m_pollTimer.setInterval(250);
    connect(&m_pollTimer, &QTimer::timeout, this, &Simulator::pollSome);
}

AgentClient &Simulator::clientFor(const QString &agentId)
{
    auto &slot = m_clients[agentId];
    if (!slot) {
        slot = std::make_unique<AgentClient>(m_settings.gateway, m_settings.pinnedSha256,
                                             agentToken(m_settings.secret, agentId));
    }
    return *slot;
}

void Simulator::start()
{
    m_elapsed.start();
    submitNext();
    m_submitTimer.start();
    if (m_settings.waitForOutcomes)
        m_pollTimer.start();
}

void Simulator::submitNext()
{
    if (m_settings.count > 0 && m_submitted >= m_settings.count) {
        m_submitTimer.stop();
        maybeFinish();
        return;
    }
    ++m_submitted;
    ++m_inFlight;
    attachIdentity(m_generator.next(), [this](const Submission &submission) {
    const qint64 at = m_elapsed.elapsed();
    clientFor(submission.agentId).submit(submission.body, [this, submission, at](const HttpAnswer &answer) {
        --m_inFlight;
        const QString id = answer.body.value(QStringLiteral("id")).toString();
        const QString status = answer.body.value(QStringLiteral("status")).toString();
        const QString tool = submission.body.value(QStringLiteral("tool")).toString() + QLatin1Char('.')
                             + submission.body.value(QStringLiteral("operation")).toString();
        if (answer.status == 202 && !id.isEmpty()) {
            m_out << "submitted " << id << ' ' << tool << " as " << submission.agentId << " (" << submission.kind
                  << "): waiting for a human" << Qt::endl;
            if (m_settings.waitForOutcomes)
                m_outstanding.insert(id, Outstanding{submission.agentId, submission.kind, at, false});
            else
                ++m_tally[QStringLiteral("pending")];
        } else if (answer.status == 200) {
            m_out << "submitted " << id << ' ' << tool << " as " << submission.agentId << ": allowed by policy"
                  << Qt::endl;
            ++m_tally[QStringLiteral("allowed")];
        } else {
            ++m_failures;
            const QJsonObject error = answer.body.value(QStringLiteral("error")).toObject();
            m_out << "submission " << tool << " as " << submission.agentId << " failed: HTTP " << answer.status << ' '
                  << error.value(QStringLiteral("code")).toString() << ' '
                  << (answer.transportError.isEmpty() ? error.value(QStringLiteral("message")).toString()
                                                      : answer.transportError)
                  << Qt::endl;
            ++m_tally[QStringLiteral("failed")];
        }
        maybeFinish();
    });
    });
}

void Simulator::signVerdicts(Submission &submission) const
{
    const QJsonObject &body = submission.body;
    const QByteArray call = judge::callDigest(body.value(QStringLiteral("tool")).toString(),
                                              body.value(QStringLiteral("operation")).toString(),
                                              body.value(QStringLiteral("parameters")).toObject());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QJsonArray verdicts;
    for (const QJsonValue &entry : body.value(QStringLiteral("judge")).toArray()) {
        const QJsonObject verdict = entry.toObject();
        const QString judgeId = verdict.value(QStringLiteral("judgeId")).toString();
        if (!demoJudges().contains(judgeId)) {
            verdicts.append(entry);
            continue;
        }
        judge::VerdictStatement statement;
        statement.verdict.judgeId = judgeId;
        statement.verdict.verdict = verdict.value(QStringLiteral("verdict")).toString() == QLatin1String("flag")
                                        ? JudgeOutcome::Flag
                                        : JudgeOutcome::Pass;
        statement.verdict.category = verdict.value(QStringLiteral("category")).toString();
        statement.verdict.score = verdict.value(QStringLiteral("score")).toDouble();
        statement.verdict.rationale = verdict.value(QStringLiteral("rationale")).toString();
        statement.gatewayId = m_settings.gatewayId;
        statement.callDigest = call;
        statement.issuedAt = now;
        statement.expiresAt = now.addSecs(600);
        verdicts.append(QString::fromLatin1(judge::signVerdict(statement, signerKey(m_settings.secret, judgeId))));
    }
    submission.body.insert(QStringLiteral("judge"), verdicts);
}

void Simulator::attachIdentity(Submission submission, std::function<void(const Submission &)> send)
{
    if (!m_settings.gatewayId.isEmpty())
        signVerdicts(submission);
    const QJsonObject context = submission.body.value(QStringLiteral("context")).toObject();
    const QJsonObject user = context.value(QStringLiteral("user")).toObject();
    const QString application = context.value(QStringLiteral("application")).toObject().value(QStringLiteral("id")).toString();
    if (m_settings.gatewayId.isEmpty() || !demoApplications().contains(application)) {
        send(submission);
        return;
    }
    // From the agent the application launched down to the acting one.
    QList<AgentIdentity> chain;
    const QJsonArray parents = context.value(QStringLiteral("parentAgents")).toArray();
    for (qsizetype i = parents.size() - 1; i >= 0; --i) {
        const QJsonObject parent = parents.at(i).toObject();
        chain.append(AgentIdentity{parent.value(QStringLiteral("id")).toString(),
                                   parent.value(QStringLiteral("instance")).toString(), true});
    }
    const QString instance = context.value(QStringLiteral("agentInstance")).toString();
    chain.append(AgentIdentity{submission.agentId, instance, true});

    const QDateTime now = QDateTime::currentDateTimeUtc();
    identity::UserAssertion assertion;
    assertion.application = application;
    assertion.user = Principal{user.value(QStringLiteral("id")).toString(), user.value(QStringLiteral("name")).toString(), true};
    assertion.gatewayId = m_settings.gatewayId;
    assertion.sessionId = context.value(QStringLiteral("sessionId")).toString();
    assertion.issuedAt = now;
    assertion.expiresAt = now.addSecs(600);
    assertion.mayAct = chain.front().id;
    const QByteArray assertionToken = identity::signUserAssertion(assertion, signerKey(m_settings.secret, application));

    // Each agent in turn exchanges the token it holds for one naming the next (RFC 8693).
    // The pending exchange holds the only strong reference to the next step.
    auto step = std::make_shared<std::function<void(qsizetype, QByteArray)>>();
    std::weak_ptr<std::function<void(qsizetype, QByteArray)>> weakStep = step;
    *step = [this, chain, submission, send, instance, weakStep](qsizetype i, const QByteArray &token) {
        if (i == chain.size() - 1) {
            Submission verified = submission;
            verified.body.insert(QStringLiteral("context"), QJsonObject{{QStringLiteral("identityToken"), QString::fromLatin1(token)},
                                                                        {QStringLiteral("agentInstance"), instance}});
            send(verified);
            return;
        }
        clientFor(chain.at(i).id).exchangeToken(token, chain.at(i + 1).id, chain.at(i).instance,
                                               [this, i, next = weakStep.lock(), submission, send](const HttpAnswer &answer) {
            const QString issued = answer.body.value(QStringLiteral("access_token")).toString();
            if (answer.status != 200 || issued.isEmpty()) {
                ++m_failures;
                m_out << "token exchange for " << submission.kind << " failed: HTTP " << answer.status << ' '
                      << answer.body.value(QStringLiteral("error")).toString() << ' '
                      << answer.body.value(QStringLiteral("error_description")).toString() << Qt::endl;
                send(submission); // the identity stays claimed, as the console will show
                return;
            }
            (*next)(i + 1, issued.toLatin1());
        });
    };
    (*step)(0, assertionToken);
}

void Simulator::pollSome()
{
    QHash<QString, int> active;
    for (const Outstanding &o : std::as_const(m_outstanding)) {
        if (o.polling)
            ++active[o.agentId];
    }
    for (auto it = m_outstanding.begin(); it != m_outstanding.end(); ++it) {
        if (it->polling || active.value(it->agentId) >= kPollsPerAgent)
            continue;
        ++active[it->agentId];
        it->polling = true;
        poll(it.key());
    }
}

void Simulator::poll(const QString &actionId)
{
    const QString agentId = m_outstanding.value(actionId).agentId;
    clientFor(agentId).outcome(actionId, kPollWaitSeconds, [this, actionId](const HttpAnswer &answer) {
        auto it = m_outstanding.find(actionId);
        if (it == m_outstanding.end())
            return;
        it->polling = false;
        const QString status = answer.body.value(QStringLiteral("status")).toString();
        if (answer.status != 200 || status.isEmpty() || status == QLatin1String("pending"))
            return; // asked again on the next round
        const qint64 waited = m_elapsed.elapsed() - it->submittedMs;
        m_out << "outcome " << actionId << ' ' << status;
        const QString by = answer.body.value(QStringLiteral("decidedBy")).toString();
        if (!by.isEmpty())
            m_out << " by " << by;
        const QString reason = answer.body.value(QStringLiteral("reason")).toString();
        if (!reason.isEmpty())
            m_out << ": " << reason.left(200);
        m_out << " (after " << waited / 1000 << " s)" << Qt::endl;
        ++m_tally[status];
        m_outstanding.erase(it);
        maybeFinish();
    });
}

void Simulator::maybeFinish()
{
    if (m_settings.count == 0 || m_submitted < m_settings.count || m_inFlight > 0 || !m_outstanding.isEmpty())
        return;
    m_submitTimer.stop();
    m_pollTimer.stop();
    Q_EMIT finished();
}

QString Simulator::summary() const
{
    QStringList parts;
    QStringList keys = m_tally.keys();
    keys.sort();
    for (const QString &key : std::as_const(keys))
        parts.append(QStringLiteral("%1 %2").arg(m_tally.value(key)).arg(key));
    return QStringLiteral("%1 submitted: %2").arg(m_submitted).arg(parts.join(QStringLiteral(", ")));
}

} // namespace countersign::sim
